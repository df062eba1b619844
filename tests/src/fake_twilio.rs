//! A local server that speaks Twilio's Programmable Messaging wire format, built from the
//! official OpenAPI spec (`tests/vendor/twilio-oai/twilio_api_v2010.json`, vendored):
//! - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` checks Basic auth, the form
//!   fields (required ones present, every one known to the spec) and answers a Message
//!   resource with exactly the spec's properties — or a scripted Twilio error;
//! - it plays the provider's side of the webhooks: signed inbound messages and signed
//!   status callbacks to the `StatusCallback` URL the hub gave;
//! - it keeps the media of inbound MMS as Twilio does: `GET …/Messages/{sid}/Media/{sid}`
//!   needs the account's Basic auth and redirects to a file store, which may not have the
//!   file yet (404) for the first few requests.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use rand::RngCore as _;
use serde_json::{Value, json};

/// The contact center's number in the scenarios.
pub const OUR_NUMBER: &str = "+12015550100";

/// What the spec says about creating a message.
#[derive(Debug, Clone)]
pub struct Spec {
    pub required_fields: BTreeSet<String>,
    pub known_fields: BTreeSet<String>,
    pub message_properties: Vec<String>,
    pub statuses: BTreeSet<String>,
    /// The properties of a Lookup v2 `PhoneNumber` resource.
    pub lookup_properties: Vec<String>,
}

impl Spec {
    /// Reads the spec vendored in `tests/vendor/twilio-oai/` (or `PARLEY_TWILIO_SPEC`).
    ///
    /// # Panics
    /// When the spec is missing or not shaped as expected.
    #[must_use]
    pub fn load() -> Self {
        let path = std::env::var_os("PARLEY_TWILIO_SPEC").map_or_else(
            || {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("vendor/twilio-oai/twilio_api_v2010.json")
            },
            PathBuf::from,
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!("the Twilio spec at {} is readable: {error}", path.display())
        });
        let spec: Value = serde_json::from_str(&text).expect("the Twilio spec is JSON");
        let create = &spec["paths"]["/2010-04-01/Accounts/{AccountSid}/Messages.json"]["post"];
        let form = &create["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
        let names = |value: &Value| -> BTreeSet<String> {
            value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let required_fields = names(&form["required"]);
        let known_fields: BTreeSet<String> = form["properties"]
            .as_object()
            .expect("form properties")
            .keys()
            .cloned()
            .collect();
        let message = &spec["components"]["schemas"]["api.v2010.account.message"]["properties"];
        let message_properties: Vec<String> = message
            .as_object()
            .expect("message properties")
            .keys()
            .cloned()
            .collect();
        let statuses = names(&spec["components"]["schemas"]["message_enum_status"]["enum"]);
        assert!(required_fields.contains("To"), "the spec requires To");
        assert!(
            statuses.contains("delivered"),
            "the spec lists delivery statuses"
        );
        let lookups_path = path.with_file_name("twilio_lookups_v2.json");
        let lookups: Value = serde_json::from_str(
            &std::fs::read_to_string(&lookups_path).unwrap_or_else(|error| {
                panic!(
                    "the Lookup spec at {} is readable: {error}",
                    lookups_path.display()
                )
            }),
        )
        .expect("the Lookup spec is JSON");
        let lookup_properties: Vec<String> =
            lookups["components"]["schemas"]["LookupResponse"]["properties"]
                .as_object()
                .expect("LookupResponse properties")
                .keys()
                .cloned()
                .collect();
        assert!(
            lookup_properties
                .iter()
                .any(|name| name == "line_type_intelligence")
        );
        Self {
            required_fields,
            known_fields,
            message_properties,
            statuses,
            lookup_properties,
        }
    }
}

/// One create-message request the server received.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub form: Vec<(String, String)>,
    pub sid: String,
}

