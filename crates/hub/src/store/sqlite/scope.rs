//! Scoped sync on SQLite: what a desktop keeps, and the event log's retention.

use async_trait::async_trait;
use parley_proto::{Id, Interaction, Millis};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::port::Scope;
use crate::store::rows::{INTERACTION_COLUMNS, InteractionRow, all};

#[async_trait]
impl Scope for Connection {
    async fn follow(&mut self, agent_id: Id, contact_id: Id, at: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO follows (agent_id, contact_id, followed_at) VALUES (?, ?, ?) \
             ON CONFLICT (agent_id, contact_id) DO UPDATE SET followed_at = excluded.followed_at",
        )
        .bind(agent_id)
        .bind(contact_id)
        .bind(at)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn scope_contact_ids(&mut self, agent_id: Id) -> Result<Vec<Id>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM contacts WHERE assigned_agent_id = ?1 \
             UNION SELECT i.contact_id FROM interaction_agents ia \
               JOIN interactions i ON i.id = ia.interaction_id WHERE ia.agent_id = ?1 \
             UNION SELECT contact_id FROM follows WHERE agent_id = ?1",
        )
        .bind(agent_id)
        .fetch_all(self.db())
        .await?)
    }

    async fn scope_recent_contacts(
        &mut self,
        agent_id: Id,
        since: Millis,
        most: u32,
    ) -> Result<Vec<Id>> {
        Ok(sqlx::query_scalar(
            "WITH scope (id) AS ( \
               SELECT id FROM contacts WHERE assigned_agent_id = ?1 \
               UNION SELECT i.contact_id FROM interaction_agents ia \
                 JOIN interactions i ON i.id = ia.interaction_id WHERE ia.agent_id = ?1 \
               UNION SELECT contact_id FROM follows WHERE agent_id = ?1 AND followed_at >= ?2) \
             SELECT c.id FROM contacts c JOIN scope s ON s.id = c.id \
             WHERE c.last_activity_at >= ?2 OR EXISTS (SELECT 1 FROM interactions o \
               WHERE o.contact_id = c.id AND o.state IN ('queued', 'offered', 'active', 'ended')) \
             ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?3",
        )
        .bind(agent_id)
        .bind(since)
        .bind(i64::from(most))
        .fetch_all(self.db())
        .await?)
    }

    async fn scope_interactions(
        &mut self,
        contact_ids: &[Id],
        since: Millis,
    ) -> Result<Vec<Interaction>> {
        let ids = serde_json::to_string(contact_ids)
            .map_err(|error| crate::store::StoreError::Corrupt(error.to_string()))?;
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE contact_id IN (SELECT value FROM json_each(?)) \
               AND (created_at >= ? OR state IN ('queued', 'offered', 'active', 'ended')) \
             ORDER BY id"
        ))
        .bind(ids)
        .bind(since)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn prune_events(&mut self, before: Millis, most: u32) -> Result<u64> {
        // Events are numbered in commit order and stamped with the time of their commit, so
        // the oldest are at the start of the log: look at its first `most` rows only. The
        // newest event always stays (it is the head).
        let through: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(seq) FROM (SELECT seq, at FROM events ORDER BY seq LIMIT ?) \
             WHERE at < ? AND seq < (SELECT MAX(seq) FROM events)",
        )
        .bind(i64::from(most))
        .bind(before)
        .fetch_one(self.db())
        .await?;
        let Some(through) = through else {
            return Ok(0);
        };
        let deleted = sqlx::query("DELETE FROM events WHERE seq <= ?")
            .bind(through)
            .execute(self.db())
            .await?
            .rows_affected();
        sqlx::query(
            "UPDATE event_retention SET pruned_through = MAX(pruned_through, ?) WHERE only_row = 1",
        )
        .bind(through)
        .execute(self.db())
        .await?;
        Ok(deleted)
    }

    async fn pruned_through(&mut self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT pruned_through FROM event_retention WHERE only_row = 1")
                .fetch_one(self.db())
                .await?,
        )
    }
}
