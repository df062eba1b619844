//! An agent who sees only their own contacts, on the desktop: another agent's customer
//! stays out of their replica (the event stream carries placeholders in its place, and
//! stays gap-free) until the customer becomes theirs — then the replica fetches the
//! customer and the whole earlier conversation, and shows it offline too.

use parley_hub::WrapUp;
use parley_proto::{AgentStatus, Permissions, Role};
use parley_scenarios::{FakeTwilio, add_agent, desktop, eventually, init_logging, start_hub_with};

const CUSTOMER: &str = "+12015550161";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_agents_customer_reaches_the_replica_only_once_it_is_mine() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    hub.store
        .set_role_permissions(
            Role::Agent,
            Permissions {
                all_contacts: false,
                ..Permissions::default_for(Role::Agent)
            },
        )
        .await
        .expect("agents see their own contacts");
    let ana = add_agent(&hub, "ana", "pass-ana-1", true).await;
    let bo = add_agent(&hub, "bo", "pass-bo-1", true).await;
    // Bo is signed in elsewhere, and Ready.
    parley_hub::testing::session(&hub.store, bo.id).await;
    hub.store
        .set_agent_status(bo.id, AgentStatus::Ready, None)
        .await
        .expect("bo is Ready");
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM000000000000000000000000000000p1",
            CUSTOMER,
            "my order is late",
        )
        .await;
    assert_eq!(status, 200);
    let his = eventually("bo to have the chat", || async {
        hub.store
            .list_interactions(bo.id)
            .await
            .ok()?
            .into_iter()
            .next()
    })
    .await;

    let (client, sink) = desktop(&folder.path().join("ana"));
    client
        .login(&hub.base_url(), "ana", "pass-ana-1")
        .await
        .expect("ana signs in");
    // Online means the replica started from its snapshot and follows the stream.
    eventually("ana's desktop to be online", || async {
        (sink.connection() == Some(parley_proto::ConnectionState::Online)).then_some(())
    })
    .await;
    let about_his = |event: &parley_proto::Event| match &event.kind {
        parley_proto::EventKind::Contact { contact } => contact.id == his.contact_id,
        parley_proto::EventKind::Interaction { interaction } => {
            interaction.contact_id == his.contact_id
        }
        parley_proto::EventKind::Message { message } => message.contact_id == his.contact_id,
        _ => false,
    };
    assert!(
        !sink
            .events
            .lock()
            .expect("not poisoned")
            .iter()
            .any(about_his),
        "nothing of bo's customer reached ana's desktop"
    );
    assert!(
        client.list_contacts().await.expect("contacts").is_empty(),
        "bo's customer is not in her replica"
    );
    assert!(
        client
            .list_messages(his.contact_id)
            .await
            .unwrap_or_default()
            .is_empty()
    );

    // Bo is done; the customer writes again and the chat goes to ana.
    hub.store
        .wrap_up(
            bo.id,
            his.id,
            WrapUp {
                disposition: None,
                note: None,
                done: Some(parley_hub::Completion::DispositionOptional),
            },
        )
        .await
        .expect("done");
    hub.store
        .set_agent_status(bo.id, AgentStatus::NotReady, None)
        .await
        .expect("bo steps away");
    client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("ana is Ready");
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM000000000000000000000000000000p2",
            CUSTOMER,
            "anyone there?",
        )
        .await;
    assert_eq!(status, 200);
    let transcript = eventually("the whole conversation in ana's replica", || async {
        let messages = client.list_messages(his.contact_id).await.ok()?;
        (messages.len() == 2).then_some(messages)
    })
    .await;
    let bodies: Vec<&str> = transcript
        .iter()
        .map(|message| message.body.as_str())
        .collect();
    assert_eq!(bodies, ["my order is late", "anyone there?"]);
    let contacts = client.list_contacts().await.expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].contact.phone, CUSTOMER);
    let mine = client.list_interactions().await.expect("interactions");
    assert!(
        mine.iter()
            .all(|interaction| interaction.agent_id == Some(ana.id))
    );
}
