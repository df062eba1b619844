//! The Parley hub: SMS provider webhooks in, sends out, routing of conversations to Ready
//! agents, accounts, the API over HTTP + WebSocket, and the browser build of the UI.
//!
//! [`start`] runs a hub in-process (the `parley-hub serve` command and the tests use it);
//! [`Store`] opens its database for the commands that need no server (`agent add`,
//! `migrate`, `migrate-data`).
//!
//! Inside: `rules` (pure: lifecycle, sending, routing, workspace) → `store` (use cases over
//! a port, one folder of queries per engine) ← the workers (`router`, `outbound`, `media`)
//! and the edges (`api`, `webhooks`, `sim`).

mod api;
mod auth;
mod blobs;
pub mod cli;
mod clock;
pub mod config;
mod demo;
mod error;
mod health;
mod media;
mod migrate_data;
mod outbound;
mod retention;
mod router;
mod routes;
mod rules;
pub mod serve;
mod signin;
mod sim;
mod store;
mod telemetry;
#[cfg(feature = "test-support")]
pub mod testing;
mod visibility;
mod webhooks;

pub use auth::hash_password;
pub use clock::{Clock, FakeClock, SystemClock};
pub use demo::{DEMO_LOGIN, DEMO_PASSWORD, seed as seed_demo};
pub use migrate_data::{MigrateDataError, Migrated, Pictures, migrate_data};
pub use rules::Refusal;
pub use rules::lifecycle::{Completion, WrapUp};
pub use store::{
    AgentSettings, ContactDetails, ContactPage, Inbound, InboundOutcome, MessagePage,
    NOT_RESPONDING, NewUpload, Outbound, Store, StoreError, StoreOptions, Work,
};
pub use store::{Copied, Imported, MediaJob, MediaOutcome, ReadyMedia, SnapshotLimits};

/// Picture checks, and the simulated carrier's samples (for tests and benchmarks).
pub mod pictures {
    pub use crate::media::{Limits, Processed, is_shown_type, process};
    pub use crate::sim::{SAMPLES, bomb_png, sample};
}

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router as HttpRouter;
use parley_sms::Provider;
use parley_sms::twilio::{Credentials, Sender as TwilioSender, TwilioProvider};
use tokio::sync::watch;
use tower_http::services::{ServeDir, ServeFile};

use crate::blobs::{BlobStore, DatabaseBlobs, FolderBlobs};
use crate::config::{Config, MediaStore, ProviderKind};
use crate::router::Router;

/// What every request handler shares.
pub(crate) struct HubState {
    pub config: Config,
    /// The URL the provider reaches us at, without a trailing slash.
    pub public_url: String,
    /// The contact center's sending number, recorded on outbound messages.
    pub from_number: String,
    pub store: Store,
    pub router: Router,
    pub sender: outbound::Sender,
    /// The carrier, for line type lookups.
    pub provider: Arc<dyn Provider>,
    /// Whether numbers are looked up before the first text.
    pub line_type_lookups: bool,
    /// Fetches the pictures of inbound MMS.
    pub media: media::Fetcher,
    /// Where pictures are stored.
    pub blobs: Arc<dyn BlobStore>,
    /// Turns `true` when the hub stops; long-lived tasks (event streams, routing) end then.
    pub stopping: watch::Receiver<bool>,
    /// The background workers, for `/healthz`.
    pub workers: health::Workers,
    /// Password checks and failed sign-ins.
    pub sign_in: signin::Guard,
}

impl HubState {
    /// A number as an agent or a contact wrote it, in E.164 — or the guide's "the number is
    /// incorrect" error.
    ///
    /// # Errors
    /// [`error::Failure`] with [`parley_proto::ErrorCode::InvalidNumber`].
    pub fn number(&self, input: &str) -> Result<String, error::Failure> {
        parley_sms::parse_number(input, self.config.numbers.region()).map_err(|error| {
            error::Failure::new(parley_proto::ErrorCode::InvalidNumber, error.to_string())
        })
    }
}

