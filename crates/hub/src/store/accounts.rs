//! Agents, their sessions and their status on the SMS channel.

use parley_proto::{Agent, AgentStatus, AgentSummary, EventKind, Id, Millis};

use super::{AgentSettings, Change, Refusal, Result, Store, StoreError, transaction};
use crate::rules::lifecycle;

impl Store {
    /// Creates an agent account.
    ///
    /// # Errors
    /// [`Refusal::LoginTaken`].
    pub async fn create_agent(
        &self,
        login: &str,
        name: &str,
        password_hash: &str,
        settings: AgentSettings,
    ) -> Result<Agent> {
        transaction!(self, change => {
            let now = change.now;
            let agent = change
                .insert_agent(login, name, password_hash, settings, now)
                .await?
                .ok_or_else(|| Refusal::LoginTaken { login: login.to_owned() })?;
            change.emit(EventKind::Agent { agent: agent.clone() });
            Ok(agent)
        })
    }

    /// Looks an agent up by login, with the stored password hash.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn agent_credentials(&self, login: &str) -> Result<Option<(Agent, String)>> {
        self.read().await?.credentials(login).await
    }

    /// An agent by id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn agent(&self, id: Id) -> Result<Agent> {
        self.read()
            .await?
            .agent(id)
            .await?
            .ok_or(StoreError::NotFound("agent"))
    }

    /// Stores a session token's hash.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn create_session(
        &self,
        agent_id: Id,
        token_hash: &str,
        expires_at: Millis,
    ) -> Result<()> {
        let now = self.now();
        self.read()
            .await?
            .insert_session(token_hash, agent_id, now, expires_at)
            .await
    }

    /// The agent a live session token belongs to.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn session_agent(&self, token_hash: &str) -> Result<Option<Agent>> {
        let now = self.now();
        self.read().await?.session_agent(token_hash, now).await
    }

    /// Ends a session.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.read().await?.delete_session(token_hash).await
    }

    /// Sets an agent's SMS channel status. Going Not Ready puts the agent's pending offers
    /// back in the queue, so nothing waits on an agent who stepped away.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn set_agent_status(
        &self,
        agent_id: Id,
        status: AgentStatus,
        reason: Option<&str>,
    ) -> Result<Agent> {
        transaction!(self, change => { set_status(&mut change, agent_id, status, reason).await })
    }

    /// An agent's figures for the interactions they marked Done since `since`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn agent_summary(&self, agent_id: Id, since: Millis) -> Result<AgentSummary> {
        self.read().await?.agent_summary(agent_id, since).await
    }
}

/// Sets an agent's status within a change; Not Ready requeues the agent's offers.
pub(super) async fn set_status(
    change: &mut Change,
    agent_id: Id,
    status: AgentStatus,
    reason: Option<&str>,
) -> Result<Agent> {
    // Ready needs no reason; a reason left from Not Ready goes.
    let reason = reason.filter(|_| status == AgentStatus::NotReady);
    let agent = change
        .save_status(agent_id, status, reason)
        .await?
        .ok_or(StoreError::NotFound("agent"))?;
    change.emit(EventKind::Agent {
        agent: agent.clone(),
    });
    if status == AgentStatus::NotReady {
        for offered in change.offered_to(agent_id).await? {
            let interaction = change
                .save_interaction(&lifecycle::requeue(&offered))
                .await?;
            change.emit(EventKind::Interaction { interaction });
        }
    }
    Ok(agent)
}
