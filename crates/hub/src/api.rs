//! The HTTP JSON API and the WebSocket event stream (see `docs/api.md`).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use parley_proto::{
    Agent, AgentSummary, Contact, ContactInteraction, ContactSummary, CreateInteractionRequest,
    ErrorCode, Event, Id, Interaction, LoginRequest, LoginResponse, Message, SearchHit,
    SendMessageRequest, SetStatusRequest, SimInboundRequest, SimOutboundMessage,
    UpdateContactRequest, WorkspaceSettings, WrapUpRequest,
};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::HubState;
use crate::auth;
use crate::error::Failure;
use crate::rules::lifecycle::WrapUp;
use crate::rules::{sending, workspace};
use crate::store::{Completion, ContactDetails, Inbound, Outbound, ReadMarker};

type Shared = State<Arc<HubState>>;
type ApiResult<T> = Result<Json<T>, Failure>;

/// The signed-in agent, from `Authorization: Bearer <token>`.
pub struct CurrentAgent {
    pub agent: Agent,
    token: String,
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

async fn agent_for_token(hub: &HubState, token: &str) -> Result<Agent, Failure> {
    hub.store
        .session_agent(&auth::token_hash(token))
        .await?
        .ok_or_else(Failure::unauthorized)
}

impl FromRequestParts<Arc<HubState>> for CurrentAgent {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<HubState>) -> Result<Self, Failure> {
        let token = bearer(parts).ok_or_else(Failure::unauthorized)?.to_owned();
        let agent = agent_for_token(hub, &token).await?;
        Ok(Self { agent, token })
    }
}

/// `GET /healthz`.
pub async fn health(State(hub): Shared) -> Response {
    match hub.store.head_seq().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// `POST /api/login`.
pub async fn login(
    State(hub): Shared,
    Json(request): Json<LoginRequest>,
) -> ApiResult<LoginResponse> {
    let refused = || Failure::new(ErrorCode::Unauthorized, "the login or password is wrong");
    let (agent, hash) = hub
        .store
        .agent_credentials(request.login.trim())
        .await?
        .ok_or_else(refused)?;
    let password = request.password;
    // argon2 is deliberately slow: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|error| {
            tracing::error!(%error, "password check panicked");
            Failure::new(ErrorCode::Internal, "the hub could not check the password")
        })?;
    if !matches {
        tracing::info!(login = %agent.login, "login refused");
        return Err(refused());
    }
    let token = auth::new_token();
    hub.store
        .create_session(
            agent.id,
            &auth::token_hash(&token),
            hub.store.now() + auth::SESSION_LIFETIME_MS,
        )
        .await?;
    tracing::info!(login = %agent.login, "agent signed in");
    Ok(Json(LoginResponse { token, agent }))
}

