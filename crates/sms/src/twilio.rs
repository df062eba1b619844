//! The Twilio Programmable Messaging wire format (as `twilio_api_v2010.json` defines it) and a
//! REST client that implements [`Provider`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::provider::{
    DeliveryStatus, LineType, OutboundSms, Provider, ProviderError, Recovered, SentSms,
};

/// Twilio's public API base URL.
pub const DEFAULT_API_BASE: &str = "https://api.twilio.com";

/// The TwiML answer to a messaging webhook that sends no reply.
pub const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

/// The part of Twilio's Message resource (`api.v2010.account.message`) that Parley reads.
/// Unknown fields are ignored; Twilio adds fields over time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageResource {
    pub sid: String,
    pub account_sid: Option<String>,
    pub status: String,
    pub to: Option<String>,
    pub from: Option<String>,
    pub body: Option<String>,
    pub error_code: Option<u32>,
    pub error_message: Option<String>,
    pub num_segments: Option<String>,
    pub num_media: Option<String>,
    pub direction: Option<String>,
    pub date_created: Option<String>,
    pub messaging_service_sid: Option<String>,
}

/// Twilio's REST error body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: u32,
    pub message: String,
    pub more_info: Option<String>,
    pub status: Option<u16>,
}

/// An inbound SMS/MMS webhook (`POST` form fields), the fields Parley reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundWebhook {
    pub message_sid: String,
    pub account_sid: Option<String>,
    pub from: String,
    pub to: String,
    pub body: String,
    /// The pictures, from `NumMedia`, `MediaUrl{N}` and `MediaContentType{N}`.
    pub media: Vec<InboundMedia>,
}

/// One media file of an inbound MMS, still on the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMedia {
    pub url: String,
    /// The type the provider claims; checked once the file is fetched.
    pub content_type: String,
}

/// Twilio delivers at most this many media files with one message.
pub const MAX_MEDIA: u32 = 10;

/// A status callback (`POST` form fields), the fields Parley reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusWebhook {
    pub message_sid: String,
    pub message_status: String,
    pub error_code: Option<u32>,
}

/// A webhook that lacks a field Twilio always sends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the webhook's field {0} is missing or invalid")]
pub struct MissingField(pub &'static str);

fn field<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

impl InboundWebhook {
    /// Reads an inbound webhook's form fields; unknown fields are ignored.
    ///
    /// # Errors
    /// [`MissingField`] when `MessageSid` (or `SmsSid`), `From` or `To` is absent.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, MissingField> {
        let message_sid = field(params, "MessageSid")
            .or_else(|| field(params, "SmsMessageSid"))
            .or_else(|| field(params, "SmsSid"))
            .filter(|sid| !sid.is_empty())
            .ok_or(MissingField("MessageSid"))?;
        Ok(Self {
            message_sid: message_sid.to_owned(),
            account_sid: field(params, "AccountSid").map(str::to_owned),
            from: field(params, "From")
                .ok_or(MissingField("From"))?
                .to_owned(),
            to: field(params, "To").ok_or(MissingField("To"))?.to_owned(),
            body: field(params, "Body").unwrap_or_default().to_owned(),
            media: inbound_media(params)?,
        })
    }
}

/// The media of an inbound webhook. `NumMedia` says how many there are; each must have its
/// `MediaUrl{N}`. More than [`MAX_MEDIA`] is malformed.
fn inbound_media(params: &[(String, String)]) -> Result<Vec<InboundMedia>, MissingField> {
    let count: u32 = match field(params, "NumMedia").map(str::trim) {
        None | Some("") => 0,
        Some(text) => text.parse().map_err(|_| MissingField("NumMedia"))?,
    };
    if count > MAX_MEDIA {
        return Err(MissingField("NumMedia"));
    }
    (0..count)
        .map(|index| {
            let url = field(params, &format!("MediaUrl{index}"))
                .filter(|url| !url.is_empty())
                .ok_or(MissingField("MediaUrl"))?;
            Ok(InboundMedia {
                url: url.to_owned(),
                content_type: field(params, &format!("MediaContentType{index}"))
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
            })
        })
        .collect()
}

