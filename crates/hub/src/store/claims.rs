//! Claims on work: the sender and the media fetcher take a message or a picture before they
//! touch it, so two hubs never do one thing twice. A claim lasts for a lease this hub keeps
//! renewing while it runs; a hub that dies stops renewing, and once its lease has run out
//! another hub takes the work over.

use std::sync::Weak;
use std::time::Duration;

use parley_proto::Id;

use super::port::Work;
use super::{Inner, Result, Store};

impl Store {
    /// Takes `work` on `id` for this hub, unless another live hub has it.
    ///
    /// # Errors
    /// [`super::StoreError::Database`].
    pub async fn claim(&self, work: Work, id: Id) -> Result<bool> {
        let now = self.now();
        let until = now.saturating_add(self.inner.lease_ms);
        self.read()
            .await?
            .claim(work, id, &self.inner.holder, now, until)
            .await
    }

    /// Gives back this hub's claim on `work` for `id`.
    ///
    /// # Errors
    /// [`super::StoreError::Database`].
    pub async fn release(&self, work: Work, id: Id) -> Result<()> {
        self.read()
            .await?
            .release(work, id, &self.inner.holder)
            .await
    }
}

/// Renews this hub's claims three times a lease, until the store is dropped.
pub(super) fn keep(store: Weak<Inner>, lease: Duration) {
    let every = (lease / 3).max(Duration::from_millis(50));
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let Some(inner) = store.upgrade() else { return };
            if inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            let until = inner.clock.now().saturating_add(inner.lease_ms);
            let renewed = async {
                inner
                    .engine
                    .read()
                    .await?
                    .renew_claims(&inner.holder, until)
                    .await
            };
            match renewed.await {
                Ok(0) => {}
                Ok(held) => tracing::trace!(held, "claims renewed"),
                Err(error) => tracing::warn!(%error, "cannot renew this hub's claims"),
            }
        }
    });
}
