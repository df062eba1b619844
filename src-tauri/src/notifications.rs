//! OS notifications: an interaction offered to this agent, and a contact's reply in a
//! conversation that is not in view. History replayed by a first sync stays quiet.

use std::sync::{Arc, Mutex};

use parley_client::Client;
use parley_proto::{Direction, Event, EventKind, Id, InteractionState, Message};
use tauri_plugin_notification::NotificationExt as _;
use tokio::sync::mpsc;

/// Events older than this are history catching up, not news.
const NEWS_WINDOW_MS: i64 = 2 * 60 * 1000;

fn now_millis() -> i64 {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

/// Whether a contact's new message is news for this agent: a reply in a conversation the
/// agent holds (or is the assigned agent of). A message that opens a new interaction is
/// announced by its offer instead, and other agents' chats stay quiet.
async fn is_reply_for_me(client: &Client, me: Id, message: &Message) -> bool {
    if let Some(interaction_id) = message.interaction_id
        && let Ok(interaction) = client.interaction(interaction_id).await
    {
        return match interaction.state {
            InteractionState::Queued | InteractionState::Offered => false,
            _ => interaction.agent_id == Some(me),
        };
    }
    client
        .contact(message.contact_id)
        .await
        .is_ok_and(|contact| contact.assigned_agent_id == Some(me))
}

/// What to tell the agent about an event, if anything: (title, body).
async fn notice(client: &Client, focus: Option<Id>, event: &Event) -> Option<(String, String)> {
    if now_millis() - event.at > NEWS_WINDOW_MS {
        return None;
    }
    let me = client.agent_id().ok()?;
    if let EventKind::Message { message } = &event.kind
        && message.direction == Direction::Inbound
        && !is_reply_for_me(client, me, message).await
    {
        return None;
    }
    let (contact_id, title, text) = match &event.kind {
        EventKind::Interaction { interaction }
            if interaction.state == InteractionState::Offered
                && interaction.agent_id == Some(me) =>
        {
            (interaction.contact_id, "Incoming SMS", None)
        }
        EventKind::Message { message }
            if message.direction == Direction::Inbound && focus != Some(message.contact_id) =>
        {
            (
                message.contact_id,
                "New message",
                Some(message.body.clone()),
            )
        }
        _ => return None,
    };
    let contact = client.contact(contact_id).await.ok()?;
    let who = contact.name.map_or_else(
        || contact.phone.clone(),
        |name| format!("{name} ({})", contact.phone),
    );
    let body = match text {
        Some(text) => format!("{who}: {text}"),
        None => format!("{who} wants to chat. Open Parley to accept."),
    };
    Some((title.to_owned(), body))
}

/// Runs until the app closes.
pub async fn run(
    app: tauri::AppHandle,
    client: Client,
    focus: Arc<Mutex<Option<Id>>>,
    mut events: mpsc::UnboundedReceiver<Event>,
) {
    while let Some(event) = events.recv().await {
        let in_view = focus.lock().map(|focus| *focus).unwrap_or(None);
        let Some((title, body)) = notice(&client, in_view, &event).await else {
            continue;
        };
        if let Err(error) = app
            .notification()
            .builder()
            .title(&title)
            .body(&body)
            .show()
        {
            tracing::warn!(%error, "notification not shown");
        }
    }
}
