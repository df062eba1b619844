//! The event log's retention: events older than `[sync] event_retention_days` are deleted,
//! once an hour. A desktop whose cursor was pruned takes a snapshot instead of replaying.

use std::time::Duration;

use parley_proto::Millis;
use tokio::sync::watch;

use crate::store::Store;

/// How often the log is pruned.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Starts the pruner (nothing when the log is kept forever).
pub fn prune_event_log(
    store: Store,
    retention_days: u32,
    workers: &crate::health::Workers,
    mut stopping: watch::Receiver<bool>,
) {
    if retention_days == 0 {
        return;
    }
    let retention = Millis::from(retention_days) * 86_400_000;
    let watched = stopping.clone();
    workers.spawn("event-log-pruner", None, watched, move |_| async move {
        loop {
            match store.prune_events(store.now() - retention).await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, retention_days, "old events pruned"),
                Err(error) => tracing::warn!(%error, "the event log could not be pruned"),
            }
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                _ = stopping.wait_for(|stopping| *stopping) => return,
            }
        }
    });
}
