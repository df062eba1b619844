//! A customer's message in: stored once per provider message id, into the contact's open
//! interaction (reactivating an ended one) or a new queued one. One at a time, or a whole
//! group of webhooks in a few statements (see `group`).

use std::collections::{HashMap, HashSet};

use parley_proto::{Direction, EventKind, Id, Interaction, MessageStatus};

use super::contacts::opt;
use super::conversations::{queued, with_media};
use super::types::{NewMedia, NewMessage};
use super::{Change, Inbound, InboundOutcome, Result};
use crate::rules::lifecycle::{self, InboundPlace};

/// Stores a customer's message within a change (see [`Store::receive_inbound`]).
pub(super) async fn store_inbound(
    change: &mut Change,
    inbound: &Inbound<'_>,
) -> Result<InboundOutcome> {
    // The same MessageSid delivered to two hubs at once: the second's insert meets the
    // first's unique key, its transaction runs again, and this check sees the first.
    let now = change.now;
    if let Some(message_id) = change.message_id_by_sid(inbound.provider_sid).await? {
        return Ok(InboundOutcome::Duplicate { message_id });
    }
    // The contact comes first and stays locked: two webhooks from one number (on two
    // hubs) take turns, so each sees the other's interaction.
    let contact = change.touch_contact(inbound.from, None, now).await?;
    change.emit(EventKind::Contact {
        contact: contact.clone(),
    });
    let open = change.open_interaction(contact.id).await?;
    let (interaction_id, new_interaction) = match lifecycle::place_inbound(open.as_ref()) {
        InboundPlace::Join(interaction) => (interaction.id, false),
        InboundPlace::Reactivate(reactivated) => {
            let interaction = change.save_interaction(&reactivated).await?;
            let id = interaction.id;
            change.emit(EventKind::Interaction { interaction });
            (id, false)
        }
        InboundPlace::Queue => {
            let interaction = change.insert_interaction(&queued(contact.id, now)).await?;
            let id = interaction.id;
            change.emit(EventKind::Interaction { interaction });
            (id, true)
        }
    };
    let mut message = change
        .insert_message(&NewMessage {
            contact_id: contact.id,
            interaction_id: Some(interaction_id),
            direction: Direction::Inbound,
            body: inbound.body,
            status: MessageStatus::Received,
            agent_id: None,
            agent_name: None,
            client_key: None,
            provider_sid: Some(inbound.provider_sid),
            from: inbound.from,
            to: inbound.to,
            created_at: now,
        })
        .await?;
    for (position, (url, declared_type)) in (0_u32..).zip(inbound.media) {
        change
            .insert_media(&NewMedia {
                message_id: message.id,
                position,
                source_url: url,
                declared_type,
                ready: None,
                created_at: now,
            })
            .await?;
    }
    // Most texts have no pictures: no need to read them back.
    if !inbound.media.is_empty() {
        message = with_media(change, message).await?;
    }
    if let Some(opted_out) = parley_sms::opt_out_keyword(inbound.body) {
        opt(change, contact.id, opted_out).await?;
    }
    let message_id = message.id;
    change.emit(EventKind::Message { message });
    Ok(InboundOutcome::Stored {
        message_id,
        interaction_id,
        new_interaction,
    })
}

