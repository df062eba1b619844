//! What the scenarios share: a local server that speaks Twilio's REST wire format as the
//! official OpenAPI spec defines it, a hub wired to it, agents, and a desktop core.
//!
//! A scenario names its hub's database by a SQLite path. With
//! `PARLEY_SCENARIO_ENGINE=postgres` (and `PARLEY_TEST_POSTGRES_URL`), each path stands
//! for a fresh PostgreSQL database instead — the same one each time the scenario restarts
//! its hub — so every scenario runs on both engines (`make test` runs them twice).

pub mod campaign;
pub mod fake_twilio;
pub mod processes;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parley_client::{Client, EventSink};
use parley_hub::AgentSettings;
use parley_hub::RunningHub;
use parley_hub::config::{
    Config, Database, ProviderKind, RoutingConfig, SendingConfig, TwilioConfig,
};
use parley_proto::{Agent, ConnectionState, Event, Role};

pub use fake_twilio::FakeTwilio;

/// Logs to the test output (shown for failing tests) once per process.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PARLEY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // A second init in the same process is refused; the first one stays.
    drop(
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init(),
    );
}

/// Polls `check` until it yields a value, or panics after 20 s naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The engine the scenarios run on: `PARLEY_SCENARIO_ENGINE` (`sqlite`, the default, or
/// `postgres`).
#[must_use]
pub fn scenario_engine() -> &'static str {
    match std::env::var("PARLEY_SCENARIO_ENGINE").as_deref() {
        Ok("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// The database a scenario's SQLite path stands for on the scenario engine.
///
/// # Panics
/// When the scenarios run on PostgreSQL and no server is configured.
pub async fn database_for(path: &Path) -> Database {
    static POSTGRES: std::sync::OnceLock<tokio::sync::Mutex<HashMap<PathBuf, Database>>> =
        std::sync::OnceLock::new();
    if scenario_engine() == "sqlite" {
        return Database::Sqlite(path.to_owned());
    }
    let admin = std::env::var(parley_hub::testing::POSTGRES_URL_VARIABLE).unwrap_or_else(|_| {
        panic!(
            "PARLEY_SCENARIO_ENGINE=postgres needs {}",
            parley_hub::testing::POSTGRES_URL_VARIABLE
        )
    });
    let mut databases = POSTGRES
        .get_or_init(|| tokio::sync::Mutex::new(HashMap::new()))
        .lock()
        .await;
    if let Some(database) = databases.get(path) {
        return database.clone();
    }
    let fresh = parley_hub::testing::TestDatabase::postgres_on(&admin).await;
    databases.insert(path.to_owned(), fresh.database.clone());
    fresh.database
}

/// A hub configured for the Twilio provider, pointed at `fake`, on a SQLite database at
/// `database` (see [`database_for`] for the other engine).
#[must_use]
pub fn hub_config(fake: &FakeTwilio, database: &Path, listen: SocketAddr) -> Config {
    Config {
        listen,
        database: Database::Sqlite(database.to_owned()),
        public_url: None,
        ui_dir: database.with_file_name("no-ui"),
        provider: ProviderKind::Twilio,
        twilio: TwilioConfig {
            account_sid: fake.account_sid.clone(),
            auth_token: Some(fake.auth_token.clone()),
            from: Some(fake_twilio::OUR_NUMBER.to_owned()),
            api_base: Some(fake.base_url.clone()),
            lookups_base: Some(fake.base_url.clone()),
            ..TwilioConfig::default()
        },
        routing: RoutingConfig {
            sweep_interval_ms: 200,
            ..RoutingConfig::default()
        },
        // The scenarios' number takes texts faster than a real long code, so they do not
        // wait a second a text; the pacing scenario sets a real rate.
        sending: SendingConfig {
            long_code_rate: 200.0,
            ..SendingConfig::default()
        },
        ..Config::default()
    }
}

/// Starts a hub on `listen` (port 0 for any) with its database at `database`.
///
/// # Panics
/// When the hub does not start.
pub async fn start_hub(fake: &FakeTwilio, database: &Path, listen: SocketAddr) -> RunningHub {
    let mut config = hub_config(fake, database, listen);
    config.database = database_for(database).await;
    parley_hub::start(config).await.expect("the hub starts")
}

/// Creates an agent account with a password.
///
/// # Panics
/// When the store refuses.
pub async fn add_agent(hub: &RunningHub, login: &str, password: &str, auto_answer: bool) -> Agent {
    agent_in(
        &hub.store,
        login,
        password,
        AgentSettings {
            role: Role::Agent,
            auto_answer,
            max_chats: 3,
            permissions: None,
        },
    )
    .await
}

/// Creates an agent account named "Agent <login>" with a password, straight in `store`.
///
/// # Panics
/// When the store refuses.
pub async fn agent_in(
    store: &parley_hub::Store,
    login: &str,
    password: &str,
    settings: AgentSettings,
) -> Agent {
    let hash = parley_hub::hash_password(password).expect("hashing works");
    store
        .create_agent(login, &format!("Agent {login}"), &hash, settings)
        .await
        .expect("the agent is created")
}

/// An [`EventSink`] that remembers everything, for assertions.
#[derive(Default)]
pub struct RecordingSink {
    pub events: Mutex<Vec<Event>>,
    pub connections: Mutex<Vec<ConnectionState>>,
}

impl RecordingSink {
    /// Every event seq seen, in order.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn seqs(&self) -> Vec<i64> {
        self.events
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|event| event.seq)
            .collect()
    }

    /// The events of the hub's log after `from` that the agent's scoped stream must carry
    /// — those of `contact_id`'s interactions and messages, and of the agent's account —
    /// but that never reached this desktop; and whether what reached it came in order,
    /// each once.
    ///
    /// # Panics
    /// When the lock is poisoned or the log cannot be read.
    pub async fn missed(
        &self,
        store: &parley_hub::Store,
        agent_id: parley_proto::Id,
        contact_id: parley_proto::Id,
        from: i64,
    ) -> (Vec<i64>, bool) {
        use parley_proto::EventKind;
        let seqs = self.seqs();
        let in_order = seqs.windows(2).all(|pair| pair[1] > pair[0]);
        let missed = store
            .events_since(from, 100_000)
            .await
            .expect("the log")
            .into_iter()
            .filter(|event| match &event.kind {
                EventKind::Interaction { interaction } => interaction.contact_id == contact_id,
                EventKind::Message { message } => message.contact_id == contact_id,
                EventKind::Agent { agent } => agent.id == agent_id,
                _ => false,
            })
            .map(|event| event.seq)
            .filter(|seq| !seqs.contains(seq))
            .collect();
        (missed, in_order)
    }

    /// The last connection state reported.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn connection(&self) -> Option<ConnectionState> {
        self.connections
            .lock()
            .expect("not poisoned")
            .last()
            .copied()
    }
}

impl EventSink for RecordingSink {
    fn event(&self, event: &Event) {
        self.events
            .lock()
            .expect("not poisoned")
            .push(event.clone());
    }
    fn connection(&self, state: ConnectionState) {
        self.connections.lock().expect("not poisoned").push(state);
    }
    fn changed(&self) {}
}

/// A desktop core with its own data folder.
#[must_use]
pub fn desktop(data_dir: &Path) -> (Client, Arc<RecordingSink>) {
    let sink = Arc::new(RecordingSink::default());
    (Client::new(data_dir.to_owned(), sink.clone()), sink)
}

/// Starts a hub on any loopback port with its configuration adjusted by `adjust`.
///
/// # Panics
/// When the hub does not start.
pub async fn start_hub_with(
    fake: &FakeTwilio,
    database: &Path,
    adjust: impl FnOnce(&mut Config),
) -> RunningHub {
    let mut config = hub_config(fake, database, SocketAddr::from(([127, 0, 0, 1], 0)));
    config.database = database_for(database).await;
    adjust(&mut config);
    parley_hub::start(config).await.expect("the hub starts")
}
