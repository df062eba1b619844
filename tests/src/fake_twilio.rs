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

mod faults;
mod server;
mod spec;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

pub use faults::{Faults, Injected};
use server::{
    HostedMedia, Inner, Shared, create_message, list_messages, lookup, media_file, media_resource,
    random_hex,
};
pub use spec::Spec;

/// The contact center's number in the scenarios.
pub const OUR_NUMBER: &str = "+12015550100";

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

/// The running server (clones share it).
#[derive(Clone)]
pub struct FakeTwilio {
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    shared: Arc<Shared>,
    http: reqwest::Client,
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
        self.shared.inner.lock().expect("not poisoned").lose_next = Some((None, how));
    }

    /// Takes the next message to `to` but loses the answer; messages to other numbers,
    /// which may race ahead of it, are answered as usual.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn lose_next_answer_to(&self, to: &str, how: LostAnswer) {
        self.shared.inner.lock().expect("not poisoned").lose_next =
            Some((Some(to.to_owned()), how));
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
            http: reqwest::Client::new(),
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

    /// POSTs `params` to `url`, signed; the status, or `None` when nothing answered (the
    /// hub is down).
    pub async fn try_post_webhook(&self, url: &str, params: &[(String, String)]) -> Option<u16> {
        let signature = parley_sms::signature::compute(&self.auth_token, url, params);
        self.http
            .post(url)
            .form(params)
            .header("X-Twilio-Signature", signature)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .ok()
            .map(|response| response.status().as_u16())
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

    /// Injects these faults at random from now on.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn inject(&self, faults: Faults) {
        self.shared.inner.lock().expect("not poisoned").faults = faults;
    }

    /// Gives every sending number a queue that drains `rate` segments a second and holds
    /// `capacity`; a message that does not fit is refused with 21611, as Twilio does.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn queue_numbers(&self, rate: f64, capacity: f64) {
        self.shared.inner.lock().expect("not poisoned").queues.limit = Some((rate, capacity));
    }

    /// How many of each fault were injected so far.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn injected(&self) -> Injected {
        self.shared.inner.lock().expect("not poisoned").injected
    }

    /// Creates refused because the sending number's queue was full (21611).
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn queue_overflows(&self) -> usize {
        self.shared
            .inner
            .lock()
            .expect("not poisoned")
            .queues
            .overflows
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
