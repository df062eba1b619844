//! Pages of the contact list, a contact's history and a contact's messages, on every
//! engine: the first page and the pages that follow join without a gap or a repeat — also
//! when texts arrive between two pages, and when contacts share a last activity.

mod support;

use std::sync::Arc;

use parley_hub::testing::TestDatabase;
use parley_hub::{ContactPage, FakeClock, MessagePage};
use parley_proto::rows::HistoryPage;
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

#[tokio::test]
async fn pages_of_the_contact_list_join_without_gaps_or_repeats() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let agent = support::agent(&store, "pat", false, 3).await;
        // 23 contacts; some texted in the same millisecond, so the id breaks the tie.
        for n in 0..23 {
            if n % 3 == 0 {
                clock.advance(1_000);
            }
            text_in(
                &store,
                &format!("SMlist{n:04}"),
                &format!("+1201555{n:04}"),
                &format!("hello {n}"),
            )
            .await;
        }
        let everyone = store.visible_contacts(&agent).await.expect("all");
        assert_eq!(everyone.len(), 23, "{}", db.engine);
        let mut pages = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .contact_page(&agent, ContactPage { after, limit: 10 })
                .await
                .expect("a page");
            let Some(last) = page.last() else { break };
            after = Some((last.contact.last_activity_at, last.contact.id));
            pages.push(page);
        }
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            [10, 10, 3],
            "{}",
            db.engine
        );
        let ids = |summaries: &[parley_proto::ContactSummary]| -> Vec<i64> {
            summaries.iter().map(|summary| summary.contact.id).collect()
        };
        let joined: Vec<_> = pages.into_iter().flatten().collect();
        assert_eq!(
            ids(&joined),
            ids(&everyone),
            "{}: the whole list, in its order",
            db.engine
        );
        assert!(
            joined.iter().all(|summary| summary.unread_count == 1),
            "{}: each page counts the unread texts",
            db.engine
        );
    }
}

#[tokio::test]
async fn pages_of_a_contacts_history_join_without_gaps_or_repeats() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        let agent = support::agent(&store, "pat", false, 3).await;
        let phone = "+12015550401";
        for n in 0..7 {
            let lines = [(parley_proto::Direction::Inbound, "hello", START + n * 1_000)];
            store
                .import_conversation(phone, "Ada", agent.id, "+12015550100", &lines)
                .await
                .expect("imported");
        }
        let contact = store.ensure_contact(phone).await.expect("contact");
        let everything = store
            .contact_interactions(contact.id)
            .await
            .expect("history");
        assert_eq!(everything.len(), 7, "{}", db.engine);
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let page = store
                .contact_interaction_page(contact.id, HistoryPage { before, limit: 3 })
                .await
                .expect("a page");
            let Some(last) = page.last() else { break };
            before = Some(last.interaction.id);
            pages.push(page);
        }
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            [3, 3, 1],
            "{}",
            db.engine
        );
        let ids = |history: &[parley_proto::ContactInteraction]| -> Vec<i64> {
            history.iter().map(|item| item.interaction.id).collect()
        };
        let joined: Vec<_> = pages.into_iter().flatten().collect();
        assert_eq!(
            ids(&joined),
            ids(&everything),
            "{}: newest first, whole",
            db.engine
        );
    }
}

#[tokio::test]
async fn pages_of_search_hits_join_without_gaps_or_repeats() {
    for db in TestDatabase::each().await {
        let clock = Arc::new(FakeClock::at(START));
        let store = open(&db, &clock).await;
        for n in 0..120 {
            text_in(
                &store,
                &format!("SMfind{n:04}"),
                &format!("+120155503{:02}", n % 40),
                &format!("refund request {n}"),
            )
            .await;
            if n % 3 == 0 {
                text_in(&store, &format!("SMskip{n:04}"), "+12015550399", "thanks").await;
            }
        }
        let mut seen = Vec::new();
        let mut before = None;
        let mut sizes = Vec::new();
        loop {
            let page = store
                .search_page("refund", before)
                .await
                .unwrap_or_else(|error| panic!("{}: a page: {error}", db.engine));
            assert!(
                page.iter().all(|hit| hit.message.is_some()),
                "{}: no contact is named refund",
                db.engine
            );
            if page.is_empty() {
                break;
            }
            sizes.push(page.len());
            let ids: Vec<i64> = page
                .iter()
                .map(|hit| hit.message.as_ref().expect("a message").id)
                .collect();
            before = ids.last().copied();
            seen.extend(ids);
        }
        assert_eq!(sizes, [50, 50, 20], "{}", db.engine);
        let mut expected = seen.clone();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        expected.dedup();
        assert_eq!(seen, expected, "{}: newest first, each once", db.engine);
        assert_eq!(
            store.search("refund").await.expect("the first page").len(),
            50,
            "{}",
            db.engine
        );
    }
}
