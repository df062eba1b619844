//! Scoped sync, with the real desktop core against a real hub: a desktop that starts from a
//! snapshot holds what one that replayed every event holds; a cursor the hub pruned
//! starts again from a snapshot; a contact the agent opens is kept and followed live; history
//! older than the snapshot's is fetched as the agent scrolls up, without a gap or a repeat.

use parley_client::Client;
use parley_proto::{
    AgentStatus, ComposeRequest, ConnectionState, Direction, ErrorCode, EventKind, Id,
    InteractionState, Message, MessagePageRequest,
};
use parley_scenarios::{
    FakeTwilio, RecordingSink, add_agent, desktop, eventually, init_logging, start_hub_with,
};

async fn online(sink: &RecordingSink) {
    eventually("the desktop to be online", || async {
        (sink.connection() == Some(ConnectionState::Online)).then_some(())
    })
    .await;
}

/// What a transcript shows, comparable across replicas (local ids differ).
fn shown(messages: &[Message]) -> Vec<(Direction, String, String)> {
    messages
        .iter()
        .map(|m| (m.direction, m.body.clone(), m.status.as_str().to_owned()))
        .collect()
}

async fn transcript(client: &Client, contact_id: Id) -> Vec<(Direction, String, String)> {
    shown(
        &client
            .list_messages(contact_id)
            .await
            .expect("a transcript"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_converges_with_a_replay_and_a_pruned_cursor_starts_again_from_one() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "ana", "pass-ana-1", true).await;
    // Desktop A is there from the start: it follows every change of ana's as it happens.
    let (replayed, replayed_sink) = desktop(&folder.path().join("a"));
    replayed
        .login(&hub.base_url(), "ana", "pass-ana-1")
        .await
        .expect("signs in");
    online(&replayed_sink).await;
    replayed
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    for (n, phone) in ["+12015550501", "+12015550502"].iter().enumerate() {
        let (status, _) = fake
            .text_in(&hub.base_url(), &format!("SM{n:032}"), phone, "hello there")
            .await;
        assert_eq!(status, 200);
    }
    let chats = eventually("both chats on desktop A", || async {
        let chats = replayed.list_interactions().await.ok()?;
        (chats.len() == 2).then_some(chats)
    })
    .await;
    let chat = &chats[0];
    replayed
        .send_message(ComposeRequest {
            contact_id: chat.contact_id,
            interaction_id: Some(chat.id),
            body: "On it.".into(),
            upload_ids: None,
        })
        .await
        .expect("a reply");
    let sent = eventually("the reply at the provider", || async {
        fake.accepted().into_iter().next()
    })
    .await;
    assert_eq!(fake.report_status(&sent.sid, "delivered", None).await, 200);
    let head = hub.store.head_seq().await.expect("the log");
    eventually("desktop A to reach the head", || async {
        (replayed_sink.seqs().last().copied() >= Some(head)).then_some(())
    })
    .await;
    eventually("the reply delivered on desktop A", || async {
        transcript(&replayed, chat.contact_id)
            .await
            .iter()
            .any(|(_, body, status)| body == "On it." && status == "delivered")
            .then_some(())
    })
    .await;

    // Desktop B signs in now: one snapshot, no replay, and the same replica.
    let (snapped, snapped_sink) = desktop(&folder.path().join("b"));
    snapped
        .login(&hub.base_url(), "ana", "pass-ana-1")
        .await
        .expect("signs in");
    online(&snapped_sink).await;
    assert!(
        snapped_sink.seqs().iter().all(|seq| *seq > head),
        "nothing was replayed: {:?}",
        snapped_sink.seqs()
    );
    let mut interactions_a = replayed.list_interactions().await.expect("A's chats");
    let mut interactions_b = snapped.list_interactions().await.expect("B's chats");
    interactions_a.sort_by_key(|i| i.id);
    interactions_b.sort_by_key(|i| i.id);
    assert_eq!(interactions_a, interactions_b, "the same chats");
    for chat in &chats {
        assert_eq!(
            transcript(&replayed, chat.contact_id).await,
            transcript(&snapped, chat.contact_id).await,
            "the same transcript"
        );
        assert_eq!(
            replayed
                .contact(chat.contact_id)
                .await
                .expect("A's contact"),
            snapped.contact(chat.contact_id).await.expect("B's contact"),
        );
    }
    let unread = |contacts: Vec<parley_proto::ContactSummary>| -> Vec<(Id, u32)> {
        contacts
            .into_iter()
            .map(|c| (c.contact.id, c.unread_count))
            .collect()
    };
    assert_eq!(
        unread(replayed.list_contacts().await.expect("A's list")),
        unread(snapped.list_contacts().await.expect("B's list")),
        "the same contact list and unread counts"
    );

    // A signs out; the customer writes again; the hub prunes its whole log.
    let stale_api = parley_client::hub_api::HubApi::new(&hub.base_url()).expect("a client");
    let stale_api = stale_api.with_token(
        stale_api
            .login("ana", "pass-ana-1")
            .await
            .expect("signs in")
            .token,
    );
    replayed.logout().await.expect("signs out");
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM00000000000000000000000000000599",
            "+12015550501",
            "still there?",
        )
        .await;
    assert_eq!(status, 200);
    let newest = hub.store.head_seq().await.expect("the log");
    let pruned = hub
        .store
        .prune_events(hub.store.now() + 1)
        .await
        .expect("pruned");
    assert!(pruned > 0);
    match stale_api.events(head, 500).await {
        Err(parley_client::hub_api::HubError::Refused { status, error }) => {
            assert_eq!((status, error.code), (410, ErrorCode::Gone), "{error:?}");
        }
        other => panic!("a pruned cursor is gone, not {other:?}"),
    }
    // Signing in again, A cannot replay: it starts again from a snapshot, and has the text.
    replayed
        .login(&hub.base_url(), "ana", "pass-ana-1")
        .await
        .expect("signs in again");
    online(&replayed_sink).await;
    let contact = hub
        .store
        .ensure_contact("+12015550501")
        .await
        .expect("the contact");
    eventually("the text sent while A was away", || async {
        transcript(&replayed, contact.id)
            .await
            .iter()
            .any(|(_, body, _)| body == "still there?")
            .then_some(())
    })
    .await;
    assert_eq!(
        transcript(&replayed, contact.id).await,
        transcript(&snapped, contact.id).await,
        "converged again"
    );
    assert!(newest > head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_the_agent_opens_is_kept_and_followed_and_no_other_reaches_the_desktop() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    let ana = add_agent(&hub, "ana", "pass-ana-1", true).await;
    add_agent(&hub, "ben", "pass-ben-1", true).await;
    parley_hub::testing::session(&hub.store, ana.id).await;
    hub.store
        .set_agent_status(ana.id, AgentStatus::Ready, None)
        .await
        .expect("ana is Ready");
    for (n, phone) in ["+12015550511", "+12015550512"].iter().enumerate() {
        let (status, _) = fake
            .text_in(
                &hub.base_url(),
                &format!("SM{:032}", 510 + n),
                phone,
                "hi ana",
            )
            .await;
        assert_eq!(status, 200);
    }
    eventually("ana to hold both chats", || async {
        let held = hub.store.list_interactions(ana.id).await.ok()?;
        (held.len() == 2 && held.iter().all(|i| i.state == InteractionState::Active)).then_some(())
    })
    .await;
    let opened = hub.store.ensure_contact("+12015550511").await.expect("one");
    let other = hub
        .store
        .ensure_contact("+12015550512")
        .await
        .expect("other");

    let (ben, sink) = desktop(&folder.path().join("ben"));
    ben.login(&hub.base_url(), "ben", "pass-ben-1")
        .await
        .expect("ben signs in");
    online(&sink).await;
    // Ben (who may see every contact) finds one of ana's customers, which his desktop does
    // not hold, by number and by text: as a contact to open.
    for query in ["201 555-0511", "hi ana"] {
        let found = ben.search(query, None).await.expect("a search");
        assert!(
            found
                .iter()
                .any(|hit| hit.contact.id == opened.id && hit.message.is_none()),
            "{query:?} finds the contact: {found:?}"
        );
    }
    // He opens it: fetched and kept.
    let page = ben
        .message_page(
            opened.id,
            &MessagePageRequest {
                before: None,
                after: None,
                limit: 20,
            },
        )
        .await
        .expect("the transcript");
    assert_eq!(
        page.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["hi ana"]
    );
    // Its next text reaches Ben's desktop live; the other customer's never does.
    for (sid, phone) in [
        ("SM00000000000000000000000000000521", "+12015550511"),
        ("SM00000000000000000000000000000522", "+12015550512"),
    ] {
        let (status, _) = fake.text_in(&hub.base_url(), sid, phone, "anyone?").await;
        assert_eq!(status, 200);
    }
    eventually("the opened contact's new text on Ben's desktop", || async {
        sink.events
            .lock()
            .ok()?
            .iter()
            .any(|event| {
                matches!(&event.kind, EventKind::Message { message }
                    if message.contact_id == opened.id && message.body == "anyone?")
            })
            .then_some(())
    })
    .await;
    let head = hub.store.head_seq().await.expect("the log");
    eventually("Ben's desktop to reach the head", || async {
        (sink.seqs().last().copied() >= Some(head)).then_some(())
    })
    .await;
    let about_other = sink
        .events
        .lock()
        .expect("not poisoned")
        .iter()
        .filter(|event| match &event.kind {
            EventKind::Contact { contact } => contact.id == other.id,
            EventKind::Interaction { interaction } => interaction.contact_id == other.id,
            EventKind::Message { message } => message.contact_id == other.id,
            _ => false,
        })
        .count();
    assert_eq!(
        about_other, 0,
        "a contact Ben never opened stays off his desktop"
    );
    let held = ben.list_messages(opened.id).await.expect("kept");
    assert_eq!(
        held.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["hi ana", "anyone?"]
    );
    // The Contact tab's history, read from the hub, is kept: it reads the same offline.
    let online = ben
        .contact_interactions(opened.id)
        .await
        .expect("the history");
    assert_eq!(online.len(), 1, "{online:?}");
    hub.stop().await;
    eventually("Ben's desktop offline", || async {
        (sink.connection() == Some(ConnectionState::Offline)).then_some(())
    })
    .await;
    let offline = ben
        .contact_interactions(opened.id)
        .await
        .expect("the history, offline");
    assert_eq!(
        offline
            .iter()
            .map(|item| item.interaction.id)
            .collect::<Vec<_>>(),
        online
            .iter()
            .map(|item| item.interaction.id)
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_older_than_the_snapshot_is_fetched_as_the_agent_scrolls_up() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.sync.snapshot_messages_per_contact = 5;
    })
    .await;
    let ana = add_agent(&hub, "ana", "pass-ana-1", true).await;
    let now = hub.store.now();
    let bodies: Vec<String> = (0..12).map(|n| format!("text {n}")).collect();
    let lines: Vec<(Direction, &str, i64)> = bodies
        .iter()
        .zip(0_i64..)
        .map(|(body, n)| {
            (
                Direction::Inbound,
                body.as_str(),
                now - 3_600_000 + n * 60_000,
            )
        })
        .collect();
    let contact = hub
        .store
        .import_conversation("+12015550531", "Pat", ana.id, "+12015550100", &lines)
        .await
        .expect("imported");

    let (client, sink) = desktop(&folder.path().join("ana"));
    client
        .login(&hub.base_url(), "ana", "pass-ana-1")
        .await
        .expect("signs in");
    online(&sink).await;
    let held = client.list_messages(contact.id).await.expect("held");
    assert_eq!(held.len(), 5, "the snapshot's newest five");
    let newest = client
        .message_page(
            contact.id,
            &MessagePageRequest {
                before: None,
                after: None,
                limit: 4,
            },
        )
        .await
        .expect("a page");
    let mut pages = vec![newest];
    loop {
        let first = pages.last().and_then(|page| page.first()).map(|m| m.id);
        let page = client
            .message_page(
                contact.id,
                &MessagePageRequest {
                    before: first,
                    after: None,
                    limit: 4,
                },
            )
            .await
            .expect("an earlier page");
        if page.is_empty() {
            break;
        }
        pages.push(page);
    }
    let joined: Vec<String> = pages.into_iter().rev().flatten().map(|m| m.body).collect();
    assert_eq!(joined, bodies, "every text once, in order");
    assert_eq!(
        client.list_messages(contact.id).await.expect("kept").len(),
        12,
        "what was fetched is kept"
    );
}
