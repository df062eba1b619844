//! The outbox worker: hands messages typed on this desktop to the hub, oldest first, one at
//! a time. Each carries its idempotency key, so a retry after a lost answer — or after the
//! app was closed and reopened — is stored and sent by the hub only once.

use std::sync::Arc;
use std::time::Duration;

use parley_proto::SendMessageRequest;
use tokio::sync::Notify;

use crate::EventSink;
use crate::hub_api::HubApi;
use crate::replica::Replica;

/// Everything the outbox works with.
pub struct Outbox {
    pub hub: HubApi,
    pub replica: Replica,
    pub sink: Arc<dyn EventSink>,
    pub wake: Arc<Notify>,
}

impl Outbox {
    /// Runs until the task is aborted.
    pub async fn run(self) {
        let mut backoff = Duration::from_millis(250);
        loop {
            let item = match self.replica.next_outbox().await {
                Ok(Some(item)) => item,
                Ok(None) => {
                    self.wake.notified().await;
                    continue;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot read the outbox");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let request = SendMessageRequest {
                contact_id: item.contact_id,
                interaction_id: item.interaction_id,
                body: item.body.clone(),
                client_key: item.client_key.clone(),
                upload_ids: item.upload_ids.clone(),
            };
            match self.hub.send_message(&request).await {
                Ok(accepted) => {
                    backoff = Duration::from_millis(250);
                    if let Err(error) = self.replica.outbox_sent(&item, &accepted).await {
                        tracing::error!(%error, "cannot record a sent outbox message");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                    tracing::info!(client_key = %item.client_key, hub_id = accepted.id, "outbox message accepted by the hub");
                    self.sink.changed();
                }
                Err(error) if error.is_transient() => {
                    tracing::info!(%error, ?backoff, "outbox waits for the hub");
                    tokio::select! {
                        () = self.wake.notified() => {}
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
                Err(error) => {
                    tracing::warn!(%error, client_key = %item.client_key, "the hub refused an outbox message");
                    if let Err(error) = self.replica.outbox_failed(&item, &error.to_string()).await
                    {
                        tracing::error!(%error, "cannot record a refused outbox message");
                    }
                    self.sink.changed();
                }
            }
        }
    }
}
