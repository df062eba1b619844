//! The authorization matrix: every route the hub serves × {anonymous, an agent, another
//! agent, a supervisor, an admin} × {their own resource, someone else's}, each answered
//! with the status the policy says — over real HTTP to a hub on loopback. A route with no
//! entry here fails the test, so a new route cannot ship unreviewed.
//!
//! The agents here may see only the contacts assigned to them or in an interaction of
//! theirs, may edit those, may not text outside an interaction nor save pictures; the
//! supervisor and the admin may do all of that. Someone else's contact is "no such
//! contact" (404) to an agent; someone else's interaction is 403 to everyone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

use parley_hub::config::{Config, Database, ProviderKind, RoutingConfig};
use parley_hub::{AgentSettings, RunningHub};
use parley_proto::{Agent, Message, Permissions, Role, Upload};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Anonymous,
    Agent,
    OtherAgent,
    Supervisor,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whose {
    Own,
    Others,
}

const WHO: [Who; 5] = [
    Who::Anonymous,
    Who::Agent,
    Who::OtherAgent,
    Who::Supervisor,
    Who::Admin,
];

const AUTH_TOKEN: &str = "matrix-auth-token";
const PASSWORD: &str = "matrix-password";

/// What the agents here may do.
const RESTRICTED: Permissions = Permissions {
    save_media: false,
    all_contacts: false,
    edit_contacts: true,
    text_outside_interaction: false,
};

struct World {
    hub: RunningHub,
    http: reqwest::Client,
    accounts: HashMap<Who, Agent>,
    db: sqlx::SqlitePool,
    phones: AtomicU32,
    _folder: tempfile::TempDir,
}

/// One probe: the request and the status the policy expects.
enum Body {
    Empty,
    Json(Value),
    Form(String),
    Bytes(Vec<u8>),
}

