//! The hub on each engine — SQLite with one hub, PostgreSQL with one hub and with two — every
//! hub a release process of its own, on this machine. Printed, never asserted, each figure
//! beside a baseline measured in the same run:
//! - signed inbound webhooks stored and routed per second (32 in flight), against a bare
//!   `INSERT` loop on the same engine (one commit a row, as durable as the hub's) and
//!   `GET /healthz` round trips (HTTP on loopback alone);
//! - webhook → agent WebSocket event latency, p50 and p99, at a steady 100 messages a
//!   second (with two hubs the webhooks alternate between them and the agent is connected
//!   to the second, so half cross from one hub to the other), against `GET /healthz`
//!   latency at the same rate.
//!
//! PostgreSQL runs need `PARLEY_TEST_POSTGRES_URL`; `make bench` starts a throwaway cluster.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use parley_hub::config::Database;
use parley_hub::testing::TestDatabase;
use parley_hub::{AgentSettings, Store};
use parley_proto::{AgentStatus, Event, EventKind, Role};
use parley_scenarios::FakeTwilio;
use parley_scenarios::processes::{HubProcess, HubSetup};
use sqlx::Connection as _;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

const WEBHOOKS: usize = 2000;
const IN_FLIGHT: usize = 32;
const BASELINE_ROWS: usize = 2000;
const RATE: u64 = 100;
const LATENCY_SECONDS: u64 = 10;
/// What every hub's webhooks are signed for (the balancer a real center has).
const PUBLIC_URL: &str = "http://parley.example";

fn per_second(count: usize, elapsed: Duration) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let count = count as f64;
    count / elapsed.as_secs_f64()
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A bare `INSERT` loop, one commit a row, on the engine of `database`.
async fn insert_baseline(database: &Database) -> f64 {
    let body = "benchmark message";
    match database {
        Database::Sqlite(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path.with_file_name("baseline.db"))
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
            let mut connection = sqlx::SqliteConnection::connect_with(&options)
                .await
                .expect("the baseline file");
            sqlx::query("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
                .execute(&mut connection)
                .await
                .expect("a table");
            let started = Instant::now();
            for _ in 0..BASELINE_ROWS {
                sqlx::query("INSERT INTO rows (body) VALUES (?)")
                    .bind(body)
                    .execute(&mut connection)
                    .await
                    .expect("a row");
            }
            per_second(BASELINE_ROWS, started.elapsed())
        }
        Database::Postgres(url) => {
            let mut connection = sqlx::PgConnection::connect(url)
                .await
                .expect("the database");
            sqlx::query(
                "CREATE TABLE baseline_rows (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)",
            )
            .execute(&mut connection)
            .await
            .expect("a table");
            let started = Instant::now();
            for _ in 0..BASELINE_ROWS {
                sqlx::query("INSERT INTO baseline_rows (body) VALUES ($1)")
                    .bind(body)
                    .execute(&mut connection)
                    .await
                    .expect("a row");
            }
            per_second(BASELINE_ROWS, started.elapsed())
        }
    }
}

/// One configuration's hubs, and the store the bench looks through.
struct Run {
    name: &'static str,
    /// Kept so its folder (and SQLite file) lives as long as the hubs.
    _database: TestDatabase,
    hubs: Vec<HubProcess>,
    store: Store,
    agent_token: String,
}

