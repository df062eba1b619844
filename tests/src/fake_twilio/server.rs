//! The fake's HTTP side: the REST endpoints, as the spec shapes them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rand::RngCore as _;
use serde_json::{Value, json};

use super::faults::{Faults, Injected, Queues, chance};
use super::{LostAnswer, ScriptedError, SendRequest, Spec};

/// A media file the fake keeps for an inbound MMS.
pub(super) struct HostedMedia {
    pub(super) content_type: String,
    pub(super) bytes: Vec<u8>,
    /// Requests answered 404 before the file "arrives".
    pub(super) missing_for: u32,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) accepted: Vec<SendRequest>,
    pub(super) rejected_requests: usize,
    pub(super) script: VecDeque<ScriptedError>,
    pub(super) media: HashMap<String, HostedMedia>,
    /// The Message resources of the accepted messages, newest last.
    pub(super) resources: Vec<Value>,
    /// The next create request (to this number, when one is named) is taken but its
    /// answer is lost this way.
    pub(super) lose_next: Option<(Option<String>, LostAnswer)>,
    /// How long every accepted create waits before it answers (the provider's latency).
    pub(super) answer_delay: std::time::Duration,
    /// When each create request arrived, accepted or not.
    pub(super) create_times: Vec<std::time::Instant>,
    /// Lookup v2 line types by number (`mobile` when absent), and the lookups made.
    pub(super) line_types: HashMap<String, String>,
    pub(super) lookups: Vec<String>,
    /// Random faults, and the sending numbers' queues.
    pub(super) faults: Faults,
    pub(super) queues: Queues,
    pub(super) injected: Injected,
    /// Media requests without (or with wrong) credentials.
    pub(super) unauthorized_media_requests: usize,
}

pub(super) struct Shared {
    pub(super) spec: Spec,
    pub(super) account_sid: String,
    pub(super) auth_token: String,
    pub(super) inner: Mutex<Inner>,
    /// For status callbacks.
    pub(super) http: reqwest::Client,
}

pub(super) fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(super) fn rfc2822_now() -> String {
    // The spec's date format; the hub does not read it, so a fixed valid date suffices.
    "Wed, 25 Nov 2026 10:00:00 +0000".to_owned()
}

pub(super) fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
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

pub(super) async fn create_message(
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
    let faults = shared.inner.lock().expect("not poisoned").faults;
    if chance(faults.too_many_requests) {
        shared
            .inner
            .lock()
            .expect("not poisoned")
            .injected
            .too_many_requests += 1;
        let mut response = reject(twilio_error(
            StatusCode::TOO_MANY_REQUESTS,
            20429,
            "Too Many Requests",
        ));
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, faults.retry_after_s.into());
        return response;
    }
    let sender = field("From")
        .or_else(|| field("MessagingServiceSid"))
        .unwrap_or_default();
    let segments = parley_sms::segments::count(&field("Body").unwrap_or_default()).segments;
    #[allow(clippy::cast_precision_loss, reason = "a few segments")]
    let fits = shared
        .inner
        .lock()
        .expect("not poisoned")
        .queues
        .take(&sender, segments.max(1) as f64);
    if !fits {
        return reject(twilio_error(
            StatusCode::BAD_REQUEST,
            21611,
            "This 'From' number has exceeded the maximum number of queued messages",
        ));
    }
    let sid = format!("SM{}", random_hex(16));
    let lost = {
        let mut inner = shared.inner.lock().expect("not poisoned");
        let to = field("To").unwrap_or_default();
        let scripted = match &inner.lose_next {
            Some((Some(number), _)) if *number != to => None,
            Some(_) => inner.lose_next.take().map(|(_, how)| how),
            None => None,
        };
        scripted.or_else(|| {
            if chance(faults.server_error) {
                inner.injected.server_errors += 1;
                Some(LostAnswer::ServerError)
            } else if chance(faults.late) {
                inner.injected.late += 1;
                Some(LostAnswer::Late(faults.late_by))
            } else {
                None
            }
        })
    };
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
        inner.accepted.push(SendRequest {
            form: form.clone(),
            sid: sid.clone(),
        });
        inner.resources.push(Value::Object(resource.clone()));
    }
    let callback = field("StatusCallback");
    if let Some(callback) = callback.filter(|_| faults.callbacks || faults.callback_first > 0.0) {
        let report = |status: &'static str| {
            let shared = Arc::clone(&shared);
            let (callback, sid, form) = (callback.clone(), sid.clone(), form.clone());
            async move { post_status(&shared, &callback, &sid, &form, status).await }
        };
        if chance(faults.callback_first) {
            shared
                .inner
                .lock()
                .expect("not poisoned")
                .injected
                .callbacks_first += 1;
            report("sent").await;
        }
        if faults.callbacks {
            let (sent, delivered) = (report("sent"), report("delivered"));
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(rand::random_range(50..300))).await;
                sent.await;
                tokio::time::sleep(Duration::from_millis(rand::random_range(50..300))).await;
                delivered.await;
            });
        }
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
pub(super) async fn list_messages(
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

pub(super) fn basic_auth_ok(shared: &Shared, headers: &HeaderMap) -> bool {
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
pub(super) async fn media_resource(
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
pub(super) async fn lookup(
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
pub(super) async fn media_file(
    State(shared): State<Arc<Shared>>,
    Path(media): Path<String>,
) -> Response {
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

/// Posts a signed status callback for a message taken, as Twilio does; a hub that is down
/// misses it (Twilio does not send it again).
pub(super) async fn post_status(
    shared: &Shared,
    callback: &str,
    sid: &str,
    form: &[(String, String)],
    status: &str,
) {
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let params: Vec<(String, String)> = vec![
        ("SmsSid".into(), sid.into()),
        ("SmsStatus".into(), status.into()),
        ("MessageStatus".into(), status.into()),
        ("To".into(), field("To")),
        ("MessageSid".into(), sid.into()),
        ("AccountSid".into(), shared.account_sid.clone()),
        ("From".into(), field("From")),
        ("ApiVersion".into(), "2010-04-01".into()),
    ];
    let signature = parley_sms::signature::compute(&shared.auth_token, callback, &params);
    let sent = shared
        .http
        .post(callback)
        .form(&params)
        .header("X-Twilio-Signature", signature)
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    if let Err(error) = sent {
        tracing::debug!(%error, sid, status, "a status callback was not delivered");
    }
}
