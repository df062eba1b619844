//! The outbox: messages the agent wrote, saved here first and handed to the hub in order,
//! exactly once.

use parley_proto::{ComposeRequest, Id, Message};

use super::events::{Authority, upsert_message};
use super::{MESSAGE_COLUMNS, MessageRow, Replica, ReplicaError, Result, now_millis};

/// A message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub outbox_id: Id,
    pub message_id: Id,
    pub client_key: String,
    pub contact_id: Id,
    pub interaction_id: Option<Id>,
    pub body: String,
    /// Pictures already on the hub that go with it.
    pub upload_ids: Vec<Id>,
}

impl Replica {
    /// Saves a message the agent wrote, as pending, with its outbox entry — durably
    /// (`synchronous = FULL`) before the agent is told it is saved.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn enqueue(
        &self,
        request: &ComposeRequest,
        client_key: &str,
        agent_id: Id,
    ) -> Result<Message> {
        let now = now_millis();
        let mut connection = self.pool.acquire().await?;
        sqlx::query("PRAGMA synchronous = FULL")
            .execute(&mut *connection)
            .await?;
        let outcome = async {
            // IMMEDIATE: take the write lock up front (waiting up to busy_timeout), so the
            // sync task's writes never make this one fail half-way.
            let mut transaction = sqlx::Connection::begin_with(&mut *connection, "BEGIN IMMEDIATE").await?;
            let row: MessageRow = sqlx::query_as(sql!(
                "INSERT INTO messages (client_key, contact_id, interaction_id, direction, body, status, agent_id, created_at) \
                 VALUES (?, ?, ?, 'outbound', ?, 'pending', ?, ?) RETURNING {MESSAGE_COLUMNS}"
            ))
            .bind(client_key)
            .bind(request.contact_id)
            .bind(request.interaction_id)
            .bind(&request.body)
            .bind(agent_id)
            .bind(now)
            .fetch_one(&mut *transaction)
            .await?;
            let uploads = serde_json::to_string(request.upload_ids.as_deref().unwrap_or_default())
                .map_err(|error| ReplicaError::Corrupt(format!("upload ids: {error}")))?;
            sqlx::query(
                "INSERT INTO outbox (message_id, client_key, contact_id, interaction_id, body, created_at, \
                   upload_ids) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(row.id)
            .bind(client_key)
            .bind(request.contact_id)
            .bind(request.interaction_id)
            .bind(&request.body)
            .bind(now)
            .bind(uploads)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Message::try_from(row)
        }
        .await;
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut *connection)
            .await?;
        outcome
    }

    /// The oldest message still to hand to the hub.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn next_outbox(&self) -> Result<Option<OutboxItem>> {
        type Row = (i64, i64, String, i64, Option<i64>, String, String);
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, message_id, client_key, contact_id, interaction_id, body, upload_ids \
             FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(
            |(outbox_id, message_id, client_key, contact_id, interaction_id, body, uploads)| {
                Ok(OutboxItem {
                    outbox_id,
                    message_id,
                    client_key,
                    contact_id,
                    interaction_id,
                    body,
                    upload_ids: serde_json::from_str(&uploads)
                        .map_err(|_| ReplicaError::Corrupt(format!("upload ids {uploads:?}")))?,
                })
            },
        )
        .transpose()
    }

    /// How many messages wait in the outbox.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn outbox_len(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The hub accepted an outbox message: record its copy of the message.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn outbox_sent(&self, item: &OutboxItem, accepted: &Message) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE outbox SET state = 'sent', attempts = attempts + 1 WHERE id = ?")
            .bind(item.outbox_id)
            .execute(&mut *transaction)
            .await?;
        upsert_message(&mut transaction, accepted, Authority::Answer).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// The hub refused an outbox message for good: show it failed.
    ///
    /// # Errors
    /// [`ReplicaError::Database`].
    pub async fn outbox_failed(&self, item: &OutboxItem, reason: &str) -> Result<()> {
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        )
        .bind(reason)
        .bind(item.outbox_id)
        .execute(&mut *transaction)
        .await?;
        sqlx::query("UPDATE messages SET status = 'failed' WHERE id = ?")
            .bind(item.message_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }
}
