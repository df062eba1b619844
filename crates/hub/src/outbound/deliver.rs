//! One message to the provider: exactly once.
//!
//! Before each send that could reach the provider, the store counts it, durably. A send
//! whose answer was lost (a timeout, a 5xx), or one a stopped hub left behind, may be with
//! the provider: the sender looks it up there first. The message's own provider id,
//! however the hub learned it (the answer, a status callback that came first), means it
//! was sent. Only when the provider says it does not have the message is it sent again —
//! and at most once: a send counts when it may have reached the provider. When both counted
//! sends went unanswered, the sender waits until the provider has had [`SETTLE`] to finish
//! whatever it received, and asks again: a send it still does not have never reached it
//! (the hub stopped before the request got there) and comes off the count, as a 429 does.
//! When the provider cannot tell, the message is marked failed for the agent to retry,
//! rather than risk a duplicate.

use std::time::Duration;

use parley_proto::Id;
use parley_sms::{LineType, OutboundSms, Provider, ProviderError, Recovered, SentSms};

use super::{Context, message_status};
use crate::store::{PendingSend, Store};
use parley_proto::Reachability;
use parley_sms::DeliveryStatus;

/// How long the sender keeps retrying a message the provider cannot take right now.
const GIVE_UP_AFTER: Duration = Duration::from_secs(15 * 60);

/// Sends that may reach the provider, at most, per message: the first, and one more after
/// the provider said it did not have the first.
const MAX_SENDS: u32 = 2;

/// How long after a send began the provider's answer about it is final: a request it
/// received by then is in its records, whatever became of the hub that made it.
const SETTLE: Duration = Duration::from_secs(60);

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

/// Takes back the count of a send the provider clearly did not take (429, not reached):
/// only sends that may have reached it count against the message. On failure the count
/// stays: that errs towards not sending again.
async fn uncount(store: &Store, message_id: Id, sends: u32) -> u32 {
    match store.unmark_send(message_id).await {
        Ok(sends) => sends,
        Err(error) => {
            tracing::warn!(%error, "cannot take back a send's count");
            sends
        }
    }
}

async fn fail(store: &Store, message_id: Id, code: Option<u32>) {
    if let Err(error) = store.fail_unsent(message_id, code).await {
        tracing::error!(%error, "cannot mark the message failed");
    }
}

/// What one message costs its number's turn: its segments (a picture message, one).
fn segments(pending: &PendingSend) -> u32 {
    if pending.media_tokens.is_empty() {
        u32::try_from(parley_sms::segments::count(&pending.body).segments.max(1))
            .unwrap_or(u32::MAX)
    } else {
        1
    }
}

#[tracing::instrument(skip_all, fields(message_id = pending.message_id, provider = context.provider.name()))]
pub(super) async fn deliver(context: &Context, pending: PendingSend) {
    let (store, provider) = (&context.store, context.provider.as_ref());
    let message_id = pending.message_id;
    if context.lookups {
        look_up(store, provider, pending.contact_id).await;
    }
    let public_url = &context.public_url;
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
    let mut sends = pending.attempts;
    if sends > 0 {
        // A hub stopped during a send: the provider may have the message.
        match recover(store, provider, message_id, &request, started).await {
            Recovered::Found(sent) => {
                tracing::info!("an interrupted send had reached the provider");
                record_acceptance(store, message_id, &sent).await;
                return;
            }
            Recovered::NotFound => {
                tracing::info!("an interrupted send never reached the provider");
            }
            Recovered::CannotTell => {
                tracing::warn!(
                    "a send was interrupted and the provider cannot tell; marking it failed rather than risk a duplicate"
                );
                fail(store, message_id, None).await;
                return;
            }
        }
    }
    let segments = segments(&pending);
    let mut last_send_at = pending.last_send_at;
    // Waits after answers that say the provider did not take the message.
    let mut backoff = Duration::from_millis(500);
    loop {
        if sends >= MAX_SENDS {
            // Two sends without an answer, and the provider said it had neither.
            let since = last_send_at.map_or(SETTLE, |at| {
                Duration::from_millis(u64::try_from(store.now() - at).unwrap_or(0))
            });
            if let Some(wait) = SETTLE.checked_sub(since) {
                tracing::info!(
                    ?wait,
                    "two sends went unanswered: asking the provider again once it has settled"
                );
                tokio::time::sleep(wait).await;
            }
            match recover(store, provider, message_id, &request, started).await {
                Recovered::Found(sent) => {
                    tracing::info!("an unanswered send had reached the provider");
                    record_acceptance(store, message_id, &sent).await;
                    return;
                }
                Recovered::NotFound if started.elapsed() < GIVE_UP_AFTER => {
                    tracing::info!(
                        "the provider still has no send of it: the last never reached it, and comes off the count"
                    );
                    sends = uncount(store, message_id, sends).await;
                }
                Recovered::NotFound | Recovered::CannotTell => {}
            }
            if sends >= MAX_SENDS {
                tracing::warn!(
                    sends,
                    "the message went to the provider twice without an answer and it cannot tell; marking it failed rather than risk a duplicate"
                );
                fail(store, message_id, None).await;
                return;
            }
        }
        // The number's turn first, so a send is counted only just before it is made.
        context.pacer.wait_turn(&pending.from, segments).await;
        last_send_at = Some(store.now());
        sends = match store.mark_send_started(message_id).await {
            Ok(sends) => sends,
            Err(error) => {
                tracing::error!(%error, "cannot record the send; leaving the message queued");
                return;
            }
        };
        let sent_at = tokio::time::Instant::now();
        let answer = provider.send(request.clone()).await;
        crate::telemetry::send_answered(&answer, sent_at.elapsed());
        let failure = match answer {
            Ok(sent) => {
                record_acceptance(store, message_id, &sent).await;
                return;
            }
            Err(ProviderError::RateLimited { retry_after })
                if started.elapsed() < GIVE_UP_AFTER =>
            {
                let wait = retry_after.unwrap_or(backoff);
                tracing::warn!(?wait, "provider is rate limiting; the number waits");
                context.pacer.hold(&pending.from, wait);
                backoff = (backoff * 2).min(Duration::from_secs(60));
                // Not taken: this send does not count against the message.
                sends = uncount(store, message_id, sends).await;
                continue;
            }
            Err(ProviderError::Unreachable(reason)) if started.elapsed() < GIVE_UP_AFTER => {
                tracing::warn!(%reason, ?backoff, "provider unreachable; retrying");
                sends = uncount(store, message_id, sends).await;
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
                        // Sent again, counted, in the next round.
                        tracing::info!("the provider does not have it");
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
