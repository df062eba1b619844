//! Agents, their status and sessions, on PostgreSQL.

use async_trait::async_trait;
use parley_proto::{Agent, AgentStatus, AgentSummary, Id, Millis, Permissions, Role};

use super::{Connection, sql};
use crate::rules::routing::Candidate;
use crate::store::port::Agents;
use crate::store::rows::{AGENT_COLUMNS, AgentRow, CredentialsRow, ReadyRow, SessionRow, all, one};
use crate::store::types::{AgentSettings, Session};
use crate::store::{Result, StoreError};

#[async_trait]
impl Agents for Connection {
    async fn insert_agent(
        &mut self,
        login: &str,
        name: &str,
        password_hash: &str,
        settings: AgentSettings,
        permissions: Permissions,
        now: Millis,
    ) -> Result<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(sql!(
            "INSERT INTO agents (login, name, password_hash, role, auto_answer, max_chats, \
               can_save_media, all_contacts, edit_contacts, text_outside_interaction, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (login) DO NOTHING RETURNING {AGENT_COLUMNS}"
        ))
        .bind(login)
        .bind(name)
        .bind(password_hash)
        .bind(settings.role.as_str())
        .bind(settings.auto_answer)
        .bind(i64::from(settings.max_chats))
        .bind(permissions.save_media)
        .bind(permissions.all_contacts)
        .bind(permissions.edit_contacts)
        .bind(permissions.text_outside_interaction)
        .bind(now)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn all_agents(&mut self) -> Result<Vec<Agent>> {
        let rows: Vec<AgentRow> =
            sqlx::query_as(sql!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY login"))
                .fetch_all(self.db())
                .await?;
        all(rows)
    }

    async fn role_permissions(&mut self, role: Role) -> Result<Permissions> {
        let (save_media, all_contacts, edit_contacts, text_outside_interaction): (
            bool,
            bool,
            bool,
            bool,
        ) = sqlx::query_as(
            "SELECT save_media, all_contacts, edit_contacts, text_outside_interaction \
             FROM role_permissions WHERE role = $1",
        )
        .bind(role.as_str())
        .fetch_optional(self.db())
        .await?
        .ok_or(StoreError::Corrupt(format!(
            "no permissions for the role {}",
            role.as_str()
        )))?;
        Ok(Permissions {
            save_media,
            all_contacts,
            edit_contacts,
            text_outside_interaction,
        })
    }

    async fn save_role_permissions(
        &mut self,
        role: Role,
        permissions: Permissions,
    ) -> Result<Vec<Agent>> {
        sqlx::query(
            "UPDATE role_permissions SET save_media = $1, all_contacts = $2, \
               edit_contacts = $3, text_outside_interaction = $4 WHERE role = $5",
        )
        .bind(permissions.save_media)
        .bind(permissions.all_contacts)
        .bind(permissions.edit_contacts)
        .bind(permissions.text_outside_interaction)
        .bind(role.as_str())
        .execute(self.db())
        .await?;
        let rows: Vec<AgentRow> = sqlx::query_as(sql!(
            "UPDATE agents SET can_save_media = $1, all_contacts = $2, \
               edit_contacts = $3, text_outside_interaction = $4 WHERE role = $5 \
             RETURNING {AGENT_COLUMNS}"
        ))
        .bind(permissions.save_media)
        .bind(permissions.all_contacts)
        .bind(permissions.edit_contacts)
        .bind(permissions.text_outside_interaction)
        .bind(role.as_str())
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn save_account(&mut self, agent: &Agent) -> Result<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(sql!(
            "UPDATE agents SET name = $1, role = $2, auto_answer = $3, max_chats = $4, \
               can_save_media = $5, all_contacts = $6, edit_contacts = $7, \
               text_outside_interaction = $8 WHERE id = $9 RETURNING {AGENT_COLUMNS}"
        ))
        .bind(&agent.name)
        .bind(agent.role.as_str())
        .bind(agent.auto_answer)
        .bind(i64::from(agent.max_chats))
        .bind(agent.permissions.save_media)
        .bind(agent.permissions.all_contacts)
        .bind(agent.permissions.edit_contacts)
        .bind(agent.permissions.text_outside_interaction)
        .bind(agent.id)
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
               AND accepted_at IS NOT NULL \
               AND EXISTS (SELECT 1 FROM messages m WHERE m.interaction_id = interactions.id)",
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

    async fn session(&mut self, token_hash: &str, now: Millis) -> Result<Option<Session>> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT a.id, a.login, a.name, a.role, a.status, a.status_reason, a.auto_answer, \
               a.max_chats, a.can_save_media, a.all_contacts, a.edit_contacts, \
               a.text_outside_interaction, a.disabled, s.created_at, s.expires_at \
             FROM sessions s JOIN agents a ON a.id = s.agent_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT a.disabled",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn extend_session(&mut self, token_hash: &str, expires_at: Millis) -> Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(expires_at)
            .bind(token_hash)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn delete_sessions(&mut self, agent_id: Id) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
            .bind(agent_id)
            .execute(self.db())
            .await?
            .rows_affected())
    }

