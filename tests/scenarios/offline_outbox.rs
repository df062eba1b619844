//! The hub goes away while the agent types: messages wait in the desktop's outbox, shown as
//! pending, and are sent exactly once, in order, when the hub is back — also when the app
//! was closed and reopened in between. The event stream resumes with no gap or duplicate.

use std::net::SocketAddr;

use parley_proto::{AgentStatus, ComposeRequest, ConnectionState, Direction, MessageStatus};
use parley_scenarios::processes::Balancer;
use parley_scenarios::{FakeTwilio, add_agent, desktop, eventually, init_logging, start_hub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_typed_while_the_hub_is_down_are_sent_once_in_order() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let database = folder.path().join("hub.db");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(&fake, &database, SocketAddr::from(([127, 0, 0, 1], 0))).await;
    let address = hub.address;
    let base_url = hub.base_url();
    add_agent(&hub, "dee", "pass-dee-1", true).await;
    let (client, sink) = desktop(&folder.path().join("desktop"));
    client
        .login(&base_url, "dee", "pass-dee-1")
        .await
        .expect("dee signs in");
    // Online: the desktop follows the stream, so the chat reaches it as events.
    eventually("the desktop to be online", || async {
        (sink.connection() == Some(ConnectionState::Online)).then_some(())
    })
    .await;
    client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    let (status, _) = fake
        .text_in(
            &base_url,
            "SM00000000000000000000000000000o01",
            "+12015550111",
            "first",
        )
        .await;
    assert_eq!(status, 200);
    let interaction = eventually("the auto-answered interaction", || async {
        client.list_interactions().await.ok()?.into_iter().next()
    })
    .await;
    // The replica holds an event a moment before the desktop reports it.
    let offer_seq = eventually("the interaction to come as an event", || async {
        sink.events
            .lock()
            .ok()?
            .iter()
            .find(|event| matches!(&event.kind, parley_proto::EventKind::Interaction { interaction: seen } if seen.id == interaction.id))
            .map(|event| event.seq)
    })
    .await;

    hub.stop().await;
    eventually("the desktop to notice the hub is gone", || async {
        (sink.connection() == Some(ConnectionState::Offline)).then_some(())
    })
    .await;
    let mut typed = Vec::new();
    for body in ["one", "two", "three"] {
        let message = client
            .send_message(ComposeRequest {
                contact_id: interaction.contact_id,
                interaction_id: Some(interaction.id),
                body: body.into(),
                upload_ids: None,
            })
            .await
            .expect("saved while offline");
        assert_eq!(message.status, MessageStatus::Pending);
        typed.push(message);
    }
    let offline_view = client
        .list_messages(interaction.contact_id)
        .await
        .expect("history works offline");
    assert_eq!(
        offline_view.len(),
        4,
        "history and pending messages show offline"
    );
    assert_eq!(client.outbox_len().await.expect("outbox"), 3);
    assert!(
        fake.accepted().is_empty(),
        "nothing reached the provider while the hub was down"
    );

    let hub = start_hub(&fake, &database, address).await;
    eventually("the provider to receive all three", || async {
        (fake.accepted().len() >= 3).then_some(())
    })
    .await;
    let bodies: Vec<String> = fake
        .accepted()
        .iter()
        .map(|request| request.field("Body").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        bodies,
        ["one", "two", "three"],
        "in the order they were typed"
    );
    eventually("the outbox to drain", || async {
        (client.outbox_len().await.ok()? == 0).then_some(())
    })
    .await;

    // The stream resumed: a new inbound message arrives, and the replica holds every event
    // exactly once.
    let (status, _) = fake
        .text_in(
            &base_url,
            "SM00000000000000000000000000000o02",
            "+12015550111",
            "thanks",
        )
        .await;
    assert_eq!(status, 200);
    let head = hub.store.head_seq().await.expect("the log");
    eventually("the desktop to catch up with the hub's log", || async {
        (sink.seqs().last().copied() == Some(head)).then_some(())
    })
    .await;
    let (missed, in_order) = sink
        .missed(
            &hub.store,
            interaction.agent_id.expect("ana's"),
            interaction.contact_id,
            offer_seq,
        )
        .await;
    assert!(
        in_order,
        "every event once, in order, across the outage: {:?}",
        sink.seqs()
    );
    assert!(
        missed.is_empty(),
        "the desktop missed {missed:?} across the outage"
    );
    let transcript = client
        .list_messages(interaction.contact_id)
        .await
        .expect("transcript");
    let outbound: Vec<&str> = transcript
        .iter()
        .filter(|message| message.direction == Direction::Outbound)
        .map(|message| message.body.as_str())
        .collect();
    assert_eq!(
        outbound,
        ["one", "two", "three"],
        "no duplicates on the desktop"
    );
    assert!(
        transcript
            .iter()
            .all(|message| message.status != MessageStatus::Pending)
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        fake.accepted().len(),
        3,
        "and still exactly once at the provider"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_survives_closing_the_app() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let database = folder.path().join("hub.db");
    let data_dir = folder.path().join("desktop");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(&fake, &database, SocketAddr::from(([127, 0, 0, 1], 0))).await;
    let (address, base_url) = (hub.address, hub.base_url());
    add_agent(&hub, "eve", "pass-eve-1", true).await;
    let (status, _) = fake
        .text_in(
            &base_url,
            "SM00000000000000000000000000000c01",
            "+12015550112",
            "hi",
        )
        .await;
    assert_eq!(status, 200);
    {
        let (client, _sink) = desktop(&data_dir);
        client
            .login(&base_url, "eve", "pass-eve-1")
            .await
            .expect("eve signs in");
        client
            .set_status(AgentStatus::Ready, None)
            .await
            .expect("Ready");
        let interaction = eventually("the interaction", || async {
            client.list_interactions().await.ok()?.into_iter().next()
        })
        .await;
        hub.stop().await;
        client
            .send_message(ComposeRequest {
                contact_id: interaction.contact_id,
                interaction_id: Some(interaction.id),
                body: "typed before closing".into(),
                upload_ids: None,
            })
            .await
            .expect("saved while offline");
        // The app closes: the core and its workers go away.
    }
    let hub = start_hub(&fake, &database, address).await;
    assert!(
        fake.accepted().is_empty(),
        "nothing sent while the app was closed"
    );
    let (client, _sink) = desktop(&data_dir);
    client
        .login(&base_url, "eve", "pass-eve-1")
        .await
        .expect("eve signs in again");
    eventually(
        "the provider to receive the message typed before closing",
        || async { fake.accepted().into_iter().next() },
    )
    .await;
    eventually("the outbox to drain", || async {
        (client.outbox_len().await.ok()? == 0).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let bodies: Vec<String> = fake
        .accepted()
        .iter()
        .map(|r| r.field("Body").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(bodies, ["typed before closing"], "sent exactly once");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_client_key_is_stored_and_sent_once() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    add_agent(&hub, "fay", "pass-fay-1", true).await;
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM00000000000000000000000000000k01",
            "+12015550113",
            "hi",
        )
        .await;
    assert_eq!(status, 200);
    let api = parley_client::hub_api::HubApi::new(&hub.base_url()).expect("a client");
    let login = api.login("fay", "pass-fay-1").await.expect("fay signs in");
    let api = api.with_token(login.token);
    let contact_id = hub.store.list_contacts(0).await.expect("contacts")[0]
        .contact
        .id;
    let request = parley_proto::SendMessageRequest {
        contact_id,
        interaction_id: None,
        body: "only once".into(),
        client_key: "9b2f6c1e-retry-key".into(),
        upload_ids: Vec::new(),
    };
    // The answer to the first call is "lost" and the client retries, as the outbox does.
    let first = api.send_message(&request).await.expect("stored");
    let second = api
        .send_message(&request)
        .await
        .expect("the retry is answered");
    assert_eq!(first.id, second.id, "the retry returns the same message");
    eventually("the provider to get it", || async {
        fake.accepted().into_iter().next()
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(fake.accepted().len(), 1, "sent once");
    hub.stop().await;
}

/// The desktop app's core is killed (`kill -9`) in the middle of an outbox flush — some
/// texts stored by the hub, one of them whose answer never reached the app — and reopened:
/// every text reaches the provider exactly once, in the order it was typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_core_killed_during_an_outbox_flush_sends_each_text_once_after_reopening() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let data_dir = folder.path().join("desktop");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    let balancer = Balancer::start().await;
    balancer.set_backends(vec![hub.base_url()]);
    add_agent(&hub, "kit", "pass-kit-1", true).await;
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM00000000000000000000000000000x01",
            "+12015550131",
            "hello?",
        )
        .await;
    assert_eq!(status, 200);
    // Typed while the hub cannot be reached: the texts wait in the outbox.
    let typed: Vec<String> = (1..=12).map(|number| format!("typed {number}")).collect();
    let contact_id = {
        let (client, _sink) = desktop(&data_dir);
        client
            .login(&balancer.url(), "kit", "pass-kit-1")
            .await
            .expect("kit signs in");
        client
            .set_status(AgentStatus::Ready, None)
            .await
            .expect("Ready");
        let interaction = eventually("the auto-answered interaction", || async {
            client.list_interactions().await.ok()?.into_iter().next()
        })
        .await;
        balancer.set_backends(vec!["http://127.0.0.1:9".to_owned()]);
        for body in &typed {
            client
                .send_message(ComposeRequest {
                    contact_id: interaction.contact_id,
                    interaction_id: Some(interaction.id),
                    body: body.clone(),
                    upload_ids: None,
                })
                .await
                .expect("saved in the outbox");
        }
        assert_eq!(client.outbox_len().await.expect("outbox"), 12);
        interaction.contact_id
    };
    // The hub is back, slow to answer; the core flushes and is killed half-way.
    balancer.set_backends(vec![hub.base_url()]);
    balancer.delay_answers(std::time::Duration::from_millis(250));
    let core = env!("CARGO_BIN_EXE_parley-desktop-core-under-test");
    let arguments = [
        data_dir.to_str().expect("a UTF-8 path").to_owned(),
        balancer.url(),
        "kit".to_owned(),
        "pass-kit-1".to_owned(),
    ];
    let mut first = tokio::process::Command::new(core)
        .args(&arguments)
        .kill_on_drop(true)
        .spawn()
        .expect("the core starts");
    let stored_outbound = || async {
        hub.store
            .list_messages(contact_id)
            .await
            .map(|messages| {
                messages
                    .iter()
                    .filter(|message| message.direction == Direction::Outbound)
                    .count()
            })
            .unwrap_or(0)
    };
    let stored_when_killed = eventually("the flush to be under way", || async {
        let stored = stored_outbound().await;
        (stored >= 4).then_some(stored)
    })
    .await;
    first.start_kill().expect("SIGKILL is sent");
    first.wait().await.expect("the core ends");
    assert!(
        stored_when_killed < typed.len(),
        "the core was killed mid-flush ({stored_when_killed} of {} stored)",
        typed.len()
    );
    // Reopened, it finishes the flush.
    let reopened = tokio::process::Command::new(core)
        .args(&arguments)
        .kill_on_drop(true)
        .output()
        .await
        .expect("the core runs again");
    assert!(
        reopened.status.success(),
        "the reopened core drained its outbox: {}",
        String::from_utf8_lossy(&reopened.stderr)
    );
    let bodies = eventually("the provider to have every text", || async {
        let bodies: Vec<String> = fake
            .accepted()
            .iter()
            .map(|request| request.field("Body").unwrap_or_default().to_owned())
            .collect();
        (bodies.len() >= typed.len()).then_some(bodies)
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        fake.accepted().len(),
        typed.len(),
        "nothing more reached the provider"
    );
    assert_eq!(bodies, typed, "each once, in the order typed");
    assert_eq!(stored_outbound().await, typed.len(), "each stored once");
    hub.stop().await;
}
