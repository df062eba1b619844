//! The Contact tab: editable details (name, email, notes) reach every desktop, and the
//! contact's interaction history across agents shows date, agent and disposition.

use parley_proto::{AgentStatus, ErrorCode, InteractionState, UpdateContactRequest, WrapUpRequest};
use parley_scenarios::{FakeTwilio, add_agent, desktop, eventually, init_logging, start_hub_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_and_history_across_agents() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "ana", "pass-ana", true).await;
    add_agent(&hub, "ben", "pass-ben", true).await;
    let (ana, _) = desktop(&folder.path().join("ana"));
    ana.login(&hub.base_url(), "ana", "pass-ana")
        .await
        .expect("ana signs in");
    let (ben, _) = desktop(&folder.path().join("ben"));
    ben.login(&hub.base_url(), "ben", "pass-ben")
        .await
        .expect("ben signs in");
    let phone = "+12015550161";

    // Ana handles the first conversation.
    ana.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000h1",
        phone,
        "hi",
    )
    .await;
    let first = eventually("ana's interaction", || async {
        ana.list_interactions().await.ok()?.into_iter().next()
    })
    .await;
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
    ana.set_status(AgentStatus::NotReady, Some("Break".into()))
        .await
        .expect("away");

    // Ben handles the second.
    ben.set_status(AgentStatus::Ready, None)
        .await
        .expect("Ready");
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000h2",
        phone,
        "hello again",
    )
    .await;
    let second = eventually("ben's interaction", || async {
        ben.list_interactions().await.ok()?.into_iter().next()
    })
    .await;
    ben.wrap_up(
        second.id,
        WrapUpRequest {
            disposition: Some("Escalated".into()),
            note: None,
        },
        true,
    )
    .await
    .expect("Done");

    // Ben edits the contact; ana's desktop gets it.
    let bad = ben
        .update_contact(
            second.contact_id,
            UpdateContactRequest {
                email: Some("not an email".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("a bad email is refused");
    assert_eq!(
        parley_proto::ApiError::from(bad).code,
        ErrorCode::BadRequest
    );
    let updated = ben
        .update_contact(
            second.contact_id,
            UpdateContactRequest {
                name: Some("  Hana Sato ".into()),
                email: Some("hana@example.com".into()),
                notes: Some("Prefers texts after 6pm. <b>VIP</b>".into()),
            },
        )
        .await
        .expect("saved");
    assert_eq!(
        updated.name.as_deref(),
        Some("Hana Sato"),
        "names are trimmed"
    );
    let seen = eventually("ana's desktop to get the new details", || async {
        let contact = ana.contact(second.contact_id).await.ok()?;
        (contact.email.as_deref() == Some("hana@example.com")).then_some(contact)
    })
    .await;
    assert_eq!(
        seen.notes.as_deref(),
        Some("Prefers texts after 6pm. <b>VIP</b>"),
        "kept verbatim"
    );

    // The history, on the hub and offline on ana's desktop: newest first, both agents.
    let from_hub = hub
        .store
        .contact_interactions(second.contact_id)
        .await
        .expect("history");
    let expected: Vec<(Option<&str>, Option<&str>, InteractionState)> = vec![
        (Some("Agent ben"), Some("Escalated"), InteractionState::Done),
        (Some("Agent ana"), Some("Resolved"), InteractionState::Done),
    ];
    let shape = |history: &[parley_proto::ContactInteraction]| -> Vec<(Option<String>, Option<String>, InteractionState)> {
        history.iter().map(|entry| (entry.agent_name.clone(), entry.interaction.disposition.clone(), entry.interaction.state)).collect()
    };
    let expected_owned: Vec<(Option<String>, Option<String>, InteractionState)> = expected
        .into_iter()
        .map(|(agent, code, state)| (agent.map(str::to_owned), code.map(str::to_owned), state))
        .collect();
    assert_eq!(shape(&from_hub), expected_owned, "the hub's history");
    let from_ana = eventually(
        "ana's replica to hold both interactions as done",
        || async {
            let history = ana.contact_interactions(second.contact_id).await.ok()?;
            (shape(&history) == expected_owned).then_some(history)
        },
    )
    .await;
    assert!(from_ana[0].interaction.done_at.is_some(), "with its date");
    let clear = ben
        .update_contact(
            second.contact_id,
            UpdateContactRequest {
                name: Some("Hana Sato".into()),
                email: Some(String::new()),
                notes: None,
            },
        )
        .await
        .expect("cleared");
    assert_eq!(clear.email, None, "an empty text clears a field");
    hub.stop().await;
}

/// The list endpoints' pages over HTTP: the cursors as documented, bounded sizes, and a
/// clear 400 for a cursor that is not one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_over_http_follow_their_cursors() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "pat", "pass-pat-1", false).await;
    for n in 0..5 {
        let (status, _) = fake
            .text_in(
                &hub.base_url(),
                &format!("SM{n:032}"),
                &format!("+1201555017{n}"),
                "hello",
            )
            .await;
        assert_eq!(status, 200);
    }
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/api/login", hub.base_url()))
        .json(&serde_json::json!({ "login": "pat", "password": "pass-pat-1" }))
        .send()
        .await
        .expect("signs in")
        .json()
        .await
        .expect("a session");
    let token = login["token"].as_str().expect("a token").to_owned();
    let get = |path: String| {
        let (http, url, token) = (
            http.clone(),
            format!("{}{path}", hub.base_url()),
            token.clone(),
        );
        async move {
            let response = http
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("answers");
            let status = response.status().as_u16();
            (
                status,
                response.json::<serde_json::Value>().await.expect("json"),
            )
        }
    };
    let (status, everyone) = get("/api/contacts".into()).await;
    assert_eq!(status, 200);
    let everyone: Vec<i64> = everyone
        .as_array()
        .expect("a list")
        .iter()
        .map(|summary| summary["contact"]["id"].as_i64().expect("an id"))
        .collect();
    assert_eq!(everyone.len(), 5);
    let mut paged = Vec::new();
    let mut after = String::new();
    loop {
        let (status, page) = get(format!("/api/contacts?limit=2{after}")).await;
        assert_eq!(status, 200);
        let page = page.as_array().expect("a page").clone();
        let Some(last) = page.last() else { break };
        assert!(page.len() <= 2);
        after = format!(
            "&after={}.{}",
            last["contact"]["lastActivityAt"].as_i64().expect("a time"),
            last["contact"]["id"].as_i64().expect("an id")
        );
        paged.extend(
            page.iter()
                .map(|summary| summary["contact"]["id"].as_i64().expect("id")),
        );
    }
    assert_eq!(
        paged, everyone,
        "the pages join into the whole list, in its order"
    );

    let (status, error) = get("/api/contacts?after=yesterday".into()).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], "badRequest");
    let contact = everyone[0];
    let (status, _) = get(format!("/api/contacts/{contact}/messages?before=9&after=1")).await;
    assert_eq!(status, 400, "before and after at once");
    let (status, page) = get(format!("/api/contacts/{contact}/messages?limit=100000")).await;
    assert_eq!(status, 200);
    assert_eq!(
        page.as_array().expect("a page").len(),
        1,
        "a large limit is capped, not refused"
    );
    let (status, history) = get(format!("/api/contacts/{contact}/interactions?limit=1")).await;
    assert_eq!(status, 200);
    assert_eq!(history.as_array().expect("a page").len(), 1);

    // `mine`: only the caller's own contacts, however many the center has.
    let ids = |list: serde_json::Value| -> Vec<i64> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|summary| summary["contact"]["id"].as_i64().expect("an id"))
            .collect()
    };
    let (status, mine) = get("/api/contacts?mine=true&limit=100".into()).await;
    assert_eq!(status, 200);
    assert_eq!(ids(mine), Vec::<i64>::new(), "none is pat's yet");
    let created = http
        .post(format!("{}/api/interactions", hub.base_url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "contactId": null, "phone": "+12015550199" }))
        .send()
        .await
        .expect("answers");
    assert_eq!(created.status().as_u16(), 201);
    let created: serde_json::Value = created.json().await.expect("an interaction");
    let chosen = created["contactId"].as_i64().expect("its contact");
    let (_, mine) = get("/api/contacts?mine=true&limit=100".into()).await;
    assert_eq!(ids(mine), [chosen], "the contact pat texts is pat's");
    let (_, mine) = get("/api/contacts?mine=true".into()).await;
    assert_eq!(ids(mine), [chosen]);
}
