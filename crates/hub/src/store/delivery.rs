//! Delivery: what the sender hands to the provider, and what the provider reports back.
//! Status only moves forward, and every report is idempotent (callbacks arrive late, twice
//! or out of order).

use parley_proto::{Direction, EventKind, Id, Message, MessageStatus, SimOutboundMessage};

use super::contacts::learn_from_error;
use super::conversations::with_media;
use super::{Change, PendingSend, Result, Store, StoreError, StoredMessage, transaction};
use crate::rules::sending::{self, Delivery};

/// How many unsent messages one pass of the sender reads.
const UNSENT_BATCH: u32 = 100;

impl Store {
    /// Outbound messages the provider has not taken yet, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn unsent_messages(&self) -> Result<Vec<PendingSend>> {
        let mut read = self.read().await?;
        let mut pending = read.unsent(UNSENT_BATCH).await?;
        for send in &mut pending {
            send.media_tokens = read.upload_tokens(send.message_id).await?;
        }
        Ok(pending)
    }

    /// A contact's oldest outbound message still to send, with its pictures' tokens: texts
    /// to one contact leave in the order they were written.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn next_unsent(&self, contact_id: Id) -> Result<Option<PendingSend>> {
        let mut read = self.read().await?;
        let Some(mut pending) = read.next_unsent(contact_id).await? else {
            return Ok(None);
        };
        pending.media_tokens = read.upload_tokens(pending.message_id).await?;
        Ok(Some(pending))
    }

    /// One outbound message still to send, with its pictures' tokens.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn pending_send(&self, message_id: Id) -> Result<Option<PendingSend>> {
        let mut read = self.read().await?;
        let Some(mut pending) = read.pending_send(message_id).await? else {
            return Ok(None);
        };
        pending.media_tokens = read.upload_tokens(message_id).await?;
        Ok(Some(pending))
    }

    /// Records, durably, that a send to the provider is about to start, and returns how
    /// many sends of this message (this one included) may have reached the provider.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_send_started(&self, message_id: Id) -> Result<u32> {
        let now = self.now();
        self.read().await?.mark_send_started(message_id, now).await
    }

    /// Takes back the count of a send the provider did not take; returns the count left.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn unmark_send(&self, message_id: Id) -> Result<u32> {
        self.read().await?.unmark_send(message_id).await
    }

    /// The provider's id of a message's current attempt, once the provider took it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn provider_sid(&self, message_id: Id) -> Result<Option<String>> {
        Ok(self
            .read()
            .await?
            .stored_message(message_id)
            .await?
            .ok_or(StoreError::NotFound("message"))?
            .provider_sid)
    }

    /// The provider ids of every other message (and earlier attempt) sent to `to`: a
    /// message found on the provider under none of them is `message_id`'s.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn known_sids(&self, to: &str, message_id: Id) -> Result<Vec<String>> {
        self.read().await?.known_sids(to, message_id).await
    }

    /// A message with its provider id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn stored_message(&self, message_id: Id) -> Result<StoredMessage> {
        self.read()
            .await?
            .stored_message(message_id)
            .await?
            .ok_or(StoreError::NotFound("message"))
    }

    /// The contact a message belongs to.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn message_contact(&self, message_id: Id) -> Result<Id> {
        Ok(self
            .read()
            .await?
            .stored_message(message_id)
            .await?
            .ok_or(StoreError::NotFound("message"))?
            .message
            .contact_id)
    }

    /// Applies a delivery report to an outbound message, found by our id (from the
    /// callback URL) or the provider's. Returns the message when it changed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when neither id matches a message or an earlier attempt.
    pub async fn apply_status(
        &self,
        message_id: Option<Id>,
        provider_sid: &str,
        status: MessageStatus,
        error_code: Option<u32>,
    ) -> Result<Option<Message>> {
        let job = super::group::StatusJob {
            message_id,
            provider_sid: provider_sid.to_owned(),
            status,
            error_code,
        };
        self.inner.group.status(self, job).await
    }

    /// Marks an outbound message failed before the provider took it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn fail_unsent(&self, message_id: Id, error_code: Option<u32>) -> Result<Message> {
        transaction!(self, change => {
            let stored = change
                .lock_message(message_id)
                .await?
                .ok_or(StoreError::NotFound("message"))?;
            let updated = change
                .save_delivery(message_id, MessageStatus::Failed, error_code, None)
                .await?;
            if let Some(code) = error_code {
                learn_from_error(&mut change, stored.message.contact_id, code).await?;
            }
            let message = with_media(&mut change, updated).await?;
            change.emit(EventKind::Message { message: message.clone() });
            Ok(message)
        })
    }

    /// Records a message the simulated carrier accepted.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sim_record(&self, sid: &str, to: &str, from: &str, body: &str) -> Result<()> {
        let now = self.now();
        self.read()
            .await?
            .sim_record(sid, to, from, body, now)
            .await
    }

    /// Sets the simulated carrier's status of a message.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sim_set_status(&self, sid: &str, status: MessageStatus) -> Result<()> {
        self.read().await?.sim_set_status(sid, status).await
    }

    /// Everything the simulated carrier was asked to send, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sim_outbox(&self) -> Result<Vec<SimOutboundMessage>> {
        self.read().await?.sim_outbox().await
    }

    /// How many texts the simulated carrier was asked to send to `to`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn sim_sent_to(&self, to: &str) -> Result<i64> {
        self.read().await?.sim_sent_to(to).await
    }
}

/// Applies a delivery report within a change (see [`Store::apply_status`]).
pub(super) async fn store_status(
    change: &mut Change,
    message_id: Option<Id>,
    provider_sid: &str,
    status: MessageStatus,
    error_code: Option<u32>,
) -> Result<Option<Message>> {
    let stored = match message_id {
        Some(id) => {
            let stored = change.lock_message(id).await?.filter(|stored| {
                stored.message.direction == Direction::Outbound
                    && stored
                        .provider_sid
                        .as_deref()
                        .is_none_or(|sid| sid == provider_sid)
            });
            // A report about an attempt that Retry replaced is not this message's.
            match stored {
                Some(_) if change.is_attempt(provider_sid).await? => None,
                stored => stored,
            }
        }
        None => change.lock_outbound_by_sid(provider_sid).await?,
    };
    let Some(stored) = stored else {
        return if change
            .save_attempt(provider_sid, status, error_code)
            .await?
        {
            Ok(None)
        } else {
            Err(StoreError::NotFound("message"))
        };
    };
    let current = Delivery {
        status: stored.message.status,
        error_code: stored.message.error_code,
        sid_known: stored.provider_sid.is_some(),
    };
    let Some((next, code)) = sending::report(current, status, error_code) else {
        return Ok(None);
    };
    let updated = change
        .save_delivery(stored.message.id, next, code, Some(provider_sid))
        .await?;
    if next == status
        && let Some(code) = code
    {
        learn_from_error(change, updated.contact_id, code).await?;
    }
    let message = with_media(change, updated).await?;
    change.emit(EventKind::Message {
        message: message.clone(),
    });
    Ok(Some(message))
}
