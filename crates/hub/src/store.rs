//! The hub's authoritative store. Every SQL statement of the hub lives in this module, so a
//! PostgreSQL implementation can replace it without touching routing or the API.
//!
//! Writes that change what clients see go through a [`Change`]: the rows and the events that
//! describe them are committed in one transaction, and the events are published to live
//! subscribers only after the commit. So the event log and the data never disagree, and a
//! subscriber never hears of a change that was rolled back.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use parley_proto::{
    Agent, AgentStatus, AgentSummary, Contact, ContactSummary, Direction, EndedBy, Event,
    EventKind, Id, Interaction, InteractionState, Media, MediaIssue, MediaState, Message,
    MessageStatus, Millis, Reachability, Role, SimOutboundMessage,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use tokio::sync::broadcast;

use parley_proto::search;
use parley_proto::{ContactInteraction, SEARCH_LIMIT, SearchHit};

use crate::routing::{self, Candidate};

/// The Not Ready reason the hub gives an agent who let an offer time out.
pub const NOT_RESPONDING: &str = "Not responding";

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored value is invalid: {0}")]
    Corrupt(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(&'static str),
    /// The request breaks a rule of the contact center's configuration.
    #[error("{0}")]
    Invalid(&'static str),
    /// The contact opted out of texts.
    #[error(
        "the contact opted out of text messages (STOP); nothing can be sent until they text START"
    )]
    OptedOut,
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current time in milliseconds since the Unix epoch.
#[must_use]
pub fn now_millis() -> Millis {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

/// The hub's database and the live event feed.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    events: broadcast::Sender<Event>,
}

/// A write in progress: rows plus the events that describe them, committed together.
struct Change {
    transaction: Transaction<'static, Sqlite>,
    events: Vec<Event>,
}

impl Change {
    async fn emit(&mut self, kind: EventKind) -> Result<()> {
        let at = now_millis();
        let payload = serde_json::to_string(&kind)
            .map_err(|error| StoreError::Corrupt(format!("event does not serialize: {error}")))?;
        let name = match &kind {
            EventKind::Contact { .. } => "contact",
            EventKind::Interaction { .. } => "interaction",
            EventKind::Message { .. } => "message",
            EventKind::Agent { .. } => "agent",
        };
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO events (at, kind, payload) VALUES (?, ?, ?) RETURNING seq",
        )
        .bind(at)
        .bind(name)
        .bind(payload)
        .fetch_one(&mut *self.transaction)
        .await?;
        self.events.push(Event { seq, at, kind });
        Ok(())
    }
}

/// Builds a query from a format string whose only arguments are the column-list constants
/// below — never a value, which is always bound.
macro_rules! sql {
    ($($part:tt)*) => {
        sqlx::AssertSqlSafe(format!($($part)*))
    };
}

// ---- rows ------------------------------------------------------------------------------

const AGENT_COLUMNS: &str =
    "id, login, name, role, status, status_reason, auto_answer, max_chats, can_save_media";

#[derive(sqlx::FromRow)]
struct AgentRow {
    id: i64,
    login: String,
    name: String,
    role: String,
    status: String,
    status_reason: Option<String>,
    auto_answer: i64,
    max_chats: i64,
    can_save_media: i64,
}

impl TryFrom<AgentRow> for Agent {
    type Error = StoreError;
    fn try_from(row: AgentRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            login: row.login,
            name: row.name,
            role: Role::parse(&row.role)
                .ok_or_else(|| StoreError::Corrupt(format!("agent role {:?}", row.role)))?,
            status: AgentStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt(format!("agent status {:?}", row.status)))?,
            status_reason: row.status_reason,
            auto_answer: row.auto_answer != 0,
            max_chats: u32::try_from(row.max_chats)
                .map_err(|_| StoreError::Corrupt(format!("max_chats {}", row.max_chats)))?,
            can_save_media: row.can_save_media != 0,
        })
    }
}

const CONTACT_COLUMNS: &str = "id, phone, name, assigned_agent_id, last_activity_at, email, notes, \
     opted_out, reachability";

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: i64,
    phone: String,
    name: Option<String>,
    assigned_agent_id: Option<i64>,
    last_activity_at: i64,
    email: Option<String>,
    notes: Option<String>,
    opted_out: i64,
    reachability: Option<String>,
}

impl From<ContactRow> for Contact {
    fn from(row: ContactRow) -> Self {
        Self {
            id: row.id,
            phone: row.phone,
            name: row.name,
            assigned_agent_id: row.assigned_agent_id,
            last_activity_at: row.last_activity_at,
            email: row.email,
            notes: row.notes,
            opted_out: row.opted_out != 0,
            // A spelling this version does not know reads as "nothing known".
            reachability: row.reachability.as_deref().and_then(Reachability::parse),
        }
    }
}

const INTERACTION_COLUMNS: &str = "id, contact_id, state, agent_id, created_at, offered_at, \
     accepted_at, ended_at, ended_by, done_at, disposition, note";

#[derive(sqlx::FromRow)]
struct InteractionRow {
    id: i64,
    contact_id: i64,
    state: String,
    agent_id: Option<i64>,
    created_at: i64,
    offered_at: Option<i64>,
    accepted_at: Option<i64>,
    ended_at: Option<i64>,
    ended_by: Option<String>,
    done_at: Option<i64>,
    disposition: Option<String>,
    note: Option<String>,
}

impl TryFrom<InteractionRow> for Interaction {
    type Error = StoreError;
    fn try_from(row: InteractionRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            contact_id: row.contact_id,
            state: InteractionState::parse(&row.state)
                .ok_or_else(|| StoreError::Corrupt(format!("interaction state {:?}", row.state)))?,
            agent_id: row.agent_id,
            created_at: row.created_at,
            offered_at: row.offered_at,
            accepted_at: row.accepted_at,
            ended_at: row.ended_at,
            ended_by: match row.ended_by.as_deref() {
                None => None,
                Some(text) => Some(
                    EndedBy::parse(text)
                        .ok_or_else(|| StoreError::Corrupt(format!("ended_by {text:?}")))?,
                ),
            },
            done_at: row.done_at,
            disposition: row.disposition,
            note: row.note,
        })
    }
}

const MESSAGE_COLUMNS: &str = "id, contact_id, interaction_id, direction, body, status, \
     error_code, agent_id, client_key, created_at, provider_sid, to_number, send_started_at";

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    contact_id: i64,
    interaction_id: Option<i64>,
    direction: String,
    body: String,
    status: String,
    error_code: Option<i64>,
    agent_id: Option<i64>,
    client_key: Option<String>,
    created_at: i64,
    provider_sid: Option<String>,
    to_number: String,
    send_started_at: Option<i64>,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            contact_id: row.contact_id,
            interaction_id: row.interaction_id,
            direction: Direction::parse(&row.direction)
                .ok_or_else(|| StoreError::Corrupt(format!("direction {:?}", row.direction)))?,
            body: row.body,
            status: MessageStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt(format!("message status {:?}", row.status)))?,
            error_code: row.error_code.and_then(|code| u32::try_from(code).ok()),
            agent_id: row.agent_id,
            client_key: row.client_key,
            created_at: row.created_at,
            media: Vec::new(),
        })
    }
}

const MEDIA_COLUMNS: &str = "id, message_id, position, source_url, declared_type, content_type, \
     state, issue, size, width, height, digest, thumbnail_type, attempts, created_at";

#[derive(sqlx::FromRow)]
struct MediaRow {
    id: i64,
    message_id: i64,
    position: i64,
    source_url: String,
    declared_type: String,
    content_type: String,
    state: String,
    issue: Option<String>,
    size: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    digest: Option<String>,
    thumbnail_type: Option<String>,
    attempts: i64,
    created_at: i64,
}

impl TryFrom<&MediaRow> for Media {
    type Error = StoreError;
    fn try_from(row: &MediaRow) -> Result<Self> {
        let number = |value: Option<i64>| value.and_then(|value| u32::try_from(value).ok());
        Ok(Self {
            id: row.id,
            position: u32::try_from(row.position)
                .map_err(|_| StoreError::Corrupt(format!("media position {}", row.position)))?,
            state: MediaState::parse(&row.state)
                .ok_or_else(|| StoreError::Corrupt(format!("media state {:?}", row.state)))?,
            issue: row.issue.as_deref().and_then(MediaIssue::parse),
            content_type: row.content_type.clone(),
            size: number(row.size),
            width: number(row.width),
            height: number(row.height),
            digest: row.digest.clone(),
        })
    }
}

/// A media file the fetcher has to bring in from the provider.
#[derive(Debug, Clone)]
pub struct MediaJob {
    pub media_id: Id,
    pub message_id: Id,
    pub source_url: String,
    pub declared_type: String,
    /// Fetch attempts made so far.
    pub attempts: u32,
    /// When the message arrived: a 404 is retried only for a while after it.
    pub created_at: Millis,
}

