//! Time, passed in. The rules take `now` as an argument and the store asks a [`Clock`] for
//! it, so a test moves time on (an offer that lapses, a quiet chat) without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

use parley_proto::Millis;

/// Where the hub reads the time from.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch, UTC.
    fn now(&self) -> Millis;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        let elapsed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
    }
}

/// A clock that moves only when told to (tests).
#[derive(Debug)]
pub struct FakeClock {
    now: AtomicI64,
}

impl FakeClock {
    /// A clock stopped at `now`.
    #[must_use]
    pub fn at(now: Millis) -> Self {
        Self {
            now: AtomicI64::new(now),
        }
    }

    /// Moves the clock on by `millis`.
    pub fn advance(&self, millis: i64) {
        self.now.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Millis {
        self.now.load(Ordering::SeqCst)
    }
}
