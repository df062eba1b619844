//! How texts leave: each contact's in order, different contacts side by side, each
//! sending number at its rate. A text whose answer is lost holds back only the texts
//! written after it to the same contact; a burst to many contacts never overflows the
//! number's queue at the provider (21611); `/healthz` names every worker.

use parley_client::hub_api::HubApi;
use parley_hub::config::SendingConfig;
use parley_proto::SendMessageRequest;
use parley_scenarios::fake_twilio::{FakeTwilio, LostAnswer};
use parley_scenarios::{add_agent, eventually, init_logging, start_hub_with};

/// Signs in and lets each customer text once, so each is a contact; their ids.
async fn agent_and_contacts(
    hub: &parley_hub::RunningHub,
    fake: &FakeTwilio,
    customers: &[&str],
) -> (HubApi, Vec<i64>) {
    add_agent(hub, "sam", "pass-sam-1", false).await;
    let api = HubApi::new(&hub.base_url()).expect("a client");
    let login = api.login("sam", "pass-sam-1").await.expect("sam signs in");
    let api = api.with_token(login.token);
    let mut ids = Vec::new();
    for (index, customer) in customers.iter().enumerate() {
        let (status, _) = fake
            .text_in(
                &hub.base_url(),
                &format!("SM{index:032}"),
                customer,
                "hello",
            )
            .await;
        assert_eq!(status, 200);
        let contacts = hub.store.list_contacts(0).await.expect("contacts");
        let contact = contacts
            .iter()
            .find(|summary| summary.contact.phone == *customer)
            .expect("the customer is a contact");
        ids.push(contact.contact.id);
    }
    (api, ids)
}

fn text(contact_id: i64, body: &str) -> SendMessageRequest {
    SendMessageRequest {
        contact_id,
        interaction_id: None,
        body: body.to_owned(),
        client_key: format!("key-{body}"),
        upload_ids: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_waiting_for_a_lost_answer_holds_back_only_its_own_contact() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.twilio.request_timeout_ms = 1_000;
    })
    .await;
    let (api, contacts) = agent_and_contacts(&hub, &fake, &["+12015550181", "+12015550182"]).await;
    // The provider takes the first text to Ada but its answer comes after the hub's
    // timeout: the hub must find out whether it has it before doing anything else for Ada.
    // Bo's text may reach the provider first, so the lost answer is Ada's by number.
    fake.lose_next_answer_to(
        "+12015550181",
        LostAnswer::Late(std::time::Duration::from_secs(6)),
    );
    let to_ada = api
        .send_message(&text(contacts[0], "ada-1"))
        .await
        .expect("stored");
    api.send_message(&text(contacts[0], "ada-2"))
        .await
        .expect("stored");
    api.send_message(&text(contacts[1], "bo-1"))
        .await
        .expect("stored");
    let bodies = || -> Vec<String> {
        fake.accepted()
            .iter()
            .map(|request| request.field("Body").unwrap_or_default().to_owned())
            .collect()
    };
    eventually("Bo's text to reach the provider", || async {
        bodies().contains(&"bo-1".to_owned()).then_some(())
    })
    .await;
    assert_eq!(
        hub.store.provider_sid(to_ada.id).await.expect("ada-1"),
        None,
        "Bo's text went while Ada's first was still being recovered"
    );
    assert!(
        !bodies().contains(&"ada-2".to_owned()),
        "Ada's second text waits for her first: {:?}",
        bodies()
    );
    // The recovery finds Ada's first at the provider; her second follows; nothing twice.
    eventually("Ada's texts to be sent", || async {
        let sent = bodies();
        sent.contains(&"ada-2".to_owned()).then_some(sent)
    })
    .await;
    let sent = bodies();
    assert_eq!(sent.iter().filter(|body| *body == "ada-1").count(), 1);
    let position = |body: &str| sent.iter().position(|sent| sent == body);
    assert!(position("ada-1") < position("ada-2"), "{sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_leaves_each_number_at_its_rate_and_never_overflows_its_queue() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    // A number that takes 5 segments a second, with room for 6 in its queue: 15 texts at
    // once overflow it unless the hub paces them.
    fake.queue_numbers(5.0, 6.0);
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.sending = SendingConfig {
            long_code_rate: 5.0,
            ..SendingConfig::default()
        };
    })
    .await;
    let customers = ["+12015550191", "+12015550192", "+12015550193"];
    let (api, contacts) = agent_and_contacts(&hub, &fake, &customers).await;
    for round in 0..5 {
        for (index, contact) in contacts.iter().enumerate() {
            api.send_message(&text(*contact, &format!("burst-{index}-{round}")))
                .await
                .expect("stored");
        }
    }
    let accepted = eventually("the burst to reach the provider", || async {
        let accepted = fake.accepted();
        (accepted.len() == 15).then_some(accepted)
    })
    .await;
    assert_eq!(
        fake.queue_overflows(),
        0,
        "the hub kept to the number's rate"
    );
    // Each contact's texts arrived in the order they were written.
    for (index, customer) in customers.iter().enumerate() {
        let rounds: Vec<String> = accepted
            .iter()
            .filter(|request| request.field("To") == Some(*customer))
            .map(|request| request.field("Body").unwrap_or_default().to_owned())
            .collect();
        let written: Vec<String> = (0..5)
            .map(|round| format!("burst-{index}-{round}"))
            .collect();
        assert_eq!(rounds, written);
    }
    // Paced: a second's worth at once, then one every fifth of a second.
    let times = fake.create_times();
    let spread = times[times.len() - 1].duration_since(times[0]);
    assert!(
        spread >= std::time::Duration::from_millis(1_800),
        "15 texts at 5 a second took {spread:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_names_every_worker_and_the_database() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    let answer = reqwest::get(format!("{}/healthz", hub.base_url()))
        .await
        .expect("the hub answers");
    assert_eq!(answer.status(), 200);
    let health: serde_json::Value = answer.json().await.expect("JSON");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], "ok");
    for worker in ["sender", "router", "media-fetcher", "upload-sweeper"] {
        assert_eq!(health["workers"][worker]["state"], "alive", "{health}");
    }
    let ready = reqwest::get(format!("{}/readyz", hub.base_url()))
        .await
        .expect("the hub answers");
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.expect("JSON");
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["missing"], serde_json::json!([]), "{ready}");
}

