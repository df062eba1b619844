//! Accounts and sessions over real HTTP and WebSocket: failed sign-ins wait (429 with
//! Retry-After) per login and per address; a disabled account cannot sign in and its open
//! stream closes within a second, as on sign-out and when an admin ends its sessions; a new
//! password ends the old sessions; a session slides while it is used and ends when idle;
//! the stream opens with a single-use ticket or a bearer header, never a token in the URL.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use parley_hub::config::{Config, Database, ProviderKind, SessionsConfig};
use parley_hub::{AgentSettings, FakeClock, RunningHub, Store, StoreOptions};
use parley_proto::Role;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;

async fn hub(folder: &tempfile::TempDir, sessions: SessionsConfig) -> RunningHub {
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        database: Database::Sqlite(folder.path().join("hub.db")),
        ui_dir: folder.path().join("no-ui"),
        provider: ProviderKind::Sim,
        sessions,
        ..Config::default()
    };
    parley_hub::start(config).await.expect("the hub starts")
}

async fn account(hub: &RunningHub, login: &str, role: Role) -> i64 {
    let hash = parley_hub::hash_password("right password").expect("a hash");
    let settings = AgentSettings {
        role,
        auto_answer: false,
        max_chats: 3,
        permissions: None,
    };
    hub.store
        .create_agent(login, login, &hash, settings)
        .await
        .expect("an account")
        .id
}

async fn sign_in(hub: &RunningHub, login: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/login", hub.base_url()))
        .json(&json!({ "login": login, "password": password }))
        .send()
        .await
        .expect("an answer")
}

async fn token(hub: &RunningHub, login: &str) -> String {
    let answer: Value = sign_in(hub, login, "right password")
        .await
        .json()
        .await
        .expect("JSON");
    answer["token"].as_str().expect("a token").to_owned()
}

