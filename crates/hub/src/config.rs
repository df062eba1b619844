//! The hub's configuration: a TOML file, then `PARLEY_*` environment variables on top.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! database = "sqlite://data/parley.db"  # or "postgres://parley@db.example.com/parley"
//! public_url = "https://sms.example.com"   # what the provider calls; signs webhooks
//! ui_dir = "ui/dist"
//! provider = "sim"                          # or "twilio"
//!
//! [sim]
//! number = "+12015550100"
//! delivery_delay_ms = 800
//!
//! [twilio]
//! account_sid = "AC…"
//! auth_token = "…"                          # or api_key_sid + api_key_secret
//! from = "+12015550100"                     # or messaging_service_sid = "MG…"
//! api_base = "https://api.twilio.com"
//! ```
//! Secrets are never logged: `Debug` redacts them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod database;
mod limits;
mod public_url;
mod sending;
mod service;
mod sessions;
mod sync;
mod tls;

pub use database::Database;
pub use limits::LimitsConfig;
pub use public_url::{Finding, check_public_url};
pub use sending::SendingConfig;
pub use service::{LogFormat, ServiceConfig};
pub use sessions::SessionsConfig;
pub use sync::SyncConfig;
pub use tls::TlsConfig;

/// Which SMS provider the hub uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The built-in simulated carrier (demos, training, tests).
    Sim,
    /// Twilio Programmable Messaging, or a Twilio-compatible API.
    Twilio,
}

/// The simulated carrier's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// The contact center's number on the simulated carrier.
    pub number: String,
    /// How long after a send the carrier reports `delivered`.
    pub delivery_delay_ms: u64,
    /// Serve the carrier's endpoints (`/api/sim/…`, `/sim/media/…`) when the hub listens
    /// beyond loopback. Off: a simulated carrier is for a developer's own computer.
    pub allow_remote: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            number: "+12015550100".to_owned(),
            delivery_delay_ms: 800,
            allow_remote: false,
        }
    }
}

/// Twilio's settings.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwilioConfig {
    pub account_sid: String,
    pub auth_token: Option<String>,
    pub api_key_sid: Option<String>,
    pub api_key_secret: Option<String>,
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub api_base: Option<String>,
    /// Ask Lookup v2 line type intelligence (a paid lookup) once per number before the
    /// first text to it, to warn agents about landlines.
    pub line_type_lookups: bool,
    /// Where Lookup requests go (Twilio's by default).
    pub lookups_base: Option<String>,
    /// How long a request to Twilio may take before its answer counts as lost (the hub
    /// then asks Twilio whether it has the message before sending again).
    pub request_timeout_ms: u64,
}

impl Default for TwilioConfig {
    fn default() -> Self {
        Self {
            account_sid: String::new(),
            auth_token: None,
            api_key_sid: None,
            api_key_secret: None,
            from: None,
            messaging_service_sid: None,
            api_base: None,
            line_type_lookups: true,
            lookups_base: None,
            request_timeout_ms: 20_000,
        }
    }
}

impl std::fmt::Debug for TwilioConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        formatter
            .debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &redacted(&self.auth_token))
            .field("api_key_sid", &self.api_key_sid)
            .field("api_key_secret", &redacted(&self.api_key_secret))
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("api_base", &self.api_base)
            .field("line_type_lookups", &self.line_type_lookups)
            .field("lookups_base", &self.lookups_base)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .finish()
    }
}

/// Routing settings.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    /// How often queued interactions are re-examined even without a trigger.
    pub sweep_interval_ms: u64,
    /// An offer not accepted within this time goes to another agent, and the agent who
    /// let it lapse is set Not Ready ("Not responding"). 0 turns it off.
    pub offer_timeout_ms: u64,
    /// An active interaction whose conversation is quiet this long is ended on the
    /// contact's side. 0 turns it off.
    pub inactivity_timeout_ms: u64,
    /// An agent whose app has lost its link to the hub this long (a desktop offline, a
    /// closed browser) hands their offered and active interactions back to the queue and
    /// is set Not Ready ("Offline"). 0 turns it off; signing out hands them back at once.
    pub offline_grace_ms: u64,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            sweep_interval_ms: 2_000,
            offer_timeout_ms: 30_000,
            inactivity_timeout_ms: 30 * 60_000,
            offline_grace_ms: 2 * 60_000,
        }
    }
}