struct Probe {
    method: Method,
    path: String,
    body: Body,
    headers: Vec<(&'static str, String)>,
    /// Sent with no session whoever asks (webhooks, the provider's picture fetch).
    public: bool,
    expected: u16,
}

impl Probe {
    fn new(method: Method, path: impl Into<String>, expected: u16) -> Self {
        Self {
            method,
            path: path.into(),
            body: Body::Empty,
            headers: Vec::new(),
            public: false,
            expected,
        }
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }
}

impl World {
    async fn start() -> Self {
        let folder = tempfile::tempdir().expect("a temp folder");
        let path = folder.path().join("hub.db");
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("an address"),
            database: Database::Sqlite(path.clone()),
            ui_dir: folder.path().join("no-ui"),
            provider: ProviderKind::Sim,
            routing: RoutingConfig {
                // Only what a request asks for happens; no sweep sends or routes meanwhile.
                sweep_interval_ms: 3_600_000,
                offer_timeout_ms: 0,
                inactivity_timeout_ms: 0,
                offline_grace_ms: 0,
            },
            ..Config::default()
        };
        config.twilio.auth_token = Some(AUTH_TOKEN.to_owned());
        let hub = parley_hub::start(config).await.expect("the hub starts");
        hub.store
            .set_role_permissions(Role::Agent, RESTRICTED)
            .await
            .expect("the agents' permissions");
        let mut accounts = HashMap::new();
        let hash = parley_hub::hash_password(PASSWORD).expect("a hash");
        for (who, login, role) in [
            (Who::Agent, "ana", Role::Agent),
            (Who::OtherAgent, "bo", Role::Agent),
            (Who::Supervisor, "sue", Role::Supervisor),
            (Who::Admin, "max", Role::Admin),
        ] {
            let settings = AgentSettings {
                role,
                auto_answer: false,
                max_chats: 50,
                permissions: None,
            };
            let agent = hub
                .store
                .create_agent(login, login, &hash, settings)
                .await
                .expect("an account");
            accounts.insert(who, agent);
        }
        let db = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(&path),
        )
        .await
        .expect("the database");
        Self {
            hub,
            http: reqwest::Client::new(),
            accounts,
            db,
            phones: AtomicU32::new(1000),
            _folder: folder,
        }
    }

    /// Whose resource a probe touches.
    fn owner(&self, who: Who, whose: Whose) -> &Agent {
        let other = match who {
            Who::Agent => Who::OtherAgent,
            _ => Who::Agent,
        };
        let owner = match (who, whose) {
            (Who::Anonymous, Whose::Own) => Who::Agent,
            (Who::Anonymous, Whose::Others) => Who::OtherAgent,
            (_, Whose::Own) => who,
            (_, Whose::Others) => other,
        };
        &self.accounts[&owner]
    }

    async fn token(&self, who: Who) -> Option<String> {
        let agent = self.accounts.get(&who)?;
        Some(parley_hub::testing::session(&self.hub.store, agent.id).await)
    }

    async fn contact(&self) -> i64 {
        let phone = format!("+1201555{:04}", self.phones.fetch_add(1, Ordering::SeqCst));
        self.hub
            .store
            .ensure_contact(&phone)
            .await
            .expect("a contact")
            .id
    }

    /// A new contact in an active interaction of `owner`'s: (contact, interaction).
    async fn chat(&self, owner: &Agent) -> (i64, i64) {
        let contact = self.contact().await;
        let interaction = self
            .hub
            .store
            .create_interaction(owner.id, contact, true)
            .await
            .expect("an interaction");
        (contact, interaction.id)
    }

    /// A new contact assigned to `owner`, in no interaction.
    async fn assigned_contact(&self, owner: &Agent) -> i64 {
        let contact = self.contact().await;
        sqlx::query("UPDATE contacts SET assigned_agent_id = ? WHERE id = ?")
            .bind(owner.id)
            .bind(contact)
            .execute(&self.db)
            .await
            .expect("assigned");
        contact
    }

    /// An interaction offered to `owner`.
    async fn offer(&self, owner: &Agent) -> i64 {
        let (_, interaction) = self.chat(owner).await;
        sqlx::query(
            "UPDATE interactions SET state = 'offered', accepted_at = NULL, offered_at = 1 \
             WHERE id = ?",
        )
        .bind(interaction)
        .execute(&self.db)
        .await
        .expect("offered");
        interaction
    }

    /// A text `owner` wrote that failed: (contact, message).
    async fn failed_text(&self, owner: &Agent) -> i64 {
        let (contact, interaction) = self.chat(owner).await;
        let key = format!("failed-{}", self.phones.fetch_add(1, Ordering::SeqCst));
        let (message, _) = self
            .hub
            .store
            .create_outbound(&parley_hub::Outbound {
                agent_id: owner.id,
                agent_name: "Owner",
                contact_id: contact,
                interaction_id: Some(interaction),
                body: "did not go",
                client_key: &key,
                from_number: "+12015550100",
                upload_ids: &[],
            })
            .await
            .expect("a text");
        self.hub
            .store
            .fail_unsent(message.id, Some(30008))
            .await
            .expect("failed");
        message.id
    }

    /// A picture `owner` sent: (media id, the provider's token for it).
    async fn picture(&self, owner: &Agent) -> (i64, String) {
        let token = self.token_of(owner).await;
        let (content_type, bytes) = parley_hub::pictures::sample("logo.png").expect("a sample");
        let upload: Upload = self
            .http
            .post(format!("{}/api/uploads", self.hub.base_url()))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("uploaded")
            .json()
            .await
            .expect("an upload");
        let (contact, interaction) = self.chat(owner).await;
        let message: Message = self
            .http
            .post(format!("{}/api/messages", self.hub.base_url()))
            .bearer_auth(&token)
            .json(&json!({
                "contactId": contact, "interactionId": interaction, "body": "see",
                "clientKey": format!("picture-{}", upload.id), "uploadIds": [upload.id],
            }))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("a message");
        let media = message.media.first().expect("the picture").id;
        let public: String = sqlx::query_scalar("SELECT token FROM uploads WHERE id = ?")
            .bind(upload.id)
            .fetch_one(&self.db)
            .await
            .expect("the token");
        (media, public)
    }

    /// A new account nobody here signs in with.
    async fn spare_account(&self) -> i64 {
        let login = format!("spare-{}", self.phones.fetch_add(1, Ordering::SeqCst));
        let settings = AgentSettings {
            role: Role::Agent,
            auto_answer: false,
            max_chats: 3,
            permissions: None,
        };
        self.hub
            .store
            .create_agent(&login, &login, "not-a-hash", settings)
            .await
            .expect("an account")
            .id
    }

    async fn token_of(&self, agent: &Agent) -> String {
        parley_hub::testing::session(&self.hub.store, agent.id).await
    }

    /// A signed webhook form, as Twilio posts it.
    fn signed(&self, path: &str, params: &[(&str, &str)], sign: bool) -> Probe {
        let url = format!("{}{path}", self.hub.public_url);
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        let signature = if sign {
            parley_sms::signature::compute(AUTH_TOKEN, &url, &params)
        } else {
            "forged".to_owned()
        };
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        let mut probe = Probe::new(Method::POST, path, if sign { 200 } else { 403 });
        probe.headers = vec![
            (
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
            ("x-twilio-signature", signature),
        ];
        probe.body = Body::Form(body);
        probe.public = true;
        probe
    }
}

/// The status an agent-level policy gives: signed-in only.
fn signed_in(who: Who, ok: u16) -> u16 {
    if who == Who::Anonymous { 401 } else { ok }
}

/// A contact's resource: agents see only their own (404 otherwise); supervisors and
/// admins see everyone's.
fn contact_policy(who: Who, whose: Whose, ok: u16) -> u16 {
    match (who, whose) {
        (Who::Anonymous, _) => 401,
        (Who::Agent | Who::OtherAgent, Whose::Others) => 404,
        _ => ok,
    }
}

/// An interaction's: only its agent acts on it.
fn interaction_policy(who: Who, whose: Whose, ok: u16, others: u16) -> u16 {
    match (who, whose) {
        (Who::Anonymous, _) => 401,
        (_, Whose::Own) => ok,
        (_, Whose::Others) => others,
    }
}

fn role_policy(who: Who, allowed: &[Who], ok: u16) -> u16 {
    match who {
        Who::Anonymous => 401,
        who if allowed.contains(&who) => ok,
        _ => 403,
    }
}

/// The probe for one case, or `None` when the route has no entry.
#[allow(clippy::too_many_lines, reason = "the matrix: one arm per route")]
async fn probe(world: &World, method: &str, path: &str, who: Who, whose: Whose) -> Option<Probe> {
    let owner = world.owner(who, whose).clone();
    let own = whose == Whose::Own;
    let probe = match (method, path) {
        ("get", "/healthz") => {
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
        | ("get", "/api/search" | "/api/read-markers" | "/api/interactions" | "/api/events") => {
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
        ) => {
            let (contact, _) = world.chat(&owner).await;
            Probe::new(
                Method::GET,
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
