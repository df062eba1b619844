//! The Parley desktop core, without Tauri.
//!
//! [`Client`] is what the desktop shell delegates to: reads come from the local replica (so
//! history and contacts work offline), messages go to a durable outbox first, and two
//! workers keep things moving — [`sync`] (hub → replica) and [`outbox`] (replica → hub).
//! The session token stays in this process; it never reaches the webview and is not
//! written to disk.

pub mod hub_api;
pub mod outbox;
pub mod policy;
mod reads;
pub mod replica;
pub mod sync;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use parley_proto::{
    Agent, AgentStatus, AgentSummary, ApiError, ComposeRequest, ConnectionState, ErrorCode, Event,
    Id, Interaction, Message, NotificationSettings, Session, UpdateContactRequest, Upload,
    WorkspaceSettings, WrapUpRequest,
};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::hub_api::{HubApi, HubError};
pub use crate::policy::{LoadedPolicy, Policy};
use crate::replica::{Replica, ReplicaError};

/// Where the core reports what happened, for the shell to show.
pub trait EventSink: Send + Sync + 'static {
    /// A hub event was applied to the replica.
    fn event(&self, event: &Event);
    /// The link to the hub went up or down.
    fn connection(&self, state: ConnectionState);
    /// Something changed locally (the outbox moved on).
    fn changed(&self);
}

/// What can go wrong in a desktop command.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("not signed in")]
    NotSignedIn,
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Replica(#[from] ReplicaError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Forbidden(&'static str),
}

impl ClientError {
    /// The hub no longer honours the session (signed out elsewhere, revoked, expired, or
    /// the account disabled).
    #[must_use]
    pub fn is_session_refused(&self) -> bool {
        matches!(
            self,
            Self::Hub(HubError::Refused {
                status: 401 | 403,
                ..
            })
        )
    }
}

impl From<ClientError> for ApiError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::NotSignedIn => ApiError::new(ErrorCode::Unauthorized, "sign in first"),
            ClientError::Hub(HubError::Refused { error, .. }) => error,
            ClientError::Hub(HubError::Offline(reason)) => {
                tracing::info!(%reason, "hub unreachable");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "the hub cannot be reached right now; try again when online",
                )
            }
            ClientError::Replica(ReplicaError::NotFound(what)) => {
                ApiError::new(ErrorCode::NotFound, format!("{what} not found"))
            }
            ClientError::Replica(error) => {
                tracing::error!(%error, "local database failure");
                ApiError::new(
                    ErrorCode::Internal,
                    "the local database failed; see the log",
                )
            }
            ClientError::Invalid(message) => ApiError::new(ErrorCode::BadRequest, message),
            ClientError::Forbidden(message) => ApiError::new(ErrorCode::Forbidden, message),
        }
    }
}

type Result<T, E = ClientError> = std::result::Result<T, E>;

/// A signed-in session: the hub, the replica and the workers.
struct Signed {
    hub: HubApi,
    replica: Replica,
    agent_id: Id,
    /// The agent's login (names the replica).
    login: String,
    /// When the hub ends the session however it is used.
    session_ends_at: Option<parley_proto::Millis>,
    outbox_wake: Arc<Notify>,
    workers: Vec<JoinHandle<()>>,
}

impl Drop for Signed {
    fn drop(&mut self) {
        for worker in &self.workers {
            worker.abort();
        }
    }
}

/// A session kept from one run to the next ("stay signed in"): what [`Client::resume`]
/// needs. The shell keeps it in the OS keychain.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeptSession {
    pub hub_url: String,
    pub login: String,
    pub agent_id: Id,
    pub token: String,
}

impl std::fmt::Debug for KeptSession {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("KeptSession")
            .field("hub_url", &self.hub_url)
            .field("login", &self.login)
            .field("agent_id", &self.agent_id)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// The desktop core.
#[derive(Clone)]
pub struct Client {
    data_dir: PathBuf,
    sink: Arc<dyn EventSink>,
    signed: Arc<Mutex<Option<Arc<Signed>>>>,
    /// The notification preferences, read from their file once.
    /// (`Some(None)`: read, and the agent never chose.)
    notification_settings: Arc<Mutex<Option<Option<NotificationSettings>>>>,
    /// What the admin decided for this computer.
    policy: Arc<LoadedPolicy>,
}

impl Client {
    /// A core keeping its replicas under `data_dir` and reporting to `sink`.
    #[must_use]
    pub fn new(data_dir: PathBuf, sink: Arc<dyn EventSink>) -> Self {
        Self {
            data_dir,
            sink,
            signed: Arc::new(Mutex::new(None)),
            notification_settings: Arc::new(Mutex::new(None)),
            policy: Arc::new(LoadedPolicy::default()),
        }
    }

