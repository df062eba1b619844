//! The hub on each engine — SQLite with one hub, PostgreSQL with one hub and with two — every
//! hub a release process of its own, on this machine. Printed, never asserted, each figure
//! beside a baseline measured in the same run:
//! - signed inbound webhooks stored (and then routed) per second, posted by `parley-load`
//!   from a process of its own (64 in flight per hub), against bare `INSERT` loops of the
//!   same rows on the same engine (one commit a row, and 100 rows a commit, as durable as
//!   the hub's) and `GET /healthz` from `parley-load` the same way (HTTP on loopback alone);
//! - webhook → agent WebSocket event latency, p50 and p99, at a steady 100 messages a
//!   second with 500 agents signed in and their streams open (with two hubs the webhooks
//!   alternate between them and the agents between the hubs, so half the messages cross
//!   from one hub to the other), every delivery to every stream counted, against
//!   `GET /healthz` latency at the same rate.
//!
//! PostgreSQL runs need `PARLEY_TEST_POSTGRES_URL`; `make bench` starts a throwaway cluster.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use parley_hub::config::Database;
use parley_hub::testing::TestDatabase;
use parley_hub::{AgentSettings, Store};
use parley_proto::{Event, EventKind, Role};
use parley_scenarios::FakeTwilio;
use parley_scenarios::processes::{HubProcess, HubSetup};
use sqlx::Connection as _;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

const WEBHOOKS: usize = 20_000;
/// The customers texting in (each a conversation to route).
const SENDERS: usize = 1_000;
const IN_FLIGHT: usize = 64;
const BASELINE_ROWS: usize = 2_000;
const BATCHED_ROWS: usize = 20_000;
const RATE: u64 = 100;
const LATENCY_SECONDS: u64 = 10;
/// Agents signed in with their event streams open while latency is measured.
const CONNECTED: usize = 500;
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

/// The bare `INSERT` loops on the engine of `database`: rows shaped as the hub's messages
/// (with the unique provider id it checks), one commit a row and 100 rows a commit, as
/// durable as the hub's. Rows a second for each.
async fn insert_baselines(database: &Database) -> (f64, f64) {
    const TABLE: &str = "CREATE TABLE baseline_rows (id {key}, contact_id BIGINT NOT NULL, \
        direction TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, \
        provider_sid TEXT UNIQUE, from_number TEXT NOT NULL, to_number TEXT NOT NULL, \
        created_at BIGINT NOT NULL)";
    let insert = |numbered: bool, rows: usize| {
        let mut sql = String::from(
            "INSERT INTO baseline_rows (contact_id, direction, body, status, provider_sid, \
             from_number, to_number, created_at) VALUES ",
        );
        let mut n = 0;
        for row in 0..rows {
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for column in 0..8 {
                if column > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                if numbered {
                    sql.push_str(&format!("${n}"));
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        sqlx::AssertSqlSafe(sql)
    };
    macro_rules! run_loops {
        ($connection:expr, $numbered:expr) => {{
            let mut sid = 0_u64;
            macro_rules! rows {
                ($query:expr, $count:expr) => {{
                    let mut query = $query;
                    for _ in 0..$count {
                        sid += 1;
                        query = query
                            .bind(i64::try_from(sid % 1000).expect("small"))
                            .bind("inbound")
                            .bind("Load message: is my order on its way?")
                            .bind("received")
                            .bind(format!("SM{sid:032x}"))
                            .bind("+12025550100")
                            .bind("+15550100000")
                            .bind(1_700_000_000_000_i64);
                    }
                    query
                }};
            }
            let started = Instant::now();
            for _ in 0..BASELINE_ROWS {
                rows!(sqlx::query(insert($numbered, 1)), 1)
                    .execute(&mut $connection)
                    .await
                    .expect("a row");
            }
            let one = per_second(BASELINE_ROWS, started.elapsed());
            let started = Instant::now();
            for _ in 0..BATCHED_ROWS / 100 {
                rows!(sqlx::query(insert($numbered, 100)), 100)
                    .execute(&mut $connection)
                    .await
                    .expect("100 rows");
            }
            (one, per_second(BATCHED_ROWS, started.elapsed()))
        }};
    }
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
            sqlx::query(sqlx::AssertSqlSafe(
                TABLE.replace("{key}", "INTEGER PRIMARY KEY"),
            ))
            .execute(&mut connection)
            .await
            .expect("a table");
            run_loops!(connection, false)
        }
        Database::Postgres(url) => {
            let mut connection = sqlx::PgConnection::connect(url)
                .await
                .expect("the database");
            sqlx::query(sqlx::AssertSqlSafe(
                TABLE.replace("{key}", "BIGSERIAL PRIMARY KEY"),
            ))
            .execute(&mut connection)
            .await
            .expect("a table");
            run_loops!(connection, true)
        }
    }
}

/// An agent's open event stream.
type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What `parley-load` measured.
#[derive(Default)]
struct Load {
    per_second: f64,
    seconds: f64,
    p99_ms: f64,
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

/// Signs `login` in (password `bench`) and sets them Ready, as their app would; the token.
async fn ready(hub: &str, login: &str) -> String {
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{hub}/api/login"))
        .json(&serde_json::json!({ "login": login, "password": "bench" }))
        .send()
        .await
        .expect("signs in")
        .json()
        .await
        .expect("a session");
    let token = session["token"].as_str().expect("a token").to_owned();
    let response = http
        .put(format!("{hub}/api/me/status"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "status": "ready", "reason": null }))
        .send()
        .await
        .expect("Ready");
    assert!(response.status().is_success(), "{}", response.status());
    token
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
        store
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
    }
    // Signed in before Ready: the router hands back the chats of an agent with no session.
    let mut agent_token = String::new();
    for login in ["bench", "ana", "ben", "cai"] {
        agent_token = ready(&processes[hubs - 1].url(), login).await;
    }
    Run {
        name,
        agent_token,
        _database: database,
        hubs: processes,
        store,
    }
}

