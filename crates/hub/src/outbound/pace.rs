//! Pacing: each sending number takes texts at its rate, so the provider's queue for it
//! stays short (a full queue refuses texts: Twilio's 21611).
//!
//! A number's turns are handed out like a generic cell rate algorithm: each text books the
//! next free time for its segments; up to a second's worth may go at once.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::config::SendingConfig;

/// How much of a number's rate may go at once after a quiet spell.
const BURST: Duration = Duration::from_secs(1);

struct Lane {
    /// The time one segment takes at the number's rate.
    per_segment: Duration,
    /// When the number would be free if every booked segment went at the rate.
    free_at: Instant,
    /// Nothing leaves before this (the provider asked the number to wait).
    held_until: Instant,
}

impl Lane {
    /// Books `segments` and says when they may go.
    fn book(&mut self, now: Instant, segments: u32) -> Instant {
        let free_at = self.free_at.max(now).max(self.held_until);
        let tolerance = BURST.saturating_sub(self.per_segment);
        let start = free_at
            .checked_sub(tolerance)
            .map_or(now, |start| start.max(now))
            .max(self.held_until);
        self.free_at = free_at + self.per_segment * segments.max(1);
        start
    }
}

/// Every sending number's lane.
pub struct Pacer {
    sending: SendingConfig,
    lanes: Mutex<HashMap<String, Lane>>,
}

impl Pacer {
    #[must_use]
    pub fn new(sending: SendingConfig) -> Self {
        Self {
            sending,
            lanes: Mutex::new(HashMap::new()),
        }
    }

    fn with_lane<T>(&self, sender: &str, action: impl FnOnce(&mut Lane) -> T) -> T {
        let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
        let lane = lanes.entry(sender.to_owned()).or_insert_with(|| Lane {
            per_segment: Duration::from_secs_f64(1.0 / self.sending.rate(sender)),
            free_at: Instant::now(),
            held_until: Instant::now(),
        });
        action(lane)
    }

    /// Waits for `sender`'s turn to send `segments`.
    pub async fn wait_turn(&self, sender: &str, segments: u32) {
        let start = self.with_lane(sender, |lane| lane.book(Instant::now(), segments));
        tokio::time::sleep_until(start).await;
    }

    /// The provider asked `sender` to slow down: nothing more leaves it for `wait`.
    pub fn hold(&self, sender: &str, wait: Duration) {
        let until = Instant::now() + wait;
        self.with_lane(sender, |lane| lane.held_until = lane.held_until.max(until));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(per_second: f64, free_at: Instant) -> Lane {
        Lane {
            per_segment: Duration::from_secs_f64(1.0 / per_second),
            free_at,
            held_until: free_at,
        }
    }

    #[tokio::test]
    async fn a_long_code_sends_one_segment_a_second() {
        let now = Instant::now();
        let mut long_code = lane(1.0, now);
        let starts: Vec<Duration> = (0..4)
            .map(|_| long_code.book(now, 1).duration_since(now))
            .collect();
        assert_eq!(
            starts,
            [0, 1, 2, 3].map(Duration::from_secs).to_vec(),
            "one a second from the first"
        );
        // A three-segment text takes three turns.
        let next = long_code.book(now, 3).duration_since(now);
        assert_eq!(next, Duration::from_secs(4));
        assert_eq!(
            long_code.book(now, 1).duration_since(now),
            Duration::from_secs(7)
        );
    }

    #[tokio::test]
    async fn a_toll_free_number_may_send_a_seconds_worth_at_once() {
        let now = Instant::now();
        let mut toll_free = lane(3.0, now);
        let starts: Vec<u128> = (0..6)
            .map(|_| toll_free.book(now, 1).duration_since(now).as_millis())
            .collect();
        // Three at once, then one every third of a second.
        assert_eq!(starts[..3], [0, 0, 0]);
        assert!(
            starts[3] >= 333 && starts[4] >= 666 && starts[5] >= 999,
            "{starts:?}"
        );
    }

    #[tokio::test]
    async fn a_quiet_number_starts_again_at_once_and_a_hold_delays_it() {
        let sending = SendingConfig::default();
        let pacer = Pacer::new(sending);
        let now = Instant::now();
        pacer.with_lane("+12015550100", |lane| {
            lane.free_at = now.checked_sub(Duration::from_secs(60)).unwrap_or(now);
        });
        let start = pacer.with_lane("+12015550100", |lane| lane.book(now, 1));
        assert!(start <= now + Duration::from_millis(1));
        pacer.hold("+12015550100", Duration::from_secs(30));
        let start = pacer.with_lane("+12015550100", |lane| lane.book(Instant::now(), 1));
        assert!(
            start >= now + Duration::from_secs(30),
            "held for Retry-After"
        );
        // A number allowed a burst is held as long.
        pacer.hold("+18885550100", Duration::from_secs(2));
        let start = pacer.with_lane("+18885550100", |lane| lane.book(Instant::now(), 1));
        assert!(
            start >= now + Duration::from_secs(2),
            "held for Retry-After"
        );
        // Other numbers are not held.
        let other = pacer.with_lane("+18005550199", |lane| lane.book(Instant::now(), 1));
        assert!(other <= Instant::now() + Duration::from_millis(1));
    }
}