    /// The same core under the admin's `policy` (the safe defaults otherwise).
    #[must_use]
    pub fn with_policy(self, policy: LoadedPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
            ..self
        }
    }

    /// The admin's policy as the UI shows it.
    #[must_use]
    pub fn policy(&self) -> parley_proto::DesktopPolicy {
        self.policy.view()
    }

    fn signed(&self) -> Result<Arc<Signed>> {
        self.signed
            .lock()
            .map_err(|_| ClientError::NotSignedIn)?
            .clone()
            .ok_or(ClientError::NotSignedIn)
    }

    /// The replica file for one account on one hub.
    fn replica_path(&self, hub_url: &str, login: &str) -> PathBuf {
        let digest = Sha256::digest(format!("{hub_url}\n{login}").as_bytes());
        let name: String = digest
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        self.data_dir.join(format!("replica-{name}.db"))
    }

    /// Signs in to the hub at `hub_url`, opens this account's replica and starts syncing.
    /// Messages left in the outbox by an earlier run are sent once the hub is reachable.
    ///
    /// # Errors
    /// [`ClientError`] when the hub refuses or cannot be reached.
    #[tracing::instrument(skip(self, password))]
    pub async fn login(&self, hub_url: &str, login: &str, password: &str) -> Result<Session> {
        let hub_url = hub_url.trim().trim_end_matches('/').to_owned();
        self.policy
            .policy
            .check_hub_url(&hub_url)
            .map_err(|refused| ClientError::Invalid(refused.to_string()))?;
        let anonymous = HubApi::new(&hub_url)?;
        let answer = anonymous.login(login.trim(), password).await?;
        let hub = anonymous.with_token(answer.token);
        let ends_at = (answer.session_ends_at > 0).then_some(answer.session_ends_at);
        self.start(hub_url, hub, answer.agent, ends_at, true).await
    }

    /// Goes on with a session kept from an earlier run ("stay signed in"): with the hub
    /// when it still honours the token, or offline on this computer's replica until it is
    /// reachable.
    ///
    /// # Errors
    /// [`ClientError::Hub`] with 401 when the hub no longer honours the token (the kept
    /// session should be forgotten), or the replica cannot be opened.
    pub async fn resume(&self, kept: &KeptSession) -> Result<Session> {
        let hub_url = policy::normalized(&kept.hub_url);
        self.policy
            .policy
            .check_hub_url(&hub_url)
            .map_err(|refused| ClientError::Invalid(refused.to_string()))?;
        let hub = HubApi::new(&hub_url)?.with_token(kept.token.clone());
        let agent = match hub.me().await {
            Ok(agent) => agent,
            Err(HubError::Offline(reason)) => {
                tracing::info!(%reason, "the hub is not reachable: going on offline");
                let replica = Replica::open(&self.replica_path(&hub_url, &kept.login)).await?;
                replica.agent(kept.agent_id).await?
            }
            Err(error) => return Err(error.into()),
        };
        tracing::info!(login = %agent.login, "session resumed");
        self.start(hub_url, hub, agent, None, false).await
    }

    /// What "stay signed in" keeps of the current session.
    #[must_use]
    pub fn kept_session(&self) -> Option<KeptSession> {
        let signed = self.signed().ok()?;
        Some(KeptSession {
            hub_url: signed.hub.base().to_owned(),
            login: signed.login.clone(),
            agent_id: signed.agent_id,
            token: signed.hub.token()?.to_owned(),
        })
    }

    /// Opens the agent's replica and starts syncing and the outbox.
    async fn start(
        &self,
        hub_url: String,
        hub: HubApi,
        agent: Agent,
        session_ends_at: Option<parley_proto::Millis>,
        read_markers: bool,
    ) -> Result<Session> {
        let replica = Replica::open(&self.replica_path(&hub_url, &agent.login)).await?;
        replica.save_agent(&agent).await?;
        if read_markers {
            match hub.read_markers().await {
                Ok(markers) => {
                    let pairs: Vec<(Id, Id)> = markers
                        .iter()
                        .map(|marker| (marker.contact_id, marker.last_read_message_id))
                        .collect();
                    replica.merge_read_markers(&pairs).await?;
                }
                Err(error) => tracing::warn!(%error, "read markers not loaded"),
            }
        }
        let outbox_wake = Arc::new(Notify::new());
        let sync = sync::Sync {
            hub: hub.clone(),
            agent_id: agent.id,
            replica: replica.clone(),
            sink: Arc::clone(&self.sink),
            outbox_wake: Arc::clone(&outbox_wake),
        };
        let outbox = outbox::Outbox {
            hub: hub.clone(),
            replica: replica.clone(),
            sink: Arc::clone(&self.sink),
            wake: Arc::clone(&outbox_wake),
        };
        let workers = vec![tokio::spawn(sync.run()), tokio::spawn(outbox.run())];
        let signed = Arc::new(Signed {
            hub,
            replica,
            agent_id: agent.id,
            login: agent.login.clone(),
            session_ends_at,
            outbox_wake,
            workers,
        });
        let previous = self
            .signed
            .lock()
            .map_err(|_| ClientError::NotSignedIn)?
            .replace(signed);
        drop(previous);
        tracing::info!(login = %agent.login, "signed in");
        Ok(Session {
            agent,
            hub_url,
            session_ends_at,
        })
    }

