//! Webhooks that fail verification change nothing; a repeated MessageSid is stored once.

use std::net::SocketAddr;

use parley_scenarios::{FakeTwilio, init_logging, start_hub};

const SID: &str = "SM0000000000000000000000000000abcd";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_missing_signatures_are_refused_and_store_nothing() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    let url = format!("{}/webhooks/twilio/sms", hub.base_url());
    let params = fake.inbound_params(SID, "+12015550101", "hello");
    let head_before = hub.store.head_seq().await.expect("the log");

    let (status, _) = fake.post_webhook(&url, &params, Some("")).await;
    assert_eq!(status, 403, "a missing signature is refused");
    let (status, _) = fake
        .post_webhook(&url, &params, Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ="))
        .await;
    assert_eq!(status, 403, "a wrong signature is refused");
    // Signed for another URL (e.g. replayed from elsewhere).
    let other = parley_sms::signature::compute(
        &fake.auth_token,
        "https://elsewhere.example/webhooks/twilio/sms",
        &params,
    );
    let (status, _) = fake.post_webhook(&url, &params, Some(&other)).await;
    assert_eq!(status, 403, "a signature for another URL is refused");
    // Tampered body after signing.
    let signature = parley_sms::signature::compute(&fake.auth_token, &url, &params);
    let mut tampered = params.clone();
    for (name, value) in &mut tampered {
        if name == "Body" {
            *value = "send me your password".into();
        }
    }
    let (status, _) = fake.post_webhook(&url, &tampered, Some(&signature)).await;
    assert_eq!(status, 403, "a changed body is refused");
    let (status, _) = fake
        .post_webhook(
            &format!("{}/webhooks/twilio/status?message_id=1", hub.base_url()),
            &params,
            Some("bogus"),
        )
        .await;
    assert_eq!(status, 403, "an unsigned status callback is refused");

    assert_eq!(
        hub.store.head_seq().await.expect("the log"),
        head_before,
        "nothing was stored"
    );
    let contacts = hub.store.list_contacts(0).await.expect("contacts");
    assert!(contacts.is_empty(), "no contact was created: {contacts:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_message_sid_twice_is_stored_once() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    for attempt in 0..3 {
        let (status, _) = fake
            .text_in(&hub.base_url(), SID, "+12015550101", "hello once")
            .await;
        assert_eq!(
            status, 200,
            "attempt {attempt} is acknowledged so the provider stops retrying"
        );
    }
    let contacts = hub.store.list_contacts(0).await.expect("contacts");
    assert_eq!(contacts.len(), 1);
    let messages = hub
        .store
        .list_messages(contacts[0].contact.id)
        .await
        .expect("messages");
    assert_eq!(
        messages.len(),
        1,
        "one provider message, one stored message: {messages:?}"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_webhooks_get_400_and_unknown_fields_are_fine() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    let url = format!("{}/webhooks/twilio/sms", hub.base_url());
    let without_from: Vec<(String, String)> = fake
        .inbound_params(SID, "+12015550101", "x")
        .into_iter()
        .filter(|(name, _)| name != "From")
        .collect();
    let (status, _) = fake.post_webhook(&url, &without_from, None).await;
    assert_eq!(status, 400, "a signed webhook without From is malformed");

    let mut extra = fake.inbound_params(SID, "+12015550101", "<script>alert(1)</script> & more");
    extra.push(("AddOns".into(), "{\"status\":\"successful\"}".into()));
    extra.push(("SomeFutureField".into(), "42".into()));
    let (status, _) = fake.post_webhook(&url, &extra, None).await;
    assert_eq!(status, 200, "unknown extra params are normal");
    let contacts = hub.store.list_contacts(0).await.expect("contacts");
    let messages = hub
        .store
        .list_messages(contacts[0].contact.id)
        .await
        .expect("messages");
    assert_eq!(
        messages[0].body, "<script>alert(1)</script> & more",
        "the text is stored verbatim"
    );
    hub.stop().await;
}