/// Two sends of a text began two minutes ago and the hub stopped during each before the
/// request reached the provider: the text is sent once, after the provider is asked again,
/// rather than held back as failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_unanswered_sends_the_provider_never_got_go_out_once_it_has_settled() {
    use parley_hub::{AgentSettings, FakeClock, Outbound, Store, StoreOptions};
    use parley_proto::{MessageStatus, Role};
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let path = folder.path().join("hub.db");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    let two_minutes_ago = i64::try_from(now).expect("a date") - 120_000;
    let message_id = {
        let store = Store::open_with(
            &parley_scenarios::database_for(&path).await,
            StoreOptions {
                clock: std::sync::Arc::new(FakeClock::at(two_minutes_ago)),
                ..StoreOptions::default()
            },
        )
        .await
        .expect("the store");
        let agent = store
            .create_agent(
                "sue",
                "Sue",
                "not a real hash",
                AgentSettings {
                    role: Role::Supervisor,
                    auto_answer: false,
                    max_chats: 3,
                    permissions: None,
                },
            )
            .await
            .expect("an account");
        let contact = store
            .ensure_contact("+12015550177")
            .await
            .expect("a contact");
        let (message, _) = store
            .create_outbound(&Outbound {
                agent_id: agent.id,
                agent_name: &agent.name,
                contact_id: contact.id,
                interaction_id: None,
                body: "Your parcel is on its way",
                client_key: "settled-1",
                from_number: parley_scenarios::fake_twilio::OUR_NUMBER,
                upload_ids: &[],
            })
            .await
            .expect("stored");
        for _ in 0..2 {
            store.mark_send_started(message.id).await.expect("counted");
        }
        message.id
    };
    let hub = start_hub_with(&fake, &path, |_| {}).await;
    let sid = eventually("the text at the provider", || async {
        hub.store.provider_sid(message_id).await.ok().flatten()
    })
    .await;
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 1, "sent once");
    assert_eq!(accepted[0].sid, sid);
    assert_eq!(accepted[0].field("Body"), Some("Your parcel is on its way"));
    let contact_id = hub
        .store
        .list_contacts(0)
        .await
        .expect("contacts")
        .into_iter()
        .find(|summary| summary.contact.phone == "+12015550177")
        .expect("the contact")
        .contact
        .id;
    let message = hub
        .store
        .list_messages(contact_id)
        .await
        .expect("the transcript")
        .into_iter()
        .find(|message| message.id == message_id)
        .expect("in the transcript");
    assert_ne!(message.status, MessageStatus::Failed, "not held back");
}
