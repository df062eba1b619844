//! Sign-in and sessions: how long a session lasts, and how many failed sign-ins a login and
//! an address get before the hub makes them wait.

use serde::Deserialize;

/// The `[sessions]` section.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionsConfig {
    /// A session unused this long ends; each use extends it (up to `lifetime_ms`).
    pub idle_timeout_ms: u64,
    /// A session ends this long after sign-in, however it is used.
    pub lifetime_ms: u64,
    /// Failed sign-ins one login may have within `failure_window_ms` before it waits.
    pub failures_per_login: u32,
    /// Failed sign-ins one address may have within `failure_window_ms` before it waits.
    pub failures_per_address: u32,
    pub failure_window_ms: u64,
}

impl Default for SessionsConfig {
    fn default() -> Self {
        Self {
            idle_timeout_ms: 60 * 60 * 1000,
            lifetime_ms: 12 * 60 * 60 * 1000,
            failures_per_login: 5,
            failures_per_address: 50,
            failure_window_ms: 15 * 60 * 1000,
        }
    }
}

impl SessionsConfig {
    /// Why the section cannot be used, if it cannot.
    pub(super) fn problem(&self) -> Option<String> {
        if self.idle_timeout_ms < 60_000 || self.idle_timeout_ms > self.lifetime_ms {
            return Some(format!(
                "sessions.idle_timeout_ms ({}) must be at least a minute and at most sessions.lifetime_ms ({})",
                self.idle_timeout_ms, self.lifetime_ms
            ));
        }
        if self.failures_per_login == 0 || self.failures_per_address == 0 {
            return Some(
                "sessions.failures_per_login and failures_per_address must be at least 1".into(),
            );
        }
        None
    }
}
