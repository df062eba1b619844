//! Scoped sync: what a desktop starts from, and how long the event log is kept.

use serde::Deserialize;

use crate::store::SnapshotLimits;

/// The `[sync]` section.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// The history a desktop keeps: its agent's contacts active this many days back, with
    /// their messages of those days (older history is fetched when opened).
    pub window_days: u32,
    /// At most this many contacts in a desktop's snapshot, the most recently active.
    pub snapshot_contacts: u32,
    /// At most this many of each contact's newest messages in a snapshot.
    pub snapshot_messages_per_contact: u32,
    /// Events older than this many days are deleted from the log (0: kept forever). A
    /// desktop whose cursor was pruned starts again from a snapshot.
    pub event_retention_days: u32,
    /// A desktop further behind than this many events takes a snapshot instead of
    /// replaying them.
    pub replay_limit: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            window_days: 90,
            snapshot_contacts: 1_000,
            snapshot_messages_per_contact: 50,
            event_retention_days: 30,
            replay_limit: 20_000,
        }
    }
}

impl SyncConfig {
    /// What a snapshot holds.
    #[must_use]
    pub fn snapshot_limits(&self) -> SnapshotLimits {
        SnapshotLimits {
            window_days: self.window_days,
            contacts: self.snapshot_contacts,
            messages_per_contact: self.snapshot_messages_per_contact,
        }
    }

    /// Why the section cannot be used, if it cannot.
    pub(super) fn problem(&self) -> Option<String> {
        if self.window_days == 0 || self.snapshot_contacts == 0 {
            return Some("sync.window_days and sync.snapshot_contacts must be at least 1".into());
        }
        if !(1..=500).contains(&self.snapshot_messages_per_contact) {
            return Some(format!(
                "sync.snapshot_messages_per_contact ({}) must be between 1 and 500",
                self.snapshot_messages_per_contact
            ));
        }
        if self.replay_limit < 500 {
            return Some(format!(
                "sync.replay_limit ({}) must be at least 500",
                self.replay_limit
            ));
        }
        None
    }
}
