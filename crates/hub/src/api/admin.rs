//! Accounts: supervisors see every agent and each role's permissions; admins change them.

use axum::Json;
use axum::extract::{Path, State};
use parley_proto::{Agent, ErrorCode, Id, Permissions, Role, RolePermissions, UpdateAgentRequest};

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