impl StatusWebhook {
    /// Reads a status callback's form fields; unknown fields are ignored.
    ///
    /// # Errors
    /// [`MissingField`] when `MessageSid` or `MessageStatus` is absent.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, MissingField> {
        Ok(Self {
            message_sid: field(params, "MessageSid")
                .or_else(|| field(params, "SmsSid"))
                .ok_or(MissingField("MessageSid"))?
                .to_owned(),
            message_status: field(params, "MessageStatus")
                .or_else(|| field(params, "SmsStatus"))
                .ok_or(MissingField("MessageStatus"))?
                .to_owned(),
            error_code: field(params, "ErrorCode").and_then(|code| code.parse().ok()),
        })
    }
}

/// How Parley authenticates to the REST API.
#[derive(Clone)]
pub enum Credentials {
    /// Account SID + Auth Token.
    AuthToken { auth_token: String },
    /// An API key (`SK…`) and its secret.
    ApiKey { key_sid: String, secret: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AuthToken { .. } => formatter.write_str("AuthToken(<redacted>)"),
            Self::ApiKey { key_sid, .. } => write!(formatter, "ApiKey({key_sid}, <redacted>)"),
        }
    }
}

/// Who a message is sent from.
#[derive(Debug, Clone)]
pub enum Sender {
    /// A phone number (E.164) or short code.
    From(String),
    /// A Messaging Service SID (`MG…`); Twilio picks the number.
    MessagingService(String),
}

/// The Twilio REST client.
#[derive(Debug, Clone)]
pub struct TwilioProvider {
    http: reqwest::Client,
    api_base: String,
    lookups_base: String,
    account_sid: String,
    credentials: Credentials,
    sender: Sender,
}

impl TwilioProvider {
    /// Builds a client. `api_base` is Twilio's by default; a Twilio-compatible provider or
    /// a local test server can stand in.
    ///
    /// # Errors
    /// [`ProviderError::Configuration`] when the HTTP client cannot be built.
    pub fn new(
        api_base: &str,
        account_sid: &str,
        credentials: Credentials,
        sender: Sender,
    ) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("parley-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ProviderError::Configuration(error.to_string()))?;
        Ok(Self {
            http,
            api_base: api_base.trim_end_matches('/').to_owned(),
            lookups_base: DEFAULT_LOOKUPS_BASE.to_owned(),
            account_sid: account_sid.to_owned(),
            credentials,
            sender,
        })
    }

    /// Gives up on a request after `timeout` (20 s by default).
    ///
    /// # Errors
    /// [`ProviderError::Configuration`] when the HTTP client cannot be built.
    pub fn with_timeout(mut self, timeout: Duration) -> Result<Self, ProviderError> {
        self.http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("parley-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ProviderError::Configuration(error.to_string()))?;
        Ok(self)
    }

    /// Sends line type lookups to `base` instead of Twilio's Lookup API.
    #[must_use]
    pub fn with_lookups_base(mut self, base: &str) -> Self {
        base.trim_end_matches('/')
            .clone_into(&mut self.lookups_base);
        self
    }

    /// A signed-in `GET` that answers JSON. Nothing it asks changes anything, so any
    /// failure is safe to try again.
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, &str)],
        what: &str,
    ) -> Result<T, ProviderError> {
        let (user, password) = self.basic_auth();
        let response = self
            .http
            .get(url)
            .query(query)
            .basic_auth(user, Some(password))
            .send()
            .await
            .map_err(|error| ProviderError::Unreachable(error.to_string()))?;
        let status = response.status();
        let retry = retry_after(response.headers());
        let text = response
            .text()
            .await
            .map_err(|error| ProviderError::Unreachable(error.to_string()))?;
        if !status.is_success() {
            return Err(classify(status, retry, &text));
        }
        serde_json::from_str(&text)
            .map_err(|error| ProviderError::Unreachable(format!("unreadable {what}: {error}")))
    }

    fn basic_auth(&self) -> (&str, &str) {
        match &self.credentials {
            Credentials::AuthToken { auth_token } => (&self.account_sid, auth_token),
            Credentials::ApiKey { key_sid, secret } => (key_sid, secret),
        }
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Classifies a non-success REST answer.
fn classify(status: reqwest::StatusCode, retry: Option<Duration>, body: &str) -> ProviderError {
    let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
    let code = parsed.as_ref().map(|error| error.code);
    let message = parsed
        .as_ref()
        .map_or_else(|| format!("HTTP {status}"), |error| error.message.clone());
    // 21611: the number's queue is full; nothing was queued, so it is safe to wait and retry.
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS || matches!(code, Some(20429 | 21611)) {
        return ProviderError::RateLimited { retry_after: retry };
    }
    if status.is_server_error() {
        return ProviderError::Ambiguous(format!("HTTP {status}: {message}"));
    }
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return ProviderError::Configuration(format!("{message} (HTTP {status})"));
    }
    ProviderError::Rejected {
        code: code.unwrap_or_else(|| u32::from(status.as_u16())),
        message,
    }
}

