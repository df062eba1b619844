//! The event log: the backfill, and the live stream over a WebSocket.

use std::time::Duration;

use axum::Json;
use axum::extract::ws::{CloseFrame, Message as Frame, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::SinkExt as _;
use parley_proto::{ErrorCode, Event, Snapshot, StreamTicket};
use serde::Deserialize;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tracing::Instrument as _;

use super::{ApiResult, CurrentAgent, Shared};
use crate::HubState;
use crate::auth;
use crate::error::Failure;
use crate::visibility::{Scope, Viewer, placeholder};

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(default)]
    since: i64,
    limit: Option<u32>,
    /// `agent`: the scoped view (see [`crate::visibility`]).
    scope: Option<String>,
}

fn scope_of(text: Option<&str>) -> Result<Scope, Failure> {
    match text {
        None | Some("full") => Ok(Scope::Full),
        Some("agent") => Ok(Scope::Agent),
        Some(other) => Err(Failure::new(
            ErrorCode::BadRequest,
            format!("scope {other:?} is neither \"full\" nor \"agent\""),
        )),
    }
}

/// Refuses a cursor the log can no longer replay: pruned past it, or (scoped) so far
/// behind that a snapshot is quicker.
async fn check_cursor(hub: &HubState, since: i64, scope: Scope) -> Result<(), Failure> {
    let pruned = hub.store.pruned_through().await?;
    if since < pruned {
        return Err(Failure::new(
            ErrorCode::Gone,
            format!("the event log was pruned through {pruned}: take a snapshot"),
        ));
    }
    if scope == Scope::Agent && since > 0 {
        let behind = hub.store.head_seq().await? - since;
        if behind > i64::from(hub.config.sync.replay_limit) {
            return Err(Failure::new(
                ErrorCode::Gone,
                format!("{behind} events behind: take a snapshot"),
            ));
        }
    }
    Ok(())
}

/// `GET /api/events?since=N&limit=M[&scope=agent]`: the backfill, as the caller may see
/// it. Scoped, the events the agent does not need are left out, and a placeholder at the
/// last seq read says how far the log was read.
pub async fn events(
    State(hub): Shared,
    current: CurrentAgent,
    Query(query): Query<EventsQuery>,
) -> ApiResult<Vec<Event>> {
    let limit = query.limit.unwrap_or(500).clamp(1, 5000);
    let scope = scope_of(query.scope.as_deref())?;
    check_cursor(&hub, query.since, scope).await?;
    let mut viewer = Viewer::with_scope(&hub.store, current.agent, scope).await?;
    let mut shown = Vec::new();
    let batch = hub.store.events_since(query.since, limit).await?;
    let last = batch.last().cloned();
    for event in batch {
        shown.extend(viewer.show(&hub.store, event).await?);
    }
    if let Some(last) = last
        && shown.last().is_none_or(|event| event.seq != last.seq)
    {
        shown.push(placeholder(&last));
    }
    Ok(Json(shown))
}

/// `GET /api/sync/snapshot`: what the agent's desktop starts from (see
/// [`parley_proto::Snapshot`]).
pub async fn snapshot(State(hub): Shared, current: CurrentAgent) -> ApiResult<Snapshot> {
    let snapshot = hub
        .store
        .snapshot(&current.agent, hub.config.sync.snapshot_limits())
        .await?;
    tracing::info!(
        login = %current.agent.login,
        seq = snapshot.seq,
        contacts = snapshot.contacts.len(),
        messages = snapshot.messages.len(),
        "snapshot taken"
    );
    Ok(Json(snapshot))
}

#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    ticket: Option<String>,
    since: Option<i64>,
    scope: Option<String>,
}

/// How long a stream ticket stays good: long enough for one connection attempt.
const TICKET_LIFETIME_MS: i64 = 30_000;

/// `POST /api/ws/ticket`: a single-use ticket that opens one event stream within
/// [`TICKET_LIFETIME_MS`], for clients that cannot set a header on a WebSocket (browsers).
pub async fn stream_ticket(State(hub): Shared, current: CurrentAgent) -> ApiResult<StreamTicket> {
    let ticket = auth::new_token();
    let expires_at = hub.store.now() + TICKET_LIFETIME_MS;
    let issued = hub
        .store
        .create_stream_ticket(
            &auth::token_hash(&current.token),
            &auth::token_hash(&ticket),
            expires_at,
        )
        .await?;
    if !issued {
        return Err(Failure::unauthorized());
    }
    Ok(Json(StreamTicket { ticket, expires_at }))
}

