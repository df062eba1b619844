//! Scoped sync in the replica: a snapshot from the hub, contacts the agent opened, and how
//! much of each contact's history is held here.

use parley_proto::{Contact, EventKind, HeldHistory, Id, Message, Snapshot};

use super::events::{Authority, apply, upsert_agent, upsert_media, upsert_message};
use super::{Replica, Result};

impl Replica {
    /// Starts again from a hub snapshot, in one transaction: its rows are stored, contacts
    /// it does not hold are dropped (with their messages and interactions, unless the
    /// outbox still has a message of theirs or the agent opened them), and the cursor moves
    /// to the snapshot's seq.
    ///
    /// # Errors
    /// [`super::ReplicaError`]; nothing changes then.
    pub async fn apply_snapshot(&self, snapshot: &Snapshot) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let kept: Vec<Id> = snapshot.contacts.iter().map(|contact| contact.id).collect();
        let kept = serde_json::to_string(&kept)
            .map_err(|error| super::ReplicaError::Corrupt(error.to_string()))?;
        // A contact the agent opened stays: the hub follows it for them from then on, so a
        // snapshot read before they opened it does not know it yet.
        let dropped = "SELECT id FROM contacts WHERE id NOT IN (SELECT value FROM json_each(?1)) \
                       AND id NOT IN (SELECT contact_id FROM outbox) \
                       AND id NOT IN (SELECT contact_id FROM fetched_contacts \
                                      WHERE opened_at IS NOT NULL)";
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
        insert_messages(&mut transaction, &snapshot.messages).await?;
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
        for (key, value) in [
            ("cursor", snapshot.seq.to_string()),
            ("window_days", snapshot.window_days.to_string()),
        ] {
            sqlx::query(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Drops what is older than the hub's window (from the last snapshot): messages and
    /// finished interactions of contacts not opened within it, and contacts left with
    /// nothing recent. A contact in an open interaction, opened within the window, or with
    /// a text still in the outbox keeps everything. Answers how many messages went.
    ///
    /// # Errors
    /// [`super::ReplicaError::Database`].
    pub async fn prune_outside_window(&self, now: parley_proto::Millis) -> Result<u64> {
        let window: Option<String> =
            sqlx::query_scalar("SELECT value FROM sync_state WHERE key = 'window_days'")
                .fetch_optional(&self.pool)
                .await?;
        let Some(days) = window.and_then(|days| days.parse::<i64>().ok()) else {
            return Ok(0);
        };
        let cutoff = now - days * 86_400_000;
        let kept = "SELECT contact_id FROM fetched_contacts WHERE opened_at >= ?1 \
                    UNION SELECT contact_id FROM interactions WHERE state <> 'done' \
                    UNION SELECT contact_id FROM outbox";
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut dropped = 0;
        for (index, statement) in [
            // What is held after the prune starts at the oldest message kept.
            "UPDATE fetched_contacts SET oldest_message_id = COALESCE((SELECT MIN(m.hub_id) \
               FROM messages m WHERE m.contact_id = fetched_contacts.contact_id \
               AND m.created_at >= ?1), 9223372036854775807) \
             WHERE contact_id NOT IN (KEPT) AND EXISTS (SELECT 1 FROM messages m \
               WHERE m.contact_id = fetched_contacts.contact_id AND m.created_at < ?1)",
            "DELETE FROM media WHERE message_hub_id IN (SELECT hub_id FROM messages \
               WHERE created_at < ?1 AND contact_id NOT IN (KEPT))",
            "DELETE FROM messages WHERE created_at < ?1 AND contact_id NOT IN (KEPT) \
               AND id NOT IN (SELECT message_id FROM outbox)",
            "DELETE FROM interactions WHERE state = 'done' AND created_at < ?1 \
               AND contact_id NOT IN (KEPT)",
            "DELETE FROM fetched_contacts WHERE contact_id IN (SELECT c.id FROM contacts c \
               WHERE c.last_activity_at < ?1 AND c.id NOT IN (KEPT) \
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = c.id))",
            "DELETE FROM contacts WHERE last_activity_at < ?1 AND id NOT IN (KEPT) \
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = contacts.id)",
        ]
        .into_iter()
        .enumerate()
        {
            let statement = statement.replace("KEPT", kept);
            let done = sqlx::query(sqlx::AssertSqlSafe(statement))
                .bind(cutoff)
                .execute(&mut *transaction)
                .await?;
            if index == 2 {
                dropped = done.rows_affected();
            }
        }
        transaction.commit().await?;
        Ok(dropped)
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
    /// `opened`, or one that became theirs). What the replica already held of its history
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
        opened: bool,
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
        if opened {
            sqlx::query("UPDATE fetched_contacts SET opened_at = ? WHERE contact_id = ?")
                .bind(super::now_millis())
                .bind(history.contact_id)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Keeps interactions fetched from the hub (a contact's history, read on the Contact
    /// tab), so the history reads offline too.
    ///
    /// # Errors
    /// [`super::ReplicaError::Database`].
    pub async fn keep_interactions(
        &self,
        interactions: &[parley_proto::Interaction],
    ) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for interaction in interactions {
            let interaction = interaction.clone();
            apply(&mut transaction, &EventKind::Interaction { interaction }).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Which of these contacts are held here.
    ///
    /// # Errors
    /// [`super::ReplicaError::Database`].
    pub async fn held_contacts(&self, ids: &[Id]) -> Result<std::collections::HashSet<Id>> {
        let ids = serde_json::to_string(ids)
            .map_err(|error| super::ReplicaError::Corrupt(error.to_string()))?;
        let held: Vec<Id> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(held.into_iter().collect())
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
        // Scrolling up is opening: what the agent read stays past the window.
        sqlx::query("UPDATE fetched_contacts SET opened_at = ? WHERE contact_id = ?")
            .bind(super::now_millis())
            .bind(contact_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }
}

/// Messages a statement stores (11 values each, well under SQLite's limit).
const MESSAGE_ROWS: usize = 500;

/// Stores a snapshot's messages as the hub has them, a few hundred to a statement: matched by
/// hub id, or by client key for a message typed here.
async fn insert_messages(
    transaction: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    messages: &[Message],
) -> Result<()> {
    for chunk in messages.chunks(MESSAGE_ROWS) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO messages (hub_id, client_key, contact_id, interaction_id, direction, body, \
               status, error_code, agent_id, agent_name, created_at) ",
        );
        insert.push_values(chunk, |mut row, message| {
            row.push_bind(message.id)
                .push_bind(message.client_key.as_deref())
                .push_bind(message.contact_id)
                .push_bind(message.interaction_id)
                .push_bind(message.direction.as_str())
                .push_bind(message.body.as_str())
                .push_bind(message.status.as_str())
                .push_bind(message.error_code.map(i64::from))
                .push_bind(message.agent_id)
                .push_bind(message.agent_name.as_deref())
                .push_bind(message.created_at);
        });
        let update = "interaction_id = excluded.interaction_id, body = excluded.body, \
             status = excluded.status, error_code = excluded.error_code, \
             agent_name = COALESCE(excluded.agent_name, agent_name)";
        insert.push(format!(
            " ON CONFLICT (hub_id) DO UPDATE SET {update} \
              ON CONFLICT (client_key) DO UPDATE SET hub_id = excluded.hub_id, {update}"
        ));
        insert.build().execute(&mut **transaction).await?;
        for message in chunk.iter().filter(|message| !message.media.is_empty()) {
            upsert_media(transaction, message).await?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use parley_proto::{
        Contact, Direction, HeldHistory, Id, Interaction, InteractionState, Message, MessageStatus,
        Millis, Snapshot,
    };

    use super::super::{Replica, now_millis};

    const DAY: Millis = 86_400_000;

    fn contact(id: Id, last_activity_at: Millis) -> Contact {
        Contact {
            id,
            phone: format!("+1201555{id:04}"),
            name: None,
            assigned_agent_id: None,
            last_activity_at,
            email: None,
            notes: None,
            opted_out: false,
            reachability: None,
        }
    }

    fn message(id: Id, contact_id: Id, created_at: Millis) -> Message {
        Message {
            id,
            contact_id,
            interaction_id: None,
            direction: Direction::Inbound,
            body: format!("text {id}"),
            status: MessageStatus::Received,
            error_code: None,
            agent_id: None,
            agent_name: None,
            client_key: None,
            created_at,
            media: Vec::new(),
        }
    }

    fn interaction(id: Id, contact_id: Id, state: InteractionState, at: Millis) -> Interaction {
        Interaction {
            id,
            contact_id,
            state,
            agent_id: Some(1),
            created_at: at,
            offered_at: None,
            accepted_at: None,
            ended_at: None,
            ended_by: None,
            done_at: None,
            disposition: None,
            note: None,
        }
    }

    async fn bodies(replica: &Replica, contact_id: Id) -> Vec<String> {
        replica
            .list_messages(contact_id)
            .await
            .expect("reads")
            .into_iter()
            .map(|m| m.body)
            .collect()
    }

    #[tokio::test]
    async fn the_replica_keeps_the_window_and_what_the_agent_opened_or_is_working_on() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let replica = Replica::open(&folder.path().join("replica.db"))
            .await
            .expect("the replica opens");
        let now = now_millis();
        let old = now - 200 * DAY;
        let recent = now - DAY;
        // 1: old and recent texts. 2: only old texts, finished. 3: old texts, in an open
        // chat. 4: old texts, opened by the agent.
        let snapshot = Snapshot {
            seq: 10,
            window_days: 90,
            agents: Vec::new(),
            contacts: vec![
                contact(1, recent),
                contact(2, old),
                contact(3, old),
                contact(4, old),
            ],
            interactions: vec![
                interaction(21, 2, InteractionState::Done, old),
                interaction(31, 3, InteractionState::Active, old),
            ],
            messages: vec![
                message(101, 1, old),
                message(102, 1, recent),
                message(201, 2, old),
                message(301, 3, old),
            ],
            histories: [1, 2, 3]
                .into_iter()
                .map(|contact_id| HeldHistory {
                    contact_id,
                    oldest_message_id: None,
                })
                .collect(),
            read_markers: Vec::new(),
        };
        replica.apply_snapshot(&snapshot).await.expect("applied");
        replica
            .adopt_contact(
                &contact(4, old),
                &[message(401, 4, old)],
                &HeldHistory {
                    contact_id: 4,
                    oldest_message_id: None,
                },
                None,
                true,
            )
            .await
            .expect("opened");

        let dropped = replica.prune_outside_window(now).await.expect("pruned");
        assert_eq!(dropped, 2, "contact 1's old text and contact 2's");
        assert_eq!(bodies(&replica, 1).await, ["text 102"]);
        assert_eq!(
            replica.held_history(1).await.expect("held"),
            Some(Some(102)),
            "older history is the hub's again"
        );
        assert!(
            replica.contact(2).await.is_err(),
            "a finished contact with nothing recent goes"
        );
        assert_eq!(
            bodies(&replica, 3).await,
            ["text 301"],
            "an open chat stays"
        );
        assert_eq!(
            bodies(&replica, 4).await,
            ["text 401"],
            "an opened contact stays"
        );
        assert_eq!(
            replica.prune_outside_window(now).await.expect("pruned"),
            0,
            "a second prune changes nothing"
        );
    }

    #[tokio::test]
    async fn pages_of_search_hits_join_without_gaps_or_repeats() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let replica = Replica::open(&folder.path().join("replica.db"))
            .await
            .expect("the replica opens");
        let events: Vec<parley_proto::Event> = (1..=120)
            .map(|n| parley_proto::Event {
                seq: n,
                at: n,
                kind: parley_proto::EventKind::Message {
                    message: Message {
                        body: format!("refund request {n}"),
                        ..message(1000 + n, 1 + n % 7, n)
                    },
                },
            })
            .collect();
        replica.apply_events(&events).await.expect("applied");
        for id in 1..=7 {
            replica
                .apply_events(&[parley_proto::Event {
                    seq: 1000 + id,
                    at: 0,
                    kind: parley_proto::EventKind::Contact {
                        contact: contact(id, 0),
                    },
                }])
                .await
                .expect("applied");
        }
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut before = None;
        loop {
            let page = replica.search("refund", before).await.expect("a page");
            if page.is_empty() {
                break;
            }
            sizes.push(page.len());
            before = page
                .last()
                .and_then(|hit| hit.message.as_ref())
                .map(|m| m.id);
            seen.extend(
                page.into_iter()
                    .filter_map(|hit| hit.message)
                    .map(|m| m.body),
            );
        }
        assert_eq!(sizes, [50, 50, 20]);
        let expected: Vec<String> = (1..=120)
            .rev()
            .map(|n| format!("refund request {n}"))
            .collect();
        assert_eq!(seen, expected, "newest first, each once");
    }

    #[tokio::test]
    async fn a_contact_opened_before_the_snapshot_arrives_stays_with_its_pictures() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let replica = Replica::open(&folder.path().join("replica.db"))
            .await
            .expect("the replica opens");
        let now = now_millis();
        let picture = parley_proto::Media {
            id: 9,
            position: 0,
            state: parley_proto::MediaState::Ready,
            issue: None,
            content_type: "image/jpeg".into(),
            size: Some(10),
            width: Some(2),
            height: Some(2),
            digest: Some("ab".repeat(32)),
        };
        let opened = Message {
            media: vec![picture],
            ..message(501, 5, now)
        };
        // The agent opens contact 5 while the first snapshot, read before that, is on its
        // way; it does not hold contact 5.
        replica
            .adopt_contact(
                &contact(5, now),
                &[opened],
                &HeldHistory {
                    contact_id: 5,
                    oldest_message_id: None,
                },
                None,
                true,
            )
            .await
            .expect("opened");
        let snapshot = Snapshot {
            seq: 3,
            window_days: 90,
            agents: Vec::new(),
            contacts: vec![contact(6, now)],
            interactions: Vec::new(),
            messages: vec![message(601, 6, now)],
            histories: Vec::new(),
            read_markers: Vec::new(),
        };
        replica.apply_snapshot(&snapshot).await.expect("applied");
        assert_eq!(bodies(&replica, 5).await, ["text 501"]);
        assert!(replica.media(9).await.is_ok(), "its picture is still known");
        assert_eq!(bodies(&replica, 6).await, ["text 601"]);
    }
}
