//! Several hubs on one PostgreSQL database, each a store with its own connections: the
//! event log stays gap-free in commit order, events reach every hub live, routing places
//! each interaction once, a text delivered to two hubs is stored once, and a claim has one
//! holder. Skipped (with a note) when `PARLEY_TEST_POSTGRES_URL` is not set.

use std::collections::HashSet;
use std::time::Duration;

use parley_hub::testing::TestDatabase;
use parley_hub::{AgentSettings, Inbound, InboundOutcome, Store, StoreOptions, Work};
use parley_proto::{AgentStatus, Role};

async fn hubs(count: usize) -> Option<(TestDatabase, Vec<Store>)> {
    let db = TestDatabase::postgres().await?;
    let mut stores = Vec::new();
    for _ in 0..count {
        // The log is read only when a notification says so (no polling to fall back on),
        // so what reaches another hub came by LISTEN/NOTIFY.
        let options = StoreOptions {
            log_poll: Duration::from_secs(3600),
            ..StoreOptions::default()
        };
        stores.push(
            Store::open_with(&db.database, options)
                .await
                .expect("a hub's store opens"),
        );
    }
    Some((db, stores))
}

async fn text_in(store: &Store, sid: &str, from: &str) -> InboundOutcome {
    store
        .receive_inbound(&Inbound {
            provider_sid: sid,
            from,
            to: "+12015550100",
            body: "hello",
            media: &[],
        })
        .await
        .expect("stored")
}

fn skipped() {
    eprintln!("note: PARLEY_TEST_POSTGRES_URL is not set; several hubs need PostgreSQL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_event_log_is_gap_free_in_commit_order_under_concurrent_writers() {
    let Some((_db, stores)) = hubs(4).await else {
        return skipped();
    };
    let reader = stores[0].clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reading = {
        let done = done.clone();
        tokio::spawn(async move {
            let (mut cursor, mut seen, mut reads) = (0_i64, Vec::new(), 0_u32);
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let batch = reader.events_since(cursor, 1000).await.expect("the log");
                reads += 1;
                for event in &batch {
                    assert_eq!(
                        event.seq,
                        cursor + 1,
                        "a reader at {cursor} saw {} first: a later event became visible before an earlier one",
                        event.seq
                    );
                    cursor = event.seq;
                    seen.push(event.seq);
                }
                if finished && batch.is_empty() {
                    return (seen, reads);
                }
            }
        })
    };
    let mut writers = Vec::new();
    for (index, store) in stores.iter().enumerate() {
        for lane in 0..4 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                for text in 0..40 {
                    let phone = format!("+1201{index}{lane}{text:05}");
                    text_in(&store, &format!("SM{index}-{lane}-{text}"), &phone).await;
                }
            }));
        }
    }
    for writer in writers {
        writer.await.expect("a writer finishes");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (seen, reads) = reading.await.expect("the reader finishes");
    let head = stores[0].head_seq().await.expect("head");
    assert_eq!(
        head,
        4 * 4 * 40 * 3,
        "three events a text: contact, interaction, message"
    );
    assert_eq!(
        seen,
        (1..=head).collect::<Vec<_>>(),
        "every event read once, in order"
    );
    assert!(
        reads > 10,
        "the reader read while the writers wrote ({reads} reads)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_committed_by_one_hub_reaches_another_live() {
    let Some((_db, stores)) = hubs(2).await else {
        return skipped();
    };
    let mut on_b = stores[1].subscribe();
    text_in(&stores[0], "SMlive1", "+12015550301").await;
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let event = tokio::time::timeout(Duration::from_secs(5), on_b.recv())
            .await
            .expect("hub B hears of hub A's commit, with no poll to fall back on")
            .expect("no lag");
        kinds.push(event.seq);
    }
    assert_eq!(kinds, [1, 2, 3], "in log order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hubs_routing_at_once_place_each_interaction_once_within_capacity() {
    let Some((_db, stores)) = hubs(2).await else {
        return skipped();
    };
    let mut agents = Vec::new();
    for login in ["ana", "ben", "cai"] {
        let agent = stores[0]
            .create_agent(
                login,
                login,
                "hash",
                AgentSettings {
                    role: Role::Agent,
                    auto_answer: login == "ben",
                    max_chats: 5,
                    permissions: None,
                },
            )
            .await
            .expect("agent");
        stores[0]
            .set_agent_status(agent.id, AgentStatus::Ready, None)
            .await
            .expect("Ready");
        agents.push(agent);
    }
    let mut tasks = Vec::new();
    for (index, store) in stores.iter().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for text in 0..20 {
                text_in(
                    &store,
                    &format!("SMroute{index}-{text}"),
                    &format!("+1202{index}{text:06}"),
                )
                .await;
                store.route_queued().await.expect("routes");
            }
        }));
    }
    for task in tasks {
        task.await.expect("a hub finishes");
    }
    for store in &stores {
        store.route_queued().await.expect("routes");
    }
    let mut placed = HashSet::new();
    for agent in &agents {
        let held = stores[1].list_interactions(agent.id).await.expect("held");
        assert_eq!(held.len(), 5, "{} is full, not over: {held:?}", agent.login);
        for interaction in held {
            assert!(
                placed.insert(interaction.id),
                "interaction {} offered twice",
                interaction.id
            );
        }
    }
    let events = stores[0].events_since(0, 10_000).await.expect("log");
    let offers = events
        .iter()
        .filter(|event| matches!(&event.kind, parley_proto::EventKind::Interaction { interaction } if interaction.agent_id.is_some()))
        .count();
    assert_eq!(offers, 15, "one offer event per placed interaction");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_text_delivered_to_two_hubs_at_once_is_stored_once() {
    let Some((_db, stores)) = hubs(2).await else {
        return skipped();
    };
    for round in 0..20 {
        let sid = format!("SMtwice{round}");
        let phone = format!("+1203555{round:04}");
        let (first, second) = tokio::join!(
            text_in(&stores[0], &sid, &phone),
            text_in(&stores[1], &sid, &phone)
        );
        let stored = [first, second]
            .iter()
            .filter(|outcome| matches!(outcome, InboundOutcome::Stored { .. }))
            .count();
        assert_eq!(stored, 1, "round {round}: {first:?} and {second:?}");
    }
    let contacts = stores[0].list_contacts(0).await.expect("contacts");
    assert_eq!(contacts.len(), 20);
    for contact in contacts {
        let messages = stores[1]
            .list_messages(contact.contact.id)
            .await
            .expect("messages");
        assert_eq!(messages.len(), 1, "{}: one message", contact.contact.phone);
        let history = stores[1]
            .contact_interactions(contact.contact.id)
            .await
            .expect("history");
        assert_eq!(
            history.len(),
            1,
            "{}: one interaction",
            contact.contact.phone
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_has_one_holder_when_hubs_race_for_it() {
    let Some((_db, stores)) = hubs(4).await else {
        return skipped();
    };
    for id in 0..30 {
        let attempts = stores.iter().map(|store| {
            let store = store.clone();
            tokio::spawn(async move { store.claim(Work::Send, id).await.expect("claims") })
        });
        let mut winners = 0;
        for attempt in attempts {
            winners += usize::from(attempt.await.expect("finishes"));
        }
        assert_eq!(winners, 1, "work {id} has one holder");
    }
}
