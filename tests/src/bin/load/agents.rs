//! `parley-load agents`: a shift of simulated agents over the hub's real API. Each signs
//! in, sets Ready and opens its event stream; it accepts what it is offered and answers
//! every text in its chats. Meanwhile customers text in at the set rate, each text
//! carrying the moment its webhook left, so the agent that receives it knows how long it
//! took.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt as _;
use parley_proto::{Direction, Event, EventKind, InteractionState, LoginResponse};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use super::Shift;

/// What the agents measured, in milliseconds.
#[derive(Default)]
struct Measured {
    /// Webhook sent → the text's event at the stream of the agent whose chat it is.
    to_agent: Vec<f64>,
    /// An accept's round trip.
    accepts: Vec<f64>,
    /// A reply's round trip (`POST /api/messages`).
    replies: Vec<f64>,
    failures: Vec<String>,
}

fn micros_now() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros()
}

/// The moment a text's webhook left, from its body (`… sent=<µs since the epoch>`).
fn sent_at(body: &str) -> Option<u128> {
    body.rsplit_once("sent=")?.1.parse().ok()
}

pub(super) async fn shift(shift: Shift) -> std::process::ExitCode {
    let shift = Arc::new(shift);
    let measured = Arc::new(Mutex::new(Measured::default()));
    let http = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs(shift.seconds + 5);
    let mut agents = Vec::new();
    for index in 1..=shift.agents {
        let (shift, measured, http) = (shift.clone(), measured.clone(), http.clone());
        agents.push(tokio::spawn(async move {
            if let Err(error) = agent(&shift, index, &http, &measured, until).await {
                measured
                    .lock()
                    .expect("not poisoned")
                    .failures
                    .push(format!("agent{index:03}: {error}"));
            }
        }));
    }
    // Every agent is Ready with its stream open before the first customer texts.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let texts = customers(&shift, &http).await;
    for agent in agents {
        let _ = agent.await;
    }
    let mut measured = std::mem::take(&mut *measured.lock().expect("not poisoned"));
    let line = |values: &mut Vec<f64>| -> (f64, f64) {
        values.sort_by(f64::total_cmp);
        let at = |fraction: f64| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "an index into the sorted values"
            )]
            let index = ((values.len() as f64 - 1.0) * fraction).round() as usize;
            values.get(index).copied().unwrap_or(0.0)
        };
        (at(0.5), at(0.99))
    };
    let (to_p50, to_p99) = line(&mut measured.to_agent);
    let (accept_p50, accept_p99) = line(&mut measured.accepts);
    let (reply_p50, reply_p99) = line(&mut measured.replies);
    println!(
        "agents: {} agents, {texts} texts at {}/s; webhook -> agent's stream p50 {to_p50:.1} ms, p99 {to_p99:.1} ms ({} received); accept p50 {accept_p50:.1} ms, p99 {accept_p99:.1} ms ({}); reply p50 {reply_p50:.1} ms, p99 {reply_p99:.1} ms ({}); {} failed",
        shift.agents,
        shift.rate,
        measured.to_agent.len(),
        measured.accepts.len(),
        measured.replies.len(),
        measured.failures.len()
    );
    println!(
        "{}",
        serde_json::json!({
            "kind": "agents",
            "agents": shift.agents,
            "texts": texts,
            "received": measured.to_agent.len(),
            "to_agent_p50_ms": to_p50,
            "to_agent_p99_ms": to_p99,
            "accepts": measured.accepts.len(),
            "accept_p99_ms": accept_p99,
            "replies": measured.replies.len(),
            "reply_p99_ms": reply_p99,
            "failed": measured.failures.len(),
        })
    );
    if let Some(first) = measured.failures.first() {
        eprintln!("first failure: {first}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

/// Customers text in at the set rate for the set time; how many texts were taken.
async fn customers(shift: &Shift, http: &reqwest::Client) -> usize {
    let path = "/webhooks/twilio/sms";
    let url = format!("{}{path}", shift.hub);
    let signed_url = format!("{}{path}", shift.signed_for.trim_end_matches('/'));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / shift.rate));
    let started = Instant::now();
    let mut posts = Vec::new();
    let mut index = 0_usize;
    while started.elapsed() < Duration::from_secs(shift.seconds) {
        ticks.tick().await;
        index += 1;
        let sid = format!("SM{:0>32}", format!("{}{index:x}", shift.run));
        // A few texts per customer, so chats go on after they are accepted; numbers an
        // agent can text back.
        let from = format!("+1201555{:04}", index % (shift.agents * 4).clamp(1, 10_000));
        let body = format!("Where is my order? sent={}", micros_now());
        let params = super::inbound_fields(&sid, &from, &shift.to, &shift.account_sid, &body);
        let signature = parley_sms::signature::compute(&shift.auth_token, &signed_url, &params);
        let (http, url) = (http.clone(), url.clone());
        posts.push(tokio::spawn(async move {
            http.post(url)
                .header("X-Twilio-Signature", signature)
                .form(&params)
                .send()
                .await
                .is_ok_and(|response| response.status().is_success())
        }));
    }
    let mut taken = 0;
    for post in posts {
        taken += usize::from(post.await.unwrap_or(false));
    }
    taken
}

