//! SMS facts as pure functions, and the one seam to an SMS provider.
//!
//! - [`number`]: phone numbers in E.164;
//! - [`signature`]: Twilio's `X-Twilio-Signature` (HMAC-SHA1 over URL + sorted params);
//! - [`twilio`]: the Twilio wire format (webhook form fields, REST resources, error bodies)
//!   and [`twilio::TwilioProvider`], the REST client;
//! - [`provider`]: the [`provider::Provider`] trait every carrier implements.

pub mod number;
pub mod provider;
pub mod segments;
pub mod signature;
pub mod twilio;

pub use number::{InvalidNumber, normalize_e164};
pub use provider::{DeliveryStatus, OutboundSms, Provider, ProviderError, SentSms};
