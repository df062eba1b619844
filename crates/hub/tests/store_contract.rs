//! The store's contract, run on every engine: SQLite always, PostgreSQL when
//! `PARLEY_TEST_POSTGRES_URL` names a server (`make test` and CI start one). Each test
//! says which engine failed.

mod support;

use std::sync::Arc;
use std::time::Duration;

use parley_hub::testing::TestDatabase;
use parley_hub::{
    ContactDetails, FakeClock, InboundOutcome, Outbound, Refusal, Store, StoreError, Work,
};
use parley_proto::{Direction, EventKind, InteractionState, MessageStatus, Reachability};
use support::{START, agent, open, refusal, text_in};

#[tokio::test]
async fn an_inbound_text_is_stored_once_and_queued() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let first = text_in(&store, "SMa1", "+12015550111", "Hello").await;
        let InboundOutcome::Stored {
            message_id,
            interaction_id,
            new_interaction,
        } = first
        else {
            panic!("{}: the first delivery is stored", db.engine);
        };
        assert!(
            new_interaction,
            "{}: a new contact gets a new interaction",
            db.engine
        );
        assert_eq!(
            text_in(&store, "SMa1", "+12015550111", "Hello").await,
            InboundOutcome::Duplicate { message_id },
            "{}: the same MessageSid again changes nothing",
            db.engine
        );
        let again = text_in(&store, "SMa2", "+12015550111", "Are you there?").await;
        assert!(
            matches!(again, InboundOutcome::Stored { interaction_id: joined, new_interaction: false, .. } if joined == interaction_id),
            "{}: a second text joins the open interaction: {again:?}",
            db.engine
        );
        let contact_id = store.list_contacts(1).await.expect("contacts")[0]
            .contact
            .id;
        let messages = store.list_messages(contact_id).await.expect("messages");
        let bodies: Vec<&str> = messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["Hello", "Are you there?"], "{}", db.engine);
        assert_eq!(
            messages[0].created_at, START,
            "{}: the time is the clock's",
            db.engine
        );
        let events = store.events_since(0, 100).await.expect("the log");
        let seqs: Vec<i64> = events.iter().map(|event| event.seq).collect();
        assert_eq!(
            seqs,
            (1..=i64::try_from(events.len()).expect("few")).collect::<Vec<_>>(),
            "{}: the log is numbered from 1 with no gap",
            db.engine
        );
        assert_eq!(store.head_seq().await.expect("head"), seqs.len() as i64);
    }
}

#[tokio::test]
async fn outbound_texts_are_stored_once_per_key_and_refused_after_stop() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        let contact = store.ensure_contact("+12015550151").await.expect("contact");
        let send = |agent_id, key: &'static str, body: &'static str| Outbound {
            agent_id,
            agent_name: "Agent",
            contact_id: contact.id,
            interaction_id: None,
            body,
            client_key: key,
            from_number: "+12015550100",
            upload_ids: &[],
        };
        let (first, created) = store
            .create_outbound(&send(ana.id, "k1", "Hello"))
            .await
            .expect("stored");
        assert!(created);
        assert_eq!(
            (first.status, first.direction),
            (MessageStatus::Queued, Direction::Outbound)
        );
        let (again, created) = store
            .create_outbound(&send(ana.id, "k1", "Hello"))
            .await
            .expect("same");
        assert!(
            !created && again.id == first.id,
            "{}: a key sent twice is one message",
            db.engine
        );
        assert_eq!(
            refusal(store.create_outbound(&send(ben.id, "k1", "Hi")).await),
            Refusal::KeyTaken,
            "{}",
            db.engine
        );
        assert_eq!(
            refusal(store.create_outbound(&send(ana.id, "k2", "  ")).await),
            Refusal::EmptyMessage
        );
        let pending = store.unsent_messages().await.expect("unsent");
        assert_eq!(
            pending.iter().map(|p| p.message_id).collect::<Vec<_>>(),
            [first.id],
            "{}",
            db.engine
        );

        text_in(&store, "SMs1", &contact.phone, "STOP").await;
        assert!(
            store.contact(contact.id).await.expect("contact").opted_out,
            "{}: STOP opts out",
            db.engine
        );
        assert_eq!(
            refusal(store.create_outbound(&send(ana.id, "k3", "Hello?")).await),
            Refusal::OptedOut,
            "{}",
            db.engine
        );
        text_in(&store, "SMs2", &contact.phone, "START").await;
        assert!(
            store
                .create_outbound(&send(ana.id, "k3", "Welcome back"))
                .await
                .is_ok(),
            "{}: START opts in",
            db.engine
        );
    }
}

