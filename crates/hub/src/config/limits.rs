//! What one client may take of the hub: open connections, request bodies, event stream
//! frames, and pictures uploaded but not sent yet.

use serde::Deserialize;

/// The `[limits]` section.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Open connections at once (HTTP, WebSocket); more wait until one closes.
    pub max_connections: usize,
    /// The largest request body (JSON, webhook forms), uploads apart: 413 beyond it.
    pub max_request_bytes: usize,
    /// The largest WebSocket message a client may send on the event stream (it only sends
    /// pings and closes).
    pub max_stream_message_bytes: usize,
    /// Bytes of pictures one agent may have uploaded and not sent yet.
    pub upload_quota_bytes: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            max_request_bytes: 256 * 1024,
            max_stream_message_bytes: 16 * 1024,
            upload_quota_bytes: 50 * 1024 * 1024,
        }
    }
}

impl LimitsConfig {
    /// Why the section cannot be used, if it cannot.
    pub(super) fn problem(&self) -> Option<String> {
        if self.max_connections == 0 {
            return Some("limits.max_connections must be at least 1".to_owned());
        }
        if self.max_request_bytes < 16 * 1024 {
            return Some(format!(
                "limits.max_request_bytes ({}) must be at least 16384: a text of 1600 characters and a webhook must fit",
                self.max_request_bytes
            ));
        }
        if self.max_stream_message_bytes < 125 {
            return Some("limits.max_stream_message_bytes must be at least 125".to_owned());
        }
        None
    }
}
