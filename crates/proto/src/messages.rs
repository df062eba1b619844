//! Messages and their pictures, and what agents send.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Id, Millis};

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

/// Which page of a contact's transcript to read: the newest `limit` messages, or the
/// `limit` just older than message `before` or just newer than message `after`. Pages
/// come oldest first and join without a gap or a repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MessagePageRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub before: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub after: Option<Id>,
    /// 1–500.
    pub limit: u32,
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
    /// That agent's name when they wrote it, shown with the message wherever it appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub agent_name: Option<String>,
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

    /// What the agent can do about it: one sentence that fits the issue.
    #[must_use]
    pub fn advice(self) -> &'static str {
        match self {
            Self::UnsupportedType => {
                "Ask them to send it as a JPEG, PNG, GIF or WebP picture (a screenshot of it will do)."
            }
            Self::TooLarge => "Ask them to send a smaller copy, such as a screenshot of it.",
            Self::Corrupt => "Ask them to send it again.",
            Self::FetchFailed => "Ask them to send it again in a few minutes.",
        }
    }
}

impl Media {
    /// Which picture this is, for a notice: "Picture 2 of 3 (image/heic, 1.2 MB)".
    #[must_use]
    pub fn label(&self, count: usize) -> String {
        let mut facts = vec![self.content_type.clone()];
        if let Some(size) = self.size {
            facts.push(if size >= 1_048_576 {
                format!("{:.1} MB", f64::from(size) / 1_048_576.0)
            } else {
                format!("{} KB", size.div_ceil(1024))
            });
        }
        let facts = facts
            .into_iter()
            .filter(|fact| !fact.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let name = if count > 1 {
            format!("Picture {} of {count}", self.position + 1)
        } else {
            "The picture".to_owned()
        };
        if facts.is_empty() {
            name
        } else {
            format!("{name} ({facts})")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(position: u32, content_type: &str, size: Option<u32>) -> Media {
        Media {
            id: 1,
            position,
            state: MediaState::Issue,
            issue: Some(MediaIssue::UnsupportedType),
            content_type: content_type.to_owned(),
            size,
            width: None,
            height: None,
            digest: None,
        }
    }

    #[test]
    fn a_picture_is_named_by_its_place_type_and_size() {
        assert_eq!(
            picture(1, "image/heic", Some(1_258_291)).label(3),
            "Picture 2 of 3 (image/heic, 1.2 MB)"
        );
        assert_eq!(
            picture(0, "image/png", Some(2_000)).label(1),
            "The picture (image/png, 2 KB)"
        );
        assert_eq!(picture(0, "", None).label(2), "Picture 1 of 2");
    }

    #[test]
    fn the_advice_fits_the_issue() {
        assert!(!MediaIssue::FetchFailed.advice().contains("format"));
        assert!(MediaIssue::FetchFailed.advice().contains("again"));
        assert!(MediaIssue::UnsupportedType.advice().contains("JPEG"));
        assert!(MediaIssue::TooLarge.advice().contains("smaller"));
    }
}
