//! The built-in simulated carrier: outbound messages are recorded (see
//! `parley-hub simulate outbox`) and reported `sent`, then `delivered` after a short delay;
//! inbound messages are injected with `parley-hub simulate inbound` or `POST /api/sim/inbound`.

use std::time::Duration;

use parley_proto::MessageStatus;
use parley_sms::{DeliveryStatus, OutboundSms, Provider, ProviderError, SentSms};
use rand::RngCore as _;

use crate::store::Store;

/// A provider message id in Twilio's shape: `SM` + 32 hex digits.
#[must_use]
pub fn new_sid() -> String {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("SM{hex}")
}

/// The simulated carrier.
pub struct SimCarrier {
    store: Store,
    number: String,
    delivery_delay: Duration,
}

impl SimCarrier {
    /// A carrier that sends from `number` and reports delivery after `delivery_delay`.
    #[must_use]
    pub fn new(store: Store, number: String, delivery_delay: Duration) -> Self {
        Self {
            store,
            number,
            delivery_delay,
        }
    }
}

/// Our message id, read back from the status callback URL we gave the provider.
fn message_id_of(status_callback: &str) -> Option<i64> {
    let url = url::Url::parse(status_callback).ok()?;
    url.query_pairs()
        .find(|(name, _)| name == "message_id")
        .and_then(|(_, value)| value.parse().ok())
}

#[async_trait::async_trait]
impl Provider for SimCarrier {
    fn name(&self) -> &'static str {
        "sim"
    }

    async fn send(&self, message: OutboundSms) -> Result<SentSms, ProviderError> {
        let sid = new_sid();
        self.store
            .sim_record(&sid, &message.to, &self.number, &message.body)
            .await
            .map_err(|error| ProviderError::Unreachable(error.to_string()))?;
        let store = self.store.clone();
        let delay = self.delivery_delay;
        let message_id = message_id_of(&message.status_callback);
        let callback_sid = sid.clone();
        tokio::spawn(async move {
            for (step, status) in [
                (delay / 2, MessageStatus::Sent),
                (delay / 2, MessageStatus::Delivered),
            ] {
                tokio::time::sleep(step).await;
                if let Err(error) = store.sim_set_status(&callback_sid, status).await {
                    tracing::warn!(%error, sid = %callback_sid, "simulated carrier could not record a status");
                }
                if let Err(error) = store
                    .apply_status(message_id, &callback_sid, status, None)
                    .await
                {
                    tracing::warn!(%error, sid = %callback_sid, "simulated status callback was not applied");
                }
            }
        });
        Ok(SentSms {
            sid,
            status: DeliveryStatus::Queued,
            from: Some(self.number.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_look_like_twilio_message_sids() {
        let sid = new_sid();
        assert_eq!(sid.len(), 34);
        assert!(sid.starts_with("SM") && sid[2..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(sid, new_sid());
    }

    #[test]
    fn message_id_comes_from_the_callback_url() {
        assert_eq!(
            message_id_of("http://127.0.0.1:8080/webhooks/twilio/status?message_id=42"),
            Some(42)
        );
        assert_eq!(
            message_id_of("http://127.0.0.1:8080/webhooks/twilio/status"),
            None
        );
    }
}
