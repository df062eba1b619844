//! Keeps the replica in step with the hub: HTTP backfill from the cursor, then the live
//! WebSocket stream; on any failure, offline, back off, and start again from the cursor.
//! Events are applied strictly in `seq` order, so there is never a gap or a duplicate.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use parley_proto::{ConnectionState, Event};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;

use crate::EventSink;
use crate::hub_api::{HubApi, HubError};
use crate::replica::{Replica, ReplicaError};

/// Why a sync round ended.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Replica(#[from] ReplicaError),
    #[error("websocket: {0}")]
    Socket(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    #[error("the event stream skipped from {cursor} to {seq}")]
    Gap { cursor: i64, seq: i64 },
    #[error("unreadable event: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("the hub URL {0:?} is not http(s)")]
    Url(String),
    #[error("TLS could not be set up: {0}")]
    Tls(String),
}

/// Everything the sync loop works with.
pub struct Sync {
    pub hub: HubApi,
    /// The signed-in agent.
    pub agent_id: parley_proto::Id,
    pub replica: Replica,
    pub sink: Arc<dyn EventSink>,
    /// Woken when the hub is back, so the outbox tries at once.
    pub outbox_wake: Arc<Notify>,
}

impl Sync {
    /// Runs until the task is aborted.
    pub async fn run(self) {
        let mut backoff = Duration::from_millis(250);
        loop {
            let result = self.round(&mut backoff).await;
            self.sink.connection(ConnectionState::Offline);
            match result {
                Ok(()) => tracing::info!("the hub closed the event stream"),
                Err(error) => tracing::warn!(%error, ?backoff, "sync interrupted"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    }

    fn publish(&self, applied: &[Event]) {
        for event in applied {
            self.sink.event(event);
        }
    }

    async fn backfill(&self) -> Result<i64, SyncError> {
        loop {
            let cursor = self.replica.cursor().await?;
            let batch = self.hub.events(cursor, 500).await?;
            if batch.is_empty() {
                return Ok(cursor);
            }
            let applied = self.replica.apply_events(&batch).await?;
            self.fetch_opened_contacts().await?;
            self.publish(&applied);
        }
    }

    /// An agent who sees only their own contacts gets a contact's events from the moment
    /// it became theirs (an offer, an interaction): what came before — the contact and its
    /// history — is fetched from the hub once.
    async fn fetch_opened_contacts(&self) -> Result<(), SyncError> {
        let agent = self.replica.agent(self.agent_id).await?;
        if agent.permissions.all_contacts {
            // Every event of every contact comes through the log.
            return Ok(());
        }
        for contact_id in self.replica.contacts_to_fetch().await? {
            let contact = self.hub.contact(contact_id).await?;
            let history = self.hub.contact_messages(contact_id).await?;
            tracing::info!(
                contact_id,
                messages = history.len(),
                "a contact's history fetched"
            );
            self.replica.adopt_contact(&contact, &history).await?;
            self.sink.changed();
        }
        Ok(())
    }

    async fn round(&self, backoff: &mut Duration) -> Result<(), SyncError> {
        let mut cursor = self.backfill().await?;
        let url = stream_url(self.hub.base(), cursor)?;
        let (mut socket, _) = connect(&url, self.hub.token().unwrap_or_default()).await?;
        *backoff = Duration::from_millis(250);
        self.sink.connection(ConnectionState::Online);
        self.outbox_wake.notify_one();
        tracing::info!(cursor, "event stream connected");
        while let Some(frame) = socket.next().await {
            let text = match frame.map_err(Box::new)? {
                Frame::Text(text) => text,
                Frame::Close(_) => return Ok(()),
                _ => continue,
            };
            let event: Event = serde_json::from_str(&text)?;
            if event.seq <= cursor {
                continue;
            }
            if event.seq != cursor + 1 {
                return Err(SyncError::Gap {
                    cursor,
                    seq: event.seq,
                });
            }
            let applied = self
                .replica
                .apply_events(std::slice::from_ref(&event))
                .await?;
            cursor = event.seq;
            if matches!(
                event.kind,
                parley_proto::EventKind::Interaction { .. }
                    | parley_proto::EventKind::Contact { .. }
            ) {
                self.fetch_opened_contacts().await?;
            }
            self.publish(&applied);
        }
        Ok(())
    }
}

/// `ws(s)://host/api/ws?since=…` from the hub's http(s) URL. (The session goes in a header,
/// never in the URL.)
fn stream_url(base: &str, since: i64) -> Result<url::Url, SyncError> {
    let mut url = url::Url::parse(base).map_err(|_| SyncError::Url(base.to_owned()))?;
    let scheme = match url.scheme() {
        "http" => "ws",
        "https" => "wss",
        _ => return Err(SyncError::Url(base.to_owned())),
    };
    url.set_scheme(scheme)
        .map_err(|()| SyncError::Url(base.to_owned()))?;
    url.set_path("/api/ws");
    url.query_pairs_mut()
        .clear()
        .append_pair("since", &since.to_string());
    Ok(url)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(
    url: &url::Url,
    token: &str,
) -> Result<
    (
        Socket,
        tokio_tungstenite::tungstenite::handshake::client::Response,
    ),
    SyncError,
> {
    let connector = if url.scheme() == "wss" {
        Some(tls_connector()?)
    } else {
        None
    };
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|error| SyncError::Socket(Box::new(error)))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| SyncError::Url("the session token is not a header value".to_owned()))?;
    request.headers_mut().insert(AUTHORIZATION, bearer);
    tokio_tungstenite::connect_async_tls_with_config(request, None, false, connector)
        .await
        .map_err(|error| SyncError::Socket(Box::new(error)))
}

/// TLS with the operating system's trust store and one explicit crypto provider. When TLS
/// cannot be set up the stream does not connect: it never falls back to plain text.
fn tls_connector() -> Result<tokio_tungstenite::Connector, SyncError> {
    let mut roots = rustls::RootCertStore::empty();
    let loaded = rustls_native_certs::load_native_certs();
    for error in &loaded.errors {
        tracing::warn!(%error, "a system certificate could not be loaded");
    }
    let (added, ignored) = roots.add_parsable_certificates(loaded.certs);
    tracing::debug!(added, ignored, "system certificates loaded");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
    match config {
        Ok(config) => Ok(tokio_tungstenite::Connector::Rustls(Arc::new(config))),
        Err(error) => {
            tracing::error!(%error, "TLS setup failed: the event stream stays offline");
            Err(SyncError::Tls(error.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_url_follows_the_hub_scheme() {
        let url = stream_url("http://127.0.0.1:8080", 41).expect("http works");
        assert_eq!(url.as_str(), "ws://127.0.0.1:8080/api/ws?since=41");
        let secure = stream_url("https://sms.example.com/", 0).expect("https works");
        assert_eq!(secure.as_str(), "wss://sms.example.com/api/ws?since=0");
        assert!(stream_url("ftp://x", 0).is_err());
    }
}
