//! The hub's ordered event log, and the desktop's link to the hub.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Agent, Contact, Id, Interaction, Message, Millis};

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
    /// The agent opened a contact outside their own, on a desktop that keeps it: from
    /// this event on, that desktop's stream carries the contact's changes too.
    Followed { agent_id: Id, contact_id: Id },
    /// Something this agent may not see (another agent's contact, say): only its place in
    /// the log, so the stream stays gap-free.
    Hidden,
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

/// The desktop's link to the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionState {
    Online,
    Offline,
}

/// How much of a contact's history a desktop was given: every message from
/// `oldest_message_id` on (the newest of a long history), or all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeldHistory {
    pub contact_id: Id,
    /// `None`: the whole history; otherwise older messages are on the hub only.
    pub oldest_message_id: Option<Id>,
}

/// A desktop's starting point (`GET /api/sync/snapshot`), read in one consistent view of
/// the hub: what its agent needs, and the log position it is exact at. The desktop then
/// follows the scoped stream from `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Every event up to this one is in the snapshot.
    pub seq: i64,
    /// The history window the admin set: the snapshot holds messages this recent.
    pub window_days: u32,
    pub agents: Vec<Agent>,
    /// The agent's contacts: assigned to them, in an interaction that was theirs, or
    /// opened by them, active within the window or in an open interaction.
    pub contacts: Vec<Contact>,
    /// Those contacts' open interactions, and the agent's own within the window.
    pub interactions: Vec<Interaction>,
    /// Each contact's newest messages within the window, oldest first per contact.
    pub messages: Vec<Message>,
    pub histories: Vec<HeldHistory>,
    /// (contact, last message read) for the agent.
    pub read_markers: Vec<(Id, Id)>,
}

/// `POST /api/contacts/{id}/follow`: the contact, its newest messages, and the log
/// position from which the agent's scoped stream carries its changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Followed {
    pub seq: i64,
    pub contact: Contact,
    pub messages: Vec<Message>,
    pub history: HeldHistory,
    /// The contact's open interaction, if any.
    pub interaction: Option<Interaction>,
}
