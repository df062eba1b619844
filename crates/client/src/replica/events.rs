//! The hub's events applied to the replica, in order, once each, with the sync cursor.

use parley_proto::{
    Agent, EndedBy, Event, EventKind, Id, MediaIssue, Message, MessageStatus, Reachability,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::{Replica, ReplicaError, Result};

impl Replica {
    /// The last hub event applied here.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn cursor(&self) -> Result<i64> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT value FROM sync_state WHERE key = 'cursor'")
                .fetch_optional(&self.pool)
                .await?;
        value.map_or(Ok(0), |text| {
            text.parse()
                .map_err(|_| ReplicaError::Corrupt(format!("cursor {text:?}")))
        })
    }

    /// Applies hub events in order, with the cursor, in one transaction. Events at or below
    /// the cursor are skipped, so replaying a batch changes nothing. Returns the events
    /// that were new.
    ///
    /// # Errors
    /// [`ReplicaError`]; nothing is applied then.
    pub async fn apply_events(&self, events: &[Event]) -> Result<Vec<Event>> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut cursor = read_cursor(&mut transaction).await?;
        let mut applied = Vec::new();
        for event in events {
            if event.seq <= cursor {
                continue;
            }
            apply(&mut transaction, &event.kind).await?;
            cursor = event.seq;
            applied.push(event.clone());
        }
        if !applied.is_empty() {
            sqlx::query(
                "INSERT INTO sync_state (key, value) VALUES ('cursor', ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(cursor.to_string())
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(applied)
    }

    /// Contacts here (or named by an interaction here) never fetched from the hub: the
    /// scoped stream carries a contact's events from when it became the agent's, so its
    /// row and newest history are fetched once.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn contacts_to_fetch(&self) -> Result<Vec<Id>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM contacts WHERE id NOT IN (SELECT contact_id FROM fetched_contacts) \
             UNION SELECT contact_id FROM interactions \
               WHERE contact_id NOT IN (SELECT contact_id FROM fetched_contacts) ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Stores the signed-in agent (before the event log mentions them).
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn save_agent(&self, agent: &Agent) -> Result<()> {
        let mut connection = self.pool.acquire().await?;
        upsert_agent(&mut connection, agent).await
    }

    /// Raises local read markers to the hub's (never lowers them).
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn merge_read_markers(&self, markers: &[(Id, Id)]) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (contact_id, last_read) in markers {
            sqlx::query(
                "INSERT INTO read_markers (contact_id, last_read_hub_id) VALUES (?, ?) \
                 ON CONFLICT (contact_id) DO UPDATE SET last_read_hub_id = MAX(last_read_hub_id, excluded.last_read_hub_id)",
            )
            .bind(contact_id)
            .bind(last_read)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}

async fn read_cursor(transaction: &mut Transaction<'static, Sqlite>) -> Result<i64> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM sync_state WHERE key = 'cursor'")
            .fetch_optional(&mut **transaction)
            .await?;
    value.map_or(Ok(0), |text| {
        text.parse()
            .map_err(|_| ReplicaError::Corrupt(format!("cursor {text:?}")))
    })
}

pub(super) async fn apply(
    transaction: &mut Transaction<'static, Sqlite>,
    kind: &EventKind,
) -> Result<()> {
    match kind {
        EventKind::Contact { contact } => {
            sqlx::query(
                "INSERT INTO contacts (id, phone, name, assigned_agent_id, last_activity_at, email, notes, \
                   opted_out, reachability) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET phone = excluded.phone, name = excluded.name, \
                 assigned_agent_id = excluded.assigned_agent_id, last_activity_at = excluded.last_activity_at, \
                 email = excluded.email, notes = excluded.notes, opted_out = excluded.opted_out, \
                 reachability = excluded.reachability",
            )
            .bind(contact.id)
            .bind(&contact.phone)
            .bind(&contact.name)
            .bind(contact.assigned_agent_id)
            .bind(contact.last_activity_at)
            .bind(&contact.email)
            .bind(&contact.notes)
            .bind(i64::from(contact.opted_out))
            .bind(contact.reachability.map(Reachability::as_str))
            .execute(&mut **transaction)
            .await?;
        }
        EventKind::Interaction { interaction } => {
            sqlx::query(
                                "INSERT INTO interactions (id, contact_id, state, agent_id, created_at, offered_at, accepted_at, \
                   ended_at, ended_by, done_at, disposition, note) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, \
                 agent_id = excluded.agent_id, offered_at = excluded.offered_at, \
                 accepted_at = excluded.accepted_at, ended_at = excluded.ended_at, ended_by = excluded.ended_by, \
                 done_at = excluded.done_at, disposition = excluded.disposition, note = excluded.note",
            )
            .bind(interaction.id)
            .bind(interaction.contact_id)
            .bind(interaction.state.as_str())
            .bind(interaction.agent_id)
            .bind(interaction.created_at)
            .bind(interaction.offered_at)
            .bind(interaction.accepted_at)
                        .bind(interaction.ended_at)
            .bind(interaction.ended_by.map(EndedBy::as_str))
            .bind(interaction.done_at)
            .bind(&interaction.disposition)
            .bind(&interaction.note)
            .execute(&mut **transaction)
            .await?;
        }
        EventKind::Message { message } => {
            upsert_message(transaction, message, Authority::EventLog).await?;
        }
        EventKind::Agent { agent } => upsert_agent(transaction, agent).await?,
        // Another agent's business, or the hub noting a contact this desktop keeps: only
        // the cursor moves.
        EventKind::Hidden | EventKind::Followed { .. } => {}
    }
    Ok(())
}

pub(super) async fn upsert_agent(connection: &mut SqliteConnection, agent: &Agent) -> Result<()> {
    sqlx::query(
        "INSERT INTO agents (id, login, name, role, status, status_reason, auto_answer, max_chats, \
           can_save_media, all_contacts, edit_contacts, text_outside_interaction, disabled) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET login = excluded.login, name = excluded.name, role = excluded.role, \
         status = excluded.status, status_reason = excluded.status_reason, \
         auto_answer = excluded.auto_answer, max_chats = excluded.max_chats, \
         can_save_media = excluded.can_save_media, all_contacts = excluded.all_contacts, \
         edit_contacts = excluded.edit_contacts, \
         text_outside_interaction = excluded.text_outside_interaction, \
         disabled = excluded.disabled",
    )
    .bind(agent.id)
    .bind(&agent.login)
    .bind(&agent.name)
    .bind(agent.role.as_str())
    .bind(agent.status.as_str())
    .bind(&agent.status_reason)
    .bind(i64::from(agent.auto_answer))
    .bind(i64::from(agent.max_chats))
    .bind(i64::from(agent.permissions.save_media))
    .bind(i64::from(agent.permissions.all_contacts))
    .bind(i64::from(agent.permissions.edit_contacts))
    .bind(i64::from(agent.permissions.text_outside_interaction))
    .bind(i64::from(agent.disabled))
    .execute(connection)
    .await?;
    Ok(())
}

/// Where a copy of a message comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Authority {
    /// The hub's ordered event log: its status is the truth, even a step back (a failed
    /// message sent again is queued again).
    EventLog,
    /// An answer to a request, which may arrive after newer events: its status only
    /// moves forward.
    Answer,
}

/// Records the hub's copy of a message and its pictures: matched by hub id, or by client
/// key for a message typed here.
pub(super) async fn upsert_message(
    transaction: &mut Transaction<'static, Sqlite>,
    message: &Message,
    authority: Authority,
) -> Result<()> {
    upsert_media(transaction, message).await?;
    let existing: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM messages WHERE hub_id = ? OR (client_key IS NOT NULL AND client_key = ?) LIMIT 1",
    )
    .bind(message.id)
    .bind(&message.client_key)
    .fetch_optional(&mut **transaction)
    .await?;
    match existing {
        Some((local_id, status)) => {
            let current = MessageStatus::parse(&status)
                .ok_or_else(|| ReplicaError::Corrupt(format!("status {status:?}")))?;
            let forward =
                authority == Authority::EventLog || message.status.rank() >= current.rank();
            sqlx::query(
                "UPDATE messages SET hub_id = ?, interaction_id = ?, body = ?, \
                 agent_name = COALESCE(?, agent_name), \
                 status = CASE WHEN ? THEN ? ELSE status END, \
                 error_code = CASE WHEN ? THEN ? ELSE error_code END WHERE id = ?",
            )
            .bind(message.id)
            .bind(message.interaction_id)
            .bind(&message.body)
            .bind(&message.agent_name)
            .bind(forward)
            .bind(message.status.as_str())
            .bind(forward)
            .bind(message.error_code.map(i64::from))
            .bind(local_id)
            .execute(&mut **transaction)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO messages (hub_id, client_key, contact_id, interaction_id, direction, body, status, \
                   error_code, agent_id, agent_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(message.id)
            .bind(&message.client_key)
            .bind(message.contact_id)
            .bind(message.interaction_id)
            .bind(message.direction.as_str())
            .bind(&message.body)
            .bind(message.status.as_str())
            .bind(message.error_code.map(i64::from))
            .bind(message.agent_id)
            .bind(&message.agent_name)
            .bind(message.created_at)
            .execute(&mut **transaction)
            .await?;
        }
    }
    Ok(())
}

/// The hub always sends a message with all its pictures: they replace what was known.
pub(super) async fn upsert_media(
    transaction: &mut Transaction<'static, Sqlite>,
    message: &Message,
) -> Result<()> {
    if message.media.is_empty() {
        return Ok(());
    }
    sqlx::query("DELETE FROM media WHERE message_hub_id = ?")
        .bind(message.id)
        .execute(&mut **transaction)
        .await?;
    for media in &message.media {
        sqlx::query(
            "INSERT OR REPLACE INTO media (id, message_hub_id, position, state, issue, content_type, size, \
               width, height, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(media.id)
        .bind(message.id)
        .bind(i64::from(media.position))
        .bind(media.state.as_str())
        .bind(media.issue.map(MediaIssue::as_str))
        .bind(&media.content_type)
        .bind(media.size.map(i64::from))
        .bind(media.width.map(i64::from))
        .bind(media.height.map(i64::from))
        .bind(&media.digest)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}