#[tokio::test]
async fn delivery_reports_move_forward_and_retry_replaces_the_attempt() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        let contact = store.ensure_contact("+12015550161").await.expect("contact");
        let (message, _) = store
            .create_outbound(&Outbound {
                agent_id: ana.id,
                agent_name: "Agent ana",
                contact_id: contact.id,
                interaction_id: None,
                body: "Your parcel is on its way",
                client_key: "k-delivery",
                from_number: "+12015550100",
                upload_ids: &[],
            })
            .await
            .expect("stored");
        let apply = |id: Option<i64>, sid: &'static str, status, code| {
            let store = store.clone();
            async move { store.apply_status(id, sid, status, code).await }
        };
        let sent = apply(Some(message.id), "SMd1", MessageStatus::Sent, None)
            .await
            .expect("applied");
        assert_eq!(
            sent.map(|m| m.status),
            Some(MessageStatus::Sent),
            "{}",
            db.engine
        );
        assert!(
            apply(None, "SMd1", MessageStatus::Queued, None)
                .await
                .expect("late")
                .is_none(),
            "{}: a late report changes nothing",
            db.engine
        );
        let undelivered = apply(None, "SMd1", MessageStatus::Undelivered, Some(30003))
            .await
            .expect("applied");
        assert_eq!(
            undelivered.map(|m| (m.status, m.error_code)),
            Some((MessageStatus::Undelivered, Some(30003)))
        );
        // A text to a landline: sending it again cannot help, so it is refused.
        let desk = store.ensure_contact("+12015550162").await.expect("contact");
        let (landline, _) = store
            .create_outbound(&Outbound {
                agent_id: ana.id,
                agent_name: "Agent ana",
                contact_id: desk.id,
                interaction_id: None,
                body: "Are you there?",
                client_key: "k-landline",
                from_number: "+12015550100",
                upload_ids: &[],
            })
            .await
            .expect("stored");
        apply(
            Some(landline.id),
            "SMl1",
            MessageStatus::Undelivered,
            Some(30006),
        )
        .await
        .expect("applied");
        assert_eq!(
            refusal(store.retry(ana.id, landline.id).await),
            Refusal::RetryCannotHelp,
            "{}: a landline stays a landline",
            db.engine
        );
        assert_eq!(
            store.contact(desk.id).await.expect("contact").reachability,
            Some(Reachability::Landline),
            "{}: 30006 says the number is a landline",
            db.engine
        );
        assert!(matches!(
            apply(None, "SMunknown", MessageStatus::Sent, None).await,
            Err(StoreError::NotFound(_))
        ));
        let retried = store.retry(ana.id, message.id).await.expect("retried");
        assert_eq!(retried.status, MessageStatus::Queued, "{}", db.engine);
        assert_eq!(
            refusal(store.retry(ana.id, message.id).await),
            Refusal::NotFailed,
            "{}",
            db.engine
        );
        assert!(
            apply(Some(message.id), "SMd1", MessageStatus::Delivered, None)
                .await
                .expect("old attempt")
                .is_none(),
            "{}: a report about the replaced attempt changes nothing",
            db.engine
        );
        assert_eq!(
            store.provider_sid(message.id).await.expect("sid"),
            None,
            "{}",
            db.engine
        );
        assert_eq!(
            store
                .known_sids(&contact.phone, message.id)
                .await
                .expect("sids"),
            ["SMd1"],
            "{}",
            db.engine
        );
        let delivered = apply(Some(message.id), "SMd2", MessageStatus::Delivered, None)
            .await
            .expect("applied");
        assert_eq!(
            delivered.map(|m| m.status),
            Some(MessageStatus::Delivered),
            "{}",
            db.engine
        );
        assert!(
            store
                .known_sids(&contact.phone, message.id)
                .await
                .expect("sids")
                .contains(&"SMd1".to_owned())
        );
        let failed = store
            .fail_unsent(message.id, Some(21610))
            .await
            .expect("failed");
        assert_eq!(failed.status, MessageStatus::Failed);
        assert!(
            store.contact(contact.id).await.expect("contact").opted_out,
            "{}: 21610 opts out",
            db.engine
        );
    }
}

