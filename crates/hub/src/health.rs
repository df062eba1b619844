//! Whether the hub's background workers are alive, for `/healthz`.
//!
//! A worker is started through [`Workers::spawn`]. It is dead when its task ended while the
//! hub was not stopping (a panic, or a loop that returned), and stalled when it promised a
//! heartbeat and has not given one for a while (a loop stuck on something).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

/// A worker's state as `/healthz` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum WorkerHealth {
    Alive,
    /// No heartbeat for `silentMs` (more than it promised).
    Stalled {
        silent_ms: u64,
    },
    /// The task ended: why.
    Dead {
        reason: String,
    },
}

struct Worker {
    /// How often it promised to beat; `None`: it only has to stay alive.
    beat_every: Option<Duration>,
    last_beat: Instant,
    ended: Option<String>,
}

/// The registry of workers (clones share it).
#[derive(Clone, Default)]
pub struct Workers {
    workers: Arc<Mutex<BTreeMap<&'static str, Worker>>>,
}

/// A worker's handle to say it is still going.
#[derive(Clone)]
pub struct Heartbeat {
    name: &'static str,
    workers: Workers,
}

impl Heartbeat {
    /// The worker went round its loop.
    pub fn beat(&self) {
        if let Some(worker) = self.workers.lock().get_mut(self.name) {
            worker.last_beat = Instant::now();
        }
    }
}

/// How long past its promised period a worker may stay silent before it counts as stalled:
/// a pass over a busy database may take a while.
const STALL_GRACE: Duration = Duration::from_secs(60);

impl Workers {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, Worker>> {
        self.workers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts `task` as the worker `name`. `beat_every`: how often the task calls
    /// [`Heartbeat::beat`] (`None` when it does not).
    pub fn spawn<F, Fut>(
        &self,
        name: &'static str,
        beat_every: Option<Duration>,
        stopping: watch::Receiver<bool>,
        task: F,
    ) where
        F: FnOnce(Heartbeat) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.lock().insert(
            name,
            Worker {
                beat_every,
                last_beat: Instant::now(),
                ended: None,
            },
        );
        let heartbeat = Heartbeat {
            name,
            workers: self.clone(),
        };
        let running = tokio::spawn(task(heartbeat));
        let workers = self.clone();
        tokio::spawn(async move {
            let reason = match running.await {
                Ok(()) if *stopping.borrow() => return,
                Ok(()) => "it stopped".to_owned(),
                Err(error) if error.is_panic() => {
                    let panic = error.into_panic();
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|text| (*text).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown".to_owned());
                    format!("it panicked: {message}")
                }
                Err(_) => "it was cancelled".to_owned(),
            };
            tracing::error!(worker = name, %reason, "a background worker died");
            if let Some(worker) = workers.lock().get_mut(name) {
                worker.ended = Some(reason);
            }
        });
    }

    /// Every worker's state, by name.
    #[must_use]
    pub fn report(&self) -> BTreeMap<&'static str, WorkerHealth> {
        let now = Instant::now();
        self.lock()
            .iter()
            .map(|(name, worker)| {
                let health = if let Some(reason) = &worker.ended {
                    WorkerHealth::Dead {
                        reason: reason.clone(),
                    }
                } else {
                    let silent = now.saturating_duration_since(worker.last_beat);
                    match worker.beat_every {
                        Some(every) if silent > every * 3 + STALL_GRACE => WorkerHealth::Stalled {
                            silent_ms: u64::try_from(silent.as_millis()).unwrap_or(u64::MAX),
                        },
                        _ => WorkerHealth::Alive,
                    }
                };
                (*name, health)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_worker_that_panics_or_returns_is_reported_dead() {
        let (_stop, stopping) = watch::channel(false);
        let workers = Workers::default();
        workers.spawn("panics", None, stopping.clone(), |_| async {
            panic!("the queue is gone");
        });
        workers.spawn("returns", None, stopping.clone(), |_| async {});
        workers.spawn("runs", None, stopping, |_| std::future::pending());
        for _ in 0..100 {
            if workers
                .report()
                .values()
                .filter(|health| **health != WorkerHealth::Alive)
                .count()
                == 2
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let report = workers.report();
        assert_eq!(
            report["panics"],
            WorkerHealth::Dead {
                reason: "it panicked: the queue is gone".into()
            }
        );
        assert_eq!(
            report["returns"],
            WorkerHealth::Dead {
                reason: "it stopped".into()
            }
        );
        assert_eq!(report["runs"], WorkerHealth::Alive);
    }

    #[tokio::test]
    async fn a_worker_that_ends_because_the_hub_stops_is_not_dead() {
        let (stop, stopping) = watch::channel(false);
        let workers = Workers::default();
        let mut told = stopping.clone();
        workers.spawn("sweeper", None, stopping, |_| async move {
            let _ = told.wait_for(|stopping| *stopping).await;
        });
        stop.send(true).expect("the worker listens");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(workers.report()["sweeper"], WorkerHealth::Alive);
    }

    #[tokio::test]
    async fn a_worker_silent_past_its_heartbeat_is_stalled() {
        let (_stop, stopping) = watch::channel(false);
        let workers = Workers::default();
        workers.spawn("beats", Some(Duration::from_secs(1)), stopping, |_| {
            std::future::pending()
        });
        assert_eq!(workers.report()["beats"], WorkerHealth::Alive);
        // `Instant` is the real clock: make the last beat old instead of waiting.
        if let Some(worker) = workers.lock().get_mut("beats") {
            worker.last_beat = Instant::now()
                .checked_sub(Duration::from_secs(120))
                .expect("the clock is past two minutes");
        }
        assert!(matches!(
            workers.report()["beats"],
            WorkerHealth::Stalled { silent_ms } if silent_ms >= 120_000
        ));
    }
}
