//! Signing in and out, the agent's status, the workspace settings and the agent's figures.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use parley_proto::{
    Agent, AgentSummary, ErrorCode, LoginRequest, LoginResponse, SetStatusRequest,
    WorkspaceSettings,
};
use serde::Deserialize;

use super::{ApiResult, CurrentAgent, Shared};
use crate::auth;
use crate::error::Failure;
use crate::rules::workspace;

/// `POST /api/login`.
pub async fn login(
    State(hub): Shared,
    Json(request): Json<LoginRequest>,
) -> ApiResult<LoginResponse> {
    let refused = || Failure::new(ErrorCode::Unauthorized, "the login or password is wrong");
    let (agent, hash) = hub
        .store
        .agent_credentials(request.login.trim())
        .await?
        .ok_or_else(refused)?;
    let password = request.password;
    // argon2 is deliberately slow: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|error| {
            tracing::error!(%error, "password check panicked");
            Failure::new(ErrorCode::Internal, "the hub could not check the password")
        })?;
    if !matches {
        tracing::info!(login = %agent.login, "login refused");
        return Err(refused());
    }
    let token = auth::new_token();
    hub.store
        .create_session(
            agent.id,
            &auth::token_hash(&token),
            hub.store.now() + auth::SESSION_LIFETIME_MS,
        )
        .await?;
    tracing::info!(login = %agent.login, "agent signed in");
    Ok(Json(LoginResponse { token, agent }))
}

/// `POST /api/logout`.
pub async fn logout(State(hub): Shared, current: CurrentAgent) -> Result<StatusCode, Failure> {
    hub.store
        .delete_session(&auth::token_hash(&current.token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/me`.
pub async fn me(current: CurrentAgent) -> Json<Agent> {
    Json(current.agent)
}

/// `PUT /api/me/status`.
pub async fn set_status(
    State(hub): Shared,
    current: CurrentAgent,
    Json(request): Json<SetStatusRequest>,
) -> ApiResult<Agent> {
    let reason = workspace::status_reason(
        &hub.config.workspace.not_ready_reasons,
        request.status,
        request.reason.as_deref(),
    )?;
    let agent = hub
        .store
        .set_agent_status(current.agent.id, request.status, reason)
        .await?;
    tracing::info!(login = %agent.login, status = agent.status.as_str(), "agent status changed");
    hub.router.kick();
    Ok(Json(agent))
}

/// `GET /api/settings`.
pub async fn settings(State(hub): Shared, _current: CurrentAgent) -> Json<WorkspaceSettings> {
    let workspace = &hub.config.workspace;
    Json(WorkspaceSettings {
        dispositions: workspace.dispositions.clone(),
        disposition_required: workspace.disposition_required,
        not_ready_reasons: workspace.not_ready_reasons.clone(),
        standard_responses: workspace.standard_responses.clone(),
    })
}

#[derive(Debug, Deserialize)]
pub struct SummaryQuery {
    since: i64,
}

/// `GET /api/me/summary?since=ms`.
pub async fn summary(
    State(hub): Shared,
    current: CurrentAgent,
    Query(query): Query<SummaryQuery>,
) -> ApiResult<AgentSummary> {
    Ok(Json(
        hub.store
            .agent_summary(current.agent.id, query.since)
            .await?,
    ))
}
