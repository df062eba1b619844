//! Rows as both engines return them, and how each becomes a domain type. A value that does
//! not read back (an unknown spelling, a negative count) is [`StoreError::Corrupt`], never
//! a panic and never silently dropped.

use parley_proto::{
    Agent, AgentStatus, Contact, Direction, EndedBy, Interaction, InteractionState, Media,
    MediaIssue, MediaState, Message, MessageStatus, Reachability, Role,
};

use super::types::{MediaJob, PendingSend, ReadyMedia, StoredMedia, StoredMessage};
use super::{Result, StoreError};

fn corrupt(what: &str, value: impl std::fmt::Debug) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn parsed<T>(what: &str, text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(text).ok_or_else(|| corrupt(what, text))
}

fn optional<T>(
    what: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    text.map(|text| parsed(what, text, parse)).transpose()
}

fn unsigned(what: &str, value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|_| corrupt(what, value))
}

fn optional_unsigned(what: &str, value: Option<i64>) -> Result<Option<u32>> {
    value.map(|value| unsigned(what, value)).transpose()
}

/// Columns of [`AgentRow`].
pub(crate) const AGENT_COLUMNS: &str =
    "id, login, name, role, status, status_reason, auto_answer, max_chats, can_save_media";

#[derive(sqlx::FromRow)]
pub(crate) struct AgentRow {
    id: i64,
    login: String,
    name: String,
    role: String,
    status: String,
    status_reason: Option<String>,
    auto_answer: bool,
    max_chats: i64,
    can_save_media: bool,
}

impl TryFrom<AgentRow> for Agent {
    type Error = StoreError;
    fn try_from(row: AgentRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            login: row.login,
            name: row.name,
            role: parsed("agent role", &row.role, Role::parse)?,
            status: parsed("agent status", &row.status, AgentStatus::parse)?,
            status_reason: row.status_reason,
            auto_answer: row.auto_answer,
            max_chats: unsigned("max_chats", row.max_chats)?,
            can_save_media: row.can_save_media,
        })
    }
}

/// Columns of [`ContactRow`].
pub(crate) const CONTACT_COLUMNS: &str = "id, phone, name, assigned_agent_id, last_activity_at, \
     email, notes, opted_out, reachability";

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: i64,
    phone: String,
    name: Option<String>,
    assigned_agent_id: Option<i64>,
    last_activity_at: i64,
    email: Option<String>,
    notes: Option<String>,
    opted_out: bool,
    reachability: Option<String>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(row: ContactRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            phone: row.phone,
            name: row.name,
            assigned_agent_id: row.assigned_agent_id,
            last_activity_at: row.last_activity_at,
            email: row.email,
            notes: row.notes,
            opted_out: row.opted_out,
            reachability: optional(
                "reachability",
                row.reachability.as_deref(),
                Reachability::parse,
            )?,
        })
    }
}

/// Columns of [`InteractionRow`].
pub(crate) const INTERACTION_COLUMNS: &str = "id, contact_id, state, agent_id, created_at, \
     offered_at, accepted_at, ended_at, ended_by, done_at, disposition, note";

#[derive(sqlx::FromRow)]
pub(crate) struct InteractionRow {
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
            state: parsed("interaction state", &row.state, InteractionState::parse)?,
            agent_id: row.agent_id,
            created_at: row.created_at,
            offered_at: row.offered_at,
            accepted_at: row.accepted_at,
            ended_at: row.ended_at,
            ended_by: optional("ended_by", row.ended_by.as_deref(), EndedBy::parse)?,
            done_at: row.done_at,
            disposition: row.disposition,
            note: row.note,
        })
    }
}

/// Columns of [`MessageRow`].
pub(crate) const MESSAGE_COLUMNS: &str = "id, contact_id, interaction_id, direction, body, \
     status, error_code, agent_id, client_key, created_at, provider_sid, to_number, \
     send_started_at";

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
    client_key: Option<String>,
    created_at: i64,
    provider_sid: Option<String>,
    to_number: String,
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
            to: row.to_number,
            body: row.body,
            started_before: row.send_started_at.is_some(),
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
            issue: optional("media issue", row.issue.as_deref(), MediaIssue::parse)?,
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

/// A contact's interaction with the handling agent's name.
#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    #[sqlx(flatten)]
    interaction: InteractionRow,
    agent_name: Option<String>,
}

impl TryFrom<HistoryRow> for parley_proto::ContactInteraction {
    type Error = StoreError;
    fn try_from(row: HistoryRow) -> Result<Self> {
        Ok(Self {
            interaction: row.interaction.try_into()?,
            agent_name: row.agent_name,
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
}

impl TryFrom<SummaryRow> for parley_proto::ContactSummary {
    type Error = StoreError;
    fn try_from(row: SummaryRow) -> Result<Self> {
        Ok(Self {
            contact: row.contact.try_into()?,
            unread_count: unsigned("unread count", row.unread_count)?,
            last_message: row.last_message,
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
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// A row, if any, into a domain value.
pub(crate) fn one<R, T>(row: Option<R>) -> Result<Option<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    row.map(T::try_from).transpose()
}

/// [`INTERACTION_COLUMNS`] of a table aliased `i`.
pub(crate) const INTERACTION_COLUMNS_OF_I: &str = "i.id, i.contact_id, i.state, i.agent_id, \
     i.created_at, i.offered_at, i.accepted_at, i.ended_at, i.ended_by, i.done_at, \
     i.disposition, i.note";

/// An interaction with its contact's assigned agent (routing).
#[derive(sqlx::FromRow)]
pub(crate) struct QueuedRow {
    #[sqlx(flatten)]
    interaction: InteractionRow,
    assigned_agent_id: Option<i64>,
}

impl TryFrom<QueuedRow> for (Interaction, Option<i64>) {
    type Error = StoreError;
    fn try_from(row: QueuedRow) -> Result<Self> {
        Ok((row.interaction.try_into()?, row.assigned_agent_id))
    }
}
