//! Signing in and out, the agent's status, the workspace settings and the agent's figures.

use axum::Json;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
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
use crate::signin::Held;

/// `POST /api/login`.
pub async fn login(
    State(hub): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(request): Json<LoginRequest>,
) -> ApiResult<LoginResponse> {
    let refused = || Failure::new(ErrorCode::Unauthorized, "the login or password is wrong");
    let login = request.login.trim();
    let held = |held: Held| match held {
        Held::Wait(wait) => {
            let seconds = wait.as_secs().max(1);
            tracing::warn!(%login, address = %peer.ip(), seconds, "sign-in held after repeated failures");
            Failure::new(
                ErrorCode::TooManyRequests,
                format!(
                    "too many failed sign-ins: try again in {} minutes",
                    seconds.div_ceil(60)
                ),
            )
            .retry_after(seconds)
        }
        Held::Busy => Failure::new(
            ErrorCode::Unavailable,
            "the hub is busy: sign in again in a moment",
        ),
    };
    hub.sign_in.admit(login, peer.ip()).map_err(held)?;
    let credentials = hub.store.agent_credentials(login).await?;
    let (agent, stored) = match credentials {
        Some((agent, hash)) => (Some(agent), Some(hash)),
        None => (None, None),
    };
    // An unknown login is checked against a decoy: it costs what a wrong password costs.
    let matches = hub
        .sign_in
        .check(login, peer.ip(), request.password, stored)
        .await
        .map_err(held)?;
    let Some(agent) = agent.filter(|_| matches) else {
        tracing::info!(%login, address = %peer.ip(), "login refused");
        return Err(refused());
    };
    if agent.disabled {
        tracing::info!(login = %agent.login, "a disabled account tried to sign in");
        return Err(Failure::new(
            ErrorCode::Forbidden,
            "this account is disabled: ask your administrator",
        ));
    }
    let token = auth::new_token();
    let now = hub.store.now();
    hub.store
        .create_session(
            agent.id,
            &auth::token_hash(&token),
            now + session_span(&hub.config.sessions),
        )
        .await?;
    tracing::info!(login = %agent.login, "agent signed in");
    let lifetime = i64::try_from(hub.config.sessions.lifetime_ms).unwrap_or(i64::MAX);
    Ok(Json(LoginResponse {
        token,
        agent,
        session_ends_at: now.saturating_add(lifetime),
    }))
}

/// How long a new (or just used) session lasts: the idle timeout.
pub(crate) fn session_span(sessions: &crate::config::SessionsConfig) -> i64 {
    i64::try_from(sessions.idle_timeout_ms).unwrap_or(i64::MAX)
}

/// `POST /api/logout`: ends the session. Signing out of the last one hands the agent's
/// offered and active interactions back to routing, and the agent is Not Ready.
pub async fn logout(State(hub): Shared, current: CurrentAgent) -> Result<StatusCode, Failure> {
    let handed = hub
        .store
        .sign_out(current.agent.id, &auth::token_hash(&current.token))
        .await?;
    tracing::info!(login = %current.agent.login, handed, "agent signed out");
    if handed > 0 {
        hub.router.kick();
    }
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
        offer_timeout_ms: hub.config.routing.offer_timeout_ms,
        offline_grace_ms: hub.config.routing.offline_grace_ms,
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
