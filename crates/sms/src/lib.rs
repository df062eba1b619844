//! SMS facts as pure functions, and the one seam to an SMS provider.
//!
//! - [`number`]: phone numbers, parsed with libphonenumber's rules, in E.164;
//! - [`keywords`]: STOP, START and the other opt-out keywords;
//! - [`errors`]: what a provider error code means for the agent;
//! - [`signature`]: Twilio's `X-Twilio-Signature` (HMAC-SHA1 over URL + sorted params);
//! - [`twilio`]: the Twilio wire format (webhook form fields, REST resources, error bodies)
//!   and [`twilio::TwilioProvider`], the REST client;
//! - [`provider`]: the [`provider::Provider`] trait every carrier implements.

pub mod errors;
pub mod keywords;
pub mod number;
pub mod provider;
pub mod segments;
pub mod signature;
pub mod twilio;

pub use keywords::opt_out_keyword;
pub use number::{InvalidNumber, Region, SenderKind, normalize_e164, parse_number};
pub use provider::{
    DeliveryStatus, LineType, OutboundSms, Provider, ProviderError, Recovered, SentSms,
};
