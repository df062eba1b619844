//! Pages of a contact's messages, on every engine: the newest page, and pages just older
//! or newer than a message, join without a gap or a repeat — also when texts arrive
//! between two pages.

mod support;

use std::sync::Arc;

use parley_hub::testing::TestDatabase;
use parley_hub::{FakeClock, MessagePage};
use support::{START, open, text_in};

#[tokio::test]
async fn pages_of_a_contacts_messages_join_without_gaps_or_repeats() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let phone = "+12015550301";
        for n in 0..25 {
            text_in(
                &store,
                &format!("SMpage{n:04}"),
                phone,
                &format!("text {n}"),
            )
            .await;
        }
        let contact = store.ensure_contact(phone).await.expect("contact");
        let everything = store.list_messages(contact.id).await.expect("all");
        let bodies = |messages: &[parley_proto::Message]| -> Vec<String> {
            messages.iter().map(|m| m.body.clone()).collect()
        };

        // Back from the newest, 10 at a time.
        let mut pages = Vec::new();
        let mut page = MessagePage::Newest;
        loop {
            let got = store
                .message_page(contact.id, page, 10)
                .await
                .expect("a page");
            if got.is_empty() {
                break;
            }
            page = MessagePage::Before(got[0].id);
            pages.push(got);
        }
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            [10, 10, 5],
            "{}",
            db.engine
        );
        let joined: Vec<_> = pages.into_iter().rev().flatten().collect();
        assert_eq!(
            bodies(&joined),
            bodies(&everything),
            "{}: oldest first, whole",
            db.engine
        );

        // Forward from an older message, while new texts arrive between two pages.
        let first = store
            .message_page(contact.id, MessagePage::After(everything[19].id), 3)
            .await
            .expect("a page");
        assert_eq!(
            bodies(&first),
            ["text 20", "text 21", "text 22"],
            "{}",
            db.engine
        );
        text_in(&store, "SMpage9999", phone, "text 25").await;
        let second = store
            .message_page(contact.id, MessagePage::After(first[2].id), 10)
            .await
            .expect("a page");
        assert_eq!(
            bodies(&second),
            ["text 23", "text 24", "text 25"],
            "{}: the newer page has what arrived meanwhile",
            db.engine
        );
        let other = store.ensure_contact("+12015550302").await.expect("contact");
        assert!(
            store
                .message_page(other.id, MessagePage::Newest, 10)
                .await
                .expect("a page")
                .is_empty(),
            "{}: only this contact's messages",
            db.engine
        );
    }
}