/// What agents pick from.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// Disposition codes for wrap-up.
    pub dispositions: Vec<String>,
    /// Whether Done needs a disposition.
    pub disposition_required: bool,
    /// Reasons for Not Ready.
    pub not_ready_reasons: Vec<String>,
    /// The Standard Responses library (`[[workspace.standard_responses]]`).
    pub standard_responses: Vec<parley_proto::StandardResponse>,
}

fn default_standard_responses() -> Vec<parley_proto::StandardResponse> {
    [
        ("Greetings", "Welcome", "Hi {contact.name}, this is {agent.name}. How can I help you today?"),
        ("Greetings", "Thanks and goodbye", "Thanks for texting us, {contact.name}. Have a great day!"),
        ("Orders", "Checking the order", "Thanks, {contact.name}. Let me check your order; I'll be right back."),
        ("Orders", "Tracking", "Your order is on its way. You'll get a tracking link by SMS shortly."),
        ("Attachments", "Resend the picture", "The picture didn't come through. Could you check its format (JPEG or PNG) and send it again?"),
    ]
    .into_iter()
    .map(|(category, title, text)| parley_proto::StandardResponse {
        category: category.to_owned(),
        title: title.to_owned(),
        text: text.to_owned(),
    })
    .collect()
}

impl Default for WorkspaceConfig {
    fn default() -> Self {
        let owned = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect();
        Self {
            dispositions: owned(&[
                "Resolved",
                "Follow-up needed",
                "Escalated",
                "Wrong number",
                "No response",
            ]),
            disposition_required: false,
            not_ready_reasons: owned(&["Break", "Lunch", "Meeting", "Training", "After-call work"]),
            standard_responses: default_standard_responses(),
        }
    }
}

/// Pictures (MMS): where they are kept and what is accepted.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Where pictures are kept: `"folder"` (default with SQLite) or `"database"` (default
    /// with PostgreSQL, where every hub reaches them).
    pub store: Option<MediaStore>,
    /// The folder store's folder. Defaults to `media/` next to a SQLite database.
    pub dir: Option<PathBuf>,
    /// The largest file fetched, in bytes (Twilio's MMS limit is 5 MB).
    pub max_bytes: u64,
    /// The most pixels (width × height) a picture may decode to: a small file that claims
    /// a huge picture (a decompression bomb) is refused before it takes the memory.
    pub max_pixels: u64,
    /// How long a 404 from the provider is retried after the message arrived: media can
    /// lag the webhook.
    pub not_found_retry_ms: u64,
    /// The longest side of a thumbnail, in pixels.
    pub thumbnail_size: u32,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            store: None,
            dir: None,
            max_bytes: 5 * 1024 * 1024,
            max_pixels: 40_000_000,
            not_found_retry_ms: 30_000,
            thumbnail_size: 320,
        }
    }
}

/// Phone numbers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NumbersConfig {
    /// The region (ISO 3166 two-letter code) for numbers agents write without a country
    /// code, e.g. `US` reads `(201) 555-0123` as `+12015550123`.
    pub default_region: String,
}

impl Default for NumbersConfig {
    fn default() -> Self {
        Self {
            default_region: "US".to_owned(),
        }
    }
}

impl NumbersConfig {
    /// The default region; [`Config::load`] has checked that it is known.
    #[must_use]
    pub fn region(&self) -> Option<parley_sms::Region> {
        self.default_region.parse().ok()
    }
}

/// Where pictures are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaStore {
    /// Files in `media.dir` (one hub, or hubs sharing a file system).
    Folder,
    /// In the database, which every hub reaches.
    Database,
}