impl Run {
    fn hub(&self, index: usize) -> String {
        self.hubs[index % self.hubs.len()].url()
    }

    /// `parley-load` against each hub at once (a process of its own per hub, sharing
    /// `count` between them); its figures summed.
    async fn load(&self, fake: &FakeTwilio, what: &str, run: &str, count: usize) -> Load {
        let mut processes = Vec::new();
        for (index, hub) in self.hubs.iter().enumerate() {
            let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_parley-load"));
            command
                .arg("--hub")
                .arg(hub.url())
                .arg("--count")
                .arg((count / self.hubs.len()).to_string())
                .arg("--concurrency")
                .arg(IN_FLIGHT.to_string())
                .arg(what);
            if what == "webhooks" {
                command
                    .arg("--auth-token")
                    .arg(&fake.auth_token)
                    .arg("--public-url")
                    .arg(PUBLIC_URL)
                    .arg("--account-sid")
                    .arg(&fake.account_sid)
                    .arg("--to")
                    .arg(parley_scenarios::fake_twilio::OUR_NUMBER)
                    .arg("--senders")
                    .arg((SENDERS / self.hubs.len()).to_string())
                    .arg("--prefix")
                    .arg(format!("+120{index}"))
                    .arg("--run")
                    .arg(format!("{run}{index}"));
            }
            processes.push(command.stdin(std::process::Stdio::null()).output());
        }
        let mut load = Load::default();
        for output in futures::future::join_all(processes).await {
            let output = output.expect("parley-load runs");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "parley-load failed: {stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let figures: serde_json::Value = stdout
                .lines()
                .last()
                .and_then(|line| serde_json::from_str(line).ok())
                .expect("parley-load's figures");
            let number = |name: &str| figures[name].as_f64().expect("a figure");
            load.per_second += number("per_second");
            load.seconds = load.seconds.max(number("seconds"));
            load.p99_ms = load.p99_ms.max(number("p99_ms"));
        }
        load
    }

    /// Signed webhooks from `parley-load`, spread over the hubs, until every one is
    /// stored (answered) and every conversation routed.
    async fn webhooks(&self, fake: &FakeTwilio) -> (Load, f64) {
        let load = self.load(fake, "webhooks", "w", WEBHOOKS).await;
        let ended = Instant::now();
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
            if routed >= SENDERS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let routed = WEBHOOKS as f64 / (load.seconds + ended.elapsed().as_secs_f64());
        (load, routed)
    }

    /// Signs in `CONNECTED` agents (Ready, answering automatically), spread over the hubs;
    /// the bench agent is the first. Answers (hub, session token) of each.
    async fn sign_in_agents(&self) -> Vec<(usize, String)> {
        let hash = parley_hub::hash_password("bench").expect("hashing works");
        let mut tokens = vec![(self.hubs.len() - 1, self.agent_token.clone())];
        for index in 1..CONNECTED {
            let login = format!("watch{index:03}");
            self.store
                .create_agent(
                    &login,
                    &login,
                    &hash,
                    AgentSettings {
                        role: Role::Agent,
                        auto_answer: true,
                        max_chats: 5,
                        permissions: None,
                    },
                )
                .await
                .expect("an agent");
            let hub = index % self.hubs.len();
            tokens.push((hub, ready(&self.hubs[hub].url(), &login).await));
        }
        tokens
    }

