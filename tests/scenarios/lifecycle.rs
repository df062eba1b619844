//! After the chat: End (by the agent, or the contact going quiet), wrap-up (disposition,
//! note), Done, the KPI durations; asynchronous chat (reactivation); routing back to the
//! assigned agent; offer timeout; Create SMS Interaction; Not Ready reasons.

use std::time::Duration;

use parley_client::Client;
use parley_proto::{
    AgentStatus, ComposeRequest, EndedBy, ErrorCode, Interaction, InteractionState, WrapUpRequest,
};
use parley_scenarios::{
    FakeTwilio, RecordingSink, add_agent, desktop, eventually, init_logging, start_hub_with,
};
use std::sync::Arc;

async fn signed_in(
    hub: &parley_hub::RunningHub,
    folder: &std::path::Path,
    login: &str,
) -> (Client, Arc<RecordingSink>) {
    let (client, sink) = desktop(&folder.join(login));
    client
        .login(&hub.base_url(), login, &format!("pass-{login}"))
        .await
        .expect("signs in");
    (client, sink)
}

async fn offered(client: &Client, what: &str) -> Interaction {
    eventually(what, || async {
        client
            .list_interactions()
            .await
            .ok()?
            .into_iter()
            .find(|i| i.state == InteractionState::Offered)
    })
    .await
}

