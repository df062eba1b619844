//! The one Parley API.
//!
//! Every type that crosses a wire — hub HTTP/WebSocket, Tauri IPC — is defined here once.
//! TypeScript declarations for the UI are generated from these types with `ts-rs`
//! (`cargo test -p parley-proto export_bindings` writes `ui/src/api/generated/`), and
//! `make check-bindings` fails when the committed file is stale.
//!
//! Conventions:
//! - field names are camelCase on the wire;
//! - ids of contacts, interactions and agents are the hub's ids; a message id is unique
//!   within the host that served it (the hub, or the desktop replica, which also holds
//!   messages the hub has not seen yet);
//! - times are milliseconds since the Unix epoch (UTC).

pub mod files;
pub mod limits;
#[cfg(feature = "sqlx")]
pub mod rows;
pub mod search;

pub use limits::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, SEARCH_LIMIT};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A hub-assigned row id.
pub type Id = i64;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// An agent's status on the SMS channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AgentStatus {
    Ready,
    NotReady,
}

impl AgentStatus {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::NotReady => "notReady",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ready" => Some(Self::Ready),
            "notReady" => Some(Self::NotReady),
            _ => None,
        }
    }
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Agent,
    Supervisor,
    Admin,
}

impl Role {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "agent" => Some(Self::Agent),
            "supervisor" => Some(Self::Supervisor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// An agent account as the UI sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub id: Id,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub status: AgentStatus,
    /// Why the agent is Not Ready (a configured reason, or "Not responding" after an
    /// offer timed out).
    pub status_reason: Option<String>,
    /// Offered interactions are accepted for the agent at once.
    pub auto_answer: bool,
    /// How many interactions the agent can hold at once (offered + active).
    pub max_chats: u32,
    /// The agent may save a copy of a contact's picture to their computer.
    #[serde(default)]
    pub can_save_media: bool,
}

/// A person who texts the contact center, known by their phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: Id,
    /// E.164, e.g. `+12015550101`.
    pub phone: String,
    pub name: Option<String>,
    /// The agent who last accepted an interaction with this contact.
    pub assigned_agent_id: Option<Id>,
    pub last_activity_at: Millis,
    pub email: Option<String>,
    /// Agents' notes about the contact (not about one interaction).
    pub notes: Option<String>,
    /// The contact texted STOP (or the carrier reported them opted out): nothing is sent
    /// to them until they text START.
    #[serde(default)]
    pub opted_out: bool,
    /// Why texts may not reach this number, when the carrier or a lookup said so.
    #[serde(default)]
    pub reachability: Option<Reachability>,
}

/// Why a number may not receive SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Reachability {
    /// A landline (lookup, or carrier error 30006).
    Landline,
    /// The handset could not be reached (30003).
    Unreachable,
    /// The carrier does not know the number (30005).
    UnknownNumber,
}

impl Reachability {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Landline => "landline",
            Self::Unreachable => "unreachable",
            Self::UnknownNumber => "unknownNumber",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "landline" => Some(Self::Landline),
            "unreachable" => Some(Self::Unreachable),
            "unknownNumber" => Some(Self::UnknownNumber),
            _ => None,
        }
    }
}

/// `PUT /api/contacts/{id}`: the Contact tab's editable fields. Each replaces the stored
/// value; an empty text clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateContactRequest {
    pub name: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

/// One entry of a contact's interaction history (`GET /api/contacts/{id}/interactions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactInteraction {
    pub interaction: Interaction,
    /// The handling agent's name.
    pub agent_name: Option<String>,
}

/// Where an interaction is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum InteractionState {
    /// Waiting for a Ready agent with free capacity.
    Queued,
    /// Offered to `agentId`, waiting for Accept.
    Offered,
    /// Accepted: the agent is chatting.
    Active,
    /// Ended by the agent or the contact; the view stays open until Done.
    Ended,
    /// Closed by the agent.
    Done,
}

impl InteractionState {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Offered => "offered",
            Self::Active => "active",
            Self::Ended => "ended",
            Self::Done => "done",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(Self::Queued),
            "offered" => Some(Self::Offered),
            "active" => Some(Self::Active),
            "ended" => Some(Self::Ended),
            "done" => Some(Self::Done),
            _ => None,
        }
    }
}

/// One chat session with a contact, routed to one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Interaction {
    pub id: Id,
    pub contact_id: Id,
    pub state: InteractionState,
    /// The agent it is offered to (state `offered`) or handled by (later states).
    pub agent_id: Option<Id>,
    pub created_at: Millis,
    pub offered_at: Option<Millis>,
    pub accepted_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    /// Who ended it (the contact's side includes the hub's inactivity timeout).
    pub ended_by: Option<EndedBy>,
    pub done_at: Option<Millis>,
    /// The disposition code chosen at wrap-up (one of [`WorkspaceSettings::dispositions`]).
    pub disposition: Option<String>,
    /// The agent's note, saved with the interaction.
    pub note: Option<String>,
}

