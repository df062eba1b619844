//! Agents, their status and sessions, on PostgreSQL.

use async_trait::async_trait;
use parley_proto::{Agent, AgentStatus, AgentSummary, Id, Millis};

use super::{Connection, sql};
use crate::rules::routing::Candidate;
use crate::store::Result;
use crate::store::port::Agents;
use crate::store::rows::{AGENT_COLUMNS, AgentRow, CredentialsRow, ReadyRow, one};
use crate::store::types::AgentSettings;

#[async_trait]
impl Agents for Connection {
    async fn insert_agent(
        &mut self,
        login: &str,
        name: &str,
        password_hash: &str,
        settings: AgentSettings,
        now: Millis,
    ) -> Result<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(sql!(
            "INSERT INTO agents (login, name, password_hash, role, auto_answer, max_chats, \
               can_save_media, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (login) DO NOTHING RETURNING {AGENT_COLUMNS}"
        ))
        .bind(login)
        .bind(name)
        .bind(password_hash)
        .bind(settings.role.as_str())
        .bind(settings.auto_answer)
        .bind(i64::from(settings.max_chats))
        .bind(settings.can_save_media)
        .bind(now)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn agent(&mut self, id: Id) -> Result<Option<Agent>> {
        let row: Option<AgentRow> =
            sqlx::query_as(sql!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.db())
                .await?;
        one(row)
    }

    async fn credentials(&mut self, login: &str) -> Result<Option<(Agent, String)>> {
        let row: Option<CredentialsRow> = sqlx::query_as(sql!(
            "SELECT {AGENT_COLUMNS}, password_hash FROM agents WHERE login = $1"
        ))
        .bind(login)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn save_status(
        &mut self,
        id: Id,
        status: AgentStatus,
        reason: Option<&str>,
    ) -> Result<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(sql!(
            "UPDATE agents SET status = $1, status_reason = $2 WHERE id = $3 \
             RETURNING {AGENT_COLUMNS}"
        ))
        .bind(status.as_str())
        .bind(reason)
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn ready_agents(&mut self) -> Result<Vec<(Candidate, bool)>> {
        let rows: Vec<ReadyRow> = sqlx::query_as(
            "SELECT a.id, a.max_chats, a.last_offered_at, \
               (SELECT COUNT(*) FROM interactions i WHERE i.agent_id = a.id \
                  AND i.state IN ('offered', 'active')) AS load, \
               a.auto_answer \
             FROM agents a WHERE a.status = 'ready' ORDER BY a.id",
        )
        .fetch_all(self.db())
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn note_offer(&mut self, agent_id: Id, now: Millis) -> Result<()> {
        sqlx::query("UPDATE agents SET last_offered_at = $1 WHERE id = $2")
            .bind(now)
            .bind(agent_id)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn agent_summary(&mut self, agent_id: Id, since: Millis) -> Result<AgentSummary> {
        let figures: (i64, Option<f64>, Option<f64>, Option<f64>) = sqlx::query_as(
            "SELECT COUNT(*), AVG(done_at - accepted_at)::float8, \
               AVG(ended_at - accepted_at)::float8, AVG(done_at - ended_at)::float8 \
             FROM interactions WHERE agent_id = $1 AND state = 'done' AND done_at >= $2 \
               AND accepted_at IS NOT NULL",
        )
        .bind(agent_id)
        .bind(since)
        .fetch_one(self.db())
        .await?;
        Ok(crate::store::summary(figures))
    }

    async fn insert_session(
        &mut self,
        token_hash: &str,
        agent_id: Id,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(agent_id)
        .bind(now)
        .bind(expires_at)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn session_agent(&mut self, token_hash: &str, now: Millis) -> Result<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(
            "SELECT a.id, a.login, a.name, a.role, a.status, a.status_reason, a.auto_answer, \
               a.max_chats, a.can_save_media \
             FROM sessions s JOIN agents a ON a.id = s.agent_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.db())
            .await?;
        Ok(())
    }
}
