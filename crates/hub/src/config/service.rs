//! How the hub runs as a service: its log's format, its metrics, and how long a stop waits.

use serde::Deserialize;

/// The `[service]` section.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// `text` (one readable line an event) or `json` (one JSON object a line, for log
    /// collectors). `PARLEY_LOG_FORMAT` overrides it.
    pub log_format: LogFormat,
    /// Whether `GET /metrics` answers (Prometheus text).
    pub metrics: bool,
    /// When set, `GET /metrics` asks for `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// On SIGTERM the hub stops taking requests and waits this long for those under way
    /// (webhooks, sends being recorded) before it cuts what is left and exits.
    pub shutdown_grace_ms: u64,
    /// A folder of desktop updates to serve at `/updates/` (closed networks): per channel,
    /// `<channel>/latest.json` (Tauri's update manifest) and the signed installers it
    /// names. Unset: this hub serves none.
    pub updates_dir: Option<std::path::PathBuf>,
}

/// The log's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            log_format: LogFormat::Text,
            metrics: true,
            metrics_token: None,
            shutdown_grace_ms: 10_000,
            updates_dir: None,
        }
    }
}

impl std::fmt::Debug for ServiceConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ServiceConfig")
            .field("log_format", &self.log_format)
            .field("metrics", &self.metrics)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .field("shutdown_grace_ms", &self.shutdown_grace_ms)
            .field("updates_dir", &self.updates_dir)
            .finish()
    }
}

impl ServiceConfig {
    /// Why the section cannot be used, if it cannot.
    pub(super) fn problem(&self) -> Option<String> {
        if self.metrics_token.as_deref().is_some_and(str::is_empty) {
            return Some("service.metrics_token is empty: remove it, or set a secret".to_owned());
        }
        if self.shutdown_grace_ms > 600_000 {
            return Some(format!(
                "service.shutdown_grace_ms ({}) is over 10 minutes: a service manager stops waiting long before",
                self.shutdown_grace_ms
            ));
        }
        None
    }
}
