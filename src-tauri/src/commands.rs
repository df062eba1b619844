//! The IPC commands: one-line delegations to `parley-client`. Errors reach the UI as
//! `{ code, message }` (`ApiError`).

use parley_proto::{
    Agent, AgentStatus, AgentSummary, ApiError, ComposeRequest, Contact, ContactInteraction,
    ContactSummary, ErrorCode, Id, Interaction, LoginRequest, Message, NotificationSettings,
    SearchHit, Session, UpdateContactRequest, WorkspaceSettings, WrapUpRequest,
};
use tauri::{Emitter as _, Manager as _, State};

use crate::habits::Tray;
use crate::keychain::Keychain;
use crate::{CONNECTION, Shell};

/// The hub a login goes to when the form leaves it empty.
const DEFAULT_HUB_URL: &str = "http://127.0.0.1:8080";

#[tauri::command]
pub async fn login(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    request: LoginRequest,
) -> Result<Session, ApiError> {
    let hub_url = request.hub_url.filter(|url| !url.trim().is_empty());
    let hub_url = hub_url.as_deref().unwrap_or(DEFAULT_HUB_URL);
    let session = shell
        .client
        .login(hub_url, &request.login, &request.password)
        .await?;
    tray_status(&app, Some(session.agent.status));
    let keep = request.stay_signed_in == Some(true) && shell.client.policy().allow_stay_signed_in;
    let kept = match shell.client.kept_session().filter(|_| keep) {
        Some(kept) => Keychain::default().keep(&kept),
        None => Keychain::default().forget(),
    };
    if let Err(error) = kept {
        tracing::warn!(%error, keep, "the keychain did not take the session");
    }
    Ok(session)
}

/// A session kept by "stay signed in", resumed when the app starts (and the policy still
/// allows it); a session the hub no longer honours is forgotten.
async fn resume_kept(shell: &Shell) -> Option<Session> {
    let keychain = Keychain::default();
    if !shell.client.policy().allow_stay_signed_in {
        if let Err(error) = keychain.forget() {
            tracing::debug!(%error, "no kept session to forget");
        }
        return None;
    }
    let kept = match keychain.kept() {
        Ok(kept) => kept?,
        Err(error) => {
            tracing::warn!(%error, "the kept session cannot be read");
            return None;
        }
    };
    match shell.client.resume(&kept).await {
        Ok(session) => Some(session),
        Err(error) => {
            tracing::info!(%error, "the kept session is not used: signing in again");
            if error.is_session_refused()
                && let Err(error) = keychain.forget()
            {
                tracing::warn!(%error, "the kept session was not forgotten");
            }
            None
        }
    }
}

/// Shows the agent's status in the tray (`None`: signed out).
fn tray_status(app: &tauri::AppHandle, status: Option<AgentStatus>) {
    if let Some(tray) = app.try_state::<Tray>() {
        tray.update(|state| {
            state.status = status;
            if status.is_none() {
                state.unread = 0;
            }
        });
    }
}

#[tauri::command]
pub async fn logout(app: tauri::AppHandle, shell: State<'_, Shell>) -> Result<(), ApiError> {
    if let Err(error) = Keychain::default().forget() {
        tracing::warn!(%error, "the kept session was not forgotten");
    }
    shell.client.logout().await?;
    tray_status(&app, None);
    Ok(())
}

/// The current session; also repeats the connection state for a UI that just subscribed.
#[tauri::command]
pub async fn session(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
) -> Result<Option<Session>, ApiError> {
    let mut session = shell.client.session().await?;
    if session.is_none() {
        session = resume_kept(&shell).await;
    }
    tray_status(&app, session.as_ref().map(|session| session.agent.status));
    let state = shell.connection.lock().map(|state| *state);
    if let (Some(_), Ok(state)) = (&session, state)
        && let Err(error) = app.emit(CONNECTION, state)
    {
        tracing::warn!(%error, "connection state not delivered to the webview");
    }
    Ok(session)
}

#[tauri::command]
pub async fn set_status(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    status: AgentStatus,
    reason: Option<String>,
) -> Result<Agent, ApiError> {
    let agent = shell.client.set_status(status, reason).await?;
    tray_status(&app, Some(agent.status));
    Ok(agent)
}