/// `GET /api/ws[?ticket=T][&since=N]`: the live event stream, opened with the session's
/// bearer header (the desktop) or a ticket from `POST /api/ws/ticket` (browsers, which cannot
/// set headers on a WebSocket). The session's token itself is never taken from the URL.
pub async fn stream(
    State(hub): Shared,
    Query(query): Query<StreamQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, Failure> {
    let session = match (&query.ticket, super::bearer_header(&headers)) {
        (_, Some(token)) => auth::token_hash(token),
        (Some(ticket), None) => hub
            .store
            .redeem_stream_ticket(&auth::token_hash(ticket))
            .await?
            .ok_or_else(|| {
                Failure::new(
                    ErrorCode::Unauthorized,
                    "the stream ticket was used already, has expired or is unknown",
                )
            })?,
        (None, None) => return Err(Failure::unauthorized()),
    };
    let agent = super::agent_for_session(&hub, &session).await?;
    let scope = scope_of(query.scope.as_deref())?;
    if let Some(since) = query.since {
        check_cursor(&hub, since, scope).await?;
    }
    tracing::info!(login = %agent.login, since = ?query.since, ?scope, "event stream opened");
    let login = agent.login.clone();
    let viewer = Viewer::with_scope(&hub.store, agent, scope).await?;
    // A client sends nothing but pings and a close: a large message is refused.
    let most = hub.config.limits.max_stream_message_bytes;
    let upgrade = upgrade.max_message_size(most).max_frame_size(most);
    // The stream's log lines keep the id of the request that opened it.
    let span = tracing::Span::current();
    Ok(upgrade.on_upgrade(move |socket| {
        async move {
            let _counted = crate::telemetry::client_connected("websocket");
            if let Err(error) = stream_events(&hub, socket, viewer, &session, query.since).await {
                tracing::info!(%login, %error, "event stream closed");
            }
        }
        .instrument(span)
    }))
}

/// How often a stream checks that its session still holds.
const SESSION_CHECK: Duration = Duration::from_secs(1);

/// Every how many session checks a stream records the agent's presence: a few times per
/// grace period, at most every ten seconds.
fn presence_interval(grace_ms: u64) -> u64 {
    let check_ms = u64::try_from(SESSION_CHECK.as_millis()).unwrap_or(1_000);
    (grace_ms / 4 / check_ms).clamp(1, 10)
}

/// The close code for a stream whose session ended (an application code: 4000–4999).
const SESSION_ENDED: u16 = 4001;

/// The close code for a stream the hub ends because it stops: 1012, "service restart".
const RESTARTING: u16 = 1012;

#[derive(Debug, thiserror::Error)]
enum StreamError {
    #[error("socket: {0}")]
    Socket(#[from] axum::Error),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("the client went away")]
    Gone,
}

/// Sends every event after `since` (or from now on), in order, with no gap or duplicate.
///
/// The live feed is subscribed before the log is read, so an event committed meanwhile is
/// in one or the other; events at or below the last sent `seq` are skipped, and a jump in
/// `seq` (or a lagging subscriber) is filled from the log.
async fn stream_events(
    hub: &HubState,
    mut socket: WebSocket,
    mut viewer: Viewer,
    session: &str,
    since: Option<i64>,
) -> Result<(), StreamError> {
    let mut live = hub.store.subscribe();
    let mut last = match since {
        Some(since) => since,
        None => hub.store.head_seq().await?,
    };
    last = catch_up(hub, &mut socket, &mut viewer, last).await?;
    let mut heartbeat = tokio::time::interval(Duration::from_secs(20));
    heartbeat.tick().await;
    let mut stopping = hub.stopping.clone();
    // Signing out, a disabled account, revoked sessions and expiry close the stream within
    // a second (on whichever hub it is).
    let mut session_check = tokio::time::interval(SESSION_CHECK);
    session_check.tick().await;
    // An open stream is the agent's presence: it keeps the session going (up to its
    // lifetime) and tells the hub the agent is there, often enough for the grace period.
    let agent_id = viewer.agent_id();
    let presence_every = presence_interval(hub.config.routing.offline_grace_ms);
    hub.store.seen(agent_id).await?;
    let mut checks: u64 = 0;
    // The placeholder of left-out events not told yet (scoped view).
    let mut left_out: Option<Event> = None;
    loop {
        tokio::select! {
            _ = session_check.tick() => {
                if let Some(place) = left_out.take() {
                    send(&mut socket, &place).await?;
                }
                checks += 1;
                let present = if checks.is_multiple_of(presence_every) {
                    let present = super::agent_for_session(hub, session).await.is_ok();
                    if present {
                        hub.store.seen(agent_id).await?;
                    }
                    present
                } else {
                    hub.store.session_agent(session).await?.is_some()
                };
                if !present {
                    socket
                        .send(Frame::Close(Some(CloseFrame {
                            code: SESSION_ENDED,
                            reason: "the session ended".into(),
                        })))
                        .await?;
                    return Ok(());
                }
            }
            // The only change a hub makes is to stopping: the client is told to come back
            // (to this hub once it is up again, or to another behind the same address).
            _ = stopping.changed() => {
                socket
                    .send(Frame::Close(Some(CloseFrame {
                        code: RESTARTING,
                        reason: "the hub is restarting; reconnect".into(),
                    })))
                    .await?;
                return Ok(());
            }
            received = live.recv() => match received {
                Ok(event) if event.seq <= last => {}
                Ok(event) if event.seq == last + 1 => {
                    let mut run = Run::default();
                    last = event.seq;
                    run.feed(&mut socket, &mut viewer, &hub.store, event).await?;
                    // The events of one change (a text is a contact, an interaction and a
                    // message) and any others already waiting go out in one write.
                    let behind = loop {
                        match live.try_recv() {
                            Ok(event) if event.seq <= last => {}
                            Ok(event) if event.seq == last + 1 => {
                                last = event.seq;
                                run.feed(&mut socket, &mut viewer, &hub.store, event).await?;
                            }
                            Ok(_) | Err(TryRecvError::Lagged(_)) => break true,
                            Err(TryRecvError::Empty | TryRecvError::Closed) => break false,
                        }
                    };
                    // A run of left-out events is told at the next session check, at most
                    // once a second, not once a run.
                    left_out = run.finish(&mut socket).await?;
                    if behind {
                        last = catch_up(hub, &mut socket, &mut viewer, last).await?;
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {
                    last = catch_up(hub, &mut socket, &mut viewer, last).await?;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_) | Ok(Frame::Close(_))) => return Err(StreamError::Gone),
                Some(Ok(_)) => {}
            },
            _ = heartbeat.tick() => socket.send(Frame::Ping(Vec::new().into())).await?,
        }
    }
}

async fn catch_up(
    hub: &HubState,
    socket: &mut WebSocket,
    viewer: &mut Viewer,
    mut last: i64,
) -> Result<i64, StreamError> {
    loop {
        let batch = hub.store.events_since(last, 500).await?;
        let Some(newest) = batch.last().map(|event| event.seq) else {
            return Ok(last);
        };
        let mut run = Run::default();
        for event in batch {
            run.feed(socket, viewer, &hub.store, event).await?;
        }
        if let Some(place) = run.finish(socket).await? {
            send(socket, &place).await?;
        }
        last = newest;
    }
}

async fn send(socket: &mut WebSocket, event: &Event) -> Result<(), StreamError> {
    socket
        .send(Frame::Text(serde_json::to_string(event)?.into()))
        .await?;
    Ok(())
}

/// Events on their way to one socket, written together: those the viewer shows, and —
/// when the run ends on events it leaves out — a placeholder at the last, so the client's
/// cursor moves past them.
#[derive(Default)]
struct Run {
    left_out: Option<Event>,
}

impl Run {
    async fn feed(
        &mut self,
        socket: &mut WebSocket,
        viewer: &mut Viewer,
        store: &crate::store::Store,
        event: Event,
    ) -> Result<(), StreamError> {
        let seq_event = placeholder(&event);
        match viewer.show(store, event).await? {
            Some(shown) => {
                self.left_out = None;
                socket
                    .feed(Frame::Text(serde_json::to_string(&shown)?.into()))
                    .await?;
            }
            None => self.left_out = Some(seq_event),
        }
        Ok(())
    }

    /// Writes the run; answers the placeholder it ended on, for the caller to send now or
    /// later.
    async fn finish(self, socket: &mut WebSocket) -> Result<Option<Event>, StreamError> {
        socket.flush().await?;
        Ok(self.left_out)
    }
}
