//! The hub's edges, tried from outside: HTTPS with a certificate renewed by `SIGHUP` (the
//! real binary), request bodies and event stream messages over their limits, open
//! connections past the limit waiting their turn, and an agent's quota of pictures not
//! sent yet.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use parley_hub::config::{Config, Database, LimitsConfig, ProviderKind};
use parley_hub::{AgentSettings, RunningHub};
use parley_proto::Role;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

/// A self-signed certificate for 127.0.0.1 and localhost: (certificate PEM, key PEM).
fn certificate() -> (String, String) {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("a certificate");
    (made.cert.pem(), made.signing_key.serialize_pem())
}

/// A client that trusts only `certificate`.
fn trusting(certificate: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(certificate.as_bytes()).expect("PEM")])
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a client")
}

async fn healthy(client: &reqwest::Client, url: &str) -> bool {
    client
        .get(format!("{url}/healthz"))
        .send()
        .await
        .is_ok_and(|answer| answer.status().is_success())
}

fn hang_up(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_serves_https_and_takes_a_renewed_certificate_on_sighup() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let (cert_path, key_path) = (
        folder.path().join("cert.pem"),
        folder.path().join("key.pem"),
    );
    let (first, first_key) = certificate();
    std::fs::write(&cert_path, &first).expect("write");
    std::fs::write(&key_path, &first_key).expect("write");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|probe| probe.local_addr())
        .expect("a free port")
        .port();
    let mut hub = tokio::process::Command::new(env!("CARGO_BIN_EXE_parley-hub"))
        .arg("serve")
        .env_clear()
        .env("PARLEY_LISTEN", format!("127.0.0.1:{port}"))
        .env("PARLEY_DATABASE", folder.path().join("hub.db"))
        .env("PARLEY_UI_DIR", folder.path().join("no-ui"))
        .env("PARLEY_TLS_CERTIFICATE", &cert_path)
        .env("PARLEY_TLS_KEY", &key_path)
        .kill_on_drop(true)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the hub starts");
    let pid = hub.id().expect("a pid");
    let url = format!("https://127.0.0.1:{port}");
    let old = trusting(&first);
    let mut up = false;
    for _ in 0..100 {
        if healthy(&old, &url).await {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the hub answers over HTTPS");
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(
        plain.is_err(),
        "plain HTTP gets no answer from a TLS port: {plain:?}"
    );

    // A renewed certificate, and SIGHUP: new connections get it.
    let (second, second_key) = certificate();
    std::fs::write(&cert_path, &second).expect("write");
    std::fs::write(&key_path, &second_key).expect("write");
    hang_up(pid);
    let new = trusting(&second);
    let mut renewed = false;
    for _ in 0..50 {
        if healthy(&new, &url).await {
            renewed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(renewed, "the renewed certificate is served after SIGHUP");
    assert!(
        !healthy(&trusting(&first), &url).await,
        "the old certificate is no longer served"
    );

    // A broken file and SIGHUP: the certificate in use stays, the hub keeps serving.
    std::fs::write(&cert_path, "not a certificate").expect("write");
    hang_up(pid);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(healthy(&trusting(&second), &url).await);
    assert!(hub.try_wait().expect("status").is_none(), "still running");
    hub.kill().await.expect("stopped");
}

#[tokio::test]
async fn a_hub_with_a_key_that_cannot_be_read_does_not_start() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let (cert, _) = certificate();
    std::fs::write(folder.path().join("cert.pem"), cert).expect("write");
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        database: Database::Sqlite(folder.path().join("hub.db")),
        ui_dir: folder.path().join("no-ui"),
        ..Config::default()
    };
    config.tls.certificate = Some(folder.path().join("cert.pem"));
    config.tls.key = Some(folder.path().join("missing-key.pem"));
    let Err(error) = parley_hub::start(config).await else {
        panic!("a hub without its key must not start");
    };
    assert!(
        error.to_string().contains("missing-key.pem"),
        "the error names the file: {error}"
    );
}

async fn hub(folder: &tempfile::TempDir, limits: LimitsConfig) -> RunningHub {
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        database: Database::Sqlite(folder.path().join("hub.db")),
        ui_dir: folder.path().join("no-ui"),
        provider: ProviderKind::Sim,
        limits,
        ..Config::default()
    };
    parley_hub::start(config).await.expect("the hub starts")
}

async fn signed_in(hub: &RunningHub) -> String {
    let hash = parley_hub::hash_password("pw").expect("a hash");
    hub.store
        .create_agent(
            "ana",
            "Ana",
            &hash,
            AgentSettings {
                role: Role::Agent,
                auto_answer: false,
                max_chats: 3,
                permissions: None,
            },
        )
        .await
        .expect("an account");
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/api/login", hub.base_url()))
        .json(&json!({ "login": "ana", "password": "pw" }))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    answer["token"].as_str().expect("a token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_and_stream_messages_past_their_limits_are_refused() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(&folder, LimitsConfig::default()).await;
    let token = signed_in(&hub).await;
    let http = reqwest::Client::new();
    let huge = "x".repeat(LimitsConfig::default().max_request_bytes + 1);
    let answer = http
        .put(format!("{}/api/contacts/1", hub.base_url()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!("{{\"name\":\"{huge}\"}}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 413, "a JSON body past the limit");
    let answer = http
        .post(format!("{}/webhooks/twilio/sms", hub.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("Body={huge}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 413, "a webhook body past the limit");

    let mut request = format!("{}/api/ws", hub.base_url().replace("http://", "ws://"))
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("a header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the stream opens");
    let big = "y".repeat(LimitsConfig::default().max_stream_message_bytes + 1);
    socket.send(Frame::Text(big.into())).await.expect("sent");
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_) | Ok(Frame::Close(_))) => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("the stream ends");
    assert!(
        ended,
        "the hub closes a stream that sends a message past the limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_wait_until_one_closes() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(
        &folder,
        LimitsConfig {
            max_connections: 2,
            ..LimitsConfig::default()
        },
    )
    .await;
    // Two idle connections take both places.
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(hub.address)
            .await
            .expect("connected");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("sent");
        idle.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = reqwest::Client::new()
        .get(format!("{}/healthz", hub.base_url()))
        .timeout(Duration::from_millis(800))
        .send()
        .await;
    assert!(waiting.is_err(), "a third connection waits: {waiting:?}");
    drop(idle.pop());
    let served = reqwest::Client::new()
        .get(format!("{}/healthz", hub.base_url()))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("served once a place is free");
    assert!(served.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_cannot_pile_up_pictures_that_are_not_sent() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let photo = parley_hub::pictures::sample("photo.jpg")
        .expect("a sample")
        .1;
    let size = u64::try_from(photo.len()).expect("small");
    let hub = hub(
        &folder,
        LimitsConfig {
            upload_quota_bytes: size * 2,
            ..LimitsConfig::default()
        },
    )
    .await;
    let token = signed_in(&hub).await;
    let upload = || {
        reqwest::Client::new()
            .post(format!("{}/api/uploads", hub.base_url()))
            .bearer_auth(&token)
            .header("content-type", "image/jpeg")
            .body(photo.clone())
            .send()
    };
    assert_eq!(upload().await.expect("an answer").status(), 201);
    assert_eq!(upload().await.expect("an answer").status(), 201);
    let refused = upload().await.expect("an answer");
    assert_eq!(refused.status(), 429);
    let error: Value = refused.json().await.expect("JSON");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| message.contains("not sent yet")),
        "{error}"
    );
}