/// Who ended an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum EndedBy {
    Agent,
    /// The contact — in SMS, the hub's inactivity timeout on the contact's side.
    Contact,
}

impl EndedBy {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Contact => "contact",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "agent" => Some(Self::Agent),
            "contact" => Some(Self::Contact),
            _ => None,
        }
    }
}

/// `PUT /api/interactions/{id}/wrap-up` (save) and `POST /api/interactions/{id}/done`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WrapUpRequest {
    #[serde(default)]
    pub disposition: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/interactions`: Create SMS Interaction with a contact.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateInteractionRequest {
    /// A known contact, or `None` with `phone`.
    pub contact_id: Option<Id>,
    /// A number to text, as the agent typed it (national numbers are read in the hub's
    /// default region); the contact is created when new.
    #[serde(default)]
    #[ts(optional)]
    pub phone: Option<String>,
}

/// What the contact center configured for agents (`GET /api/settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSettings {
    /// Disposition codes an agent picks from at wrap-up.
    pub dispositions: Vec<String>,
    /// Whether Done needs a disposition.
    pub disposition_required: bool,
    /// Reasons an agent can give for Not Ready.
    pub not_ready_reasons: Vec<String>,
    /// The Standard Responses library.
    pub standard_responses: Vec<StandardResponse>,
}

/// A prepared text agents insert into the composer. `text` may hold the fields
/// `{contact.name}`, `{contact.phone}` and `{agent.name}`, filled in on insertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StandardResponse {
    pub category: String,
    pub title: String,
    pub text: String,
}

/// An agent's figures since a moment (`GET /api/me/summary?since=ms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentSummary {
    /// Interactions marked Done since then.
    pub handled: u32,
    /// Average handle time (accept → done) of those, in ms.
    pub average_handle_ms: Option<Millis>,
    /// Average chat time (accept → end), in ms.
    pub average_chat_ms: Option<Millis>,
    /// Average wrap-up time (end → done), in ms.
    pub average_wrap_up_ms: Option<Millis>,
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// From the contact to the contact center.
    Inbound,
    /// From an agent to the contact.
    Outbound,
}

impl Direction {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "inbound" => Some(Self::Inbound),
            "outbound" => Some(Self::Outbound),
            _ => None,
        }
    }
}

/// Delivery state of a message. Outbound states only move forward
/// (see [`MessageStatus::rank`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MessageStatus {
    /// Saved on the desktop, not yet accepted by the hub (offline outbox).
    Pending,
    /// Accepted by the hub, waiting to be (or being) handed to the provider.
    Queued,
    /// Handed to the carrier.
    Sent,
    /// The carrier reported delivery to the handset.
    Delivered,
    /// The carrier could not deliver it.
    Undelivered,
    /// The provider refused or failed it.
    Failed,
    /// An inbound message.
    Received,
}

impl MessageStatus {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Failed => "failed",
            Self::Received => "received",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "queued" => Some(Self::Queued),
            "sent" => Some(Self::Sent),
            "delivered" => Some(Self::Delivered),
            "undelivered" => Some(Self::Undelivered),
            "failed" => Some(Self::Failed),
            "received" => Some(Self::Received),
            _ => None,
        }
    }

    /// How far along the delivery path a status is. A status update is applied only when
    /// it moves a message forward, so late or repeated callbacks never move it back.
    #[must_use]
    pub fn rank(self) -> u8 {
        match self {
            Self::Pending => 0,
            Self::Queued => 1,
            Self::Sent => 2,
            Self::Delivered | Self::Undelivered | Self::Failed | Self::Received => 3,
        }
    }
}

/// One SMS in a contact's transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Unique within the host that served it (hub or desktop replica).
    pub id: Id,
    pub contact_id: Id,
    pub interaction_id: Option<Id>,
    pub direction: Direction,
    /// Plain text. Always rendered as text, never as HTML.
    pub body: String,
    pub status: MessageStatus,
    /// The provider's error code when `status` is `failed` or `undelivered`.
    pub error_code: Option<u32>,
    /// The agent who wrote an outbound message.
    pub agent_id: Option<Id>,
    /// The idempotency key the sending client chose for an outbound message.
    pub client_key: Option<String>,
    pub created_at: Millis,
    /// The pictures (MMS) that came with the message, in the order the provider listed them.
    #[serde(default)]
    pub media: Vec<Media>,
}