/// Why the hub did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Store(#[from] store::StoreError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot set up the provider: {0}")]
    Provider(#[from] parley_sms::ProviderError),
    #[error("cannot set up the media fetcher: {0}")]
    Media(#[from] reqwest::Error),
    #[error("cannot serve HTTPS: {0}")]
    Tls(#[from] serve::TlsError),
}

/// A hub running in this process.
pub struct RunningHub {
    /// The bound address (useful with port 0).
    pub address: SocketAddr,
    pub public_url: String,
    pub store: Store,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    state: Arc<HubState>,
    certificates: Option<Arc<serve::Certificates>>,
    /// How long [`RunningHub::stop`] waits for requests under way.
    grace: Duration,
}

impl RunningHub {
    /// `http://<address>`, or `https://` when the hub serves TLS.
    #[must_use]
    pub fn base_url(&self) -> String {
        let scheme = if self.certificates.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.address)
    }

    /// Reads the TLS certificate and key again (what `SIGHUP` does).
    ///
    /// # Errors
    /// When the new files cannot be used; the certificate in use stays.
    pub fn reload_tls(&self) -> Result<(), serve::TlsError> {
        self.certificates
            .as_ref()
            .map_or(Ok(()), |certificates| certificates.reload())
    }

    /// A customer's text through the simulated carrier, straight in (the demo's waiting
    /// MMS); the carrier's message sid.
    ///
    /// # Errors
    /// Why the text was refused.
    pub async fn simulate_inbound(
        &self,
        request: parley_proto::SimInboundRequest,
    ) -> Result<String, parley_proto::ApiError> {
        api::inject(&self.state, request)
            .await
            .map_err(|failure| failure.error)
    }

    /// Stops taking requests and connections, closes the event streams (telling clients to
    /// reconnect), and waits for the requests under way — for at most the configured
    /// `service.shutdown_grace_ms`; what is left then is cut. Says whether everything
    /// under way finished.
    pub async fn stop(mut self) -> bool {
        if self.shutdown.send(true).is_err() {
            tracing::debug!("the server had already stopped");
        }
        match tokio::time::timeout(self.grace, &mut self.server).await {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                tracing::error!(%error, "the server task failed");
                false
            }
            Err(_) => {
                tracing::warn!(
                    grace_ms = self.grace.as_millis(),
                    "requests were still under way when the shutdown grace period ended; they are cut"
                );
                self.server.abort();
                false
            }
        }
    }

    /// Resolves when the server stops on its own, which happens only on a fatal error.
    pub async fn stopped(&mut self) {
        if let Err(error) = (&mut self.server).await {
            tracing::error!(%error, "the server task failed");
        }
    }
}

fn provider(config: &Config, store: &Store) -> Result<(Arc<dyn Provider>, String), StartError> {
    match config.provider {
        ProviderKind::Sim => Ok((
            Arc::new(sim::SimCarrier::new(
                store.clone(),
                config.sim.number.clone(),
                Duration::from_millis(config.sim.delivery_delay_ms),
            )),
            config.sim.number.clone(),
        )),
        ProviderKind::Twilio => {
            let twilio = &config.twilio;
            let credentials = match (
                &twilio.api_key_sid,
                &twilio.api_key_secret,
                &twilio.auth_token,
            ) {
                (Some(key_sid), Some(secret), _) => Credentials::ApiKey {
                    key_sid: key_sid.clone(),
                    secret: secret.clone(),
                },
                (_, _, Some(auth_token)) => Credentials::AuthToken {
                    auth_token: auth_token.clone(),
                },
                _ => {
                    return Err(StartError::Provider(
                        parley_sms::ProviderError::Configuration("no Twilio credentials".into()),
                    ));
                }
            };
            let (sender, from_number) = match (&twilio.from, &twilio.messaging_service_sid) {
                (Some(from), _) => (TwilioSender::From(from.clone()), from.clone()),
                (None, Some(service)) => (
                    TwilioSender::MessagingService(service.clone()),
                    service.clone(),
                ),
                (None, None) => {
                    return Err(StartError::Provider(
                        parley_sms::ProviderError::Configuration(
                            "no From number or Messaging Service SID".into(),
                        ),
                    ));
                }
            };
            let api_base = twilio
                .api_base
                .as_deref()
                .unwrap_or(parley_sms::twilio::DEFAULT_API_BASE);
            let mut client =
                TwilioProvider::new(api_base, &twilio.account_sid, credentials, sender)?;
            client =
                client.with_timeout(Duration::from_millis(twilio.request_timeout_ms.max(1)))?;
            if let Some(lookups_base) = &twilio.lookups_base {
                client = client.with_lookups_base(lookups_base);
            }
            Ok((Arc::new(client), from_number))
        }
    }
}

