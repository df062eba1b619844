//! Accounts: supervisors see every agent and each role's permissions; admins change them.

use axum::Json;
use axum::extract::{Path, State};
use parley_proto::{
    Agent, ErrorCode, Id, Permissions, RevokedSessions, Role, RolePermissions, SetPasswordRequest,
    UpdateAgentRequest,
};

use super::{ApiResult, CurrentAgent, Shared};
use crate::error::Failure;

impl CurrentAgent {
    fn require_supervisor(&self) -> Result<(), Failure> {
        self.require(self.supervises(), "a supervisor or admin")
    }

    fn require_admin(&self) -> Result<(), Failure> {
        self.require(self.agent.role == Role::Admin, "an admin")
    }
}

/// `GET /api/agents`: every account (supervisors and admins).
pub async fn agents(State(hub): Shared, current: CurrentAgent) -> ApiResult<Vec<Agent>> {
    current.require_supervisor()?;
    Ok(Json(hub.store.list_agents().await?))
}

/// `PUT /api/agents/{id}`: an account's name, role, permissions and routing settings
/// (admins). The agent hears of it at once (an agent event).
pub async fn update_agent(
    State(hub): Shared,
    current: CurrentAgent,
    Path(agent_id): Path<Id>,
    Json(request): Json<UpdateAgentRequest>,
) -> ApiResult<Agent> {
    current.require_admin()?;
    if let Some(name) = &request.name
        && (name.trim().is_empty() || name.chars().count() > 100)
    {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "the name must be 1 to 100 characters",
        ));
    }
    if let Some(max_chats) = request.max_chats
        && !(1..=50).contains(&max_chats)
    {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "maxChats must be between 1 and 50",
        ));
    }
    if agent_id == current.agent.id && request.role.is_some_and(|role| role != Role::Admin) {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "an admin cannot take away their own admin role (another admin can)",
        ));
    }
    let agent = hub.store.update_agent(agent_id, &request).await?;
    tracing::info!(
        agent_id,
        by = %current.agent.login,
        role = agent.role.as_str(),
        permissions = ?agent.permissions,
        "account changed"
    );
    Ok(Json(agent))
}

/// `GET /api/roles`: what each role's agents may do (supervisors and admins).
pub async fn roles(State(hub): Shared, current: CurrentAgent) -> ApiResult<Vec<RolePermissions>> {
    current.require_supervisor()?;
    let mut roles = Vec::new();
    for role in [Role::Agent, Role::Supervisor, Role::Admin] {
        roles.push(RolePermissions {
            role,
            permissions: hub.store.role_permissions(role).await?,
        });
    }
    Ok(Json(roles))
}

/// `PUT /api/roles/{role}/permissions`: what a role's agents may do, now and from now on
/// (admins). Every agent of the role hears of it.
pub async fn set_role_permissions(
    State(hub): Shared,
    current: CurrentAgent,
    Path(role): Path<Role>,
    Json(permissions): Json<Permissions>,
) -> ApiResult<RolePermissions> {
    current.require_admin()?;
    let agents = hub.store.set_role_permissions(role, permissions).await?;
    tracing::info!(
        role = role.as_str(),
        agents = agents.len(),
        by = %current.agent.login,
        ?permissions,
        "role permissions changed"
    );
    Ok(Json(RolePermissions { role, permissions }))
}

/// `POST /api/agents/{id}/disable`: the account cannot sign in, and its sessions end (its
/// streams close within a second) (admins; not their own).
pub async fn disable_agent(
    State(hub): Shared,
    current: CurrentAgent,
    Path(agent_id): Path<Id>,
) -> ApiResult<Agent> {
    current.require_admin()?;
    if agent_id == current.agent.id {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "an admin cannot disable their own account (another admin can)",
        ));
    }
    let agent = hub.store.set_disabled(agent_id, true).await?;
    tracing::info!(login = %agent.login, by = %current.agent.login, "account disabled");
    Ok(Json(agent))
}

/// `POST /api/agents/{id}/enable` (admins).
pub async fn enable_agent(
    State(hub): Shared,
    current: CurrentAgent,
    Path(agent_id): Path<Id>,
) -> ApiResult<Agent> {
    current.require_admin()?;
    let agent = hub.store.set_disabled(agent_id, false).await?;
    tracing::info!(login = %agent.login, by = %current.agent.login, "account enabled");
    Ok(Json(agent))
}

/// `POST /api/agents/{id}/revoke-sessions`: every session of the account ends (admins).
pub async fn revoke_sessions(
    State(hub): Shared,
    current: CurrentAgent,
    Path(agent_id): Path<Id>,
) -> ApiResult<RevokedSessions> {
    current.require_admin()?;
    hub.store.agent(agent_id).await?;
    let revoked = hub.store.revoke_sessions(agent_id).await?;
    tracing::info!(agent_id, revoked, by = %current.agent.login, "sessions revoked");
    Ok(Json(RevokedSessions { revoked }))
}

/// `PUT /api/agents/{id}/password` `{password}`: a new password (at least 8 characters);
/// the account's sessions end (admins).
pub async fn set_password(
    State(hub): Shared,
    current: CurrentAgent,
    Path(agent_id): Path<Id>,
    Json(request): Json<SetPasswordRequest>,
) -> Result<axum::http::StatusCode, Failure> {
    current.require_admin()?;
    let length = request.password.chars().count();
    if !(8..=256).contains(&length) {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "the password must be 8 to 256 characters",
        ));
    }
    let password = request.password;
    let hash = tokio::task::spawn_blocking(move || crate::hash_password(&password))
        .await
        .map_err(|_| Failure::new(ErrorCode::Internal, "the password could not be hashed"))?
        .map_err(|_| Failure::new(ErrorCode::Internal, "the password could not be hashed"))?;
    hub.store.set_password(agent_id, &hash).await?;
    tracing::info!(agent_id, by = %current.agent.login, "password set; sessions ended");
    Ok(axum::http::StatusCode::NO_CONTENT)
}