impl From<MediaRow> for MediaJob {
    fn from(row: MediaRow) -> Self {
        Self {
            media_id: row.id,
            message_id: row.message_id,
            source_url: row.source_url,
            declared_type: row.declared_type,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            created_at: row.created_at,
        }
    }
}

/// A stored media file, for serving.
#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub media: Media,
    pub message_id: Id,
    pub contact_id: Id,
    /// The thumbnail's type (`image/jpeg` or `image/png`), once there is one.
    pub thumbnail_type: Option<String>,
}

/// How a media fetch ended.
#[derive(Debug, Clone)]
pub enum MediaOutcome {
    /// Stored on disk under `digest`.
    Ready {
        content_type: String,
        size: u32,
        width: u32,
        height: u32,
        digest: String,
        thumbnail_type: String,
    },
    /// It cannot be shown.
    Issue(MediaIssue),
    /// Try again at this time.
    Retry { at: Millis },
}

/// What an agent account may do, set when it is created.
#[derive(Debug, Clone, Copy)]
pub struct AgentSettings {
    pub role: Role,
    /// Offered interactions are accepted at once.
    pub auto_answer: bool,
    /// How many interactions the agent holds at once.
    pub max_chats: u32,
    /// May save a copy of a contact's picture.
    pub can_save_media: bool,
}

/// An outbound message the sender has to hand to the provider.
#[derive(Debug, Clone)]
pub struct PendingSend {
    pub message_id: Id,
    pub contact_id: Id,
    /// The tokens of the message's pictures (the provider fetches `/media/{token}`).
    pub media_tokens: Vec<String>,
    pub to: String,
    pub body: String,
    /// A send was started before (the hub stopped mid-send): the provider may have it.
    pub started_before: bool,
}

/// How an interaction is marked Done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Done needs a disposition (given now or saved before).
    DispositionRequired,
    /// Done with or without one.
    DispositionOptional,
}

/// What happened to an inbound webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Stored as this message.
    Stored {
        message_id: Id,
        interaction_id: Id,
        new_interaction: bool,
    },
    /// The provider message id was seen before; nothing changed.
    Duplicate { message_id: Id },
}

/// A customer's message as the provider delivered it.
#[derive(Debug, Clone)]
pub struct Inbound<'a> {
    pub provider_sid: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub body: &'a str,
    /// The MMS's files, still on the provider: (URL, claimed type).
    pub media: &'a [(String, String)],
}

/// An agent's outbound message.
#[derive(Debug, Clone)]
pub struct Outbound<'a> {
    pub agent_id: Id,
    pub contact_id: Id,
    pub interaction_id: Option<Id>,
    pub body: &'a str,
    pub client_key: &'a str,
    pub from_number: &'a str,
    /// The agent's uploaded pictures to send with it.
    pub upload_ids: &'a [Id],
}

/// A checked picture an agent uploads.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    pub agent_id: Id,
    pub digest: &'a str,
    pub content_type: &'a str,
    pub thumbnail_type: &'a str,
    pub size: u32,
    pub width: u32,
    pub height: u32,
    pub token: &'a str,
}

/// A read marker: the newest message of a contact an agent has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadMarker {
    pub contact_id: Id,
    pub last_read_message_id: Id,
}

impl Store {
    /// Opens (creating when missing) the SQLite database at `path` and runs the migrations.
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be opened or migrated.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|error| {
                StoreError::Database(sqlx::Error::Configuration(
                    format!("cannot create {}: {error}", parent.display()).into(),
                ))
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Nearly every hub write records a message the hub accepted: keep it through a
            // power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let (events, _) = broadcast::channel(4096);
        Ok(Self { pool, events })
    }

