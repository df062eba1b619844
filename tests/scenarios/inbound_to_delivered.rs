//! The spine: a customer's SMS reaches an agent's desktop, and the agent's reply reaches the
//! customer — signed inbound webhook → routed to a Ready agent → accepted → reply → the
//! provider receives the POST → signed `delivered` callback → the desktop shows delivered.

use std::net::SocketAddr;

use parley_proto::{
    AgentStatus, ComposeRequest, Direction, EventKind, InteractionState, MessageStatus,
};
use parley_scenarios::{FakeTwilio, add_agent, desktop, eventually, init_logging, start_hub};
use parley_sms::twilio::EMPTY_TWIML;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_sms_reaches_the_agent_and_the_reply_is_delivered() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    let agent = add_agent(&hub, "ana", "s3cret-pass", false).await;
    let (client, sink) = desktop(&folder.path().join("desktop"));
    let session = client
        .login(&hub.base_url(), "ana", "s3cret-pass")
        .await
        .expect("ana signs in");
    assert_eq!(session.agent.id, agent.id);
    // Online: the desktop follows the stream, so the offer reaches it as an event.
    eventually("the desktop to be online", || async {
        (sink.connection() == Some(parley_proto::ConnectionState::Online)).then_some(())
    })
    .await;
    let ready = client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("ana goes Ready");
    assert_eq!(ready.status, AgentStatus::Ready);

    let (status, body) = fake
        .text_in(
            &hub.base_url(),
            "SM00000000000000000000000000000001",
            "+12015550101",
            "Hi, where is my order?",
        )
        .await;
    assert_eq!(status, 200, "a signed inbound webhook is accepted: {body}");
    assert_eq!(body, EMPTY_TWIML, "the hub answers empty TwiML");

    let offered = eventually(
        "the interaction to be offered to ana on her desktop",
        || async {
            client
                .list_interactions()
                .await
                .ok()?
                .into_iter()
                .find(|interaction| interaction.state == InteractionState::Offered)
        },
    )
    .await;
    assert_eq!(offered.agent_id, Some(agent.id));
    // The replica holds an event a moment before the desktop reports it.
    let offer_seq = eventually("the offer to come as an event", || async {
        sink.events
            .lock()
            .ok()?
            .iter()
            .find(|event| {
                matches!(&event.kind, EventKind::Interaction { interaction }
                    if interaction.id == offered.id && interaction.state == InteractionState::Offered)
            })
            .map(|event| event.seq)
    })
    .await;
    let contact = client
        .contact(offered.contact_id)
        .await
        .expect("the contact is in the replica");
    assert_eq!(contact.phone, "+12015550101");
    let transcript = client
        .list_messages(contact.id)
        .await
        .expect("the transcript");
    assert_eq!(transcript.len(), 1);
    assert_eq!(transcript[0].body, "Hi, where is my order?");
    assert_eq!(transcript[0].direction, Direction::Inbound);
    let unread = client.list_contacts().await.expect("contacts");
    assert_eq!(unread[0].unread_count, 1, "the new message is unread");

    let accepted = client.accept(offered.id).await.expect("ana accepts");
    assert_eq!(accepted.state, InteractionState::Active);

    let pending = client
        .send_message(ComposeRequest {
            contact_id: contact.id,
            interaction_id: Some(offered.id),
            body: "It ships today — tracking follows.".into(),
            upload_ids: None,
        })
        .await
        .expect("the reply is saved");
    assert_eq!(
        pending.status,
        MessageStatus::Pending,
        "saved locally first"
    );

    let sent = eventually("the provider to receive the reply", || async {
        fake.accepted().into_iter().next()
    })
    .await;
    assert_eq!(sent.field("To"), Some("+12015550101"));
    assert_eq!(
        sent.field("From"),
        Some(parley_scenarios::fake_twilio::OUR_NUMBER)
    );
    assert_eq!(
        sent.field("Body"),
        Some("It ships today — tracking follows.")
    );
    let callback = sent.field("StatusCallback").expect("a status callback URL");
    assert!(
        callback.starts_with(&format!(
            "{}/webhooks/twilio/status?message_id=",
            hub.base_url()
        )),
        "{callback}"
    );

    assert_eq!(fake.report_status(&sent.sid, "sent", None).await, 200);
    assert_eq!(fake.report_status(&sent.sid, "delivered", None).await, 200);
    // A late `sent` after `delivered` must not move the message back.
    assert_eq!(fake.report_status(&sent.sid, "sent", None).await, 200);

    let delivered = eventually("the desktop to show the reply delivered", || async {
        let messages = client.list_messages(contact.id).await.ok()?;
        let reply = messages
            .into_iter()
            .find(|message| message.direction == Direction::Outbound)?;
        (reply.status == MessageStatus::Delivered).then_some(reply)
    })
    .await;
    assert_eq!(
        delivered.client_key, pending.client_key,
        "the pending row became the delivered one"
    );
    let messages = client
        .list_messages(contact.id)
        .await
        .expect("the transcript");
    assert_eq!(
        messages.len(),
        2,
        "one inbound and one reply, no duplicates: {messages:?}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let still = client
        .list_messages(contact.id)
        .await
        .expect("the transcript");
    assert_eq!(
        still[1].status,
        MessageStatus::Delivered,
        "the late `sent` callback did not undo delivery"
    );
    assert_eq!(
        fake.accepted().len(),
        1,
        "the provider got the reply exactly once"
    );

    let seqs = sink.seqs();
    assert!(
        seqs.windows(2).all(|pair| pair[1] > pair[0]),
        "events arrived in order, each once: {seqs:?}"
    );
    // The scoped stream leaves out only what is not ana's: every event of her
    // interaction and its messages, from the offer on, reached the desktop.
    let entitled: Vec<i64> = hub
        .store
        .events_since(0, 10_000)
        .await
        .expect("the log")
        .into_iter()
        .filter(|event| event.seq >= offer_seq)
        .filter(|event| match &event.kind {
            EventKind::Interaction { interaction } => interaction.id == offered.id,
            EventKind::Message { message } => message.contact_id == contact.id,
            EventKind::Agent { agent: changed } => changed.id == agent.id,
            _ => false,
        })
        .map(|event| event.seq)
        .collect();
    assert!(
        entitled.len() >= 4,
        "the log holds ana's events: {entitled:?}"
    );
    let missed: Vec<i64> = entitled
        .iter()
        .filter(|seq| !seqs.contains(seq))
        .copied()
        .collect();
    assert!(
        missed.is_empty(),
        "the desktop missed events {missed:?} of {entitled:?}"
    );
    let saw_offer = sink.events.lock().expect("not poisoned").iter().any(|event| {
        matches!(&event.kind, EventKind::Interaction { interaction } if interaction.state == InteractionState::Offered)
    });
    assert!(saw_offer, "the desktop was told of the offer");
    client.logout().await.expect("sign out");
    hub.stop().await;
}
