//! The matrix's world: a hub on loopback with an account per role, resources of each,
//! and the policy's expected answers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

use parley_hub::config::{Config, Database, ProviderKind, RoutingConfig};
use parley_hub::{AgentSettings, RunningHub};
use parley_proto::{Agent, Message, Permissions, Role, Upload};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    Agent,
    OtherAgent,
    Supervisor,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    Own,
    Others,
}

pub const WHO: [Who; 5] = [
    Who::Anonymous,
    Who::Agent,
    Who::OtherAgent,
    Who::Supervisor,
    Who::Admin,
];

pub const AUTH_TOKEN: &str = "matrix-auth-token";
pub const PASSWORD: &str = "matrix-password";

/// What the agents here may do.
pub const RESTRICTED: Permissions = Permissions {
    save_media: false,
    all_contacts: false,
    edit_contacts: true,
    text_outside_interaction: false,
};

pub struct World {
    pub hub: RunningHub,
    pub http: reqwest::Client,
    pub accounts: HashMap<Who, Agent>,
    pub db: sqlx::SqlitePool,
    pub phones: AtomicU32,
    pub _folder: tempfile::TempDir,
}

/// One probe: the request and the status the policy expects.
pub enum Body {
    Empty,
    Json(Value),
    Form(String),
    Bytes(Vec<u8>),
}

pub struct Probe {
    pub method: Method,
    pub path: String,
    pub body: Body,
    pub headers: Vec<(&'static str, String)>,
    /// Sent with no session whoever asks (webhooks, the provider's picture fetch).
    pub public: bool,
    pub expected: u16,
}

impl Probe {
    pub fn new(method: Method, path: impl Into<String>, expected: u16) -> Self {
        Self {
            method,
            path: path.into(),
            body: Body::Empty,
            headers: Vec::new(),
            public: false,
            expected,
        }
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }
}

impl World {
    pub async fn start() -> Self {
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
    pub fn owner(&self, who: Who, whose: Whose) -> &Agent {
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

    pub async fn token(&self, who: Who) -> Option<String> {
        let agent = self.accounts.get(&who)?;
        Some(parley_hub::testing::session(&self.hub.store, agent.id).await)
    }

    pub async fn contact(&self) -> i64 {
        let phone = format!("+1201555{:04}", self.phones.fetch_add(1, Ordering::SeqCst));
        self.hub
            .store
            .ensure_contact(&phone)
            .await
            .expect("a contact")
            .id
    }

    /// A new contact in an active interaction of `owner`'s: (contact, interaction).
    pub async fn chat(&self, owner: &Agent) -> (i64, i64) {
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
    pub async fn assigned_contact(&self, owner: &Agent) -> i64 {
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
    pub async fn offer(&self, owner: &Agent) -> i64 {
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
    pub async fn failed_text(&self, owner: &Agent) -> i64 {
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
    pub async fn picture(&self, owner: &Agent) -> (i64, String) {
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
    pub async fn spare_account(&self) -> i64 {
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

    pub async fn token_of(&self, agent: &Agent) -> String {
        parley_hub::testing::session(&self.hub.store, agent.id).await
    }

    /// A signed webhook form, as Twilio posts it.
    pub fn signed(&self, path: &str, params: &[(&str, &str)], sign: bool) -> Probe {
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
pub fn signed_in(who: Who, ok: u16) -> u16 {
    if who == Who::Anonymous { 401 } else { ok }
}

/// A contact's resource: agents see only their own (404 otherwise); supervisors and
/// admins see everyone's.
pub fn contact_policy(who: Who, whose: Whose, ok: u16) -> u16 {
    match (who, whose) {
        (Who::Anonymous, _) => 401,
        (Who::Agent | Who::OtherAgent, Whose::Others) => 404,
        _ => ok,
    }
}

/// An interaction's: only its agent acts on it.
pub fn interaction_policy(who: Who, whose: Whose, ok: u16, others: u16) -> u16 {
    match (who, whose) {
        (Who::Anonymous, _) => 401,
        (_, Whose::Own) => ok,
        (_, Whose::Others) => others,
    }
}

pub fn role_policy(who: Who, allowed: &[Who], ok: u16) -> u16 {
    match who {
        Who::Anonymous => 401,
        who if allowed.contains(&who) => ok,
        _ => 403,
    }
}