/// Where a picture of an MMS stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MediaState {
    /// Being fetched from the provider.
    Pending,
    /// Stored, with a thumbnail.
    Ready,
    /// It cannot be shown: see [`MediaIssue`]. The agent asks the contact to resend it.
    Issue,
}

impl MediaState {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::Issue => "issue",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "ready" => Some(Self::Ready),
            "issue" => Some(Self::Issue),
            _ => None,
        }
    }
}

/// Why a picture cannot be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MediaIssue {
    /// Not a picture format Parley shows (JPEG, PNG, GIF, WebP).
    UnsupportedType,
    /// Bigger than the hub accepts (bytes or pixels).
    TooLarge,
    /// The file is damaged or is not what it claims to be.
    Corrupt,
    /// The provider did not hand the file over.
    FetchFailed,
}

impl MediaIssue {
    /// The stored/wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnsupportedType => "unsupportedType",
            Self::TooLarge => "tooLarge",
            Self::Corrupt => "corrupt",
            Self::FetchFailed => "fetchFailed",
        }
    }

    /// Parses the stored/wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "unsupportedType" => Some(Self::UnsupportedType),
            "tooLarge" => Some(Self::TooLarge),
            "corrupt" => Some(Self::Corrupt),
            "fetchFailed" => Some(Self::FetchFailed),
            _ => None,
        }
    }

    /// What the agent reads in the transcript and the notification.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::UnsupportedType => "the file is not a picture format Parley can show",
            Self::TooLarge => "the file is too large",
            Self::Corrupt => "the file is damaged",
            Self::FetchFailed => "the file could not be downloaded from the carrier",
        }
    }
}

/// One picture of an MMS. The file and its thumbnail are fetched from the hub
/// (`GET /api/media/{id}`, `GET /api/media/{id}/thumbnail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    pub id: Id,
    /// 0 for `MediaUrl0`, and so on.
    pub position: u32,
    pub state: MediaState,
    pub issue: Option<MediaIssue>,
    /// What the file is (`image/jpeg`, …); the provider's claim until it is checked.
    pub content_type: String,
    /// Bytes, once fetched.
    pub size: Option<u32>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// SHA-256 of the file (hex), once fetched: the key of a client's cache.
    pub digest: Option<String>,
}

/// A contact in the Communication tab's list, with the calling agent's unread count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub contact: Contact,
    /// Inbound messages the calling agent has not read yet.
    pub unread_count: u32,
    /// The newest message's text, for the list preview.
    pub last_message: Option<String>,
}

/// What changed, in the hub's ordered event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum EventKind {
    /// A contact was created or changed.
    Contact { contact: Contact },
    /// An interaction was created or changed (queued, offered, accepted, …).
    Interaction { interaction: Interaction },
    /// A message was created or its delivery status changed.
    Message { message: Message },
    /// An agent's status or settings changed.
    Agent { agent: Agent },
}

/// One entry of the hub's event log. `seq` increases by one per event, so a client that
/// remembers the last `seq` it applied can ask for exactly what it missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub seq: i64,
    pub at: Millis,
    pub kind: EventKind,
}

/// `POST /api/login`, and the desktop's `login` command (which also names the hub).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    /// The hub's base URL; used by the desktop host only.
    #[serde(default)]
    pub hub_url: Option<String>,
    pub login: String,
    pub password: String,
}

/// The hub's answer to a login: the bearer token for every other call.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub token: String,
    pub agent: Agent,
}

/// The signed-in agent, as the UI holds it. (The desktop keeps the token in its core,
/// out of the webview.)
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub agent: Agent,
    /// The hub the session talks to (desktop) or the page's origin (browser).
    pub hub_url: String,
}

