//! The simulated carrier is a developer's tool, kept in its place: its endpoints answer
//! only supervisors and admins, only on a hub that listens on loopback (or says otherwise
//! in its config), and its pictures are only its own samples — it never makes the hub
//! fetch an address someone typed. `parley-hub simulate` acts as a supervisor or admin.

use parley_hub::config::{Config, Database, ProviderKind};
use parley_hub::{AgentSettings, RunningHub};
use parley_proto::Role;
use serde_json::{Value, json};

async fn hub(folder: &tempfile::TempDir, listen: &str, allow_remote: bool) -> RunningHub {
    let mut config = Config {
        listen: listen.parse().expect("an address"),
        database: Database::Sqlite(folder.path().join("hub.db")),
        ui_dir: folder.path().join("no-ui"),
        provider: ProviderKind::Sim,
        ..Config::default()
    };
    config.sim.allow_remote = allow_remote;
    parley_hub::start(config).await.expect("the hub starts")
}

/// A supervisor's session token.
async fn supervisor(hub: &RunningHub) -> String {
    let hash = parley_hub::hash_password("pw").expect("a hash");
    hub.store
        .create_agent(
            "lee",
            "Lee",
            &hash,
            AgentSettings {
                role: Role::Supervisor,
                auto_answer: false,
                max_chats: 3,
                permissions: None,
            },
        )
        .await
        .expect("an account");
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/api/login", local_url(hub)))
        .json(&json!({ "login": "lee", "password": "pw" }))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    answer["token"].as_str().expect("a token").to_owned()
}

/// The hub's URL over loopback, whatever address it listens on.
fn local_url(hub: &RunningHub) -> String {
    format!("http://127.0.0.1:{}", hub.address.port())
}

async fn inject(hub: &RunningHub, token: &str, media: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/sim/inbound", local_url(hub)))
        .bearer_auth(token)
        .json(&json!({ "from": "+12015550123", "body": "hello", "media": media }))
        .send()
        .await
        .expect("an answer")
}

#[tokio::test]
async fn the_carrier_is_off_beyond_loopback_unless_the_config_says_so() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let everywhere = hub(&folder, "0.0.0.0:0", false).await;
    let token = supervisor(&everywhere).await;
    assert_eq!(inject(&everywhere, &token, json!([])).await.status(), 404);
    let sample = reqwest::get(format!("{}/sim/media/photo.jpg", local_url(&everywhere)))
        .await
        .expect("an answer");
    assert_eq!(sample.status(), 404, "nor its file store");
    everywhere.stop().await;

    let folder = tempfile::tempdir().expect("a temp folder");
    let allowed = hub(&folder, "0.0.0.0:0", true).await;
    let token = supervisor(&allowed).await;
    assert_eq!(inject(&allowed, &token, json!([])).await.status(), 201);
    allowed.stop().await;
}

#[tokio::test]
async fn the_carrier_attaches_only_its_own_samples() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(&folder, "127.0.0.1:0", false).await;
    let token = supervisor(&hub).await;
    let head = hub.store.head_seq().await.expect("the log");
    for address in [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/a.jpg",
        "file:///etc/passwd",
        "../hub.db",
        "photo.jpg/../../hub.db",
    ] {
        let refused = inject(&hub, &token, json!([address])).await;
        assert_eq!(refused.status(), 400, "{address}");
        let error: Value = refused.json().await.expect("JSON");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|message| message.contains("not one of the carrier's samples")),
            "{address}: {error}"
        );
    }
    assert_eq!(
        hub.store.head_seq().await.expect("the log"),
        head,
        "a refused text changes nothing"
    );
    let taken = inject(&hub, &token, json!(["photo.jpg", "missing.jpg"])).await;
    assert_eq!(taken.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_acts_as_a_supervisor_or_admin_and_says_when_there_is_none() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(&folder, "127.0.0.1:0", false).await;
    let run = |arguments: &[&str]| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_parley-hub"))
            .args(["simulate", "--hub", &hub.base_url()])
            .args(arguments)
            .env_clear()
            .env("PARLEY_DATABASE", folder.path().join("hub.db"))
            .output()
    };
    let inbound = ["inbound", "--from", "+12015550123", "--body", "hi"];
    let none = run(&inbound).await.expect("the command runs");
    assert!(!none.status.success());
    let said = String::from_utf8_lossy(&none.stderr);
    assert!(said.contains("acts as a supervisor or an admin"), "{said}");

    let hash = parley_hub::hash_password("pw").expect("a hash");
    for (login, role) in [("ana", Role::Agent), ("lee", Role::Supervisor)] {
        hub.store
            .create_agent(
                login,
                login,
                &hash,
                AgentSettings {
                    role,
                    auto_answer: false,
                    max_chats: 3,
                    permissions: None,
                },
            )
            .await
            .expect("an account");
    }
    let as_agent = run(&["--as", "ana", "inbound", "--from", "+12015550123"])
        .await
        .expect("the command runs");
    assert!(!as_agent.status.success());
    let said = String::from_utf8_lossy(&as_agent.stderr);
    assert!(said.contains("ana is an agent"), "{said}");

    let sent = run(&inbound).await.expect("the command runs");
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let answer: Value = serde_json::from_slice(&sent.stdout).expect("JSON");
    assert!(
        answer["sid"]
            .as_str()
            .is_some_and(|sid| sid.starts_with("SM"))
    );
    let outbox = run(&["outbox", "--json"]).await.expect("the command runs");
    assert!(
        outbox.status.success(),
        "{}",
        String::from_utf8_lossy(&outbox.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_finds_the_hub_at_the_configured_listen_address() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(&folder, "127.0.0.1:0", false).await;
    let hash = parley_hub::hash_password("pw").expect("a hash");
    hub.store
        .create_agent(
            "lee",
            "Lee",
            &hash,
            AgentSettings {
                role: Role::Supervisor,
                auto_answer: false,
                max_chats: 3,
                permissions: None,
            },
        )
        .await
        .expect("a supervisor");
    // No --hub: the listen address comes from PARLEY_LISTEN, as the hub itself reads it.
    let port = hub
        .base_url()
        .rsplit(':')
        .next()
        .expect("a port")
        .to_owned();
    let sent = tokio::process::Command::new(env!("CARGO_BIN_EXE_parley-hub"))
        .args([
            "simulate",
            "inbound",
            "--from",
            "+12015550124",
            "--body",
            "hi",
        ])
        .env_clear()
        .env("PARLEY_DATABASE", folder.path().join("hub.db"))
        .env("PARLEY_LISTEN", format!("0.0.0.0:{port}"))
        .output()
        .await
        .expect("the command runs");
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let config = folder.path().join("hub.toml");
    std::fs::write(&config, format!("listen = \"127.0.0.1:{port}\"\n")).expect("a config file");
    let listed = tokio::process::Command::new(env!("CARGO_BIN_EXE_parley-hub"))
        .args(["--config"])
        .arg(&config)
        .args(["simulate", "outbox"])
        .env_clear()
        .env("PARLEY_DATABASE", folder.path().join("hub.db"))
        .output()
        .await
        .expect("the command runs");
    assert!(
        listed.status.success(),
        "the config file's listen address: {}",
        String::from_utf8_lossy(&listed.stderr)
    );
}
