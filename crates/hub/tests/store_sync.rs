//! Scoped sync in the store, on every engine: a snapshot holds the agent's own contacts
//! active within the window with their newest messages, and says how much of each history
//! it holds; following a contact records it in the log for that agent; pruning the log
//! keeps its head and says how far it went.

mod support;

use std::sync::Arc;

use parley_hub::testing::TestDatabase;
use parley_hub::{FakeClock, SnapshotLimits, Store};
use parley_proto::{Contact, Direction, EventKind, HeldHistory, Id, InteractionState};
use support::{START, agent, open};

const DAY: i64 = 86_400_000;

/// A finished conversation of `count` texts handled by `agent_id`, its last text at `ended`.
async fn conversation(store: &Store, phone: &str, agent_id: Id, ended: i64, count: i64) -> Contact {
    let bodies: Vec<String> = (0..count).map(|n| format!("{phone} text {n}")).collect();
    let messages: Vec<(Direction, &str, i64)> = bodies
        .iter()
        .enumerate()
        .map(|(n, body)| {
            let n = i64::try_from(n).expect("few");
            let direction = if n % 2 == 0 {
                Direction::Inbound
            } else {
                Direction::Outbound
            };
            (direction, body.as_str(), ended - (count - 1 - n) * 60_000)
        })
        .collect();
    store
        .import_conversation(phone, "Pat", agent_id, "+12015550100", &messages)
        .await
        .expect("imported")
}

#[tokio::test]
async fn a_snapshot_holds_the_agents_recent_contacts_and_says_how_much_of_each() {
    for db in TestDatabase::each().await {
        let engine = db.engine;
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", true, 3).await;
        let bo = agent(&store, "bo", true, 3).await;
        let long = conversation(&store, "+12015550401", ana.id, START - DAY, 12).await;
        let short = conversation(&store, "+12015550402", ana.id, START - 2 * DAY, 3).await;
        let old = conversation(&store, "+12015550403", ana.id, START - 200 * DAY, 3).await;
        let bos = conversation(&store, "+12015550404", bo.id, START - DAY, 2).await;
        let limits = SnapshotLimits {
            window_days: 90,
            contacts: 100,
            messages_per_contact: 5,
        };
        let snapshot = store.snapshot(&ana, limits).await.expect("a snapshot");

        assert_eq!(
            snapshot.seq,
            store.head_seq().await.expect("head"),
            "{engine}"
        );
        let ids: Vec<Id> = snapshot.contacts.iter().map(|c| c.id).collect();
        assert!(
            ids.contains(&long.id) && ids.contains(&short.id),
            "{engine}: {ids:?}"
        );
        assert!(!ids.contains(&old.id), "{engine}: older than the window");
        assert!(!ids.contains(&bos.id), "{engine}: another agent's");
        assert_eq!(snapshot.agents.len(), 2, "{engine}");

        let everything = store.list_messages(long.id).await.expect("all");
        let held: Vec<&str> = snapshot
            .messages
            .iter()
            .filter(|m| m.contact_id == long.id)
            .map(|m| m.body.as_str())
            .collect();
        let newest: Vec<&str> = everything[7..].iter().map(|m| m.body.as_str()).collect();
        assert_eq!(held, newest, "{engine}: the newest five, oldest first");
        assert_eq!(
            snapshot
                .messages
                .iter()
                .filter(|m| m.contact_id == short.id)
                .count(),
            3,
            "{engine}"
        );
        let history = |id| {
            snapshot
                .histories
                .iter()
                .find(|h: &&HeldHistory| h.contact_id == id)
                .copied()
        };
        assert_eq!(
            history(long.id).and_then(|h| h.oldest_message_id),
            Some(everything[7].id),
            "{engine}: older messages are on the hub only"
        );
        assert_eq!(
            history(short.id).map(|h| h.oldest_message_id),
            Some(None),
            "{engine}: a short history is held whole"
        );
        assert!(
            snapshot
                .interactions
                .iter()
                .all(|i| i.contact_id == long.id || i.contact_id == short.id),
            "{engine}: only the snapshot's contacts' interactions"
        );
        assert!(
            snapshot
                .interactions
                .iter()
                .all(|i| i.state == InteractionState::Done),
            "{engine}"
        );

        // Fewer contacts than there are: the most recently active.
        let one = store
            .snapshot(
                &ana,
                SnapshotLimits {
                    contacts: 1,
                    ..limits
                },
            )
            .await
            .expect("a snapshot");
        assert_eq!(
            one.contacts.iter().map(|c| c.id).collect::<Vec<_>>(),
            [long.id],
            "{engine}"
        );
    }
}