/// `PUT /api/me/status`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetStatusRequest {
    pub status: AgentStatus,
    /// A Not Ready reason from [`WorkspaceSettings::not_ready_reasons`].
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/messages`: an agent's outbound SMS.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageRequest {
    pub contact_id: Id,
    /// The interaction the message belongs to, if sent from a Chat Interaction view.
    pub interaction_id: Option<Id>,
    pub body: String,
    /// Chosen by the client once per message; the hub stores and sends a key only once.
    pub client_key: String,
    /// Pictures uploaded with `POST /api/uploads` (at most 10, 5 MB together).
    #[serde(default)]
    pub upload_ids: Vec<Id>,
}

/// A picture an agent uploaded to attach to a message (`POST /api/uploads`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub id: Id,
    pub content_type: String,
    pub size: u32,
    pub width: u32,
    pub height: u32,
}

/// The UI's message-send input (the host picks the idempotency key).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ComposeRequest {
    pub contact_id: Id,
    pub interaction_id: Option<Id>,
    pub body: String,
    /// Pictures already uploaded to the hub.
    #[serde(default)]
    #[ts(optional)]
    pub upload_ids: Option<Vec<Id>>,
}

/// One search result: a contact whose name or number matches (`message` empty), or a
/// message whose text matches, with its contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub contact: Contact,
    pub message: Option<Message>,
}

/// How much an OS (or browser) notification shows of a contact's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NotificationPrivacy {
    /// The contact's name (or number) and the text.
    #[default]
    NameAndText,
    /// The contact's name (or number) only.
    NameOnly,
    /// "New activity in Parley", nothing about the contact.
    Nothing,
}

/// The agent's notification preferences on this computer (desktop) or browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    pub privacy: NotificationPrivacy,
    /// Play the system's notification sound.
    pub sound: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            privacy: NotificationPrivacy::NameAndText,
            sound: true,
        }
    }
}

/// `POST /api/sim/inbound`: inject a customer SMS into the simulated carrier.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SimInboundRequest {
    pub from: String,
    pub body: String,
    /// Pictures: names of the simulated carrier's samples (`photo.jpg`, `bomb.png`, …; see
    /// `parley-hub simulate inbound --help`) or URLs.
    #[serde(default)]
    pub media: Vec<String>,
}

/// One message the simulated carrier was asked to send (`GET /api/sim/outbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SimOutboundMessage {
    pub sid: String,
    pub to: String,
    pub from: String,
    pub body: String,
    pub status: MessageStatus,
}

/// The desktop's link to the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionState {
    Online,
    Offline,
}

/// Small, stable error codes the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The request itself is malformed or breaks a rule (empty text, too long, …).
    BadRequest,
    /// Not signed in, or the session expired.
    Unauthorized,
    /// Signed in, but not allowed.
    Forbidden,
    NotFound,
    /// The request conflicts with the current state (e.g. accepting an offer that moved on).
    Conflict,
    /// The phone number is incorrect (not a valid number, or the provider says so).
    InvalidNumber,
    /// The contact opted out of texts (STOP); nothing is sent until they text START.
    OptedOut,
    /// The hub (or the provider behind it) cannot be reached right now.
    Unavailable,
    /// Something went wrong on our side; details are in the log.
    Internal,
}

/// The one error shape at every edge (HTTP and IPC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    /// Builds an error from its code and a message for the agent.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_internally_tagged_camel_case() {
        let event = Event {
            seq: 7,
            at: 1,
            kind: EventKind::Agent {
                agent: Agent {
                    id: 1,
                    login: "ana".into(),
                    name: "Ana".into(),
                    role: Role::Agent,
                    status: AgentStatus::NotReady,
                    status_reason: None,
                    auto_answer: false,
                    max_chats: 3,
                    can_save_media: false,
                },
            },
        };
        let json = serde_json::to_value(&event).expect("event serializes");
        assert_eq!(
            json["kind"]["type"], "agent",
            "the event kind is tagged by `type`"
        );
        assert_eq!(json["kind"]["agent"]["status"], "notReady");
        assert_eq!(json["kind"]["agent"]["maxChats"], 3, "fields are camelCase");
        let back: Event = serde_json::from_value(json).expect("event deserializes");
        assert_eq!(back, event);
    }

    #[test]
    fn stored_spellings_round_trip() {
        for status in [
            MessageStatus::Pending,
            MessageStatus::Queued,
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Undelivered,
            MessageStatus::Failed,
            MessageStatus::Received,
        ] {
            assert_eq!(MessageStatus::parse(status.as_str()), Some(status));
            let wire = serde_json::to_value(status).expect("status serializes");
            assert_eq!(wire, status.as_str(), "stored and wire spellings agree");
        }
        for state in [
            InteractionState::Queued,
            InteractionState::Offered,
            InteractionState::Active,
            InteractionState::Ended,
            InteractionState::Done,
        ] {
            assert_eq!(InteractionState::parse(state.as_str()), Some(state));
        }
        assert_eq!(AgentStatus::parse("notReady"), Some(AgentStatus::NotReady));
        assert_eq!(MessageStatus::parse("bogus"), None);
    }

    #[test]
    fn status_rank_only_moves_forward() {
        assert!(MessageStatus::Delivered.rank() > MessageStatus::Sent.rank());
        assert!(MessageStatus::Sent.rank() > MessageStatus::Queued.rank());
        assert!(MessageStatus::Queued.rank() > MessageStatus::Pending.rank());
    }
}
