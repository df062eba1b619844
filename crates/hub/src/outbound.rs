//! The sender: hands stored outbound messages to the provider, exactly once, in order per
//! contact, paced per sending number.
//!
//! Each contact with texts to send gets its own worker, which sends that contact's texts
//! one after the other, oldest first; workers for different contacts run side by side (up
//! to `sending.concurrency`), so a text that is being recovered, rate limited or retried
//! holds back only the texts written after it to the same contact. A number's texts take
//! turns at its rate ([`pace`]). Every sweep interval the sender looks for unsent texts
//! nobody asked it about: left by a previous run, or by another hub that died.
//!
//! A message reaches the provider at most twice, ever, and twice only when the provider
//! said it did not have the first: see [`deliver`].

mod deliver;
mod pace;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parley_proto::{Id, MessageStatus};
use parley_sms::{DeliveryStatus, Provider};
use tokio::sync::{Semaphore, mpsc, watch};

pub use deliver::look_up;
pub use pace::Pacer;

use crate::config::SendingConfig;
use crate::health::{Heartbeat, Workers};
use crate::store::{Store, Work};

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

/// The handle to the sender.
#[derive(Clone)]
pub struct Sender {
    wake: mpsc::UnboundedSender<Id>,
}

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
    pub sending: SendingConfig,
}

/// What every contact's worker shares.
struct Context {
    store: Store,
    provider: Arc<dyn Provider>,
    public_url: String,
    lookups: bool,
    pacer: Pacer,
    /// Contacts whose texts are in progress at once.
    slots: Semaphore,
}

impl Sender {
    /// Starts the sender (the worker `sender` in `/healthz`); its first sweep picks up
    /// messages a previous run left unsent.
    #[must_use]
    pub fn spawn(
        store: Store,
        setup: SenderSetup,
        workers: &Workers,
        stopping: watch::Receiver<bool>,
    ) -> Self {
        let (wake, wakes) = mpsc::unbounded_channel::<Id>();
        let context = Arc::new(Context {
            store,
            provider: setup.provider,
            public_url: setup.public_url,
            lookups: setup.lookups,
            pacer: Pacer::new(setup.sending),
            slots: Semaphore::new(setup.sending.concurrency.max(1)),
        });
        let sweep = setup.sweep;
        let watched = stopping.clone();
        workers.spawn("sender", Some(sweep), watched, move |heartbeat| {
            dispatch(context, wakes, sweep, heartbeat, stopping)
        });
        Self { wake }
    }

    /// A contact has a new text to send.
    pub fn wake(&self, contact_id: Id) {
        if self.wake.send(contact_id).is_err() {
            // The sender ended with the hub; the message stays queued in the store and is
            // picked up by the next sweep of this or another hub.
            tracing::warn!(
                contact_id,
                "sender stopped; message left for the next start"
            );
        }
    }
}

/// Starts a worker for each contact that has texts to send, one at a time per contact.
async fn dispatch(
    context: Arc<Context>,
    mut wakes: mpsc::UnboundedReceiver<Id>,
    sweep: Duration,
    heartbeat: Heartbeat,
    mut stopping: watch::Receiver<bool>,
) {
    // Contacts with a worker running, and whether they were woken again meanwhile.
    let mut running: HashMap<Id, bool> = HashMap::new();
    let (done, mut finished) = mpsc::unbounded_channel::<Id>();
    let start = |running: &mut HashMap<Id, bool>, contact_id: Id| {
        if let Some(again) = running.get_mut(&contact_id) {
            *again = true;
            return;
        }
        running.insert(contact_id, false);
        let context = Arc::clone(&context);
        let done = done.clone();
        tokio::spawn(async move {
            drain(&context, contact_id).await;
            let _ = done.send(contact_id);
        });
    };
    let mut ticks = tokio::time::interval(sweep);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        heartbeat.beat();
        tokio::select! {
            woken = wakes.recv() => match woken {
                Some(contact_id) => start(&mut running, contact_id),
                None => return,
            },
            Some(contact_id) = finished.recv() => {
                if running.remove(&contact_id) == Some(true) {
                    start(&mut running, contact_id);
                }
            }
            _ = ticks.tick() => match context.store.unsent_messages().await {
                Ok(unsent) => {
                    for pending in unsent {
                        if !running.contains_key(&pending.contact_id) {
                            start(&mut running, pending.contact_id);
                        }
                    }
                }
                Err(error) => tracing::error!(%error, "cannot read unsent messages"),
            },
            changed = stopping.changed() => if changed.is_err() || *stopping.borrow() {
                return;
            },
        }
    }
}

/// Sends a contact's unsent texts, oldest first, until none is left or one cannot go now.
async fn drain(context: &Context, contact_id: Id) {
    let mut previous = None;
    loop {
        let next = match context.store.next_unsent(contact_id).await {
            Ok(Some(next)) => next,
            Ok(None) => return,
            Err(error) => {
                tracing::error!(%error, contact_id, "cannot read a contact's unsent texts");
                return;
            }
        };
        if previous == Some(next.message_id) {
            // Still unsent after a pass (the store could not record the send): the next
            // sweep tries again rather than this worker spinning on it.
            return;
        }
        previous = Some(next.message_id);
        let Ok(_slot) = context.slots.acquire().await else {
            return;
        };
        if !send_claimed(context, next.message_id).await {
            // Another hub is sending this contact's oldest text: the later ones wait for
            // it, and that hub sends them after it.
            return;
        }
    }
}

/// Sends one message if this hub can claim it and it is still unsent, then lets it go.
/// `false` when another hub holds it.
async fn send_claimed(context: &Context, message_id: Id) -> bool {
    let store = &context.store;
    match store.claim(Work::Send, message_id).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!(message_id, "another hub is sending this message");
            return false;
        }
        Err(error) => {
            tracing::error!(%error, message_id, "cannot claim a message to send");
            return false;
        }
    }
    // Read after the claim: another hub may have sent it just before.
    match store.pending_send(message_id).await {
        Ok(Some(pending)) => deliver::deliver(context, pending).await,
        Ok(None) => {}
        Err(error) => tracing::error!(%error, message_id, "cannot read a message to send"),
    }
    if let Err(error) = store.release(Work::Send, message_id).await {
        // The claim runs out on its own.
        tracing::warn!(%error, message_id, "cannot release a message's claim");
    }
    true
}
