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

/// What to tell the agent about an event, if anything.
struct Notice {
    /// The conversation the notification's **Show** opens.
    contact_id: Id,
    title: String,
    body: String,
}

/// What to tell the agent about an event, if anything.
async fn notice(client: &Client, focus: Option<Id>, event: &Event) -> Option<Notice> {
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
    Some(Notice {
        contact_id,
        title: title.to_owned(),
        body,
    })
}

/// The action type of every Parley notification: a **Show** button, next to the click on
/// the notification itself, both opening the conversation.
const SHOW_ACTIONS: &str = "parley-show";
const SHOW: &str = "show";
/// Where a notification keeps the contact its **Show** opens.
const CONTACT_KEY: &str = "contactId";
/// The webview event that asks the UI to open a contact's conversation.
pub const SHOW_EVENT: &str = "parley://show";

#[derive(Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ShowRequest {
    contact_id: Id,
}

/// Registers the **Show** action and what it does: bring the window forward and ask the UI
/// to open the conversation. On Linux and the BSDs, clicking the notification itself counts
/// as Show too (the notification server reports it as `tap`).
pub fn install(app: &tauri::AppHandle) -> tauri_plugin_notification::Result<()> {
    use tauri_plugin_notification::{Action, ActionType};
    let notifications = app.notification();
    notifications.register_action_types(vec![
        ActionType::builder(SHOW_ACTIONS)
            .actions(vec![Action::builder(SHOW, "Show").foreground(true).build()])
            .build(),
    ])?;
    let app = app.clone();
    notifications.on_action(move |performed| {
        if !matches!(performed.action_id(), SHOW | "tap") {
            return;
        }
        let Some(contact_id) = performed
            .notification()
            .and_then(|notification| notification.extra().get(CONTACT_KEY))
            .and_then(serde_json::Value::as_i64)
        else {
            tracing::warn!("a notification action without its contact");
            return;
        };
        show(&app, contact_id);
    })
}

/// Brings the main window forward on a contact's conversation.
fn show(app: &tauri::AppHandle, contact_id: Id) {
    use tauri::{Emitter as _, Manager as _};
    if let Some(window) = app.get_webview_window("main") {
        for (what, outcome) in [
            ("unminimize", window.unminimize()),
            ("show", window.show()),
            ("focus", window.set_focus()),
        ] {
            if let Err(error) = outcome {
                tracing::debug!(%error, what, "window not brought forward");
            }
        }
    }
    if let Err(error) = app.emit(SHOW_EVENT, ShowRequest { contact_id }) {
        tracing::warn!(%error, "show request not delivered to the webview");
    }
}

/// Runs until the app closes.
pub async fn run(
    app: tauri::AppHandle,
    client: Client,
    focus: Arc<Mutex<Option<Id>>>,
    mut events: mpsc::UnboundedReceiver<Event>,
) {
    // Each notification has its own identifier, so a Show opens its own conversation.
    let mut next_id: i32 = 1;
    while let Some(event) = events.recv().await {
        let in_view = focus.lock().map(|focus| *focus).unwrap_or(None);
        let Some(notice) = notice(&client, in_view, &event).await else {
            continue;
        };
        next_id = next_id.checked_add(1).unwrap_or(1);
        if let Err(error) = app
            .notification()
            .builder()
            .id(next_id)
            .title(&notice.title)
            .body(&notice.body)
            .action_type_id(SHOW_ACTIONS)
            .extra(CONTACT_KEY, notice.contact_id)
            .show()
        {
            tracing::warn!(%error, "notification not shown");
        }
    }
}
