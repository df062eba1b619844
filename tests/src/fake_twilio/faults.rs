//! Faults the fake injects at random, as a provider on a bad day does: answers that come
//! after the hub stopped waiting, 5xx answers to messages it did take, 429s with
//! Retry-After, status callbacks that arrive before the answer to the create — and a queue
//! per sending number that drains at the number's rate and refuses with 21611 when full.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// What goes wrong, and how often (each share is a probability per create request).
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Of the messages taken, the share answered only after `late_by`.
    pub late: f64,
    pub late_by: Duration,
    /// Of the messages taken, the share answered `500` (the message is kept).
    pub server_error: f64,
    /// The share refused with `429` and `Retry-After: retry_after_s` (nothing kept).
    pub too_many_requests: f64,
    pub retry_after_s: u64,
    /// Of the messages taken, the share whose `sent` status callback is posted (and
    /// answered) before the create is answered.
    pub callback_first: f64,
    /// Post `sent` then `delivered` callbacks for every message taken, 50–300 ms apart.
    pub callbacks: bool,
}

/// How many of each fault the fake injected.
#[derive(Debug, Clone, Copy, Default)]
pub struct Injected {
    pub late: usize,
    pub server_errors: usize,
    pub too_many_requests: usize,
    pub callbacks_first: usize,
}

/// The carrier's queue for each sending number.
#[derive(Debug, Default)]
pub(super) struct Queues {
    /// Segments a second each number drains, and how many it holds; `None`: no limit.
    pub(super) limit: Option<(f64, f64)>,
    levels: HashMap<String, (f64, Instant)>,
    /// Creates refused because the number's queue was full.
    pub(super) overflows: usize,
}

impl Queues {
    /// Takes `segments` into `sender`'s queue, or `false` when they do not fit.
    pub(super) fn take(&mut self, sender: &str, segments: f64) -> bool {
        let Some((rate, capacity)) = self.limit else {
            return true;
        };
        let now = Instant::now();
        let (level, at) = self.levels.entry(sender.to_owned()).or_insert((0.0, now));
        let drained = now.duration_since(*at).as_secs_f64() * rate;
        *level = (*level - drained).max(0.0);
        *at = now;
        if *level + segments > capacity {
            self.overflows += 1;
            return false;
        }
        *level += segments;
        true
    }
}

/// A coin that lands on "yes" `share` of the time.
pub(super) fn chance(share: f64) -> bool {
    share > 0.0 && rand::random::<f64>() < share
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_refuses_until_it_drains() {
        let mut queues = Queues {
            limit: Some((1000.0, 3.0)),
            ..Queues::default()
        };
        assert!(queues.take("+1", 1.0) && queues.take("+1", 2.0));
        assert!(!queues.take("+1", 1.0), "three segments fill it");
        assert!(queues.take("+2", 3.0), "each number has its own queue");
        std::thread::sleep(Duration::from_millis(5));
        assert!(queues.take("+1", 1.0), "it drains at its rate");
        assert_eq!(queues.overflows, 1);
    }
}