#[tokio::test]
async fn contacts_details_read_markers_and_search() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        text_in(&store, "SMx1", "+12015550181", "Where is my order #4471?").await;
        text_in(&store, "SMx2", "+12015550182", "Ordering a café crème").await;
        let maria = store.ensure_contact("+12015550181").await.expect("contact");
        let updated = store
            .update_contact(
                maria.id,
                ContactDetails {
                    name: Some("  Maria Lopez "),
                    email: Some(" "),
                    notes: Some("VIP"),
                },
            )
            .await
            .expect("updated");
        assert_eq!(
            (
                updated.name.as_deref(),
                updated.email.as_deref(),
                updated.notes.as_deref()
            ),
            (Some("Maria Lopez"), None, Some("VIP")),
            "{}: names are trimmed and blank clears",
            db.engine
        );
        let unread = |store: Store| async move {
            store
                .list_contacts(ana.id)
                .await
                .expect("contacts")
                .iter()
                .map(|c| c.unread_count)
                .sum::<u32>()
        };
        assert_eq!(unread(store.clone()).await, 2, "{}", db.engine);
        store.mark_read(ana.id, maria.id).await.expect("read");
        assert_eq!(unread(store.clone()).await, 1, "{}", db.engine);
        store.mark_unread(ana.id, maria.id).await.expect("unread");
        assert_eq!(unread(store.clone()).await, 2, "{}", db.engine);
        assert_eq!(store.read_markers(ana.id).await.expect("markers").len(), 1);
        let hits = store.search("orde").await.expect("search");
        let bodies: Vec<Option<&str>> = hits
            .iter()
            .map(|h| h.message.as_ref().map(|m| m.body.as_str()))
            .collect();
        assert_eq!(
            bodies,
            [
                Some("Ordering a café crème"),
                Some("Where is my order #4471?")
            ],
            "{}",
            db.engine
        );
        let by_name = store.search("maria").await.expect("search");
        assert_eq!(
            by_name[0].contact.id, maria.id,
            "{}: names match whatever their case",
            db.engine
        );
        assert!(by_name[0].message.is_none());
        assert_eq!(
            store.search("cafe").await.expect("search").len(),
            1,
            "{}: diacritics fold",
            db.engine
        );
        for hostile in ["\"", "' OR 1=1 --", "%_\\", "NEAR(", "💥", "a*b*"] {
            store
                .search(hostile)
                .await
                .unwrap_or_else(|error| panic!("{}: {hostile:?}: {error}", db.engine));
        }
    }
}

#[tokio::test]
async fn a_claim_is_one_hubs_until_its_lease_runs_out() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let first = open(&db, &clock).await;
        let second = open(&db, &clock).await;
        assert!(
            first.claim(Work::Send, 42).await.expect("claims"),
            "{}",
            db.engine
        );
        assert!(
            first.claim(Work::Send, 42).await.expect("again"),
            "{}: a hub keeps its own claim",
            db.engine
        );
        assert!(
            !second.claim(Work::Send, 42).await.expect("tries"),
            "{}: another hub cannot take it",
            db.engine
        );
        assert!(
            second.claim(Work::Media, 42).await.expect("claims"),
            "{}: other work is separate",
            db.engine
        );
        clock.advance(30_001);
        assert!(
            second.claim(Work::Send, 42).await.expect("claims"),
            "{}: a lapsed claim is taken over",
            db.engine
        );
        assert!(
            !first.claim(Work::Send, 42).await.expect("tries"),
            "{}",
            db.engine
        );
        second.release(Work::Send, 42).await.expect("released");
        assert!(
            first.claim(Work::Send, 42).await.expect("claims"),
            "{}: a released claim is free",
            db.engine
        );
    }
}