/// `POST /api/logout`.
pub async fn logout(State(hub): Shared, current: CurrentAgent) -> Result<StatusCode, Failure> {
    hub.store
        .delete_session(&auth::token_hash(&current.token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/me`.
pub async fn me(current: CurrentAgent) -> Json<Agent> {
    Json(current.agent)
}

/// `PUT /api/me/status`.
pub async fn set_status(
    State(hub): Shared,
    current: CurrentAgent,
    Json(request): Json<SetStatusRequest>,
) -> ApiResult<Agent> {
    let reason = workspace::status_reason(
        &hub.config.workspace.not_ready_reasons,
        request.status,
        request.reason.as_deref(),
    )?;
    let agent = hub
        .store
        .set_agent_status(current.agent.id, request.status, reason)
        .await?;
    tracing::info!(login = %agent.login, status = agent.status.as_str(), "agent status changed");
    hub.router.kick();
    Ok(Json(agent))
}

/// `GET /api/contacts`.
pub async fn contacts(State(hub): Shared, current: CurrentAgent) -> ApiResult<Vec<ContactSummary>> {
    Ok(Json(hub.store.list_contacts(current.agent.id).await?))
}

/// `GET /api/contacts/{id}/messages`.
pub async fn contact_messages(
    State(hub): Shared,
    _current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> ApiResult<Vec<Message>> {
    Ok(Json(hub.store.list_messages(contact_id).await?))
}

/// `POST /api/contacts/{id}/read`.
pub async fn mark_read(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> Result<StatusCode, Failure> {
    hub.store.mark_read(current.agent.id, contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/contacts/{id}`: the Contact tab's details.
pub async fn update_contact(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
    Json(request): Json<UpdateContactRequest>,
) -> ApiResult<Contact> {
    workspace::contact_details(
        request.name.as_deref(),
        request.email.as_deref(),
        request.notes.as_deref(),
    )?;
    let contact = hub
        .store
        .update_contact(
            contact_id,
            ContactDetails {
                name: request.name.as_deref(),
                email: request.email.as_deref(),
                notes: request.notes.as_deref(),
            },
        )
        .await?;
    tracing::info!(contact_id, login = %current.agent.login, "contact details updated");
    Ok(Json(contact))
}

/// `GET /api/contacts/{id}/interactions`: the contact's interaction history.
pub async fn contact_interactions(
    State(hub): Shared,
    _current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> ApiResult<Vec<ContactInteraction>> {
    Ok(Json(hub.store.contact_interactions(contact_id).await?))
}

/// `POST /api/contacts/{id}/unread`.
pub async fn mark_unread(
    State(hub): Shared,
    current: CurrentAgent,
    Path(contact_id): Path<Id>,
) -> Result<StatusCode, Failure> {
    hub.store.mark_unread(current.agent.id, contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /api/search?q=…`: contacts by name or number, messages by text.
pub async fn search(
    State(hub): Shared,
    _current: CurrentAgent,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Vec<SearchHit>> {
    workspace::search(&query.q)?;
    Ok(Json(hub.store.search(&query.q).await?))
}

/// `GET /api/read-markers`.
pub async fn read_markers(State(hub): Shared, current: CurrentAgent) -> ApiResult<Vec<ReadMarker>> {
    Ok(Json(hub.store.read_markers(current.agent.id).await?))
}

/// `GET /api/interactions`.
pub async fn interactions(
    State(hub): Shared,
    current: CurrentAgent,
) -> ApiResult<Vec<Interaction>> {
    Ok(Json(hub.store.list_interactions(current.agent.id).await?))
}

/// `POST /api/interactions/{id}/accept`.
pub async fn accept(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
) -> ApiResult<Interaction> {
    let interaction = hub.store.accept(current.agent.id, interaction_id).await?;
    tracing::info!(interaction_id, login = %current.agent.login, "interaction accepted");
    Ok(Json(interaction))
}

/// `POST /api/interactions` (Create SMS Interaction).
pub async fn create_interaction(
    State(hub): Shared,
    current: CurrentAgent,
    Json(request): Json<CreateInteractionRequest>,
) -> Result<(StatusCode, Json<Interaction>), Failure> {
    let contact_id = match (request.contact_id, request.phone.as_deref()) {
        (Some(contact_id), _) => contact_id,
        (None, Some(phone)) => {
            let phone = hub.number(phone)?;
            let contact_id = hub.store.ensure_contact(&phone).await?.id;
            if hub.line_type_lookups {
                // So the agent is warned about a landline before the first text.
                let (store, provider) = (hub.store.clone(), hub.provider.clone());
                tokio::spawn(async move {
                    crate::outbound::look_up(&store, provider.as_ref(), contact_id).await;
                });
            }
            contact_id
        }
        (None, None) => {
            return Err(Failure::new(
                ErrorCode::BadRequest,
                "give the contact or the number to text",
            ));
        }
    };
    let interaction = hub
        .store
        .create_interaction(current.agent.id, contact_id)
        .await?;
    tracing::info!(interaction_id = interaction.id, login = %current.agent.login, "SMS interaction created");
    Ok((StatusCode::CREATED, Json(interaction)))
}

/// `POST /api/interactions/{id}/end`.
pub async fn end_interaction(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
) -> ApiResult<Interaction> {
    let interaction = hub
        .store
        .end_interaction(current.agent.id, interaction_id)
        .await?;
    hub.router.kick();
    Ok(Json(interaction))
}

/// `PUT /api/interactions/{id}/wrap-up`: save the disposition and note.
pub async fn save_wrap_up(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
    Json(request): Json<WrapUpRequest>,
) -> ApiResult<Interaction> {
    let (disposition, note) = workspace::wrap_up_fields(
        &hub.config.workspace.dispositions,
        request.disposition.as_deref(),
        request.note.as_deref(),
    )?;
    Ok(Json(
        hub.store
            .wrap_up(
                current.agent.id,
                interaction_id,
                WrapUp {
                    disposition,
                    note,
                    done: None,
                },
            )
            .await?,
    ))
}

/// `POST /api/interactions/{id}/done`: wrap up and close.
pub async fn mark_done(
    State(hub): Shared,
    current: CurrentAgent,
    Path(interaction_id): Path<Id>,
    Json(request): Json<WrapUpRequest>,
) -> ApiResult<Interaction> {
    let (disposition, note) = workspace::wrap_up_fields(
        &hub.config.workspace.dispositions,
        request.disposition.as_deref(),
        request.note.as_deref(),
    )?;
    let completion = if hub.config.workspace.disposition_required {
        Completion::DispositionRequired
    } else {
        Completion::DispositionOptional
    };
    let interaction = hub
        .store
        .wrap_up(
            current.agent.id,
            interaction_id,
            WrapUp {
                disposition,
                note,
                done: Some(completion),
            },
        )
        .await?;
    tracing::info!(interaction_id, login = %current.agent.login, disposition = ?interaction.disposition, "interaction done");
    hub.router.kick();
    Ok(Json(interaction))
}

/// `GET /api/settings`.
pub async fn settings(State(hub): Shared, _current: CurrentAgent) -> Json<WorkspaceSettings> {
    let workspace = &hub.config.workspace;
    Json(WorkspaceSettings {
        dispositions: workspace.dispositions.clone(),
        disposition_required: workspace.disposition_required,
        not_ready_reasons: workspace.not_ready_reasons.clone(),
        standard_responses: workspace.standard_responses.clone(),
    })
}

#[derive(Debug, Deserialize)]
pub struct SummaryQuery {
    since: i64,
}

/// `GET /api/me/summary?since=ms`.
pub async fn summary(
    State(hub): Shared,
    current: CurrentAgent,
    Query(query): Query<SummaryQuery>,
) -> ApiResult<AgentSummary> {
    Ok(Json(
        hub.store
            .agent_summary(current.agent.id, query.since)
            .await?,
    ))
}

/// `POST /api/messages`: stores once per client key, then hands it to the sender.
pub async fn send_message(
    State(hub): Shared,
    current: CurrentAgent,
    Json(request): Json<SendMessageRequest>,
) -> Result<(StatusCode, Json<Message>), Failure> {
    sending::check_text(&request.body, request.upload_ids.len())?;
    let key = request.client_key.trim();
    if key.is_empty() || key.len() > 128 {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "clientKey must be 1 to 128 characters",
        ));
    }
    let contact = hub.store.contact(request.contact_id).await?;
    hub.number(&contact.phone)?;
    let (message, created) = hub
        .store
        .create_outbound(&Outbound {
            agent_id: current.agent.id,
            contact_id: request.contact_id,
            interaction_id: request.interaction_id,
            body: &request.body,
            client_key: key,
            from_number: &hub.from_number,
            upload_ids: &request.upload_ids,
        })
        .await?;
    if created {
        tracing::info!(
            message_id = message.id,
            contact_id = message.contact_id,
            "outbound message stored"
        );
        hub.sender.enqueue(message.id);
        Ok((StatusCode::CREATED, Json(message)))
    } else {
        Ok((StatusCode::OK, Json(message)))
    }
}

/// `POST /api/messages/{id}/retry`: sends a failed or undelivered message again.
pub async fn retry_message(
    State(hub): Shared,
    current: CurrentAgent,
    Path(message_id): Path<Id>,
) -> ApiResult<Message> {
    let contact_id = hub.store.message_contact(message_id).await?;
    let contact = hub.store.contact(contact_id).await?;
    hub.number(&contact.phone)?;
    let message = hub.store.retry(current.agent.id, message_id).await?;
    tracing::info!(message_id, login = %current.agent.login, "message sent again");
    hub.sender.enqueue(message.id);
    Ok(Json(message))
}

#[derive(Debug, Deserialize)]
pub struct MediaQuery {
    /// `1`: as a download (`Content-Disposition: attachment`), for agents who may save.
    #[serde(default)]
    download: u8,
}

/// `GET /api/media/{id}`: the full-size picture.
pub async fn media_file(
    State(hub): Shared,
    current: CurrentAgent,
    Path(media_id): Path<Id>,
    Query(query): Query<MediaQuery>,
) -> Result<Response, Failure> {
    serve_media(&hub, &current, media_id, false, query.download == 1).await
}

/// `GET /api/media/{id}/thumbnail`.
pub async fn media_thumbnail(
    State(hub): Shared,
    current: CurrentAgent,
    Path(media_id): Path<Id>,
) -> Result<Response, Failure> {
    serve_media(&hub, &current, media_id, true, false).await
}

async fn serve_media(
    hub: &HubState,
    current: &CurrentAgent,
    media_id: Id,
    thumbnail: bool,
    download: bool,
) -> Result<Response, Failure> {
    use axum::http::header;
    if download && !current.agent.can_save_media {
        return Err(Failure::new(
            ErrorCode::Forbidden,
            "saving pictures needs the save-media permission",
        ));
    }
    let stored = hub.store.stored_media(media_id).await?;
    let not_ready = || Failure::new(ErrorCode::NotFound, "this picture is not available");
    let digest = stored.media.digest.as_deref().ok_or_else(not_ready)?;

    let content_type = if thumbnail {
        stored.thumbnail_type.clone().ok_or_else(not_ready)?
    } else {
        stored.media.content_type.clone()
    };
    let bytes = match hub.blobs.get(digest, thumbnail).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            tracing::error!(%digest, thumbnail, "a stored picture is missing");
            return Err(not_ready());
        }
        Err(error) => {
            tracing::error!(%error, "cannot read a stored picture");
            return Err(not_ready());
        }
    };
    let name = parley_proto::files::picture_file_name(
        stored.contact_id,
        stored.media.id,
        &stored.media.content_type,
    );
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if download { "attachment" } else { "inline" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /api/uploads`: a picture to attach to a message, as the request body with its
/// `Content-Type`. It is checked as an inbound picture is (its bytes decide what it is; a
/// decompression bomb is refused) and kept until it is sent.
pub async fn upload(
    State(hub): Shared,
    current: CurrentAgent,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<parley_proto::Upload>), Failure> {
    let max = hub
        .config
        .media
        .max_bytes
        .min(parley_proto::MAX_ATTACHMENT_BYTES);
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > max {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            format!(
                "the picture is {:.1} MB; at most {:.0} MB can be sent",
                body.len() as f64 / 1_048_576.0,
                max as f64 / 1_048_576.0
            ),
        ));
    }
    let limits = crate::media::Limits::from(&hub.config.media);
    let bytes = body.to_vec();
    let checked = tokio::task::spawn_blocking(move || {
        crate::media::process(&bytes, "", limits).map(|processed| (processed, bytes))
    })
    .await
    .map_err(|_| Failure::new(ErrorCode::Internal, "the picture could not be checked"))?;
    let (processed, bytes) = checked.map_err(|issue| {
        Failure::new(
            ErrorCode::BadRequest,
            format!(
                "this picture cannot be sent: {} (JPEG, PNG, GIF and WebP up to 5 MB can)",
                issue.describe()
            ),
        )
    })?;
    for (thumbnail, content) in [(false, &bytes), (true, &processed.thumbnail)] {
        hub.blobs
            .put(&processed.digest, thumbnail, content)
            .await
            .map_err(|error| {
                tracing::error!(%error, "cannot store an uploaded picture");
                Failure::new(ErrorCode::Internal, "the picture could not be stored")
            })?;
    }
    let mut token = [0_u8; 24];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut token);
    let token: String = token.iter().map(|byte| format!("{byte:02x}")).collect();
    let size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    let id = hub
        .store
        .create_upload(&crate::store::NewUpload {
            agent_id: current.agent.id,
            digest: &processed.digest,
            content_type: processed.content_type,
            thumbnail_type: processed.thumbnail_type,
            size,
            width: processed.width,
            height: processed.height,
            token: &token,
        })
        .await?;
    tracing::info!(upload_id = id, size, login = %current.agent.login, "picture uploaded");
    Ok((
        StatusCode::CREATED,
        Json(parley_proto::Upload {
            id,
            content_type: processed.content_type.to_owned(),
            size,
            width: processed.width,
            height: processed.height,
        }),
    ))
}

/// `GET /media/{token}`: a sent picture, for the provider to fetch (no sign-in; the token
/// is the secret, and only pictures that belong to a sent message are served).
pub async fn public_media(State(hub): Shared, Path(token): Path<String>) -> Response {
    use axum::http::header;
    let not_found = || (StatusCode::NOT_FOUND, "no such picture").into_response();
    if token.len() != 48 || !token.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return not_found();
    }
    let Ok((digest, content_type)) = hub.store.sent_upload(&token).await else {
        return not_found();
    };
    match hub.blobs.get(&digest, false).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => {
            tracing::error!(%digest, "a sent picture is missing");
            not_found()
        }
        Err(error) => {
            tracing::error!(%error, "cannot read a sent picture");
            not_found()
        }
    }
}

/// `GET /sim/media/{name}` (sim provider only): the simulated carrier's sample pictures.
pub async fn sim_media(Path(name): Path<String>) -> Response {
    use axum::http::header;
    match crate::sim::sample(&name) {
        Some((content_type, bytes)) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such sample").into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(default)]
    since: i64,
    limit: Option<u32>,
}

/// `GET /api/events?since=N&limit=M`: the backfill.
pub async fn events(
    State(hub): Shared,
    _current: CurrentAgent,
    Query(query): Query<EventsQuery>,
) -> ApiResult<Vec<Event>> {
    let limit = query.limit.unwrap_or(500).clamp(1, 5000);
    Ok(Json(hub.store.events_since(query.since, limit).await?))
}

#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    token: String,
    since: Option<i64>,
}

/// `GET /api/ws?token=T[&since=N]`: the live event stream. (Browsers cannot set headers on a
/// WebSocket, hence the token in the query; the hub never logs query strings of this path.)
pub async fn stream(
    State(hub): Shared,
    Query(query): Query<StreamQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, Failure> {
    let agent = agent_for_token(&hub, &query.token).await?;
    tracing::info!(login = %agent.login, since = ?query.since, "event stream opened");
    Ok(upgrade.on_upgrade(move |socket| async move {
        if let Err(error) = stream_events(&hub, socket, query.since).await {
            tracing::info!(login = %agent.login, %error, "event stream closed");
        }
    }))
}

#[derive(Debug, thiserror::Error)]
enum StreamError {
    #[error("socket: {0}")]
    Socket(#[from] axum::Error),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("the client went away")]
    Gone,
}

/// Sends every event after `since` (or from now on), in order, with no gap or duplicate.
///
/// The live feed is subscribed before the log is read, so an event committed meanwhile is
/// in one or the other; events at or below the last sent `seq` are skipped, and a jump in
/// `seq` (or a lagging subscriber) is filled from the log.
async fn stream_events(
    hub: &HubState,
    mut socket: WebSocket,
    since: Option<i64>,
) -> Result<(), StreamError> {
    let mut live = hub.store.subscribe();
    let mut last = match since {
        Some(since) => since,
        None => hub.store.head_seq().await?,
    };
    last = catch_up(hub, &mut socket, last).await?;
    let mut heartbeat = tokio::time::interval(Duration::from_secs(20));
    heartbeat.tick().await;
    let mut stopping = hub.stopping.clone();
    loop {
        tokio::select! {
            // The only change a hub makes is to stopping.
            _ = stopping.changed() => {
                socket.send(Frame::Close(None)).await?;
                return Ok(());
            }
            received = live.recv() => match received {
                Ok(event) if event.seq <= last => {}
                Ok(event) if event.seq == last + 1 => {
                    socket.send(Frame::Text(serde_json::to_string(&event)?.into())).await?;
                    last = event.seq;
                }
                Ok(_) | Err(RecvError::Lagged(_)) => last = catch_up(hub, &mut socket, last).await?,
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_) | Ok(Frame::Close(_))) => return Err(StreamError::Gone),
                Some(Ok(_)) => {}
            },
            _ = heartbeat.tick() => socket.send(Frame::Ping(Vec::new().into())).await?,
        }
    }
}

async fn catch_up(
    hub: &HubState,
    socket: &mut WebSocket,
    mut last: i64,
) -> Result<i64, StreamError> {
    loop {
        let batch = hub.store.events_since(last, 500).await?;
        let Some(newest) = batch.last().map(|event| event.seq) else {
            return Ok(last);
        };
        for event in &batch {
            socket
                .send(Frame::Text(serde_json::to_string(event)?.into()))
                .await?;
        }
        last = newest;
    }
}

/// `POST /api/sim/inbound` (sim provider only): a customer texts the contact center.
pub async fn sim_inbound(
    State(hub): Shared,
    Json(request): Json<SimInboundRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), Failure> {
    let from = parley_sms::normalize_e164(&request.from)
        .map_err(|error| Failure::new(ErrorCode::InvalidNumber, error.to_string()))?;
    if request.body.chars().count() > parley_proto::limits::MAX_BODY_CHARS {
        return Err(Failure::new(ErrorCode::BadRequest, "the text is too long"));
    }
    if request.body.trim().is_empty() && request.media.is_empty() {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "a text or a picture is needed",
        ));
    }
    if request.media.len() > parley_proto::limits::MAX_ATTACHMENTS {
        return Err(Failure::new(ErrorCode::BadRequest, "at most 10 pictures"));
    }
    let media: Vec<(String, String)> = request
        .media
        .iter()
        .map(|name| {
            if name.starts_with("http://") || name.starts_with("https://") {
                let claimed = match name.rsplit('.').next().unwrap_or_default() {
                    "png" => "image/png",
                    "gif" => "image/gif",
                    "webp" => "image/webp",
                    _ => "image/jpeg",
                };
                (name.clone(), claimed.to_owned())
            } else {
                let claimed = crate::sim::sample(name).map_or("image/jpeg", |(claimed, _)| claimed);
                let encoded: String =
                    url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
                (
                    format!("{}/sim/media/{encoded}", hub.public_url),
                    claimed.to_owned(),
                )
            }
        })
        .collect();
    let sid = crate::sim::new_sid();
    let outcome = hub
        .store
        .receive_inbound(&Inbound {
            provider_sid: &sid,
            from: &from,
            to: &hub.from_number,
            body: &request.body,
            media: &media,
        })
        .await?;
    hub.router.kick();
    if !media.is_empty() {
        hub.media.kick();
    }
    tracing::info!(%sid, %from, ?outcome, "simulated inbound message");
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "sid": sid }))))
}

/// `GET /api/sim/outbox` (sim provider only).
pub async fn sim_outbox(State(hub): Shared) -> ApiResult<Vec<SimOutboundMessage>> {
    Ok(Json(hub.store.sim_outbox().await?))
}