    /// Live events, published after their commit.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    async fn begin(&self) -> Result<Change> {
        // IMMEDIATE takes the write lock up front, so a read-then-write transaction never
        // fails half-way on a lock upgrade.
        let transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Change {
            transaction,
            events: Vec::new(),
        })
    }

    async fn commit(&self, change: Change) -> Result<Vec<Event>> {
        change.transaction.commit().await?;
        for event in &change.events {
            // An error only means nobody is listening right now; the log has the event.
            if self.events.send(event.clone()).is_err() {
                tracing::trace!(seq = event.seq, "no live subscriber");
            }
        }
        Ok(change.events)
    }

    // ---- agents and sessions -----------------------------------------------------------

    /// Creates an agent account.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the login is taken.
    pub async fn create_agent(
        &self,
        login: &str,
        name: &str,
        password_hash: &str,
        settings: AgentSettings,
    ) -> Result<Agent> {
        let AgentSettings {
            role,
            auto_answer,
            max_chats,
            can_save_media,
        } = settings;
        let mut change = self.begin().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM agents WHERE login = ?")
            .bind(login)
            .fetch_optional(&mut *change.transaction)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "the login {login:?} is taken"
            )));
        }
        let row: AgentRow = sqlx::query_as(sql!(
            "INSERT INTO agents (login, name, password_hash, role, auto_answer, max_chats, \
               can_save_media, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {AGENT_COLUMNS}"
        ))
        .bind(login)
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(i64::from(auto_answer))
        .bind(i64::from(max_chats))
        .bind(i64::from(can_save_media))
        .bind(now_millis())
        .fetch_one(&mut *change.transaction)
        .await?;
        let agent = Agent::try_from(row)?;
        change
            .emit(EventKind::Agent {
                agent: agent.clone(),
            })
            .await?;
        self.commit(change).await?;
        Ok(agent)
    }

    /// Looks an agent up by login, with the stored password hash.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn agent_credentials(&self, login: &str) -> Result<Option<(Agent, String)>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT password_hash, id FROM agents WHERE login = ?")
                .bind(login)
                .fetch_optional(&self.pool)
                .await?;
        let Some((hash, id)) = row else {
            return Ok(None);
        };
        Ok(Some((self.agent(id).await?, hash)))
    }

    /// An agent by id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn agent(&self, id: Id) -> Result<Agent> {
        let row: Option<AgentRow> =
            sqlx::query_as(sql!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.ok_or(StoreError::NotFound("agent"))?.try_into()
    }

    /// Stores a session token's hash.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn create_session(
        &self,
        agent_id: Id,
        token_hash: &str,
        expires_at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(agent_id)
        .bind(now_millis())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The agent a live session token belongs to.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn session_agent(&self, token_hash: &str) -> Result<Option<Agent>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT agent_id FROM sessions WHERE token_hash = ? AND expires_at > ?",
        )
        .bind(token_hash)
        .bind(now_millis())
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => Ok(Some(self.agent(id).await?)),
            None => Ok(None),
        }
    }

    /// Ends a session.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets an agent's SMS channel status. Going Not Ready puts the agent's pending offers
    /// back in the queue, so nothing waits on an agent who stepped away.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn set_agent_status(
        &self,
        agent_id: Id,
        status: AgentStatus,
        reason: Option<&str>,
    ) -> Result<Agent> {
        let mut change = self.begin().await?;
        let agent = Self::update_status(&mut change, agent_id, status, reason).await?;
        self.commit(change).await?;
        Ok(agent)
    }

    async fn update_status(
        change: &mut Change,
        agent_id: Id,
        status: AgentStatus,
        reason: Option<&str>,
    ) -> Result<Agent> {
        let reason = if status == AgentStatus::Ready {
            None
        } else {
            reason
        };
        let row: Option<AgentRow> = sqlx::query_as(sql!(
            "UPDATE agents SET status = ?, status_reason = ? WHERE id = ? RETURNING {AGENT_COLUMNS}"
        ))
        .bind(status.as_str())
        .bind(reason)
        .bind(agent_id)
        .fetch_optional(&mut *change.transaction)
        .await?;
        let agent = Agent::try_from(row.ok_or(StoreError::NotFound("agent"))?)?;
        change
            .emit(EventKind::Agent {
                agent: agent.clone(),
            })
            .await?;
        if status == AgentStatus::NotReady {
            let requeued: Vec<InteractionRow> = sqlx::query_as(sql!(
                "UPDATE interactions SET state = 'queued', agent_id = NULL, offered_at = NULL \
                 WHERE agent_id = ? AND state = 'offered' RETURNING {INTERACTION_COLUMNS}"
            ))
            .bind(agent_id)
            .fetch_all(&mut *change.transaction)
            .await?;
            for row in requeued {
                change
                    .emit(EventKind::Interaction {
                        interaction: row.try_into()?,
                    })
                    .await?;
            }
        }
        Ok(agent)
    }

    /// Offers not accepted within `timeout_ms` go back to the queue, and their agents are
    /// set Not Ready ("Not responding"), so the next routing pass offers them to someone
    /// else. Returns how many offers expired.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn expire_offers(&self, timeout_ms: i64) -> Result<usize> {
        let cutoff = now_millis() - timeout_ms;
        let mut change = self.begin().await?;
        let agents: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT agent_id FROM interactions \
             WHERE state = 'offered' AND offered_at < ? AND agent_id IS NOT NULL",
        )
        .bind(cutoff)
        .fetch_all(&mut *change.transaction)
        .await?;
        for agent_id in &agents {
            tracing::info!(agent_id, "offer not accepted in time; agent set Not Ready");
            Self::update_status(
                &mut change,
                *agent_id,
                AgentStatus::NotReady,
                Some(NOT_RESPONDING),
            )
            .await?;
        }
        self.commit(change).await?;
        Ok(agents.len())
    }

    /// Ends active interactions whose last message is older than `timeout_ms`, on the
    /// contact's side (the contact went quiet). Returns how many ended.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn end_idle(&self, timeout_ms: i64) -> Result<usize> {
        let now = now_millis();
        let cutoff = now - timeout_ms;
        let mut change = self.begin().await?;
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "UPDATE interactions SET state = 'ended', ended_at = ?, ended_by = 'contact' \
             WHERE state = 'active' AND COALESCE( \
               (SELECT MAX(m.created_at) FROM messages m WHERE m.interaction_id = interactions.id), \
               accepted_at, created_at) < ? \
             RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(now)
        .bind(cutoff)
        .fetch_all(&mut *change.transaction)
        .await?;
        let count = rows.len();
        for row in rows {
            change
                .emit(EventKind::Interaction {
                    interaction: row.try_into()?,
                })
                .await?;
        }
        self.commit(change).await?;
        Ok(count)
    }

    // ---- contacts ----------------------------------------------------------------------

    async fn contact_in(change: &mut Change, id: Id) -> Result<Contact> {
        let row: Option<ContactRow> =
            sqlx::query_as(sql!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?"))
                .bind(id)
                .fetch_optional(&mut *change.transaction)
                .await?;
        Ok(row.ok_or(StoreError::NotFound("contact"))?.into())
    }

    /// One contact.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn contact(&self, id: Id) -> Result<Contact> {
        let row: Option<ContactRow> =
            sqlx::query_as(sql!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.ok_or(StoreError::NotFound("contact"))?.into())
    }

    /// The contact with this E.164 number, created when new.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn ensure_contact(&self, phone: &str) -> Result<Contact> {
        let mut change = self.begin().await?;
        let existing: Option<ContactRow> = sqlx::query_as(sql!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE phone = ?"
        ))
        .bind(phone)
        .fetch_optional(&mut *change.transaction)
        .await?;
        let contact = match existing {
            Some(row) => row.into(),
            None => Self::touch_contact_by_phone(&mut change, phone, None, now_millis()).await?,
        };
        self.commit(change).await?;
        Ok(contact)
    }

    /// Finds or creates the contact with this E.164 number and records activity now.
    async fn touch_contact_by_phone(
        change: &mut Change,
        phone: &str,
        name: Option<&str>,
        at: Millis,
    ) -> Result<Contact> {
        let row: ContactRow = sqlx::query_as(sql!(
            "INSERT INTO contacts (phone, name, last_activity_at) VALUES (?, ?, ?) \
             ON CONFLICT (phone) DO UPDATE SET last_activity_at = MAX(last_activity_at, excluded.last_activity_at), \
             name = COALESCE(contacts.name, excluded.name) \
             RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(phone)
        .bind(name)
        .bind(at)
        .fetch_one(&mut *change.transaction)
        .await?;
        let contact = Contact::from(row);
        change
            .emit(EventKind::Contact {
                contact: contact.clone(),
            })
            .await?;
        Ok(contact)
    }

    /// Every contact, newest activity first, with `agent_id`'s unread counts.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_contacts(&self, agent_id: Id) -> Result<Vec<ContactSummary>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            contact: ContactRow,
            unread_count: i64,
            last_message: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT c.id, c.phone, c.name, c.assigned_agent_id, c.last_activity_at, c.email, c.notes, \
               c.opted_out, c.reachability, \
               (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.direction = 'inbound' \
                  AND m.id > COALESCE((SELECT r.last_read_message_id FROM read_markers r \
                                       WHERE r.agent_id = ? AND r.contact_id = c.id), 0)) AS unread_count, \
               (SELECT m.body FROM messages m WHERE m.contact_id = c.id ORDER BY m.id DESC LIMIT 1) AS last_message \
             FROM contacts c ORDER BY c.last_activity_at DESC, c.id DESC",
        )
        .bind(agent_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| ContactSummary {
                contact: row.contact.into(),
                unread_count: u32::try_from(row.unread_count).unwrap_or(u32::MAX),
                last_message: row.last_message,
            })
            .collect())
    }

    /// Marks every message of a contact read for an agent.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_read(&self, agent_id: Id, contact_id: Id) -> Result<()> {
        sqlx::query(
            "INSERT INTO read_markers (agent_id, contact_id, last_read_message_id) \
             SELECT ?, ?, COALESCE(MAX(id), 0) FROM messages WHERE contact_id = ? \
             ON CONFLICT (agent_id, contact_id) DO UPDATE \
             SET last_read_message_id = MAX(last_read_message_id, excluded.last_read_message_id)",
        )
        .bind(agent_id)
        .bind(contact_id)
        .bind(contact_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An agent's read markers.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn read_markers(&self, agent_id: Id) -> Result<Vec<ReadMarker>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT contact_id, last_read_message_id FROM read_markers WHERE agent_id = ?",
        )
        .bind(agent_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(contact_id, last_read_message_id)| ReadMarker {
                contact_id,
                last_read_message_id,
            })
            .collect())
    }

    /// Replaces a contact's editable details (name, email, notes); empty text clears one.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn update_contact(
        &self,
        contact_id: Id,
        name: Option<&str>,
        email: Option<&str>,
        notes: Option<&str>,
    ) -> Result<Contact> {
        let mut change = self.begin().await?;
        let row: Option<ContactRow> = sqlx::query_as(sql!(
            "UPDATE contacts SET name = NULLIF(TRIM(?), ''), email = NULLIF(TRIM(?), ''), notes = NULLIF(?, '') \
             WHERE id = ? RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(name)
        .bind(email)
        .bind(notes)
        .bind(contact_id)
        .fetch_optional(&mut *change.transaction)
        .await?;
        let contact = Contact::from(row.ok_or(StoreError::NotFound("contact"))?);
        change
            .emit(EventKind::Contact {
                contact: contact.clone(),
            })
            .await?;
        self.commit(change).await?;
        Ok(contact)
    }

    /// A contact's interaction history, newest first, with the handling agent's name.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn contact_interactions(&self, contact_id: Id) -> Result<Vec<ContactInteraction>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            interaction: InteractionRow,
            agent_name: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT i.id, i.contact_id, i.state, i.agent_id, i.created_at, i.offered_at, i.accepted_at, \
               i.ended_at, i.ended_by, i.done_at, i.disposition, i.note, a.name AS agent_name \
             FROM interactions i LEFT JOIN agents a ON a.id = i.agent_id \
             WHERE i.contact_id = ? ORDER BY i.id DESC",
        )
        .bind(contact_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ContactInteraction {
                    interaction: row.interaction.try_into()?,
                    agent_name: row.agent_name,
                })
            })
            .collect()
    }

    /// Marks a contact's newest inbound message unread again for an agent.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_unread(&self, agent_id: Id, contact_id: Id) -> Result<()> {
        sqlx::query(
            "INSERT INTO read_markers (agent_id, contact_id, last_read_message_id) \
             SELECT ?, ?, COALESCE(MAX(id), 1) - 1 FROM messages WHERE contact_id = ? AND direction = 'inbound' \
             ON CONFLICT (agent_id, contact_id) DO UPDATE SET last_read_message_id = excluded.last_read_message_id",
        )
        .bind(agent_id)
        .bind(contact_id)
        .bind(contact_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Searches contacts (name, number) and message text. See [`parley_proto::search`].
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn search(&self, input: &str) -> Result<Vec<SearchHit>> {
        let limit = i64::from(SEARCH_LIMIT);
        let pattern = search::like_pattern(input);
        let digits = search::phone_digits(input).map(|digits| format!("%{digits}%"));
        let contacts: Vec<ContactRow> = sqlx::query_as(sql!(
            "SELECT {CONTACT_COLUMNS} FROM contacts \
             WHERE name LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\' OR phone LIKE COALESCE(?, '') \
             ORDER BY last_activity_at DESC, id DESC LIMIT ?"
        ))
        .bind(&pattern)
        .bind(&pattern)
        .bind(digits)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut hits: Vec<SearchHit> = contacts
            .into_iter()
            .map(|row| SearchHit {
                contact: row.into(),
                message: None,
            })
            .collect();
        let Some(query) = search::fts5_query(input) else {
            return Ok(hits);
        };
        let messages: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN \
               (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) \
             ORDER BY id DESC LIMIT ?"
        ))
        .bind(query)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let messages = messages
            .into_iter()
            .map(Message::try_from)
            .collect::<Result<Vec<_>>>()?;
        // The hits' contacts in one query, not one per hit.
        let ids: Vec<Id> = messages.iter().map(|message| message.contact_id).collect();
        let ids =
            serde_json::to_string(&ids).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let contacts: Vec<ContactRow> = sqlx::query_as(sql!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id IN (SELECT value FROM json_each(?))"
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        let contacts: std::collections::HashMap<Id, Contact> = contacts
            .into_iter()
            .map(|row| (row.id, Contact::from(row)))
            .collect();
        for message in messages {
            let contact = contacts
                .get(&message.contact_id)
                .cloned()
                .ok_or(StoreError::NotFound("contact"))?;
            hits.push(SearchHit {
                contact,
                message: Some(message),
            });
        }
        Ok(hits)
    }

    // ---- messages ----------------------------------------------------------------------

    /// A contact's whole history, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_messages(&self, contact_id: Id) -> Result<Vec<Message>> {
        let rows: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE contact_id = ? ORDER BY id"
        ))
        .bind(contact_id)
        .fetch_all(&self.pool)
        .await?;
        let media: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE message_id IN \
               (SELECT id FROM messages WHERE contact_id = ?) ORDER BY message_id, position"
        ))
        .bind(contact_id)
        .fetch_all(&self.pool)
        .await?;
        let mut by_message: std::collections::HashMap<Id, Vec<Media>> =
            std::collections::HashMap::new();
        for row in &media {
            by_message
                .entry(row.message_id)
                .or_default()
                .push(Media::try_from(row)?);
        }
        rows.into_iter()
            .map(|row| {
                let mut message = Message::try_from(row)?;
                message.media = by_message.remove(&message.id).unwrap_or_default();
                Ok(message)
            })
            .collect()
    }

    /// Stores a customer's SMS — once per provider message id — and queues a new
    /// interaction when the contact has no open one.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn receive_inbound(&self, inbound: &Inbound<'_>) -> Result<InboundOutcome> {
        let now = now_millis();
        let mut change = self.begin().await?;
        let seen: Option<i64> =
            sqlx::query_scalar("SELECT id FROM messages WHERE provider_sid = ?")
                .bind(inbound.provider_sid)
                .fetch_optional(&mut *change.transaction)
                .await?;
        if let Some(message_id) = seen {
            return Ok(InboundOutcome::Duplicate { message_id });
        }
        let contact = Self::touch_contact_by_phone(&mut change, inbound.from, None, now).await?;
        // An interaction not yet Done takes the message: an ended one is reactivated for
        // its agent (asynchronous chat). After Done, a new interaction is routed.
        let open: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, state FROM interactions WHERE contact_id = ? \
             AND state IN ('queued', 'offered', 'active', 'ended') ORDER BY id DESC LIMIT 1",
        )
        .bind(contact.id)
        .fetch_optional(&mut *change.transaction)
        .await?;
        let (interaction_id, new_interaction) = match open {
            Some((id, state)) => {
                if state == "ended" {
                    Self::reactivate(&mut change, id).await?;
                }
                (id, false)
            }
            None => {
                let row: InteractionRow = sqlx::query_as(sql!(
                    "INSERT INTO interactions (contact_id, state, created_at) VALUES (?, 'queued', ?) \
                     RETURNING {INTERACTION_COLUMNS}"
                ))
                .bind(contact.id)
                .bind(now)
                .fetch_one(&mut *change.transaction)
                .await?;
                let interaction = Interaction::try_from(row)?;
                let id = interaction.id;
                change.emit(EventKind::Interaction { interaction }).await?;
                (id, true)
            }
        };
        let row: MessageRow = sqlx::query_as(sql!(
            "INSERT INTO messages (contact_id, interaction_id, direction, body, status, provider_sid, \
               from_number, to_number, created_at) \
             VALUES (?, ?, 'inbound', ?, 'received', ?, ?, ?, ?) RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(contact.id)
        .bind(interaction_id)
        .bind(inbound.body)
        .bind(inbound.provider_sid)
        .bind(inbound.from)
        .bind(inbound.to)
        .bind(now)
        .fetch_one(&mut *change.transaction)
        .await?;
        let message_id = row.id;
        for (position, (url, declared_type)) in (0_i64..).zip(inbound.media) {
            sqlx::query(
                "INSERT INTO media (message_id, position, source_url, declared_type, content_type, \
                   state, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
            )
            .bind(message_id)
            .bind(position)
            .bind(url)
            .bind(declared_type)
            .bind(declared_type)
            .bind(now)
            .execute(&mut *change.transaction)
            .await?;
        }
        // Most texts have no pictures: no need to read them back.
        let message = if inbound.media.is_empty() {
            Message::try_from(row)?
        } else {
            Self::with_media(&mut change, row).await?
        };
        Self::apply_opt_keyword(&mut change, contact.id, inbound.body).await?;
        change.emit(EventKind::Message { message }).await?;
        self.commit(change).await?;
        Ok(InboundOutcome::Stored {
            message_id,
            interaction_id,
            new_interaction,
        })
    }

    /// Stores an agent's outbound message once per client key. Returns the message and
    /// whether it was new (a repeated key returns the first message unchanged).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown contact or interaction,
    /// [`StoreError::Forbidden`] for someone else's interaction or key.
    pub async fn create_outbound(&self, outbound: &Outbound<'_>) -> Result<(Message, bool)> {
        let now = now_millis();
        let mut change = self.begin().await?;
        let existing: Option<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE client_key = ?"
        ))
        .bind(outbound.client_key)
        .fetch_optional(&mut *change.transaction)
        .await?;
        if let Some(row) = existing {
            if row.agent_id != Some(outbound.agent_id) || row.contact_id != outbound.contact_id {
                return Err(StoreError::Forbidden(
                    "this client key belongs to another message",
                ));
            }
            return Ok((row.try_into()?, false));
        }
        let contact = Self::contact_in(&mut change, outbound.contact_id).await?;
        if contact.opted_out {
            return Err(StoreError::OptedOut);
        }
        if let Some(interaction_id) = outbound.interaction_id {
            let owner: Option<(i64, Option<i64>, String)> =
                sqlx::query_as("SELECT contact_id, agent_id, state FROM interactions WHERE id = ?")
                    .bind(interaction_id)
                    .fetch_optional(&mut *change.transaction)
                    .await?;
            let (contact_id, agent_id, state) = owner.ok_or(StoreError::NotFound("interaction"))?;
            if contact_id != contact.id || agent_id != Some(outbound.agent_id) {
                return Err(StoreError::Forbidden("this interaction is not yours"));
            }
            match state.as_str() {
                "active" => {}
                // Writing into an ended interaction's conversation reactivates it.
                "ended" => Self::reactivate(&mut change, interaction_id).await?,
                "done" => {
                    return Err(StoreError::Conflict(
                        "this interaction is Done: continue from the Communication tab or create a new SMS interaction".into(),
                    ));
                }
                _ => return Err(StoreError::Conflict("accept the interaction first".into())),
            }
        }
        let row: MessageRow = sqlx::query_as(sql!(
            "INSERT INTO messages (contact_id, interaction_id, direction, body, status, agent_id, \
               client_key, from_number, to_number, created_at) \
             VALUES (?, ?, 'outbound', ?, 'queued', ?, ?, ?, ?, ?) RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(contact.id)
        .bind(outbound.interaction_id)
        .bind(outbound.body)
        .bind(outbound.agent_id)
        .bind(outbound.client_key)
        .bind(outbound.from_number)
        .bind(&contact.phone)
        .bind(now)
        .fetch_one(&mut *change.transaction)
        .await?;
        let mut total: i64 = 0;
        for (position, upload_id) in (0_i64..).zip(outbound.upload_ids) {
            let upload: Option<(String, String, String, i64, i64, i64, String)> = sqlx::query_as(
                "UPDATE uploads SET message_id = ? WHERE id = ? AND agent_id = ? AND message_id IS NULL \
                 RETURNING digest, content_type, thumbnail_type, size, width, height, token",
            )
            .bind(row.id)
            .bind(upload_id)
            .bind(outbound.agent_id)
            .fetch_optional(&mut *change.transaction)
            .await?;
            let (digest, content_type, thumbnail_type, size, width, height, token) =
                upload.ok_or(StoreError::Invalid(
                    "a picture is unknown, someone else's, or already sent; attach it again",
                ))?;
            total += size;
            sqlx::query(
                "INSERT INTO media (message_id, position, source_url, declared_type, content_type, state, \
                   size, width, height, digest, thumbnail_type, created_at) \
                 VALUES (?, ?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?, ?)",
            )
            .bind(row.id)
            .bind(position)
            .bind(format!("upload:{token}"))
            .bind(&content_type)
            .bind(&content_type)
            .bind(size)
            .bind(width)
            .bind(height)
            .bind(&digest)
            .bind(&thumbnail_type)
            .bind(now)
            .execute(&mut *change.transaction)
            .await?;
        }
        if u64::try_from(total).unwrap_or(u64::MAX) > parley_proto::MAX_ATTACHMENT_BYTES {
            return Err(StoreError::Invalid(
                "the pictures together are larger than 5 MB, the most one message can carry",
            ));
        }
        let message = Self::announce(&mut change, row).await?;
        Self::touch_contact_by_phone(&mut change, &contact.phone, None, now).await?;
        self.commit(change).await?;
        Ok((message, true))
    }

    /// Outbound messages the provider has not accepted yet, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn unsent_messages(&self) -> Result<Vec<PendingSend>> {
        let rows: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages \
             WHERE status = 'queued' AND provider_sid IS NULL AND direction = 'outbound' ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut pending = Vec::with_capacity(rows.len());
        for row in rows {
            pending.push(self.with_tokens(PendingSend::from(row)).await?);
        }
        Ok(pending)
    }

    async fn with_tokens(&self, mut pending: PendingSend) -> Result<PendingSend> {
        pending.media_tokens =
            sqlx::query_scalar("SELECT token FROM uploads WHERE message_id = ? ORDER BY id")
                .bind(pending.message_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(pending)
    }

    /// The provider's id of a message's current attempt, once the provider took it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn provider_sid(&self, message_id: Id) -> Result<Option<String>> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT provider_sid FROM messages WHERE id = ?")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await?;
        row.ok_or(StoreError::NotFound("message"))
    }

    /// The provider ids of every message (and earlier attempt) sent to `to`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn known_sids(&self, to: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT provider_sid FROM messages WHERE to_number = ? AND provider_sid IS NOT NULL \
             UNION SELECT a.provider_sid FROM message_attempts a JOIN messages m ON m.id = a.message_id \
             WHERE m.to_number = ?",
        )
        .bind(to)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Stores an agent's checked picture, not yet part of a message.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn create_upload(&self, upload: &NewUpload<'_>) -> Result<Id> {
        Ok(sqlx::query_scalar(
            "INSERT INTO uploads (agent_id, digest, content_type, thumbnail_type, size, width, height, \
               token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(upload.agent_id)
        .bind(upload.digest)
        .bind(upload.content_type)
        .bind(upload.thumbnail_type)
        .bind(i64::from(upload.size))
        .bind(i64::from(upload.width))
        .bind(i64::from(upload.height))
        .bind(upload.token)
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Forgets pictures uploaded before `before` that never went with a message, and
    /// returns the digests no picture refers to any more (their files can go).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn forget_unsent_uploads(&self, before: Millis) -> Result<Vec<String>> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let digests: Vec<String> = sqlx::query_scalar(
            "DELETE FROM uploads WHERE message_id IS NULL AND created_at < ? RETURNING digest",
        )
        .bind(before)
        .fetch_all(&mut *transaction)
        .await?;
        let mut orphans = Vec::new();
        for digest in digests {
            let used: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM uploads WHERE digest = ?) + \
                        (SELECT COUNT(*) FROM media WHERE digest = ?)",
            )
            .bind(&digest)
            .bind(&digest)
            .fetch_one(&mut *transaction)
            .await?;
            if used == 0 && !orphans.contains(&digest) {
                orphans.push(digest);
            }
        }
        transaction.commit().await?;
        Ok(orphans)
    }

    /// A sent picture by its token, for the provider: (digest, content type).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown token or a picture not sent yet.
    pub async fn sent_upload(&self, token: &str) -> Result<(String, String)> {
        sqlx::query_as(
            "SELECT digest, content_type FROM uploads WHERE token = ? AND message_id IS NOT NULL",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("picture"))
    }

    /// One outbound message to send.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn pending_send(&self, message_id: Id) -> Result<Option<PendingSend>> {
        let row: Option<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages \
             WHERE id = ? AND status = 'queued' AND provider_sid IS NULL AND direction = 'outbound'"
        ))
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.with_tokens(PendingSend::from(row)).await?)),
            None => Ok(None),
        }
    }

    /// Records that a send to the provider is about to start.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_send_started(&self, message_id: Id) -> Result<()> {
        sqlx::query("UPDATE messages SET send_started_at = ? WHERE id = ?")
            .bind(now_millis())
            .bind(message_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Applies a delivery status to an outbound message, found by our id or the provider's.
    /// Status only moves forward; a late or repeated update changes nothing. Returns the
    /// message when it changed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when neither id matches.
    pub async fn apply_status(
        &self,
        message_id: Option<Id>,
        provider_sid: &str,
        status: MessageStatus,
        error_code: Option<u32>,
    ) -> Result<Option<Message>> {
        let mut change = self.begin().await?;
        let row: Option<MessageRow> = match message_id {
            Some(id) => sqlx::query_as(sql!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ? AND direction = 'outbound' \
                 AND (provider_sid IS NULL OR provider_sid = ?) \
                 AND NOT EXISTS (SELECT 1 FROM message_attempts WHERE provider_sid = ?)"
            ))
            .bind(id)
            .bind(provider_sid)
            .bind(provider_sid)
            .fetch_optional(&mut *change.transaction)
            .await?,
            None => sqlx::query_as(sql!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE provider_sid = ? AND direction = 'outbound'"
            ))
            .bind(provider_sid)
            .fetch_optional(&mut *change.transaction)
            .await?,
        };
        let Some(row) = row else {
            // A callback about a message that was since sent again changes nothing.
            let replaced: Option<i64> = sqlx::query_scalar(
                "UPDATE message_attempts SET status = ?, error_code = COALESCE(?, error_code) \
                 WHERE provider_sid = ? RETURNING message_id",
            )
            .bind(status.as_str())
            .bind(error_code.map(i64::from))
            .bind(provider_sid)
            .fetch_optional(&mut *change.transaction)
            .await?;
            if replaced.is_some() {
                change.transaction.commit().await?;
                return Ok(None);
            }
            return Err(StoreError::NotFound("message"));
        };
        let current = MessageStatus::parse(&row.status)
            .ok_or_else(|| StoreError::Corrupt(format!("message status {:?}", row.status)))?;
        let sid_known = row.provider_sid.is_some();
        if status.rank() <= current.rank() && sid_known {
            return Ok(None);
        }
        let next = if status.rank() > current.rank() {
            status
        } else {
            current
        };
        let code = if next == status {
            error_code.map(i64::from)
        } else {
            row.error_code
        };
        let updated: MessageRow = sqlx::query_as(sql!(
            "UPDATE messages SET status = ?, error_code = ?, provider_sid = COALESCE(provider_sid, ?) \
             WHERE id = ? RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(next.as_str())
        .bind(code)
        .bind(provider_sid)
        .bind(row.id)
        .fetch_one(&mut *change.transaction)
        .await?;
        if let Some(code) = code.and_then(|code| u32::try_from(code).ok())
            && next == status
        {
            Self::learn_from_error(&mut change, updated.contact_id, code).await?;
        }
        let message = Self::announce(&mut change, updated).await?;
        self.commit(change).await?;
        Ok(Some(message))
    }

    /// Marks an outbound message failed before the provider accepted it.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn fail_unsent(&self, message_id: Id, error_code: Option<u32>) -> Result<Message> {
        let mut change = self.begin().await?;
        let row: MessageRow = sqlx::query_as(sql!(
            "UPDATE messages SET status = 'failed', error_code = ? WHERE id = ? RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(error_code.map(i64::from))
        .bind(message_id)
        .fetch_one(&mut *change.transaction)
        .await?;
        if let Some(code) = error_code {
            Self::learn_from_error(&mut change, row.contact_id, code).await?;
        }
        let message = Self::announce(&mut change, row).await?;
        self.commit(change).await?;
        Ok(message)
    }

    // ---- media, opt-outs and reachability ----------------------------------------------

    /// Emits a message, with its media, as changed; returns it for the answer.
    async fn announce(change: &mut Change, row: MessageRow) -> Result<Message> {
        let message = Self::with_media(change, row).await?;
        change
            .emit(EventKind::Message {
                message: message.clone(),
            })
            .await?;
        Ok(message)
    }

    /// A message with its media, for an event or an answer.
    async fn with_media(change: &mut Change, row: MessageRow) -> Result<Message> {
        let media: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE message_id = ? ORDER BY position"
        ))
        .bind(row.id)
        .fetch_all(&mut *change.transaction)
        .await?;
        let mut message = Message::try_from(row)?;
        message.media = media.iter().map(Media::try_from).collect::<Result<_>>()?;
        Ok(message)
    }

    /// A customer's STOP (and the other opt-out keywords) or START, as carriers honour them.
    async fn apply_opt_keyword(change: &mut Change, contact_id: Id, body: &str) -> Result<()> {
        if let Some(opted_out) = parley_sms::opt_out_keyword(body) {
            Self::set_opted_out(change, contact_id, opted_out).await?;
        }
        Ok(())
    }

    async fn set_opted_out(change: &mut Change, contact_id: Id, opted_out: bool) -> Result<()> {
        let row: Option<ContactRow> = sqlx::query_as(sql!(
            "UPDATE contacts SET opted_out = ? WHERE id = ? AND opted_out != ? \
             RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(i64::from(opted_out))
        .bind(contact_id)
        .bind(i64::from(opted_out))
        .fetch_optional(&mut *change.transaction)
        .await?;
        if let Some(row) = row {
            tracing::info!(contact_id, opted_out, "contact's opt-out changed");
            change
                .emit(EventKind::Contact {
                    contact: row.into(),
                })
                .await?;
        }
        Ok(())
    }

    async fn set_reachability(
        change: &mut Change,
        contact_id: Id,
        reachability: Option<Reachability>,
        looked_up: bool,
    ) -> Result<()> {
        let spelling = reachability.map(Reachability::as_str);
        let row: Option<ContactRow> = sqlx::query_as(sql!(
            "UPDATE contacts SET reachability = ?, \
               looked_up_at = CASE WHEN ? THEN ? ELSE looked_up_at END \
             WHERE id = ? RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(spelling)
        .bind(looked_up)
        .bind(now_millis())
        .bind(contact_id)
        .fetch_optional(&mut *change.transaction)
        .await?;
        if let Some(row) = row {
            change
                .emit(EventKind::Contact {
                    contact: row.into(),
                })
                .await?;
        }
        Ok(())
    }

    /// Marks a contact opted out of texts (or back in), as STOP and START do.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn set_contact_opted_out(&self, contact_id: Id, opted_out: bool) -> Result<()> {
        let mut change = self.begin().await?;
        Self::set_opted_out(&mut change, contact_id, opted_out).await?;
        self.commit(change).await?;
        Ok(())
    }

    /// Records what a line type lookup said about a contact's number.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn record_lookup(
        &self,
        contact_id: Id,
        reachability: Option<Reachability>,
    ) -> Result<()> {
        let mut change = self.begin().await?;
        Self::set_reachability(&mut change, contact_id, reachability, true).await?;
        self.commit(change).await?;
        Ok(())
    }

    /// Whether a contact's number still needs a line type lookup.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn needs_lookup(&self, contact_id: Id) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT phone FROM contacts WHERE id = ? AND looked_up_at IS NULL")
                .bind(contact_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Media files waiting for a fetch that is due, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn due_media(&self, now: Millis) -> Result<Vec<MediaJob>> {
        let rows: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE state = 'pending' AND next_attempt_at <= ? \
             ORDER BY id LIMIT 20"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(MediaJob::from).collect())
    }

    /// When the next pending media fetch is due, if any is waiting.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn next_media_due(&self) -> Result<Option<Millis>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM media WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Records how a media fetch ended; a final outcome re-announces the message with it.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn finish_media(&self, job: &MediaJob, outcome: &MediaOutcome) -> Result<()> {
        let mut change = self.begin().await?;
        match outcome {
            MediaOutcome::Retry { at } => {
                sqlx::query(
                    "UPDATE media SET attempts = attempts + 1, next_attempt_at = ? \
                     WHERE id = ? AND state = 'pending'",
                )
                .bind(at)
                .bind(job.media_id)
                .execute(&mut *change.transaction)
                .await?;
                change.transaction.commit().await?;
                return Ok(());
            }
            MediaOutcome::Ready {
                content_type,
                size,
                width,
                height,
                digest,
                thumbnail_type,
            } => {
                sqlx::query(
                    "UPDATE media SET state = 'ready', issue = NULL, content_type = ?, size = ?, \
                       width = ?, height = ?, digest = ?, thumbnail_type = ?, attempts = attempts + 1 \
                     WHERE id = ?",
                )
                .bind(content_type)
                .bind(i64::from(*size))
                .bind(i64::from(*width))
                .bind(i64::from(*height))
                .bind(digest)
                .bind(thumbnail_type)
                .bind(job.media_id)
                .execute(&mut *change.transaction)
                .await?;
            }
            MediaOutcome::Issue(issue) => {
                sqlx::query(
                    "UPDATE media SET state = 'issue', issue = ?, attempts = attempts + 1 WHERE id = ?",
                )
                .bind(issue.as_str())
                .bind(job.media_id)
                .execute(&mut *change.transaction)
                .await?;
            }
        }
        let row: MessageRow =
            sqlx::query_as(sql!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?"))
                .bind(job.message_id)
                .fetch_one(&mut *change.transaction)
                .await?;
        let message = Self::with_media(&mut change, row).await?;
        change.emit(EventKind::Message { message }).await?;
        self.commit(change).await?;
        Ok(())
    }

    /// A media file and what serving it needs.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn stored_media(&self, media_id: Id) -> Result<StoredMedia> {
        let row: MediaRow = sqlx::query_as(sql!("SELECT {MEDIA_COLUMNS} FROM media WHERE id = ?"))
            .bind(media_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("media"))?;
        let contact_id: i64 = sqlx::query_scalar("SELECT contact_id FROM messages WHERE id = ?")
            .bind(row.message_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(StoredMedia {
            media: Media::try_from(&row)?,
            message_id: row.message_id,
            contact_id,
            thumbnail_type: row.thumbnail_type,
        })
    }

    /// The contact a message belongs to.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn message_contact(&self, message_id: Id) -> Result<Id> {
        sqlx::query_scalar("SELECT contact_id FROM messages WHERE id = ?")
            .bind(message_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("message"))
    }

    /// Sends a failed or undelivered outbound message again: the provider gets a new
    /// message, and callbacks about the old one change nothing any more.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Conflict`] for a message that did not fail,
    /// [`StoreError::Forbidden`] for another agent's interaction.
    pub async fn retry(&self, agent_id: Id, message_id: Id) -> Result<Message> {
        let mut change = self.begin().await?;
        let row: MessageRow = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ? AND direction = 'outbound'"
        ))
        .bind(message_id)
        .fetch_optional(&mut *change.transaction)
        .await?
        .ok_or(StoreError::NotFound("message"))?;
        if !matches!(row.status.as_str(), "failed" | "undelivered") {
            return Err(StoreError::Conflict(
                "only a failed or undelivered message can be sent again".into(),
            ));
        }
        let contact = Self::contact_in(&mut change, row.contact_id).await?;
        if contact.opted_out {
            return Err(StoreError::OptedOut);
        }
        if let Some(interaction_id) = row.interaction_id {
            let owner: Option<Option<i64>> =
                sqlx::query_scalar("SELECT agent_id FROM interactions WHERE id = ?")
                    .bind(interaction_id)
                    .fetch_optional(&mut *change.transaction)
                    .await?;
            if owner.flatten().is_some_and(|owner| owner != agent_id) {
                return Err(StoreError::Forbidden("this interaction is not yours"));
            }
        }
        if let Some(sid) = &row.provider_sid {
            sqlx::query(
                "INSERT INTO message_attempts (provider_sid, message_id, status, error_code, replaced_at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(sid)
            .bind(row.id)
            .bind(&row.status)
            .bind(row.error_code)
            .bind(now_millis())
            .execute(&mut *change.transaction)
            .await?;
        }
        let updated: MessageRow = sqlx::query_as(sql!(
            "UPDATE messages SET status = 'queued', error_code = NULL, provider_sid = NULL, \
               send_started_at = NULL WHERE id = ? RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(row.id)
        .fetch_one(&mut *change.transaction)
        .await?;
        let message = Self::announce(&mut change, updated).await?;
        self.commit(change).await?;
        Ok(message)
    }

    /// What a carrier error says about the number: opted out, or not reachable by SMS.
    async fn learn_from_error(change: &mut Change, contact_id: Id, code: u32) -> Result<()> {
        match parley_sms::errors::meaning(code) {
            parley_sms::errors::Meaning::OptedOut => {
                Self::set_opted_out(change, contact_id, true).await
            }
            parley_sms::errors::Meaning::Unreachable(kind) => {
                let reachability = match kind {
                    parley_sms::errors::Unreachable::Landline => Reachability::Landline,
                    parley_sms::errors::Unreachable::Handset => Reachability::Unreachable,
                    parley_sms::errors::Unreachable::UnknownNumber => Reachability::UnknownNumber,
                };
                Self::set_reachability(change, contact_id, Some(reachability), false).await
            }
            _ => Ok(()),
        }
    }

    // ---- interactions and routing ------------------------------------------------------

    /// An agent's interactions that are not done.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_interactions(&self, agent_id: Id) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE agent_id = ? AND state IN ('offered', 'active', 'ended') ORDER BY id"
        ))
        .bind(agent_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Interaction::try_from).collect()
    }

    /// Offers every queued interaction it can to a Ready agent with free capacity, oldest
    /// first (auto-answer agents get it accepted at once). Returns how many were placed.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn route_queued(&self) -> Result<usize> {
        let now = now_millis();
        let mut change = self.begin().await?;
        let queued: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT i.id, c.assigned_agent_id FROM interactions i JOIN contacts c ON c.id = i.contact_id \
             WHERE i.state = 'queued' ORDER BY i.created_at, i.id",
        )
        .fetch_all(&mut *change.transaction)
        .await?;
        if queued.is_empty() {
            return Ok(0);
        }
        let mut candidates: Vec<Candidate> = sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "SELECT a.id, a.max_chats, a.last_offered_at, \
               (SELECT COUNT(*) FROM interactions i WHERE i.agent_id = a.id AND i.state IN ('offered', 'active')) \
             FROM agents a WHERE a.status = 'ready'",
        )
        .fetch_all(&mut *change.transaction)
        .await?
        .into_iter()
        .map(|(agent_id, max_chats, last_offered_at, load)| Candidate {
            agent_id,
            capacity: max_chats,
            load,
            last_offered_at,
        })
        .collect();
        let mut placed = 0;
        for (interaction_id, assigned_agent_id) in queued {
            let Some(index) = routing::choose(assigned_agent_id, &candidates) else {
                continue;
            };
            let candidate = &mut candidates[index];
            candidate.load += 1;
            candidate.last_offered_at = now;
            let agent_id = candidate.agent_id;
            let auto_answer: i64 = sqlx::query_scalar(
                "UPDATE agents SET last_offered_at = ? WHERE id = ? RETURNING auto_answer",
            )
            .bind(now)
            .bind(agent_id)
            .fetch_one(&mut *change.transaction)
            .await?;
            let row: InteractionRow = sqlx::query_as(sql!(
                "UPDATE interactions SET state = ?, agent_id = ?, offered_at = ?, accepted_at = ? \
                 WHERE id = ? RETURNING {INTERACTION_COLUMNS}"
            ))
            .bind(if auto_answer != 0 {
                "active"
            } else {
                "offered"
            })
            .bind(agent_id)
            .bind(now)
            .bind((auto_answer != 0).then_some(now))
            .bind(interaction_id)
            .fetch_one(&mut *change.transaction)
            .await?;
            let interaction = Interaction::try_from(row)?;
            if interaction.state == InteractionState::Active {
                Self::assign_contact(&mut change, interaction.contact_id, agent_id).await?;
            }
            change.emit(EventKind::Interaction { interaction }).await?;
            placed += 1;
        }
        self.commit(change).await?;
        Ok(placed)
    }

    async fn assign_contact(change: &mut Change, contact_id: Id, agent_id: Id) -> Result<()> {
        let row: ContactRow = sqlx::query_as(sql!(
            "UPDATE contacts SET assigned_agent_id = ? WHERE id = ? RETURNING {CONTACT_COLUMNS}"
        ))
        .bind(agent_id)
        .bind(contact_id)
        .fetch_one(&mut *change.transaction)
        .await?;
        change
            .emit(EventKind::Contact {
                contact: row.into(),
            })
            .await
    }

    /// Accepts an interaction offered to `agent_id`; the agent becomes the contact's
    /// assigned agent. Accepting twice returns the active interaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], or [`StoreError::Conflict`] when the offer moved on.
    pub async fn accept(&self, agent_id: Id, interaction_id: Id) -> Result<Interaction> {
        let mut change = self.begin().await?;
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE id = ?"
        ))
        .bind(interaction_id)
        .fetch_optional(&mut *change.transaction)
        .await?;
        let interaction = Interaction::try_from(row.ok_or(StoreError::NotFound("interaction"))?)?;
        if interaction.agent_id != Some(agent_id) {
            return Err(StoreError::Conflict(
                "this interaction is not offered to you".into(),
            ));
        }
        match interaction.state {
            InteractionState::Active => return Ok(interaction),
            InteractionState::Offered => {}
            _ => return Err(StoreError::Conflict("this offer is no longer open".into())),
        }
        let accepted = Self::activate_offer(&mut change, agent_id, interaction_id).await?;
        self.commit(change).await?;
        Ok(accepted)
    }

    async fn activate_offer(
        change: &mut Change,
        agent_id: Id,
        interaction_id: Id,
    ) -> Result<Interaction> {
        let row: InteractionRow = sqlx::query_as(sql!(
            "UPDATE interactions SET state = 'active', accepted_at = ? WHERE id = ? \
             RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(now_millis())
        .bind(interaction_id)
        .fetch_one(&mut *change.transaction)
        .await?;
        let accepted = Interaction::try_from(row)?;
        Self::assign_contact(change, accepted.contact_id, agent_id).await?;
        change
            .emit(EventKind::Interaction {
                interaction: accepted.clone(),
            })
            .await?;
        Ok(accepted)
    }

    async fn reactivate(change: &mut Change, interaction_id: Id) -> Result<()> {
        let row: InteractionRow = sqlx::query_as(sql!(
            "UPDATE interactions SET state = 'active', ended_at = NULL, ended_by = NULL \
             WHERE id = ? RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(interaction_id)
        .fetch_one(&mut *change.transaction)
        .await?;
        change
            .emit(EventKind::Interaction {
                interaction: row.try_into()?,
            })
            .await
    }

    async fn owned_interaction(
        change: &mut Change,
        agent_id: Id,
        interaction_id: Id,
    ) -> Result<Interaction> {
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE id = ?"
        ))
        .bind(interaction_id)
        .fetch_optional(&mut *change.transaction)
        .await?;
        let interaction = Interaction::try_from(row.ok_or(StoreError::NotFound("interaction"))?)?;
        if interaction.agent_id != Some(agent_id) {
            return Err(StoreError::Forbidden("this interaction is not yours"));
        }
        Ok(interaction)
    }

    /// The agent ends an active interaction; ending an ended one changes nothing.
    ///
    /// # Errors
    /// [`StoreError::Forbidden`] for someone else's, [`StoreError::Conflict`] when it is
    /// not active.
    pub async fn end_interaction(&self, agent_id: Id, interaction_id: Id) -> Result<Interaction> {
        let mut change = self.begin().await?;
        let interaction = Self::owned_interaction(&mut change, agent_id, interaction_id).await?;
        match interaction.state {
            InteractionState::Ended | InteractionState::Done => return Ok(interaction),
            InteractionState::Active => {}
            InteractionState::Queued | InteractionState::Offered => {
                return Err(StoreError::Conflict("accept the interaction first".into()));
            }
        }
        let row: InteractionRow = sqlx::query_as(sql!(
            "UPDATE interactions SET state = 'ended', ended_at = ?, ended_by = 'agent' \
             WHERE id = ? RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(now_millis())
        .bind(interaction_id)
        .fetch_one(&mut *change.transaction)
        .await?;
        let ended = Interaction::try_from(row)?;
        change
            .emit(EventKind::Interaction {
                interaction: ended.clone(),
            })
            .await?;
        self.commit(change).await?;
        Ok(ended)
    }

    /// Saves the disposition and note (a `None` leaves a field as it is). With `done`, also
    /// marks the interaction Done (ending it first if it is still active); a required
    /// disposition may have been saved earlier.
    ///
    /// # Errors
    /// [`StoreError::Forbidden`], or [`StoreError::Conflict`] when it is already Done or
    /// not yet accepted.
    pub async fn wrap_up(
        &self,
        agent_id: Id,
        interaction_id: Id,
        disposition: Option<&str>,
        note: Option<&str>,
        done: Option<Completion>,
    ) -> Result<Interaction> {
        let now = now_millis();
        let mut change = self.begin().await?;
        let interaction = Self::owned_interaction(&mut change, agent_id, interaction_id).await?;
        if done == Some(Completion::DispositionRequired)
            && disposition.is_none()
            && interaction.disposition.is_none()
        {
            return Err(StoreError::Invalid("choose a disposition before Done"));
        }
        let done = done.is_some();
        match interaction.state {
            InteractionState::Active | InteractionState::Ended => {}
            InteractionState::Done => {
                return Err(StoreError::Conflict(
                    "this interaction is already Done".into(),
                ));
            }
            InteractionState::Queued | InteractionState::Offered => {
                return Err(StoreError::Conflict("accept the interaction first".into()));
            }
        }
        let row: InteractionRow = sqlx::query_as(sql!(
            "UPDATE interactions SET disposition = COALESCE(?, disposition), note = COALESCE(?, note), \
               state = CASE WHEN ? THEN 'done' ELSE state END, \
               ended_at = CASE WHEN ? THEN COALESCE(ended_at, ?) ELSE ended_at END, \
               ended_by = CASE WHEN ? THEN COALESCE(ended_by, 'agent') ELSE ended_by END, \
               done_at = CASE WHEN ? THEN ? ELSE done_at END \
             WHERE id = ? RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(disposition)
        .bind(note)
        .bind(done)
        .bind(done)
        .bind(now)
        .bind(done)
        .bind(done)
        .bind(now)
        .bind(interaction_id)
        .fetch_one(&mut *change.transaction)
        .await?;
        let updated = Interaction::try_from(row)?;
        change
            .emit(EventKind::Interaction {
                interaction: updated.clone(),
            })
            .await?;
        self.commit(change).await?;
        Ok(updated)
    }

    /// Create SMS Interaction: an active, outbound interaction of `agent_id` with a contact,
    /// who gets the agent as assigned agent. An interaction of the agent with the contact
    /// that is not Done yet is returned instead of a second one.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], or [`StoreError::Conflict`] when the contact's open
    /// interaction belongs to someone else.
    pub async fn create_interaction(&self, agent_id: Id, contact_id: Id) -> Result<Interaction> {
        let now = now_millis();
        let mut change = self.begin().await?;
        let contact = Self::contact_in(&mut change, contact_id).await?;
        let open: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE contact_id = ? \
             AND state IN ('queued', 'offered', 'active', 'ended') ORDER BY id DESC LIMIT 1"
        ))
        .bind(contact.id)
        .fetch_optional(&mut *change.transaction)
        .await?;
        if let Some(row) = open {
            let existing = Interaction::try_from(row)?;
            if existing.agent_id != Some(agent_id) {
                return Err(StoreError::Conflict(
                    "this contact is in an interaction with another agent or in the queue".into(),
                ));
            }
            let current = match existing.state {
                InteractionState::Ended => {
                    Self::reactivate(&mut change, existing.id).await?;
                    Interaction {
                        state: InteractionState::Active,
                        ended_at: None,
                        ended_by: None,
                        ..existing
                    }
                }
                // Offered to this agent: opening it is accepting it.
                InteractionState::Offered => {
                    Self::activate_offer(&mut change, agent_id, existing.id).await?
                }
                _ => existing,
            };
            self.commit(change).await?;
            return Ok(current);
        }
        let row: InteractionRow = sqlx::query_as(sql!(
            "INSERT INTO interactions (contact_id, state, agent_id, created_at, offered_at, accepted_at) \
             VALUES (?, 'active', ?, ?, NULL, ?) RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(contact.id)
        .bind(agent_id)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *change.transaction)
        .await?;
        let created = Interaction::try_from(row)?;
        change
            .emit(EventKind::Interaction {
                interaction: created.clone(),
            })
            .await?;
        Self::assign_contact(&mut change, contact.id, agent_id).await?;
        self.commit(change).await?;
        Ok(created)
    }

    /// An agent's figures for the interactions they marked Done since `since`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn agent_summary(&self, agent_id: Id, since: Millis) -> Result<AgentSummary> {
        let (handled, handle, chat, wrap_up): (i64, Option<f64>, Option<f64>, Option<f64>) = sqlx::query_as(
            "SELECT COUNT(*), AVG(done_at - accepted_at), AVG(ended_at - accepted_at), AVG(done_at - ended_at) \
             FROM interactions WHERE agent_id = ? AND state = 'done' AND done_at >= ? \
               AND accepted_at IS NOT NULL",
        )
        .bind(agent_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "averages of i64 millisecond spans"
        )]
        let whole = |average: Option<f64>| average.map(|value| value.round() as i64);
        Ok(AgentSummary {
            handled: u32::try_from(handled).unwrap_or(u32::MAX),
            average_handle_ms: whole(handle),
            average_chat_ms: whole(chat),
            average_wrap_up_ms: whole(wrap_up),
        })
    }

    // ---- event log ---------------------------------------------------------------------

    /// Events after `since`, in order, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a payload that no longer parses.
    pub async fn events_since(&self, since: i64, limit: u32) -> Result<Vec<Event>> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT seq, at, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(seq, at, payload)| {
                let kind = serde_json::from_str(&payload).map_err(|error| {
                    StoreError::Corrupt(format!("event {seq} does not parse: {error}"))
                })?;
                Ok(Event { seq, at, kind })
            })
            .collect()
    }

    /// The newest event's sequence number (0 for an empty log).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn head_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    // ---- demo data ---------------------------------------------------------------------

    /// Imports a finished conversation (demo data, migrations from other systems): the
    /// contact, one done interaction handled by `agent_id`, and its messages.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn import_conversation(
        &self,
        phone: &str,
        name: &str,
        agent_id: Id,
        our_number: &str,
        messages: &[(Direction, &str, Millis)],
    ) -> Result<Contact> {
        let started = messages.first().map_or_else(now_millis, |(_, _, at)| *at);
        let ended = messages.last().map_or(started, |(_, _, at)| *at);
        let mut change = self.begin().await?;
        let contact = Self::touch_contact_by_phone(&mut change, phone, Some(name), ended).await?;
        let row: InteractionRow = sqlx::query_as(sql!(
            "INSERT INTO interactions (contact_id, state, agent_id, created_at, offered_at, accepted_at, ended_at, done_at) \
             VALUES (?, 'done', ?, ?, ?, ?, ?, ?) RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(contact.id)
        .bind(agent_id)
        .bind(started)
        .bind(started)
        .bind(started)
        .bind(ended)
        .bind(ended)
        .fetch_one(&mut *change.transaction)
        .await?;
        let interaction = Interaction::try_from(row)?;
        let interaction_id = interaction.id;
        change.emit(EventKind::Interaction { interaction }).await?;
        for (direction, body, at) in messages {
            let (status, from, to, agent) = match direction {
                Direction::Inbound => ("received", phone, our_number, None),
                Direction::Outbound => ("delivered", our_number, phone, Some(agent_id)),
            };
            let row: MessageRow = sqlx::query_as(sql!(
                "INSERT INTO messages (contact_id, interaction_id, direction, body, status, agent_id, \
                   from_number, to_number, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 RETURNING {MESSAGE_COLUMNS}"
            ))
            .bind(contact.id)
            .bind(interaction_id)
            .bind(direction.as_str())
            .bind(*body)
            .bind(status)
            .bind(agent)
            .bind(from)
            .bind(to)
            .bind(*at)
            .fetch_one(&mut *change.transaction)
            .await?;
            change
                .emit(EventKind::Message {
                    message: row.try_into()?,
                })
                .await?;
        }
        Self::assign_contact(&mut change, contact.id, agent_id).await?;
        self.commit(change).await?;
        Ok(contact)
    }

    /// Whether the store holds any contact yet.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn is_empty(&self) -> Result<bool> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
            .fetch_one(&self.pool)
            .await?;
        Ok(count == 0)
    }

    // ---- simulated carrier -------------------------------------------------------------

    /// Records a message the simulated carrier accepted.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sim_record(&self, sid: &str, to: &str, from: &str, body: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO sim_outbox (sid, to_number, from_number, body, status, created_at) \
             VALUES (?, ?, ?, ?, 'queued', ?)",
        )
        .bind(sid)
        .bind(to)
        .bind(from)
        .bind(body)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets the simulated carrier's status of a message.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sim_set_status(&self, sid: &str, status: MessageStatus) -> Result<()> {
        sqlx::query("UPDATE sim_outbox SET status = ? WHERE sid = ?")
            .bind(status.as_str())
            .bind(sid)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Everything the simulated carrier was asked to send, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sim_outbox(&self) -> Result<Vec<SimOutboundMessage>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT sid, to_number, from_number, body, status FROM sim_outbox ORDER BY created_at, sid",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(sid, to, from, body, status)| {
                Ok(SimOutboundMessage {
                    status: MessageStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("sim status {status:?}")))?,
                    sid,
                    to,
                    from,
                    body,
                })
            })
            .collect()
    }
}

impl From<MessageRow> for PendingSend {
    fn from(row: MessageRow) -> Self {
        Self {
            message_id: row.id,
            contact_id: row.contact_id,
            media_tokens: Vec::new(),
            to: row.to_number,
            body: row.body,
            started_before: row.send_started_at.is_some(),
        }
    }
}
