//! Messages and send attempts, on SQLite.

use async_trait::async_trait;
use parley_proto::search;
use parley_proto::{Id, Message, MessageStatus, Millis};

use super::{Connection, sql};
use crate::store::port::Messages;
use crate::store::rows::{MESSAGE_COLUMNS, MessageRow, all, one};
use crate::store::types::{MessagePage, NewMessage, PendingSend, StoredMessage};
use crate::store::{Result, StoreError};

#[async_trait]
impl Messages for Connection {
    async fn lock_message(&mut self, id: Id) -> Result<Option<StoredMessage>> {
        self.stored_message(id).await
    }

    async fn stored_message(&mut self, id: Id) -> Result<Option<StoredMessage>> {
        let row: Option<MessageRow> =
            sqlx::query_as(sql!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?"))
                .bind(id)
                .fetch_optional(self.db())
                .await?;
        one(row)
    }

    async fn message_id_by_sid(&mut self, provider_sid: &str) -> Result<Option<Id>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM messages WHERE provider_sid = ?")
                .bind(provider_sid)
                .fetch_optional(self.db())
                .await?,
        )
    }

    async fn message_ids_by_sids(&mut self, provider_sids: &[&str]) -> Result<Vec<(String, Id)>> {
        let sids = serde_json::to_string(provider_sids)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        Ok(sqlx::query_as(
            "SELECT provider_sid, id FROM messages \
             WHERE provider_sid IN (SELECT value FROM json_each(?))",
        )
        .bind(sids)
        .fetch_all(self.db())
        .await?)
    }

    async fn insert_messages(&mut self, messages: &[NewMessage<'_>]) -> Result<Vec<StoredMessage>> {
        let mut inserted = Vec::with_capacity(messages.len());
        for chunk in messages.chunks(super::contacts::BULK_ROWS) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO messages (contact_id, interaction_id, direction, body, status, \
                   agent_id, agent_name, client_key, provider_sid, from_number, to_number, \
                   created_at) ",
            );
            insert.push_values(chunk, |mut row, message| {
                row.push_bind(message.contact_id)
                    .push_bind(message.interaction_id)
                    .push_bind(message.direction.as_str())
                    .push_bind(message.body)
                    .push_bind(message.status.as_str())
                    .push_bind(message.agent_id)
                    .push_bind(message.agent_name)
                    .push_bind(message.client_key)
                    .push_bind(message.provider_sid)
                    .push_bind(message.from)
                    .push_bind(message.to)
                    .push_bind(message.created_at);
            });
            insert.push(format!(" RETURNING {MESSAGE_COLUMNS}"));
            let rows: Vec<MessageRow> = insert.build_query_as().fetch_all(self.db()).await?;
            inserted.extend(all::<_, StoredMessage>(rows)?);
        }
        Ok(inserted)
    }

    async fn message_by_client_key(&mut self, client_key: &str) -> Result<Option<Message>> {
        let row: Option<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE client_key = ?"
        ))
        .bind(client_key)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn lock_outbound_by_sid(&mut self, provider_sid: &str) -> Result<Option<StoredMessage>> {
        let row: Option<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages \
             WHERE provider_sid = ? AND direction = 'outbound'"
        ))
        .bind(provider_sid)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn insert_message(&mut self, message: &NewMessage<'_>) -> Result<Message> {
        let row: MessageRow = sqlx::query_as(sql!(
            "INSERT INTO messages (contact_id, interaction_id, direction, body, status, agent_id, \
               agent_name, client_key, provider_sid, from_number, to_number, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(message.contact_id)
        .bind(message.interaction_id)
        .bind(message.direction.as_str())
        .bind(message.body)
        .bind(message.status.as_str())
        .bind(message.agent_id)
        .bind(message.agent_name)
        .bind(message.client_key)
        .bind(message.provider_sid)
        .bind(message.from)
        .bind(message.to)
        .bind(message.created_at)
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn save_delivery(
        &mut self,
        id: Id,
        status: MessageStatus,
        error_code: Option<u32>,
        provider_sid: Option<&str>,
    ) -> Result<Message> {
        let row: MessageRow = sqlx::query_as(sql!(
            "UPDATE messages SET status = ?, error_code = ?, \
               provider_sid = COALESCE(provider_sid, ?) \
             WHERE id = ? RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(status.as_str())
        .bind(error_code.map(i64::from))
        .bind(provider_sid)
        .bind(id)
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn requeue_message(&mut self, id: Id) -> Result<Message> {
        let row: MessageRow = sqlx::query_as(sql!(
            "UPDATE messages SET status = 'queued', error_code = NULL, provider_sid = NULL, \
               send_started_at = NULL, send_attempts = 0 WHERE id = ? RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(id)
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn insert_attempt(
        &mut self,
        provider_sid: &str,
        message_id: Id,
        status: MessageStatus,
        error_code: Option<u32>,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO message_attempts (provider_sid, message_id, status, error_code, \
               replaced_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(provider_sid)
        .bind(message_id)
        .bind(status.as_str())
        .bind(error_code.map(i64::from))
        .bind(now)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn is_attempt(&mut self, provider_sid: &str) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM message_attempts WHERE provider_sid = ?")
                .bind(provider_sid)
                .fetch_optional(self.db())
                .await?;
        Ok(found.is_some())
    }

    async fn save_attempt(
        &mut self,
        provider_sid: &str,
        status: MessageStatus,
        error_code: Option<u32>,
    ) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE message_attempts SET status = ?, error_code = COALESCE(?, error_code) \
             WHERE provider_sid = ?",
        )
        .bind(status.as_str())
        .bind(error_code.map(i64::from))
        .bind(provider_sid)
        .execute(self.db())
        .await?;
        Ok(updated.rows_affected() > 0)
    }

    async fn contact_messages(&mut self, contact_id: Id) -> Result<Vec<Message>> {
        let rows: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE contact_id = ? ORDER BY id"
        ))
        .bind(contact_id)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn contact_message_page(
        &mut self,
        contact_id: Id,
        page: MessagePage,
        limit: u32,
    ) -> Result<Vec<Message>> {
        // Newest first up to the limit (older pages too), then turned oldest first.
        let (condition, order, key) = match page {
            MessagePage::Newest => ("AND id < ?3", "DESC", Id::MAX),
            MessagePage::Before(id) => ("AND id < ?3", "DESC", id),
            MessagePage::After(id) => ("AND id > ?3", "ASC", id),
        };
        let rows: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE contact_id = ?1 {condition} \
             ORDER BY id {order} LIMIT ?2"
        ))
        .bind(contact_id)
        .bind(i64::from(limit))
        .bind(key)
        .fetch_all(self.db())
        .await?;
        let mut messages: Vec<Message> = all(rows)?;
        if order == "DESC" {
            messages.reverse();
        }
        Ok(messages)
    }

    async fn unsent(&mut self, limit: u32) -> Result<Vec<PendingSend>> {
        let rows: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages \
             WHERE status = 'queued' AND provider_sid IS NULL AND direction = 'outbound' \
             ORDER BY id LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn next_unsent(&mut self, contact_id: Id) -> Result<Option<PendingSend>> {
        let row: Option<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE contact_id = ? \
               AND status = 'queued' AND provider_sid IS NULL AND direction = 'outbound' \
             ORDER BY id LIMIT 1"
        ))
        .bind(contact_id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn pending_send(&mut self, id: Id) -> Result<Option<PendingSend>> {
        let row: Option<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ? AND status = 'queued' \
               AND provider_sid IS NULL AND direction = 'outbound'"
        ))
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn mark_send_started(&mut self, id: Id, now: Millis) -> Result<u32> {
        let attempts: i64 = sqlx::query_scalar(
            "UPDATE messages SET send_started_at = ?, send_attempts = send_attempts + 1 \
             WHERE id = ? RETURNING send_attempts",
        )
        .bind(now)
        .bind(id)
        .fetch_one(self.db())
        .await?;
        u32::try_from(attempts).map_err(|_| StoreError::Corrupt("send_attempts".into()))
    }

    async fn unmark_send(&mut self, id: Id) -> Result<u32> {
        let attempts: i64 = sqlx::query_scalar(
            "UPDATE messages SET send_attempts = MAX(send_attempts - 1, 0) WHERE id = ? \
             RETURNING send_attempts",
        )
        .bind(id)
        .fetch_one(self.db())
        .await?;
        u32::try_from(attempts).map_err(|_| StoreError::Corrupt("send_attempts".into()))
    }

    async fn known_sids(&mut self, to: &str, except_message: Id) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT provider_sid FROM messages \
             WHERE to_number = ? AND provider_sid IS NOT NULL AND id != ? \
             UNION SELECT a.provider_sid FROM message_attempts a \
               JOIN messages m ON m.id = a.message_id WHERE m.to_number = ?",
        )
        .bind(to)
        .bind(except_message)
        .bind(to)
        .fetch_all(self.db())
        .await?)
    }

    async fn search_messages(
        &mut self,
        input: &str,
        before: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let Some(query) = search::fts5_query(input) else {
            return Ok(Vec::new());
        };
        // The index walks its matches newest first and stops at the limit: a common word
        // or a one-letter prefix reads 50 matches, not every one.
        let rows: Vec<MessageRow> = sqlx::query_as(sql!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN \
               (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid < ?3 \
                ORDER BY rowid DESC LIMIT ?2) \
             ORDER BY id DESC"
        ))
        .bind(query)
        .bind(i64::from(limit))
        .bind(before.unwrap_or(Id::MAX))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }
}