    /// Signs out: stops syncing and ends the session on the hub (when reachable). The
    /// replica and any unsent outbox messages stay for the next sign-in.
    ///
    /// # Errors
    /// [`ClientError::NotSignedIn`].
    pub async fn logout(&self) -> Result<()> {
        let signed = self
            .signed
            .lock()
            .map_err(|_| ClientError::NotSignedIn)?
            .take();
        let Some(signed) = signed else { return Ok(()) };
        if let Err(error) = signed.hub.logout().await {
            tracing::info!(%error, "the hub did not hear the sign-out");
        }
        Ok(())
    }

    /// The current session, if signed in.
    ///
    /// # Errors
    /// [`ClientError::Replica`].
    pub async fn session(&self) -> Result<Option<Session>> {
        let Ok(signed) = self.signed() else {
            return Ok(None);
        };
        let agent = signed.replica.agent(signed.agent_id).await?;
        Ok(Some(Session {
            agent,
            hub_url: signed.hub.base().to_owned(),
            session_ends_at: signed.session_ends_at,
        }))
    }

    /// Sets the SMS channel status (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn set_status(&self, status: AgentStatus, reason: Option<String>) -> Result<Agent> {
        let signed = self.signed()?;
        let agent = signed.hub.set_status(status, reason).await?;
        signed.replica.save_agent(&agent).await?;
        Ok(agent)
    }

    /// The agent's interactions that are not done (from the replica).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn list_interactions(&self) -> Result<Vec<Interaction>> {
        let signed = self.signed()?;
        Ok(signed.replica.list_interactions(signed.agent_id).await?)
    }

    /// Marks a contact read here, and on the hub when reachable.
    ///
    /// # Errors
    /// [`ClientError::Replica`].
    pub async fn mark_read(&self, contact_id: Id) -> Result<()> {
        let signed = self.signed()?;
        signed.replica.mark_read(contact_id).await?;
        if let Err(error) = signed.hub.mark_read(contact_id).await {
            tracing::info!(%error, contact_id, "read marker kept locally; the hub did not get it");
        }
        Ok(())
    }

    /// Marks a contact's newest message unread here, and on the hub when reachable.
    ///
    /// # Errors
    /// [`ClientError::Replica`].
    pub async fn mark_unread(&self, contact_id: Id) -> Result<()> {
        let signed = self.signed()?;
        signed.replica.mark_unread(contact_id).await?;
        if let Err(error) = signed.hub.mark_unread(contact_id).await {
            tracing::info!(%error, contact_id, "unread mark kept locally; the hub did not get it");
        }
        Ok(())
    }

    /// Saves the Contact tab's details (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn update_contact(
        &self,
        contact_id: Id,
        request: UpdateContactRequest,
    ) -> Result<parley_proto::Contact> {
        let signed = self.signed()?;
        let contact = signed.hub.update_contact(contact_id, &request).await?;
        Ok(contact)
    }

    /// Accepts an offered interaction (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn accept(&self, interaction_id: Id) -> Result<Interaction> {
        Ok(self.signed()?.hub.accept(interaction_id).await?)
    }

    /// Declines an offer (needs the hub): it moves on to another agent at once.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn decline(&self, interaction_id: Id) -> Result<Interaction> {
        Ok(self.signed()?.hub.decline(interaction_id).await?)
    }

    /// Create SMS Interaction with a contact (needs the hub); beyond the agent's capacity
    /// only when they chose to.
    ///
    /// # Errors
    /// [`ClientError`]; a full agent comes back as the hub's `atCapacity`.
    pub async fn create_interaction(
        &self,
        contact_id: Id,
        beyond_capacity: bool,
    ) -> Result<Interaction> {
        Ok(self
            .signed()?
            .hub
            .create_interaction(contact_id, beyond_capacity)
            .await?)
    }

    /// Ends an active interaction (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn end_interaction(&self, interaction_id: Id) -> Result<Interaction> {
        Ok(self.signed()?.hub.end_interaction(interaction_id).await?)
    }

    /// Saves the disposition and note; with `done`, also marks the interaction Done
    /// (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn wrap_up(
        &self,
        interaction_id: Id,
        request: WrapUpRequest,
        done: bool,
    ) -> Result<Interaction> {
        Ok(self
            .signed()?
            .hub
            .wrap_up(interaction_id, &request, done)
            .await?)
    }

    /// The contact center's dispositions and Not Ready reasons (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn settings(&self) -> Result<WorkspaceSettings> {
        Ok(self.signed()?.hub.settings().await?)
    }

    /// The agent's figures since `since` (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn summary(&self, since: i64) -> Result<AgentSummary> {
        Ok(self.signed()?.hub.summary(since).await?)
    }

    /// Saves a message to the outbox (durably) and returns it as pending; the outbox worker
    /// hands it to the hub now or when the hub is back.
    ///
    /// # Errors
    /// [`ClientError::Invalid`] for empty or too long text.
    pub async fn send_message(&self, request: ComposeRequest) -> Result<Message> {
        let pictures = request.upload_ids.as_ref().map_or(0, Vec::len);
        if request.body.trim().is_empty() && pictures == 0 {
            return Err(ClientError::Invalid("the message is empty".into()));
        }
        if pictures > parley_proto::MAX_ATTACHMENTS {
            return Err(ClientError::Invalid(format!(
                "{pictures} pictures are attached; at most {} can go with one message",
                parley_proto::MAX_ATTACHMENTS
            )));
        }
        let length = request.body.chars().count();
        if length > parley_proto::limits::MAX_BODY_CHARS {
            return Err(ClientError::Invalid(format!(
                "the message has {length} characters; at most {} can be sent",
                parley_proto::limits::MAX_BODY_CHARS
            )));
        }
        let signed = self.signed()?;
        let client_key = uuid::Uuid::new_v4().to_string();
        let message = signed
            .replica
            .enqueue(&request, &client_key, signed.agent_id)
            .await?;
        signed.outbox_wake.notify_one();
        self.sink.changed();
        Ok(message)
    }

    /// Create SMS Interaction with a number the agent typed (needs the hub).
    ///
    /// # Errors
    /// [`ClientError`]; an incorrect number comes back as the hub's `invalidNumber`.
    pub async fn create_interaction_for_number(
        &self,
        phone: &str,
        beyond_capacity: bool,
    ) -> Result<Interaction> {
        Ok(self
            .signed()?
            .hub
            .create_interaction_for_number(phone, beyond_capacity)
            .await?)
    }

    /// Uploads a picture to attach to a message (needs the hub: pictures are not kept in
    /// the outbox).
    ///
    /// # Errors
    /// [`ClientError`]; a picture the hub cannot send comes back with its reason.
    pub async fn upload(&self, content_type: &str, bytes: Vec<u8>) -> Result<Upload> {
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > parley_proto::MAX_ATTACHMENT_BYTES {
            return Err(ClientError::Invalid(
                "the picture is larger than 5 MB, the most one message can carry".into(),
            ));
        }
        Ok(self.signed()?.hub.upload(content_type, bytes).await?)
    }

    /// Sends a failed or undelivered message again (needs the hub). The transcript entry
    /// stays the same; the event log brings its new state.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn retry_message(&self, message_id: Id) -> Result<Message> {
        let signed = self.signed()?;
        let hub_id = signed
            .replica
            .message_hub_id(message_id)
            .await?
            .ok_or_else(|| {
                ClientError::Invalid("this message has not reached the hub yet".into())
            })?;
        Ok(signed.hub.retry_message(hub_id).await?)
    }

    /// The local copy of a picture (or its thumbnail), fetched from the hub the first time
    /// and kept by its digest, so it opens offline afterwards. A full-size file is checked
    /// against its digest before it is kept.
    ///
    /// # Errors
    /// [`ClientError`]: not a ready picture, the hub cannot be reached for a file not
    /// kept yet, or the file does not match its digest.
    pub async fn media_file(&self, media_id: Id, thumbnail: bool) -> Result<PathBuf> {
        let signed = self.signed()?;
        let (media, _) = signed.replica.media(media_id).await?;
        let digest = media
            .digest
            .filter(|digest| digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| ClientError::Invalid("this picture is not available".into()))?;
        let folder = self.data_dir.join("media");
        // The full-size copy carries its extension: the OS picks the app that opens it by
        // the name (Windows, macOS), not by the content.
        let extension = parley_proto::files::picture_extension(&media.content_type);
        let path = folder.join(if thumbnail {
            format!("{digest}.thumb")
        } else {
            format!("{digest}.{extension}")
        });
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(path);
        }
        let bytes = signed.hub.media(media_id, thumbnail).await?;
        if !thumbnail {
            let actual: String = Sha256::digest(&bytes)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            if actual != digest {
                return Err(ClientError::Invalid(
                    "the picture arrived damaged; try again".into(),
                ));
            }
        }
        let write = async {
            tokio::fs::create_dir_all(&folder).await?;
            let partial = folder.join(format!(".{}.partial", uuid::Uuid::new_v4()));
            tokio::fs::write(&partial, &bytes).await?;
            tokio::fs::rename(&partial, &path).await
        };
        write.await.map_err(|error| {
            tracing::error!(%error, "cannot keep a picture");
            ClientError::Invalid("the picture cannot be kept on this computer".into())
        })?;
        Ok(path)
    }

    /// The full-size picture's file, to hand to another app (Open): that app can copy it
    /// anywhere, so it takes the save-media permission as Save does.
    ///
    /// # Errors
    /// [`ClientError::Forbidden`] without the save-media permission, or as
    /// [`Client::media_file`].
    pub async fn media_to_open(&self, media_id: Id) -> Result<PathBuf> {
        let signed = self.signed()?;
        let agent = signed.replica.agent(signed.agent_id).await?;
        if !agent.permissions.save_media {
            return Err(ClientError::Forbidden(
                "opening a picture in another app needs the save-media permission",
            ));
        }
        self.media_file(media_id, false).await
    }

    /// What saving a picture needs: the permission, the local file and the suggested name.
    ///
    /// # Errors
    /// [`ClientError::Forbidden`] without the save-media permission, or as
    /// [`Client::media_file`].
    pub async fn media_to_save(&self, media_id: Id) -> Result<(PathBuf, String)> {
        let signed = self.signed()?;
        let agent = signed.replica.agent(signed.agent_id).await?;
        if !agent.permissions.save_media {
            return Err(ClientError::Forbidden(
                "saving pictures needs the save-media permission",
            ));
        }
        let (media, contact_id) = signed.replica.media(media_id).await?;
        let path = self.media_file(media_id, false).await?;
        Ok((
            path,
            parley_proto::files::picture_file_name(contact_id, media_id, &media.content_type),
        ))
    }

    /// The notification preferences kept on this computer, under the admin's policy (its
    /// privacy until the agent chooses, or always when locked).
    #[must_use]
    pub fn notification_settings(&self) -> NotificationSettings {
        let read = || {
            std::fs::read_to_string(self.data_dir.join("notifications.json"))
                .ok()
                .and_then(|text| serde_json::from_str(&text).ok())
        };
        let chosen = match self.notification_settings.lock() {
            Ok(mut kept) => *kept.get_or_insert_with(read),
            Err(_) => read(),
        };
        self.policy.policy.notification_settings(chosen)
    }

    /// Keeps the notification preferences on this computer.
    ///
    /// # Errors
    /// [`ClientError::Invalid`] when the file cannot be written, or the admin locked what
    /// notifications show and `settings` changes it.
    pub fn set_notification_settings(&self, settings: NotificationSettings) -> Result<()> {
        self.policy
            .policy
            .check_notification_settings(&settings)
            .map_err(|_| ClientError::Forbidden(policy::LockedByAdmin::MESSAGE))?;
        let text = serde_json::to_string_pretty(&settings)
            .map_err(|error| ClientError::Invalid(error.to_string()))?;
        std::fs::create_dir_all(&self.data_dir)
            .and_then(|()| std::fs::write(self.data_dir.join("notifications.json"), text))
            .map_err(|error| {
                ClientError::Invalid(format!("the preferences cannot be saved: {error}"))
            })?;
        if let Ok(mut kept) = self.notification_settings.lock() {
            *kept = Some(Some(settings));
        }
        Ok(())
    }

    /// An interaction from the replica (for notifications).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn interaction(&self, interaction_id: Id) -> Result<Interaction> {
        Ok(self.signed()?.replica.interaction(interaction_id).await?)
    }

    /// The signed-in agent's id.
    ///
    /// # Errors
    /// [`ClientError::NotSignedIn`].
    pub fn agent_id(&self) -> Result<Id> {
        Ok(self.signed()?.agent_id)
    }

    /// Messages still waiting in the outbox.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn outbox_len(&self) -> Result<i64> {
        Ok(self.signed()?.replica.outbox_len().await?)
    }
}