/// A single-use ticket for the event stream.
async fn stream_ticket(hub: &RunningHub, token: &str) -> String {
    let answer = reqwest::Client::new()
        .post(format!("{}/api/ws/ticket", hub.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    let ticket: Value = answer.json().await.expect("JSON");
    ticket["ticket"].as_str().expect("a ticket").to_owned()
}

fn stream_url(hub: &RunningHub, ticket: &str) -> String {
    format!(
        "{}/api/ws?ticket={ticket}",
        hub.base_url().replace("http://", "ws://")
    )
}

/// The HTTP status a WebSocket handshake to `url` is answered with (101 when it opens).
async fn handshake(url: &str, bearer: Option<&str>) -> u16 {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut request = url.into_client_request().expect("a request");
    if let Some(token) = bearer {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("a header value"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(error) => panic!("no answer: {error}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_opens_with_a_single_use_ticket_or_a_header_never_a_token_in_the_url() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(&folder, SessionsConfig::default()).await;
    account(&hub, "ana", Role::Agent).await;
    let token = token(&hub, "ana").await;
    let base = hub.base_url().replace("http://", "ws://");

    let ticket = stream_ticket(&hub, &token).await;
    assert_ne!(ticket, token);
    assert_eq!(handshake(&stream_url(&hub, &ticket), None).await, 101);
    assert_eq!(
        handshake(&stream_url(&hub, &ticket), None).await,
        401,
        "a ticket opens one stream"
    );
    assert_eq!(handshake(&stream_url(&hub, "made-up"), None).await, 401);
    assert_eq!(
        handshake(&format!("{base}/api/ws?token={token}"), None).await,
        401,
        "the session's token is not taken from the URL"
    );
    assert_eq!(handshake(&format!("{base}/api/ws"), None).await, 401);
    assert_eq!(
        handshake(&format!("{base}/api/ws"), Some(&token)).await,
        101,
        "clients that can set headers send the bearer header"
    );
    let no_session = reqwest::Client::new()
        .post(format!("{}/api/ws/ticket", hub.base_url()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(no_session.status(), 401);

    // A ticket is worth no more than its session: signing out voids the ones not used.
    let unused = stream_ticket(&hub, &token).await;
    let out = reqwest::Client::new()
        .post(format!("{}/api/logout", hub.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(out.status(), 204);
    assert_eq!(handshake(&stream_url(&hub, &unused), None).await, 401);
}

#[tokio::test]
async fn a_stream_ticket_is_used_once_and_only_within_its_time() {
    for db in parley_hub::testing::TestDatabase::each().await {
        let clock = std::sync::Arc::new(FakeClock::at(1_000_000_000));
        let store = Store::open_with(
            &db.database,
            StoreOptions {
                clock: clock.clone(),
                ..StoreOptions::default()
            },
        )
        .await
        .expect("a store");
        let settings = AgentSettings {
            role: Role::Agent,
            auto_answer: false,
            max_chats: 3,
            permissions: None,
        };
        let ana = store
            .create_agent("ana", "Ana", "not-a-hash", settings)
            .await
            .expect("an account");
        let day = 24 * 60 * 60 * 1000;
        store
            .create_session(ana.id, "session", store.now() + day)
            .await
            .expect("a session");
        let engine = db.engine;
        for ticket in ["one", "two"] {
            assert!(
                store
                    .create_stream_ticket("session", ticket, store.now() + 30_000)
                    .await
                    .expect("a ticket"),
                "{engine}"
            );
        }
        assert_eq!(
            store.redeem_stream_ticket("one").await.expect("redeem"),
            Some("session".to_owned()),
            "{engine}"
        );
        assert_eq!(
            store.redeem_stream_ticket("one").await.expect("redeem"),
            None,
            "{engine}: used once"
        );
        clock.advance(30_000);
        assert_eq!(
            store.redeem_stream_ticket("two").await.expect("redeem"),
            None,
            "{engine}: expired"
        );
        assert!(
            !store
                .create_stream_ticket("no such session", "three", store.now() + 30_000)
                .await
                .expect("no ticket"),
            "{engine}: a ticket needs a live session"
        );
    }
}

/// Opens the event stream and waits for it to close; how long it stayed open after
/// `action` ran.
async fn closes_after(
    hub: &RunningHub,
    token: &str,
    action: impl std::future::Future<Output = ()>,
) -> Duration {
    let ticket = stream_ticket(hub, token).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(stream_url(hub, &ticket))
        .await
        .expect("the stream opens");
    socket
        .send(Frame::Ping(Vec::new().into()))
        .await
        .expect("a ping");
    action.await;
    let started = tokio::time::Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(frame) = socket.next().await {
            match frame {
                Ok(Frame::Close(close)) => return close.map(|close| u16::from(close.code)),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("the stream closed");
    assert_eq!(closed, Some(4001), "closed as a session that ended");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_wait_per_login_and_per_address() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(
        &folder,
        SessionsConfig {
            failures_per_login: 3,
            failures_per_address: 5,
            ..SessionsConfig::default()
        },
    )
    .await;
    account(&hub, "ana", Role::Agent).await;
    account(&hub, "bo", Role::Agent).await;
    for _ in 0..3 {
        assert_eq!(sign_in(&hub, "ana", "wrong").await.status(), 401);
    }
    let held = sign_in(&hub, "ana", "right password").await;
    assert_eq!(held.status(), 429, "even the right password waits now");
    let retry: u64 = held
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .expect("a Retry-After in seconds");
    assert!(retry > 60 && retry <= 15 * 60, "{retry}");
    let error: Value = held.json().await.expect("an error");
    assert_eq!(error["code"], "tooManyRequests");
    // Another login from this address still may, until the address has used up its five.
    assert_eq!(sign_in(&hub, "bo", "right password").await.status(), 200);
    assert_eq!(sign_in(&hub, "nobody", "guess").await.status(), 401);
    assert_eq!(sign_in(&hub, "nobody-else", "guess").await.status(), 401);
    assert_eq!(
        sign_in(&hub, "bo", "right password").await.status(),
        429,
        "the address used up its failures"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_signing_out_and_ending_sessions_close_the_stream_within_a_second() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let hub = hub(&folder, SessionsConfig::default()).await;
    let ana = account(&hub, "ana", Role::Agent).await;
    account(&hub, "max", Role::Admin).await;
    let admin = token(&hub, "max").await;
    let http = reqwest::Client::new();

    // Sign-out.
    let session = token(&hub, "ana").await;
    let open = closes_after(&hub, &session, async {
        let answer = http
            .post(format!("{}/api/logout", hub.base_url()))
            .bearer_auth(&session)
            .send()
            .await
            .expect("signed out");
        assert_eq!(answer.status(), 204);
    })
    .await;
    assert!(
        open <= Duration::from_millis(1_500),
        "closed after {open:?}"
    );

    // An admin ends every session of hers.
    let session = token(&hub, "ana").await;
    let open = closes_after(&hub, &session, async {
        let answer: Value = http
            .post(format!(
                "{}/api/agents/{ana}/revoke-sessions",
                hub.base_url()
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("revoked")
            .json()
            .await
            .expect("JSON");
        assert_eq!(answer["revoked"], 1);
    })
    .await;
    assert!(
        open <= Duration::from_millis(1_500),
        "closed after {open:?}"
    );

    // Disabled: the stream closes, the old session is gone, and she cannot sign in.
    let session = token(&hub, "ana").await;
    let open = closes_after(&hub, &session, async {
        let answer: Value = http
            .post(format!("{}/api/agents/{ana}/disable", hub.base_url()))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("disabled")
            .json()
            .await
            .expect("the agent");
        assert_eq!(answer["disabled"], true);
    })
    .await;
    assert!(
        open <= Duration::from_millis(1_500),
        "closed after {open:?}"
    );
    let me = http
        .get(format!("{}/api/me", hub.base_url()))
        .bearer_auth(&session)
        .send()
        .await
        .expect("an answer");
    assert_eq!(me.status(), 401);
    let refused = sign_in(&hub, "ana", "right password").await;
    assert_eq!(refused.status(), 403);
    let error: Value = refused.json().await.expect("an error");
    assert_eq!(
        error["message"],
        "this account is disabled: ask your administrator"
    );
    // Enabled again, with a new password set by the admin: the old one no longer works.
    let enabled = http
        .post(format!("{}/api/agents/{ana}/enable", hub.base_url()))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("enabled");
    assert_eq!(enabled.status(), 200);
    let session = token(&hub, "ana").await;
    let changed = http
        .put(format!("{}/api/agents/{ana}/password", hub.base_url()))
        .bearer_auth(&admin)
        .json(&json!({ "password": "a brand new one" }))
        .send()
        .await
        .expect("set");
    assert_eq!(changed.status(), 204);
    let me = http
        .get(format!("{}/api/me", hub.base_url()))
        .bearer_auth(&session)
        .send()
        .await
        .expect("an answer");
    assert_eq!(me.status(), 401, "a new password ends the old sessions");
    assert_eq!(sign_in(&hub, "ana", "right password").await.status(), 401);
    assert_eq!(sign_in(&hub, "ana", "a brand new one").await.status(), 200);
}

#[tokio::test]
async fn a_session_slides_while_used_and_ends_when_idle_or_too_old() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let clock = std::sync::Arc::new(FakeClock::at(1_000_000_000));
    let store = Store::open_with(
        &Database::Sqlite(folder.path().join("hub.db")),
        StoreOptions {
            clock: clock.clone(),
            ..StoreOptions::default()
        },
    )
    .await
    .expect("a store");
    let settings = AgentSettings {
        role: Role::Agent,
        auto_answer: false,
        max_chats: 3,
        permissions: None,
    };
    let ana = store
        .create_agent("ana", "Ana", "not-a-hash", settings)
        .await
        .expect("an account");
    let (idle, lifetime) = (60 * 60 * 1000, 4 * 60 * 60 * 1000);
    store
        .create_session(ana.id, "hash-of-the-token", store.now() + idle)
        .await
        .expect("a session");
    // Used every 50 minutes: it lasts, up to its lifetime of four hours.
    for _ in 0..4 {
        clock.advance(50 * 60 * 1000);
        assert!(
            store
                .use_session("hash-of-the-token", Some((idle, lifetime)))
                .await
                .expect("read")
                .is_some(),
            "still signed in at {}",
            store.now()
        );
    }
    clock.advance(50 * 60 * 1000);
    assert!(
        store
            .use_session("hash-of-the-token", Some((idle, lifetime)))
            .await
            .expect("read")
            .is_none(),
        "over four hours since sign-in"
    );
    // Left alone for more than the idle time: it ends.
    store
        .create_session(ana.id, "another", store.now() + idle)
        .await
        .expect("a session");
    clock.advance(idle + 1);
    assert!(
        store
            .session_agent("another")
            .await
            .expect("read")
            .is_none()
    );
}
