//! Declares the app's own commands, so capabilities can grant exactly those.

const COMMANDS: &[&str] = &[
    "login",
    "logout",
    "session",
    "set_status",
    "list_contacts",
    "list_messages",
    "mark_read",
    "list_interactions",
    "accept_interaction",
    "decline_interaction",
    "send_message",
    "set_focus",
    "set_unread_total",
    "retry_message",
    "create_interaction_for_number",
    "open_media",
    "save_media",
    "notification_settings",
    "set_notification_settings",
    "upload_media",
    "create_interaction",
    "end_interaction",
    "save_wrap_up",
    "mark_done",
    "settings",
    "summary",
    "mark_unread",
    "search",
    "update_contact",
    "contact_interactions",
    "desktop_policy",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
