//! The sender: hands stored outbound messages to the provider, one at a time, in order.
//!
//! A message reaches the provider at most once. Before the first call the store records
//! that a send started; a message found in that state after a restart may already be with
//! the provider, so it is not sent blindly again.

use std::sync::Arc;
use std::time::Duration;

use parley_proto::{Id, MessageStatus, Reachability};
use parley_sms::{
    DeliveryStatus, LineType, OutboundSms, Provider, ProviderError, Recovered, SentSms,
};
use tokio::sync::mpsc;

use crate::store::{PendingSend, Store};

/// Maps a provider delivery state to ours.
#[must_use]
pub fn message_status(status: DeliveryStatus) -> MessageStatus {
    match status {
        DeliveryStatus::Queued => MessageStatus::Queued,
        DeliveryStatus::Sent => MessageStatus::Sent,
        DeliveryStatus::Delivered => MessageStatus::Delivered,
        DeliveryStatus::Undelivered => MessageStatus::Undelivered,
        DeliveryStatus::Failed => MessageStatus::Failed,
    }
}

/// The handle to the sender task.
#[derive(Clone)]
pub struct Sender {
    queue: mpsc::UnboundedSender<Id>,
}

/// How long the sender keeps retrying a message the provider cannot take right now.
const GIVE_UP_AFTER: Duration = Duration::from_secs(15 * 60);

impl Sender {
    /// Starts the sender; it first picks up messages a previous run left unsent.
    #[must_use]
    pub fn spawn(
        store: Store,
        provider: Arc<dyn Provider>,
        public_url: String,
        lookups: bool,
    ) -> Self {
        let (queue, mut requests) = mpsc::unbounded_channel::<Id>();
        tokio::spawn(async move {
            match store.unsent_messages().await {
                Ok(leftovers) => {
                    for pending in leftovers {
                        deliver(&store, provider.as_ref(), &public_url, lookups, pending).await;
                    }
                }
                Err(error) => tracing::error!(%error, "cannot read unsent messages"),
            }
            while let Some(message_id) = requests.recv().await {
                match store.pending_send(message_id).await {
                    Ok(Some(pending)) => {
                        deliver(&store, provider.as_ref(), &public_url, lookups, pending).await;
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::error!(%error, message_id, "cannot read a message to send");
                    }
                }
            }
        });
        Self { queue }
    }

    /// Queues a stored message for sending.
    pub fn enqueue(&self, message_id: Id) {
        if self.queue.send(message_id).is_err() {
            // The task only ends with the runtime; the message stays queued in the store
            // and is picked up at the next start.
            tracing::warn!(
                message_id,
                "sender stopped; message left for the next start"
            );
        }
    }
}

/// Asks the provider once what kind of line a contact's number is, and keeps the answer
/// on the contact (a landline shows "this number may not receive SMS"). A failed lookup
/// is tried again before the next text.
pub async fn look_up(store: &Store, provider: &dyn Provider, contact_id: Id) {
    let phone = match store.needs_lookup(contact_id).await {
        Ok(Some(phone)) => phone,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(%error, contact_id, "cannot read a contact for a lookup");
            return;
        }
    };
    let reachability = match provider.line_type(&phone).await {
        Ok(LineType::NotMobile) => Some(Reachability::Landline),
        Ok(LineType::Invalid) => Some(Reachability::UnknownNumber),
        Ok(LineType::Mobile | LineType::Unknown) => None,
        Err(error) => {
            tracing::warn!(%error, contact_id, "line type lookup failed; sending anyway");
            return;
        }
    };
    tracing::info!(contact_id, ?reachability, "line type looked up");
    if let Err(error) = store.record_lookup(contact_id, reachability).await {
        tracing::error!(%error, contact_id, "cannot record a lookup");
    }
}

