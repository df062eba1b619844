//! A contact center's volumes on each engine: `parley-hub seed` fills a database with
//! contacts, messages and agents (default 100,000 / 1,000,000 / 200), then a release hub
//! process answers an agent over HTTP. Printed, never asserted, each beside a baseline
//! measured in the same run:
//! - the contact list's first page (100 rows, with unread counts), against `GET /healthz`
//!   (HTTP on loopback alone);
//! - a contact's newest page of messages (100), for contacts picked at random;
//! - search (the top 50) for a rare word, a common word and a one-letter prefix, against
//!   the bare full-text query of the same words on the same database (SQLite's FTS5, or
//!   PostgreSQL's `tsvector`), with no HTTP, JSON or rows around it;
//! - a desktop core's first sign-in (snapshot fetched and applied, stream connected, the
//!   Communication tab's contact list and chats read), against the hub answering the
//!   snapshot alone, with the replica's size; then the Communication tab's reads on that
//!   desktop (contact list, a contact's newest 100 messages);
//! - an agent's own contacts, first page (what the browser's list asks for).
//!
//! `PARLEY_BENCH_CONTACTS`, `PARLEY_BENCH_MESSAGES` and `PARLEY_BENCH_AGENTS` change the
//! volumes. PostgreSQL runs need `PARLEY_TEST_POSTGRES_URL` (`make bench-volume` starts a
//! throwaway cluster).

use std::time::{Duration, Instant};

use parley_hub::config::Database;
use parley_hub::testing::TestDatabase;
use parley_scenarios::FakeTwilio;
use parley_scenarios::processes::{HubProcess, HubSetup};
use rand::Rng as _;

/// Requests timed for each figure.
const SAMPLES: usize = 200;
const PUBLIC_URL: &str = "http://parley.example";

fn volume(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default().as_secs_f64() * 1_000.0
}

/// p50 and p95 of `SAMPLES` runs of `call`, in milliseconds.
async fn time<F, Fut>(mut call: F) -> (f64, f64)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // One call first, so the figures are of a warm hub, as an agent meets it.
    call(0).await;
    let mut took = Vec::with_capacity(SAMPLES);
    for sample in 0..SAMPLES {
        let started = Instant::now();
        call(sample).await;
        took.push(started.elapsed());
    }
    took.sort();
    (percentile(&took, 0.5), percentile(&took, 0.95))
}

/// The bare full-text query for `word` (the top 50, newest first) on the engine.
async fn bare_search(database: &Database, word: &str) -> (f64, f64) {
    match database {
        Database::Sqlite(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .read_only(true);
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .expect("the database");
            let query = parley_proto::search::fts5_query(word).expect("a query");
            time(|_| {
                let (query, pool) = (query.clone(), pool.clone());
                async move {
                    let _: Vec<i64> = sqlx::query_scalar(
                        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? \
                         ORDER BY rowid DESC LIMIT 50",
                    )
                    .bind(query)
                    .fetch_all(&pool)
                    .await
                    .expect("matches");
                }
            })
            .await
        }
        Database::Postgres(url) => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .expect("the database");
            let query = parley_proto::search::tsquery(word).expect("a query");
            time(|_| {
                let (query, pool) = (query.clone(), pool.clone());
                async move {
                    let _: Vec<i64> = sqlx::query_scalar(
                        "SELECT id FROM messages WHERE words @@ $1::tsquery \
                         ORDER BY id DESC LIMIT 50",
                    )
                    .bind(query)
                    .fetch_all(&pool)
                    .await
                    .expect("matches");
                }
            })
            .await
        }
    }
}