fn code_of(error: parley_client::ClientError) -> ErrorCode {
    parley_proto::ApiError::from(error).code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_wrap_up_done_and_kpi() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "ana", "pass-ana", false).await;
    let (ana, _) = signed_in(&hub, folder.path(), "ana").await;
    ana.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    let (status, _) = fake
        .text_in(
            &hub.base_url(),
            "SM000000000000000000000000000000l1",
            "+12015550121",
            "my bill is wrong",
        )
        .await;
    assert_eq!(status, 200);
    let offer = offered(&ana, "the offer").await;
    ana.accept(offer.id).await.expect("accepted");
    ana.send_message(ComposeRequest {
        contact_id: offer.contact_id,
        interaction_id: Some(offer.id),
        body: "Let me fix that.".into(),
        upload_ids: None,
    })
    .await
    .expect("reply saved");
    tokio::time::sleep(Duration::from_millis(50)).await;

    let ended = ana
        .end_interaction(offer.id)
        .await
        .expect("ana ends the chat");
    assert_eq!(ended.state, InteractionState::Ended);
    assert_eq!(ended.ended_by, Some(EndedBy::Agent));
    let still_listed = ana.list_interactions().await.expect("list");
    assert!(
        eventually("the ended interaction in the replica", || async {
            ana.list_interactions()
                .await
                .ok()?
                .into_iter()
                .find(|i| i.id == offer.id && i.state == InteractionState::Ended)
        })
        .await
        .ended_at
        .is_some(),
        "an ended interaction stays in the agent's list until Done: {still_listed:?}"
    );

    let unknown = ana
        .wrap_up(
            offer.id,
            WrapUpRequest {
                disposition: Some("Made up".into()),
                note: None,
            },
            false,
        )
        .await
        .expect_err("an unknown disposition is refused");
    assert_eq!(code_of(unknown), ErrorCode::BadRequest);

    let saved = ana
        .wrap_up(
            offer.id,
            WrapUpRequest {
                disposition: Some("Resolved".into()),
                note: Some("Refunded the late fee.".into()),
            },
            false,
        )
        .await
        .expect("wrap-up saved");
    assert_eq!(
        saved.state,
        InteractionState::Ended,
        "saving does not close it"
    );
    assert_eq!(saved.disposition.as_deref(), Some("Resolved"));

    tokio::time::sleep(Duration::from_millis(30)).await;
    let done = ana
        .wrap_up(offer.id, WrapUpRequest::default(), true)
        .await
        .expect("Done");
    assert_eq!(done.state, InteractionState::Done);
    assert_eq!(
        done.disposition.as_deref(),
        Some("Resolved"),
        "the saved disposition stays"
    );
    assert_eq!(done.note.as_deref(), Some("Refunded the late fee."));
    let (accepted, ended_at, done_at) = (
        done.accepted_at.expect("accepted"),
        done.ended_at.expect("ended"),
        done.done_at.expect("done"),
    );
    assert!(
        accepted <= ended_at && ended_at < done_at,
        "offer → accept → end → done in order"
    );

    let again = ana
        .wrap_up(offer.id, WrapUpRequest::default(), true)
        .await
        .expect_err("Done twice");
    assert_eq!(code_of(again), ErrorCode::Conflict);
    eventually("Done to leave the agent's list", || async {
        ana.list_interactions()
            .await
            .ok()?
            .iter()
            .all(|i| i.id != offer.id)
            .then_some(())
    })
    .await;

    let summary = ana.summary(0).await.expect("the summary");
    assert_eq!(summary.handled, 1);
    let handle = summary.average_handle_ms.expect("a handle time");
    assert_eq!(handle, done_at - accepted, "handle time is accept → done");
    assert_eq!(summary.average_chat_ms, Some(ended_at - accepted));
    assert_eq!(summary.average_wrap_up_ms, Some(done_at - ended_at));
    let tomorrow = ana.summary(done_at + 1).await.expect("a later window");
    assert_eq!(tomorrow.handled, 0, "the window is respected");

    // Messages from the Communication tab, outside an interaction, create no interaction.
    ana.send_message(ComposeRequest {
        contact_id: offer.contact_id,
        interaction_id: None,
        body: "One more thing: your refund is on its way.".into(),
        upload_ids: None,
    })
    .await
    .expect("saved");
    eventually("the provider to send it", || async {
        (fake.accepted().len() == 2).then_some(())
    })
    .await;
    assert_eq!(
        ana.summary(0).await.expect("summary").handled,
        1,
        "not counted for KPI"
    );
    assert!(
        ana.list_interactions().await.expect("list").is_empty(),
        "no interaction was opened"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asynchronous_chat_and_routing_back() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "ana", "pass-ana", false).await;
    add_agent(&hub, "ben", "pass-ben", false).await;
    let (ana, _) = signed_in(&hub, folder.path(), "ana").await;
    let (ben, _) = signed_in(&hub, folder.path(), "ben").await;
    ana.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    let phone = "+12015550122";
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000a1",
        phone,
        "hello",
    )
    .await;
    let first = offered(&ana, "the offer to ana").await;
    ana.accept(first.id).await.expect("accepted");
    ben.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");

    // The agent writes into an ended conversation: it is active again.
    ana.end_interaction(first.id).await.expect("ended");
    ana.send_message(ComposeRequest {
        contact_id: first.contact_id,
        interaction_id: Some(first.id),
        body: "Found it after all!".into(),
        upload_ids: None,
    })
    .await
    .expect("saved");
    eventually("the interaction to be active again", || async {
        ana.list_interactions()
            .await
            .ok()?
            .into_iter()
            .find(|i| i.id == first.id && i.state == InteractionState::Active)
    })
    .await;

    // The contact writes into an ended conversation: same interaction, same agent.
    ana.end_interaction(first.id).await.expect("ended again");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000a2",
        phone,
        "thanks, one more question",
    )
    .await;
    let reactivated = eventually("the contact's reply to reactivate it", || async {
        ana.list_interactions()
            .await
            .ok()?
            .into_iter()
            .find(|i| i.id == first.id && i.state == InteractionState::Active)
    })
    .await;
    assert_eq!(reactivated.ended_by, None);
    assert!(
        ben.list_interactions().await.expect("list").is_empty(),
        "ben got nothing"
    );

    // After Done, the contact writes again: a new interaction, routed back to ana (the
    // assigned agent) although ben is free and was offered nothing yet.
    ana.wrap_up(
        first.id,
        WrapUpRequest {
            disposition: Some("Resolved".into()),
            note: None,
        },
        true,
    )
    .await
    .expect("Done");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000a3",
        phone,
        "back again",
    )
    .await;
    let second = offered(&ana, "the new interaction offered to ana").await;
    assert_ne!(second.id, first.id, "a new interaction after Done");
    let history = ana.list_messages(second.contact_id).await.expect("history");
    assert!(
        history.len() >= 4,
        "the whole history comes with it: {history:?}"
    );
    assert!(
        ben.list_interactions().await.expect("list").is_empty(),
        "not offered to ben"
    );
    ana.accept(second.id).await.expect("accepted");
    ana.wrap_up(second.id, WrapUpRequest::default(), true)
        .await
        .expect("Done");

    // Ana is away: the next conversation goes to ben, who then becomes the assigned agent.
    ana.set_status(AgentStatus::NotReady, Some("Lunch".into()))
        .await
        .expect("Not Ready");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000a4",
        phone,
        "anyone?",
    )
    .await;
    let third = offered(&ben, "the offer to ben while ana is away").await;
    ben.accept(third.id).await.expect("accepted");
    let contact = ben.contact(third.contact_id).await.expect("contact");
    let ben_id = ben.agent_id().expect("signed in");
    eventually("ben to be the assigned agent", || async {
        (ben.contact(contact.id).await.ok()?.assigned_agent_id == Some(ben_id)).then_some(())
    })
    .await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_offer_moves_on_and_the_agent_is_not_ready() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.routing.offer_timeout_ms = 400;
    })
    .await;
    add_agent(&hub, "ana", "pass-ana", false).await;
    add_agent(&hub, "ben", "pass-ben", false).await;
    let (ana, _) = signed_in(&hub, folder.path(), "ana").await;
    let (ben, _) = signed_in(&hub, folder.path(), "ben").await;
    ana.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000t1",
        "+12015550123",
        "hello?",
    )
    .await;
    let first = offered(&ana, "the offer to ana").await;
    ben.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    let moved = offered(&ben, "the offer to move to ben").await;
    assert_eq!(
        moved.id, first.id,
        "the same interaction, offered to the next agent"
    );
    let ana_id = ana.agent_id().expect("signed in");
    let away = hub.store.agent(ana_id).await.expect("ana");
    assert_eq!(away.status, AgentStatus::NotReady, "ana did not respond");
    assert_eq!(
        away.status_reason.as_deref(),
        Some(parley_hub::NOT_RESPONDING)
    );
    let late = ana
        .accept(first.id)
        .await
        .expect_err("ana's offer has moved on");
    assert_eq!(code_of(late), ErrorCode::Conflict);
    ben.accept(moved.id).await.expect("ben accepts in time");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_contact_ends_the_chat() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.routing.inactivity_timeout_ms = 500;
    })
    .await;
    add_agent(&hub, "cleo", "pass-cleo", true).await;
    let (cleo, _) = signed_in(&hub, folder.path(), "cleo").await;
    cleo.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000i1",
        "+12015550124",
        "hi",
    )
    .await;
    let ended = eventually(
        "the quiet interaction to end on the contact's side",
        || async {
            cleo.list_interactions()
                .await
                .ok()?
                .into_iter()
                .find(|i| i.state == InteractionState::Ended)
        },
    )
    .await;
    assert_eq!(ended.ended_by, Some(EndedBy::Contact));
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_sms_interaction_settings_and_reasons() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.workspace.disposition_required = true;
    })
    .await;
    add_agent(&hub, "dee", "pass-dee", false).await;
    add_agent(&hub, "eli", "pass-eli", false).await;
    let (dee, _) = signed_in(&hub, folder.path(), "dee").await;
    let (eli, _) = signed_in(&hub, folder.path(), "eli").await;
    let settings = dee.settings().await.expect("settings");
    assert!(settings.disposition_required);
    assert!(settings.dispositions.iter().any(|code| code == "Resolved"));
    assert!(
        settings
            .not_ready_reasons
            .iter()
            .any(|reason| reason == "Lunch")
    );
    assert!(
        settings
            .standard_responses
            .iter()
            .any(|response| response.text.contains("{contact.name}")),
        "the Standard Responses library comes with the settings, fields unfilled"
    );
    let bogus = dee
        .set_status(AgentStatus::NotReady, Some("Nap".into()))
        .await
        .expect_err("unknown reason");
    assert_eq!(code_of(bogus), ErrorCode::BadRequest);
    let lunch = dee
        .set_status(AgentStatus::NotReady, Some("Lunch".into()))
        .await
        .expect("a known reason");
    assert_eq!(lunch.status_reason.as_deref(), Some("Lunch"));

    // A contact known from an earlier conversation (the hub's import), now done.
    let contact = hub
        .store
        .import_conversation(
            "+12015550125",
            "Gus",
            1,
            parley_scenarios::fake_twilio::OUR_NUMBER,
            &[(parley_proto::Direction::Inbound, "old question", 1)],
        )
        .await
        .expect("history");
    let created = dee
        .create_interaction(contact.id, false)
        .await
        .expect("Create SMS Interaction");
    assert_eq!(created.state, InteractionState::Active);
    assert_eq!(
        created.offered_at, None,
        "an outbound interaction was never offered"
    );
    let again = dee
        .create_interaction(contact.id, false)
        .await
        .expect("a second click");
    assert_eq!(
        again.id, created.id,
        "no second interaction while one is open"
    );
    let taken = eli
        .create_interaction(contact.id, false)
        .await
        .expect_err("dee has this contact");
    assert_eq!(code_of(taken), ErrorCode::Conflict);
    dee.send_message(ComposeRequest {
        contact_id: contact.id,
        interaction_id: Some(created.id),
        body: "Hi Gus, following up.".into(),
        upload_ids: None,
    })
    .await
    .expect("saved");
    eventually("the provider to send it", || async {
        fake.accepted().into_iter().next()
    })
    .await;

    let missing = dee
        .wrap_up(created.id, WrapUpRequest::default(), true)
        .await
        .expect_err("a disposition is required");
    assert_eq!(code_of(missing), ErrorCode::BadRequest);
    let done = dee
        .wrap_up(
            created.id,
            WrapUpRequest {
                disposition: Some("Follow-up needed".into()),
                note: Some("Call back Friday".into()),
            },
            true,
        )
        .await
        .expect("Done with a disposition");
    assert_eq!(done.state, InteractionState::Done);
    assert_eq!(
        done.ended_by,
        Some(EndedBy::Agent),
        "Done on an active interaction ends it"
    );
    let closed = dee
        .send_message(ComposeRequest {
            contact_id: contact.id,
            interaction_id: Some(created.id),
            body: "late".into(),
            upload_ids: None,
        })
        .await
        .expect("saved to the outbox");
    assert_eq!(closed.status, parley_proto::MessageStatus::Pending);
    eventually(
        "the hub to refuse a message into a Done interaction",
        || async {
            let messages = dee.list_messages(contact.id).await.ok()?;
            messages
                .into_iter()
                .find(|m| m.body == "late" && m.status == parley_proto::MessageStatus::Failed)
        },
    )
    .await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_sms_interaction_on_an_offer_to_me_accepts_it() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "fay", "pass-fay", false).await;
    let (fay, _) = signed_in(&hub, folder.path(), "fay").await;
    fay.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000c9",
        "+12015550126",
        "hello",
    )
    .await;
    let offer = offered(&fay, "the offer").await;
    let opened = fay
        .create_interaction(offer.contact_id, false)
        .await
        .expect("opened from the Communication tab");
    assert_eq!(
        opened.id, offer.id,
        "the offered interaction, not a second one"
    );
    assert_eq!(
        opened.state,
        InteractionState::Active,
        "opening it accepted it"
    );
    assert!(opened.accepted_at.is_some());
    let listed = eventually("the replica to show it active", || async {
        fay.list_interactions()
            .await
            .ok()?
            .into_iter()
            .find(|i| i.id == offer.id && i.state == InteractionState::Active)
    })
    .await;
    assert_eq!(listed.agent_id, fay.agent_id().ok());
    hub.stop().await;
}
