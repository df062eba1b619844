//! The hub as admins run it, as a process of its own on SQLite: Prometheus `/metrics`
//! counts what it did, JSON logs carry each request's id, SIGTERM finishes the webhooks
//! under way and closes event streams with a reconnect hint within a bounded time, and
//! `backup` under load restores to the same messages.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use parley_hub::config::Database;
use parley_hub::{AgentSettings, Store};
use parley_scenarios::FakeTwilio;
use parley_scenarios::campaign::{query_all, query_one};
use parley_scenarios::fake_twilio::ScriptedError;
use parley_scenarios::processes::{HubProcess, HubSetup};
use parley_scenarios::{agent_in, eventually, init_logging};
use tokio::io::AsyncWriteExt as _;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

const HUB: &str = env!("CARGO_BIN_EXE_parley-hub-under-test");

fn agent_settings() -> AgentSettings {
    AgentSettings {
        role: parley_proto::Role::Agent,
        auto_answer: false,
        max_chats: 3,
        permissions: None,
    }
}

struct Running {
    fake: FakeTwilio,
    hub: HubProcess,
    database: Database,
    folder: tempfile::TempDir,
    http: reqwest::Client,
}

async fn running(extra_config: &str) -> Running {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let database = Database::Sqlite(folder.path().join("parley.db"));
    let hub = HubProcess::start(
        &HubSetup {
            binary: HUB,
            name: "hub",
            database: &database,
            public_url: "",
            folder: folder.path(),
            log_filter: "info,sqlx=warn",
            extra_config,
        },
        &fake,
    )
    .await;
    Running {
        fake,
        hub,
        database,
        folder,
        http: reqwest::Client::new(),
    }
}

async fn sign_in(http: &reqwest::Client, url: &str, login: &str) -> String {
    let answer: serde_json::Value = http
        .post(format!("{url}/api/login"))
        .json(&serde_json::json!({ "login": login, "password": "password" }))
        .send()
        .await
        .expect("the hub answers")
        .json()
        .await
        .expect("a session");
    answer["token"].as_str().expect("a token").to_owned()
}

/// Opens the event stream as `token`'s agent.
async fn open_stream(
    url: &str,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = format!("{}/api/ws", url.replacen("http", "ws", 1))
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("a header"),
    );
    tokio_tungstenite::connect_async(request)
        .await
        .expect("the stream opens")
        .0
}

/// The samples of a Prometheus text: `name{labels}` → value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