/// Settings for several hubs on one database.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// How long a hub's claim on a piece of work (a send, a picture fetch) lasts unless it
    /// renews it: how soon another hub takes over the work of a hub that died.
    pub claim_lease_ms: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            claim_lease_ms: 30_000,
        }
    }
}

/// Everything `parley-hub serve` needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The address the HTTP server binds.
    pub listen: SocketAddr,
    /// The database: `sqlite://…` (created when missing) or `postgres://…`.
    pub database: Database,
    /// The URL the provider reaches this hub at. Webhook signatures are computed over it,
    /// and status callbacks point at it. Defaults to `http://<listen address>`.
    pub public_url: Option<String>,
    /// The browser build of the UI to serve at `/` (skipped when the folder is missing).
    pub ui_dir: PathBuf,
    pub provider: ProviderKind,
    pub sim: SimConfig,
    pub twilio: TwilioConfig,
    pub routing: RoutingConfig,
    pub workspace: WorkspaceConfig,
    pub media: MediaConfig,
    pub numbers: NumbersConfig,
    pub cluster: ClusterConfig,
    pub sending: SendingConfig,
    pub sessions: SessionsConfig,
    pub sync: SyncConfig,
    pub tls: TlsConfig,
    pub limits: LimitsConfig,
    pub service: ServiceConfig,
}