#[tauri::command]
pub async fn list_contacts(shell: State<'_, Shell>) -> Result<Vec<ContactSummary>, ApiError> {
    Ok(shell.client.list_contacts().await?)
}

#[tauri::command]
pub async fn list_messages(
    shell: State<'_, Shell>,
    contact_id: Id,
    page: Option<parley_proto::MessagePageRequest>,
) -> Result<Vec<Message>, ApiError> {
    Ok(match page {
        Some(page) => shell.client.message_page(contact_id, &page).await?,
        None => shell.client.list_messages(contact_id).await?,
    })
}

#[tauri::command]
pub async fn mark_read(shell: State<'_, Shell>, contact_id: Id) -> Result<(), ApiError> {
    Ok(shell.client.mark_read(contact_id).await?)
}

#[tauri::command]
pub async fn update_contact(
    shell: State<'_, Shell>,
    contact_id: Id,
    request: UpdateContactRequest,
) -> Result<Contact, ApiError> {
    Ok(shell.client.update_contact(contact_id, request).await?)
}

#[tauri::command]
pub async fn contact_interactions(
    shell: State<'_, Shell>,
    contact_id: Id,
) -> Result<Vec<ContactInteraction>, ApiError> {
    Ok(shell.client.contact_interactions(contact_id).await?)
}

#[tauri::command]
pub async fn mark_unread(shell: State<'_, Shell>, contact_id: Id) -> Result<(), ApiError> {
    Ok(shell.client.mark_unread(contact_id).await?)
}

#[tauri::command]
pub async fn search(
    shell: State<'_, Shell>,
    query: String,
    before: Option<Id>,
) -> Result<Vec<SearchHit>, ApiError> {
    Ok(shell.client.search(&query, before).await?)
}

#[tauri::command]
pub async fn list_interactions(shell: State<'_, Shell>) -> Result<Vec<Interaction>, ApiError> {
    Ok(shell.client.list_interactions().await?)
}

#[tauri::command]
pub async fn accept_interaction(
    shell: State<'_, Shell>,
    interaction_id: Id,
) -> Result<Interaction, ApiError> {
    Ok(shell.client.accept(interaction_id).await?)
}

#[tauri::command]
pub async fn decline_interaction(
    shell: State<'_, Shell>,
    interaction_id: Id,
) -> Result<Interaction, ApiError> {
    Ok(shell.client.decline(interaction_id).await?)
}

#[tauri::command]
pub async fn create_interaction(
    shell: State<'_, Shell>,
    contact_id: Id,
    beyond_capacity: Option<bool>,
) -> Result<Interaction, ApiError> {
    Ok(shell
        .client
        .create_interaction(contact_id, beyond_capacity.unwrap_or(false))
        .await?)
}

#[tauri::command]
pub async fn end_interaction(
    shell: State<'_, Shell>,
    interaction_id: Id,
) -> Result<Interaction, ApiError> {
    Ok(shell.client.end_interaction(interaction_id).await?)
}

#[tauri::command]
pub async fn save_wrap_up(
    shell: State<'_, Shell>,
    interaction_id: Id,
    request: WrapUpRequest,
) -> Result<Interaction, ApiError> {
    Ok(shell.client.wrap_up(interaction_id, request, false).await?)
}

#[tauri::command]
pub async fn mark_done(
    shell: State<'_, Shell>,
    interaction_id: Id,
    request: WrapUpRequest,
) -> Result<Interaction, ApiError> {
    Ok(shell.client.wrap_up(interaction_id, request, true).await?)
}

#[tauri::command]
pub async fn settings(shell: State<'_, Shell>) -> Result<WorkspaceSettings, ApiError> {
    Ok(shell.client.settings().await?)
}

#[tauri::command]
pub async fn summary(shell: State<'_, Shell>, since: i64) -> Result<AgentSummary, ApiError> {
    Ok(shell.client.summary(since).await?)
}

#[tauri::command]
pub async fn send_message(
    shell: State<'_, Shell>,
    request: ComposeRequest,
) -> Result<Message, ApiError> {
    Ok(shell.client.send_message(request).await?)
}