async fn scrape(running: &Running, token: Option<&str>) -> reqwest::Response {
    let mut request = running.http.get(format!("{}/metrics", running.hub.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the hub answers")
}

async fn figures(running: &Running) -> HashMap<String, f64> {
    let answer = scrape(running, Some("scrape-secret")).await;
    assert_eq!(answer.status(), 200);
    samples(&answer.text().await.expect("a body"))
}

fn figure(figures: &HashMap<String, f64>, name: &str) -> f64 {
    figures.get(name).copied().unwrap_or(0.0)
}

/// Customers texting the hub without pause, several at once, until told to stop or the hub
/// no longer answers.
struct Texting {
    stop: Arc<std::sync::atomic::AtomicBool>,
    sent: Arc<AtomicUsize>,
    /// Each webhook the hub answered: its sid and the HTTP status.
    answered: Arc<std::sync::Mutex<Vec<(String, u16)>>>,
    lanes: Vec<tokio::task::JoinHandle<()>>,
}

impl Texting {
    fn start(running: &Running, lanes: u8) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let answered = Arc::new(std::sync::Mutex::new(Vec::new()));
        let webhook = format!("{}/webhooks/twilio/sms", running.hub.url());
        let lanes = (0..lanes)
            .map(|lane| {
                let (fake, webhook) = (running.fake.clone(), webhook.clone());
                let (stop, sent, answered) = (stop.clone(), sent.clone(), answered.clone());
                tokio::spawn(async move {
                    for n in 0_u64.. {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let sid = format!("SM{lane:02}{n:030}");
                        let from = format!("+1201555{lane:02}{:02}", n % 100);
                        let params = fake.inbound_params(&sid, &from, "hi");
                        sent.fetch_add(1, Ordering::SeqCst);
                        match fake.try_post_webhook(&webhook, &params).await {
                            Some(status) => answered.lock().expect("lock").push((sid, status)),
                            None => return,
                        }
                    }
                })
            })
            .collect();
        Self {
            stop,
            sent,
            answered,
            lanes,
        }
    }

    /// How many webhooks the hub answered 200 so far.
    fn stored(&self) -> usize {
        let answered = self.answered.lock().expect("lock");
        answered.iter().filter(|(_, status)| *status == 200).count()
    }

    /// Stops (or waits for the hub to have stopped them); what was sent and answered.
    async fn finish(self) -> (usize, Vec<(String, u16)>) {
        self.stop.store(true, Ordering::SeqCst);
        for lane in self.lanes {
            lane.await.expect("a lane ends");
        }
        let answered = self.answered.lock().expect("lock").clone();
        (self.sent.load(Ordering::SeqCst), answered)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_webhooks_sends_the_queue_agents_and_streams() {
    let running = running("[service]\nmetrics_token = \"scrape-secret\"").await;
    let url = running.hub.url();
    let store = Store::open(&running.database).await.expect("the database");
    for login in ["ana", "ben"] {
        agent_in(&store, login, "password", agent_settings()).await;
    }

    assert_eq!(scrape(&running, None).await.status(), 401, "no token");
    assert_eq!(
        scrape(&running, Some("wrong")).await.status(),
        401,
        "a wrong token"
    );
    let before = figures(&running).await;
    assert_eq!(figure(&before, "parley_agents{status=\"notReady\"}"), 2.0);
    assert_eq!(figure(&before, "parley_queue_length"), 0.0);

    // Two customers text; a third webhook is forged.
    for (sid, from) in [
        ("SM00000000000000000000000000000001", "+12015550111"),
        ("SM00000000000000000000000000000002", "+12015550112"),
    ] {
        let (status, _) = running.fake.text_in(&url, sid, from, "hello").await;
        assert_eq!(status, 200);
    }
    let params = running.fake.inbound_params(
        "SM00000000000000000000000000000003",
        "+12015550113",
        "forged",
    );
    let (status, _) = running
        .fake
        .post_webhook(
            &format!("{url}/webhooks/twilio/sms"),
            &params,
            Some("forged"),
        )
        .await;
    assert_eq!(status, 403);

    // Ana sends one text that the provider takes and one it refuses (21610: opted out).
    let token = sign_in(&running.http, &url, "ana").await;
    let interaction: serde_json::Value = running
        .http
        .post(format!("{url}/api/interactions"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "phone": "+12015550199" }))
        .send()
        .await
        .expect("the hub answers")
        .json()
        .await
        .expect("an interaction");
    let send = |body: &'static str| {
        let request = running
            .http
            .post(format!("{url}/api/messages"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "contactId": interaction["contactId"],
                "interactionId": interaction["id"],
                "body": body,
                "clientKey": format!("service-{body}"),
            }));
        async move {
            let answer = request.send().await.expect("the hub answers");
            let status = answer.status();
            assert!(
                status.is_success(),
                "{status}: {}",
                answer.text().await.unwrap_or_default()
            );
        }
    };
    send("taken").await;
    eventually("the first text to reach the provider", || async {
        (running.fake.accepted().len() == 1).then_some(())
    })
    .await;
    running.fake.fail_next(ScriptedError {
        http_status: 400,
        code: 21610,
        message: "Attempt to send to unsubscribed recipient".to_owned(),
        retry_after: None,
    });
    send("refused").await;

    // A stream is open while the figures are read.
    let mut stream = open_stream(&url, &token).await;
    let during = eventually(
        "the provider's refusal and the stream to be counted",
        || async {
            let figures = figures(&running).await;
            (figure(
                &figures,
                "parley_sends_total{outcome=\"rejected\",error_code=\"21610\"}",
            ) == 1.0
                && figure(
                    &figures,
                    "parley_connected_clients{transport=\"websocket\"}",
                ) == 1.0)
                .then_some(figures)
        },
    )
    .await;
    assert_eq!(
        figure(&during, "parley_webhooks_received_total{kind=\"inbound\"}"),
        2.0
    );
    assert_eq!(
        figure(
            &during,
            "parley_webhooks_refused_total{kind=\"inbound\",reason=\"signature\"}"
        ),
        1.0
    );
    assert_eq!(
        figure(
            &during,
            "parley_sends_total{outcome=\"accepted\",error_code=\"\"}"
        ),
        1.0
    );
    assert_eq!(figure(&during, "parley_send_duration_seconds_count"), 2.0);
    // Nobody is Ready: both customers wait.
    assert_eq!(figure(&during, "parley_queue_length"), 2.0);
    assert!(figure(&during, "parley_queue_oldest_wait_seconds") > 0.0);
    assert!(figure(&during, "parley_db_commit_duration_seconds_count") > 0.0);

    // Ana goes Ready: the figures follow.
    let answer = running
        .http
        .put(format!("{url}/api/me/status"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "status": "ready" }))
        .send()
        .await
        .expect("the hub answers");
    assert!(answer.status().is_success(), "{}", answer.status());
    let after = figures(&running).await;
    assert_eq!(figure(&after, "parley_agents{status=\"ready\"}"), 1.0);
    assert_eq!(figure(&after, "parley_agents{status=\"notReady\"}"), 1.0);

    stream.close(None).await.expect("the stream closes");
    eventually("the closed stream to be counted off", || async {
        let figures = figures(&running).await;
        (figure(
            &figures,
            "parley_connected_clients{transport=\"websocket\"}",
        ) == 0.0)
            .then_some(())
    })
    .await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_each_request_id_and_the_start_warns_about_public_url() {
    let running = running("[service]\nlog_format = \"json\"").await;
    let url = running.hub.url();
    let params =
        running
            .fake
            .inbound_params("SM00000000000000000000000000000009", "+12015550119", "hi");
    let signature = parley_sms::signature::compute(
        &running.fake.auth_token,
        &format!("{url}/webhooks/twilio/sms"),
        &params,
    );
    let answer = running
        .http
        .post(format!("{url}/webhooks/twilio/sms"))
        .header("X-Twilio-Signature", signature)
        .header("X-Request-Id", "proxy-id-42")
        .form(&params)
        .send()
        .await
        .expect("the hub answers");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["x-request-id"],
        "proxy-id-42",
        "the id is answered"
    );
    let fresh = running
        .http
        .get(format!("{url}/healthz"))
        .send()
        .await
        .expect("the hub answers");
    let made = fresh.headers()["x-request-id"].to_str().expect("text");
    assert_eq!(made.len(), 36, "a UUID when the client sent none: {made}");

    let stored = eventually("the stored message to be logged", || async {
        running.hub.log_text().lines().find_map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).ok()?;
            (entry["fields"]["message"] == "inbound message stored").then_some(entry)
        })
    })
    .await;
    assert_eq!(stored["span"]["id"], "proxy-id-42", "{stored}");
    assert_eq!(stored["span"]["path"], "/webhooks/twilio/sms", "{stored}");

    let log = running.hub.log_text();
    for line in log.lines() {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        assert!(
            entry["level"].is_string() && entry["timestamp"].is_string(),
            "{line}"
        );
    }
    // Its public_url is plain http on loopback: the start says both.
    let warnings: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("\"WARN\"") && line.contains("public_url"))
        .collect();
    assert!(
        warnings.iter().any(|line| line.contains("is not https")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|line| line.contains("cannot reach it")),
        "{warnings:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_webhooks_under_way_and_tells_streams_to_reconnect() {
    let mut running = running("[service]\nshutdown_grace_ms = 5000").await;
    let url = running.hub.url();
    // A reload (SIGHUP) without TLS changes nothing and stops nothing.
    running.hub.hang_up();
    eventually("the reload to be noted", || async {
        running
            .hub
            .log_text()
            .contains("SIGHUP: no TLS certificate")
            .then_some(())
    })
    .await;
    let health = running.http.get(format!("{url}/healthz")).send().await;
    assert!(
        health.is_ok_and(|answer| answer.status() == 200),
        "still serving after SIGHUP"
    );
    let store = Store::open(&running.database).await.expect("the database");
    agent_in(&store, "ana", "password", agent_settings()).await;
    let token = sign_in(&running.http, &url, "ana").await;
    let mut stream = open_stream(&url, &token).await;

    // Customers text without pause; SIGTERM comes in the middle.
    let texting = Texting::start(&running, 8);
    eventually("webhooks to flow", || async {
        (texting.stored() > 100).then_some(())
    })
    .await;
    let (status, took) = running.hub.terminate(Duration::from_secs(15)).await;
    let (sent, answered) = texting.finish().await;
    assert!(
        status.success(),
        "a clean exit: {status}\n{}",
        running.hub.log_text()
    );
    assert!(
        took < Duration::from_secs(5),
        "stopped within the grace period: {took:?}"
    );

    // The stream was told to come back.
    let close = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(frame) = stream.next().await {
            if let Ok(Frame::Close(close)) = frame {
                return close;
            }
        }
        None
    })
    .await
    .expect("the stream ends")
    .expect("with a close frame");
    assert_eq!(u16::from(close.code), 1012, "service restart: {close:?}");
    assert!(close.reason.contains("reconnect"), "{close:?}");

    // Every webhook the hub answered 200 is stored; none was answered with an error.
    assert!(
        answered.iter().all(|(_, status)| *status == 200),
        "only 200s: {:?}",
        answered
            .iter()
            .filter(|(_, status)| *status != 200)
            .take(5)
            .collect::<Vec<_>>()
    );
    let stored: std::collections::HashSet<String> = query_all::<(String,)>(
        &running.database,
        "SELECT provider_sid FROM messages WHERE direction = 'inbound'",
    )
    .await
    .into_iter()
    .map(|(sid,)| sid)
    .collect();
    for (sid, _) in &answered {
        assert!(
            stored.contains(sid),
            "{sid} was answered 200 but not stored"
        );
    }
    eprintln!(
        "{} webhooks sent, {} answered before SIGTERM ended the hub after {took:?}",
        sent,
        answered.len()
    );
    let log = running.hub.log_text();
    assert!(
        log.contains("stopped") && log.contains("finished=true"),
        "{log}"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_never_finishes_does_not_hold_the_stop_past_its_grace() {
    let mut running = running("[service]\nshutdown_grace_ms = 1000").await;
    // A client sends half a webhook and nothing more.
    let mut half = tokio::net::TcpStream::connect(running.hub.address)
        .await
        .expect("the hub takes the connection");
    half.write_all(
        b"POST /webhooks/twilio/sms HTTP/1.1\r\nHost: hub\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nBody=hel",
    )
    .await
    .expect("half a request is written");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, took) = running.hub.terminate(Duration::from_secs(10)).await;
    assert!(status.success(), "{status}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "waited for the grace period, then stopped: {took:?}"
    );
    let log = running.hub.log_text();
    assert!(log.contains("finished=false"), "{log}");
    assert!(log.contains("shutdown grace period ended"), "{log}");
    drop(half);
}

