//! Twilio's webhooks: inbound messages and delivery status callbacks.
//!
//! Both are verified first (`X-Twilio-Signature` over the configured public URL); a request
//! that fails gets 403 and changes nothing. Inbound messages are stored — durably, once per
//! `MessageSid` — before the 200 answer, then routed.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parley_sms::twilio::{EMPTY_TWIML, InboundWebhook, StatusWebhook};
use parley_sms::{DeliveryStatus, normalize_e164, signature};

use crate::{HubState, telemetry};

/// The `kind` label of inbound messages and of status callbacks.
const INBOUND: &str = "inbound";
const STATUS: &str = "status";
use crate::outbound::message_status;
use crate::store::{Inbound, InboundOutcome, StoreError};

fn twiml() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        EMPTY_TWIML,
    )
        .into_response()
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Why a webhook was not verified.
#[derive(Debug, Clone, Copy)]
enum Unverified {
    /// This hub has no Twilio Auth Token to check with.
    NotConfigured,
    /// Missing or wrong `X-Twilio-Signature`.
    BadSignature,
}

impl IntoResponse for Unverified {
    fn into_response(self) -> Response {
        match self {
            Self::NotConfigured => plain(
                StatusCode::NOT_FOUND,
                "the twilio provider is not configured",
            ),
            Self::BadSignature => plain(StatusCode::FORBIDDEN, "invalid X-Twilio-Signature"),
        }
    }
}

/// Checks the signature and returns the form fields.
fn verified_params(
    kind: &'static str,
    hub: &HubState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Vec<(String, String)>, Unverified> {
    let Some(auth_token) = hub.config.twilio.auth_token.as_deref() else {
        telemetry::webhook_refused(kind, "not_configured");
        return Err(Unverified::NotConfigured);
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| uri.path(), |value| value.as_str());
    let url = format!("{}{}", hub.public_url, path_and_query);
    let received = headers
        .get("x-twilio-signature")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if received.is_empty() || !signature::verify(auth_token, &url, &params, received) {
        tracing::warn!(%url, signed = !received.is_empty(), "webhook rejected: bad or missing signature");
        telemetry::webhook_refused(kind, "signature");
        return Err(Unverified::BadSignature);
    }
    Ok(params)
}

/// `POST /webhooks/twilio/sms`.
pub async fn inbound(
    State(hub): State<Arc<HubState>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match verified_params(INBOUND, &hub, &uri, &headers, &body) {
        Ok(params) => params,
        Err(unverified) => return unverified.into_response(),
    };
    let webhook = match InboundWebhook::from_params(&params) {
        Ok(webhook) => webhook,
        Err(error) => {
            tracing::warn!(%error, "malformed inbound webhook");
            telemetry::webhook_refused(INBOUND, "malformed");
            return plain(StatusCode::BAD_REQUEST, "malformed webhook");
        }
    };
    // Carriers deliver E.164; anything else (short codes, alphanumeric senders) is kept as
    // given rather than dropped.
    let from = normalize_e164(&webhook.from).unwrap_or_else(|_| webhook.from.clone());
    let media: Vec<(String, String)> = webhook
        .media
        .iter()
        .map(|media| (media.url.clone(), media.content_type.clone()))
        .collect();
    let inbound = Inbound {
        provider_sid: &webhook.message_sid,
        from: &from,
        to: &webhook.to,
        body: &webhook.body,
        media: &media,
    };
    match hub.store.receive_inbound(&inbound).await {
        Ok(InboundOutcome::Stored {
            message_id,
            interaction_id,
            ..
        }) => {
            tracing::info!(sid = %webhook.message_sid, message_id, interaction_id, media = media.len(), "inbound message stored");
            telemetry::webhook_received(INBOUND);
            hub.router.kick();
            if !media.is_empty() {
                hub.media.kick();
            }
            twiml()
        }
        Ok(InboundOutcome::Duplicate { message_id }) => {
            tracing::info!(sid = %webhook.message_sid, message_id, "duplicate inbound webhook ignored");
            telemetry::webhook_received(INBOUND);
            twiml()
        }
        Err(error) => {
            tracing::error!(%error, sid = %webhook.message_sid, "cannot store an inbound message");
            telemetry::webhook_refused(INBOUND, "not_stored");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "not stored; please retry",
            )
        }
    }
}

/// `POST /webhooks/twilio/status?message_id=N`.
pub async fn status(
    State(hub): State<Arc<HubState>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match verified_params(STATUS, &hub, &uri, &headers, &body) {
        Ok(params) => params,
        Err(unverified) => return unverified.into_response(),
    };
    let webhook = match StatusWebhook::from_params(&params) {
        Ok(webhook) => webhook,
        Err(error) => {
            tracing::warn!(%error, "malformed status callback");
            telemetry::webhook_refused(STATUS, "malformed");
            return plain(StatusCode::BAD_REQUEST, "malformed webhook");
        }
    };
    telemetry::webhook_received(STATUS);
    let Some(delivery) = DeliveryStatus::from_twilio(&webhook.message_status) else {
        return twiml();
    };
    let message_id = uri
        .query()
        .and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == "message_id")
        })
        .and_then(|(_, value)| value.parse().ok());
    match hub
        .store
        .apply_status(
            message_id,
            &webhook.message_sid,
            message_status(delivery),
            webhook.error_code,
        )
        .await
    {
        Ok(Some(message)) => {
            tracing::info!(sid = %webhook.message_sid, status = message.status.as_str(), "delivery status applied");
            twiml()
        }
        Ok(None) => twiml(),
        Err(StoreError::NotFound(_)) => {
            tracing::warn!(sid = %webhook.message_sid, "status callback for an unknown message");
            twiml()
        }
        Err(error) => {
            tracing::error!(%error, sid = %webhook.message_sid, "cannot apply a status callback");
            telemetry::webhook_refused(STATUS, "not_stored");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "not applied; please retry",
            )
        }
    }
}