impl SendRequest {
    /// A form field's value.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// How the answer to a message the server did take gets lost.
#[derive(Debug, Clone, Copy)]
pub enum LostAnswer {
    /// A 500 after the message was stored.
    ServerError,
    /// The answer comes after this long (past the hub's request timeout).
    Late(std::time::Duration),
}

/// An error the server answers with instead of accepting the next message.
#[derive(Debug, Clone)]
pub struct ScriptedError {
    pub http_status: u16,
    pub code: u32,
    pub message: String,
    pub retry_after: Option<u64>,
}

/// A media file the fake keeps for an inbound MMS.
struct HostedMedia {
    content_type: String,
    bytes: Vec<u8>,
    /// Requests answered 404 before the file "arrives".
    missing_for: u32,
}

#[derive(Default)]
struct Inner {
    accepted: Vec<SendRequest>,
    rejected_requests: usize,
    script: VecDeque<ScriptedError>,
    media: HashMap<String, HostedMedia>,
    /// The Message resources of the accepted messages, newest last.
    resources: Vec<Value>,
    /// The next create request is taken but its answer is lost this way.
    lose_next: Option<LostAnswer>,
    /// How long every accepted create waits before it answers (the provider's latency).
    answer_delay: std::time::Duration,
    /// When each create request arrived, accepted or not.
    create_times: Vec<std::time::Instant>,
    /// Lookup v2 line types by number (`mobile` when absent), and the lookups made.
    line_types: HashMap<String, String>,
    lookups: Vec<String>,
    /// Media requests without (or with wrong) credentials.
    unauthorized_media_requests: usize,
}

struct Shared {
    spec: Spec,
    account_sid: String,
    auth_token: String,
    inner: Mutex<Inner>,
}

/// The running server (clones share it).
#[derive(Clone)]
pub struct FakeTwilio {
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    shared: Arc<Shared>,
    http: reqwest::Client,
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn rfc2822_now() -> String {
    // The spec's date format; the hub does not read it, so a fixed valid date suffices.
    "Wed, 25 Nov 2026 10:00:00 +0000".to_owned()
}

fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status.as_u16(),
        })
        .to_string(),
    )
        .into_response()
}

