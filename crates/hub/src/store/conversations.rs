//! The conversation: a customer's messages in, an agent's messages out, Retry, the whole
//! transcript, and imported history.

use std::collections::HashMap;

use parley_proto::{
    Contact, Direction, EventKind, Id, Interaction, InteractionState, Message, MessageStatus,
    Millis,
};

use super::types::NewMedia;
use super::{
    Change, Inbound, InboundOutcome, Outbound, Refusal, Result, Store, StoreError, transaction,
};
use crate::rules::lifecycle;
use crate::rules::sending;

impl Store {
    /// A contact's whole history, oldest first, with its pictures.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_messages(&self, contact_id: Id) -> Result<Vec<Message>> {
        let mut read = self.read().await?;
        let messages = read.contact_messages(contact_id).await?;
        with_pictures(read.as_mut(), messages).await
    }

    /// A page of a contact's messages, oldest first, with their pictures: the newest
    /// `limit`, or those just older or newer than a message.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn message_page(
        &self,
        contact_id: Id,
        page: super::MessagePage,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let mut read = self.read().await?;
        let messages = read.contact_message_page(contact_id, page, limit).await?;
        with_pictures(read.as_mut(), messages).await
    }

    /// Stores a customer's message — once per provider message id — into the contact's
    /// open interaction (reactivating an ended one), or a new queued one.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn receive_inbound(&self, inbound: &Inbound<'_>) -> Result<InboundOutcome> {
        self.inner
            .group
            .inbound(self, super::group::InboundJob::of(inbound))
            .await
    }

    /// Stores an agent's outbound message once per client key. Returns the message and
    /// whether it is new (a repeated key returns the first message unchanged).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown contact or interaction; a [`Refusal`] for
    /// someone else's interaction or key, an opted-out contact, pictures that cannot go.
    pub async fn create_outbound(&self, outbound: &Outbound<'_>) -> Result<(Message, bool)> {
        sending::check_text(outbound.body, outbound.upload_ids.len())?;
        transaction!(self, change => {
            let now = change.now;
            let contact = change
                .lock_contact(outbound.contact_id)
                .await?
                .ok_or(StoreError::NotFound("contact"))?;
            // After the contact's lock: a key sent twice at once (to two hubs) is one message.
            if let Some(existing) = change.message_by_client_key(outbound.client_key).await? {
                sending::same_send(&existing, outbound.agent_id, outbound.contact_id)?;
                return Ok((existing, false));
            }
            sending::may_text(&contact)?;
            if outbound.interaction_id.is_none() {
                let open = change.open_interaction(contact.id).await?;
                let writing = lifecycle::write_outside(open.as_ref(), outbound.agent_id);
                super::interactions::naming_holder(&mut change, open.as_ref(), writing).await?;
            }
            if let Some(interaction_id) = outbound.interaction_id {
                let interaction = change
                    .lock_interaction(interaction_id)
                    .await?
                    .ok_or(StoreError::NotFound("interaction"))?;
                if let Some(reactivated) =
                    lifecycle::write_into(&interaction, contact.id, outbound.agent_id)?
                {
                    let interaction = change.save_interaction(&reactivated).await?;
                    change.emit(EventKind::Interaction { interaction });
                }
            }
            let message = change
                .insert_message(&super::types::NewMessage {
                    contact_id: contact.id,
                    interaction_id: outbound.interaction_id,
                    direction: Direction::Outbound,
                    body: outbound.body,
                    status: MessageStatus::Queued,
                    agent_id: Some(outbound.agent_id),
                    agent_name: Some(outbound.agent_name),
                    client_key: Some(outbound.client_key),
                    provider_sid: None,
                    from: outbound.from_number,
                    to: &contact.phone,
                    created_at: now,
                })
                .await?;
            let mut total: u64 = 0;
            for (position, upload_id) in (0_u32..).zip(outbound.upload_ids) {
                let upload = change
                    .attach_upload(*upload_id, outbound.agent_id, message.id)
                    .await?
                    .ok_or(Refusal::UploadUnavailable)?;
                total += u64::from(upload.picture.size);
                change
                    .insert_media(&NewMedia {
                        message_id: message.id,
                        position,
                        source_url: &format!("upload:{}", upload.token),
                        declared_type: &upload.picture.content_type,
                        ready: Some(&upload.picture),
                        created_at: now,
                    })
                    .await?;
            }
            sending::check_pictures_size(total)?;
            let message = with_media(&mut change, message).await?;
            change.emit(EventKind::Message { message: message.clone() });
            let contact = change.touch_contact(&contact.phone, None, now).await?;
            change.emit(EventKind::Contact { contact });
            Ok((message, true))
        })
    }

    /// Sends a failed or undelivered outbound message again: the provider gets a new
    /// message, and callbacks about the old one change nothing any more.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`Refusal::NotFailed`], [`Refusal::OptedOut`],
    /// [`Refusal::NotYours`].
    pub async fn retry(&self, agent_id: Id, message_id: Id) -> Result<Message> {
        transaction!(self, change => {
            let now = change.now;
            let stored = change
                .lock_message(message_id)
                .await?
                .filter(|stored| stored.message.direction == Direction::Outbound)
                .ok_or(StoreError::NotFound("message"))?;
            sending::may_retry(&stored.message)?;
            let contact = change
                .contact(stored.message.contact_id)
                .await?
                .ok_or(StoreError::NotFound("contact"))?;
            sending::may_text(&contact)?;
            if let Some(interaction_id) = stored.message.interaction_id {
                let owner = change
                    .interaction(interaction_id)
                    .await?
                    .and_then(|interaction| interaction.agent_id);
                if owner.is_some_and(|owner| owner != agent_id) {
                    return Err(Refusal::NotYours.into());
                }
            }
            if let Some(sid) = &stored.provider_sid {
                change
                    .insert_attempt(sid, message_id, stored.message.status, stored.message.error_code, now)
                    .await?;
            }
            let message = change.requeue_message(message_id).await?;
            let message = with_media(&mut change, message).await?;
            change.emit(EventKind::Message { message: message.clone() });
            Ok(message)
        })
    }

    /// Imports a finished conversation (demo data, migrations from other systems): the
    /// contact, one Done interaction handled by `agent_id`, and its messages.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn import_conversation(
        &self,
        phone: &str,
        name: &str,
        agent_id: Id,
        our_number: &str,
        messages: &[(Direction, &str, Millis)],
    ) -> Result<Contact> {
        let conversation = Imported {
            phone,
            name,
            agent_id,
            our_number,
            messages,
        };
        transaction!(self, change => { import(&mut change, &conversation).await })
    }

    /// Imports many finished conversations in one transaction (a center's history, or a
    /// load test's), as [`Store::import_conversation`] imports one.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn import_conversations(&self, conversations: &[Imported<'_>]) -> Result<()> {
        transaction!(self, change => {
            for conversation in conversations {
                import(&mut change, conversation).await?;
            }
            Ok(())
        })
    }
}

