//! Two hub processes on one PostgreSQL database behind a load balancer, as a contact
//! center that outgrew one machine runs them: a webhook burst split across both is stored
//! once, routed once and seen live by every agent with no gap; both hubs' senders run
//! while agents send, and every text reaches the provider once; a hub killed with
//! `kill -9` mid-burst leaves its claimed work to the other, and nothing is lost or sent
//! twice. Skipped (with a note) without `PARLEY_TEST_POSTGRES_URL`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use parley_hub::testing::TestDatabase;
use parley_hub::{AgentSettings, Store};
use parley_proto::{AgentStatus, ComposeRequest, EventKind, Role};
use parley_scenarios::processes::{Balancer, HubProcess, HubSetup};
use parley_scenarios::{FakeTwilio, agent_in, desktop, eventually, init_logging};

/// Two hubs, the balancer in front of them, the fake provider, and a store on their
/// database for the test to look at.
struct Center {
    fake: FakeTwilio,
    balancer: Balancer,
    hubs: Vec<HubProcess>,
    store: Store,
    _database: TestDatabase,
    folder: tempfile::TempDir,
}

async fn center() -> Option<Center> {
    init_logging();
    let database = TestDatabase::postgres().await?;
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let balancer = Balancer::start().await;
    let mut hubs = Vec::new();
    for name in ["hub-a", "hub-b"] {
        let setup = HubSetup {
            binary: env!("CARGO_BIN_EXE_parley-hub-under-test"),
            name,
            database: &database.database,
            public_url: &balancer.url(),
            folder: folder.path(),
            log_filter: "info,sqlx=warn,tower_http=warn",
            extra_config: "[sending]\nlong_code_rate = 200.0",
        };
        hubs.push(HubProcess::start(&setup, &fake).await);
    }
    balancer.set_backends(hubs.iter().map(HubProcess::url).collect());
    let store = Store::open(&database.database).await.expect("the database");
    Some(Center {
        fake,
        balancer,
        hubs,
        store,
        _database: database,
        folder,
    })
}

fn skipped() {
    eprintln!("note: PARLEY_TEST_POSTGRES_URL is not set; several hubs need PostgreSQL");
}

impl Center {
    async fn agent(&self, login: &str, auto_answer: bool, max_chats: u32) -> parley_proto::Agent {
        let settings = AgentSettings {
            role: Role::Agent,
            auto_answer,
            max_chats,
            permissions: None,
        };
        agent_in(&self.store, login, login, settings).await
    }

