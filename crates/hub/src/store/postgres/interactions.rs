//! Interactions, on PostgreSQL.

use async_trait::async_trait;
use parley_proto::{ContactInteraction, EndedBy, Id, Interaction, Millis};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::port::Interactions;
use crate::store::rows::{
    HistoryRow, INTERACTION_COLUMNS, INTERACTION_COLUMNS_OF_I, InteractionRow, QueuedRow, all, one,
};
use crate::store::types::Queued;

/// Rows one bulk statement writes (well under PostgreSQL's limit of parameters).
pub(super) const BULK_ROWS: usize = 1_000;

#[async_trait]
impl Interactions for Connection {
    async fn interaction(&mut self, id: Id) -> Result<Option<Interaction>> {
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn lock_interaction(&mut self, id: Id) -> Result<Option<Interaction>> {
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE id = $1 FOR UPDATE"
        ))
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn open_interaction(&mut self, contact_id: Id) -> Result<Option<Interaction>> {
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE contact_id = $1 \
             AND state IN ('queued', 'offered', 'active', 'ended') \
             ORDER BY id DESC LIMIT 1 FOR UPDATE"
        ))
        .bind(contact_id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn open_interactions(&mut self, contact_ids: &[Id]) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE contact_id = ANY($1) \
             AND state IN ('queued', 'offered', 'active', 'ended') \
             ORDER BY contact_id, id FOR UPDATE"
        ))
        .bind(contact_ids)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn insert_interactions(
        &mut self,
        interactions: &[Interaction],
    ) -> Result<Vec<Interaction>> {
        let mut inserted = Vec::with_capacity(interactions.len());
        for chunk in interactions.chunks(BULK_ROWS) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Postgres>::new(
                "INSERT INTO interactions (contact_id, state, agent_id, created_at, offered_at, \
                   accepted_at, ended_at, ended_by, done_at, disposition, note) ",
            );
            insert.push_values(chunk, |mut row, interaction| {
                row.push_bind(interaction.contact_id)
                    .push_bind(interaction.state.as_str())
                    .push_bind(interaction.agent_id)
                    .push_bind(interaction.created_at)
                    .push_bind(interaction.offered_at)
                    .push_bind(interaction.accepted_at)
                    .push_bind(interaction.ended_at)
                    .push_bind(interaction.ended_by.map(EndedBy::as_str))
                    .push_bind(interaction.done_at)
                    .push_bind(interaction.disposition.clone())
                    .push_bind(interaction.note.clone());
            });
            insert.push(format!(" RETURNING {INTERACTION_COLUMNS}"));
            let rows: Vec<InteractionRow> = insert.build_query_as().fetch_all(self.db()).await?;
            inserted.extend(all::<_, Interaction>(rows)?);
        }
        Ok(inserted)
    }

    async fn insert_interaction(&mut self, interaction: &Interaction) -> Result<Interaction> {
        let row: InteractionRow = sqlx::query_as(sql!(
            "INSERT INTO interactions (contact_id, state, agent_id, created_at, offered_at, \
               accepted_at, ended_at, ended_by, done_at, disposition, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(interaction.contact_id)
        .bind(interaction.state.as_str())
        .bind(interaction.agent_id)
        .bind(interaction.created_at)
        .bind(interaction.offered_at)
        .bind(interaction.accepted_at)
        .bind(interaction.ended_at)
        .bind(interaction.ended_by.map(EndedBy::as_str))
        .bind(interaction.done_at)
        .bind(interaction.disposition.as_deref())
        .bind(interaction.note.as_deref())
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn save_interaction(&mut self, interaction: &Interaction) -> Result<Interaction> {
        let row: InteractionRow = sqlx::query_as(sql!(
            "UPDATE interactions SET state = $1, agent_id = $2, offered_at = $3, \
               accepted_at = $4, ended_at = $5, ended_by = $6, done_at = $7, disposition = $8, \
               note = $9 \
             WHERE id = $10 RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(interaction.state.as_str())
        .bind(interaction.agent_id)
        .bind(interaction.offered_at)
        .bind(interaction.accepted_at)
        .bind(interaction.ended_at)
        .bind(interaction.ended_by.map(EndedBy::as_str))
        .bind(interaction.done_at)
        .bind(interaction.disposition.as_deref())
        .bind(interaction.note.as_deref())
        .bind(interaction.id)
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn agent_interactions(&mut self, agent_id: Id) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE agent_id = $1 AND state IN ('offered', 'active', 'ended') ORDER BY id"
        ))
        .bind(agent_id)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn held_by(&mut self, agent_id: Id) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE agent_id = $1 AND state IN ('offered', 'active') ORDER BY id FOR UPDATE"
        ))
        .bind(agent_id)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn save_decline(&mut self, interaction_id: Id, agent_id: Option<Id>) -> Result<()> {
        sqlx::query("UPDATE interactions SET declined_by = $1 WHERE id = $2")
            .bind(agent_id)
            .bind(interaction_id)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn offered_to(&mut self, agent_id: Id) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE agent_id = $1 AND state = 'offered' ORDER BY id FOR UPDATE"
        ))
        .bind(agent_id)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn lapsed_offers(&mut self, offered_before: Millis) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE state = 'offered' AND offered_at < $1 ORDER BY id FOR UPDATE"
        ))
        .bind(offered_before)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn quiet_interactions(&mut self, before: Millis) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS_OF_I} FROM interactions i WHERE i.state = 'active' \
               AND COALESCE((SELECT MAX(m.created_at) FROM messages m \
                             WHERE m.interaction_id = i.id), i.accepted_at, i.created_at) < $1 \
             ORDER BY i.id FOR UPDATE OF i"
        ))
        .bind(before)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn last_message_at(&mut self, interaction_id: Id) -> Result<Option<Millis>> {
        Ok(
            sqlx::query_scalar("SELECT MAX(created_at) FROM messages WHERE interaction_id = $1")
                .bind(interaction_id)
                .fetch_one(self.db())
                .await?,
        )
    }

    async fn claim_queued(&mut self) -> Result<Vec<Queued>> {
        // Rows another hub's transaction holds (a message joining a queued interaction)
        // are left for the next pass.
        let rows: Vec<QueuedRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS_OF_I}, c.assigned_agent_id, i.declined_by \
             FROM interactions i JOIN contacts c ON c.id = i.contact_id \
             WHERE i.state = 'queued' ORDER BY i.created_at, i.id FOR UPDATE OF i SKIP LOCKED"
        ))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn contact_history(
        &mut self,
        contact_id: Id,
        page: Option<parley_proto::rows::HistoryPage>,
    ) -> Result<Vec<ContactInteraction>> {
        let rows: Vec<HistoryRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS_OF_I}, a.name AS agent_name \
             FROM interactions i LEFT JOIN agents a ON a.id = i.agent_id \
             WHERE i.contact_id = $1 AND i.id < $2 ORDER BY i.id DESC LIMIT $3"
        ))
        .bind(contact_id)
        .bind(page.and_then(|page| page.before).unwrap_or(Id::MAX))
        .bind(page.map(|page| i64::from(page.limit)))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }
}
