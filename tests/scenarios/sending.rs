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
    fake.lose_next_answer(LostAnswer::Late(std::time::Duration::from_secs(6)));
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
}
