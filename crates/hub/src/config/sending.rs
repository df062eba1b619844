//! How fast texts leave: the carrier lets each sending number take so many segments a
//! second and queues the rest; past a few hours' worth it refuses (Twilio's 21611). The hub
//! paces each number to its rate, so the queue stays short and nothing is refused.

use parley_sms::SenderKind;
use serde::Deserialize;

/// The `[sending]` section.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SendingConfig {
    /// Segments a second for an ordinary 10-digit number (US A2P 10DLC: 1).
    pub long_code_rate: f64,
    /// Segments a second for a toll-free number (3).
    pub toll_free_rate: f64,
    /// Segments a second for a short code: what the carrier provisioned for it.
    pub short_code_rate: f64,
    /// Segments a second for a Messaging Service: its numbers' rates together, or the
    /// account's limit when that is lower.
    pub messaging_service_rate: f64,
    /// How many contacts' texts may be with the provider at once. A contact's own texts
    /// always leave one after the other, in the order they were written.
    pub concurrency: usize,
}

impl Default for SendingConfig {
    fn default() -> Self {
        Self {
            long_code_rate: 1.0,
            toll_free_rate: 3.0,
            short_code_rate: 100.0,
            messaging_service_rate: 10.0,
            concurrency: 16,
        }
    }
}

impl SendingConfig {
    /// Segments a second `sender` may take.
    #[must_use]
    pub fn rate(&self, sender: &str) -> f64 {
        match SenderKind::of(sender) {
            SenderKind::LongCode => self.long_code_rate,
            SenderKind::TollFree => self.toll_free_rate,
            SenderKind::ShortCode => self.short_code_rate,
            SenderKind::MessagingService => self.messaging_service_rate,
        }
    }

    /// Why the section cannot be used, if it cannot.
    pub(super) fn problem(&self) -> Option<String> {
        let rates = [
            ("long_code_rate", self.long_code_rate),
            ("toll_free_rate", self.toll_free_rate),
            ("short_code_rate", self.short_code_rate),
            ("messaging_service_rate", self.messaging_service_rate),
        ];
        for (name, rate) in rates {
            if !(rate.is_finite() && rate > 0.0 && rate <= 10_000.0) {
                return Some(format!(
                    "sending.{name} must be a number of segments a second above 0 (at most 10000), not {rate}"
                ));
            }
        }
        if self.concurrency == 0 || self.concurrency > 1024 {
            return Some(format!(
                "sending.concurrency must be between 1 and 1024, not {}",
                self.concurrency
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_number_has_its_rate() {
        let sending = SendingConfig {
            short_code_rate: 30.0,
            ..SendingConfig::default()
        };
        assert!((sending.rate("+12015550100") - 1.0).abs() < f64::EPSILON);
        assert!((sending.rate("+18005550100") - 3.0).abs() < f64::EPSILON);
        assert!((sending.rate("55555") - 30.0).abs() < f64::EPSILON);
        assert!((sending.rate("MG00000000000000000000000000000000") - 10.0).abs() < f64::EPSILON);
    }

    #[test]
    fn rates_must_be_positive_and_finite() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let sending = SendingConfig {
                toll_free_rate: rate,
                ..SendingConfig::default()
            };
            assert!(
                sending
                    .problem()
                    .is_some_and(|problem| problem.contains("toll_free_rate"))
            );
        }
        assert!(SendingConfig::default().problem().is_none());
    }
}