/// Twilio's Lookup API.
pub const DEFAULT_LOOKUPS_BASE: &str = "https://lookups.twilio.com";

/// The part of a Lookup v2 `PhoneNumber` resource Parley reads.
#[derive(Debug, Deserialize)]
struct LookupResource {
    valid: Option<bool>,
    line_type_intelligence: Option<LineTypeIntelligence>,
}

#[derive(Debug, Deserialize)]
struct LineTypeIntelligence {
    #[serde(rename = "type")]
    kind: Option<String>,
    error_code: Option<u32>,
}

#[async_trait::async_trait]
impl Provider for TwilioProvider {
    fn name(&self) -> &'static str {
        "twilio"
    }

    async fn find_sent(
        &self,
        message: &OutboundSms,
        known_sids: &[String],
    ) -> Result<Recovered, ProviderError> {
        #[derive(Deserialize)]
        struct Page {
            messages: Vec<MessageResource>,
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.api_base, self.account_sid
        );
        let mut query = vec![("To", message.to.as_str()), ("PageSize", "50")];
        if let Sender::From(from) = &self.sender {
            query.push(("From", from));
        }
        let page: Page = self.get_json(&url, &query, "message list").await?;
        // Newest first: the first outbound message with this text to this number that the
        // hub has not recorded is the one whose answer was lost.
        let found = page.messages.into_iter().find(|resource| {
            resource.to.as_deref() == Some(message.to.as_str())
                && resource.body.as_deref() == Some(message.body.as_str())
                && resource
                    .direction
                    .as_deref()
                    .is_none_or(|direction| direction.starts_with("outbound"))
                && !known_sids.contains(&resource.sid)
        });
        Ok(match found {
            Some(resource) => Recovered::Found(SentSms {
                status: DeliveryStatus::from_twilio(&resource.status)
                    .unwrap_or(DeliveryStatus::Queued),
                sid: resource.sid,
                from: resource.from,
            }),
            None => Recovered::NotFound,
        })
    }

    async fn line_type(&self, number: &str) -> Result<LineType, ProviderError> {
        let encoded: String = url::form_urlencoded::byte_serialize(number.as_bytes()).collect();
        let url = format!("{}/v2/PhoneNumbers/{encoded}", self.lookups_base);
        let resource: LookupResource = self
            .get_json(
                &url,
                &[("Fields", "line_type_intelligence")],
                "Lookup resource",
            )
            .await?;
        if resource.valid == Some(false) {
            return Ok(LineType::Invalid);
        }
        Ok(match resource.line_type_intelligence {
            Some(LineTypeIntelligence {
                kind: Some(kind),
                error_code: None,
            }) => LineType::from_twilio(&kind),
            _ => LineType::Unknown,
        })
    }

    async fn send(&self, message: OutboundSms) -> Result<SentSms, ProviderError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.api_base, self.account_sid
        );
        let mut form: Vec<(&str, &str)> = vec![
            ("To", &message.to),
            ("Body", &message.body),
            ("StatusCallback", &message.status_callback),
        ];
        for url in &message.media_urls {
            form.push(("MediaUrl", url));
        }
        match &self.sender {
            Sender::From(from) => form.push(("From", from)),
            Sender::MessagingService(sid) => form.push(("MessagingServiceSid", sid)),
        }
        let (user, password) = self.basic_auth();
        let response = self
            .http
            .post(&url)
            .basic_auth(user, Some(password))
            .form(&form)
            .send()
            .await
            .map_err(|error| {
                if error.is_connect() {
                    ProviderError::Unreachable(error.to_string())
                } else {
                    ProviderError::Ambiguous(error.to_string())
                }
            })?;
        let status = response.status();
        let retry = retry_after(response.headers());
        let text = response
            .text()
            .await
            .map_err(|error| ProviderError::Ambiguous(error.to_string()))?;
        if !status.is_success() {
            return Err(classify(status, retry, &text));
        }
        let resource: MessageResource = serde_json::from_str(&text).map_err(|error| {
            ProviderError::Ambiguous(format!("unreadable Message resource: {error}"))
        })?;
        let delivery =
            DeliveryStatus::from_twilio(&resource.status).unwrap_or(DeliveryStatus::Queued);
        if delivery == DeliveryStatus::Failed {
            return Err(ProviderError::Rejected {
                code: resource.error_code.unwrap_or(0),
                message: resource
                    .error_message
                    .unwrap_or_else(|| "failed".to_owned()),
            });
        }
        Ok(SentSms {
            sid: resource.sid,
            status: delivery,
            from: resource.from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn inbound_webhook_reads_fields_and_ignores_extras() {
        let inbound = InboundWebhook::from_params(&params(&[
            ("ToCountry", "US"),
            ("MessageSid", "SM0123"),
            ("From", "+12015550101"),
            ("To", "+12015550191"),
            ("Body", "Hi <b>there</b>"),
            ("NumMedia", "0"),
            ("SomethingNew", "x"),
        ]))
        .expect("a complete webhook parses");
        assert_eq!(inbound.message_sid, "SM0123");
        assert_eq!(inbound.body, "Hi <b>there</b>", "the body is kept verbatim");
        assert_eq!(
            InboundWebhook::from_params(&params(&[("From", "+1"), ("To", "+2")])),
            Err(MissingField("MessageSid"))
        );
    }

    #[test]
    fn errors_are_classified_by_retry_safety() {
        let too_many = classify(
            reqwest::StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(3)),
            "",
        );
        assert!(
            matches!(too_many, ProviderError::RateLimited { retry_after: Some(d) } if d.as_secs() == 3)
        );
        let invalid = classify(
            reqwest::StatusCode::BAD_REQUEST,
            None,
            r#"{"code":21211,"message":"The 'To' number is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#,
        );
        assert!(matches!(
            invalid,
            ProviderError::Rejected { code: 21211, .. }
        ));
        let server = classify(reqwest::StatusCode::INTERNAL_SERVER_ERROR, None, "{}");
        assert!(
            matches!(server, ProviderError::Ambiguous(_)),
            "a 5xx may have been processed"
        );
    }

    #[test]
    fn statuses_map_from_twilio_vocabulary() {
        assert_eq!(
            DeliveryStatus::from_twilio("accepted"),
            Some(DeliveryStatus::Queued)
        );
        assert_eq!(
            DeliveryStatus::from_twilio("delivered"),
            Some(DeliveryStatus::Delivered)
        );
        assert_eq!(
            DeliveryStatus::from_twilio("undelivered"),
            Some(DeliveryStatus::Undelivered)
        );
        assert_eq!(DeliveryStatus::from_twilio("received"), None);
    }
}
