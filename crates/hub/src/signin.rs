//! Signing in safely. Password checks run on a bounded pool (argon2 takes memory and a
//! core each: hundreds at once would take the machine); an unknown login costs what a wrong
//! password costs, so logins cannot be told apart by time; and failed sign-ins are counted
//! per login and per address, which then wait (`429` with `Retry-After`).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::auth;
use crate::config::SessionsConfig;

/// How long a sign-in may wait for a free password check before the hub says it is busy.
const CHECK_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Why a sign-in did not get as far as a password check.
#[derive(Debug)]
pub enum Held {
    /// Too many failures lately: try again after this long.
    Wait(Duration),
    /// Every password check is taken and the queue did not move.
    Busy,
}

/// Recent failures of one login or one address.
#[derive(Default)]
struct Failures(VecDeque<Instant>);

impl Failures {
    fn prune(&mut self, now: Instant, window: Duration) {
        while self
            .0
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            self.0.pop_front();
        }
    }

    /// How long until one more attempt is allowed, when `limit` are used up.
    fn wait(&mut self, now: Instant, window: Duration, limit: u32) -> Option<Duration> {
        self.prune(now, window);
        (self.0.len() >= limit as usize).then(|| {
            let oldest = self.0.front().copied().unwrap_or(now);
            window
                .saturating_sub(now.duration_since(oldest))
                .max(Duration::from_secs(1))
        })
    }
}

#[derive(Default)]
struct Ledger {
    logins: HashMap<String, Failures>,
    addresses: HashMap<IpAddr, Failures>,
}

/// The hub's sign-in guard (clones share it).
#[derive(Clone)]
pub struct Guard {
    config: SessionsConfig,
    checks: Arc<Semaphore>,
    /// A hash of no one's password, checked for unknown logins (made at the first one, off
    /// the start-up path: argon2 is slow by design).
    decoy: Arc<OnceLock<String>>,
    ledger: Arc<Mutex<Ledger>>,
}

impl Guard {
    /// A guard with as many password checks at once as there are cores.
    #[must_use]
    pub fn new(config: SessionsConfig) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self {
            config,
            checks: Arc::new(Semaphore::new(cores)),
            decoy: Arc::new(OnceLock::new()),
            ledger: Arc::new(Mutex::new(Ledger::default())),
        }
    }

    fn window(&self) -> Duration {
        Duration::from_millis(self.config.failure_window_ms)
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `login` from `address` may try now.
    ///
    /// # Errors
    /// [`Held::Wait`] when either has used up its failures.
    pub fn admit(&self, login: &str, address: IpAddr) -> Result<(), Held> {
        let (now, window) = (Instant::now(), self.window());
        let mut ledger = self.ledger();
        let by_login = ledger.logins.entry(login.to_lowercase()).or_default().wait(
            now,
            window,
            self.config.failures_per_login,
        );
        let by_address = ledger.addresses.entry(address).or_default().wait(
            now,
            window,
            self.config.failures_per_address,
        );
        match by_login.max(by_address) {
            Some(wait) => Err(Held::Wait(wait)),
            None => Ok(()),
        }
    }

    /// Checks `password` against `stored` (or, for an unknown login, against the decoy, and
    /// refuses), on the bounded pool; records a failure.
    ///
    /// # Errors
    /// [`Held::Busy`] when no check came free in time.
    pub async fn check(
        &self,
        login: &str,
        address: IpAddr,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, Held> {
        let permit =
            tokio::time::timeout(CHECK_QUEUE_WAIT, Arc::clone(&self.checks).acquire_owned())
                .await
                .map_err(|_| Held::Busy)?
                .map_err(|_| Held::Busy)?;
        let known = stored.is_some();
        let decoy = Arc::clone(&self.decoy);
        let matches = tokio::task::spawn_blocking(move || {
            let hash = stored.unwrap_or_else(|| {
                decoy
                    .get_or_init(|| auth::hash_password(&auth::new_token()).unwrap_or_default())
                    .clone()
            });
            let matches = auth::verify_password(&password, &hash);
            drop(permit);
            matches
        })
        .await
        .unwrap_or(false);
        let accepted = known && matches;
        let mut ledger = self.ledger();
        let key = login.to_lowercase();
        if accepted {
            ledger.logins.remove(&key);
        } else {
            let now = Instant::now();
            ledger.logins.entry(key).or_default().0.push_back(now);
            ledger
                .addresses
                .entry(address)
                .or_default()
                .0
                .push_back(now);
        }
        Ok(accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(per_login: u32, per_address: u32) -> Guard {
        Guard::new(SessionsConfig {
            failures_per_login: per_login,
            failures_per_address: per_address,
            ..SessionsConfig::default()
        })
    }

    #[tokio::test]
    async fn failures_are_counted_per_login_and_per_address() {
        let guard = guard(2, 3);
        let (here, there): (IpAddr, IpAddr) = (
            "10.0.0.1".parse().expect("an address"),
            "10.0.0.2".parse().expect("an address"),
        );
        for _ in 0..2 {
            assert!(guard.admit("Ana", here).is_ok());
            assert!(
                !guard
                    .check("ana", here, "wrong".into(), None)
                    .await
                    .expect("checked")
            );
        }
        assert!(
            matches!(guard.admit("ana", there), Err(Held::Wait(wait)) if wait > Duration::from_secs(60)),
            "the login waits, from any address"
        );
        assert!(
            guard.admit("bo", here).is_ok(),
            "another login from here may try"
        );
        assert!(
            !guard
                .check("bo", here, "wrong".into(), None)
                .await
                .expect("checked")
        );
        assert!(
            matches!(guard.admit("cy", here), Err(Held::Wait(_))),
            "the address waits"
        );
        assert!(guard.admit("cy", there).is_ok());
    }

    #[tokio::test]
    async fn the_right_password_passes_and_clears_the_logins_failures() {
        let guard = guard(2, 10);
        let address: IpAddr = "10.0.0.3".parse().expect("an address");
        let hash = auth::hash_password("secret").expect("a hash");
        assert!(
            !guard
                .check("dee", address, "nope".into(), Some(hash.clone()))
                .await
                .expect("checked")
        );
        assert!(
            guard
                .check("dee", address, "secret".into(), Some(hash.clone()))
                .await
                .expect("checked")
        );
        assert!(
            !guard
                .check("dee", address, "nope".into(), Some(hash))
                .await
                .expect("checked")
        );
        assert!(
            guard.admit("dee", address).is_ok(),
            "one failure since the success"
        );
    }
}
