//! Rows as both engines return them, and how each becomes a domain type. A value that does
//! not read back (an unknown spelling, a negative count) is [`StoreError::Corrupt`], never
//! a panic and never silently dropped.

pub(crate) use parley_proto::rows::{
    AGENT_COLUMNS, AgentRow, CONTACT_COLUMNS, ContactRow, HistoryRow, INTERACTION_COLUMNS,
    INTERACTION_COLUMNS_OF_I, InteractionRow,
};
use parley_proto::rows::{
    RowError, optional_spelling, optional_unsigned, spelling as parsed, unsigned,
};
use parley_proto::{Direction, Media, MediaIssue, MediaState, Message, MessageStatus};

use super::types::{MediaJob, PendingSend, ReadyMedia, StoredMedia, StoredMessage};
use super::{Result, StoreError};

impl From<RowError> for StoreError {
    fn from(error: RowError) -> Self {
        match error {
            RowError::Database(error) => Self::Database(error),
            RowError::Corrupt(what) => Self::Corrupt(what),
        }
    }
}

/// Columns of [`MessageRow`].
pub(crate) const MESSAGE_COLUMNS: &str = "id, contact_id, interaction_id, direction, body, \
     status, error_code, agent_id, agent_name, client_key, created_at, provider_sid, from_number, to_number, \
     send_attempts, send_started_at";

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: i64,
    contact_id: i64,
    interaction_id: Option<i64>,
    direction: String,
    body: String,
    status: String,
    error_code: Option<i64>,
    agent_id: Option<i64>,
    agent_name: Option<String>,
    client_key: Option<String>,
    created_at: i64,
    provider_sid: Option<String>,
    from_number: String,
    to_number: String,
    send_attempts: i64,
    send_started_at: Option<i64>,
}

impl MessageRow {
    fn message(&self) -> Result<Message> {
        Ok(Message {
            id: self.id,
            contact_id: self.contact_id,
            interaction_id: self.interaction_id,
            direction: parsed("direction", &self.direction, Direction::parse)?,
            body: self.body.clone(),
            status: parsed("message status", &self.status, MessageStatus::parse)?,
            error_code: optional_unsigned("error_code", self.error_code)?,
            agent_id: self.agent_id,
            agent_name: self.agent_name.clone(),
            client_key: self.client_key.clone(),
            created_at: self.created_at,
            media: Vec::new(),
        })
    }
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Self> {
        row.message()
    }
}

impl TryFrom<MessageRow> for StoredMessage {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Self> {
        Ok(Self {
            message: row.message()?,
            provider_sid: row.provider_sid,
        })
    }
}

impl TryFrom<MessageRow> for PendingSend {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Self> {
        Ok(Self {
            message_id: row.id,
            contact_id: row.contact_id,
            media_tokens: Vec::new(),
            from: row.from_number,
            to: row.to_number,
            body: row.body,
            attempts: u32::try_from(row.send_attempts)
                .map_err(|_| StoreError::Corrupt("send_attempts".into()))?,
            last_send_at: row.send_started_at,
        })
    }
}

/// Columns of [`MediaRow`].
pub(crate) const MEDIA_COLUMNS: &str = "id, message_id, position, source_url, declared_type, \
     content_type, state, issue, size, width, height, digest, thumbnail_type, attempts, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct MediaRow {
    id: i64,
    pub(crate) message_id: i64,
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
        Ok(Self {
            id: row.id,
            position: unsigned("media position", row.position)?,
            state: parsed("media state", &row.state, MediaState::parse)?,
            issue: optional_spelling("media issue", row.issue.as_deref(), MediaIssue::parse)?,
            content_type: row.content_type.clone(),
            size: optional_unsigned("media size", row.size)?,
            width: optional_unsigned("media width", row.width)?,
            height: optional_unsigned("media height", row.height)?,
            digest: row.digest.clone(),
        })
    }
}

impl TryFrom<MediaRow> for MediaJob {
    type Error = StoreError;
    fn try_from(row: MediaRow) -> Result<Self> {
        Ok(Self {
            media_id: row.id,
            message_id: row.message_id,
            attempts: unsigned("media attempts", row.attempts)?,
            source_url: row.source_url,
            declared_type: row.declared_type,
            created_at: row.created_at,
        })
    }
}

/// A media row with its message's contact.
#[derive(sqlx::FromRow)]
pub(crate) struct StoredMediaRow {
    #[sqlx(flatten)]
    media: MediaRow,
    contact_id: i64,
}

impl TryFrom<StoredMediaRow> for StoredMedia {
    type Error = StoreError;
    fn try_from(row: StoredMediaRow) -> Result<Self> {
        Ok(Self {
            media: Media::try_from(&row.media)?,
            message_id: row.media.message_id,
            contact_id: row.contact_id,
            thumbnail_type: row.media.thumbnail_type,
        })
    }
}

/// An upload as taken for a message.
#[derive(sqlx::FromRow)]
pub(crate) struct UploadRow {
    token: String,
    digest: String,
    content_type: String,
    thumbnail_type: String,
    size: i64,
    width: i64,
    height: i64,
}

/// Columns of [`UploadRow`].
pub(crate) const UPLOAD_COLUMNS: &str =
    "token, digest, content_type, thumbnail_type, size, width, height";