/// The credentials media files are fetched with: the Twilio account's, for Twilio's API
/// host only.
fn media_auth(config: &Config) -> Option<media::ProviderAuth> {
    if config.provider != ProviderKind::Twilio {
        return None;
    }
    let twilio = &config.twilio;
    let api_base = twilio
        .api_base
        .as_deref()
        .unwrap_or(parley_sms::twilio::DEFAULT_API_BASE);
    let origin = url::Url::parse(api_base).ok()?.origin();
    let (user, password) = match (&twilio.api_key_sid, &twilio.api_key_secret) {
        (Some(key), Some(secret)) => (key.clone(), secret.clone()),
        _ => (twilio.account_sid.clone(), twilio.auth_token.clone()?),
    };
    Some(media::ProviderAuth {
        origin,
        user,
        password,
    })
}

fn http_routes(state: Arc<HubState>) -> HttpRouter {
    let mut routes = routes::add_routes(HttpRouter::new());
    if state.config.provider == ProviderKind::Sim {
        if state.config.listen.ip().is_loopback() || state.config.sim.allow_remote {
            routes = routes::add_sim_routes(routes);
        } else {
            tracing::warn!(
                listen = %state.config.listen,
                "the simulated carrier's endpoints are off: the hub listens beyond loopback \
                 (set [sim] allow_remote = true to serve them there)"
            );
        }
    }
    if let Some(updates) = &state.config.service.updates_dir {
        if !updates.is_dir() {
            tracing::warn!(updates_dir = %updates.display(), "the desktop updates folder does not exist (yet): /updates/ answers 404 until it does");
        }
        // Public: a desktop checks before its agent signs in. The installers are signed;
        // the desktop refuses any whose signature is not the project's.
        routes = routes.nest_service("/updates", ServeDir::new(updates));
    } else {
        routes = routes.route(
            "/updates/{*file}",
            axum::routing::get(|| async {
                (
                    axum::http::StatusCode::NOT_FOUND,
                    "this hub serves no desktop updates ([service] updates_dir)",
                )
            }),
        );
    }
    let ui_dir = &state.config.ui_dir;
    if ui_dir.join("index.html").is_file() {
        let ui = ServeDir::new(ui_dir).fallback(ServeFile::new(ui_dir.join("index.html")));
        routes = routes.fallback_service(ui);
    } else {
        tracing::warn!(ui_dir = %ui_dir.display(), "no UI build found; the browser UI is not served");
    }
    let body_limit = axum::extract::DefaultBodyLimit::max(state.config.limits.max_request_bytes);
    request_ids(security_headers(routes.layer(body_limit).with_state(state)))
}

/// Gives every request an id (`X-Request-Id`: the one a proxy set, or a new UUID), puts it
/// on every log line of the request, and answers with it.
fn request_ids(router: HttpRouter) -> HttpRouter {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::trace::TraceLayer;
    let trace = TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            id,
            method = %request.method(),
            path = request.uri().path(),
        )
    });
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Reads the certificate again on each `SIGHUP` (a renewed certificate needs no restart).
/// Without TLS, `SIGHUP` is noted and changes nothing (a service manager's reload must not
/// stop the hub).
fn reload_on_hangup(
    certificates: Option<Arc<serve::Certificates>>,
    mut stopping: watch::Receiver<bool>,
) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = match signal(SignalKind::hangup()) {
            Ok(hangups) => hangups,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGHUP: the certificate is read at start only");
                return;
            }
        };
        loop {
            tokio::select! {
                received = hangups.recv() => {
                    if received.is_none() {
                        return;
                    }
                    match &certificates {
                        Some(certificates) => {
                            if let Err(error) = certificates.reload() {
                                tracing::error!(%error, "SIGHUP: the new certificate cannot be used; the old one stays");
                            }
                        }
                        None => tracing::info!(
                            "SIGHUP: no TLS certificate to read again (the configuration is read at start)"
                        ),
                    }
                }
                _ = stopping.wait_for(|stopping| *stopping) => return,
            }
        }
    });
    #[cfg(not(unix))]
    {
        let _ = (certificates, &mut stopping);
    }
}

