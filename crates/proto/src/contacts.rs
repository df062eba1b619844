//! Contacts: who texts the contact center, what agents know of them, and search.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Id, Interaction, Message, Millis};

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

/// A contact in the Communication tab's list, with the calling agent's unread count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub contact: Contact,
    /// Inbound messages the calling agent has not read yet.
    pub unread_count: u32,
    /// The newest message's text, for the list preview.
    pub last_message: Option<String>,
    /// Who wrote the newest message when an agent did, so the preview names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub last_message_author: Option<Author>,
}

/// The agent who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Author {
    pub agent_id: Id,
    /// Their name when they wrote it.
    pub name: Option<String>,
}

/// One search result: a contact whose name or number matches (`message` empty), or a
/// message whose text matches, with its contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub contact: Contact,
    pub message: Option<Message>,
}
