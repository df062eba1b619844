//! `parley-media://localhost/{id}` and `…/{id}/thumbnail`: the pictures of MMS for the
//! webview's `<img>`, from the desktop's own copy (fetched from the hub once, then kept,
//! so history shows its pictures offline).

use parley_proto::Id;
use tauri::Manager as _;
use tauri::http::{Request, Response, StatusCode, header};

use crate::Shell;

/// The URI scheme (on Windows the webview reaches it as `http://parley-media.localhost`).
pub const SCHEME: &str = "parley-media";

/// Which file a request asks for: `(media id, thumbnail)`.
fn target(path: &str) -> Option<(Id, bool)> {
    let mut parts = path.trim_matches('/').split('/');
    let id = parts.next()?.parse().ok()?;
    let thumbnail = match parts.next() {
        None => false,
        Some("thumbnail") => true,
        Some(_) => return None,
    };
    parts.next().is_none().then_some((id, thumbnail))
}

/// What a stored file is, from its first bytes (the four formats the hub keeps).
fn content_type(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        _ => "application/octet-stream",
    }
}

fn answer(status: StatusCode, kind: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, kind)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// The protocol handler.
#[expect(
    clippy::needless_pass_by_value,
    reason = "Tauri hands protocol handlers their context and request by value"
)]
pub fn serve(
    context: tauri::UriSchemeContext<'_, tauri::Wry>,
    request: Request<Vec<u8>>,
    responder: tauri::UriSchemeResponder,
) {
    let app = context.app_handle().clone();
    let Some((media_id, thumbnail)) = target(request.uri().path()) else {
        responder.respond(answer(
            StatusCode::NOT_FOUND,
            "text/plain",
            b"no such picture".to_vec(),
        ));
        return;
    };
    tauri::async_runtime::spawn(async move {
        let shell = app.state::<Shell>();
        let file = match shell.client.media_file(media_id, thumbnail).await {
            Ok(path) => tokio::fs::read(&path).await.ok(),
            Err(error) => {
                tracing::info!(%error, media_id, "picture not available");
                None
            }
        };
        let response = match file {
            Some(bytes) => answer(StatusCode::OK, content_type(&bytes), bytes),
            None => answer(
                StatusCode::NOT_FOUND,
                "text/plain",
                b"picture not available".to_vec(),
            ),
        };
        responder.respond(response);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_picture_or_nothing() {
        assert_eq!(target("/12"), Some((12, false)));
        assert_eq!(target("/12/thumbnail"), Some((12, true)));
        for bad in [
            "/",
            "/x",
            "/12/../../etc/passwd",
            "/12/thumbnail/x",
            "/12/full",
        ] {
            assert_eq!(target(bad), None, "{bad}");
        }
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(content_type(&[0xFF, 0xD8, 0xFF, 0xE0]), "image/jpeg");
        assert_eq!(content_type(b"\x89PNG\r\n"), "image/png");
        assert_eq!(content_type(b"<html>"), "application/octet-stream");
    }
}