/// What the browser may do with anything the hub serves: only the hub's own scripts,
/// styles, pictures and connections; never in a frame; no type sniffing; no referrer.
/// A route that sets its own (the pictures' sandbox) keeps it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn security_headers(router: HttpRouter) -> HttpRouter {
    use axum::http::{HeaderName, HeaderValue, header};
    use tower_http::set_header::SetResponseHeaderLayer;
    let headers: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// Opens the store, starts the workers and serves HTTP until stopped.
///
/// # Errors
/// [`StartError`] when the database, the provider or the listen address is unusable.
pub async fn start(config: Config) -> Result<RunningHub, StartError> {
    let store = Store::open_with(
        &config.database,
        StoreOptions {
            claim_lease: Duration::from_millis(config.cluster.claim_lease_ms.max(100)),
            ..StoreOptions::default()
        },
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen {
            address: config.listen,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| StartError::Listen {
        address: config.listen,
        source,
    })?;
    let certificates = match config.tls.files() {
        Some((certificate, key)) => Some(Arc::new(serve::Certificates::load(&certificate, &key)?)),
        None => None,
    };
    let scheme = if certificates.is_some() {
        "https"
    } else {
        "http"
    };
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{address}"))
        .trim_end_matches('/')
        .to_owned();
    for finding in config::check_public_url(&config) {
        if finding.warning {
            tracing::warn!("{}", finding.message);
        } else {
            tracing::info!("{}", finding.message);
        }
    }
    telemetry::install();
    let (provider, from_number) = provider(&config, &store)?;
    let (shutdown, stopping) = watch::channel(false);
    let workers = health::Workers::default();
    let router = Router::spawn(store.clone(), config.routing, &workers, stopping.clone());
    // The simulated carrier always answers lookups; a paid one only when asked to.
    let line_type_lookups = config.provider == ProviderKind::Sim || config.twilio.line_type_lookups;
    let sender = outbound::Sender::spawn(
        store.clone(),
        outbound::SenderSetup {
            provider: provider.clone(),
            public_url: public_url.clone(),
            lookups: line_type_lookups,
            sweep: Duration::from_millis(config.routing.sweep_interval_ms.max(10)),
            sending: config.sending,
        },
        &workers,
        stopping.clone(),
    );
    let blobs: Arc<dyn BlobStore> = match config.media_store() {
        MediaStore::Folder => Arc::new(FolderBlobs::new(config.media_dir())),
        MediaStore::Database => Arc::new(DatabaseBlobs::new(store.clone())),
    };
    media::sweep_unsent_uploads(store.clone(), blobs.clone(), &workers, stopping.clone());
    retention::prune_event_log(
        store.clone(),
        config.sync.event_retention_days,
        &workers,
        stopping.clone(),
    );
    let media = media::Fetcher::spawn(
        store.clone(),
        &config.media,
        blobs.clone(),
        media_auth(&config),
        &workers,
        stopping.clone(),
    )?;
    tracing::info!(
        %address,
        %public_url,
        provider = provider.name(),
        database = %config.database,
        engine = store.engine_name(),
        "parley hub listening"
    );
    let config_sessions = config.sessions;
    let grace = Duration::from_millis(config.service.shutdown_grace_ms);
    let state = Arc::new(HubState {
        config,
        public_url: public_url.clone(),
        from_number,
        store: store.clone(),
        router,
        sender,
        provider: provider.clone(),
        line_type_lookups,
        media,
        blobs,
        stopping: stopping.clone(),
        workers,
        sign_in: signin::Guard::new(config_sessions),
    });
    let app = http_routes(state.clone());
    let listener = serve::HubListener::new(
        listener,
        certificates.clone(),
        state.config.limits.max_connections,
    )
    .map_err(|source| StartError::Listen {
        address: state.config.listen,
        source,
    })?;
    reload_on_hangup(certificates.clone(), stopping.clone());
    let mut stopped = stopping;
    let server = tokio::spawn(async move {
        use axum::serve::ListenerExt as _;
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let serving =
            axum::serve(listener.tap_io(|_| {}), app).with_graceful_shutdown(async move {
                if stopped.wait_for(|stopping| *stopping).await.is_err() {
                    std::future::pending::<()>().await;
                }
            });
        if let Err(error) = serving.await {
            tracing::error!(%error, "the HTTP server stopped");
        }
    });
    Ok(RunningHub {
        address,
        public_url,
        store,
        shutdown,
        server,
        state,
        certificates,
        grace,
    })
}
