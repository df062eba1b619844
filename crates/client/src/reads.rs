//! What the Communication tab and the Chat Interaction view read: from the replica, which
//! holds the agent's own contacts within the window, and from the hub for what it does not
//! hold — a contact the agent opens, history older than the replica's, the Contact tab's
//! history. What is fetched is kept. Offline, the replica answers with what it holds.

use parley_proto::{
    ContactInteraction, ContactSummary, Id, Message, MessagePageRequest, SearchHit,
};

use crate::{Client, ClientError, Result, Signed};

/// How many older messages one fetch from the hub brings (at least a page).
const OLDER_PAGE: u32 = 100;

/// How much of a contact's interaction history the Contact tab shows.
const HISTORY_PAGE: u32 = 100;

impl Client {
    /// The contact list: the contacts assigned to the agent, and those in an interaction
    /// that is not done, held here, with unread counts from the local read markers; newest
    /// activity first. Works offline.
    ///
    /// # Errors
    /// [`crate::ClientError`].
    pub async fn list_contacts(&self) -> Result<Vec<ContactSummary>> {
        let signed = self.signed()?;
        Ok(signed.replica.list_contacts(signed.agent_id).await?)
    }

    /// A page of a contact's transcript (see [`MessagePageRequest`]): from the replica,
    /// after fetching the contact from the hub when it is not held here, and older history
    /// when the page reaches past what is held.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn message_page(
        &self,
        contact_id: Id,
        page: &MessagePageRequest,
    ) -> Result<Vec<Message>> {
        let signed = self.signed()?;
        hold(&signed, contact_id).await?;
        let limit = page.limit.clamp(1, 500);
        let read = || {
            signed
                .replica
                .message_page(contact_id, page.before, page.after, Some(limit))
        };
        let messages = read().await?;
        if page.after.is_some() || messages.len() >= limit as usize {
            return Ok(messages);
        }
        let Some(Some(oldest_held)) = signed.replica.held_history(contact_id).await? else {
            return Ok(messages);
        };
        let want = limit.max(OLDER_PAGE);
        match signed
            .hub
            .contact_messages(contact_id, Some(oldest_held), want)
            .await
        {
            Ok(older) => {
                let complete = older.len() < want as usize;
                signed
                    .replica
                    .adopt_older(contact_id, &older, complete)
                    .await?;
                Ok(read().await?)
            }
            Err(error) if error.is_transient() => {
                tracing::debug!(%error, contact_id, "older history is on the hub only");
                Ok(messages)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// A contact's whole history held here (from the replica: works offline).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn list_messages(&self, contact_id: Id) -> Result<Vec<Message>> {
        let signed = self.signed()?;
        hold(&signed, contact_id).await?;
        Ok(signed.replica.list_messages(contact_id).await?)
    }

    /// A contact: from the replica, or fetched (and kept) from the hub.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn contact(&self, contact_id: Id) -> Result<parley_proto::Contact> {
        let signed = self.signed()?;
        hold(&signed, contact_id).await?;
        Ok(signed.replica.contact(contact_id).await?)
    }

    /// A contact's interaction history: the hub's when reachable (and kept here), else what
    /// is held here.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn contact_interactions(&self, contact_id: Id) -> Result<Vec<ContactInteraction>> {
        let signed = self.signed()?;
        match signed
            .hub
            .contact_interactions(contact_id, HISTORY_PAGE)
            .await
        {
            Ok(history) => {
                let interactions: Vec<parley_proto::Interaction> = history
                    .iter()
                    .map(|item| item.interaction.clone())
                    .collect();
                signed.replica.keep_interactions(&interactions).await?;
                Ok(history)
            }
            Err(error) if error.is_transient() => {
                Ok(signed.replica.contact_interactions(contact_id).await?)
            }
            Err(error) => Err(error.into()),
        }
    }
}

impl Client {
    /// Searches contacts and message text: what this computer holds (works offline), and —
    /// when the hub is reachable — the contacts it does not hold that the hub finds by
    /// name, number or text, so the agent can open them (and they are kept then). With
    /// `before` (a message hit's id), the next page of message hits held here.
    ///
    /// # Errors
    /// [`ClientError::Invalid`] for a search longer than 200 characters.
    pub async fn search(&self, query: &str, before: Option<Id>) -> Result<Vec<SearchHit>> {
        if query.chars().count() > 200 {
            return Err(ClientError::Invalid(
                "the search is longer than 200 characters".into(),
            ));
        }
        let signed = self.signed()?;
        let mut hits = signed.replica.search(query, before).await?;
        if before.is_some() {
            return Ok(hits);
        }
        let found = match signed.hub.search(query).await {
            Ok(found) => found,
            Err(error) if error.is_transient() => {
                tracing::debug!(%error, "searched what this computer holds");
                return Ok(hits);
            }
            Err(error) => return Err(error.into()),
        };
        let ids: Vec<Id> = found.iter().map(|hit| hit.contact.id).collect();
        let held = signed.replica.held_contacts(&ids).await?;
        let mut added = std::collections::HashSet::new();
        // A contact not held here is offered as a contact: its messages' ids are the hub's,
        // and the transcript finds a message by this computer's.
        let others: Vec<SearchHit> = found
            .into_iter()
            .filter(|hit| !held.contains(&hit.contact.id) && added.insert(hit.contact.id))
            .map(|hit| SearchHit {
                contact: hit.contact,
                message: None,
            })
            .collect();
        let contacts_end = hits
            .iter()
            .position(|hit| hit.message.is_some())
            .unwrap_or(hits.len());
        hits.splice(contacts_end..contacts_end, others);
        Ok(hits)
    }
}

/// Makes sure the replica holds a contact the agent opens: one it never fetched is
/// followed on the hub (its changes come through the stream from then on) and kept with
/// its newest messages. Offline, what is held is what there is.
async fn hold(signed: &Signed, contact_id: Id) -> Result<()> {
    if signed.replica.held_history(contact_id).await?.is_some() {
        return Ok(());
    }
    match signed.hub.follow(contact_id).await {
        Ok(followed) => {
            signed
                .replica
                .adopt_contact(
                    &followed.contact,
                    &followed.messages,
                    &followed.history,
                    followed.interaction.as_ref(),
                    true,
                )
                .await?;
            tracing::info!(
                contact_id,
                messages = followed.messages.len(),
                "contact kept"
            );
            Ok(())
        }
        Err(error) if error.is_transient() => Ok(()),
        Err(error) => Err(error.into()),
    }
}
