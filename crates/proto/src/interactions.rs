//! Interactions: one conversation with a contact, from the queue to Done, and wrap-up.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Id, Millis};

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
    /// Open it even though the agent already holds as many chats as they may (after the
    /// hub answered `atCapacity` and the agent chose to go on).
    #[serde(default)]
    #[ts(optional)]
    pub beyond_capacity: Option<bool>,
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
    /// How long an offer waits for Accept before it moves on and the agent is set Not
    /// Ready (0: it waits), for the offer's countdown.
    #[serde(default)]
    #[ts(type = "number")]
    pub offer_timeout_ms: u64,
    /// How long an app may stay offline before the agent's chats go back to the queue
    /// (0: never), so the app can warn the agent.
    #[serde(default)]
    #[ts(type = "number")]
    pub offline_grace_ms: u64,
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
