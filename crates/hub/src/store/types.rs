//! What goes in and out of the store besides the wire types: requests from the webhooks,
//! the API and the workers, and rows the workers need.

use parley_proto::{
    Direction, Id, Media, MediaIssue, Message, MessageStatus, Millis, Permissions, Role,
};

/// What an agent account may do, set when it is created.
#[derive(Debug, Clone, Copy)]
pub struct AgentSettings {
    pub role: Role,
    /// Offered interactions are accepted at once.
    pub auto_answer: bool,
    /// How many interactions the agent holds at once.
    pub max_chats: u32,
    /// What the agent may do; `None`: the role's permissions.
    pub permissions: Option<Permissions>,
}

/// A contact's editable details (the Contact tab); `None` clears a field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactDetails<'a> {
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub notes: Option<&'a str>,
}

/// A read marker: the newest message of a contact an agent has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ReadMarker {
    pub contact_id: Id,
    pub last_read_message_id: Id,
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

/// An agent's outbound message.
#[derive(Debug, Clone)]
pub struct Outbound<'a> {
    pub agent_id: Id,
    /// The author's name, shown with the message.
    pub agent_name: &'a str,
    pub contact_id: Id,
    pub interaction_id: Option<Id>,
    pub body: &'a str,
    pub client_key: &'a str,
    pub from_number: &'a str,
    /// The agent's uploaded pictures to send with it.
    pub upload_ids: &'a [Id],
}

/// A message row to insert.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub contact_id: Id,
    pub interaction_id: Option<Id>,
    pub direction: Direction,
    pub body: &'a str,
    pub status: MessageStatus,
    pub agent_id: Option<Id>,
    /// The author's name (outbound).
    pub agent_name: Option<&'a str>,
    pub client_key: Option<&'a str>,
    pub provider_sid: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a str,
    pub created_at: Millis,
}

/// A message as stored, with what only the hub keeps.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub message: Message,
    pub provider_sid: Option<String>,
}

/// A picture row to insert: an inbound one waiting to be fetched, or an agent's upload.
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    pub message_id: Id,
    pub position: u32,
    pub source_url: &'a str,
    pub declared_type: &'a str,
    /// Set for an upload, which is checked and stored already.
    pub ready: Option<&'a ReadyMedia>,
    pub created_at: Millis,
}

/// A checked, stored picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyMedia {
    pub content_type: String,
    pub size: u32,
    pub width: u32,
    pub height: u32,
    pub digest: String,
    pub thumbnail_type: String,
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

/// How a media fetch ended.
#[derive(Debug, Clone)]
pub enum MediaOutcome {
    /// Stored under its digest.
    Ready(ReadyMedia),
    /// It cannot be shown.
    Issue(MediaIssue),
    /// Try again at this time.
    Retry { at: Millis },
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

/// A checked picture an agent uploads.
#[derive(Debug, Clone, Copy)]
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

/// An upload taken for a message.
#[derive(Debug, Clone)]
pub struct UploadedPicture {
    pub token: String,
    pub picture: ReadyMedia,
}

/// An outbound message the sender has to hand to the provider.
#[derive(Debug, Clone)]
pub struct PendingSend {
    pub message_id: Id,
    pub contact_id: Id,
    /// The tokens of the message's pictures (the provider fetches `/media/{token}`).
    pub media_tokens: Vec<String>,
    /// The number (or Messaging Service) it is sent from: its pace is that sender's.
    pub from: String,
    pub to: String,
    pub body: String,
    /// How many times it was handed to the provider without a clear "not taken": more
    /// than none means the provider may have it (a hub stopped mid-send).
    pub attempts: u32,
    /// When the last of those began.
    pub last_send_at: Option<Millis>,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub agent: parley_proto::Agent,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// A queued interaction as routing sees it.
#[derive(Debug, Clone)]
pub struct Queued {
    pub interaction: parley_proto::Interaction,
    /// The contact's assigned agent, offered it first when free.
    pub assigned_agent_id: Option<Id>,
    /// The agent who declined its last offer: someone else gets it when anyone else is Ready.
    pub declined_by: Option<Id>,
}

/// Which page of a contact's messages: the newest, or those just older or newer than a
/// message (keyset pages: they join without a gap or a repeat whatever arrives meanwhile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagePage {
    Newest,
    Before(Id),
    After(Id),
}

/// A page of the contact list (newest activity first): the first `limit`, or the `limit`
/// that follow a contact already shown, by its last activity and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactPage {
    pub after: Option<(Millis, Id)>,
    pub limit: u32,
}