/// After a send whose answer was lost (or a send a stop interrupted), asks the provider
/// whether it has the message, until it answers or the sender gives up.
async fn recover(
    store: &Store,
    provider: &dyn Provider,
    request: &OutboundSms,
    started: tokio::time::Instant,
) -> Recovered {
    let mut wait = Duration::from_secs(1);
    loop {
        // Give the provider a moment to finish what it was doing with the request.
        tokio::time::sleep(wait).await;
        let known = match store.known_sids(&request.to).await {
            Ok(known) => known,
            Err(error) => {
                tracing::error!(%error, "cannot read the sent messages");
                return Recovered::CannotTell;
            }
        };
        match provider.find_sent(request, &known).await {
            Ok(recovered) => return recovered,
            Err(error) if started.elapsed() < GIVE_UP_AFTER => {
                tracing::warn!(%error, ?wait, "cannot ask the provider yet; asking again");
                wait = (wait * 2).min(Duration::from_secs(60));
            }
            Err(error) => {
                tracing::warn!(%error, "the provider could not be asked");
                return Recovered::CannotTell;
            }
        }
    }
}

async fn record_acceptance(store: &Store, message_id: Id, sent: &SentSms) {
    tracing::info!(sid = %sent.sid, "provider accepted the message");
    if let Err(error) = store
        .apply_status(
            Some(message_id),
            &sent.sid,
            message_status(sent.status),
            None,
        )
        .await
    {
        tracing::error!(%error, sid = %sent.sid, "cannot record the provider's acceptance");
    }
}

async fn fail(store: &Store, message_id: Id, code: Option<u32>) {
    if let Err(error) = store.fail_unsent(message_id, code).await {
        tracing::error!(%error, "cannot mark the message failed");
    }
}

#[tracing::instrument(skip_all, fields(message_id = pending.message_id, provider = provider.name()))]
async fn deliver(
    store: &Store,
    provider: &dyn Provider,
    public_url: &str,
    lookups: bool,
    pending: PendingSend,
) {
    let message_id = pending.message_id;
    if lookups {
        look_up(store, provider, pending.contact_id).await;
    }
    let request = OutboundSms {
        to: pending.to.clone(),
        body: pending.body.clone(),
        status_callback: format!("{public_url}/webhooks/twilio/status?message_id={message_id}"),
        media_urls: pending
            .media_tokens
            .iter()
            .map(|token| format!("{public_url}/media/{token}"))
            .collect(),
    };
    let started = tokio::time::Instant::now();
    if pending.started_before {
        // The hub stopped during a send: the provider may have the message.
        match recover(store, provider, &request, started).await {
            Recovered::Found(sent) => {
                tracing::info!("an interrupted send had reached the provider");
                record_acceptance(store, message_id, &sent).await;
                return;
            }
            Recovered::NotFound => {
                tracing::info!("an interrupted send never reached the provider; sending it");
            }
            Recovered::CannotTell => {
                tracing::warn!(
                    "a send was interrupted and the provider cannot tell; marking it failed rather than risk a duplicate"
                );
                fail(store, message_id, None).await;
                return;
            }
        }
    } else if let Err(error) = store.mark_send_started(message_id).await {
        tracing::error!(%error, "cannot record the send; leaving the message queued");
        return;
    }
    let mut backoff = Duration::from_millis(500);
    loop {
        let failure = match provider.send(request.clone()).await {
            Ok(sent) => {
                record_acceptance(store, message_id, &sent).await;
                return;
            }
            Err(ProviderError::RateLimited { retry_after })
                if started.elapsed() < GIVE_UP_AFTER =>
            {
                let wait = retry_after.unwrap_or(backoff);
                tracing::warn!(?wait, "provider is rate limiting; retrying");
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
                continue;
            }
            Err(ProviderError::Unreachable(reason)) if started.elapsed() < GIVE_UP_AFTER => {
                tracing::warn!(%reason, ?backoff, "provider unreachable; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
                continue;
            }
            Err(ProviderError::Ambiguous(reason)) => {
                // The provider may have taken it: ask before sending again.
                tracing::warn!(%reason, "the provider's answer was lost; asking whether it has the message");
                match recover(store, provider, &request, started).await {
                    Recovered::Found(sent) => {
                        record_acceptance(store, message_id, &sent).await;
                        return;
                    }
                    Recovered::NotFound if started.elapsed() < GIVE_UP_AFTER => {
                        tracing::info!("the provider does not have it; sending again");
                        continue;
                    }
                    Recovered::NotFound | Recovered::CannotTell => ProviderError::Ambiguous(reason),
                }
            }
            Err(error) => error,
        };
        let code = match &failure {
            ProviderError::Rejected { code, .. } => Some(*code),
            _ => None,
        };
        tracing::warn!(error = %failure, "message not sent");
        fail(store, message_id, code).await;
        return;
    }
}
