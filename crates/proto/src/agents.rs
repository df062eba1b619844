//! Agents: accounts, their status on the SMS channel, signing in, and their figures.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Id, Millis};

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
    /// What the agent may do besides handling their own interactions.
    pub permissions: Permissions,
    /// The account cannot sign in (an admin disabled it).
    #[serde(default)]
    pub disabled: bool,
}

/// What an account may do besides handling its own interactions. Each role has defaults
/// (an admin can change them for the role); an admin can also set them per agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    /// Save a copy of a contact's picture to the computer (and open it outside the app).
    pub save_media: bool,
    /// See every contact and its history; without it, only the contacts assigned to the
    /// agent or in an interaction of theirs.
    pub all_contacts: bool,
    /// Change a contact's details (the Contact tab).
    pub edit_contacts: bool,
    /// Text a contact outside an interaction of their own (Write a Message).
    pub text_outside_interaction: bool,
}

impl Permissions {
    /// Every permission.
    pub const ALL: Self = Self {
        save_media: true,
        all_contacts: true,
        edit_contacts: true,
        text_outside_interaction: true,
    };

    /// A role's permissions until an admin changes them: agents see and edit every
    /// contact and may write outside an interaction, but not save pictures; supervisors
    /// and admins may do everything.
    #[must_use]
    pub fn default_for(role: Role) -> Self {
        match role {
            Role::Agent => Self {
                save_media: false,
                ..Self::ALL
            },
            Role::Supervisor | Role::Admin => Self::ALL,
        }
    }
}

/// `PUT /api/agents/{id}/password` (admins).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetPasswordRequest {
    pub password: String,
}

/// `POST /api/agents/{id}/revoke-sessions` (admins): how many sessions ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevokedSessions {
    pub revoked: u64,
}

/// A role and what its agents may do (`GET /api/roles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RolePermissions {
    pub role: Role,
    pub permissions: Permissions,
}

/// `PUT /api/agents/{id}` (admins): what changes on an account; absent fields stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAgentRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub permissions: Option<Permissions>,
    #[serde(default)]
    pub auto_answer: Option<bool>,
    #[serde(default)]
    pub max_chats: Option<u32>,
}

/// An agent's figures since a moment (`GET /api/me/summary?since=ms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentSummary {
    /// Conversations handled since then: interactions marked Done in which a message was
    /// written (one opened and closed without a text does not count).
    pub handled: u32,
    /// Average handle time (accept → done) of those, in ms.
    pub average_handle_ms: Option<Millis>,
    /// Average chat time (accept → end), in ms.
    pub average_chat_ms: Option<Millis>,
    /// Average wrap-up time (end → done), in ms.
    pub average_wrap_up_ms: Option<Millis>,
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
    /// Keep the session in the OS keychain for the next start (desktop only, when the
    /// admin's policy allows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stay_signed_in: Option<bool>,
}

/// The hub's answer to a login: the bearer token for every other call.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub token: String,
    pub agent: Agent,
    /// When the session ends however it is used (its lifetime): the app warns before, since
    /// the agent's chats go back to the queue then unless they sign in again.
    #[serde(default)]
    pub session_ends_at: Millis,
}

/// `POST /api/ws/ticket`: a single-use ticket that opens the event stream
/// (`GET /api/ws?ticket=…`), so the session's token never travels in a URL. It opens one
/// stream, within seconds.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamTicket {
    pub ticket: String,
    pub expires_at: Millis,
}

/// The signed-in agent, as the UI holds it. (The desktop keeps the token in its core,
/// out of the webview.)
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub agent: Agent,
    /// The hub the session talks to (desktop) or the page's origin (browser).
    pub hub_url: String,
    /// When the session ends (see [`LoginResponse::session_ends_at`]), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub session_ends_at: Option<Millis>,
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
