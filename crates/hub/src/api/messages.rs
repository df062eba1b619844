//! Sending: a text (once per client key), Retry, and pictures to attach.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parley_proto::{ErrorCode, Id, Message, SendMessageRequest};

use super::{ApiResult, CurrentAgent, Shared};
use crate::error::Failure;
use crate::rules::sending;
use crate::store::Outbound;

/// `POST /api/messages`: stores once per client key, then hands it to the sender.
pub async fn send_message(
    State(hub): Shared,
    current: CurrentAgent,
    Json(request): Json<SendMessageRequest>,
) -> Result<(StatusCode, Json<Message>), Failure> {
    sending::check_text(&request.body, request.upload_ids.len())?;
    let key = request.client_key.trim();
    if key.is_empty() || key.len() > 128 {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            "clientKey must be 1 to 128 characters",
        ));
    }
    current.see_contact(&hub, request.contact_id).await?;
    match request.interaction_id {
        // Into an interaction: only the agent's own.
        Some(interaction_id) => {
            let interaction = hub.store.interaction(interaction_id).await?;
            if interaction.agent_id != Some(current.agent.id)
                || interaction.contact_id != request.contact_id
            {
                return Err(Failure::new(
                    ErrorCode::Forbidden,
                    "this interaction is not yours",
                ));
            }
        }
        None => current.require(
            current.agent.permissions.text_outside_interaction,
            "the permission to text outside an interaction",
        )?,
    }
    let contact = hub.store.contact(request.contact_id).await?;
    hub.number(&contact.phone)?;
    let (message, created) = hub
        .store
        .create_outbound(&Outbound {
            agent_id: current.agent.id,
            agent_name: &current.agent.name,
            contact_id: request.contact_id,
            interaction_id: request.interaction_id,
            body: &request.body,
            client_key: key,
            from_number: &hub.from_number,
            upload_ids: &request.upload_ids,
        })
        .await?;
    if created {
        tracing::info!(
            message_id = message.id,
            contact_id = message.contact_id,
            "outbound message stored"
        );
        hub.sender.wake(message.contact_id);
        Ok((StatusCode::CREATED, Json(message)))
    } else {
        Ok((StatusCode::OK, Json(message)))
    }
}

/// `POST /api/messages/{id}/retry`: sends a failed or undelivered message again.
pub async fn retry_message(
    State(hub): Shared,
    current: CurrentAgent,
    Path(message_id): Path<Id>,
) -> ApiResult<Message> {
    let stored = hub.store.stored_message(message_id).await?;
    let contact_id = stored.message.contact_id;
    current.see_contact(&hub, contact_id).await?;
    // The agent who wrote it sends it again, in their interaction.
    if stored.message.agent_id != Some(current.agent.id) {
        return Err(Failure::new(
            ErrorCode::Forbidden,
            "only the agent who wrote this text can send it again",
        ));
    }
    let contact = hub.store.contact(contact_id).await?;
    hub.number(&contact.phone)?;
    let message = hub.store.retry(current.agent.id, message_id).await?;
    tracing::info!(message_id, login = %current.agent.login, "message sent again");
    hub.sender.wake(message.contact_id);
    Ok(Json(message))
}

/// `POST /api/uploads`: a picture to attach to a message, as the request body with its
/// `Content-Type`. It is checked as an inbound picture is (its bytes decide what it is; a
/// decompression bomb is refused) and kept until it is sent.
pub async fn upload(
    State(hub): Shared,
    current: CurrentAgent,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<parley_proto::Upload>), Failure> {
    let max = hub
        .config
        .media
        .max_bytes
        .min(parley_proto::MAX_ATTACHMENT_BYTES);
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > max {
        return Err(Failure::new(
            ErrorCode::BadRequest,
            format!(
                "the picture is {:.1} MB; at most {:.0} MB can be sent",
                body.len() as f64 / 1_048_576.0,
                max as f64 / 1_048_576.0
            ),
        ));
    }
    let limits = crate::media::Limits::from(&hub.config.media);
    let bytes = body.to_vec();
    let checked = tokio::task::spawn_blocking(move || {
        crate::media::process(&bytes, "", limits).map(|processed| (processed, bytes))
    })
    .await
    .map_err(|_| Failure::new(ErrorCode::Internal, "the picture could not be checked"))?;
    let (processed, bytes) = checked.map_err(|issue| {
        Failure::new(
            ErrorCode::BadRequest,
            format!(
                "this picture cannot be sent: {} (JPEG, PNG, GIF and WebP up to 5 MB can)",
                issue.describe()
            ),
        )
    })?;
    for (thumbnail, content) in [(false, &bytes), (true, &processed.thumbnail)] {
        hub.blobs
            .put(&processed.digest, thumbnail, content)
            .await
            .map_err(|error| {
                tracing::error!(%error, "cannot store an uploaded picture");
                Failure::new(ErrorCode::Internal, "the picture could not be stored")
            })?;
    }
    let mut token = [0_u8; 24];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut token);
    let token: String = token.iter().map(|byte| format!("{byte:02x}")).collect();
    let size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    let id = hub
        .store
        .create_upload(
            &crate::store::NewUpload {
                agent_id: current.agent.id,
                digest: &processed.digest,
                content_type: processed.content_type,
                thumbnail_type: processed.thumbnail_type,
                size,
                width: processed.width,
                height: processed.height,
                token: &token,
            },
            hub.config.limits.upload_quota_bytes,
        )
        .await?;
    let Some(id) = id else {
        tracing::warn!(login = %current.agent.login, size, "upload refused: over the agent's quota");
        return Err(Failure::new(
            ErrorCode::TooManyRequests,
            format!(
                "you have {:.0} MB of pictures that are not sent yet: send or remove some first",
                hub.config.limits.upload_quota_bytes as f64 / 1_048_576.0
            ),
        ));
    };
    tracing::info!(upload_id = id, size, login = %current.agent.login, "picture uploaded");
    Ok((
        StatusCode::CREATED,
        Json(parley_proto::Upload {
            id,
            content_type: processed.content_type.to_owned(),
            size,
            width: processed.width,
            height: processed.height,
        }),
    ))
}
