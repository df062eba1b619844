//! The router: a task that runs routing passes (and the sweeps of lapsed offers and quiet
//! chats) when something may have changed, and every sweep interval as a safety net. The
//! rule it applies is pure (`rules::routing`); the store applies it in one transaction.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::store::Store;

/// The offline grace period to apply after the router has run `up_ms`: none (0, off) until
/// the hub has been up a whole grace period, so after a hub outage the agents' apps have
/// the time to reconnect before anyone counts as gone.
fn offline_grace_now(grace_ms: i64, up_ms: i64) -> i64 {
    if up_ms >= grace_ms { grace_ms } else { 0 }
}

/// Runs routing passes: on [`Router::kick`], and every `sweep` as a safety net.
#[derive(Clone)]
pub struct Router {
    wake: Arc<Notify>,
}

impl Router {
    /// Starts the routing task.
    #[must_use]
    pub fn spawn(
        store: Store,
        timing: crate::config::RoutingConfig,
        workers: &crate::health::Workers,
        mut stopping: watch::Receiver<bool>,
    ) -> Self {
        let wake = Arc::new(Notify::new());
        let task_wake = Arc::clone(&wake);
        let sweep = Duration::from_millis(timing.sweep_interval_ms);
        let offer_timeout = i64::try_from(timing.offer_timeout_ms).unwrap_or(i64::MAX);
        let inactivity_timeout = i64::try_from(timing.inactivity_timeout_ms).unwrap_or(i64::MAX);
        let offline_grace = i64::try_from(timing.offline_grace_ms).unwrap_or(i64::MAX);
        let watched = stopping.clone();
        let started = tokio::time::Instant::now();
        workers.spawn(
            "router",
            Some(sweep),
            watched,
            move |heartbeat| async move {
                while !*stopping.borrow() {
                    heartbeat.beat();
                    if offer_timeout > 0 {
                        match store.expire_offers(offer_timeout).await {
                            Ok(0) => {}
                            Ok(agents) => {
                                tracing::info!(agents, "offers expired and returned to the queue");
                            }
                            Err(error) => tracing::error!(%error, "offer expiry failed"),
                        }
                    }
                    if inactivity_timeout > 0 {
                        match store.end_idle(inactivity_timeout).await {
                            Ok(0) => {}
                            Ok(ended) => tracing::info!(ended, "quiet interactions ended"),
                            Err(error) => tracing::error!(%error, "inactivity check failed"),
                        }
                    }
                    let up_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
                    match store
                        .hand_off_away(offline_grace_now(offline_grace, up_ms))
                        .await
                    {
                        Ok(0) => {}
                        Ok(agents) => {
                            tracing::info!(
                                agents,
                                "agents gone; their interactions went back to the queue"
                            );
                        }
                        Err(error) => tracing::error!(%error, "presence check failed"),
                    }
                    match store.route_queued().await {
                        Ok(0) => {}
                        Ok(placed) => tracing::info!(placed, "routed queued interactions"),
                        Err(error) => tracing::error!(%error, "routing pass failed"),
                    }
                    tokio::select! {
                        () = task_wake.notified() => {}
                        () = tokio::time::sleep(sweep) => {}
                        _ = stopping.changed() => {}
                    }
                }
            },
        );
        Self { wake }
    }

    /// Asks for a routing pass soon (new interaction, an agent became Ready, capacity freed).
    pub fn kick(&self) {
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::offline_grace_now;

    #[test]
    fn nobody_counts_as_offline_before_the_hub_has_been_up_a_grace_period() {
        assert_eq!(offline_grace_now(120_000, 5_000), 0, "just restarted");
        assert_eq!(offline_grace_now(120_000, 119_999), 0);
        assert_eq!(offline_grace_now(120_000, 120_000), 120_000);
        assert_eq!(offline_grace_now(0, 0), 0, "off stays off");
    }
}
