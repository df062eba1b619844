//! Search: the hub (browser) and the desktop replica (offline, FTS5) give the same results
//! for the same words (each word a prefix, all required, newest first); punctuation, quotes, FTS operators and non-Latin text never error.
//! Mark as unread.

use parley_hub::AgentSettings;
use parley_proto::Role;
use parley_proto::{AgentStatus, ComposeRequest, SearchHit};
use parley_scenarios::{
    FakeTwilio, add_agent, agent_in, desktop, eventually, init_logging, start_hub_with,
};

/// A comparable form of hits: (contact phone, message body).
fn shape(hits: &[SearchHit]) -> Vec<(String, Option<String>)> {
    hits.iter()
        .map(|hit| {
            (
                hit.contact.phone.clone(),
                hit.message.as_ref().map(|m| m.body.clone()),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_and_desktop_search_alike_and_never_error() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    // Ana takes all five chats, so her desktop holds every conversation the hub has.
    agent_in(
        &hub.store,
        "ana",
        "pass-ana",
        AgentSettings {
            role: Role::Agent,
            auto_answer: true,
            max_chats: 5,
            permissions: None,
        },
    )
    .await;
    let (client, sink) = desktop(&folder.path().join("desktop"));
    client
        .login(&hub.base_url(), "ana", "pass-ana")
        .await
        .expect("signs in");
    // Online: the texts reach the desktop as events on its stream.
    eventually("the desktop to be online", || async {
        (sink.connection() == Some(parley_proto::ConnectionState::Online)).then_some(())
    })
    .await;
    client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    let texts = [
        (
            "+12015550131",
            "SM000000000000000000000000000000s1",
            "Where is my order #4471?",
        ),
        (
            "+12015550132",
            "SM000000000000000000000000000000s2",
            "Ordering a café crème, \"extra hot\"",
        ),
        (
            "+12015550133",
            "SM000000000000000000000000000000s3",
            "Привет! Заказ не пришёл",
        ),
        (
            "+12015550134",
            "SM000000000000000000000000000000s4",
            "注文がまだ届きません",
        ),
        (
            "+12015550135",
            "SM000000000000000000000000000000s5",
            "50% off? NEAR(store) AND body:refund",
        ),
    ];
    for (phone, sid, body) in texts {
        let (status, _) = fake.text_in(&hub.base_url(), sid, phone, body).await;
        assert_eq!(status, 200);
    }
    let head = hub.store.head_seq().await.expect("the log");
    eventually("the desktop to sync everything", || async {
        (sink.seqs().last().copied() >= Some(head)).then_some(())
    })
    .await;

    let cases: [(&str, &[&str]); 12] = [
        (
            "order",
            &[
                "Ordering a café crème, \"extra hot\"",
                "Where is my order #4471?",
            ],
        ),
        (
            "ORDER",
            &[
                "Ordering a café crème, \"extra hot\"",
                "Where is my order #4471?",
            ],
        ),
        (
            "orde",
            &[
                "Ordering a café crème, \"extra hot\"",
                "Where is my order #4471?",
            ],
        ),
        ("#4471", &["Where is my order #4471?"]),
        ("cafe", &["Ordering a café crème, \"extra hot\""]),
        ("\"extra hot\"", &["Ordering a café crème, \"extra hot\""]),
        ("привет", &["Привет! Заказ не пришёл"]),
        ("заказ пришёл", &["Привет! Заказ не пришёл"]),
        ("NEAR(store)", &["50% off? NEAR(store) AND body:refund"]),
        ("body:refund", &["50% off? NEAR(store) AND body:refund"]),
        ("order missing", &[]),
        ("*", &[]),
    ];
    for (query, expected) in cases {
        let from_hub = hub
            .store
            .search(query)
            .await
            .unwrap_or_else(|error| panic!("hub search {query:?} failed: {error}"));
        let from_desktop = client
            .search(query, None)
            .await
            .unwrap_or_else(|error| panic!("desktop search {query:?} failed: {error}"));
        let bodies: Vec<&str> = from_hub
            .iter()
            .filter_map(|hit| hit.message.as_ref().map(|m| m.body.as_str()))
            .collect();
        assert_eq!(bodies, expected, "message hits for {query:?}");
        assert_eq!(
            shape(&from_hub),
            shape(&from_desktop),
            "the hub and the desktop agree for {query:?}"
        );
    }
    // Hostile input of every kind is answered, never a syntax error.
    for query in [
        "\"",
        "\"\"\"",
        "AND",
        "OR NOT",
        "a*b*",
        "(",
        ")",
        "^",
        "-",
        "'",
        "' OR 1=1 --",
        "%_\\",
        "💥",
        "注文",
        "  \t ",
    ] {
        hub.store
            .search(query)
            .await
            .unwrap_or_else(|error| panic!("hub search {query:?} failed: {error}"));
        client
            .search(query, None)
            .await
            .unwrap_or_else(|error| panic!("desktop search {query:?} failed: {error}"));
    }

    // Numbers and names: contacts are found by any part of the number.
    let by_number = client.search("201 555-0133", None).await.expect("search");
    assert_eq!(
        by_number.first().map(|hit| hit.contact.phone.as_str()),
        Some("+12015550133")
    );
    assert!(by_number[0].message.is_none(), "a contact hit comes first");
    let percent = hub.store.search("50%").await.expect("search");
    assert!(
        percent.iter().all(|hit| hit.message.is_some()),
        "`%` is not a LIKE wildcard: no contact matches 50%"
    );

    // Offline: the desktop still searches.
    hub.stop().await;
    let offline = client
        .search("#4471", None)
        .await
        .expect("search works offline");
    assert_eq!(offline.len(), 1);

    // Something typed offline is found too.
    client
        .send_message(ComposeRequest {
            contact_id: offline[0].contact.id,
            interaction_id: None,
            body: "Your tracking number is ZX-991".into(),
            upload_ids: None,
        })
        .await
        .expect("saved offline");
    let pending = client.search("zx 991", None).await.expect("search");
    assert_eq!(
        pending.len(),
        1,
        "the pending message is searchable: {pending:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_as_unread_brings_the_badge_back() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    let agent = add_agent(&hub, "ben", "pass-ben", true).await;
    let (client, _sink) = desktop(&folder.path().join("desktop"));
    client
        .login(&hub.base_url(), "ben", "pass-ben")
        .await
        .expect("signs in");
    // The customer's chat is Ben's, so the contact is on his desktop.
    client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000u1",
        "+12015550141",
        "first",
    )
    .await;
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000u2",
        "+12015550141",
        "second",
    )
    .await;
    let contact = eventually("both messages on the desktop", || async {
        let contacts = client.list_contacts().await.ok()?;
        contacts.into_iter().find(|c| c.unread_count == 2)
    })
    .await;
    client.mark_read(contact.contact.id).await.expect("read");
    assert_eq!(
        client.list_contacts().await.expect("contacts")[0].unread_count,
        0
    );
    client
        .mark_unread(contact.contact.id)
        .await
        .expect("unread again");
    assert_eq!(
        client.list_contacts().await.expect("contacts")[0].unread_count,
        1,
        "the newest message is unread again"
    );
    let on_hub = hub.store.list_contacts(agent.id).await.expect("contacts");
    assert_eq!(
        on_hub[0].unread_count, 1,
        "the hub keeps the same mark for the browser"
    );
    hub.stop().await;
}