async fn start(name: &'static str, database: TestDatabase, hubs: usize, fake: &FakeTwilio) -> Run {
    let mut processes = Vec::new();
    for index in 0..hubs {
        let setup = HubSetup {
            binary: env!("CARGO_BIN_EXE_parley-hub-under-test"),
            name: &format!("{name}-{index}"),
            database: &database.database,
            public_url: PUBLIC_URL,
            folder: database.folder.path(),
            log_filter: "warn",
            extra_config: "[sending]\nlong_code_rate = 200.0",
        };
        processes.push(HubProcess::start(&setup, fake).await);
    }
    let store = Store::open(&database.database).await.expect("the database");
    let hash = parley_hub::hash_password("bench").expect("hashing works");
    for login in ["bench", "ana", "ben", "cai"] {
        let agent = store
            .create_agent(
                login,
                login,
                &hash,
                AgentSettings {
                    role: Role::Agent,
                    auto_answer: true,
                    max_chats: 1_000_000,
                    permissions: None,
                },
            )
            .await
            .expect("an agent");
        store
            .set_agent_status(agent.id, AgentStatus::Ready, None)
            .await
            .expect("Ready");
    }
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/login", processes[hubs - 1].url()))
        .json(&serde_json::json!({ "login": "bench", "password": "bench" }))
        .send()
        .await
        .expect("signs in")
        .json()
        .await
        .expect("a session");
    Run {
        name,
        agent_token: login["token"].as_str().expect("a token").to_owned(),
        _database: database,
        hubs: processes,
        store,
    }
}

impl Run {
    fn hub(&self, index: usize) -> String {
        self.hubs[index % self.hubs.len()].url()
    }

    /// Signed webhooks, 32 in flight, spread over the hubs; until every one is stored and
    /// its interaction routed.
    async fn webhooks(&self, fake: &FakeTwilio) -> f64 {
        let started = Instant::now();
        futures::stream::iter(0..WEBHOOKS)
            .for_each_concurrent(IN_FLIGHT, |index| {
                let hub = self.hub(index);
                async move {
                    let status = fake
                        .text_in_via(
                            &hub,
                            PUBLIC_URL,
                            &format!("SMt{index:08}"),
                            &format!("+1202{index:07}"),
                            "benchmark message",
                        )
                        .await;
                    assert_eq!(status, 200, "a webhook is stored");
                }
            })
            .await;
        loop {
            let mut routed = 0;
            for agent in 1..=4 {
                routed += self
                    .store
                    .list_interactions(agent)
                    .await
                    .expect("interactions")
                    .len();
            }
            if routed >= WEBHOOKS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        per_second(WEBHOOKS, started.elapsed())
    }

    /// `GET /healthz`, 32 in flight, spread over the hubs.
    async fn health(&self) -> f64 {
        let http = reqwest::Client::new();
        let started = Instant::now();
        futures::stream::iter(0..WEBHOOKS)
            .for_each_concurrent(IN_FLIGHT, |index| {
                let (http, url) = (http.clone(), format!("{}/healthz", self.hub(index)));
                async move {
                    let response = http.get(url).send().await.expect("healthz");
                    assert!(response.status().is_success());
                }
            })
            .await;
        per_second(WEBHOOKS, started.elapsed())
    }

    /// Webhook → the agent's WebSocket, at a steady rate. The agent is on the last hub.
    async fn latency(&self, fake: &FakeTwilio) -> (Duration, Duration) {
        let head = self.store.head_seq().await.expect("head");
        let ws_url = format!(
            "ws://{}/api/ws?since={head}",
            self.hubs[self.hubs.len() - 1].address
        );
        let mut request = ws_url.into_client_request().expect("a request");
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {}", self.agent_token)
                .parse()
                .expect("a header value"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the stream");
        let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
        let count = usize::try_from(RATE * LATENCY_SECONDS).expect("small");
        let receiving = {
            let sent = sent.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(count);
                while latencies.len() < count {
                    let Some(Ok(frame)) = socket.next().await else {
                        break;
                    };
                    let received = Instant::now();
                    match frame {
                        tokio_tungstenite::tungstenite::Message::Text(text) => {
                            let event: Event = serde_json::from_str(&text).expect("an event");
                            if let EventKind::Message { message } = event.kind
                                && let Some(at) =
                                    sent.lock().expect("not poisoned").get(&message.body)
                            {
                                latencies.push(received - *at);
                            }
                        }
                        tokio_tungstenite::tungstenite::Message::Ping(payload) => {
                            socket
                                .send(tokio_tungstenite::tungstenite::Message::Pong(payload))
                                .await
                                .expect("pong");
                        }
                        _ => {}
                    }
                }
                latencies
            })
        };
        let mut ticks = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
        let mut posts = Vec::with_capacity(count);
        for index in 0..count {
            ticks.tick().await;
            let (fake, hub, sent) = (fake.clone(), self.hub(index), sent.clone());
            posts.push(tokio::spawn(async move {
                let body = format!("latency {index}");
                sent.lock()
                    .expect("not poisoned")
                    .insert(body.clone(), Instant::now());
                fake.text_in_via(
                    &hub,
                    PUBLIC_URL,
                    &format!("SMl{index:08}"),
                    &format!("+1203{index:07}"),
                    &body,
                )
                .await
            }));
        }
        for post in posts {
            assert_eq!(post.await.expect("posted"), 200);
        }
        let mut latencies = tokio::time::timeout(Duration::from_secs(30), receiving)
            .await
            .expect("every message reaches the agent")
            .expect("the stream reader");
        latencies.sort();
        (percentile(&latencies, 0.5), percentile(&latencies, 0.99))
    }

