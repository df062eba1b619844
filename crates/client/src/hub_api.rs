//! The hub's HTTP API, as the desktop core calls it.

use std::time::Duration;

use parley_proto::{
    Agent, AgentStatus, AgentSummary, ApiError, Contact, ContactInteraction,
    CreateInteractionRequest, ErrorCode, Event, Followed, Id, Interaction, LoginRequest,
    LoginResponse, Message, SearchHit, SendMessageRequest, SetStatusRequest, Snapshot,
    UpdateContactRequest, Upload, WorkspaceSettings, WrapUpRequest,
};
use serde::de::DeserializeOwned;

/// A call to the hub that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The hub could not be reached (or did not answer in time).
    #[error("the hub cannot be reached: {0}")]
    Offline(String),
    /// The hub answered with an error.
    #[error("the hub refused ({status}): {}", error.message)]
    Refused { status: u16, error: ApiError },
}

impl HubError {
    /// Whether trying the same call later may work.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Offline(_) => true,
            Self::Refused { status, .. } => *status >= 500 || *status == 401 || *status == 429,
        }
    }
}

/// A read marker as the hub reports it.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HubReadMarker {
    pub contact_id: Id,
    pub last_read_message_id: Id,
}

/// An HTTP client bound to one hub (and, once signed in, one token).
#[derive(Clone)]
pub struct HubApi {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl std::fmt::Debug for HubApi {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HubApi")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HubApi {
    /// A client for the hub at `base` (e.g. `http://127.0.0.1:8080`).
    ///
    /// # Errors
    /// [`HubError::Offline`] when the HTTP client cannot be built.
    pub fn new(base: &str) -> Result<Self, HubError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|error| HubError::Offline(error.to_string()))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: None,
        })
    }

    /// The same client, authenticated with `token`.
    #[must_use]
    pub fn with_token(&self, token: String) -> Self {
        Self {
            token: Some(token),
            ..self.clone()
        }
    }

    /// The hub's base URL.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The token, for the WebSocket URL.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<T, HubError> {
        let response = self.send(builder).await?;
        response
            .json()
            .await
            .map_err(|error| HubError::Offline(format!("unreadable answer: {error}")))
    }

    async fn send(&self, builder: reqwest::RequestBuilder) -> Result<reqwest::Response, HubError> {
        let response = builder
            .send()
            .await
            .map_err(|error| HubError::Offline(error.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        let error = serde_json::from_str::<ApiError>(&text).unwrap_or_else(|_| {
            ApiError::new(
                if status.is_server_error() {
                    ErrorCode::Unavailable
                } else {
                    ErrorCode::BadRequest
                },
                format!("the hub answered HTTP {status}"),
            )
        });
        Err(HubError::Refused {
            status: status.as_u16(),
            error,
        })
    }

    /// `POST /api/login`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn login(&self, login: &str, password: &str) -> Result<LoginResponse, HubError> {
        let request = LoginRequest {
            hub_url: None,
            login: login.to_owned(),
            password: password.to_owned(),
            stay_signed_in: None,
        };
        self.call(
            self.request(reqwest::Method::POST, "/api/login")
                .json(&request),
        )
        .await
    }

    /// `GET /api/me`: whose the token is (a resumed session checks it still holds).
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn me(&self) -> Result<Agent, HubError> {
        self.call(self.request(reqwest::Method::GET, "/api/me"))
            .await
    }

    /// `POST /api/logout`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn logout(&self) -> Result<(), HubError> {
        self.send(self.request(reqwest::Method::POST, "/api/logout"))
            .await
            .map(drop)
    }

    /// `PUT /api/me/status`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn set_status(
        &self,
        status: AgentStatus,
        reason: Option<String>,
    ) -> Result<Agent, HubError> {
        self.call(
            self.request(reqwest::Method::PUT, "/api/me/status")
                .json(&SetStatusRequest { status, reason }),
        )
        .await
    }

    /// `POST /api/interactions/{id}/accept`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn accept(&self, interaction_id: Id) -> Result<Interaction, HubError> {
        self.call(self.request(
            reqwest::Method::POST,
            &format!("/api/interactions/{interaction_id}/accept"),
        ))
        .await
    }

    /// `POST /api/interactions/{id}/decline`: the offer moves on at once.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn decline(&self, interaction_id: Id) -> Result<Interaction, HubError> {
        self.call(self.request(
            reqwest::Method::POST,
            &format!("/api/interactions/{interaction_id}/decline"),
        ))
        .await
    }

    /// `POST /api/interactions` (Create SMS Interaction), beyond the agent's capacity only
    /// when they chose to.
    ///
    /// # Errors
    /// [`HubError`]; a full agent is refused with `atCapacity`.
    pub async fn create_interaction(
        &self,
        contact_id: Id,
        beyond_capacity: bool,
    ) -> Result<Interaction, HubError> {
        self.call(
            self.request(reqwest::Method::POST, "/api/interactions")
                .json(&CreateInteractionRequest {
                    contact_id: Some(contact_id),
                    phone: None,
                    beyond_capacity: Some(beyond_capacity),
                }),
        )
        .await
    }

    /// `POST /api/interactions` with a number the agent typed.
    ///
    /// # Errors
    /// [`HubError`]; an incorrect number is refused with `invalidNumber`.
    pub async fn create_interaction_for_number(
        &self,
        phone: &str,
        beyond_capacity: bool,
    ) -> Result<Interaction, HubError> {
        self.call(
            self.request(reqwest::Method::POST, "/api/interactions")
                .json(&CreateInteractionRequest {
                    contact_id: None,
                    phone: Some(phone.to_owned()),
                    beyond_capacity: Some(beyond_capacity),
                }),
        )
        .await
    }

    /// `POST /api/uploads`: a picture to attach.
    ///
    /// # Errors
    /// [`HubError`]; a picture that cannot be sent is refused with its reason.
    pub async fn upload(&self, content_type: &str, bytes: Vec<u8>) -> Result<Upload, HubError> {
        self.call(
            self.request(reqwest::Method::POST, "/api/uploads")
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes),
        )
        .await
    }

    /// `POST /api/messages/{id}/retry`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn retry_message(&self, message_id: Id) -> Result<Message, HubError> {
        self.call(self.request(
            reqwest::Method::POST,
            &format!("/api/messages/{message_id}/retry"),
        ))
        .await
    }

    /// `GET /api/media/{id}` or its thumbnail: the file's bytes.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn media(&self, media_id: Id, thumbnail: bool) -> Result<Vec<u8>, HubError> {
        let path = if thumbnail {
            format!("/api/media/{media_id}/thumbnail")
        } else {
            format!("/api/media/{media_id}")
        };
        let response = self.send(self.request(reqwest::Method::GET, &path)).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|error| HubError::Offline(format!("picture download broke off: {error}")))?;
        Ok(bytes.to_vec())
    }

    /// `POST /api/interactions/{id}/end`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn end_interaction(&self, interaction_id: Id) -> Result<Interaction, HubError> {
        self.call(self.request(
            reqwest::Method::POST,
            &format!("/api/interactions/{interaction_id}/end"),
        ))
        .await
    }

    /// `PUT /api/interactions/{id}/wrap-up`, or with `done`, `POST /api/interactions/{id}/done`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn wrap_up(
        &self,
        interaction_id: Id,
        request: &WrapUpRequest,
        done: bool,
    ) -> Result<Interaction, HubError> {
        let builder = if done {
            self.request(
                reqwest::Method::POST,
                &format!("/api/interactions/{interaction_id}/done"),
            )
        } else {
            self.request(
                reqwest::Method::PUT,
                &format!("/api/interactions/{interaction_id}/wrap-up"),
            )
        };
        self.call(builder.json(request)).await
    }

    /// `GET /api/settings`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn settings(&self) -> Result<WorkspaceSettings, HubError> {
        self.call(self.request(reqwest::Method::GET, "/api/settings"))
            .await
    }

    /// `GET /api/me/summary?since=ms`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn summary(&self, since: i64) -> Result<AgentSummary, HubError> {
        self.call(
            self.request(reqwest::Method::GET, "/api/me/summary")
                .query(&[("since", since.to_string())]),
        )
        .await
    }

    /// `GET /api/contacts/{id}`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn contact(&self, contact_id: Id) -> Result<Contact, HubError> {
        self.call(self.request(reqwest::Method::GET, &format!("/api/contacts/{contact_id}")))
            .await
    }

    /// `GET /api/contacts/{id}/messages?limit=N[&before=ID]`: the contact's newest `limit`
    /// messages, or the `limit` just older than hub message `before`; oldest first.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn contact_messages(
        &self,
        contact_id: Id,
        before: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Message>, HubError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(before) = before {
            query.push(("before", before.to_string()));
        }
        self.call(
            self.request(
                reqwest::Method::GET,
                &format!("/api/contacts/{contact_id}/messages"),
            )
            .query(&query),
        )
        .await
    }

    /// `GET /api/contacts/{id}/interactions?limit=N`: the newest of a contact's
    /// interactions.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn contact_interactions(
        &self,
        contact_id: Id,
        limit: u32,
    ) -> Result<Vec<ContactInteraction>, HubError> {
        self.call(
            self.request(
                reqwest::Method::GET,
                &format!("/api/contacts/{contact_id}/interactions"),
            )
            .query(&[("limit", limit.to_string())]),
        )
        .await
    }

    /// `POST /api/contacts/{id}/follow`: keep a contact the agent opened, with its changes
    /// in the scoped stream from now on.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn follow(&self, contact_id: Id) -> Result<Followed, HubError> {
        self.call(self.request(
            reqwest::Method::POST,
            &format!("/api/contacts/{contact_id}/follow"),
        ))
        .await
    }

    /// `GET /api/search?q=…`: contacts and messages the agent may see.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn search(&self, query: &str) -> Result<Vec<SearchHit>, HubError> {
        self.call(
            self.request(reqwest::Method::GET, "/api/search")
                .query(&[("q", query)]),
        )
        .await
    }

    /// `GET /api/sync/snapshot`: where the desktop starts from.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn snapshot(&self) -> Result<Snapshot, HubError> {
        self.call(self.request(reqwest::Method::GET, "/api/sync/snapshot"))
            .await
    }

    /// `POST /api/messages`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn send_message(&self, request: &SendMessageRequest) -> Result<Message, HubError> {
        self.call(
            self.request(reqwest::Method::POST, "/api/messages")
                .json(request),
        )
        .await
    }

    /// `POST /api/contacts/{id}/read`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn mark_read(&self, contact_id: Id) -> Result<(), HubError> {
        self.send(self.request(
            reqwest::Method::POST,
            &format!("/api/contacts/{contact_id}/read"),
        ))
        .await
        .map(drop)
    }

    /// `PUT /api/contacts/{id}`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn update_contact(
        &self,
        contact_id: Id,
        request: &UpdateContactRequest,
    ) -> Result<Contact, HubError> {
        self.call(
            self.request(reqwest::Method::PUT, &format!("/api/contacts/{contact_id}"))
                .json(request),
        )
        .await
    }

    /// `POST /api/contacts/{id}/unread`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn mark_unread(&self, contact_id: Id) -> Result<(), HubError> {
        self.send(self.request(
            reqwest::Method::POST,
            &format!("/api/contacts/{contact_id}/unread"),
        ))
        .await
        .map(drop)
    }

    /// `GET /api/read-markers`.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn read_markers(&self) -> Result<Vec<HubReadMarker>, HubError> {
        self.call(self.request(reqwest::Method::GET, "/api/read-markers"))
            .await
    }

    /// `GET /api/events?since=N&limit=M&scope=agent`: the agent's own events after `since`
    /// (with a placeholder where the read stopped). `gone` when the desktop must take a
    /// snapshot instead.
    ///
    /// # Errors
    /// [`HubError`].
    pub async fn events(&self, since: i64, limit: u32) -> Result<Vec<Event>, HubError> {
        self.call(self.request(reqwest::Method::GET, "/api/events").query(&[
            ("since", since.to_string()),
            ("limit", limit.to_string()),
            ("scope", "agent".to_owned()),
        ]))
        .await
    }
}
