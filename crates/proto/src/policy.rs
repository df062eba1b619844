//! What the admin decided for a desktop (its policy file), as the UI shows it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::NotificationPrivacy;

/// The desktop policy in force: what the sign-in screen and the settings show as set by
/// the admin. The browser has none: every field is its default there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DesktopPolicy {
    /// The hub the admin set: filled in on the sign-in screen.
    pub hub_url: Option<String>,
    /// Agents cannot sign in to another hub.
    pub hub_url_locked: bool,
    /// Plain `http://` hubs on other computers are allowed.
    pub allow_plain_http: bool,
    /// What notifications show unless the agent chose otherwise (or always, when locked).
    pub notification_privacy: Option<NotificationPrivacy>,
    /// Agents cannot change what notifications show.
    pub notification_privacy_locked: bool,
    /// The app starts when the agent logs in to the computer (`None`: the agent decides).
    pub start_at_login: Option<bool>,
    /// Agents may choose "Stay signed in" (the session is kept in the OS keychain).
    pub allow_stay_signed_in: bool,
    /// The policy file read (`None` when there is none).
    pub path: Option<String>,
    /// Why the policy file was not applied (then the safe defaults are in force).
    pub problem: Option<String>,
}