#[tokio::test]
async fn following_a_contact_is_in_the_log_and_in_the_agents_scope() {
    for db in TestDatabase::each().await {
        let engine = db.engine;
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", true, 3).await;
        let ben = agent(&store, "ben", true, 3).await;
        let hers = conversation(&store, "+12015550411", ana.id, START - DAY, 4).await;
        assert!(
            !store
                .scope_contacts(ben.id)
                .await
                .expect("scope")
                .contains(&hers.id),
            "{engine}"
        );
        let before = store.head_seq().await.expect("head");
        let followed = store
            .follow(ben.id, hers.id, 50)
            .await
            .expect("followed")
            .expect("the contact exists");
        assert_eq!(followed.contact.id, hers.id, "{engine}");
        assert_eq!(followed.messages.len(), 4, "{engine}");
        assert_eq!(
            followed.history.oldest_message_id, None,
            "{engine}: all of it"
        );
        assert!(followed.seq > before, "{engine}");
        let log = store.events_since(before, 100).await.expect("the log");
        assert!(
            log.iter().any(|event| event.kind
                == EventKind::Followed {
                    agent_id: ben.id,
                    contact_id: hers.id
                }),
            "{engine}: {log:?}"
        );
        assert!(
            store
                .scope_contacts(ben.id)
                .await
                .expect("scope")
                .contains(&hers.id),
            "{engine}"
        );
        assert!(
            store
                .follow(ben.id, 999_999, 50)
                .await
                .expect("asked")
                .is_none(),
            "{engine}: no such contact"
        );
    }
}

#[tokio::test]
async fn pruning_the_log_keeps_its_head_and_says_how_far_it_went() {
    for db in TestDatabase::each().await {
        let engine = db.engine;
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let ana = agent(&store, "ana", true, 3).await;
        conversation(&store, "+12015550421", ana.id, START - DAY, 3).await;
        let old_head = store.head_seq().await.expect("head");
        assert_eq!(store.pruned_through().await.expect("pruned"), 0, "{engine}");
        clock.advance(40 * DAY);
        conversation(&store, "+12015550422", ana.id, START + 40 * DAY, 2).await;
        let head = store.head_seq().await.expect("head");

        let pruned = store
            .prune_events(store.now() - 30 * DAY)
            .await
            .expect("pruned");
        assert_eq!(
            pruned,
            u64::try_from(old_head).expect("positive"),
            "{engine}"
        );
        assert_eq!(
            store.pruned_through().await.expect("pruned"),
            old_head,
            "{engine}"
        );
        let kept = store.events_since(0, 1000).await.expect("the log");
        assert_eq!(kept.first().map(|e| e.seq), Some(old_head + 1), "{engine}");
        assert_eq!(kept.last().map(|e| e.seq), Some(head), "{engine}");

        // Everything old: all but the head goes, and the head's number stays.
        clock.advance(40 * DAY);
        store.prune_events(store.now()).await.expect("pruned");
        let kept = store.events_since(0, 1000).await.expect("the log");
        assert_eq!(
            kept.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [head],
            "{engine}"
        );
        assert_eq!(store.head_seq().await.expect("head"), head, "{engine}");
        assert_eq!(
            store.pruned_through().await.expect("pruned"),
            head - 1,
            "{engine}"
        );
    }
}