/// `parley-hub --config CONFIG COMMAND FLAG FILE` (backup --to, restore --from): its output.
async fn hub_command(
    config: &std::path::Path,
    command: &str,
    flag: &str,
    file: &std::path::Path,
) -> std::process::Output {
    tokio::process::Command::new(HUB)
        .arg("--config")
        .arg(config)
        .args([command, flag])
        .arg(file)
        .output()
        .await
        .unwrap_or_else(|error| panic!("parley-hub {command} runs: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_to_the_same_messages() {
    let running = running("").await;
    let config = HubProcess::config_path(running.folder.path(), "hub");
    let texting = Texting::start(&running, 4);
    eventually("webhooks to flow", || async {
        (texting.stored() > 200).then_some(())
    })
    .await;
    let backup = running
        .folder
        .path()
        .join("backups")
        .join("parley-backup.db");
    std::fs::create_dir_all(backup.parent().expect("a folder")).expect("the folder");
    let stored_before = texting.stored();
    let output = hub_command(&config, "backup", "--to", &backup).await;
    let stored_after = texting.stored();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout).to_string();
    // More keep coming after the backup.
    eventually("more webhooks after the backup", || async {
        (texting.stored() > stored_after + 50).then_some(())
    })
    .await;
    texting.finish().await;

    // The backup holds one moment: between what was stored before and after it ran.
    let in_backup = query_one(
        &Database::Sqlite(backup.clone()),
        "SELECT COUNT(*) FROM messages",
    )
    .await;
    let in_backup_usize = usize::try_from(in_backup).expect("a count");
    assert!(
        (stored_before..=stored_after).contains(&in_backup_usize),
        "{stored_before} ≤ {in_backup} ≤ {stored_after}"
    );
    assert!(
        said.contains(&format!("backed up {in_backup} messages")),
        "{said}"
    );

    // Restored in place of a fresh database: the same messages, and a hub serves them.
    let restored = running.folder.path().join("restored");
    std::fs::create_dir_all(&restored).expect("a folder");
    let restored_config = restored.join("hub.toml");
    std::fs::write(
        &restored_config,
        format!(
            "database = \"sqlite://{}\"\n",
            restored.join("parley.db").display()
        ),
    )
    .expect("a config");
    let output = hub_command(&restored_config, "restore", "--from", &backup).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let back = Database::Sqlite(restored.join("parley.db"));
    assert_eq!(
        query_one(&back, "SELECT COUNT(*) FROM messages").await,
        in_backup
    );
    let restored_sids: Vec<(String,)> =
        query_all(&back, "SELECT provider_sid FROM messages ORDER BY id").await;
    let backup_sids: Vec<(String,)> = query_all(
        &Database::Sqlite(backup.clone()),
        "SELECT provider_sid FROM messages ORDER BY id",
    )
    .await;
    assert_eq!(
        restored_sids, backup_sids,
        "the same messages, in the same order"
    );

    // Restoring over a database asks for --replace, and keeps the old one.
    let again = hub_command(&restored_config, "restore", "--from", &backup).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--replace"));
    // A second backup to the same file is refused.
    let twice = hub_command(&config, "backup", "--to", &backup).await;
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("exists already"));
}
