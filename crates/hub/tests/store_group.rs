//! Group commit of the provider's webhooks, on every engine: texts and delivery reports
//! that arrive at once share durable commits, each is answered with its own outcome, a
//! write that fails takes no other down with it, and nothing is stored twice.

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use parley_hub::testing::TestDatabase;
use parley_hub::{FakeClock, Inbound, InboundOutcome, StoreError};
use parley_proto::{EventKind, MessageStatus};
use support::{START, open};

#[tokio::test]
async fn texts_arriving_at_once_share_commits_and_each_is_stored_once() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let head = store.head_seq().await.expect("head");
        // 150 texts from 15 customers, each delivered twice at once (as Twilio retries),
        // and 10 reports about messages this hub never sent.
        let mut tasks = Vec::new();
        for n in 0..300 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let sid = format!("SMgroup{:04}", n % 150);
                let from = format!("+1201555{:04}", (n % 150) % 15);
                let body = format!("text {}", n % 150);
                Ok::<_, StoreError>(Some(
                    store
                        .receive_inbound(&Inbound {
                            provider_sid: &sid,
                            from: &from,
                            to: "+12015550100",
                            body: &body,
                            media: &[],
                        })
                        .await?,
                ))
            }));
        }
        // In the same moment: a customer opts out, another sends two pictures.
        for (sid, from, body, media) in [
            ("SMgroupstop", "+12025550001", "STOP", false),
            ("SMgroupmms", "+12025550002", "look", true),
        ] {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let pictures = if media {
                    vec![
                        (
                            "https://api.twilio.com/m/1".to_owned(),
                            "image/jpeg".to_owned(),
                        ),
                        (
                            "https://api.twilio.com/m/2".to_owned(),
                            "image/png".to_owned(),
                        ),
                    ]
                } else {
                    Vec::new()
                };
                store
                    .receive_inbound(&Inbound {
                        provider_sid: sid,
                        from,
                        to: "+12015550100",
                        body,
                        media: &pictures,
                    })
                    .await?;
                Ok(None)
            }));
        }
        for n in 0..10 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let answer = store
                    .apply_status(None, &format!("SMnever{n}"), MessageStatus::Delivered, None)
                    .await;
                assert!(
                    matches!(answer, Err(StoreError::NotFound("message"))),
                    "{answer:?}"
                );
                Ok(None)
            }));
        }
        let mut stored = HashSet::new();
        let mut duplicates = 0;
        for task in tasks {
            match task.await.expect("a task").expect("answered") {
                Some(InboundOutcome::Stored { message_id, .. }) => {
                    assert!(stored.insert(message_id), "{}: stored twice", db.engine);
                }
                Some(InboundOutcome::Duplicate { .. }) => duplicates += 1,
                None => {}
            }
        }
        assert_eq!((stored.len(), duplicates), (150, 150), "{}", db.engine);
        let (writes, commits) = store.webhook_commits();
        assert_eq!(writes, 312, "{}: every write counted", db.engine);
        assert!(
            commits < writes,
            "{}: writes that arrived at once shared commits ({writes} writes, {commits} commits)",
            db.engine
        );

        // The log holds each text once, numbered without a gap.
        let events = store.events_since(head, 10_000).await.expect("events");
        let seqs: Vec<i64> = events.iter().map(|event| event.seq).collect();
        let expected: Vec<i64> =
            (head + 1..=head + i64::try_from(seqs.len()).expect("few")).collect();
        assert_eq!(seqs, expected, "{}: gap-free", db.engine);
        let mut texts: Vec<String> = events
            .iter()
            .filter_map(|event| match &event.kind {
                EventKind::Message { message } => Some(message.body.clone()),
                _ => None,
            })
            .collect();
        texts.sort();
        let mut all: Vec<String> = (0..150).map(|n| format!("text {n}")).collect();
        all.extend(["STOP".to_owned(), "look".to_owned()]);
        all.sort();
        assert_eq!(texts, all, "{}", db.engine);

        // Each customer's texts are in one conversation, in the order they were taken.
        let contacts = store.list_contacts(0).await.expect("contacts");
        assert_eq!(contacts.len(), 17, "{}", db.engine);
        for summary in &contacts {
            match summary.contact.phone.as_str() {
                "+12025550001" => assert!(summary.contact.opted_out, "{}: STOP", db.engine),
                "+12025550002" => {
                    let messages = store.list_messages(summary.contact.id).await.expect("mms");
                    assert_eq!(messages[0].media.len(), 2, "{}: both pictures", db.engine);
                }
                _ => assert!(!summary.contact.opted_out),
            }
        }
        for summary in contacts
            .iter()
            .filter(|s| s.contact.phone.starts_with("+1201555"))
        {
            let messages = store
                .list_messages(summary.contact.id)
                .await
                .expect("messages");
            assert_eq!(messages.len(), 10, "{}", db.engine);
            let interactions: HashSet<_> = messages
                .iter()
                .map(|message| message.interaction_id)
                .collect();
            assert_eq!(interactions.len(), 1, "{}: one conversation", db.engine);
        }
    }
}
