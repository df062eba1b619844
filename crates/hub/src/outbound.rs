//! The sender: hands stored outbound messages to the provider, one at a time, in order.
//!
//! A message reaches the provider at most once. The sender claims a message before it
//! touches it, so two hubs never send one text; before the first call it records that a
//! send started, so a message found in that state later (this hub stopped, or another
//! hub died holding it and its claim ran out) may already be with the provider and is
//! looked up there before anything is sent again.

use std::sync::Arc;
use std::time::Duration;

use parley_proto::{Id, MessageStatus, Reachability};
use parley_sms::{
    DeliveryStatus, LineType, OutboundSms, Provider, ProviderError, Recovered, SentSms,
};
use tokio::sync::{mpsc, watch};

use crate::store::{PendingSend, Store, Work};

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

/// What the sender needs besides the store.
pub struct SenderSetup {
    pub provider: Arc<dyn Provider>,
    /// The hub's public URL, for status callbacks and picture links.
    pub public_url: String,
    /// Look numbers up before the first text.
    pub lookups: bool,
    /// How often unsent messages are looked for without a trigger: messages left by a
    /// previous run, or by another hub that died holding them.
    pub sweep: Duration,
}

impl Sender {
    /// Starts the sender; it first picks up messages a previous run left unsent.
    #[must_use]
    pub fn spawn(store: Store, setup: SenderSetup, mut stopping: watch::Receiver<bool>) -> Self {
        let (queue, mut requests) = mpsc::unbounded_channel::<Id>();
        tokio::spawn(async move {
            let mut sweep = tokio::time::interval(setup.sweep);
            sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    requested = requests.recv() => match requested {
                        Some(message_id) => send_claimed(&store, &setup, message_id).await,
                        None => return,
                    },
                    _ = sweep.tick() => match store.unsent_messages().await {
                        Ok(unsent) => {
                            for pending in unsent {
                                send_claimed(&store, &setup, pending.message_id).await;
                            }
                        }
                        Err(error) => tracing::error!(%error, "cannot read unsent messages"),
                    },
                    changed = stopping.changed() => if changed.is_err() || *stopping.borrow() {
                        return;
                    },
                }
            }
        });
        Self { queue }
    }

    /// Queues a stored message for sending.
    pub fn enqueue(&self, message_id: Id) {
        if self.queue.send(message_id).is_err() {
            // The task ended with the hub; the message stays queued in the store and is
            // picked up by the next sweep of this or another hub.
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

/// Sends one message if this hub can claim it and it is still unsent, then lets it go.
async fn send_claimed(store: &Store, setup: &SenderSetup, message_id: Id) {
    match store.claim(Work::Send, message_id).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!(message_id, "another hub is sending this message");
            return;
        }
        Err(error) => {
            tracing::error!(%error, message_id, "cannot claim a message to send");
            return;
        }
    }
    // Read after the claim: another hub may have sent it just before.
    match store.pending_send(message_id).await {
        Ok(Some(pending)) => {
            deliver(
                store,
                setup.provider.as_ref(),
                &setup.public_url,
                setup.lookups,
                pending,
            )
            .await;
        }
        Ok(None) => {}
        Err(error) => tracing::error!(%error, message_id, "cannot read a message to send"),
    }
    if let Err(error) = store.release(Work::Send, message_id).await {
        // The claim runs out on its own.
        tracing::warn!(%error, message_id, "cannot release a message's claim");
    }
}

/// After a send whose answer was lost (or a send a stop interrupted), asks the provider
/// whether it has the message, until it answers or the sender gives up.
async fn recover(
    store: &Store,
    provider: &dyn Provider,
    message_id: Id,
    request: &OutboundSms,
    started: tokio::time::Instant,
) -> Recovered {
    let mut wait = Duration::from_secs(1);
    loop {
        // Give the provider a moment to finish what it was doing with the request.
        tokio::time::sleep(wait).await;
        // A status callback may have told us the provider's id meanwhile.
        match store.provider_sid(message_id).await {
            Ok(Some(sid)) => {
                return Recovered::Found(SentSms {
                    sid,
                    status: DeliveryStatus::Queued,
                    from: None,
                });
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "cannot read the message");
                return Recovered::CannotTell;
            }
        }
        let known = match store.known_sids(&request.to, message_id).await {
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
        match recover(store, provider, message_id, &request, started).await {
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
                match recover(store, provider, message_id, &request, started).await {
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
