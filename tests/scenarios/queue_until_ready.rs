//! Nobody Ready: the conversation waits in the queue — never dropped — and is offered as
//! soon as an agent becomes Ready. An auto-answer agent gets it accepted at once.

use std::net::SocketAddr;

use parley_proto::{AgentStatus, InteractionState};
use parley_scenarios::{FakeTwilio, add_agent, desktop, eventually, init_logging, start_hub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_until_an_agent_is_ready() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    let ben = add_agent(&hub, "ben", "pass-ben-1", false).await;
    let (client, _sink) = desktop(&folder.path().join("desktop"));
    client
        .login(&hub.base_url(), "ben", "pass-ben-1")
        .await
        .expect("ben signs in");

    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM000000000000000000000000000000q1",
            "+12015550107",
            "anyone there?",
        )
        .await;
    assert_eq!(status, 200);
    // Stored and queued on the hub; nobody's yet, so on no agent's desktop.
    let queued = hub
        .store
        .ensure_contact("+12015550107")
        .await
        .expect("stored before the webhook was answered");
    let history = hub
        .store
        .contact_interactions(queued.id)
        .await
        .expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].interaction.state, InteractionState::Queued);
    // Routing passes (triggered and periodic) place nothing while nobody is Ready.
    assert_eq!(
        hub.store.route_queued().await.expect("a routing pass"),
        0,
        "nobody is Ready"
    );
    assert!(
        client
            .list_interactions()
            .await
            .expect("interactions")
            .is_empty(),
        "nothing offered to ben yet"
    );

    client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("ben goes Ready");
    let offered = eventually("the queued interaction to be offered", || async {
        client
            .list_interactions()
            .await
            .ok()?
            .into_iter()
            .find(|i| i.state == InteractionState::Offered)
    })
    .await;
    assert_eq!(offered.agent_id, Some(ben.id));
    assert_eq!(offered.contact_id, queued.id);
    // Offered to ben: the contact and its text are on his desktop, unread.
    let on_desktop = eventually("the offered conversation on ben's desktop", || async {
        client
            .list_contacts()
            .await
            .ok()?
            .into_iter()
            .find(|contact| contact.contact.id == queued.id && contact.last_message.is_some())
    })
    .await;
    assert_eq!(on_desktop.unread_count, 1);
    assert_eq!(on_desktop.last_message.as_deref(), Some("anyone there?"));

    // Going Not Ready puts an unanswered offer back in the queue.
    client
        .set_status(AgentStatus::NotReady, None)
        .await
        .expect("ben steps away");
    eventually("the offer to leave ben's list", || async {
        client
            .list_interactions()
            .await
            .ok()?
            .is_empty()
            .then_some(())
    })
    .await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_answer_and_capacity() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    let cleo = add_agent(&hub, "cleo", "pass-cleo-1", true).await;
    let (client, _sink) = desktop(&folder.path().join("desktop"));
    client
        .login(&hub.base_url(), "cleo", "pass-cleo-1")
        .await
        .expect("cleo signs in");
    client
        .set_status(AgentStatus::Ready, None)
        .await
        .expect("cleo goes Ready");
    // Cleo holds 3 at most; the fourth waits.
    for index in 1..=4 {
        let (status, _) = fake
            .text_in(
                &hub.base_url(),
                &format!("SM0000000000000000000000000000000{index}"),
                &format!("+120155501{index:02}"),
                "hello",
            )
            .await;
        assert_eq!(status, 200);
    }
    let active = eventually("three interactions auto-answered", || async {
        let list = client.list_interactions().await.ok()?;
        (list.len() == 3).then_some(list)
    })
    .await;
    assert!(
        active
            .iter()
            .all(|i| i.state == InteractionState::Active && i.agent_id == Some(cleo.id))
    );
    // The hub stored all four before answering their webhooks; the desktop may lag a little.
    let on_hub = hub.store.list_contacts(cleo.id).await.expect("contacts");
    assert_eq!(
        on_hub.len(),
        4,
        "the fourth conversation is kept, not dropped"
    );
    // Her three are on her desktop; the queued fourth is nobody's yet, so not there.
    let contacts = eventually("cleo's three contacts on the desktop", || async {
        let contacts = client.list_contacts().await.ok()?;
        (contacts.len() == 3).then_some(contacts)
    })
    .await;
    let assigned = contacts
        .iter()
        .filter(|c| c.contact.assigned_agent_id == Some(cleo.id))
        .count();
    assert_eq!(assigned, 3, "auto-answer makes cleo the assigned agent");
    assert_eq!(
        hub.store.route_queued().await.expect("a pass"),
        0,
        "the fourth stays queued while cleo is full"
    );
    hub.stop().await;
}
