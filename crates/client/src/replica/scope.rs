//! Scoped sync in the replica: a snapshot from the hub, contacts the agent opened, and how
//! much of each contact's history is held here.

use parley_proto::{Contact, EventKind, HeldHistory, Id, Message, Snapshot};

use super::events::{Authority, apply, upsert_agent, upsert_message};
use super::{Replica, Result};

impl Replica {
    /// Starts again from a hub snapshot, in one transaction: its rows are stored, contacts
    /// it does not hold are dropped (with their messages and interactions, unless the
    /// outbox still has a message of theirs), and the cursor moves to the snapshot's seq.
    ///
    /// # Errors
    /// [`super::ReplicaError`]; nothing changes then.
    pub async fn apply_snapshot(&self, snapshot: &Snapshot) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let kept: Vec<Id> = snapshot.contacts.iter().map(|contact| contact.id).collect();
        let kept = serde_json::to_string(&kept)
            .map_err(|error| super::ReplicaError::Corrupt(error.to_string()))?;
        let dropped = "SELECT id FROM contacts WHERE id NOT IN (SELECT value FROM json_each(?1)) \
                       AND id NOT IN (SELECT contact_id FROM outbox)";
        for statement in [
            "DELETE FROM media WHERE message_hub_id IN (SELECT hub_id FROM messages \
               WHERE contact_id IN (DROPPED))",
            "DELETE FROM messages WHERE contact_id IN (DROPPED)",
            "DELETE FROM interactions WHERE contact_id IN (DROPPED)",
            "DELETE FROM fetched_contacts WHERE contact_id IN (DROPPED)",
            "DELETE FROM contacts WHERE id IN (DROPPED)",
        ] {
            let statement = statement.replace("DROPPED", dropped);
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .bind(&kept)
                .execute(&mut *transaction)
                .await?;
        }
        for agent in &snapshot.agents {
            upsert_agent(&mut transaction, agent).await?;
        }
        for contact in &snapshot.contacts {
            let contact = contact.clone();
            apply(&mut transaction, &EventKind::Contact { contact }).await?;
        }
        for interaction in &snapshot.interactions {
            let interaction = interaction.clone();
            apply(&mut transaction, &EventKind::Interaction { interaction }).await?;
        }
        for message in &snapshot.messages {
            upsert_message(&mut transaction, message, Authority::EventLog).await?;
        }
        for history in &snapshot.histories {
            hold(&mut transaction, history, true).await?;
        }
        for (contact_id, last_read) in &snapshot.read_markers {
            sqlx::query(
                "INSERT INTO read_markers (contact_id, last_read_hub_id) VALUES (?, ?) \
                 ON CONFLICT (contact_id) DO UPDATE \
                 SET last_read_hub_id = MAX(last_read_hub_id, excluded.last_read_hub_id)",
            )
            .bind(contact_id)
            .bind(last_read)
            .execute(&mut *transaction)
            .await?;
        }
        sqlx::query(
            "INSERT INTO sync_state (key, value) VALUES ('cursor', ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(snapshot.seq.to_string())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// How much of a contact's history is here: `None` when it was never fetched,
    /// `Some(None)` for all of it, `Some(Some(id))` from hub message `id` on.
    ///
    /// # Errors
    /// [`super::ReplicaError::Database`].
    pub async fn held_history(&self, contact_id: Id) -> Result<Option<Option<Id>>> {
        Ok(sqlx::query_scalar(
            "SELECT oldest_message_id FROM fetched_contacts WHERE contact_id = ?",
        )
        .bind(contact_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Keeps a contact and its newest messages fetched from the hub (a contact the agent
    /// opened, or one that became theirs). What the replica already held of its history
    /// stays held.
    ///
    /// # Errors
    /// [`super::ReplicaError::Database`].
    pub async fn adopt_contact(
        &self,
        contact: &Contact,
        messages: &[Message],
        history: &HeldHistory,
        interaction: Option<&parley_proto::Interaction>,
    ) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let contact = contact.clone();
        apply(&mut transaction, &EventKind::Contact { contact }).await?;
        if let Some(interaction) = interaction {
            let interaction = interaction.clone();
            apply(&mut transaction, &EventKind::Interaction { interaction }).await?;
        }
        for message in messages {
            upsert_message(&mut transaction, message, Authority::Answer).await?;
        }
        hold(&mut transaction, history, false).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Keeps older messages of a contact fetched from the hub (the agent scrolled up past
    /// what was held); `complete` when they reach the start of its history.
    ///
    /// # Errors
    /// [`super::ReplicaError::Database`].
    pub async fn adopt_older(
        &self,
        contact_id: Id,
        messages: &[Message],
        complete: bool,
    ) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for message in messages {
            upsert_message(&mut transaction, message, Authority::Answer).await?;
        }
        let oldest = if complete {
            None
        } else {
            messages.iter().map(|message| message.id).min()
        };
        let history = HeldHistory {
            contact_id,
            oldest_message_id: oldest,
        };
        if complete || oldest.is_some() {
            hold(&mut transaction, &history, true).await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}

/// Records how much of a contact's history is held: replacing what was recorded
/// (`replace`), or only where nothing was.
async fn hold(
    transaction: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    history: &HeldHistory,
    replace: bool,
) -> Result<()> {
    let statement = if replace {
        "INSERT INTO fetched_contacts (contact_id, oldest_message_id) VALUES (?, ?) \
         ON CONFLICT (contact_id) DO UPDATE SET oldest_message_id = excluded.oldest_message_id"
    } else {
        "INSERT INTO fetched_contacts (contact_id, oldest_message_id) VALUES (?, ?) \
         ON CONFLICT (contact_id) DO NOTHING"
    };
    sqlx::query(statement)
        .bind(history.contact_id)
        .bind(history.oldest_message_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}
