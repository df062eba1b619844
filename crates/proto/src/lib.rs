//! The one Parley API.
//!
//! Every type that crosses a wire — hub HTTP/WebSocket, Tauri IPC — is defined here once.
//! TypeScript declarations for the UI are generated from these types with `ts-rs`:
//! `make bindings` rewrites `ui/src/api/generated/api.ts`, and the `bindings` test fails
//! when the committed file is stale. The types live in a module per part of the workspace
//! and are all re-exported here.
//!
//! Conventions:
//! - field names are camelCase on the wire;
//! - ids of contacts, interactions and agents are the hub's ids; a message id is unique
//!   within the host that served it (the hub, or the desktop replica, which also holds
//!   messages the hub has not seen yet);
//! - times are milliseconds since the Unix epoch (UTC).

mod agents;
mod carrier;
mod contacts;
mod errors;
mod events;
pub mod files;
mod interactions;
pub mod limits;
mod messages;
mod notifications;
mod policy;
#[cfg(feature = "sqlx")]
pub mod rows;
pub mod search;

pub use agents::*;
pub use carrier::*;
pub use contacts::*;
pub use errors::*;
pub use events::*;
pub use interactions::*;
pub use messages::*;
pub use notifications::*;
pub use policy::*;

pub use limits::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, SEARCH_LIMIT};

/// A hub-assigned row id.
pub type Id = i64;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

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
                    permissions: Permissions::default_for(Role::Agent),
                    disabled: false,
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
