//! OS notifications: an interaction offered to this agent, a contact's reply in a
//! conversation that is not in view, a picture that cannot be shown (attachment issue) and
//! a message of the agent's that was not delivered — worded as the agent's privacy setting
//! allows, with or without sound. History replayed by a first sync stays quiet.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use parley_client::Client;
use parley_proto::{
    Direction, Event, EventKind, Id, InteractionState, MediaIssue, MediaState, Message,
    MessageStatus, NotificationPrivacy,
};
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

/// The kinds of news, before the privacy setting shapes the words.
enum News {
    Offer,
    Reply(String),
    /// A picture that cannot be shown: which one (see `Media::label`) and why.
    AttachmentIssue {
        picture: String,
        issue: MediaIssue,
    },
    NotDelivered(Option<u32>),
}

/// The words of a notification, as much as `privacy` allows.
fn words(news: &News, who: &str, privacy: NotificationPrivacy) -> (&'static str, String) {
    if privacy == NotificationPrivacy::Nothing {
        let body = match news {
            News::Offer => "A new chat is waiting.",
            News::Reply(_) => "New activity.",
            News::AttachmentIssue { .. } => "A picture could not be shown.",
            News::NotDelivered(_) => "A message was not delivered.",
        };
        return ("Parley", format!("{body} Open Parley to see it."));
    }
    match news {
        News::Offer => (
            "Incoming SMS",
            format!("{who} wants to chat. Open Parley to accept."),
        ),
        News::Reply(text) if privacy == NotificationPrivacy::NameAndText => {
            let shown: String = text.chars().take(200).collect();
            ("New message", format!("{who}: {shown}"))
        }
        News::Reply(_) => ("New message", format!("{who} sent a new message.")),
        News::AttachmentIssue { picture, issue } => (
            "Attachment issue",
            format!(
                "{who} sent a picture that cannot be shown. {picture}: {}. {}",
                issue.describe(),
                issue.advice()
            ),
        ),
        News::NotDelivered(code) => (
            "Message not delivered",
            format!(
                "Your message to {who} was not delivered. {}",
                code.map_or_else(
                    || "It was not sent.".to_owned(),
                    parley_sms::errors::describe
                )
            ),
        ),
    }
}

/// What happened, if it is news for this agent. `told` remembers the messages already
/// announced: a message's event repeats as its pictures arrive.
async fn news(
    client: &Client,
    focus: Option<Id>,
    event: &Event,
    told: &mut HashSet<(Id, u8)>,
) -> Option<(Id, News)> {
    if now_millis() - event.at > NEWS_WINDOW_MS {
        return None;
    }
    let me = client.agent_id().ok()?;
    match &event.kind {
        EventKind::Interaction { interaction }
            if interaction.state == InteractionState::Offered
                && interaction.agent_id == Some(me) =>
        {
            Some((interaction.contact_id, News::Offer))
        }
        EventKind::Message { message } if message.direction == Direction::Inbound => {
            if !is_reply_for_me(client, me, message).await {
                return None;
            }
            let count = message.media.len();
            if let Some((picture, issue)) = message.media.iter().find_map(|media| {
                (media.state == MediaState::Issue)
                    .then_some(media.issue)
                    .flatten()
                    .map(|issue| (media.label(count), issue))
            }) {
                return told
                    .insert((message.id, 1))
                    .then_some((message.contact_id, News::AttachmentIssue { picture, issue }));
            }
            (focus != Some(message.contact_id) && told.insert((message.id, 0)))
                .then(|| (message.contact_id, News::Reply(message.body.clone())))
        }
        EventKind::Message { message }
            if message.agent_id == Some(me)
                && matches!(
                    message.status,
                    MessageStatus::Undelivered | MessageStatus::Failed
                ) =>
        {
            Some((message.contact_id, News::NotDelivered(message.error_code)))
        }
        _ => None,
    }
}

/// What to tell the agent about an event, if anything.
async fn notice(
    client: &Client,
    focus: Option<Id>,
    event: &Event,
    told: &mut HashSet<(Id, u8)>,
    privacy: NotificationPrivacy,
) -> Option<Notice> {
    let (contact_id, news) = news(client, focus, event, told).await?;
    let contact = client.contact(contact_id).await.ok()?;
    let who = contact.name.map_or_else(
        || contact.phone.clone(),
        |name| format!("{name} ({})", contact.phone),
    );
    let (title, body) = words(&news, &who, privacy);
    Some(Notice {
        contact_id,
        title: title.to_owned(),
        body: without_markup(&body),
    })
}

/// A customer's words (and a contact's name) as plain text for any notification server:
/// some render a subset of HTML in the body (freedesktop's `body-markup`), so `<`, `>`
/// and `&` become look-alikes that no server reads as markup, and a text such as
/// `<a href=…>` or `<img src=…>` cannot make a link or fetch a picture.
fn without_markup(text: &str) -> String {
    text.chars()
        .map(|character| match character {
            '<' => '‹',
            '>' => '›',
            '&' => '＆',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_text_cannot_be_markup_in_a_notification() {
        let (_, body) = words(
            &News::Reply("<b>urgent</b> & <a href=\"https://x.test\">pay</a> <img src=x>".into()),
            "Pat <script> (+12015550100)",
            NotificationPrivacy::NameAndText,
        );
        let shown = without_markup(&body);
        assert!(!shown.contains(['<', '>', '&']), "{shown}");
        assert_eq!(
            shown,
            "Pat ‹script› (+12015550100): ‹b›urgent‹/b› ＆ ‹a href=\"https://x.test\"›pay‹/a› ‹img src=x›"
        );
        assert_eq!(
            without_markup("plain words, 100% fine"),
            "plain words, 100% fine"
        );
    }
}

/// The platform's name for the usual "new message" sound.
#[cfg(target_os = "macos")]
const SOUND: &str = "Glass";
#[cfg(windows)]
const SOUND: &str = "Default";
#[cfg(not(any(target_os = "macos", windows)))]
const SOUND: &str = "message-new-instant";

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
    let mut told = HashSet::new();
    while let Some(event) = events.recv().await {
        let in_view = focus.lock().map(|focus| *focus).unwrap_or(None);
        // Read each time: the agent may change them at any moment.
        let settings = client.notification_settings();
        let Some(notice) = notice(&client, in_view, &event, &mut told, settings.privacy).await
        else {
            continue;
        };
        next_id = next_id.checked_add(1).unwrap_or(1);
        let mut builder = app
            .notification()
            .builder()
            .id(next_id)
            .title(&notice.title)
            .body(&notice.body)
            .action_type_id(SHOW_ACTIONS)
            .extra(CONTACT_KEY, notice.contact_id);
        if settings.sound {
            builder = builder.sound(SOUND);
        }
        if let Err(error) = builder.show() {
            tracing::warn!(%error, "notification not shown");
        }
    }
}

/// A notification about the app itself (an update installed), with no contact in it.
pub fn tell(app: &tauri::AppHandle, title: &str, body: &str) {
    if let Err(error) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(%error, "notification not shown");
    }
}
