//! Pictures: for agents (full size, thumbnail, download) and for the provider (sent pictures by token).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parley_proto::{ErrorCode, Id};
use serde::Deserialize;

use super::{CurrentAgent, Shared};
use crate::HubState;
use crate::error::Failure;

#[derive(Debug, Deserialize)]
pub struct MediaQuery {
    /// `1`: as a download (`Content-Disposition: attachment`), for agents who may save.
    #[serde(default)]
    download: u8,
}

/// `GET /api/media/{id}`: the full-size picture.
pub async fn media_file(
    State(hub): Shared,
    current: CurrentAgent,
    Path(media_id): Path<Id>,
    Query(query): Query<MediaQuery>,
) -> Result<Response, Failure> {
    serve_media(&hub, &current, media_id, false, query.download == 1).await
}

/// `GET /api/media/{id}/thumbnail`.
pub async fn media_thumbnail(
    State(hub): Shared,
    current: CurrentAgent,
    Path(media_id): Path<Id>,
) -> Result<Response, Failure> {
    serve_media(&hub, &current, media_id, true, false).await
}

async fn serve_media(
    hub: &HubState,
    current: &CurrentAgent,
    media_id: Id,
    thumbnail: bool,
    download: bool,
) -> Result<Response, Failure> {
    use axum::http::header;
    if download {
        current.require(
            current.agent.permissions.save_media,
            "the permission to save pictures",
        )?;
    }
    let stored = hub.store.stored_media(media_id).await?;
    current.see_contact(hub, stored.contact_id).await?;
    let not_ready = || Failure::new(ErrorCode::NotFound, "this picture is not available");
    let digest = stored.media.digest.as_deref().ok_or_else(not_ready)?;

    let content_type = if thumbnail {
        stored.thumbnail_type.clone().ok_or_else(not_ready)?
    } else {
        stored.media.content_type.clone()
    };
    let bytes = match hub.blobs.get(digest, thumbnail).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            tracing::error!(%digest, thumbnail, "a stored picture is missing");
            return Err(not_ready());
        }
        Err(error) => {
            tracing::error!(%error, "cannot read a stored picture");
            return Err(not_ready());
        }
    };
    let name = parley_proto::files::picture_file_name(
        stored.contact_id,
        stored.media.id,
        &stored.media.content_type,
    );
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if download { "attachment" } else { "inline" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /media/{token}`: a sent picture, for the provider to fetch (no sign-in; the token
/// is the secret, and only pictures that belong to a sent message are served).
pub async fn public_media(State(hub): Shared, Path(token): Path<String>) -> Response {
    use axum::http::header;
    let not_found = || (StatusCode::NOT_FOUND, "no such picture").into_response();
    if token.len() != 48 || !token.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return not_found();
    }
    let Ok((digest, content_type)) = hub.store.sent_upload(&token).await else {
        return not_found();
    };
    match hub.blobs.get(&digest, false).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => {
            tracing::error!(%digest, "a sent picture is missing");
            not_found()
        }
        Err(error) => {
            tracing::error!(%error, "cannot read a sent picture");
            not_found()
        }
    }
}