async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorized = basic_auth_ok(&shared, &headers);
    shared
        .inner
        .lock()
        .expect("not poisoned")
        .create_times
        .push(std::time::Instant::now());
    let reject = |response: Response| {
        shared.inner.lock().expect("not poisoned").rejected_requests += 1;
        response
    };
    if !authorized || account != shared.account_sid {
        return reject(twilio_error(
            StatusCode::UNAUTHORIZED,
            20003,
            "Authenticate",
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return reject(twilio_error(
            StatusCode::BAD_REQUEST,
            20001,
            "expected a form body",
        ));
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    for (name, _) in &form {
        if !shared.spec.known_fields.contains(name) {
            return reject(twilio_error(
                StatusCode::BAD_REQUEST,
                20001,
                &format!("unknown parameter {name}"),
            ));
        }
    }
    for name in &shared.spec.required_fields {
        if !form.iter().any(|(key, _)| key == name) {
            return reject(twilio_error(
                StatusCode::BAD_REQUEST,
                21604,
                &format!("A '{name}' phone number is required."),
            ));
        }
    }
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    if field("From").is_none() && field("MessagingServiceSid").is_none() {
        return reject(twilio_error(
            StatusCode::BAD_REQUEST,
            21603,
            "A 'From' phone number is required.",
        ));
    }
    if field("Body").is_none() && field("MediaUrl").is_none() && field("ContentSid").is_none() {
        return reject(twilio_error(
            StatusCode::BAD_REQUEST,
            21602,
            "Message body is required.",
        ));
    }
    let scripted = shared
        .inner
        .lock()
        .expect("not poisoned")
        .script
        .pop_front();
    if let Some(error) = scripted {
        let status = StatusCode::from_u16(error.http_status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = reject(twilio_error(status, error.code, &error.message));
        if let Some(seconds) = error.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        return response;
    }
    let sid = format!("SM{}", random_hex(16));
    let lost = shared.inner.lock().expect("not poisoned").lose_next.take();
    let mut resource = serde_json::Map::new();
    for property in &shared.spec.message_properties {
        let value = match property.as_str() {
            "sid" => json!(sid),
            "account_sid" => json!(shared.account_sid),
            "api_version" => json!("2010-04-01"),
            "body" => json!(field("Body").unwrap_or_default()),
            "to" => json!(field("To")),
            "from" => json!(field("From")),
            "messaging_service_sid" => json!(field("MessagingServiceSid")),
            "status" => json!("queued"),
            "direction" => json!("outbound-api"),
            "num_segments" => json!("1"),
            "num_media" => json!("0"),
            "date_created" | "date_updated" => json!(rfc2822_now()),
            "price_unit" => json!("USD"),
            "uri" => json!(format!(
                "/2010-04-01/Accounts/{}/Messages/{sid}.json",
                shared.account_sid
            )),
            "subresource_uris" => json!({
                "media": format!("/2010-04-01/Accounts/{}/Messages/{sid}/Media.json", shared.account_sid)
            }),
            _ => Value::Null,
        };
        resource.insert(property.clone(), value);
    }
    {
        let mut inner = shared.inner.lock().expect("not poisoned");
        inner.accepted.push(SendRequest { form, sid });
        inner.resources.push(Value::Object(resource.clone()));
    }
    match lost {
        Some(LostAnswer::ServerError) => {
            return twilio_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                20500,
                "Internal Server Error",
            );
        }
        Some(LostAnswer::Late(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    let latency = shared.inner.lock().expect("not poisoned").answer_delay;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        Value::Object(resource).to_string(),
    )
        .into_response()
}

/// `GET /2010-04-01/Accounts/{account}/Messages.json?To=…&From=…&DateSent>=…`: the
/// accepted messages, newest first, as a ListMessageResponse page.
async fn list_messages(
    State(shared): State<Arc<Shared>>,
    Path(account): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
) -> Response {
    if !basic_auth_ok(&shared, &headers) || account != shared.account_sid {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    for (name, _) in &query {
        assert!(
            [
                "To",
                "From",
                "DateSent",
                "DateSent<",
                "DateSent>",
                "PageSize",
                "Page",
                "PageToken"
            ]
            .contains(&name.as_str()),
            "{name} is not a parameter of the Messages list"
        );
    }
    let wanted = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let (to, from) = (wanted("To"), wanted("From"));
    let messages: Vec<Value> = shared
        .inner
        .lock()
        .expect("not poisoned")
        .resources
        .iter()
        .rev()
        .filter(|message| to.as_ref().is_none_or(|to| message["to"] == json!(to)))
        .filter(|message| {
            from.as_ref()
                .is_none_or(|from| message["from"] == json!(from))
        })
        .cloned()
        .collect();
    let uri = format!("/2010-04-01/Accounts/{account}/Messages.json");
    (
        [(header::CONTENT_TYPE, "application/json")],
        json!({
            "messages": messages,
            "end": messages.len().saturating_sub(1),
            "first_page_uri": uri,
            "next_page_uri": null,
            "page": 0,
            "page_size": 50,
            "previous_page_uri": null,
            "start": 0,
            "uri": uri,
        })
        .to_string(),
    )
        .into_response()
}

fn basic_auth_ok(shared: &Shared, headers: &HeaderMap) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", shared.account_sid, shared.auth_token))
    );
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        == Some(expected.as_str())
}

/// `GET /2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}`: Basic auth, then
/// a redirect to the file store, as Twilio answers.
async fn media_resource(
    State(shared): State<Arc<Shared>>,
    Path((_account, _message, media)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if !basic_auth_ok(&shared, &headers) {
        shared
            .inner
            .lock()
            .expect("not poisoned")
            .unauthorized_media_requests += 1;
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    (
        StatusCode::TEMPORARY_REDIRECT,
        [(header::LOCATION, format!("/files/{media}"))],
    )
        .into_response()
}

/// `GET /v2/PhoneNumbers/{number}?Fields=line_type_intelligence`: a Lookup v2 resource with
/// exactly the spec's properties.
async fn lookup(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
) -> Response {
    if !basic_auth_ok(&shared, &headers) {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let fields: Vec<String> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(name, _)| name == "Fields")
        .flat_map(|(_, value)| value.split(',').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let kind = {
        let mut inner = shared.inner.lock().expect("not poisoned");
        inner.lookups.push(number.clone());
        inner
            .line_types
            .get(&number)
            .cloned()
            .unwrap_or_else(|| "mobile".to_owned())
    };
    let mut resource = serde_json::Map::new();
    for property in &shared.spec.lookup_properties {
        resource.insert(property.clone(), Value::Null);
    }
    resource.insert("phone_number".into(), json!(number));
    resource.insert("valid".into(), json!(true));
    resource.insert("calling_country_code".into(), json!("1"));
    resource.insert("country_code".into(), json!("US"));
    resource.insert(
        "url".into(),
        json!(format!(
            "https://lookups.twilio.com/v2/PhoneNumbers/{number}"
        )),
    );
    if fields.iter().any(|field| field == "line_type_intelligence") {
        resource.insert(
            "line_type_intelligence".into(),
            json!({
                "error_code": null,
                "mobile_country_code": "310",
                "mobile_network_code": "456",
                "carrier_name": "Parley Test Carrier",
                "type": kind,
            }),
        );
    }
    (
        [(header::CONTENT_TYPE, "application/json")],
        Value::Object(resource).to_string(),
    )
        .into_response()
}

/// The file store behind the redirect.
async fn media_file(State(shared): State<Arc<Shared>>, Path(media): Path<String>) -> Response {
    let mut inner = shared.inner.lock().expect("not poisoned");
    let Some(hosted) = inner.media.get_mut(&media) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if hosted.missing_for > 0 {
        hosted.missing_for -= 1;
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(header::CONTENT_TYPE, hosted.content_type.clone())],
        hosted.bytes.clone(),
    )
        .into_response()
}

impl FakeTwilio {
    /// Keeps a media file for an inbound MMS and returns its `MediaUrl`. The file store
    /// answers 404 for the first `missing_for` requests (`u32::MAX`: never has it).
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn host_media(&self, content_type: &str, bytes: Vec<u8>, missing_for: u32) -> String {
        let media_sid = format!("ME{}", random_hex(16));
        let message_sid = format!("MM{}", random_hex(16));
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .media
            .insert(
                media_sid.clone(),
                HostedMedia {
                    content_type: content_type.to_owned(),
                    bytes,
                    missing_for,
                },
            );
        format!(
            "{}/2010-04-01/Accounts/{}/Messages/{message_sid}/Media/{media_sid}",
            self.base_url, self.account_sid
        )
    }

    /// When each create request arrived, in order (accepted or refused).
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn create_times(&self) -> Vec<std::time::Instant> {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .create_times
            .clone()
    }

    /// Every accepted message is answered only after `delay` (taken, then slow to say so),
    /// so a hub can be stopped while a send is in flight.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn answer_after(&self, delay: std::time::Duration) {
        self.shared.inner.lock().expect("not poisoned").answer_delay = delay;
    }

    /// Takes the next message but loses the answer.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn lose_next_answer(&self, how: LostAnswer) {
        self.shared.inner.lock().expect("not poisoned").lose_next = Some(how);
    }

    /// Makes Lookup v2 report `number` as this line type (`landline`, `mobile`, …).
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn set_line_type(&self, number: &str, kind: &str) {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .line_types
            .insert(number.to_owned(), kind.to_owned());
    }

    /// The numbers looked up so far, in order.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn lookups(&self) -> Vec<String> {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .lookups
            .clone()
    }

    /// Media requests that came without the account's credentials.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn unauthorized_media_requests(&self) -> usize {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .unauthorized_media_requests
    }

    /// A customer sends an MMS: `media` are (`MediaUrl`, `MediaContentType`) pairs.
    pub async fn mms_in(
        &self,
        hub_url: &str,
        message_sid: &str,
        from: &str,
        body: &str,
        media: &[(String, String)],
    ) -> (StatusCode, String) {
        let mut params = self.inbound_params(message_sid, from, body);
        params.retain(|(name, _)| name != "NumMedia");
        params.push(("NumMedia".into(), media.len().to_string()));
        for (index, (url, content_type)) in media.iter().enumerate() {
            params.push((format!("MediaUrl{index}"), url.clone()));
            params.push((format!("MediaContentType{index}"), content_type.clone()));
        }
        self.post_webhook(&format!("{hub_url}/webhooks/twilio/sms"), &params, None)
            .await
    }

    /// Starts the server on a free loopback port.
    ///
    /// # Panics
    /// When it cannot bind.
    pub async fn start() -> Self {
        let account_sid = format!("AC{}", random_hex(16));
        let auth_token = random_hex(16);
        let shared = Arc::new(Shared {
            spec: Spec::load(),
            account_sid: account_sid.clone(),
            auth_token: auth_token.clone(),
            inner: Mutex::new(Inner::default()),
        });
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{account}/Messages.json",
                post(create_message).get(list_messages),
            )
            .route(
                "/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}",
                get(media_resource),
            )
            .route("/files/{media}", get(media_file))
            .route("/v2/PhoneNumbers/{number}", get(lookup))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("a bound address");
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the fake Twilio server stopped");
            }
        });
        Self {
            base_url: format!("http://{address}"),
            account_sid,
            auth_token,
            shared,
            http: reqwest::Client::new(),
        }
    }

    /// Every message accepted so far, in order.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn accepted(&self) -> Vec<SendRequest> {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .accepted
            .clone()
    }

    /// How many create requests were answered with an error.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn rejected_requests(&self) -> usize {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .rejected_requests
    }

    /// Answers the next create request with this error.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn fail_next(&self, error: ScriptedError) {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .script
            .push_back(error);
    }

    /// The statuses the spec knows.
    #[must_use]
    pub fn spec(&self) -> &Spec {
        &self.shared.spec
    }

    /// POSTs `params` to `url`, signed as Twilio signs webhooks (or with `signature` when
    /// given, to test forgeries). Returns the status and body.
    ///
    /// # Panics
    /// When the hub cannot be reached.
    pub async fn post_webhook(
        &self,
        url: &str,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> (StatusCode, String) {
        let computed = parley_sms::signature::compute(&self.auth_token, url, params);
        let mut request = self.http.post(url).form(params);
        match signature {
            Some("") => {}
            Some(forged) => request = request.header("X-Twilio-Signature", forged),
            None => request = request.header("X-Twilio-Signature", computed),
        }
        let response = request.send().await.expect("the hub answers");
        let status = StatusCode::from_u16(response.status().as_u16()).expect("a valid status");
        (status, response.text().await.unwrap_or_default())
    }

    /// The form fields of an inbound SMS webhook, as Twilio sends them.
    #[must_use]
    pub fn inbound_params(
        &self,
        message_sid: &str,
        from: &str,
        body: &str,
    ) -> Vec<(String, String)> {
        [
            ("ToCountry", "US"),
            ("ToState", "CA"),
            ("SmsMessageSid", message_sid),
            ("NumMedia", "0"),
            ("ToCity", ""),
            ("FromZip", ""),
            ("SmsSid", message_sid),
            ("FromState", "CA"),
            ("SmsStatus", "received"),
            ("FromCity", ""),
            ("Body", body),
            ("FromCountry", "US"),
            ("To", OUR_NUMBER),
            ("ToZip", ""),
            ("NumSegments", "1"),
            ("MessageSid", message_sid),
            ("AccountSid", &self.account_sid),
            ("From", from),
            ("ApiVersion", "2010-04-01"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    }

    /// A customer texts the contact center: a signed inbound webhook to the hub.
    pub async fn text_in(
        &self,
        hub_url: &str,
        message_sid: &str,
        from: &str,
        body: &str,
    ) -> (StatusCode, String) {
        let params = self.inbound_params(message_sid, from, body);
        self.post_webhook(&format!("{hub_url}/webhooks/twilio/sms"), &params, None)
            .await
    }

    /// A customer texts in through `hub_url` while the hubs' `public_url` is another
    /// address (a balancer): the webhook is signed for the public address, as Twilio signs
    /// it, and posted straight to one hub.
    pub async fn text_in_via(
        &self,
        hub_url: &str,
        public_url: &str,
        message_sid: &str,
        from: &str,
        body: &str,
    ) -> StatusCode {
        let params = self.inbound_params(message_sid, from, body);
        let path = "/webhooks/twilio/sms";
        let signature = parley_sms::signature::compute(
            &self.auth_token,
            &format!("{public_url}{path}"),
            &params,
        );
        let response = self
            .http
            .post(format!("{hub_url}{path}"))
            .form(&params)
            .header("X-Twilio-Signature", signature)
            .send()
            .await
            .expect("the hub answers");
        StatusCode::from_u16(response.status().as_u16()).expect("a valid status")
    }

    /// Reports a delivery status for an accepted message to the `StatusCallback` the hub
    /// gave, signed.
    ///
    /// # Panics
    /// When the message is unknown or had no callback.
    pub async fn report_status(
        &self,
        sid: &str,
        status: &str,
        error_code: Option<u32>,
    ) -> StatusCode {
        assert!(
            self.spec().statuses.contains(status),
            "{status} is a status Twilio sends"
        );
        let request = self
            .accepted()
            .into_iter()
            .find(|request| request.sid == sid)
            .expect("the message was accepted here");
        let callback = request
            .field("StatusCallback")
            .expect("the hub set a StatusCallback")
            .to_owned();
        let mut params: Vec<(String, String)> = vec![
            ("SmsSid".into(), sid.into()),
            ("SmsStatus".into(), status.into()),
            ("MessageStatus".into(), status.into()),
            ("To".into(), request.field("To").unwrap_or_default().into()),
            ("MessageSid".into(), sid.into()),
            ("AccountSid".into(), self.account_sid.clone()),
            (
                "From".into(),
                request.field("From").unwrap_or_default().into(),
            ),
            ("ApiVersion".into(), "2010-04-01".into()),
        ];
        if let Some(code) = error_code {
            params.push(("ErrorCode".into(), code.to_string()));
        }
        self.post_webhook(&callback, &params, None).await.0
    }
}
