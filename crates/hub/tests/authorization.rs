//! The authorization matrix: every route the hub serves × {anonymous, an agent, another
//! agent, a supervisor, an admin} × {their own resource, someone else's}, each answered
//! with the status the policy says — over real HTTP to a hub on loopback. A route with no
//! entry here fails the test, so a new route cannot ship unreviewed.
//!
//! The agents here may see only the contacts assigned to them or in an interaction of
//! theirs, may edit those, may not text outside an interaction nor save pictures; the
//! supervisor and the admin may do all of that. Someone else's contact is "no such
//! contact" (404) to an agent; someone else's interaction is 403 to everyone.

use std::sync::atomic::Ordering;

use parley_proto::{Agent, Permissions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[path = "authorization/world.rs"]
mod world;

use world::*;

/// The probe for one case, or `None` when the route has no entry.
#[allow(clippy::too_many_lines, reason = "the matrix: one arm per route")]
async fn probe(world: &World, method: &str, path: &str, who: Who, whose: Whose) -> Option<Probe> {
    let owner = world.owner(who, whose).clone();
    let own = whose == Whose::Own;
    let probe = match (method, path) {
        // `/metrics` asks for a token only when `[service] metrics_token` is set (the
        // `service` scenario checks that); the matrix runs without one.
        ("get", "/healthz" | "/readyz" | "/metrics") => {
            let mut probe = Probe::new(Method::GET, path, 200);
            probe.public = true;
            probe
        }
        ("post", "/api/login") => {
            let mut probe = Probe::new(Method::POST, path, if own { 200 } else { 401 });
            probe.public = true;
            let password = if own { PASSWORD } else { "wrong" };
            probe.json(json!({ "login": owner.login, "password": password }))
        }
        ("post", "/api/logout") => Probe::new(Method::POST, path, signed_in(who, 204)),
        ("get", "/api/me" | "/api/me/summary" | "/api/settings" | "/api/contacts")
        | ("get", "/api/search" | "/api/read-markers" | "/api/interactions" | "/api/events")
        | ("get", "/api/sync/snapshot") => {
            let path = match path {
                "/api/search" => "/api/search?q=hello".to_owned(),
                "/api/me/summary" => "/api/me/summary?since=0".to_owned(),
                _ => path.to_owned(),
            };
            Probe::new(Method::GET, path, signed_in(who, 200))
        }
        ("put", "/api/me/status") => Probe::new(Method::PUT, path, signed_in(who, 200))
            .json(json!({ "status": "notReady", "reason": null })),
        ("put", "/api/contacts/{id}") => {
            let (contact, _) = world.chat(&owner).await;
            Probe::new(
                Method::PUT,
                format!("/api/contacts/{contact}"),
                contact_policy(who, whose, 200),
            )
            .json(json!({ "name": "Pat", "email": null, "notes": null }))
        }
        (
            "get",
            "/api/contacts/{id}"
            | "/api/contacts/{id}/messages"
            | "/api/contacts/{id}/interactions",
        )
        | ("post", "/api/contacts/{id}/follow") => {
            let (contact, _) = world.chat(&owner).await;
            let method = if method == "post" {
                Method::POST
            } else {
                Method::GET
            };
            Probe::new(
                method,
                path.replace("{id}", &contact.to_string()),
                contact_policy(who, whose, 200),
            )
        }
        ("post", "/api/contacts/{id}/read" | "/api/contacts/{id}/unread") => {
            let (contact, _) = world.chat(&owner).await;
            Probe::new(
                Method::POST,
                path.replace("{id}", &contact.to_string()),
                contact_policy(who, whose, 204),
            )
        }
        ("post", "/api/interactions") => {
            let contact = world.assigned_contact(&owner).await;
            Probe::new(Method::POST, path, contact_policy(who, whose, 201))
                .json(json!({ "contactId": contact }))
        }
        ("post", "/api/interactions/{id}/accept" | "/api/interactions/{id}/decline") => {
            let interaction = world.offer(&owner).await;
            Probe::new(
                Method::POST,
                path.replace("{id}", &interaction.to_string()),
                // Someone else's offer is not open to this agent.
                interaction_policy(who, whose, 200, 409),
            )
        }
        ("post", "/api/interactions/{id}/end" | "/api/interactions/{id}/done")
        | ("put", "/api/interactions/{id}/wrap-up") => {
            let (_, interaction) = world.chat(&owner).await;
            let verb = if method == "put" {
                Method::PUT
            } else {
                Method::POST
            };
            let probe = Probe::new(
                verb,
                path.replace("{id}", &interaction.to_string()),
                interaction_policy(who, whose, 200, 403),
            );
            if path.ends_with("/end") {
                probe
            } else {
                probe.json(json!({ "disposition": null, "note": "noted" }))
            }
        }
        ("post", "/api/messages") => {
            let (contact, interaction) = world.chat(&owner).await;
            let expected = match (who, whose) {
                (Who::Anonymous, _) => 401,
                (_, Whose::Own) => 201,
                (Who::Agent | Who::OtherAgent, Whose::Others) => 404,
                (_, Whose::Others) => 403,
            };
            Probe::new(Method::POST, path, expected).json(json!({
                "contactId": contact, "interactionId": interaction, "body": "hello",
                "clientKey": format!("matrix-{contact}"),
            }))
        }
        ("post", "/api/messages/{id}/retry") => {
            let message = world.failed_text(&owner).await;
            // Only its author sends a text again.
            let expected = match (who, whose) {
                (Who::Supervisor | Who::Admin, Whose::Others) => 403,
                _ => contact_policy(who, whose, 200),
            };
            Probe::new(
                Method::POST,
                format!("/api/messages/{message}/retry"),
                expected,
            )
        }
        ("post", "/api/uploads") => {
            let (content_type, bytes) = parley_hub::pictures::sample("logo.png").expect("a sample");
            let mut probe = Probe::new(Method::POST, path, signed_in(who, 201));
            probe.headers = vec![("content-type", content_type.to_owned())];
            probe.body = Body::Bytes(bytes);
            probe
        }
        ("get", "/api/media/{id}" | "/api/media/{id}/thumbnail") => {
            let (media, _) = world.picture(&owner).await;
            Probe::new(
                Method::GET,
                path.replace("{id}", &media.to_string()),
                contact_policy(who, whose, 200),
            )
        }
        ("get", "/media/{token}") => {
            let token = if own {
                world.picture(&owner).await.1
            } else {
                "0".repeat(48)
            };
            let mut probe = Probe::new(
                Method::GET,
                format!("/media/{token}"),
                if own { 200 } else { 404 },
            );
            probe.public = true;
            probe
        }
        ("get", "/api/ws") => {
            let mut probe = Probe::new(Method::GET, path, signed_in(who, 101));
            probe.headers = vec![
                ("connection", "Upgrade".to_owned()),
                ("upgrade", "websocket".to_owned()),
                ("sec-websocket-version", "13".to_owned()),
                ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==".to_owned()),
            ];
            probe
        }
        ("post", "/api/ws/ticket") => Probe::new(Method::POST, path, signed_in(who, 200)),
        (
            "post",
            "/api/agents/{id}/disable"
            | "/api/agents/{id}/enable"
            | "/api/agents/{id}/revoke-sessions",
        ) => {
            // On a spare account, so the matrix's own accounts keep working.
            let spare = world.spare_account().await;
            Probe::new(
                Method::POST,
                path.replace("{id}", &spare.to_string()),
                role_policy(who, &[Who::Admin], 200),
            )
        }
        ("put", "/api/agents/{id}/password") => {
            let spare = world.spare_account().await;
            Probe::new(
                Method::PUT,
                format!("/api/agents/{spare}/password"),
                role_policy(who, &[Who::Admin], 204),
            )
            .json(json!({ "password": "a new password" }))
        }
        ("get", "/api/agents" | "/api/roles") => Probe::new(
            Method::GET,
            path,
            role_policy(who, &[Who::Supervisor, Who::Admin], 200),
        ),
        ("put", "/api/agents/{id}") => Probe::new(
            Method::PUT,
            format!("/api/agents/{}", owner.id),
            role_policy(who, &[Who::Admin], 200),
        )
        .json(json!({ "maxChats": 50 })),
        ("put", "/api/roles/{role}/permissions") => Probe::new(
            Method::PUT,
            "/api/roles/agent/permissions",
            role_policy(who, &[Who::Admin], 200),
        )
        .json(serde_json::to_value(RESTRICTED).expect("JSON")),
        ("post", "/webhooks/twilio/sms") => world.signed(
            path,
            &[
                (
                    "MessageSid",
                    &format!("SM{:032}", world.phones.fetch_add(1, Ordering::SeqCst)),
                ),
                ("From", "+12015550199"),
                ("To", "+12015550100"),
                ("Body", "hello"),
                ("NumMedia", "0"),
            ],
            own,
        ),
        ("post", "/webhooks/twilio/status") => world.signed(
            path,
            &[
                ("MessageSid", "SM00000000000000000000000000000000"),
                ("MessageStatus", "delivered"),
                ("To", "+12015550199"),
                ("From", "+12015550100"),
            ],
            own,
        ),
        // The simulated carrier acts for customers: supervisors and admins only.
        ("post", "/api/sim/inbound") => Probe::new(
            Method::POST,
            path,
            role_policy(who, &[Who::Supervisor, Who::Admin], 201),
        )
        .json(json!({ "from": "+12015550198", "body": "hi", "media": [] })),
        ("get", "/api/sim/outbox") => Probe::new(
            Method::GET,
            path,
            role_policy(who, &[Who::Supervisor, Who::Admin], 200),
        ),
        // The carrier's file store: fixed samples, fetched by the hub itself.
        ("get", "/sim/media/{name}") => {
            let name = if own { "photo.jpg" } else { "no-such.jpg" };
            let mut probe = Probe::new(
                Method::GET,
                format!("/sim/media/{name}"),
                if own { 200 } else { 404 },
            );
            probe.public = true;
            probe
        }
        _ => return None,
    };
    Some(probe)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_the_policy_says() {
    let world = World::start().await;
    let routes = parley_hub::testing::routes();
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut cases = 0;
    'routes: for (method, path) in &routes {
        for who in WHO {
            for whose in [Whose::Own, Whose::Others] {
                let Some(probe) = probe(&world, method, path, who, whose).await else {
                    missing.push(format!("{} {path}", method.to_uppercase()));
                    continue 'routes;
                };
                cases += 1;
                let url = format!("{}{}", world.hub.base_url(), probe.path);
                let token = if probe.public {
                    None
                } else {
                    world.token(who).await
                };
                let mut request = world.http.request(probe.method.clone(), &url);
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                for (name, value) in &probe.headers {
                    request = request.header(*name, value);
                }
                request = match probe.body {
                    Body::Empty => request,
                    Body::Json(body) => request.json(&body),
                    Body::Form(form) => request.body(form),
                    Body::Bytes(bytes) => request.body(bytes),
                };
                let answer = request.send().await.expect("the hub answers");
                let status = answer.status();
                // Everything the hub serves says what a browser may do with it.
                if status != StatusCode::SWITCHING_PROTOCOLS {
                    let headers = answer.headers();
                    for (name, expected) in [
                        ("x-frame-options", Some("DENY")),
                        ("x-content-type-options", Some("nosniff")),
                        ("referrer-policy", Some("no-referrer")),
                        ("content-security-policy", None),
                    ] {
                        let value = headers.get(name).and_then(|value| value.to_str().ok());
                        if value.is_none()
                            || expected.is_some_and(|expected| value != Some(expected))
                        {
                            wrong.push(format!(
                                "{} {}: {name} is {value:?}",
                                probe.method, probe.path
                            ));
                        }
                    }
                }
                if status != StatusCode::from_u16(probe.expected).expect("a status") {
                    wrong.push(format!(
                        "{} {} as {who:?} on {whose:?}: expected {}, got {status}",
                        probe.method, probe.path, probe.expected
                    ));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an entry in the authorization matrix: {missing:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} of {cases} cases:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    println!(
        "authorization matrix: {} routes, {cases} cases",
        routes.len()
    );
    assert_eq!(cases, routes.len() * WHO.len() * 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_narrow_what_an_agent_sees_and_does_and_an_admin_widens_them() {
    let world = World::start().await;
    let (ana, bo) = (
        &world.accounts[&Who::Agent],
        &world.accounts[&Who::OtherAgent],
    );
    let (ana_token, admin) = (
        world.token_of(ana).await,
        world.token(Who::Admin).await.expect("the admin"),
    );
    let (own, _) = world.chat(ana).await;
    let (others, _) = world.chat(bo).await;
    let base = world.hub.base_url();
    let get = |path: String, token: &str| {
        world
            .http
            .get(format!("{base}{path}"))
            .bearer_auth(token.to_owned())
            .send()
    };
    // The contact list holds only ana's contacts.
    let listed: Vec<Value> = get("/api/contacts".into(), &ana_token)
        .await
        .expect("the list")
        .json()
        .await
        .expect("JSON");
    let ids: Vec<i64> = listed
        .iter()
        .filter_map(|summary| summary["contact"]["id"].as_i64())
        .collect();
    assert_eq!(ids, [own], "only her own contact");
    // Texting outside an interaction needs its permission.
    let outside = world
        .http
        .post(format!("{base}/api/messages"))
        .bearer_auth(&ana_token)
        .json(&json!({ "contactId": own, "body": "hi", "clientKey": "outside-1" }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(outside.status(), 403);
    let refusal: Value = outside.json().await.expect("an error");
    assert_eq!(
        refusal["message"],
        "this needs the permission to text outside an interaction"
    );
    // A picture: shown to her, not saved by her; a supervisor saves it.
    let (media, _) = world.picture(ana).await;
    let inline = get(format!("/api/media/{media}"), &ana_token)
        .await
        .expect("shown");
    assert_eq!(inline.status(), 200);
    let saved = get(format!("/api/media/{media}?download=1"), &ana_token)
        .await
        .expect("an answer");
    assert_eq!(saved.status(), 403);
    let supervisor = world.token(Who::Supervisor).await.expect("the supervisor");
    let saved = get(format!("/api/media/{media}?download=1"), &supervisor)
        .await
        .expect("saved");
    assert_eq!(saved.status(), 200);
    // The admin takes contact editing away: refused; then grants everything: she sees
    // bo's contact and may write outside an interaction.
    let change = |permissions: Permissions| {
        world
            .http
            .put(format!("{base}/api/agents/{}", ana.id))
            .bearer_auth(admin.clone())
            .json(&json!({ "permissions": permissions }))
            .send()
    };
    let changed: Agent = change(Permissions {
        edit_contacts: false,
        ..RESTRICTED
    })
    .await
    .expect("changed")
    .json()
    .await
    .expect("the agent");
    assert!(!changed.permissions.edit_contacts);
    let edit = world
        .http
        .put(format!("{base}/api/contacts/{own}"))
        .bearer_auth(&ana_token)
        .json(&json!({ "name": "Pat", "email": null, "notes": null }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(edit.status(), 403);
    assert_eq!(
        get(format!("/api/contacts/{others}/messages"), &ana_token)
            .await
            .expect("an answer")
            .status(),
        404
    );
    change(Permissions::ALL).await.expect("changed");
    assert_eq!(
        get(format!("/api/contacts/{others}/messages"), &ana_token)
            .await
            .expect("an answer")
            .status(),
        200
    );
    // The change reached the event log, for her desktop.
    let events = world.hub.store.events_since(0, 1000).await.expect("events");
    assert!(events.iter().any(|event| matches!(
        &event.kind,
        parley_proto::EventKind::Agent { agent } if agent.id == ana.id && agent.permissions == Permissions::ALL
    )));
}

/// The events of `/api/events` as `token`'s agent gets them: (seq, kind) with the kind's
/// tag and the contact it concerns.
async fn events_seen(world: &World, token: &str) -> Vec<(i64, String, Option<i64>)> {
    let events: Vec<Value> = world
        .http
        .get(format!(
            "{}/api/events?since=0&limit=5000",
            world.hub.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("the events")
        .json()
        .await
        .expect("JSON");
    events
        .iter()
        .map(|event| {
            let kind = &event["kind"];
            let contact = kind["contact"]["id"]
                .as_i64()
                .or_else(|| kind["interaction"]["contactId"].as_i64())
                .or_else(|| kind["message"]["contactId"].as_i64());
            (
                event["seq"].as_i64().expect("a seq"),
                kind["type"].as_str().unwrap_or_default().to_owned(),
                contact,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_log_shows_an_agent_only_their_contacts_from_the_moment_they_are_theirs() {
    let world = World::start().await;
    let (ana, bo) = (
        world.accounts[&Who::Agent].clone(),
        world.accounts[&Who::OtherAgent].clone(),
    );
    let ana_token = world.token_of(&ana).await;
    let (hers, _) = world.chat(&ana).await;
    let (his, his_chat) = world.chat(&bo).await;
    let seen = events_seen(&world, &ana_token).await;
    // Gap-free: every seq from 1, whatever she may see.
    let seqs: Vec<i64> = seen.iter().map(|(seq, ..)| *seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    assert!(seen.iter().any(|(_, _, contact)| *contact == Some(hers)));
    assert!(
        !seen.iter().any(|(_, _, contact)| *contact == Some(his)),
        "bo's contact stays out of her log: {seen:?}"
    );
    assert!(seen.iter().any(|(_, kind, _)| kind == "hidden"));
    // Agent events: her own only.
    let raw: Vec<Value> = world
        .http
        .get(format!(
            "{}/api/events?since=0&limit=5000",
            world.hub.base_url()
        ))
        .bearer_auth(&ana_token)
        .send()
        .await
        .expect("events")
        .json()
        .await
        .expect("JSON");
    let agents: Vec<&Value> = raw
        .iter()
        .filter(|event| event["kind"]["type"] == "agent")
        .map(|event| &event["kind"]["agent"]["id"])
        .collect();
    assert!(
        !agents.is_empty() && agents.iter().all(|id| **id == json!(ana.id)),
        "{agents:?}"
    );
    let head_before = seqs.len() as i64;
    // Bo is done with the customer; the customer is then hers (as an offer would make it).
    world
        .hub
        .store
        .wrap_up(
            bo.id,
            his_chat,
            parley_hub::WrapUp {
                disposition: None,
                note: None,
                done: Some(parley_hub::Completion::DispositionOptional),
            },
        )
        .await
        .expect("done");
    world
        .hub
        .store
        .create_interaction(ana.id, his, false)
        .await
        .expect("hers now");
    let seen = events_seen(&world, &ana_token).await;
    let later: Vec<_> = seen.iter().filter(|(seq, ..)| *seq > head_before).collect();
    assert!(
        later
            .iter()
            .any(|(_, kind, contact)| kind == "interaction" && *contact == Some(his)),
        "the interaction that made the customer hers is in her log: {later:?}"
    );
    // And the customer's whole history is hers to read now.
    let history = world
        .http
        .get(format!(
            "{}/api/contacts/{his}/messages",
            world.hub.base_url()
        ))
        .bearer_auth(&ana_token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(history.status(), 200);
}