/// A finished conversation to import.
#[derive(Debug, Clone, Copy)]
pub struct Imported<'a> {
    pub phone: &'a str,
    pub name: &'a str,
    /// The agent who handled it (and wrote its outbound messages).
    pub agent_id: Id,
    pub our_number: &'a str,
    /// Its messages, oldest first.
    pub messages: &'a [(Direction, &'a str, Millis)],
}

async fn import(change: &mut Change, imported: &Imported<'_>) -> Result<Contact> {
    let Imported {
        phone,
        name,
        agent_id,
        our_number,
        messages,
    } = *imported;
    let now = change.now;
    let started = messages.first().map_or(now, |(_, _, at)| *at);
    let ended = messages.last().map_or(started, |(_, _, at)| *at);
    let contact = change.touch_contact(phone, Some(name), ended).await?;
    change.emit(EventKind::Contact {
        contact: contact.clone(),
    });
    let author = change.agent(agent_id).await?.map(|agent| agent.name);
    let interaction = change
        .insert_interaction(&Interaction {
            state: InteractionState::Done,
            agent_id: Some(agent_id),
            offered_at: Some(started),
            accepted_at: Some(started),
            ended_at: Some(ended),
            done_at: Some(ended),
            ..queued(contact.id, started)
        })
        .await?;
    let interaction_id = interaction.id;
    change.emit(EventKind::Interaction { interaction });
    for (direction, body, at) in messages {
        let (status, from, to, agent) = match direction {
            Direction::Inbound => (MessageStatus::Received, phone, our_number, None),
            Direction::Outbound => (MessageStatus::Delivered, our_number, phone, Some(agent_id)),
        };
        let message = change
            .insert_message(&super::types::NewMessage {
                contact_id: contact.id,
                interaction_id: Some(interaction_id),
                direction: *direction,
                body,
                status,
                agent_id: agent,
                agent_name: agent.and(author.as_deref()),
                client_key: None,
                provider_sid: None,
                from,
                to,
                created_at: *at,
            })
            .await?;
        change.emit(EventKind::Message { message });
    }
    let contact = change.assign_contact(contact.id, agent_id).await?;
    change.emit(EventKind::Contact {
        contact: contact.clone(),
    });
    Ok(contact)
}

/// A new interaction of a contact, queued for routing.
pub(super) fn queued(contact_id: Id, now: Millis) -> Interaction {
    Interaction {
        id: 0,
        contact_id,
        state: InteractionState::Queued,
        agent_id: None,
        created_at: now,
        offered_at: None,
        accepted_at: None,
        ended_at: None,
        ended_by: None,
        done_at: None,
        disposition: None,
        note: None,
    }
}

/// A message with its pictures, for an event or an answer.
pub(super) async fn with_media(change: &mut Change, mut message: Message) -> Result<Message> {
    message.media = change
        .media_of(&[message.id])
        .await?
        .into_iter()
        .map(|(_, media)| media)
        .collect();
    Ok(message)
}

/// The messages with their pictures, read in one query.
pub(super) async fn with_pictures(
    read: &mut dyn super::port::Tx,
    mut messages: Vec<Message>,
) -> Result<Vec<Message>> {
    let ids: Vec<Id> = messages.iter().map(|message| message.id).collect();
    let mut pictures: HashMap<Id, Vec<parley_proto::Media>> = HashMap::new();
    for (message_id, media) in read.media_of(&ids).await? {
        pictures.entry(message_id).or_default().push(media);
    }
    for message in &mut messages {
        message.media = pictures.remove(&message.id).unwrap_or_default();
    }
    Ok(messages)
}