    /// Opens each agent's event stream from now on: the full view (every event the agent
    /// may see, as the browser had it), or `scoped` (only the agent's own, as the desktop
    /// and the browser follow it now).
    async fn connect_agents(&self, tokens: &[(usize, String)], scoped: bool) -> Vec<Socket> {
        let head = self.store.head_seq().await.expect("head");
        let scope = if scoped { "&scope=agent" } else { "" };
        let mut sockets = Vec::with_capacity(tokens.len());
        for (hub, token) in tokens {
            let ws_url = format!(
                "ws://{}/api/ws?since={head}{scope}",
                self.hubs[*hub].address
            );
            let mut request = ws_url.into_client_request().expect("a request");
            request.headers_mut().insert(
                "authorization",
                format!("Bearer {token}").parse().expect("a header value"),
            );
            let (socket, _) = tokio_tungstenite::connect_async(request)
                .await
                .expect("the stream");
            sockets.push(socket);
        }
        sockets
    }

    /// Webhook → the offered agent's scoped stream, at a steady rate: each new customer's
    /// text is offered (and, the agents answering automatically, accepted) to one of the
    /// `CONNECTED` agents, whose stream alone carries it. Returns p50, p99 and the offers.
    async fn offer_latency(
        &self,
        fake: &FakeTwilio,
        tokens: &[(usize, String)],
    ) -> (Duration, Duration, usize) {
        let sockets = self.connect_agents(tokens, true).await;
        let count = usize::try_from(RATE * LATENCY_SECONDS).expect("small");
        let deadline = Instant::now() + Duration::from_secs(LATENCY_SECONDS + 30);
        let offered: Arc<Mutex<HashMap<i64, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
        let mut readers = Vec::with_capacity(sockets.len());
        for mut socket in sockets {
            let offered = offered.clone();
            readers.push(tokio::spawn(async move {
                while let Some((text, received)) = next_text(&mut socket, deadline).await {
                    let event: Event = serde_json::from_str(&text).expect("an event");
                    if let EventKind::Interaction { interaction } = event.kind
                        && interaction.agent_id.is_some()
                    {
                        offered
                            .lock()
                            .expect("not poisoned")
                            .entry(interaction.contact_id)
                            .or_insert(received);
                    }
                }
            }));
        }
        let mut sent: HashMap<String, Instant> = HashMap::new();
        let mut ticks = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
        let mut posts = Vec::with_capacity(count);
        for index in 0..count {
            ticks.tick().await;
            let phone = format!("+1204{index:07}");
            sent.insert(phone.clone(), Instant::now());
            let (fake, hub) = (fake.clone(), self.hub(index));
            posts.push(tokio::spawn(async move {
                fake.text_in_via(
                    &hub,
                    PUBLIC_URL,
                    &format!("SMo{index:08}"),
                    &phone,
                    &format!("offer {index}"),
                )
                .await
            }));
        }
        for post in posts {
            assert_eq!(post.await.expect("posted"), 200);
        }
        // Every offer reached its agent, or the deadline passed.
        while Instant::now() < deadline && offered.lock().expect("not poisoned").len() < count {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for reader in readers {
            reader.abort();
        }
        let offered = offered.lock().expect("not poisoned").clone();
        let mut latencies = Vec::with_capacity(offered.len());
        for (contact_id, received) in offered {
            let contact = self.store.contact(contact_id).await.expect("the contact");
            if let Some(at) = sent.get(&contact.phone) {
                latencies.push(received - *at);
            }
        }
        latencies.sort();
        (
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies.len(),
        )
    }

    /// Webhook → every connected agent's WebSocket, at a steady rate: each delivery of a
    /// message event to each socket is one latency. Returns p50, p99 and the deliveries.
    async fn latency(
        &self,
        fake: &FakeTwilio,
        tokens: &[(usize, String)],
    ) -> (Duration, Duration, usize) {
        let sockets = self.connect_agents(tokens, false).await;
        let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
        let count = usize::try_from(RATE * LATENCY_SECONDS).expect("small");
        let deadline = Instant::now() + Duration::from_secs(LATENCY_SECONDS + 30);
        let mut readers = Vec::with_capacity(sockets.len());
        for mut socket in sockets {
            let sent = sent.clone();
            readers.push(tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(count);
                while latencies.len() < count {
                    let Some((text, received)) = next_text(&mut socket, deadline).await else {
                        break;
                    };
                    // Most frames are other events: parse only the ones measured.
                    if !text.contains("latency ") {
                        continue;
                    }
                    let event: Event = serde_json::from_str(&text).expect("an event");
                    if let EventKind::Message { message } = event.kind
                        && let Some(at) = sent.lock().expect("not poisoned").get(&message.body)
                    {
                        latencies.push(received - *at);
                    }
                }
                latencies
            }));
        }
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
        let mut latencies = Vec::new();
        for reader in readers {
            latencies.extend(reader.await.expect("a stream reader"));
        }
        latencies.sort();
        (
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies.len(),
        )
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

/// The next text frame of an agent's stream and when it came (pings answered on the way);
/// `None` once the stream ends or `deadline` passes.
async fn next_text(socket: &mut Socket, deadline: Instant) -> Option<(String, Instant)> {
    use tokio_tungstenite::tungstenite::Message as Frame;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(Ok(frame))) = tokio::time::timeout(left, socket.next()).await else {
            return None;
        };
        match frame {
            Frame::Text(text) => return Some((text.to_string(), Instant::now())),
            Frame::Ping(payload) => {
                let _ = socket.send(Frame::Pong(payload)).await;
            }
            _ => {}
        }
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
    let mut baselines: HashMap<&'static str, (f64, f64)> = HashMap::new();
    for (name, database, hubs) in configurations {
        let database = database.expect("a database");
        let engine = if database.engine == "sqlite" {
            "sqlite"
        } else {
            "postgres"
        };
        let (one_a_commit, batched) = match baselines.get(engine) {
            Some(rates) => *rates,
            None => {
                let scratch = if engine == "sqlite" {
                    TestDatabase::sqlite()
                } else {
                    TestDatabase::postgres().await.expect("PostgreSQL")
                };
                let rates = insert_baselines(&scratch.database).await;
                baselines.insert(engine, rates);
                rates
            }
        };
        let run = start(name, database, hubs, &fake).await;
        let health = run.load(&fake, "healthz", "h", WEBHOOKS).await;
        let (stored, routed) = run.webhooks(&fake).await;
        let tokens = run.sign_in_agents().await;
        let (p50, p99, deliveries) = run.latency(&fake, &tokens).await;
        let (offer_p50, offer_p99, offers) = run.offer_latency(&fake, &tokens).await;
        let (health_p50, health_p99) = run.health_latency().await;
        let webhooks = stored.per_second;
        println!("{}", run.name);
        println!(
            "  signed inbound webhooks, stored   {webhooks:>9.0} msg/s  p99 {:.1} ms ({WEBHOOKS} from {SENDERS} customers, {IN_FLIGHT} in flight per hub, parley-load)",
            stored.p99_ms
        );
        println!("  ... and every conversation routed {routed:>9.0} msg/s");
        println!(
            "  bare INSERT, one commit a row     {one_a_commit:>9.0} rows/s  webhooks {:.2}x this",
            webhooks / one_a_commit
        );
        println!(
            "  bare INSERT, 100 rows a commit    {batched:>9.0} rows/s  webhooks {:.2}x this",
            webhooks / batched
        );
        println!(
            "  GET /healthz                      {:>9.0} req/s  webhooks {:.2}x this",
            health.per_second,
            webhooks / health.per_second
        );
        println!(
            "  webhook -> agent sockets, {RATE} msg/s, {CONNECTED} agents connected: p50 {:.1} ms, p99 {:.1} ms over {deliveries} of {} deliveries (GET /healthz at that rate: p50 {:.2} ms, p99 {:.2} ms)",
            millis(p50),
            millis(p99),
            CONNECTED * usize::try_from(RATE * LATENCY_SECONDS).expect("small"),
            millis(health_p50),
            millis(health_p99),
        );
        println!(
            "  webhook -> the offered agent's scoped stream, {RATE} msg/s, {CONNECTED} agents connected: p50 {:.1} ms, p99 {:.1} ms over {offers} of {} offers",
            millis(offer_p50),
            millis(offer_p99),
            usize::try_from(RATE * LATENCY_SECONDS).expect("small"),
        );
        // Its hubs stop (kill on drop) before the next configuration starts.
        drop(run);
    }
}
