//! The Parley desktop app: a thin Tauri shell. Commands delegate to `parley-client`; hub
//! events are forwarded to the webview and, when the agent should know, raised as OS
//! notifications.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod habits;
mod keychain;
mod media;
mod notifications;
mod updates;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use parley_client::{Client, EventSink, Policy};
use parley_proto::{ConnectionState, Event, Id};
use tauri::{Emitter as _, Manager as _};
use tokio::sync::mpsc;

/// Webview event names.
pub const EVENT: &str = "parley://event";
pub const CONNECTION: &str = "parley://connection";
pub const CHANGED: &str = "parley://changed";

/// What the shell keeps for its commands.
pub struct Shell {
    pub client: Client,
    /// The contact whose conversation is in view (no notification for it).
    pub focus: Arc<Mutex<Option<Id>>>,
    pub connection: Arc<Mutex<ConnectionState>>,
}

/// Forwards the core's reports to the webview and to the notification worker.
struct WebviewSink {
    app: tauri::AppHandle,
    notifications: mpsc::UnboundedSender<Event>,
    connection: Arc<Mutex<ConnectionState>>,
}

impl EventSink for WebviewSink {
    fn event(&self, event: &Event) {
        if let (Some(tray), Some(shell)) = (
            self.app.try_state::<habits::Tray>(),
            self.app.try_state::<Shell>(),
        ) {
            tray.follow(&shell.client, event);
        }
        if let Err(error) = self.app.emit(EVENT, event) {
            tracing::warn!(%error, "event not delivered to the webview");
        }
        if self.notifications.send(event.clone()).is_err() {
            tracing::warn!("the notification worker stopped");
        }
    }

    fn connection(&self, state: ConnectionState) {
        if let Ok(mut current) = self.connection.lock() {
            *current = state;
        }
        if let Err(error) = self.app.emit(CONNECTION, state) {
            tracing::warn!(%error, "connection state not delivered to the webview");
        }
    }

    fn changed(&self) {
        if let Err(error) = self.app.emit(CHANGED, ()) {
            tracing::warn!(%error, "change not delivered to the webview");
        }
    }
}

fn data_dir(app: &tauri::App) -> PathBuf {
    if let Some(dir) = std::env::var_os("PARLEY_DATA_DIR") {
        return PathBuf::from(dir);
    }
    app.path().app_data_dir().unwrap_or_else(|error| {
        tracing::warn!(%error, "no app data folder; using the current folder");
        PathBuf::from(".")
    })
}

/// `parley-desktop --write-policy --hub-url URL [--policy FILE]`: what a silent install
/// with `HUB_URL` runs. Writes the system's policy file (or FILE) so agents sign in to URL
/// only, and exits without opening a window. `None` when the arguments ask for no such
/// thing.
fn write_policy(arguments: &[String]) -> Option<i32> {
    if !arguments
        .iter()
        .any(|argument| argument == "--write-policy")
    {
        return None;
    }
    let value = |name: &str| {
        arguments
            .iter()
            .position(|argument| argument == name)
            .and_then(|at| arguments.get(at + 1))
            .cloned()
    };
    let Some(hub_url) = value("--hub-url") else {
        eprintln!("parley-desktop: --write-policy needs --hub-url URL");
        return Some(2);
    };
    let path = value("--policy").map_or_else(Policy::system_path, PathBuf::from);
    match parley_client::policy::write_hub_url(&path, &hub_url) {
        Ok(()) => {
            println!("{}: agents sign in to {hub_url} only", path.display());
            Some(0)
        }
        Err(error) => {
            eprintln!("parley-desktop: {error}");
            Some(1)
        }
    }
}

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = write_policy(&arguments) {
        std::process::exit(code);
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("PARLEY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();

    let outcome = tauri::Builder::default()
        // First: a second launch hands over to the running app before anything starts.
        .plugin(habits::single_instance())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .plugin(updates::plugin())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, media::serve)
        .setup(|app| {
            let (notifications, pending) = mpsc::unbounded_channel();
            let connection = Arc::new(Mutex::new(ConnectionState::Offline));
            let sink = WebviewSink {
                app: app.handle().clone(),
                notifications,
                connection: Arc::clone(&connection),
            };
            let folder = data_dir(app);
            tracing::info!(data_dir = %folder.display(), "Parley desktop starting");
            habits::quit_on_terminate(app.handle());
            let policy = Policy::load();
            habits::start_at_login(app.handle(), policy.policy.start_at_login);
            let update_policy = policy.policy.clone();
            let client = Client::new(folder, Arc::new(sink)).with_policy(policy);
            updates::run(app.handle().clone(), client.clone(), update_policy);
            match habits::Tray::install(app.handle()) {
                Ok(tray) => {
                    app.manage(tray);
                }
                Err(error) => tracing::warn!(%error, "no tray icon"),
            }
            if let Err(error) = notifications::install(app.handle()) {
                tracing::warn!(%error, "notification actions unavailable");
            }
            let focus = Arc::new(Mutex::new(None));
            tauri::async_runtime::spawn(notifications::run(
                app.handle().clone(),
                client.clone(),
                Arc::clone(&focus),
                pending,
            ));
            app.manage(Shell {
                client,
                focus,
                connection,
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::login,
            commands::logout,
            commands::session,
            commands::set_status,
            commands::list_contacts,
            commands::list_messages,
            commands::mark_read,
            commands::list_interactions,
            commands::accept_interaction,
            commands::decline_interaction,
            commands::send_message,
            commands::create_interaction,
            commands::end_interaction,
            commands::save_wrap_up,
            commands::mark_done,
            commands::settings,
            commands::summary,
            commands::mark_unread,
            commands::search,
            commands::update_contact,
            commands::contact_interactions,
            commands::set_focus,
            commands::set_unread_total,
            commands::retry_message,
            commands::create_interaction_for_number,
            commands::open_media,
            commands::save_media,
            commands::notification_settings,
            commands::desktop_policy,
            commands::set_notification_settings,
            commands::upload_media,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = outcome {
        tracing::error!(%error, "the desktop app failed");
        std::process::exit(1);
    }
}
