//! The live feed: every committed event, in log order with no gap, to this hub's
//! subscribers (the agents' event streams).
//!
//! This hub's own commits are published at once when they follow the last published event;
//! otherwise — another transaction of this hub committed in between, or another hub
//! committed (PostgreSQL tells with LISTEN/NOTIFY) — the follower task reads the log from
//! its cursor. So a subscriber sees each event once, in order, whichever hub wrote it.

use std::sync::{Mutex, Weak};
use std::time::Duration;

use parley_proto::Event;
use tokio::sync::{Notify, broadcast};

use super::Inner;

/// Events published so far, and the channel they go out on.
pub(super) struct Feed {
    live: broadcast::Sender<Event>,
    /// The seq of the last event published.
    cursor: Mutex<i64>,
    wake: Notify,
}

/// How many events one read of the log takes.
const BATCH: u32 = 1000;

impl Feed {
    pub(super) fn new(head: i64) -> Self {
        let (live, _) = broadcast::channel(4096);
        Self {
            live,
            cursor: Mutex::new(head),
            wake: Notify::new(),
        }
    }

    pub(super) fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.live.subscribe()
    }

    /// Publishes events this hub just committed, or asks the follower to read the log
    /// when they do not follow the last published event.
    pub(super) fn published(&self, events: &[Event]) {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return;
        };
        let Ok(mut cursor) = self.cursor.lock() else {
            self.wake.notify_one();
            return;
        };
        if first.seq == *cursor + 1 {
            for event in events {
                self.send(event.clone());
            }
            *cursor = last.seq;
        } else if last.seq > *cursor {
            self.wake.notify_one();
        }
    }

    /// Makes the follower look (and notice a closed store).
    pub(super) fn wake(&self) {
        self.wake.notify_one();
    }

    fn send(&self, event: Event) {
        // An error only means nobody is listening right now; the log has the event.
        if self.live.send(event).is_err() {
            tracing::trace!("no live subscriber");
        }
    }

    /// Publishes what the log holds after the cursor, in order. Returns whether it read a
    /// whole batch (more may wait).
    async fn read_log(&self, inner: &Inner) -> super::Result<bool> {
        let since = *self
            .cursor
            .lock()
            .map_err(|_| super::StoreError::Corrupt("the feed's cursor lock is poisoned".into()))?;
        let batch = inner
            .engine
            .read()
            .await?
            .events_since(since, BATCH)
            .await?;
        let full = batch.len() == BATCH as usize;
        if let Ok(mut cursor) = self.cursor.lock() {
            for event in batch {
                if event.seq == *cursor + 1 {
                    *cursor = event.seq;
                    self.send(event);
                }
            }
        }
        Ok(full)
    }
}

/// Starts the follower: it reads the log when woken by this hub, by another hub's commit
/// (PostgreSQL), or every `poll` on PostgreSQL; it ends when the store is closed or
/// dropped.
pub(super) fn follow(store: Weak<Inner>, poll: Duration) {
    tokio::spawn(async move {
        let mut listener = None;
        let mut shared = false;
        loop {
            let Some(inner) = store.upgrade() else { return };
            if inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            if listener.is_none() {
                match inner.engine.listen().await {
                    Ok(Some(listening)) => {
                        listener = Some(listening);
                        shared = true;
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(%error, "cannot listen for other hubs' events; polling");
                        shared = true;
                    }
                }
            }
            loop {
                match inner.feed.read_log(&inner).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(error) => {
                        tracing::warn!(%error, "cannot read the event log; trying again");
                        break;
                    }
                }
            }
            let wake = &inner.feed.wake;
            let wait = if shared {
                poll
            } else {
                Duration::from_secs(60)
            };
            let heard = async {
                match listener.as_mut() {
                    Some(listening) => listening.next().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                heard = heard => if let Err(error) = heard {
                    tracing::warn!(%error, "lost the link for other hubs' events; listening again");
                    listener = None;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                },
            }
            drop(inner);
        }
    });
}