impl TryFrom<UploadRow> for super::types::UploadedPicture {
    type Error = StoreError;
    fn try_from(row: UploadRow) -> Result<Self> {
        Ok(Self {
            token: row.token,
            picture: ReadyMedia {
                content_type: row.content_type,
                size: unsigned("upload size", row.size)?,
                width: unsigned("upload width", row.width)?,
                height: unsigned("upload height", row.height)?,
                digest: row.digest,
                thumbnail_type: row.thumbnail_type,
            },
        })
    }
}

/// A contact with an agent's unread count and its last message.
#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    unread_count: i64,
    last_message: Option<String>,
    last_agent_id: Option<i64>,
    last_agent_name: Option<String>,
}

impl TryFrom<SummaryRow> for parley_proto::ContactSummary {
    type Error = StoreError;
    fn try_from(row: SummaryRow) -> Result<Self> {
        Ok(Self {
            contact: row.contact.try_into()?,
            unread_count: unsigned("unread count", row.unread_count)?,
            last_message: row.last_message,
            last_message_author: row.last_agent_id.map(|agent_id| parley_proto::Author {
                agent_id,
                name: row.last_agent_name,
            }),
        })
    }
}

/// An event as logged: the payload is the wire `EventKind` as JSON.
#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    at: i64,
    payload: String,
}

impl TryFrom<EventRow> for parley_proto::Event {
    type Error = StoreError;
    fn try_from(row: EventRow) -> Result<Self> {
        let kind = serde_json::from_str(&row.payload).map_err(|error| {
            StoreError::Corrupt(format!("event {} does not parse: {error}", row.seq))
        })?;
        Ok(Self {
            seq: row.seq,
            at: row.at,
            kind,
        })
    }
}

/// The stored name of an event's kind, and its payload.
pub(crate) fn event_payload(kind: &parley_proto::EventKind) -> Result<(&'static str, String)> {
    use parley_proto::EventKind;
    let name = match kind {
        EventKind::Contact { .. } => "contact",
        EventKind::Interaction { .. } => "interaction",
        EventKind::Message { .. } => "message",
        EventKind::Agent { .. } => "agent",
        EventKind::Followed { .. } => "followed",
        EventKind::Hidden => "hidden",
    };
    let payload = serde_json::to_string(kind)
        .map_err(|error| StoreError::Corrupt(format!("event does not serialize: {error}")))?;
    Ok((name, payload))
}

/// An outbox row of the simulated carrier.
#[derive(sqlx::FromRow)]
pub(crate) struct SimRow {
    sid: String,
    to_number: String,
    from_number: String,
    body: String,
    status: String,
}

impl TryFrom<SimRow> for parley_proto::SimOutboundMessage {
    type Error = StoreError;
    fn try_from(row: SimRow) -> Result<Self> {
        Ok(Self {
            status: parsed("sim status", &row.status, MessageStatus::parse)?,
            sid: row.sid,
            to: row.to_number,
            from: row.from_number,
            body: row.body,
        })
    }
}

/// Rows into domain values, failing on the first bad one.
pub(crate) fn all<R, T>(rows: Vec<R>) -> Result<Vec<T>>
where
    T: TryFrom<R>,
    StoreError: From<T::Error>,
{
    rows.into_iter()
        .map(|row| T::try_from(row).map_err(StoreError::from))
        .collect()
}

/// A row, if any, into a domain value.
pub(crate) fn one<R, T>(row: Option<R>) -> Result<Option<T>>
where
    T: TryFrom<R>,
    StoreError: From<T::Error>,
{
    row.map(|row| T::try_from(row).map_err(StoreError::from))
        .transpose()
}

/// An interaction with its contact's assigned agent (routing).
#[derive(sqlx::FromRow)]
pub(crate) struct QueuedRow {
    #[sqlx(flatten)]
    interaction: InteractionRow,
    assigned_agent_id: Option<i64>,
    declined_by: Option<i64>,
}

impl TryFrom<QueuedRow> for super::types::Queued {
    type Error = StoreError;
    fn try_from(row: QueuedRow) -> Result<Self> {
        Ok(Self {
            interaction: row.interaction.try_into()?,
            assigned_agent_id: row.assigned_agent_id,
            declined_by: row.declined_by,
        })
    }
}

/// An agent with the stored password hash (sign-in).
#[derive(sqlx::FromRow)]
pub(crate) struct CredentialsRow {
    #[sqlx(flatten)]
    agent: AgentRow,
    password_hash: String,
}

impl TryFrom<CredentialsRow> for (parley_proto::Agent, String) {
    type Error = StoreError;
    fn try_from(row: CredentialsRow) -> Result<Self> {
        Ok((row.agent.try_into()?, row.password_hash))
    }
}

/// A live session: its agent, and when it began and ends.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    #[sqlx(flatten)]
    agent: AgentRow,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<SessionRow> for crate::store::types::Session {
    type Error = StoreError;
    fn try_from(row: SessionRow) -> Result<Self> {
        Ok(Self {
            agent: row.agent.try_into()?,
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }
}

/// A Ready agent as routing sees it, and whether they answer automatically.
#[derive(sqlx::FromRow)]
pub(crate) struct ReadyRow {
    id: i64,
    max_chats: i64,
    last_offered_at: i64,
    load: i64,
    auto_answer: bool,
}

impl From<ReadyRow> for (crate::rules::routing::Candidate, bool) {
    fn from(row: ReadyRow) -> Self {
        (
            crate::rules::routing::Candidate {
                agent_id: row.id,
                capacity: row.max_chats,
                load: row.load,
                last_offered_at: row.last_offered_at,
            },
            row.auto_answer,
        )
    }
}
