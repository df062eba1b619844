//! The seam to an SMS carrier. The hub talks to every provider through [`Provider`].

use std::time::Duration;

/// What the hub asks a provider to send.
#[derive(Debug, Clone)]
pub struct OutboundSms {
    /// E.164 destination.
    pub to: String,
    pub body: String,
    /// Where the provider should post delivery status updates for this message.
    pub status_callback: String,
    /// Public URLs of the pictures to send with it (MMS).
    pub media_urls: Vec<String>,
}

/// A provider's delivery states, mapped from its own vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Queued,
    Sent,
    Delivered,
    Undelivered,
    Failed,
}

impl DeliveryStatus {
    /// Maps a Twilio `MessageStatus`. Statuses that say nothing about an outbound message's
    /// delivery (`receiving`, `received`) map to `None`.
    #[must_use]
    pub fn from_twilio(status: &str) -> Option<Self> {
        match status {
            "accepted" | "scheduled" | "queued" | "sending" => Some(Self::Queued),
            "sent" => Some(Self::Sent),
            "delivered" | "read" => Some(Self::Delivered),
            "undelivered" | "partially_delivered" => Some(Self::Undelivered),
            "failed" | "canceled" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A provider's acceptance of a message.
#[derive(Debug, Clone)]
pub struct SentSms {
    /// The provider's message id (Twilio: `SM…`).
    pub sid: String,
    pub status: DeliveryStatus,
    /// The number the provider sends from.
    pub from: Option<String>,
}

/// Why a send did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused this message for good (bad number, opted out, …).
    #[error("the provider refused the message: {message} (error {code})")]
    Rejected { code: u32, message: String },
    /// The provider asked us to slow down; nothing was processed. Safe to retry.
    #[error("the provider is rate limiting (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    /// The request did not reach the provider (connection refused, DNS, …). Safe to retry.
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    /// The request may or may not have been processed (timeout, 5xx after sending).
    /// Sending again could deliver the text twice.
    #[error("the provider's answer was lost: {0}")]
    Ambiguous(String),
    /// Our own configuration is wrong (credentials, From number).
    #[error("the provider configuration is wrong: {0}")]
    Configuration(String),
}

/// What a line type lookup says about a number's ability to receive texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineType {
    /// A mobile (or an SMS-capable VoIP) number.
    Mobile,
    /// A landline, toll-free, pager, voicemail or premium number: texts may not reach it.
    NotMobile,
    /// Not a valid number in service.
    Invalid,
    /// The provider does not know (or does not offer lookups).
    Unknown,
}

impl LineType {
    /// Maps Twilio Lookup v2's `line_type_intelligence.type`.
    #[must_use]
    pub fn from_twilio(kind: &str) -> Self {
        match kind {
            "mobile" | "nonFixedVoip" | "fixedVoip" | "personal" => Self::Mobile,
            "landline" | "tollFree" | "pager" | "voicemail" | "uan" | "sharedCost" | "premium" => {
                Self::NotMobile
            }
            _ => Self::Unknown,
        }
    }
}

/// What the provider knows about a message whose answer was lost.
#[derive(Debug, Clone)]
pub enum Recovered {
    /// The provider has it: this is its acceptance.
    Found(SentSms),
    /// The provider does not have it: sending it again is safe.
    NotFound,
    /// The provider cannot be asked: sending again could deliver it twice.
    CannotTell,
}

/// An SMS carrier.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// A short name for logs (`sim`, `twilio`).
    fn name(&self) -> &'static str;

    /// Sends one SMS.
    ///
    /// # Errors
    /// See [`ProviderError`]: only `RateLimited` and `Unreachable` are safe to retry.
    async fn send(&self, message: OutboundSms) -> Result<SentSms, ProviderError>;

    /// Looks for `message` among the provider's recent messages after a send whose answer
    /// was lost (a timeout, a 5xx). `known_sids` are the provider ids the hub already holds
    /// for that number: a match among them is an older message, not this one.
    ///
    /// # Errors
    /// [`ProviderError`] when the provider cannot be asked right now.
    async fn find_sent(
        &self,
        message: &OutboundSms,
        known_sids: &[String],
    ) -> Result<Recovered, ProviderError> {
        let _ = (message, known_sids);
        Ok(Recovered::CannotTell)
    }

    /// What kind of line `number` (E.164) is. Providers without lookups answer
    /// [`LineType::Unknown`].
    ///
    /// # Errors
    /// [`ProviderError`] when the lookup fails; the caller sends anyway.
    async fn line_type(&self, number: &str) -> Result<LineType, ProviderError> {
        let _ = number;
        Ok(LineType::Unknown)
    }
}
