//! Interactions, on SQLite.

use async_trait::async_trait;
use parley_proto::{ContactInteraction, Id, Interaction, Millis};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::port::Interactions;
use crate::store::rows::{
    INTERACTION_COLUMNS, INTERACTION_COLUMNS_OF_I, InteractionRow, QueuedRow, all, one,
};
use crate::store::types::Queued;

#[async_trait]
impl Interactions for Connection {
    async fn interaction(&mut self, id: Id) -> Result<Option<Interaction>> {
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn lock_interaction(&mut self, id: Id) -> Result<Option<Interaction>> {
        self.interaction(id).await
    }

    async fn open_interaction(&mut self, contact_id: Id) -> Result<Option<Interaction>> {
        let row: Option<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions WHERE contact_id = ? \
             AND state IN ('queued', 'offered', 'active', 'ended') ORDER BY id DESC LIMIT 1"
        ))
        .bind(contact_id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn open_interactions(&mut self, contact_ids: &[Id]) -> Result<Vec<Interaction>> {
        let ids = serde_json::to_string(contact_ids)
            .map_err(|error| crate::store::StoreError::Corrupt(error.to_string()))?;
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE contact_id IN (SELECT value FROM json_each(?)) \
               AND state IN ('queued', 'offered', 'active', 'ended')"
        ))
        .bind(ids)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn insert_interactions(
        &mut self,
        interactions: &[Interaction],
    ) -> Result<Vec<Interaction>> {
        let mut inserted = Vec::with_capacity(interactions.len());
        for chunk in interactions.chunks(super::contacts::BULK_ROWS) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
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
                    .push_bind(interaction.ended_by.map(parley_proto::EndedBy::as_str))
                    .push_bind(interaction.done_at)
                    .push_bind(interaction.disposition.as_deref())
                    .push_bind(interaction.note.as_deref());
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(interaction.contact_id)
        .bind(interaction.state.as_str())
        .bind(interaction.agent_id)
        .bind(interaction.created_at)
        .bind(interaction.offered_at)
        .bind(interaction.accepted_at)
        .bind(interaction.ended_at)
        .bind(interaction.ended_by.map(parley_proto::EndedBy::as_str))
        .bind(interaction.done_at)
        .bind(interaction.disposition.as_deref())
        .bind(interaction.note.as_deref())
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn save_interaction(&mut self, interaction: &Interaction) -> Result<Interaction> {
        let row: InteractionRow = sqlx::query_as(sql!(
            "UPDATE interactions SET state = ?, agent_id = ?, offered_at = ?, accepted_at = ?, \
               ended_at = ?, ended_by = ?, done_at = ?, disposition = ?, note = ? \
             WHERE id = ? RETURNING {INTERACTION_COLUMNS}"
        ))
        .bind(interaction.state.as_str())
        .bind(interaction.agent_id)
        .bind(interaction.offered_at)
        .bind(interaction.accepted_at)
        .bind(interaction.ended_at)
        .bind(interaction.ended_by.map(parley_proto::EndedBy::as_str))
        .bind(interaction.done_at)
        .bind(interaction.disposition.as_deref())
        .bind(interaction.note.as_deref())
        .bind(interaction.id)
        .fetch_one(self.db())
        .await?;
        Ok(row.try_into()?)
    }

    async fn agent_interactions(&mut self, agent_id: Id) -> Result<Vec<Interaction>> {
        Ok(parley_proto::rows::sqlite::agent_interactions(self.db(), agent_id).await?)
    }

    async fn held_by(&mut self, agent_id: Id) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE agent_id = ? AND state IN ('offered', 'active') ORDER BY id"
        ))
        .bind(agent_id)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn save_decline(&mut self, interaction_id: Id, agent_id: Option<Id>) -> Result<()> {
        sqlx::query("UPDATE interactions SET declined_by = ? WHERE id = ?")
            .bind(agent_id)
            .bind(interaction_id)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn offered_to(&mut self, agent_id: Id) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE agent_id = ? AND state = 'offered' ORDER BY id"
        ))
        .bind(agent_id)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn lapsed_offers(&mut self, offered_before: Millis) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE state = 'offered' AND offered_at < ? ORDER BY id"
        ))
        .bind(offered_before)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn quiet_interactions(&mut self, before: Millis) -> Result<Vec<Interaction>> {
        let rows: Vec<InteractionRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions i WHERE i.state = 'active' \
               AND COALESCE((SELECT MAX(m.created_at) FROM messages m \
                             WHERE m.interaction_id = i.id), i.accepted_at, i.created_at) < ? \
             ORDER BY i.id"
        ))
        .bind(before)
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn last_message_at(&mut self, interaction_id: Id) -> Result<Option<Millis>> {
        Ok(
            sqlx::query_scalar("SELECT MAX(created_at) FROM messages WHERE interaction_id = ?")
                .bind(interaction_id)
                .fetch_one(self.db())
                .await?,
        )
    }

    async fn claim_queued(&mut self) -> Result<Vec<Queued>> {
        let rows: Vec<QueuedRow> = sqlx::query_as(sql!(
            "SELECT {INTERACTION_COLUMNS_OF_I}, c.assigned_agent_id, i.declined_by \
             FROM interactions i JOIN contacts c ON c.id = i.contact_id \
             WHERE i.state = 'queued' ORDER BY i.created_at, i.id"
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
        Ok(parley_proto::rows::sqlite::contact_history(self.db(), contact_id, page).await?)
    }
}