async fn run(name: &str, database: TestDatabase, fake: &FakeTwilio) {
    let (contacts, messages, agents) = (
        volume("PARLEY_BENCH_CONTACTS", 100_000),
        volume("PARLEY_BENCH_MESSAGES", 1_000_000),
        volume("PARLEY_BENCH_AGENTS", 200),
    );
    let binary = env!("CARGO_BIN_EXE_parley-hub-under-test");
    let seeding = Instant::now();
    let seeded = tokio::process::Command::new(binary)
        .arg("seed")
        .args(["--contacts", &contacts.to_string()])
        .args(["--messages", &messages.to_string()])
        .args(["--agents", &agents.to_string()])
        .env(
            "PARLEY_DATABASE",
            parley_scenarios::processes::database_url(&database.database),
        )
        .env("PARLEY_PASSWORD", "bench-pass")
        .env("PARLEY_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .await
        .expect("parley-hub seed runs");
    assert!(seeded.success(), "parley-hub seed failed");
    let seeded_in = seeding.elapsed();
    let hub = HubProcess::start(
        &HubSetup {
            binary,
            name: "volume",
            database: &database.database,
            public_url: PUBLIC_URL,
            folder: database.folder.path(),
            log_filter: "warn",
            extra_config: "",
        },
        fake,
    )
    .await;
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/api/login", hub.url()))
        .json(&serde_json::json!({ "login": "agent001", "password": "bench-pass" }))
        .send()
        .await
        .expect("signs in")
        .json()
        .await
        .expect("a session");
    let token = login["token"].as_str().expect("a token").to_owned();
    let get = |path: String| {
        let (http, url, token) = (http.clone(), format!("{}{path}", hub.url()), token.clone());
        async move {
            let response = http
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("the hub answers");
            assert!(response.status().is_success(), "{}", response.status());
            response.bytes().await.expect("a body");
        }
    };
    let health = time(|_| get("/healthz".to_owned())).await;
    let list = time(|_| get("/api/contacts?limit=100".to_owned())).await;
    let mine = time(|_| get("/api/contacts?mine=true&limit=100".to_owned())).await;
    let picks: Vec<usize> = {
        let mut random = rand::rng();
        (0..=SAMPLES)
            .map(|_| random.random_range(1..=contacts))
            .collect()
    };
    let transcript = time(|sample| {
        get(format!(
            "/api/contacts/{}/messages?limit=100",
            picks[sample]
        ))
    })
    .await;
    println!(
        "{name}: {contacts} contacts, {messages} messages, {agents} agents (seeded in {:.0} s)",
        seeded_in.as_secs_f64()
    );
    println!(
        "  GET /healthz                         p50 {:>6.2} ms  p95 {:>6.2} ms  (baseline)",
        health.0, health.1
    );
    println!(
        "  contact list, first page (100)       p50 {:>6.2} ms  p95 {:>6.2} ms",
        list.0, list.1
    );
    println!(
        "  an agent's own contacts, first page  p50 {:>6.2} ms  p95 {:>6.2} ms",
        mine.0, mine.1
    );
    println!(
        "  a contact's newest 100 messages      p50 {:>6.2} ms  p95 {:>6.2} ms",
        transcript.0, transcript.1
    );
    first_sign_in(&hub.url(), &token, database.folder.path()).await;
    for (what, word) in [
        ("rare word", "roaming"),
        ("common word", "order"),
        ("one-letter prefix", "a"),
    ] {
        let searched = time(|_| get(format!("/api/search?q={word}"))).await;
        let bare = bare_search(&database.database, word).await;
        println!(
            "  search, {what:<18} {:<9} p50 {:>6.2} ms  p95 {:>6.2} ms  (bare full-text query p95 {:.2} ms: {:.1}x)",
            format!("\"{word}\""),
            searched.0,
            searched.1,
            bare.1,
            searched.1 / bare.1.max(0.001)
        );
    }
}

/// A desktop core signing in for the first time, as `agent001`.
async fn first_sign_in(hub_url: &str, token: &str, folder: &std::path::Path) {
    let api = parley_client::hub_api::HubApi::new(hub_url)
        .expect("a client")
        .with_token(token.to_owned());
    let started = Instant::now();
    let snapshot = api.snapshot().await.expect("a snapshot");
    let fetched = started.elapsed();

    let data = folder.join("desktop");
    let (client, sink) = parley_scenarios::desktop(&data);
    let started = Instant::now();
    client
        .login(hub_url, "agent001", "bench-pass")
        .await
        .expect("signs in");
    parley_scenarios::eventually("the desktop to be online", || async {
        (sink.connection() == Some(parley_proto::ConnectionState::Online)).then_some(())
    })
    .await;
    let contacts = client.list_contacts().await.expect("the contact list");
    let chats = client.list_interactions().await.expect("the chats");
    let ready = started.elapsed();
    let size: u64 = std::fs::read_dir(&data)
        .expect("the desktop's folder")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("replica-"))
        .filter_map(|entry| entry.metadata().ok())
        .map(|metadata| metadata.len())
        .sum();
    println!(
        "  desktop first sign-in, Communication tab ready  {:>8.1} ms  (snapshot alone {:.1} ms: {:.1}x; {} contacts, {} messages, {} chats; replica {:.1} MB; list shows {})",
        ready.as_secs_f64() * 1_000.0,
        fetched.as_secs_f64() * 1_000.0,
        ready.as_secs_f64() / fetched.as_secs_f64().max(0.000_001),
        snapshot.contacts.len(),
        snapshot.messages.len(),
        chats.len(),
        size as f64 / 1_048_576.0,
        contacts.len()
    );
    let held: Vec<i64> = snapshot.contacts.iter().map(|contact| contact.id).collect();
    if held.is_empty() {
        eprintln!("note: agent001 has no contact in the window; the desktop's pages are not timed");
        return;
    }
    let list = time(|_| async {
        client.list_contacts().await.expect("the contact list");
    })
    .await;
    let page = time(|sample| {
        let contact_id = held[sample % held.len()];
        let client = client.clone();
        async move {
            client
                .message_page(
                    contact_id,
                    &parley_proto::MessagePageRequest {
                        before: None,
                        after: None,
                        limit: 100,
                    },
                )
                .await
                .expect("a page");
        }
    })
    .await;
    println!(
        "  desktop contact list (replica)       p50 {:>6.2} ms  p95 {:>6.2} ms",
        list.0, list.1
    );
    println!(
        "  desktop, a contact's newest 100 messages  p50 {:>6.2} ms  p95 {:>6.2} ms",
        page.0, page.1
    );
    client.logout().await.expect("signs out");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeTwilio::start().await;
    run("sqlite", TestDatabase::sqlite(), &fake).await;
    match TestDatabase::postgres().await {
        Some(database) => run("postgres", database, &fake).await,
        None => eprintln!("note: PARLEY_TEST_POSTGRES_URL is not set; PostgreSQL is not measured"),
    }
}