#[tokio::test]
async fn pictures_kept_in_the_database_are_shared_and_forgotten_when_unused() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        let digest = "ab".repeat(32);
        store
            .put_blob(&digest, false, b"jpeg bytes")
            .await
            .expect("kept");
        store.put_blob(&digest, true, b"thumb").await.expect("kept");
        store
            .put_blob(&digest, false, b"jpeg bytes")
            .await
            .expect("the same file twice is fine");
        assert_eq!(
            store.blob(&digest, false).await.expect("read").as_deref(),
            Some(&b"jpeg bytes"[..])
        );
        let upload = parley_hub::NewUpload {
            agent_id: ana.id,
            digest: &digest,
            content_type: "image/jpeg",
            thumbnail_type: "image/jpeg",
            size: 10,
            width: 4,
            height: 3,
            token: &"0a".repeat(24),
        };
        let quota = 25;
        let first = store.create_upload(&upload, quota).await.expect("uploaded");
        assert!(first.is_some(), "{}", db.engine);
        let over = parley_hub::NewUpload {
            size: 16,
            token: &"0b".repeat(24),
            ..upload
        };
        assert_eq!(
            store.create_upload(&over, quota).await.expect("asked"),
            None,
            "{}: 10 + 16 bytes not sent yet pass a quota of 25",
            db.engine
        );
        clock.advance(2 * 24 * 60 * 60 * 1000);
        let before = store.now() - 24 * 60 * 60 * 1000;
        let orphans = store.forget_unsent_uploads(before).await.expect("swept");
        assert_eq!(
            orphans,
            std::slice::from_ref(&digest),
            "{}: nothing else uses the picture",
            db.engine
        );
        store.remove_blobs(&orphans, before).await.expect("removed");
        assert_eq!(
            store.blob(&digest, false).await.expect("read"),
            None,
            "{}",
            db.engine
        );
        assert_eq!(
            store.blob(&digest, true).await.expect("read"),
            None,
            "{}",
            db.engine
        );
    }
}

#[tokio::test]
async fn live_subscribers_get_every_event_in_order() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let mut live = store.subscribe();
        let mut writers = Vec::new();
        for writer in 0..4 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                for text in 0..10 {
                    text_in(
                        &store,
                        &format!("SMw{writer}x{text}"),
                        &format!("+1201555{writer:02}{text:02}"),
                        "hi",
                    )
                    .await;
                }
            }));
        }
        for writer in writers {
            writer.await.expect("the writer finishes");
        }
        let head = store.head_seq().await.expect("head");
        let mut seen = Vec::new();
        while seen.last().copied() != Some(head) {
            let event = tokio::time::timeout(Duration::from_secs(10), live.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!("{}: live events stopped at {seen:?} of {head}", db.engine)
                })
                .expect("no lag");
            seen.push(event.seq);
        }
        assert_eq!(
            seen,
            (1..=head).collect::<Vec<_>>(),
            "{}: each event once, in order",
            db.engine
        );
    }
}

#[tokio::test]
async fn a_stored_value_that_does_not_read_back_is_an_error() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        text_in(&store, "SMbad", "+12015550191", "hello").await;
        let contact = store.ensure_contact("+12015550191").await.expect("contact");
        corrupt(&db, "UPDATE messages SET status = 'teleported'").await;
        assert!(
            matches!(
                store.list_messages(contact.id).await,
                Err(StoreError::Corrupt(_))
            ),
            "{}: an unknown status is an error, not a message that vanishes",
            db.engine
        );
    }
}

