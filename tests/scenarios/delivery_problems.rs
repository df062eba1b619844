//! Everything that can go wrong with a text, through the Twilio wire format: STOP and
//! START, the provider's opt-out and bad-number refusals, a carrier that cannot reach the
//! phone, Retry as a new provider message whose predecessor's late callbacks change
//! nothing, and numbers checked with libphonenumber's rules before anything is sent.

use parley_client::hub_api::{HubApi, HubError};
use parley_proto::{ErrorCode, MessageStatus, Reachability, SendMessageRequest};
use parley_scenarios::fake_twilio::{FakeTwilio, ScriptedError};
use parley_scenarios::{add_agent, eventually, init_logging, start_hub_with};

const CUSTOMER: &str = "+12015550171";

fn refused_with(error: HubError) -> ErrorCode {
    match error {
        HubError::Refused { error, .. } => error.code,
        HubError::Offline(reason) => panic!("the hub was not reached: {reason}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opt_outs_refusals_unreachable_numbers_and_retry() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "ned", "pass-ned-1", true).await;
    let api = HubApi::new(&hub.base_url()).expect("a client");
    let login = api.login("ned", "pass-ned-1").await.expect("ned signs in");
    let api = api.with_token(login.token);
    let mut keys = 0;
    let mut send = |body: &str, contact_id: i64| {
        keys += 1;
        SendMessageRequest {
            contact_id,
            interaction_id: None,
            body: body.to_owned(),
            client_key: format!("key-{keys}"),
            upload_ids: Vec::new(),
        }
    };

    // STOP opts the contact out: the hub refuses to send, and nothing reaches the provider.
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM000000000000000000000000000000s1",
            CUSTOMER,
            "Stop",
        )
        .await;
    assert_eq!(status, 200);
    let contact = hub.store.list_contacts(0).await.expect("contacts")[0]
        .contact
        .clone();
    assert!(contact.opted_out, "STOP opted the contact out");
    let refused = api
        .send_message(&send("are you sure?", contact.id))
        .await
        .expect_err("no text to an opted-out contact");
    assert_eq!(refused_with(refused), ErrorCode::OptedOut);
    assert!(fake.accepted().is_empty(), "nothing reached the provider");
    // START opts back in.
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000s2",
        CUSTOMER,
        "START",
    )
    .await;
    assert!(
        !hub.store
            .contact(contact.id)
            .await
            .expect("contact")
            .opted_out
    );

    // The provider says the contact opted out (21610): failed, and the contact is marked.
    fake.fail_next(ScriptedError {
        http_status: 400,
        code: 21610,
        message: "Attempt to send to unsubscribed recipient".into(),
        retry_after: None,
    });
    let message = api
        .send_message(&send("welcome back", contact.id))
        .await
        .expect("stored");
    let failed = eventually("the refusal to be recorded", || async {
        let messages = hub.store.list_messages(contact.id).await.ok()?;
        messages
            .into_iter()
            .find(|m| m.id == message.id && m.status == MessageStatus::Failed)
    })
    .await;
    assert_eq!(failed.error_code, Some(21610));
    assert!(
        hub.store
            .contact(contact.id)
            .await
            .expect("contact")
            .opted_out,
        "21610 marks the opt-out"
    );
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000s3",
        CUSTOMER,
        "unstop",
    )
    .await;

    // The carrier cannot reach the phone (30003): undelivered, the number is flagged, and
    // Retry sends a new provider message for the same transcript entry.
    let message = api
        .send_message(&send("your parcel is here", contact.id))
        .await
        .expect("stored");
    let first = eventually("the provider to take it", || async {
        fake.accepted().into_iter().last()
    })
    .await;
    assert_eq!(
        fake.report_status(&first.sid, "undelivered", Some(30003))
            .await,
        200
    );
    let undelivered = eventually("undelivered", || async {
        hub.store
            .list_messages(contact.id)
            .await
            .ok()?
            .into_iter()
            .find(|m| m.id == message.id && m.status == MessageStatus::Undelivered)
    })
    .await;
    assert_eq!(undelivered.error_code, Some(30003));
    assert_eq!(
        hub.store
            .contact(contact.id)
            .await
            .expect("contact")
            .reachability,
        Some(Reachability::Unreachable)
    );
    let retried = api.retry_message(message.id).await.expect("Retry");
    assert_eq!(retried.id, message.id, "the same transcript entry");
    let second = eventually("a second provider message", || async {
        let accepted = fake.accepted();
        (accepted.len() == 2).then(|| accepted[1].clone())
    })
    .await;
    assert_ne!(second.sid, first.sid, "a new provider message");
    assert_eq!(second.field("Body"), Some("your parcel is here"));
    // A late callback about the first attempt changes nothing.
    assert_eq!(fake.report_status(&first.sid, "delivered", None).await, 200);
    assert_eq!(fake.report_status(&second.sid, "sent", None).await, 200);
    let sent = eventually("sent", || async {
        hub.store
            .list_messages(contact.id)
            .await
            .ok()?
            .into_iter()
            .find(|m| m.id == message.id && m.status == MessageStatus::Sent)
    })
    .await;
    assert_eq!(sent.error_code, None);
    assert_eq!(
        fake.report_status(&second.sid, "delivered", None).await,
        200
    );
    eventually("delivered", || async {
        hub.store
            .list_messages(contact.id)
            .await
            .ok()?
            .into_iter()
            .find(|m| m.id == message.id && m.status == MessageStatus::Delivered)
    })
    .await;
    // Retry is for failed messages only.
    let conflict = api.retry_message(message.id).await.expect_err("delivered");
    assert_eq!(refused_with(conflict), ErrorCode::Conflict);
    assert_eq!(
        fake.accepted().len(),
        2,
        "each attempt reached the provider once"
    );

    // The provider's 21211 is "the number is incorrect".
    fake.fail_next(ScriptedError {
        http_status: 400,
        code: 21211,
        message: "The 'To' number is not a valid phone number.".into(),
        retry_after: None,
    });
    let message = api
        .send_message(&send("hello?", contact.id))
        .await
        .expect("stored");
    let failed = eventually("21211 recorded", || async {
        hub.store
            .list_messages(contact.id)
            .await
            .ok()?
            .into_iter()
            .find(|m| m.id == message.id && m.status == MessageStatus::Failed)
    })
    .await;
    assert_eq!(failed.error_code, Some(21211));
    assert_eq!(
        parley_sms::errors::describe(21211),
        "The number is incorrect."
    );

    // Create SMS Interaction to a typed number: national numbers read in the default
    // region; an incorrect number is refused before anything is created or sent.
    let created = api
        .create_interaction_for_number("(201) 555-0177", false)
        .await
        .expect("a national number");
    let new_contact = hub
        .store
        .contact(created.contact_id)
        .await
        .expect("contact");
    assert_eq!(new_contact.phone, "+12015550177");
    for bad in ["+1 555 123 0001", "12", "+1 800 FLOWERS", "<script>"] {
        let refused = api
            .create_interaction_for_number(bad, false)
            .await
            .expect_err("an incorrect number");
        assert_eq!(refused_with(refused), ErrorCode::InvalidNumber, "{bad}");
    }
    let contacts = hub.store.list_contacts(0).await.expect("contacts");
    assert_eq!(
        contacts.len(),
        2,
        "no contact was made for an incorrect number"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_landline_is_looked_up_once_and_flagged() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.twilio.line_type_lookups = true;
    })
    .await;
    add_agent(&hub, "lou", "pass-lou-1", false).await;
    let api = HubApi::new(&hub.base_url()).expect("a client");
    let login = api.login("lou", "pass-lou-1").await.expect("lou signs in");
    let api = api.with_token(login.token);
    fake.set_line_type("+12015550188", "landline");

    // Typing a landline's number starts a lookup at once, so the warning shows before
    // anything is written.
    let created = api
        .create_interaction_for_number("201-555-0188", false)
        .await
        .expect("created");
    let flagged = eventually("the landline flag", || async {
        let contact = hub.store.contact(created.contact_id).await.ok()?;
        contact.reachability.map(|_| contact)
    })
    .await;
    assert_eq!(flagged.reachability, Some(Reachability::Landline));
    // Texting it anyway is allowed (the lookup may be wrong); no second lookup is made.
    for (index, body) in ["first", "second"].into_iter().enumerate() {
        api.send_message(&SendMessageRequest {
            contact_id: created.contact_id,
            interaction_id: Some(created.id),
            body: body.into(),
            client_key: format!("landline-{index}"),
            upload_ids: Vec::new(),
        })
        .await
        .expect("stored");
    }
    eventually("both texts at the provider", || async {
        (fake.accepted().len() == 2).then_some(())
    })
    .await;
    assert_eq!(fake.lookups(), ["+12015550188"], "one lookup per number");

    // A mobile number is looked up too, and not flagged.
    let mobile = api
        .create_interaction_for_number("+1 201 555 0189", false)
        .await
        .expect("created");
    eventually("the second lookup", || async {
        (fake.lookups().len() == 2).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let contact = hub.store.contact(mobile.contact_id).await.expect("contact");
    assert_eq!(
        contact.reachability, None,
        "a mobile number carries no warning"
    );
    assert_eq!(fake.lookups(), ["+12015550188", "+12015550189"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_never_sends_a_text_twice() {
    use parley_scenarios::fake_twilio::LostAnswer;
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.twilio.request_timeout_ms = 1_000;
    })
    .await;
    add_agent(&hub, "amy", "pass-amy-1", true).await;
    let api = HubApi::new(&hub.base_url()).expect("a client");
    let login = api.login("amy", "pass-amy-1").await.expect("amy signs in");
    let api = api.with_token(login.token);
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000t1",
        CUSTOMER,
        "hello",
    )
    .await;
    let contact_id = hub.store.list_contacts(0).await.expect("contacts")[0]
        .contact
        .id;
    let mut keys = 0;
    let mut send = |body: &str| {
        keys += 1;
        SendMessageRequest {
            contact_id,
            interaction_id: None,
            body: body.to_owned(),
            client_key: format!("lost-{keys}"),
            upload_ids: Vec::new(),
        }
    };
    let sid_of = |message_id: i64| {
        let store = hub.store.clone();
        async move {
            eventually("the provider's id on the message", || async {
                store.provider_sid(message_id).await.ok().flatten()
            })
            .await
        }
    };

    // An ordinary "Thanks!" first, so that a second one must not be mistaken for it.
    let first = api.send_message(&send("Thanks!")).await.expect("stored");
    eventually("the first at the provider", || async {
        (fake.accepted().len() == 1).then_some(())
    })
    .await;
    let first_sid = sid_of(first.id).await;

    // The provider takes the second "Thanks!" but its answer is lost (a 500): the hub asks,
    // finds it, and does not send it again.
    fake.lose_next_answer(LostAnswer::ServerError);
    let second = api.send_message(&send("Thanks!")).await.expect("stored");
    let second_sid = sid_of(second.id).await;
    assert_ne!(
        second_sid, first_sid,
        "the lost one is found, not the older one"
    );
    assert_eq!(fake.accepted().len(), 2, "one provider message each");

    // The answer comes after the hub stopped waiting (a timeout): the same.
    fake.lose_next_answer(LostAnswer::Late(std::time::Duration::from_secs(3)));
    let third = api.send_message(&send("See you")).await.expect("stored");
    let third_sid = sid_of(third.id).await;
    assert_eq!(fake.accepted().len(), 3);
    assert_eq!(fake.accepted()[2].sid, third_sid);

    // A 500 where the provider did not take it: asked, not found, sent again once.
    fake.fail_next(ScriptedError {
        http_status: 503,
        code: 20503,
        message: "Service Unavailable".into(),
        retry_after: None,
    });
    let fourth = api.send_message(&send("Bye")).await.expect("stored");
    let fourth_sid = sid_of(fourth.id).await;
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 4, "sent once after the failure");
    assert_eq!(accepted[3].sid, fourth_sid);
    assert_eq!(accepted[3].field("Body"), Some("Bye"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_is_waited_out_as_the_provider_asks() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "rae", "pass-rae-1", true).await;
    let api = HubApi::new(&hub.base_url()).expect("a client");
    let login = api.login("rae", "pass-rae-1").await.expect("rae signs in");
    let api = api.with_token(login.token);
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000r1",
        CUSTOMER,
        "hi",
    )
    .await;
    let contact_id = hub.store.list_contacts(0).await.expect("contacts")[0]
        .contact
        .id;
    fake.fail_next(ScriptedError {
        http_status: 429,
        code: 20429,
        message: "Too Many Requests".into(),
        retry_after: Some(2),
    });
    api.send_message(&SendMessageRequest {
        contact_id,
        interaction_id: None,
        body: "after the pause".into(),
        client_key: "rate-limited".into(),
        upload_ids: Vec::new(),
    })
    .await
    .expect("stored");
    eventually("the provider to take it after the pause", || async {
        (fake.accepted().len() == 1).then_some(())
    })
    .await;
    let times = fake.create_times();
    assert_eq!(times.len(), 2, "refused once, then sent once");
    let gap = times[1] - times[0];
    assert!(
        gap >= std::time::Duration::from_millis(1_900),
        "the hub waited as Retry-After asked (waited {gap:?})"
    );
    assert_eq!(fake.accepted()[0].field("Body"), Some("after the pause"));
}