/// One agent's shift, until `until`.
async fn agent(
    shift: &Shift,
    index: usize,
    http: &reqwest::Client,
    measured: &Mutex<Measured>,
    until: Instant,
) -> Result<(), String> {
    let login = format!("agent{index:03}");
    let session: LoginResponse = http
        .post(format!("{}/api/login", shift.hub))
        .json(&serde_json::json!({ "login": login, "password": shift.password }))
        .send()
        .await
        .map_err(|error| error.to_string())?
        .error_for_status()
        .map_err(|error| error.to_string())?
        .json()
        .await
        .map_err(|error| error.to_string())?;
    let (token, me) = (session.token, session.agent.id);
    http.put(format!("{}/api/me/status", shift.hub))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "status": "ready", "reason": null }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|error| error.to_string())?;
    let stream = format!(
        "{}/api/ws",
        shift.hub.replacen("http", "ws", 1).trim_end_matches('/')
    );
    let mut request = stream
        .into_client_request()
        .map_err(|error| error.to_string())?;
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}")
            .parse()
            .map_err(|_| "a header value")?,
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|error| error.to_string())?;
    let mut mine = std::collections::HashSet::new();
    let mut replied = 0_u64;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let Ok(Some(Ok(frame))) = tokio::time::timeout(left, socket.next()).await else {
            return Ok(());
        };
        let Frame::Text(text) = frame else { continue };
        let received = micros_now();
        let event: Event = serde_json::from_str(&text).map_err(|error| error.to_string())?;
        match event.kind {
            EventKind::Interaction { interaction } if interaction.agent_id == Some(me) => {
                mine.insert(interaction.id);
                if interaction.state == InteractionState::Offered {
                    let started = Instant::now();
                    let answer = http
                        .post(format!(
                            "{}/api/interactions/{}/accept",
                            shift.hub, interaction.id
                        ))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .map_err(|error| error.to_string())?;
                    // An offer that moved on meanwhile is 409: not a failure of the hub.
                    if answer.status().is_success() {
                        measured
                            .lock()
                            .expect("not poisoned")
                            .accepts
                            .push(started.elapsed().as_secs_f64() * 1_000.0);
                    }
                }
            }
            EventKind::Message { message }
                if message.direction == Direction::Inbound
                    && message.interaction_id.is_some_and(|id| mine.contains(&id)) =>
            {
                if let Some(sent) = sent_at(&message.body) {
                    #[expect(clippy::cast_precision_loss, reason = "microseconds of a run")]
                    let took = received.saturating_sub(sent) as f64 / 1_000.0;
                    measured.lock().expect("not poisoned").to_agent.push(took);
                }
                replied += 1;
                let started = Instant::now();
                let answer = http
                    .post(format!("{}/api/messages", shift.hub))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "contactId": message.contact_id,
                        "interactionId": message.interaction_id,
                        "body": "Let me check that for you.",
                        "clientKey": format!("{}-{login}-{replied}", shift.run),
                    }))
                    .send()
                    .await
                    .map_err(|error| error.to_string())?;
                if answer.status().is_success() {
                    measured
                        .lock()
                        .expect("not poisoned")
                        .replies
                        .push(started.elapsed().as_secs_f64() * 1_000.0);
                } else {
                    let status = answer.status();
                    let why = answer.text().await.unwrap_or_default();
                    return Err(format!("a reply was refused: {status} {why}"));
                }
            }
            _ => {}
        }
    }
}