    async fn save_disabled(&mut self, agent_id: Id, disabled: bool) -> Result<Option<Agent>> {
        let row: Option<AgentRow> = sqlx::query_as(sql!(
            "UPDATE agents SET disabled = $1 WHERE id = $2 RETURNING {AGENT_COLUMNS}"
        ))
        .bind(disabled)
        .bind(agent_id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn save_password(&mut self, agent_id: Id, password_hash: &str) -> Result<bool> {
        Ok(
            sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(agent_id)
                .execute(self.db())
                .await?
                .rows_affected()
                == 1,
        )
    }

    async fn live_sessions(&mut self, agent_id: Id, now: Millis) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE agent_id = $1 AND expires_at > $2",
        )
        .bind(agent_id)
        .bind(now)
        .fetch_one(self.db())
        .await?)
    }

    async fn save_seen(&mut self, agent_id: Id, seen_at: Option<Millis>) -> Result<()> {
        sqlx::query("UPDATE agents SET seen_at = $1 WHERE id = $2")
            .bind(seen_at)
            .bind(agent_id)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn away_agents(&mut self, now: Millis, seen_before: Millis) -> Result<Vec<(Id, bool)>> {
        Ok(sqlx::query_as(
            "SELECT id, signed_out FROM (SELECT a.id, a.status, a.seen_at, \
               NOT EXISTS (SELECT 1 FROM sessions s \
                 WHERE s.agent_id = a.id AND s.expires_at > $1) AS signed_out \
               FROM agents a) p \
             WHERE (p.signed_out OR (p.seen_at IS NOT NULL AND p.seen_at < $2)) \
               AND (p.status = 'ready' OR EXISTS (SELECT 1 FROM interactions i \
                 WHERE i.agent_id = p.id AND i.state IN ('offered', 'active'))) \
             ORDER BY p.id",
        )
        .bind(now)
        .bind(seen_before)
        .fetch_all(self.db())
        .await?)
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn insert_ticket(
        &mut self,
        ticket_hash: &str,
        session_hash: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<bool> {
        sqlx::query("DELETE FROM stream_tickets WHERE expires_at <= $1")
            .bind(now)
            .execute(self.db())
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO stream_tickets (ticket_hash, session_hash, expires_at) \
             SELECT $1, token_hash, $2 FROM sessions WHERE token_hash = $3",
        )
        .bind(ticket_hash)
        .bind(expires_at)
        .bind(session_hash)
        .execute(self.db())
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn take_ticket(&mut self, ticket_hash: &str, now: Millis) -> Result<Option<String>> {
        let session: Option<(String, Millis)> = sqlx::query_as(
            "DELETE FROM stream_tickets WHERE ticket_hash = $1 RETURNING session_hash, expires_at",
        )
        .bind(ticket_hash)
        .fetch_optional(self.db())
        .await?;
        Ok(session
            .filter(|(_, expires_at)| *expires_at > now)
            .map(|(session_hash, _)| session_hash))
    }
}
