//! Contacts: details, read markers, opt-outs and what lookups learn, and search.

use std::collections::HashMap;

use parley_proto::limits::SEARCH_LIMIT;
use parley_proto::{
    Agent, Contact, ContactInteraction, ContactSummary, EventKind, Id, Reachability, SearchHit,
};

use super::{
    Change, ContactDetails, ContactPage, ReadMarker, Result, Store, StoreError, transaction,
};
use crate::rules::sending::{self, Learned};

impl Store {
    /// One contact.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn contact(&self, id: Id) -> Result<Contact> {
        self.read()
            .await?
            .contact(id)
            .await?
            .ok_or(StoreError::NotFound("contact"))
    }

    /// The contact with this E.164 number, created when new.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn ensure_contact(&self, phone: &str) -> Result<Contact> {
        if let Some(contact) = self.read().await?.contact_by_phone(phone).await? {
            return Ok(contact);
        }
        transaction!(self, change => {
            let now = change.now;
            let contact = change.touch_contact(phone, None, now).await?;
            change.emit(EventKind::Contact { contact: contact.clone() });
            Ok(contact)
        })
    }

    /// Every contact, newest activity first, with `agent_id`'s unread counts.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_contacts(&self, agent_id: Id) -> Result<Vec<ContactSummary>> {
        self.read()
            .await?
            .contact_summaries(agent_id, true, None)
            .await
    }

    /// The contacts `agent` may see (every one, or those assigned to them or in an
    /// interaction of theirs), newest activity first, with their unread counts.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn visible_contacts(&self, agent: &Agent) -> Result<Vec<ContactSummary>> {
        self.read()
            .await?
            .contact_summaries(agent.id, agent.permissions.all_contacts, None)
            .await
    }

    /// A page of the contacts `agent` may see, as [`Store::visible_contacts`] lists them.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn contact_page(
        &self,
        agent: &Agent,
        page: ContactPage,
    ) -> Result<Vec<ContactSummary>> {
        self.read()
            .await?
            .contact_summaries(agent.id, agent.permissions.all_contacts, Some(page))
            .await
    }

    /// The contacts assigned to an agent or in an interaction that was ever theirs.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn assigned_contacts(&self, agent_id: Id) -> Result<std::collections::HashSet<Id>> {
        Ok(self
            .read()
            .await?
            .assigned_contacts(agent_id)
            .await?
            .into_iter()
            .collect())
    }

    /// Whether `agent` may see a contact and its history.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn may_see_contact(&self, agent: &Agent, contact_id: Id) -> Result<bool> {
        if agent.permissions.all_contacts {
            return Ok(true);
        }
        self.read()
            .await?
            .contact_assigned(agent.id, contact_id)
            .await
    }

    /// Marks every message of a contact read for an agent.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_read(&self, agent_id: Id, contact_id: Id) -> Result<()> {
        self.read().await?.mark_read(agent_id, contact_id).await
    }

    /// Marks a contact's newest inbound message unread again for an agent.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_unread(&self, agent_id: Id, contact_id: Id) -> Result<()> {
        self.read().await?.mark_unread(agent_id, contact_id).await
    }

    /// An agent's read markers.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn read_markers(&self, agent_id: Id) -> Result<Vec<ReadMarker>> {
        self.read().await?.read_markers(agent_id).await
    }

    /// Replaces a contact's editable details; blank text clears a field.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn update_contact(
        &self,
        contact_id: Id,
        details: ContactDetails<'_>,
    ) -> Result<Contact> {
        let details = ContactDetails {
            name: kept(details.name, true),
            email: kept(details.email, true),
            notes: kept(details.notes, false),
        };
        transaction!(self, change => {
            let contact = change
                .save_details(contact_id, &details)
                .await?
                .ok_or(StoreError::NotFound("contact"))?;
            change.emit(EventKind::Contact { contact: contact.clone() });
            Ok(contact)
        })
    }

    /// A contact's interaction history, newest first, with the handling agent's name.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn contact_interactions(&self, contact_id: Id) -> Result<Vec<ContactInteraction>> {
        self.read().await?.contact_history(contact_id, None).await
    }

    /// A page of a contact's interaction history, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn contact_interaction_page(
        &self,
        contact_id: Id,
        page: parley_proto::rows::HistoryPage,
    ) -> Result<Vec<ContactInteraction>> {
        self.read()
            .await?
            .contact_history(contact_id, Some(page))
            .await
    }

    /// Searches contacts (name, number) and message text, with the query language of
    /// [`parley_proto::search`]: contacts first, then messages, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn search(&self, input: &str) -> Result<Vec<SearchHit>> {
        self.search_page(input, None).await
    }

    /// A page of [`Store::search`]: from the top (contacts, then the newest messages), or
    /// the messages just older than message `before` (keyset: pages join without a gap or a
    /// repeat).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn search_page(&self, input: &str, before: Option<Id>) -> Result<Vec<SearchHit>> {
        let mut read = self.read().await?;
        let mut hits: Vec<SearchHit> = if before.is_some() {
            Vec::new()
        } else {
            read.search_contacts(input, SEARCH_LIMIT)
                .await?
                .into_iter()
                .map(|contact| SearchHit {
                    contact,
                    message: None,
                })
                .collect()
        };
        let messages = read.search_messages(input, before, SEARCH_LIMIT).await?;
        if messages.is_empty() {
            return Ok(hits);
        }
        // The hits' contacts in one query, not one per hit.
        let mut ids: Vec<Id> = messages.iter().map(|message| message.contact_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let contacts: HashMap<Id, Contact> = read
            .contacts_by_id(&ids)
            .await?
            .into_iter()
            .map(|contact| (contact.id, contact))
            .collect();
        for message in messages {
            let contact = contacts
                .get(&message.contact_id)
                .cloned()
                .ok_or(StoreError::NotFound("contact"))?;
            hits.push(SearchHit {
                contact,
                message: Some(message),
            });
        }
        Ok(hits)
    }

    /// Marks a contact opted out of texts (or back in), as STOP and START do.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn set_contact_opted_out(&self, contact_id: Id, opted_out: bool) -> Result<()> {
        transaction!(self, change => { opt(&mut change, contact_id, opted_out).await })
    }

    /// Records what a line type lookup said about a contact's number.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn record_lookup(
        &self,
        contact_id: Id,
        reachability: Option<Reachability>,
    ) -> Result<()> {
        transaction!(self, change => {
            let now = change.now;
            if let Some(contact) = change
                .save_reachability(contact_id, reachability, Some(now))
                .await?
            {
                change.emit(EventKind::Contact { contact });
            }
            Ok(())
        })
    }

    /// The number of a contact that still needs a line type lookup.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn needs_lookup(&self, contact_id: Id) -> Result<Option<String>> {
        self.read().await?.phone_to_look_up(contact_id).await
    }

    /// Whether the store holds any contact yet.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.contact_count().await? == 0)
    }

    /// How many contacts the store holds.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn contact_count(&self) -> Result<i64> {
        self.read().await?.contact_count().await
    }
}

/// A detail as kept: trimmed when `trim`, and blank is none.
fn kept(text: Option<&str>, trim: bool) -> Option<&str> {
    text.map(|text| if trim { text.trim() } else { text })
        .filter(|text| !text.is_empty())
}

/// Opts a contact out (or back in) within a change, announcing it when it changed.
pub(super) async fn opt(change: &mut Change, contact_id: Id, opted_out: bool) -> Result<()> {
    if let Some(contact) = change.save_opted_out(contact_id, opted_out).await? {
        tracing::info!(contact_id, opted_out, "contact's opt-out changed");
        change.emit(EventKind::Contact { contact });
    }
    Ok(())
}

/// Keeps what a carrier error code says about a contact's number.
pub(super) async fn learn_from_error(change: &mut Change, contact_id: Id, code: u32) -> Result<()> {
    match sending::learn(code) {
        Some(Learned::OptedOut) => opt(change, contact_id, true).await,
        Some(Learned::Reachability(reachability)) => {
            if let Some(contact) = change
                .save_reachability(contact_id, Some(reachability), None)
                .await?
            {
                change.emit(EventKind::Contact { contact });
            }
            Ok(())
        }
        None => Ok(()),
    }
}
