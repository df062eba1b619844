//! Keeps the replica in step with the hub: a snapshot scoped to the agent on the first
//! sign-in (or when the hub can no longer replay from the cursor), an HTTP backfill from the
//! cursor, then the live WebSocket stream; on any failure, offline, back off, and start
//! again from the cursor. The hub sends the agent's own events (their contacts, their
//! account) in `seq` order, with a placeholder where it left others out; each is applied
//! once, in order.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use parley_proto::{ConnectionState, ErrorCode, Event, HeldHistory};
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

    /// Brings the replica up to the hub's log: from a snapshot when it has never synced or
    /// the hub cannot replay from its cursor, then the events since.
    async fn catch_up(&self) -> Result<i64, SyncError> {
        if self.replica.cursor().await? == 0 {
            self.resnapshot().await?;
        }
        let cursor = match self.backfill().await {
            Err(SyncError::Hub(HubError::Refused { error, .. }))
                if error.code == ErrorCode::Gone =>
            {
                tracing::info!(reason = %error.message, "the hub cannot replay from the cursor");
                self.resnapshot().await?;
                self.backfill().await?
            }
            caught_up => caught_up?,
        };
        // The replica holds the admin's window, not the center's whole history.
        let dropped = self
            .replica
            .prune_outside_window(crate::replica::now_millis())
            .await?;
        if dropped > 0 {
            tracing::info!(dropped, "messages older than the window dropped");
            self.sink.changed();
        }
        Ok(cursor)
    }

    async fn resnapshot(&self) -> Result<(), SyncError> {
        let started = std::time::Instant::now();
        let snapshot = self.hub.snapshot().await?;
        self.replica.apply_snapshot(&snapshot).await?;
        tracing::info!(
            seq = snapshot.seq,
            contacts = snapshot.contacts.len(),
            messages = snapshot.messages.len(),
            elapsed_ms = started.elapsed().as_millis(),
            "started from a snapshot"
        );
        self.sink.changed();
        Ok(())
    }

    async fn backfill(&self) -> Result<i64, SyncError> {
        loop {
            let cursor = self.replica.cursor().await?;
            let batch = self.hub.events(cursor, 500).await?;
            if batch.last().is_none_or(|event| event.seq <= cursor) {
                return Ok(cursor);
            }
            let applied = self.replica.apply_events(&batch).await?;
            self.fetch_opened_contacts().await?;
            self.publish(&applied);
        }
    }

    /// The scoped stream carries a contact's events from the moment it became the agent's
    /// (an offer, an interaction, an assignment): its row and newest messages are fetched
    /// from the hub once; older history is fetched when the agent scrolls up.
    async fn fetch_opened_contacts(&self) -> Result<(), SyncError> {
        for contact_id in self.replica.contacts_to_fetch().await? {
            let contact = self.hub.contact(contact_id).await?;
            let messages = self
                .hub
                .contact_messages(contact_id, None, FETCHED_MESSAGES)
                .await?;
            let full = messages.len() >= FETCHED_MESSAGES as usize;
            let history = HeldHistory {
                contact_id,
                oldest_message_id: messages.first().filter(|_| full).map(|oldest| oldest.id),
            };
            tracing::info!(
                contact_id,
                messages = messages.len(),
                "a contact's newest history fetched"
            );
            self.replica
                .adopt_contact(&contact, &messages, &history, None, false)
                .await?;
            self.sink.changed();
        }
        Ok(())
    }

    async fn round(&self, backoff: &mut Duration) -> Result<(), SyncError> {
        let mut cursor = self.catch_up().await?;
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
            // The hub leaves out what is not the agent's: a later seq is the next event.
            if event.seq <= cursor {
                continue;
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

/// How many of a contact's newest messages are fetched when it becomes the agent's.
pub const FETCHED_MESSAGES: u32 = 100;

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
        .append_pair("since", &since.to_string())
        .append_pair("scope", "agent");
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
        assert_eq!(
            url.as_str(),
            "ws://127.0.0.1:8080/api/ws?since=41&scope=agent"
        );
        let secure = stream_url("https://sms.example.com/", 0).expect("https works");
        assert_eq!(
            secure.as_str(),
            "wss://sms.example.com/api/ws?since=0&scope=agent"
        );
        assert!(stream_url("ftp://x", 0).is_err());
    }
}