#[tauri::command]
#[expect(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their State by value"
)]
pub fn set_focus(shell: State<'_, Shell>, contact_id: Option<Id>) {
    if let Ok(mut focus) = shell.focus.lock() {
        *focus = contact_id;
    }
}

/// The unread total of the agent's contacts, in the window title and, where the desktop
/// shows one, the dock or launcher badge.
#[tauri::command]
#[expect(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their window by value"
)]
pub fn set_unread_total(window: tauri::WebviewWindow, total: u32) {
    let title = if total == 0 {
        "Parley".to_owned()
    } else {
        format!("({total}) Parley")
    };
    if let Err(error) = window.set_title(&title) {
        tracing::warn!(%error, "window title not set");
    }
    let badge = (total > 0).then_some(i64::from(total));
    if let Err(error) = window.set_badge_count(badge) {
        tracing::debug!(%error, "no badge on this desktop");
    }
    if let Some(tray) = window.app_handle().try_state::<Tray>() {
        tray.update(|state| state.unread = total);
    }
}

#[tauri::command]
pub async fn retry_message(shell: State<'_, Shell>, message_id: Id) -> Result<Message, ApiError> {
    Ok(shell.client.retry_message(message_id).await?)
}

#[tauri::command]
pub async fn create_interaction_for_number(
    shell: State<'_, Shell>,
    phone: String,
    beyond_capacity: Option<bool>,
) -> Result<Interaction, ApiError> {
    Ok(shell
        .client
        .create_interaction_for_number(&phone, beyond_capacity.unwrap_or(false))
        .await?)
}

/// Opens the full-size picture in the OS default app (with the save-media permission: the
/// app can copy it anywhere).
#[tauri::command]
pub async fn open_media(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    media_id: Id,
) -> Result<(), ApiError> {
    use tauri_plugin_opener::OpenerExt as _;
    let path = shell.client.media_to_open(media_id).await?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|error| {
            tracing::warn!(%error, "no app opened the picture");
            ApiError::new(
                ErrorCode::Internal,
                "no app on this computer opened the picture",
            )
        })
}

/// Saves a copy of a picture where the agent chooses in the OS save dialog, and nowhere
/// else: the dialog's answer is the only path written. `None` when the agent cancels.
#[tauri::command]
pub async fn save_media(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    media_id: Id,
) -> Result<Option<String>, ApiError> {
    use tauri_plugin_dialog::DialogExt as _;
    let (source, suggested) = shell.client.media_to_save(media_id).await?;
    let (answer, chosen) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Save picture")
        .set_file_name(&suggested)
        .save_file(move |path| {
            let _ = answer.send(path);
        });
    let Some(target) = chosen.await.ok().flatten() else {
        return Ok(None);
    };
    let target = target.into_path().map_err(|error| {
        ApiError::new(ErrorCode::BadRequest, format!("cannot save there: {error}"))
    })?;
    tokio::fs::copy(&source, &target).await.map_err(|error| {
        ApiError::new(
            ErrorCode::Internal,
            format!("the picture was not saved: {error}"),
        )
    })?;
    tracing::info!(media_id, path = %target.display(), "picture saved");
    Ok(Some(target.display().to_string()))
}

#[tauri::command]
#[expect(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their State by value"
)]
pub fn notification_settings(shell: State<'_, Shell>) -> NotificationSettings {
    shell.client.notification_settings()
}

/// What the admin set for this computer, to show (and lock) in the UI.
#[tauri::command]
#[expect(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their State by value"
)]
pub fn desktop_policy(shell: State<'_, Shell>) -> parley_proto::DesktopPolicy {
    shell.client.policy()
}

#[tauri::command]
#[expect(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their State by value"
)]
pub fn set_notification_settings(
    shell: State<'_, Shell>,
    settings: NotificationSettings,
) -> Result<(), ApiError> {
    Ok(shell.client.set_notification_settings(settings)?)
}

/// A picture to attach, from the webview (a file picked, dropped or pasted), as base64.
#[tauri::command]
pub async fn upload_media(
    shell: State<'_, Shell>,
    content_type: String,
    data: String,
) -> Result<parley_proto::Upload, ApiError> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| ApiError::new(ErrorCode::BadRequest, "the picture did not arrive whole"))?;
    Ok(shell.client.upload(&content_type, bytes).await?)
}