impl Config {
    /// Where this machine reaches the hub this configuration runs: its listen address
    /// (loopback when it listens on every address), over HTTPS when it has a certificate.
    #[must_use]
    pub fn local_url(&self) -> String {
        let scheme = if self.tls.files().is_some() {
            "https"
        } else {
            "http"
        };
        let mut address = self.listen;
        if address.ip().is_unspecified() {
            address.set_ip(if address.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        format!("{scheme}://{address}")
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: Database::Sqlite(PathBuf::from("data/parley.db")),
            public_url: None,
            ui_dir: PathBuf::from("ui/dist"),
            provider: ProviderKind::Sim,
            sim: SimConfig::default(),
            twilio: TwilioConfig::default(),
            routing: RoutingConfig::default(),
            workspace: WorkspaceConfig::default(),
            media: MediaConfig::default(),
            numbers: NumbersConfig::default(),
            cluster: ClusterConfig::default(),
            sending: SendingConfig::default(),
            sessions: SessionsConfig::default(),
            sync: SyncConfig::default(),
            tls: TlsConfig::default(),
            limits: LimitsConfig::default(),
            service: ServiceConfig::default(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is invalid: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("the environment variable {name} is invalid: {reason}")]
    Env { name: &'static str, reason: String },
    #[error("the twilio provider needs {0}")]
    Twilio(&'static str),
    #[error("database: {0}")]
    Database(String),
    #[error(
        "cluster.claim_lease_ms ({lease_ms}) must be longer than twilio.request_timeout_ms ({timeout_ms}): a hub keeps its claim on a send while it waits for Twilio"
    )]
    Lease { lease_ms: u64, timeout_ms: u64 },
    #[error("{0}")]
    Invalid(String),
    #[error("numbers.default_region: {0}")]
    Region(#[from] parley_sms::number::UnknownRegion),
}

impl Config {
    /// Where media files are stored in the folder store: `media.dir`, or `media/` next to
    /// a SQLite database.
    #[must_use]
    pub fn media_dir(&self) -> PathBuf {
        self.media
            .dir
            .clone()
            .unwrap_or_else(|| match &self.database {
                Database::Sqlite(path) => path
                    .parent()
                    .map_or_else(|| PathBuf::from("media"), |parent| parent.join("media")),
                Database::Postgres(_) => PathBuf::from("media"),
            })
    }

    /// Where pictures are kept: `media.store`, or by default the folder with SQLite and
    /// the database with PostgreSQL (which every hub reaches).
    #[must_use]
    pub fn media_store(&self) -> MediaStore {
        self.media.store.unwrap_or(if self.database.is_shared() {
            MediaStore::Database
        } else {
            MediaStore::Folder
        })
    }

    /// Reads `path` (when given) and applies `PARLEY_*` environment variables on top.
    ///
    /// # Errors
    /// [`ConfigError`] naming the file or variable that is wrong.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.to_owned(),
                    source: Box::new(source),
                })?
            }
            None => Self::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Applies `PARLEY_*` variables, read through `lookup`.
    ///
    /// # Errors
    /// [`ConfigError::Env`] for a value that does not parse.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        if let Some(listen) = lookup("PARLEY_LISTEN") {
            self.listen =
                listen
                    .parse()
                    .map_err(|error: std::net::AddrParseError| ConfigError::Env {
                        name: "PARLEY_LISTEN",
                        reason: error.to_string(),
                    })?;
        }
        if let Some(database) = lookup("PARLEY_DATABASE") {
            self.database = Database::parse(&database).map_err(|error| ConfigError::Env {
                name: "PARLEY_DATABASE",
                reason: error.to_string(),
            })?;
        }
        if let Some(public_url) = lookup("PARLEY_PUBLIC_URL") {
            self.public_url = Some(public_url);
        }
        if let Some(format) = lookup("PARLEY_LOG_FORMAT") {
            self.service.log_format = match format.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => {
                    return Err(ConfigError::Env {
                        name: "PARLEY_LOG_FORMAT",
                        reason: format!("{other:?} is neither \"text\" nor \"json\""),
                    });
                }
            };
        }
        if let Some(token) = lookup("PARLEY_METRICS_TOKEN") {
            self.service.metrics_token = Some(token);
        }
        if let Some(ui_dir) = lookup("PARLEY_UI_DIR") {
            self.ui_dir = PathBuf::from(ui_dir);
        }
        if let Some(provider) = lookup("PARLEY_PROVIDER") {
            self.provider = match provider.as_str() {
                "sim" => ProviderKind::Sim,
                "twilio" => ProviderKind::Twilio,
                other => {
                    return Err(ConfigError::Env {
                        name: "PARLEY_PROVIDER",
                        reason: format!("{other:?} is neither \"sim\" nor \"twilio\""),
                    });
                }
            };
        }
        if let Some(certificate) = lookup("PARLEY_TLS_CERTIFICATE") {
            self.tls.certificate = Some(PathBuf::from(certificate));
        }
        if let Some(key) = lookup("PARLEY_TLS_KEY") {
            self.tls.key = Some(PathBuf::from(key));
        }
        if let Some(delay) = lookup("PARLEY_SIM_DELIVERY_DELAY_MS") {
            self.sim.delivery_delay_ms = delay.parse().map_err(|_| ConfigError::Env {
                name: "PARLEY_SIM_DELIVERY_DELAY_MS",
                reason: format!("{delay:?} is not a number of milliseconds"),
            })?;
        }
        let twilio = &mut self.twilio;
        if let Some(value) = lookup("PARLEY_TWILIO_ACCOUNT_SID") {
            twilio.account_sid = value;
        }
        for (name, slot) in [
            ("PARLEY_TWILIO_AUTH_TOKEN", &mut twilio.auth_token),
            ("PARLEY_TWILIO_API_KEY_SID", &mut twilio.api_key_sid),
            ("PARLEY_TWILIO_API_KEY_SECRET", &mut twilio.api_key_secret),
            ("PARLEY_TWILIO_FROM", &mut twilio.from),
            (
                "PARLEY_TWILIO_MESSAGING_SERVICE_SID",
                &mut twilio.messaging_service_sid,
            ),
            ("PARLEY_TWILIO_API_BASE", &mut twilio.api_base),
            ("PARLEY_TWILIO_LOOKUPS_BASE", &mut twilio.lookups_base),
        ] {
            if let Some(value) = lookup(name) {
                *slot = Some(value);
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.numbers.default_region.parse::<parley_sms::Region>()?;
        if let Some(problem) = self.sending.problem() {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(problem) = self.limits.problem() {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(problem) = self.tls.problem() {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(problem) = self.sync.problem() {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(problem) = self.sessions.problem() {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(problem) = self.service.problem() {
            return Err(ConfigError::Invalid(problem));
        }
        if self.provider == ProviderKind::Twilio
            && self.cluster.claim_lease_ms <= self.twilio.request_timeout_ms
        {
            // A send holds its claim while it waits for Twilio: a lease shorter than that
            // wait could let another hub take the send over while it is still in flight.
            return Err(ConfigError::Lease {
                lease_ms: self.cluster.claim_lease_ms,
                timeout_ms: self.twilio.request_timeout_ms,
            });
        }
        if self.provider == ProviderKind::Twilio {
            let twilio = &self.twilio;
            if twilio.account_sid.is_empty() {
                return Err(ConfigError::Twilio("twilio.account_sid"));
            }
            if twilio.auth_token.is_none()
                && (twilio.api_key_sid.is_none() || twilio.api_key_secret.is_none())
            {
                return Err(ConfigError::Twilio(
                    "twilio.auth_token, or twilio.api_key_sid and twilio.api_key_secret",
                ));
            }
            if twilio.from.is_none() && twilio.messaging_service_sid.is_none() {
                return Err(ConfigError::Twilio(
                    "twilio.from or twilio.messaging_service_sid",
                ));
            }
            if twilio.auth_token.is_none() {
                // Webhook signatures are made with the account's Auth Token, never an API key.
                return Err(ConfigError::Twilio(
                    "twilio.auth_token to check webhook signatures",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        let mut config: Config = toml::from_str(
            "listen = \"127.0.0.1:9000\"\nprovider = \"twilio\"\n[twilio]\naccount_sid = \"AC1\"\nauth_token = \"secret-token\"\nfrom = \"+12015550100\"\n",
        )
        .expect("the example parses");
        config
            .apply_env(|name| (name == "PARLEY_LISTEN").then(|| "127.0.0.1:9100".to_owned()))
            .expect("the variable parses");
        assert_eq!(
            config.listen.port(),
            9100,
            "the environment wins over the file"
        );
        config
            .validate()
            .expect("a complete twilio config is valid");
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("secret-token"),
            "the auth token never reaches a log: {debug}"
        );
    }

    #[test]
    fn the_shipped_example_is_valid() {
        let example: Config = toml::from_str(include_str!("../../../parley-hub.example.toml"))
            .expect("parley-hub.example.toml parses");
        example
            .validate()
            .expect("parley-hub.example.toml is complete");
        assert_eq!(example.provider, ProviderKind::Twilio);
        let titles: Vec<&str> = example
            .workspace
            .standard_responses
            .iter()
            .map(|response| response.title.as_str())
            .collect();
        assert_eq!(
            titles,
            ["Welcome", "Checking the order"],
            "the example's Standard Responses load"
        );
    }

    #[test]
    fn incomplete_twilio_config_names_what_is_missing() {
        let config = Config {
            provider: ProviderKind::Twilio,
            ..Config::default()
        };
        let error = config.validate().expect_err("no account sid");
        assert!(error.to_string().contains("account_sid"), "{error}");
        let unknown: Result<Config, _> = toml::from_str("lisen = \"x\"");
        assert!(
            unknown.is_err(),
            "a misspelt key is an error, not silently ignored"
        );
    }

    #[test]
    fn a_claim_outlasts_a_request_to_twilio() {
        let mut config: Config =
            toml::from_str(include_str!("../../../parley-hub.example.toml")).expect("parses");
        config.cluster.claim_lease_ms = config.twilio.request_timeout_ms;
        let error = config
            .validate()
            .expect_err("a lease no longer than the wait");
        assert!(error.to_string().contains("claim_lease_ms"), "{error}");
    }

    #[test]
    fn pictures_go_where_every_hub_reaches_them() {
        let config: Config = toml::from_str("database = \"postgres://db/parley\"").expect("parses");
        assert_eq!(
            config.media_store(),
            MediaStore::Database,
            "every hub reaches the pictures"
        );
        assert_eq!(Config::default().media_store(), MediaStore::Folder);
        let wrong: Result<Config, _> = toml::from_str("database = \"mysql://db/parley\"");
        assert!(
            wrong.is_err(),
            "an unknown scheme is an error when the file is read"
        );
    }
}
