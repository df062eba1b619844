//! The HTTP JSON API and the WebSocket event stream (see `docs/api.md`), one file per
//! part of the workspace; the signed-in agent extractor is here.

mod admin;
mod carrier;
mod contacts;
mod interactions;
mod media;
mod messages;
mod session;
mod stream;

pub(crate) use admin::{
    agents, disable_agent, enable_agent, revoke_sessions, roles, set_password,
    set_role_permissions, update_agent,
};
pub(crate) use carrier::{inject, sim_inbound, sim_media, sim_outbox};
pub(crate) use contacts::{
    contact, contact_interactions, contact_messages, contacts, follow, mark_read, mark_unread,
    read_markers, search, update_contact,
};
pub(crate) use interactions::{
    accept, create_interaction, decline, end_interaction, interactions, mark_done, save_wrap_up,
};
pub(crate) use media::{media_file, media_thumbnail, public_media};
pub(crate) use messages::{retry_message, send_message, upload};
pub(crate) use session::{login, logout, me, set_status, settings, summary};
pub(crate) use stream::{events, snapshot, stream, stream_ticket};

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use parley_proto::{Agent, Role};

use crate::HubState;
use crate::auth;
use crate::error::Failure;

type Shared = State<Arc<HubState>>;
type ApiResult<T> = Result<Json<T>, Failure>;

/// The signed-in agent, from `Authorization: Bearer <token>`.
pub struct CurrentAgent {
    pub agent: Agent,
    token: String,
}

impl CurrentAgent {
    /// Refuses (403, naming what is missing) unless `allowed`.
    fn require(&self, allowed: bool, missing: &str) -> Result<(), Failure> {
        if allowed {
            Ok(())
        } else {
            tracing::info!(login = %self.agent.login, missing, "refused: no permission");
            Err(Failure::new(
                parley_proto::ErrorCode::Forbidden,
                format!("this needs {missing}"),
            ))
        }
    }

    /// Supervisors and admins.
    fn supervises(&self) -> bool {
        matches!(self.agent.role, Role::Supervisor | Role::Admin)
    }

    /// A contact this agent may see; otherwise "no such contact" (404), so an agent
    /// without the all-contacts permission does not learn which contacts exist.
    async fn see_contact(
        &self,
        hub: &HubState,
        contact_id: parley_proto::Id,
    ) -> Result<(), Failure> {
        if hub.store.may_see_contact(&self.agent, contact_id).await? {
            Ok(())
        } else {
            Err(Failure::new(
                parley_proto::ErrorCode::NotFound,
                "no such contact",
            ))
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    bearer_header(&parts.headers)
}

/// The token of an `Authorization: Bearer …` header.
fn bearer_header(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The agent a session belongs to; using a session slides it (see `[sessions]`).
async fn agent_for_token(hub: &HubState, token: &str) -> Result<Agent, Failure> {
    agent_for_session(hub, &auth::token_hash(token)).await
}

/// [`agent_for_token`] by the token's hash.
async fn agent_for_session(hub: &HubState, session_hash: &str) -> Result<Agent, Failure> {
    let sessions = &hub.config.sessions;
    let slide = (
        i64::try_from(sessions.idle_timeout_ms).unwrap_or(i64::MAX),
        i64::try_from(sessions.lifetime_ms).unwrap_or(i64::MAX),
    );
    hub.store
        .use_session(session_hash, Some(slide))
        .await?
        .ok_or_else(Failure::unauthorized)
}

impl FromRequestParts<Arc<HubState>> for CurrentAgent {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<HubState>) -> Result<Self, Failure> {
        let token = bearer(parts).ok_or_else(Failure::unauthorized)?.to_owned();
        let agent = agent_for_token(hub, &token).await?;
        Ok(Self { agent, token })
    }
}

/// `GET /healthz`: 200 when the database answers and every background worker is alive,
/// 503 otherwise, with what is wrong:
/// `{"status":"ok","database":"ok","workers":{"sender":{"state":"alive"},…}}`.
pub async fn health(State(hub): Shared) -> Response {
    let database = match hub.store.head_seq().await {
        Ok(_) => "ok".to_owned(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            format!("unavailable: {error}")
        }
    };
    let workers = hub.workers.report();
    let healthy = database == "ok"
        && workers
            .values()
            .all(|worker| *worker == crate::health::WorkerHealth::Alive);
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({
            "status": if healthy { "ok" } else { "unhealthy" },
            "database": database,
            "workers": workers,
        })),
    )
        .into_response()
}

/// `GET /readyz`: whether this hub should be sent traffic — the database answers, every
/// worker is alive, the database has every migration this build knows, and the hub is not
/// shutting down. 503 names what is missing.
pub async fn ready(State(hub): Shared) -> Response {
    let mut missing: Vec<String> = Vec::new();
    match hub.store.pending_migrations().await {
        Ok(0) => {}
        Ok(pending) => missing.push(format!("{pending} migration(s) not applied")),
        Err(error) => {
            tracing::error!(%error, "readiness check failed");
            missing.push(format!("database unavailable: {error}"));
        }
    }
    for (name, worker) in hub.workers.report() {
        if worker != crate::health::WorkerHealth::Alive {
            missing.push(format!("worker {name} is not alive"));
        }
    }
    if *hub.stopping.borrow() {
        missing.push("shutting down".to_owned());
    }
    let status = if missing.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({
            "status": if missing.is_empty() { "ready" } else { "not ready" },
            "missing": missing,
        })),
    )
        .into_response()
}

/// `GET /metrics`: the hub's figures in Prometheus text. Off when `[service] metrics =
/// false` (404); with `metrics_token` set, only for `Authorization: Bearer <token>`.
pub async fn metrics(State(hub): Shared, headers: axum::http::HeaderMap) -> Response {
    let service = &hub.config.service;
    if !service.metrics {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(token) = &service.metrics_token {
        let given = bearer_header(&headers).unwrap_or_default();
        // Compared as hashes: the time taken says nothing about the token.
        if auth::token_hash(given) != auth::token_hash(token) {
            return (
                StatusCode::UNAUTHORIZED,
                [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
                "the metrics need the token of [service] metrics_token",
            )
                .into_response();
        }
    }
    match crate::telemetry::render(&hub.store).await {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot read the figures for /metrics");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
                .into_response()
        }
    }
}
