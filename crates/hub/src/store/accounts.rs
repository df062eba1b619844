//! Agents, their sessions and their status on the SMS channel.

use parley_proto::{
    Agent, AgentStatus, AgentSummary, EventKind, Id, Millis, Permissions, Role, UpdateAgentRequest,
};

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
            let permissions = match settings.permissions {
                Some(permissions) => permissions,
                None => change.role_permissions(settings.role).await?,
            };
            let agent = change
                .insert_agent(login, name, password_hash, settings, permissions, now)
                .await?
                .ok_or_else(|| Refusal::LoginTaken { login: login.to_owned() })?;
            change.emit(EventKind::Agent { agent: agent.clone() });
            Ok(agent)
        })
    }

    /// Every agent account, by login.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_agents(&self) -> Result<Vec<Agent>> {
        self.read().await?.all_agents().await
    }

    /// What a role's new agents may do.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn role_permissions(&self, role: Role) -> Result<Permissions> {
        self.read().await?.role_permissions(role).await
    }

    /// Sets what a role may do: for the agents it gets from now on and every agent it has
    /// (each of whom hears of it).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn set_role_permissions(
        &self,
        role: Role,
        permissions: Permissions,
    ) -> Result<Vec<Agent>> {
        transaction!(self, change => {
            let agents = change.save_role_permissions(role, permissions).await?;
            for agent in &agents {
                change.emit(EventKind::Agent { agent: agent.clone() });
            }
            Ok(agents)
        })
    }

    /// Changes an account (an admin's edit). A new role without permissions given brings
    /// that role's permissions.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn update_agent(&self, agent_id: Id, update: &UpdateAgentRequest) -> Result<Agent> {
        transaction!(self, change => {
            let mut agent = change.agent(agent_id).await?.ok_or(StoreError::NotFound("agent"))?;
            if let Some(name) = &update.name {
                agent.name = name.trim().to_owned();
            }
            if let Some(role) = update.role
                && role != agent.role
            {
                agent.role = role;
                agent.permissions = change.role_permissions(role).await?;
            }
            if let Some(permissions) = update.permissions {
                agent.permissions = permissions;
            }
            if let Some(auto_answer) = update.auto_answer {
                agent.auto_answer = auto_answer;
            }
            if let Some(max_chats) = update.max_chats {
                agent.max_chats = max_chats;
            }
            let agent = change.save_account(&agent).await?.ok_or(StoreError::NotFound("agent"))?;
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

    /// The agent a live session token belongs to (not a disabled account's). A session in
    /// use slides: it lasts `idle` past its last use, never beyond `lifetime` after sign-in.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn session_agent(&self, token_hash: &str) -> Result<Option<Agent>> {
        self.use_session(token_hash, None).await
    }

    /// [`Store::session_agent`], sliding the session by `idle` up to `lifetime`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn use_session(
        &self,
        token_hash: &str,
        slide: Option<(Millis, Millis)>,
    ) -> Result<Option<Agent>> {
        let now = self.now();
        let mut read = self.read().await?;
        let Some(session) = read.session(token_hash, now).await? else {
            return Ok(None);
        };
        if let Some((idle, lifetime)) = slide {
            let until = (now + idle).min(session.created_at + lifetime);
            // A write at most once a minute per session, not on every request.
            if until - session.expires_at >= 60_000 {
                read.extend_session(token_hash, until).await?;
            }
        }
        Ok(Some(session.agent))
    }

    /// Disables or enables an account. Disabling ends its sessions (its streams close
    /// within a second) and it cannot sign in until enabled again.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn set_disabled(&self, agent_id: Id, disabled: bool) -> Result<Agent> {
        transaction!(self, change => {
            let agent = change
                .save_disabled(agent_id, disabled)
                .await?
                .ok_or(StoreError::NotFound("agent"))?;
            if disabled {
                change.delete_sessions(agent_id).await?;
                if agent.status == AgentStatus::Ready {
                    set_status(&mut change, agent_id, AgentStatus::NotReady, None).await?;
                }
            }
            change.emit(EventKind::Agent { agent: agent.clone() });
            Ok(agent)
        })
    }

    /// Ends every session of an agent (they sign in again); how many there were.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn revoke_sessions(&self, agent_id: Id) -> Result<u64> {
        self.read().await?.delete_sessions(agent_id).await
    }

    /// Sets an agent's password (an argon2 hash) and ends their sessions.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn set_password(&self, agent_id: Id, password_hash: &str) -> Result<()> {
        transaction!(self, change => {
            if !change.save_password(agent_id, password_hash).await? {
                return Err(StoreError::NotFound("agent"));
            }
            change.delete_sessions(agent_id).await?;
            Ok(())
        })
    }

    /// Ends a session.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.read().await?.delete_session(token_hash).await
    }

    /// Stores a single-use ticket that opens the event stream for a session until
    /// `expires_at`; `false` when the session has ended meanwhile.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn create_stream_ticket(
        &self,
        session_hash: &str,
        ticket_hash: &str,
        expires_at: Millis,
    ) -> Result<bool> {
        let now = self.now();
        transaction!(self, change => {
            change
                .insert_ticket(ticket_hash, session_hash, now, expires_at)
                .await
        })
    }

    /// Uses up a stream ticket: the session it was issued for, unless it was used before or
    /// has expired.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn redeem_stream_ticket(&self, ticket_hash: &str) -> Result<Option<String>> {
        let now = self.now();
        self.read().await?.take_ticket(ticket_hash, now).await
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