    /// `GET /healthz` at the same steady rate, for comparison.
    async fn health_latency(&self) -> (Duration, Duration) {
        let http = reqwest::Client::new();
        let mut ticks = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
        let mut calls = Vec::new();
        for index in 0..usize::try_from(RATE * 5).expect("small") {
            ticks.tick().await;
            let (http, url) = (http.clone(), format!("{}/healthz", self.hub(index)));
            calls.push(tokio::spawn(async move {
                let started = Instant::now();
                http.get(url).send().await.expect("healthz");
                started.elapsed()
            }));
        }
        let mut latencies = Vec::new();
        for call in calls {
            latencies.push(call.await.expect("a call"));
        }
        latencies.sort();
        (percentile(&latencies, 0.5), percentile(&latencies, 0.99))
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeTwilio::start().await;
    let mut configurations: Vec<(&'static str, Option<TestDatabase>, usize)> =
        vec![("sqlite, 1 hub", Some(TestDatabase::sqlite()), 1)];
    if let Some(one) = TestDatabase::postgres().await {
        configurations.push(("postgres, 1 hub", Some(one), 1));
        configurations.push(("postgres, 2 hubs", TestDatabase::postgres().await, 2));
    } else {
        eprintln!("note: PARLEY_TEST_POSTGRES_URL is not set; PostgreSQL is not measured");
    }
    println!(
        "{:<18} {:>12} {:>14} {:>10} {:>13} {:>10} {:>10} {:>10} {:>10}",
        "engine",
        "webhooks/s",
        "INSERT rows/s",
        "ratio",
        "healthz/s",
        "p50 ms",
        "p99 ms",
        "healthz p50",
        "p99"
    );
    let mut baselines: HashMap<&'static str, f64> = HashMap::new();
    for (name, database, hubs) in configurations {
        let database = database.expect("a database");
        let engine = if database.engine == "sqlite" {
            "sqlite"
        } else {
            "postgres"
        };
        let baseline = match baselines.get(engine) {
            Some(rate) => *rate,
            None => {
                let scratch = if engine == "sqlite" {
                    TestDatabase::sqlite()
                } else {
                    TestDatabase::postgres().await.expect("PostgreSQL")
                };
                let rate = insert_baseline(&scratch.database).await;
                baselines.insert(engine, rate);
                rate
            }
        };
        let run = start(name, database, hubs, &fake).await;
        let health = run.health().await;
        let webhooks = run.webhooks(&fake).await;
        let (p50, p99) = run.latency(&fake).await;
        let (health_p50, health_p99) = run.health_latency().await;
        println!(
            "{:<18} {:>12.0} {:>14.0} {:>10.2} {:>13.0} {:>10.1} {:>10.1} {:>10.2} {:>10.2}",
            run.name,
            webhooks,
            baseline,
            webhooks / baseline,
            health,
            millis(p50),
            millis(p99),
            millis(health_p50),
            millis(health_p99),
        );
        // Its hubs stop (kill on drop) before the next configuration starts.
        drop(run);
    }
}
