//! The hub's ordered event log, and the desktop's link to the hub.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Agent, Contact, Interaction, Message, Millis};

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
