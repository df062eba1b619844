//! Scoped sync: the snapshot a desktop starts from, the contacts it follows, and the event
//! log's retention.

use std::collections::HashSet;

use parley_proto::{
    Agent, EventKind, Followed, HeldHistory, Id, InteractionState, Message, Millis, Snapshot,
};

use super::port::Tx;
use super::{MessagePage, Result, Store, transaction};

/// How much a snapshot holds.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotLimits {
    /// Messages and interactions this recent (and contacts active this recently).
    pub window_days: u32,
    /// At most this many contacts, the most recently active.
    pub contacts: u32,
    /// At most this many of each contact's newest messages.
    pub messages_per_contact: u32,
}

/// How many of the log's oldest events one pruning statement looks at.
const PRUNE_BATCH: u32 = 5_000;

impl Store {
    /// What `agent`'s desktop starts from, read in one consistent view with the log's head
    /// of that view: their contacts active within the window (or in an open interaction),
    /// those contacts' open and recent interactions, each one's newest messages within the
    /// window, every agent, and the agent's read markers.
    ///
    /// # Errors
    /// [`super::StoreError::Database`].
    pub async fn snapshot(&self, agent: &Agent, limits: SnapshotLimits) -> Result<Snapshot> {
        let since = self.now() - Millis::from(limits.window_days) * 86_400_000;
        let mut read = self.inner.engine.snapshot().await?;
        let seq = read.head_seq().await?;
        let agents = read.all_agents().await?;
        let ids = read
            .scope_recent_contacts(agent.id, since, limits.contacts)
            .await?;
        let contacts = read.contacts_by_id(&ids).await?;
        let interactions = read.scope_interactions(&ids, since).await?;
        let open: HashSet<Id> = interactions
            .iter()
            .filter(|interaction| interaction.state != InteractionState::Done)
            .map(|interaction| interaction.contact_id)
            .collect();
        let mut messages = Vec::new();
        let mut histories = Vec::with_capacity(ids.len());
        for &contact_id in &ids {
            let window = if open.contains(&contact_id) {
                Millis::MIN
            } else {
                since
            };
            let (kept, history) = newest_messages(
                read.as_mut(),
                contact_id,
                limits.messages_per_contact,
                window,
            )
            .await?;
            messages.extend(kept);
            histories.push(history);
        }
        let messages = super::conversations::with_pictures(read.as_mut(), messages).await?;
        let read_markers = read
            .read_markers(agent.id)
            .await?
            .into_iter()
            .map(|marker| (marker.contact_id, marker.last_read_message_id))
            .collect();
        read.commit().await?;
        Ok(Snapshot {
            seq,
            window_days: limits.window_days,
            agents,
            contacts,
            interactions,
            messages,
            histories,
            read_markers,
        })
    }

    /// Records that the agent opened a contact outside their own, so their scoped stream
    /// carries its changes from now on, and answers the contact as it is after that: its
    /// newest messages and its open interaction. `None` when there is no such contact.
    ///
    /// # Errors
    /// [`super::StoreError::Database`].
    pub async fn follow(
        &self,
        agent_id: Id,
        contact_id: Id,
        messages_per_contact: u32,
    ) -> Result<Option<Followed>> {
        let followed = transaction!(self, change => {
            if change.contact(contact_id).await?.is_none() {
                return Ok(None);
            }
            let now = change.now;
            change.follow(agent_id, contact_id, now).await?;
            change.emit(EventKind::Followed { agent_id, contact_id });
            Ok(Some(()))
        })?;
        if followed.is_none() {
            return Ok(None);
        }
        // Read after the follow is in the log: whatever the stream does not carry, this
        // has (a change in between is in both, and applying it twice changes nothing).
        let mut read = self.inner.engine.snapshot().await?;
        let seq = read.head_seq().await?;
        let Some(contact) = read.contact(contact_id).await? else {
            return Ok(None);
        };
        let (messages, history) =
            newest_messages(read.as_mut(), contact_id, messages_per_contact, Millis::MIN).await?;
        let messages = super::conversations::with_pictures(read.as_mut(), messages).await?;
        let interaction = read
            .scope_interactions(&[contact_id], Millis::MAX)
            .await?
            .into_iter()
            .next_back();
        read.commit().await?;
        Ok(Some(Followed {
            seq,
            contact,
            messages,
            history,
            interaction,
        }))
    }

    /// The contacts whose changes an agent's scoped stream carries: assigned to them, in an
    /// interaction that was ever theirs, or followed.
    ///
    /// # Errors
    /// [`super::StoreError::Database`].
    pub async fn scope_contacts(&self, agent_id: Id) -> Result<HashSet<Id>> {
        Ok(self
            .read()
            .await?
            .scope_contact_ids(agent_id)
            .await?
            .into_iter()
            .collect())
    }

    /// Deletes the events older than `before` (never the newest); answers how many.
    ///
    /// # Errors
    /// [`super::StoreError::Database`].
    pub async fn prune_events(&self, before: Millis) -> Result<u64> {
        let mut pruned = 0;
        loop {
            let deleted = transaction!(self, change => {
                change.prune_events(before, PRUNE_BATCH).await
            })?;
            pruned += deleted;
            if deleted == 0 {
                return Ok(pruned);
            }
        }
    }

    /// The newest event pruned from the log (0: none): a cursor below it cannot be
    /// replayed.
    ///
    /// # Errors
    /// [`super::StoreError::Database`].
    pub async fn pruned_through(&self) -> Result<i64> {
        self.read().await?.pruned_through().await
    }
}

/// A contact's newest messages (at most `most`, none older than `since`), and how much of
/// its history they are.
async fn newest_messages(
    read: &mut dyn Tx,
    contact_id: Id,
    most: u32,
    since: Millis,
) -> Result<(Vec<Message>, HeldHistory)> {
    let page = read
        .contact_message_page(contact_id, MessagePage::Newest, most)
        .await?;
    let full = u32::try_from(page.len()).unwrap_or(u32::MAX) >= most;
    let newest_dropped = page
        .iter()
        .filter(|message| message.created_at < since)
        .map(|message| message.id)
        .max();
    let kept: Vec<Message> = page
        .into_iter()
        .filter(|message| message.created_at >= since)
        .collect();
    // Older messages than those kept are on the hub only when the page was full or some
    // of it was older than the window.
    let oldest_message_id = match (kept.first(), newest_dropped) {
        (Some(oldest), Some(_)) => Some(oldest.id),
        (Some(oldest), None) => full.then_some(oldest.id),
        (None, Some(dropped)) => Some(dropped + 1),
        (None, None) => None,
    };
    Ok((
        kept,
        HeldHistory {
            contact_id,
            oldest_message_id,
        },
    ))
}
