//! What OS and browser notifications show.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
