//! The simulated carrier's endpoints (sim provider only).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parley_proto::{ErrorCode, SimInboundRequest, SimOutboundMessage};

use super::{ApiResult, Shared};
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

/// `POST /api/sim/inbound` (sim provider only): a customer texts the contact center.
pub async fn sim_inbound(
    State(hub): Shared,
    Json(request): Json<SimInboundRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), Failure> {
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
    let media: Vec<(String, String)> = request
        .media
        .iter()
        .map(|name| {
            if name.starts_with("http://") || name.starts_with("https://") {
                let claimed = match name.rsplit('.').next().unwrap_or_default() {
                    "png" => "image/png",
                    "gif" => "image/gif",
                    "webp" => "image/webp",
                    _ => "image/jpeg",
                };
                (name.clone(), claimed.to_owned())
            } else {
                let claimed = crate::sim::sample(name).map_or("image/jpeg", |(claimed, _)| claimed);
                let encoded: String =
                    url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
                (
                    format!("{}/sim/media/{encoded}", hub.public_url),
                    claimed.to_owned(),
                )
            }
        })
        .collect();
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
    tracing::info!(%sid, %from, ?outcome, "simulated inbound message");
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "sid": sid }))))
}

/// `GET /api/sim/outbox` (sim provider only).
pub async fn sim_outbox(State(hub): Shared) -> ApiResult<Vec<SimOutboundMessage>> {
    Ok(Json(hub.store.sim_outbox().await?))
}