    /// Every hub's log, for an assertion that fails.
    fn logs(&self) -> String {
        self.hubs
            .iter()
            .map(|hub| format!("--- {} ---\n{}", hub.name, hub.log_text()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_burst_split_across_two_hubs_is_stored_routed_and_seen_once() {
    let Some(center) = center().await else {
        return skipped();
    };
    // Two agents signed in to each hub, each able to hold the whole burst.
    let mut desktops = Vec::new();
    for (login, hub) in [("ana", 0), ("ben", 0), ("cai", 1), ("dan", 1)] {
        center.agent(login, true, 100).await;
        let (client, sink) = desktop(&center.folder.path().join(login));
        client
            .login(&center.hubs[hub].url(), login, login)
            .await
            .expect("signs in");
        client
            .set_status(AgentStatus::Ready, None)
            .await
            .expect("Ready");
        desktops.push((login, client, sink));
    }
    // Every desktop follows its stream before the burst: what is theirs comes as events.
    for (login, _, sink) in &desktops {
        eventually(&format!("{login}'s desktop online"), || async {
            (sink.connection() == Some(parley_proto::ConnectionState::Online)).then_some(())
        })
        .await;
    }
    let texts = 120;
    let mut sending = Vec::new();
    for text in 0..texts {
        let (fake, url) = (center.fake.clone(), center.balancer.url());
        sending.push(tokio::spawn(async move {
            fake.text_in(
                &url,
                &format!("SMburst{text:04}"),
                &format!("+1201777{text:04}"),
                &format!("burst {text}"),
            )
            .await
        }));
    }
    for sent in sending {
        let (status, body) = sent.await.expect("the webhook is posted");
        assert_eq!(status, 200, "a webhook is answered: {body}");
    }
    for hub in &center.hubs {
        assert!(
            center.balancer.answered_by(&hub.url()) >= texts / 4,
            "the burst was split across both hubs"
        );
    }
    let contacts = eventually("every text routed to an agent", || async {
        let contacts = center.store.list_contacts(0).await.ok()?;
        let mut routed = 0;
        for contact in &contacts {
            let history = center
                .store
                .contact_interactions(contact.contact.id)
                .await
                .ok()?;
            routed += usize::from(history.iter().any(|h| h.interaction.agent_id.is_some()));
        }
        (contacts.len() == texts && routed == texts).then_some(contacts)
    })
    .await;
    for contact in &contacts {
        let messages = center
            .store
            .list_messages(contact.contact.id)
            .await
            .expect("messages");
        assert_eq!(messages.len(), 1, "{}: stored once", contact.contact.phone);
        let history = center
            .store
            .contact_interactions(contact.contact.id)
            .await
            .expect("history");
        assert_eq!(
            history.len(),
            1,
            "{}: one interaction",
            contact.contact.phone
        );
    }
    // Routed once: each interaction got its agent in one event and kept it.
    let log = center
        .store
        .events_since(0, 100_000)
        .await
        .expect("the log");
    let mut agents_of: HashMap<i64, HashSet<i64>> = HashMap::new();
    let mut offers: HashMap<i64, usize> = HashMap::new();
    let mut previous: HashMap<i64, Option<i64>> = HashMap::new();
    for event in &log {
        if let EventKind::Interaction { interaction } = &event.kind {
            if let Some(agent) = interaction.agent_id {
                agents_of.entry(interaction.id).or_default().insert(agent);
            }
            let before = previous
                .insert(interaction.id, interaction.agent_id)
                .flatten();
            if before.is_none() && interaction.agent_id.is_some() {
                *offers.entry(interaction.id).or_default() += 1;
            }
        }
    }
    assert_eq!(agents_of.len(), texts);
    assert!(
        agents_of.values().all(|agents| agents.len() == 1),
        "one agent each: {agents_of:?}"
    );
    assert!(
        offers.values().all(|count| *count == 1),
        "placed once each: {offers:?}"
    );
    // Every agent's desktop saw its own events live, in order, once: each of its
    // interactions and their messages from the offer on (the scoped stream leaves out the
    // rest, and says how far it got).
    let head = center.store.head_seq().await.expect("head");
    for (login, client, sink) in &desktops {
        eventually(&format!("{login}'s desktop to reach the head"), || async {
            (sink.seqs().last().copied() >= Some(head)).then_some(())
        })
        .await;
        let me = client.agent_id().expect("signed in");
        let mut offered_at: HashMap<i64, i64> = HashMap::new();
        for event in &log {
            if let EventKind::Interaction { interaction } = &event.kind
                && interaction.agent_id == Some(me)
            {
                offered_at
                    .entry(interaction.contact_id)
                    .or_insert(event.seq);
            }
        }
        let seqs = sink.seqs();
        assert!(
            seqs.windows(2).all(|pair| pair[1] > pair[0]),
            "{login}: in order, no duplicate\n{}",
            center.logs()
        );
        let missed: Vec<i64> = log
            .iter()
            .filter(|event| {
                let contact = match &event.kind {
                    EventKind::Interaction { interaction } => interaction.contact_id,
                    EventKind::Message { message } => message.contact_id,
                    _ => return false,
                };
                offered_at
                    .get(&contact)
                    .is_some_and(|&from| event.seq >= from)
            })
            .map(|event| event.seq)
            .filter(|seq| !seqs.contains(seq))
            .collect();
        assert!(
            missed.is_empty(),
            "{login}: missed {missed:?} of its own events\n{}",
            center.logs()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn both_hubs_send_and_every_text_reaches_the_provider_once() {
    let Some(center) = center().await else {
        return skipped();
    };
    let mut sends = Vec::new();
    // The desktops stay open until the end: each sends its outbox in the background.
    let mut desktops = Vec::new();
    for (login, hub) in [("eve", 0), ("fay", 1)] {
        center.agent(login, true, 50).await;
        let (client, _sink) = desktop(&center.folder.path().join(login));
        client
            .login(&center.hubs[hub].url(), login, login)
            .await
            .expect("signs in");
        let client = Arc::new(client);
        desktops.push(client.clone());
        for contact in 0..20 {
            let client = client.clone();
            sends.push(tokio::spawn(async move {
                let phone = format!("+1201888{hub}{contact:03}");
                let interaction = client
                    .create_interaction_for_number(&phone, false)
                    .await
                    .expect("Create SMS Interaction");
                for line in 0..3 {
                    client
                        .send_message(ComposeRequest {
                            contact_id: interaction.contact_id,
                            interaction_id: Some(interaction.id),
                            body: format!("{phone} line {line}"),
                            upload_ids: None,
                        })
                        .await
                        .expect("sent");
                }
            }));
        }
    }
    for send in sends {
        send.await.expect("an agent's sends finish");
    }
    let expected = 2 * 20 * 3;
    eventually("every text at the provider", || async {
        (center.fake.accepted().len() >= expected).then_some(())
    })
    .await;
    // Both senders sweep for unsent texts every 200 ms: give a second send time to happen.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let bodies: Vec<String> = center
        .fake
        .accepted()
        .iter()
        .map(|request| request.field("Body").unwrap_or_default().to_owned())
        .collect();
    let distinct: HashSet<&String> = bodies.iter().collect();
    assert_eq!(
        bodies.len(),
        expected,
        "each text sent exactly once\n{}",
        center.logs()
    );
    assert_eq!(distinct.len(), expected);
    assert!(
        center
            .store
            .unsent_messages()
            .await
            .expect("unsent")
            .is_empty()
    );
    drop(desktops);
}

/// An agent working the hubs' API through the balancer.
struct ApiAgent {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl ApiAgent {
    async fn sign_in(url: &str, login: &str) -> Self {
        let http = reqwest::Client::new();
        let answer: serde_json::Value = http
            .post(format!("{url}/api/login"))
            .json(&serde_json::json!({ "login": login, "password": login }))
            .send()
            .await
            .expect("the balancer answers")
            .json()
            .await
            .expect("a session");
        Self {
            http,
            url: url.to_owned(),
            token: answer["token"].as_str().expect("a token").to_owned(),
        }
    }

    /// POSTs until a hub answers 2xx: a hub dying mid-request is retried on the other,
    /// which the client key makes safe.
    async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        for _ in 0..100 {
            if let Ok(answer) = self
                .http
                .post(format!("{}{path}", self.url))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                && answer.status().is_success()
            {
                return answer.json().await.expect("JSON");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no hub took POST {path} {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hub_killed_mid_burst_leaves_its_claimed_work_to_the_other() {
    let Some(mut center) = center().await else {
        return skipped();
    };
    center.agent("gus", true, 200).await;
    let agent = Arc::new(ApiAgent::sign_in(&center.balancer.url(), "gus").await);
    let conversations = 40;
    let mut contacts = Vec::new();
    for contact in 0..conversations {
        let interaction = agent
            .post(
                "/api/interactions",
                serde_json::json!({ "phone": format!("+1201999{contact:04}") }),
            )
            .await;
        contacts.push((
            interaction["contactId"].as_i64().expect("a contact"),
            interaction["id"].as_i64().expect("an interaction"),
        ));
    }
    // The provider is slow to answer, so sends are in flight when the hub dies; and some
    // answers are lost altogether, so a send is to be looked up before it is sent again.
    center.fake.answer_after(Duration::from_millis(150));
    let mut work = Vec::new();
    for (index, (contact_id, interaction_id)) in contacts.iter().copied().enumerate() {
        let (agent, fake, url) = (agent.clone(), center.fake.clone(), center.balancer.url());
        work.push(tokio::spawn(async move {
            // The burst is spread over a second, so the hub dies in the middle of it however
            // fast this machine sends.
            tokio::time::sleep(Duration::from_millis(
                25 * u64::try_from(index).unwrap_or(0),
            ))
            .await;
            let body = format!("reply {index}");
            agent
                .post(
                    "/api/messages",
                    serde_json::json!({
                        "contactId": contact_id, "interactionId": interaction_id,
                        "body": body, "clientKey": format!("kill-{index}"),
                    }),
                )
                .await;
            let (status, answer) = fake
                .text_in(
                    &url,
                    &format!("SMkill{index:04}"),
                    &format!("+1201666{index:04}"),
                    "still there?",
                )
                .await;
            assert_eq!(status, 200, "{answer}");
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    center
        .fake
        .lose_next_answer(parley_scenarios::fake_twilio::LostAnswer::Late(
            Duration::from_secs(5),
        ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let in_flight_before_kill = center.fake.accepted().len();
    center.hubs[0].kill().await;
    for task in work {
        task.await.expect("the burst finishes on the hub left");
    }
    assert!(
        in_flight_before_kill < conversations,
        "the hub died mid-burst ({in_flight_before_kill} of {conversations} sent)"
    );
    // The lease (2 s) runs out and the hub left finishes what the dead one held.
    eventually("every reply at the provider", || async {
        (center.fake.accepted().len() >= conversations).then_some(())
    })
    .await;
    eventually("every reply recorded as taken by the provider", || async {
        center
            .store
            .unsent_messages()
            .await
            .ok()?
            .is_empty()
            .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let bodies: Vec<String> = center
        .fake
        .accepted()
        .iter()
        .map(|request| request.field("Body").unwrap_or_default().to_owned())
        .collect();
    let distinct: HashSet<&String> = bodies.iter().collect();
    assert_eq!(
        (bodies.len(), distinct.len()),
        (conversations, conversations),
        "each reply sent exactly once across the kill\n{}",
        center.logs()
    );
    let survivor = center.hubs[1].log_text();
    assert!(
        survivor.contains("an interrupted send had reached the provider")
            || survivor.contains("the provider's answer was lost"),
        "the hub left looked a send up at the provider rather than sending it blindly:\n{}",
        center.logs()
    );
    for index in 0..conversations {
        let contact = center
            .store
            .ensure_contact(&format!("+1201666{index:04}"))
            .await
            .expect("the texter");
        let messages = center
            .store
            .list_messages(contact.id)
            .await
            .expect("messages");
        assert_eq!(messages.len(), 1, "inbound {index} stored once, not lost");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pictures_fetched_or_uploaded_on_one_hub_are_served_by_every_hub() {
    let Some(center) = center().await else {
        return skipped();
    };
    let settings = AgentSettings {
        role: Role::Agent,
        auto_answer: true,
        max_chats: 5,
        permissions: Some(parley_proto::Permissions::ALL),
    };
    agent_in(&center.store, "ida", "ida", settings).await;
    let agent = ApiAgent::sign_in(&center.balancer.url(), "ida").await;
    let http = reqwest::Client::new();

    // A customer's MMS: one hub fetches the picture; every hub serves it.
    let (_, photo) = parley_hub::pictures::sample("photo.jpg").expect("the sample photo");
    let url = center.fake.host_media("image/jpeg", photo.clone(), 0);
    let (status, answer) = center
        .fake
        .mms_in(
            &center.balancer.url(),
            "SMpicture1",
            "+12015550777",
            "the box",
            &[(url, "image/jpeg".into())],
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let contact = center
        .store
        .ensure_contact("+12015550777")
        .await
        .expect("the contact");
    let media_id = eventually("the picture fetched and checked", || async {
        let messages = center.store.list_messages(contact.id).await.ok()?;
        let media = messages.first()?.media.first()?.clone();
        (media.state == parley_proto::MediaState::Ready).then_some(media.id)
    })
    .await;
    for hub in &center.hubs {
        let served = http
            .get(format!("{}/api/media/{media_id}", hub.url()))
            .bearer_auth(&agent.token)
            .send()
            .await
            .expect("the hub answers");
        assert_eq!(served.status(), 200, "{} serves the picture", hub.name);
        assert_eq!(
            served.bytes().await.expect("bytes"),
            photo,
            "{}: the same bytes",
            hub.name
        );
    }

    // An agent's picture uploaded to one hub goes out from the other, and the provider can
    // fetch it through either.
    let (_, logo) = parley_hub::pictures::sample("logo.png").expect("the sample logo");
    let upload: serde_json::Value = http
        .post(format!("{}/api/uploads", center.hubs[0].url()))
        .bearer_auth(&agent.token)
        .header("Content-Type", "image/png")
        .body(logo.clone())
        .send()
        .await
        .expect("hub A answers")
        .json()
        .await
        .expect("an upload");
    let interaction = agent
        .post(
            "/api/interactions",
            serde_json::json!({ "phone": "+12015550778" }),
        )
        .await;
    let sent = http
        .post(format!("{}/api/messages", center.hubs[1].url()))
        .bearer_auth(&agent.token)
        .json(&serde_json::json!({
            "contactId": interaction["contactId"], "interactionId": interaction["id"],
            "body": "", "clientKey": "picture-across-hubs", "uploadIds": [upload["id"]],
        }))
        .send()
        .await
        .expect("hub B answers");
    assert_eq!(
        sent.status(),
        201,
        "hub B sends hub A's upload: {}",
        sent.text().await.unwrap_or_default()
    );
    let media_url = eventually("the picture's URL at the provider", || async {
        center
            .fake
            .accepted()
            .iter()
            .find_map(|request| request.field("MediaUrl").map(str::to_owned))
    })
    .await;
    assert!(media_url.starts_with(&center.balancer.url()), "{media_url}");
    for _ in &center.hubs {
        let fetched = http
            .get(&media_url)
            .send()
            .await
            .expect("the balancer answers");
        assert_eq!(fetched.status(), 200);
        assert_eq!(
            fetched.bytes().await.expect("bytes"),
            logo,
            "whichever hub answers"
        );
    }
}
