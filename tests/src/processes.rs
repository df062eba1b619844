//! Hubs as processes of their own, behind a load balancer: several `parley-hub serve` on
//! one PostgreSQL database, as a contact center that outgrew one machine runs them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::FakeTwilio;
use crate::fake_twilio::OUR_NUMBER;

/// A free loopback port (bound, then let go).
///
/// # Panics
/// When no port can be bound.
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// How to start a hub process.
pub struct HubSetup<'a> {
    /// The `parley-hub` binary: `env!("CARGO_BIN_EXE_parley-hub-under-test")` in this
    /// package's tests and benchmarks.
    pub binary: &'a str,
    pub name: &'a str,
    pub database: &'a parley_hub::config::Database,
    /// The address webhooks are signed for (the balancer's); empty: the hub's own.
    pub public_url: &'a str,
    /// Where its config and log go.
    pub folder: &'a std::path::Path,
    /// `PARLEY_LOG`.
    pub log_filter: &'a str,
    /// More of the config file (TOML sections), appended.
    pub extra_config: &'a str,
}

/// A `parley-hub serve` process.
pub struct HubProcess {
    pub name: String,
    pub address: SocketAddr,
    child: tokio::process::Child,
    /// Its log, for a failing test to show.
    pub log: PathBuf,
}

impl HubProcess {
    /// Starts a hub on the Twilio provider (`fake`) and waits until it answers
    /// `/healthz`.
    ///
    /// # Panics
    /// When it does not start within 30 s (its log is printed).
    pub async fn start(setup: &HubSetup<'_>, fake: &FakeTwilio) -> Self {
        let HubSetup {
            binary,
            name,
            database,
            public_url,
            folder,
            log_filter,
            extra_config,
        } = *setup;
        let address = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let own_url = format!("http://{address}");
        let public_url = if public_url.is_empty() {
            own_url.as_str()
        } else {
            public_url
        };
        let config = folder.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                "listen = \"{address}\"\ndatabase = \"{database}\"\npublic_url = \"{public_url}\"\n\
                 ui_dir = \"{ui}\"\nprovider = \"twilio\"\n\n\
                 [twilio]\naccount_sid = \"{account}\"\nauth_token = \"{token}\"\nfrom = \"{OUR_NUMBER}\"\n\
                 api_base = \"{base}\"\nlookups_base = \"{base}\"\nline_type_lookups = false\n\
                 request_timeout_ms = 1500\n\n\
                 [routing]\nsweep_interval_ms = 200\n\n\
                 [cluster]\nclaim_lease_ms = 2000\n\n{extra_config}\n",
                database = database_url(database),
                ui = folder.join("no-ui").display(),
                account = fake.account_sid,
                token = fake.auth_token,
                base = fake.base_url,
            ),
        )
        .expect("the hub's config is written");
        let log = folder.join(format!("{name}.log"));
        let output = std::fs::File::create(&log).expect("the hub's log");
        let child = tokio::process::Command::new(binary)
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .env("PARLEY_LOG", log_filter)
            .env_remove("PARLEY_DATABASE")
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("the log again"))
            .stderr(output)
            .kill_on_drop(true)
            .spawn()
            .expect("the hub process starts");
        let hub = Self {
            name: name.to_owned(),
            address,
            child,
            log,
        };
        let health = format!("{}/healthz", hub.url());
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client
                .get(&health)
                .send()
                .await
                .is_ok_and(|response| response.status().is_success())
            {
                return hub;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("hub {name} did not start:\n{}", hub.log_text());
    }

    /// `http://<address>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// What the hub logged so far.
    #[must_use]
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The config file it runs with.
    #[must_use]
    pub fn config_path(folder: &std::path::Path, name: &str) -> PathBuf {
        folder.join(format!("{name}.toml"))
    }

    /// `SIGHUP`, as `systemctl reload` sends it.
    ///
    /// # Panics
    /// When the process cannot be signalled.
    pub fn hang_up(&self) {
        let pid = self.child.id().expect("the process runs");
        let sent = std::process::Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGHUP is sent to {}", self.name);
    }

    /// `SIGTERM`, as a service manager stops it: how it exited, and how long it took.
    ///
    /// # Panics
    /// When the process cannot be signalled or does not exit within `within`.
    pub async fn terminate(&mut self, within: Duration) -> (std::process::ExitStatus, Duration) {
        let pid = self.child.id().expect("the process runs");
        let started = std::time::Instant::now();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM is sent to {}", self.name);
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{} did not exit within {within:?} of SIGTERM:\n{}",
                    self.name,
                    self.log_text()
                )
            })
            .expect("the process ends");
        (status, started.elapsed())
    }

    /// `kill -9`: the process ends at once, whatever it was doing.
    ///
    /// # Panics
    /// When the process cannot be signalled.
    pub async fn kill(&mut self) {
        self.child.start_kill().expect("SIGKILL is sent");
        let status = self.child.wait().await.expect("the process ends");
        assert!(
            !status.success(),
            "{} was killed, not stopped: {status}",
            self.name
        );
    }
}