/// Stores many customers' messages within one change, as [`store_inbound`] stores each
/// in turn, but with a few statements for the whole group rather than a few for each
/// message. Messages with pictures or an opt-out keyword, and a provider id repeated
/// within the group, go through [`store_inbound`] after the rest.
pub(super) async fn store_inbound_group(
    change: &mut Change,
    inbounds: &[Inbound<'_>],
) -> Result<Vec<InboundOutcome>> {
    let now = change.now;
    let mut outcomes: Vec<Option<InboundOutcome>> = vec![None; inbounds.len()];
    let sids: Vec<&str> = inbounds
        .iter()
        .map(|inbound| inbound.provider_sid)
        .collect();
    let known: HashMap<String, Id> = change
        .message_ids_by_sids(&sids)
        .await?
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    let (mut plain, mut one_by_one) = (Vec::new(), Vec::new());
    for (index, inbound) in inbounds.iter().enumerate() {
        if let Some(&message_id) = known.get(inbound.provider_sid) {
            outcomes[index] = Some(InboundOutcome::Duplicate { message_id });
        } else if seen.insert(inbound.provider_sid)
            && inbound.media.is_empty()
            && parley_sms::opt_out_keyword(inbound.body).is_none()
        {
            plain.push(index);
        } else {
            one_by_one.push(index);
        }
    }
    if !plain.is_empty() {
        // Contacts first, in one order, and locked: as `store_inbound` takes them.
        let mut phones: Vec<&str> = plain.iter().map(|&index| inbounds[index].from).collect();
        phones.sort_unstable();
        phones.dedup();
        let mut contacts = change.touch_contacts(&phones, now).await?;
        contacts.sort_by_key(|contact| contact.id);
        let contact_ids: Vec<Id> = contacts.iter().map(|contact| contact.id).collect();
        let mut open: HashMap<Id, Interaction> = HashMap::new();
        for interaction in change.open_interactions(&contact_ids).await? {
            match open.get(&interaction.contact_id) {
                Some(newer) if newer.id > interaction.id => {}
                _ => {
                    open.insert(interaction.contact_id, interaction);
                }
            }
        }
        let mut places: HashMap<Id, (Id, bool)> = HashMap::new();
        let mut to_queue = Vec::new();
        for contact in &contacts {
            change.emit(EventKind::Contact {
                contact: contact.clone(),
            });
            match lifecycle::place_inbound(open.get(&contact.id)) {
                InboundPlace::Join(interaction) => {
                    places.insert(contact.id, (interaction.id, false));
                }
                InboundPlace::Reactivate(reactivated) => {
                    let interaction = change.save_interaction(&reactivated).await?;
                    places.insert(contact.id, (interaction.id, false));
                    change.emit(EventKind::Interaction { interaction });
                }
                InboundPlace::Queue => to_queue.push(queued(contact.id, now)),
            }
        }
        let mut queued_now = change.insert_interactions(&to_queue).await?;
        queued_now.sort_by_key(|interaction| interaction.id);
        for interaction in queued_now {
            places.insert(interaction.contact_id, (interaction.id, true));
            change.emit(EventKind::Interaction { interaction });
        }
        let contact_of: HashMap<&str, Id> = contacts
            .iter()
            .map(|contact| (contact.phone.as_str(), contact.id))
            .collect();
        let mut rows = Vec::with_capacity(plain.len());
        for &index in &plain {
            let inbound = &inbounds[index];
            let contact_id = contact_of[inbound.from];
            rows.push(NewMessage {
                contact_id,
                interaction_id: Some(places[&contact_id].0),
                direction: Direction::Inbound,
                body: inbound.body,
                status: MessageStatus::Received,
                agent_id: None,
                agent_name: None,
                client_key: None,
                provider_sid: Some(inbound.provider_sid),
                from: inbound.from,
                to: inbound.to,
                created_at: now,
            });
        }
        let mut stored = change.insert_messages(&rows).await?;
        stored.sort_by_key(|stored| stored.message.id);
        let by_sid: HashMap<&str, &parley_proto::Message> = stored
            .iter()
            .filter_map(|stored| Some((stored.provider_sid.as_deref()?, &stored.message)))
            .collect();
        let mut first_of_contact = HashSet::new();
        for &index in &plain {
            let message = by_sid.get(inbounds[index].provider_sid).ok_or_else(|| {
                super::StoreError::Corrupt("a stored message went missing".into())
            })?;
            let (interaction_id, new) = places[&message.contact_id];
            outcomes[index] = Some(InboundOutcome::Stored {
                message_id: message.id,
                interaction_id,
                new_interaction: new && first_of_contact.insert(message.contact_id),
            });
        }
        for stored in stored {
            change.emit(EventKind::Message {
                message: stored.message,
            });
        }
    }
    for index in one_by_one {
        outcomes[index] = Some(store_inbound(change, &inbounds[index]).await?);
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every message has its outcome"))
        .collect())
}