async fn corrupt(db: &TestDatabase, statement: &'static str) {
    use sqlx::Connection as _;
    match &db.database {
        parley_hub::config::Database::Sqlite(path) => {
            let mut connection =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .expect("the file");
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .expect("corrupted");
        }
        parley_hub::config::Database::Postgres(url) => {
            let mut connection = sqlx::PgConnection::connect(url)
                .await
                .expect("the database");
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .expect("corrupted");
        }
    }
}

#[tokio::test]
async fn demo_history_imports_as_done_interactions() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", false, 3).await;
        assert!(
            store.is_empty().await.expect("count"),
            "{}: no contact yet",
            db.engine
        );
        let contact = store
            .import_conversation(
                "+12015550199",
                "Old Customer",
                ana.id,
                "+12015550100",
                &[
                    (Direction::Inbound, "hello", START - 2_000),
                    (Direction::Outbound, "hi!", START - 1_000),
                ],
            )
            .await
            .expect("imported");
        assert_eq!(contact.assigned_agent_id, Some(ana.id));
        let history = store
            .contact_interactions(contact.id)
            .await
            .expect("history");
        assert_eq!(
            history[0].interaction.state,
            InteractionState::Done,
            "{}",
            db.engine
        );
        let statuses: Vec<MessageStatus> = store
            .list_messages(contact.id)
            .await
            .expect("messages")
            .iter()
            .map(|m| m.status)
            .collect();
        assert_eq!(
            statuses,
            [MessageStatus::Received, MessageStatus::Delivered],
            "{}",
            db.engine
        );
        let kinds: Vec<&str> = store
            .events_since(0, 100)
            .await
            .expect("log")
            .iter()
            .map(|event| match event.kind {
                EventKind::Agent { .. } => "agent",
                EventKind::Hidden => "hidden",
                EventKind::Followed { .. } => "followed",
                EventKind::Contact { .. } => "contact",
                EventKind::Interaction { .. } => "interaction",
                EventKind::Message { .. } => "message",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "agent",
                "contact",
                "interaction",
                "message",
                "message",
                "contact"
            ],
            "{}",
            db.engine
        );
    }
}

#[tokio::test]
async fn new_counts_the_texts_of_a_live_conversation_not_history_handled_before() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", true, 3).await;
        let ben = agent(&store, "ben", false, 3).await;
        store
            .set_agent_status(ana.id, parley_proto::AgentStatus::Ready, None)
            .await
            .expect("Ready");
        let phone = "+12015550191";
        text_in(&store, "SMn1", phone, "Where is my order?").await;
        store.route_queued().await.expect("routed");
        let chat = store.list_interactions(ana.id).await.expect("ana's")[0].clone();
        store
            .wrap_up(
                ana.id,
                chat.id,
                parley_hub::WrapUp {
                    done: Some(parley_hub::Completion::DispositionOptional),
                    ..parley_hub::WrapUp::default()
                },
            )
            .await
            .expect("done");
        text_in(&store, "SMn2", phone, "Hello again").await;
        let unread = |agent_id| {
            let store = store.clone();
            async move {
                store
                    .list_contacts(agent_id)
                    .await
                    .expect("contacts")
                    .iter()
                    .find(|summary| summary.contact.phone == phone)
                    .map(|summary| summary.unread_count)
            }
        };
        assert_eq!(
            unread(ben.id).await,
            Some(1),
            "{}: one new text is one new, whatever came before and was handled",
            db.engine
        );
        let contact_id = chat.contact_id;
        store.mark_read(ben.id, contact_id).await.expect("read");
        assert_eq!(unread(ben.id).await, Some(0), "{}", db.engine);
        store.mark_unread(ben.id, contact_id).await.expect("unread");
        assert_eq!(
            unread(ben.id).await,
            Some(1),
            "{}: mark as unread still works",
            db.engine
        );
    }
}