/// The URL as the config file needs it (the Display form hides the password).
pub fn database_url(database: &parley_hub::config::Database) -> String {
    match database {
        parley_hub::config::Database::Sqlite(path) => format!("sqlite://{}", path.display()),
        parley_hub::config::Database::Postgres(url) => url.clone(),
    }
}

/// A round-robin HTTP load balancer in front of the hubs, as nginx or HAProxy would be:
/// a request that cannot reach one hub (it is down, or died mid-request) goes to the next
/// — safe for what goes through it here, which is idempotent (webhooks by MessageSid,
/// sends by client key).
pub struct Balancer {
    pub address: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    backends: Mutex<Vec<String>>,
    next: AtomicUsize,
    /// Requests each backend answered, by URL.
    answered: Mutex<Vec<(String, usize)>>,
    /// How long each answer is held before it is passed on (a slow network).
    delay: Mutex<Duration>,
    http: reqwest::Client,
}

impl Balancer {
    /// Starts the balancer on a free loopback port, with no backend yet.
    ///
    /// # Panics
    /// When it cannot listen.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            backends: Mutex::new(Vec::new()),
            next: AtomicUsize::new(0),
            answered: Mutex::new(Vec::new()),
            delay: Mutex::new(Duration::ZERO),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the balancer listens");
        let address = listener.local_addr().expect("its address");
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the balancer serves");
        });
        Self { address, shared }
    }

    /// `http://<address>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The hubs to spread requests over.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn set_backends(&self, backends: Vec<String>) {
        *self.shared.backends.lock().expect("not poisoned") = backends;
    }

    /// Holds every answer this long before passing it on: what the hub did is done, but
    /// the client does not know yet.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn delay_answers(&self, delay: Duration) {
        *self.shared.delay.lock().expect("not poisoned") = delay;
    }

    /// How many requests `backend` answered.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn answered_by(&self, backend: &str) -> usize {
        self.shared
            .answered
            .lock()
            .expect("not poisoned")
            .iter()
            .find(|(url, _)| url == backend)
            .map_or(0, |(_, count)| *count)
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return (StatusCode::BAD_REQUEST, "unreadable body").into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
    let backends = shared.backends.lock().expect("not poisoned").clone();
    let Ok(method) = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()) else {
        return (StatusCode::METHOD_NOT_ALLOWED, "unknown method").into_response();
    };
    // Round-robin where each request starts; then every other hub in turn.
    let start = shared.next.fetch_add(1, Ordering::SeqCst);
    for attempt in 0..backends.len() {
        let backend = &backends[(start + attempt) % backends.len()];
        let mut outgoing = shared
            .http
            .request(method.clone(), format!("{backend}{path}"));
        for (name, value) in &parts.headers {
            if name != "host" && name != "content-length" {
                outgoing = outgoing.header(name.as_str(), value.as_bytes());
            }
        }
        let Ok(answer) = outgoing.body(body.clone()).send().await else {
            continue;
        };
        let status =
            StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let content_type = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let Ok(bytes) = answer.bytes().await else {
            continue;
        };
        let delay = *shared.delay.lock().expect("not poisoned");
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        {
            let mut answered = shared.answered.lock().expect("not poisoned");
            match answered.iter_mut().find(|(url, _)| url == backend) {
                Some((_, count)) => *count += 1,
                None => answered.push((backend.clone(), 1)),
            }
        }
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = status;
        if let Some(content_type) = content_type
            && let Ok(value) = content_type.parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::CONTENT_TYPE, value);
        }
        return response;
    }
    (StatusCode::BAD_GATEWAY, "no hub answered").into_response()
}
