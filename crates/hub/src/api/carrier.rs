//! The simulated carrier's endpoints (sim provider only).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parley_proto::{ErrorCode, SimInboundRequest, SimOutboundMessage};

use super::{ApiResult, CurrentAgent, Shared};
use crate::HubState;
use crate::error::Failure;
use crate::store::Inbound;

/// `GET /sim/media/{name}` (sim provider only): the simulated carrier's sample pictures.
pub async fn sim_media(Path(name): Path<String>) -> Response {
    use axum::http::header;
    match crate::sim::sample(&name) {
        Some((content_type, bytes)) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such sample").into_response(),
    }
}

/// The simulated carrier acts for customers (it can even text STOP): a supervisor's or an
/// admin's tool.
fn carrier_operator(current: &CurrentAgent) -> Result<(), Failure> {
    if current.supervises() {
        Ok(())
    } else {
        Err(Failure::new(
            ErrorCode::Forbidden,
            "the simulated carrier is for supervisors and admins",
        ))
    }
}

/// `POST /api/sim/inbound` (sim provider only; supervisors and admins): a customer texts the
/// contact center.
pub async fn sim_inbound(
    State(hub): Shared,
    current: CurrentAgent,
    Json(request): Json<SimInboundRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), Failure> {
    carrier_operator(&current)?;
    let sid = inject(&hub, request).await?;
    tracing::info!(login = %current.agent.login, %sid, "simulated inbound message");
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "sid": sid }))))
}

/// A customer's text through the simulated carrier; the carrier's message sid.
///
/// # Errors
/// 400 for a bad number, text or picture name.
pub async fn inject(hub: &HubState, request: SimInboundRequest) -> Result<String, Failure> {
    let from = parley_sms::normalize_e164(&request.from)
        .map_err(|error| Failure::new(ErrorCode::InvalidNumber, error.to_string()))?;
    if request.body.chars().count() > parley_proto::limits::MAX_BODY_CHARS {
        return Err(Failure::new(ErrorCode::BadRequest, "the text is too long"));
    }
    if request.body.trim().is_empty() && request.media.is_empty() {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "a text or a picture is needed",
        ));
    }
    if request.media.len() > parley_proto::limits::MAX_ATTACHMENTS {
        return Err(Failure::new(ErrorCode::BadRequest, "at most 10 pictures"));
    }
    let mut media = Vec::with_capacity(request.media.len());
    for name in &request.media {
        if !crate::sim::SAMPLES.contains(&name.as_str()) {
            return Err(Failure::new(
                ErrorCode::BadRequest,
                format!(
                    "{name:?} is not one of the carrier's samples: {}",
                    crate::sim::SAMPLES.join(", ")
                ),
            ));
        }
        let claimed = crate::sim::sample(name).map_or("image/jpeg", |(claimed, _)| claimed);
        media.push((
            format!("{}/sim/media/{name}", hub.public_url),
            claimed.to_owned(),
        ));
    }
    let sid = crate::sim::new_sid();
    let outcome = hub
        .store
        .receive_inbound(&Inbound {
            provider_sid: &sid,
            from: &from,
            to: &hub.from_number,
            body: &request.body,
            media: &media,
        })
        .await?;
    hub.router.kick();
    if !media.is_empty() {
        hub.media.kick();
    }
    tracing::debug!(%sid, %from, ?outcome, "simulated inbound message stored");
    Ok(sid)
}

/// `GET /api/sim/outbox` (sim provider only; supervisors and admins).
pub async fn sim_outbox(
    State(hub): Shared,
    current: CurrentAgent,
) -> ApiResult<Vec<SimOutboundMessage>> {
    carrier_operator(&current)?;
    Ok(Json(hub.store.sim_outbox().await?))
}
