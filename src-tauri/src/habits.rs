//! What agents expect of a desktop app they keep open all day: one instance (a second launch
//! brings the running window forward), the window where they left it, a tray icon with the
//! unread count and Ready / Not Ready, and — when the admin says so — a start at login.

use std::sync::Mutex;

use parley_client::Client;
use parley_proto::{AgentStatus, Event, EventKind};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager as _, Wry};
use tauri_plugin_autostart::ManagerExt as _;

const TRAY: &str = "parley";
const SHOW: &str = "show";
const READY: &str = "ready";
const NOT_READY: &str = "not-ready";
const QUIT: &str = "quit";

/// Brings the main window forward: a second launch, the tray's "Show Parley".
pub fn show_main_window(app: &AppHandle) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    for (what, outcome) in [
        ("unminimize", window.unminimize()),
        ("show", window.show()),
        ("focus", window.set_focus()),
    ] {
        if let Err(error) = outcome {
            tracing::debug!(%error, what, "the window did not come forward");
        }
    }
}

/// The single-instance plugin: a second launch focuses this one's window and exits.
pub fn single_instance() -> tauri::plugin::TauriPlugin<Wry> {
    tauri_plugin_single_instance::init(|app, _arguments, _folder| {
        tracing::info!("Parley was launched again: its window comes forward");
        show_main_window(app);
    })
}

/// Quits cleanly on SIGTERM (a session ending, a service manager, an update): the window's
/// place is saved on the way out, as when the agent quits.
pub fn quit_on_terminate(app: &AppHandle) {
    #[cfg(unix)]
    {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut terminate) => {
                    if terminate.recv().await.is_some() {
                        tracing::info!("SIGTERM: quitting");
                        app.exit(0);
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot listen for SIGTERM"),
            }
        });
    }
    #[cfg(not(unix))]
    let _ = app;
}

/// Applies the admin's `start_at_login`: on or off; unset leaves it as it is.
pub fn start_at_login(app: &AppHandle, wanted: Option<bool>) {
    let Some(wanted) = wanted else {
        return;
    };
    let launcher = app.autolaunch();
    let outcome = if wanted {
        launcher.enable()
    } else {
        launcher.disable()
    };
    match outcome {
        Ok(()) => tracing::info!(start_at_login = wanted, "start at login set by the admin"),
        Err(error) => tracing::warn!(%error, wanted, "start at login could not be set"),
    }
}

/// What the tray shows: the unread count and the agent's status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrayState {
    pub unread: u32,
    /// `None` while signed out.
    pub status: Option<AgentStatus>,
}

impl TrayState {
    /// The tooltip (and, on Linux and macOS, the label beside the icon).
    #[must_use]
    pub fn label(&self) -> String {
        let status = match self.status {
            None => "signed out",
            Some(AgentStatus::Ready) => "Ready",
            Some(AgentStatus::NotReady) => "Not Ready",
        };
        match self.unread {
            0 => format!("Parley: {status}"),
            1 => format!("Parley: {status}, 1 unread"),
            unread => format!("Parley: {status}, {unread} unread"),
        }
    }

    /// Whether "Ready" and "Not Ready" can be chosen: only signed in, and not the status
    /// the agent has.
    #[must_use]
    pub fn choices(&self) -> (bool, bool) {
        match self.status {
            None => (false, false),
            Some(AgentStatus::Ready) => (false, true),
            Some(AgentStatus::NotReady) => (true, false),
        }
    }
}

/// The tray icon and its menu.
pub struct Tray {
    icon: TrayIcon,
    ready: MenuItem<Wry>,
    not_ready: MenuItem<Wry>,
    state: Mutex<TrayState>,
}

impl Tray {
    /// Puts the icon in the system tray (where the desktop has one).
    ///
    /// # Errors
    /// When the menu or the icon cannot be made.
    pub fn install(app: &AppHandle) -> tauri::Result<Self> {
        let show = MenuItem::with_id(app, SHOW, "Show Parley", true, None::<&str>)?;
        let ready = MenuItem::with_id(app, READY, "Ready", false, None::<&str>)?;
        let not_ready = MenuItem::with_id(app, NOT_READY, "Not Ready", false, None::<&str>)?;
        let quit = MenuItem::with_id(app, QUIT, "Quit Parley", true, None::<&str>)?;
        let menu = Menu::with_items(
            app,
            &[
                &show,
                &PredefinedMenuItem::separator(app)?,
                &ready,
                &not_ready,
                &PredefinedMenuItem::separator(app)?,
                &quit,
            ],
        )?;
        let mut builder = TrayIconBuilder::with_id(TRAY)
            .menu(&menu)
            .tooltip(TrayState::default().label())
            .on_menu_event(|app, event| match event.id.as_ref() {
                SHOW => show_main_window(app),
                READY => choose_status(app, AgentStatus::Ready),
                NOT_READY => choose_status(app, AgentStatus::NotReady),
                QUIT => app.exit(0),
                _ => {}
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        let icon = builder.build(app)?;
        Ok(Self {
            icon,
            ready,
            not_ready,
            state: Mutex::new(TrayState::default()),
        })
    }

    /// Changes what the tray shows.
    pub fn update(&self, change: impl FnOnce(&mut TrayState)) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let before = *state;
        change(&mut state);
        if *state == before {
            return;
        }
        let label = state.label();
        let (ready, not_ready) = state.choices();
        drop(state);
        let outcomes = [
            self.icon.set_tooltip(Some(&label)),
            self.icon.set_title(Some(&label)),
            self.ready.set_enabled(ready),
            self.not_ready.set_enabled(not_ready),
        ];
        for error in outcomes.into_iter().filter_map(Result::err) {
            tracing::debug!(%error, "the tray was not updated");
        }
    }

    /// Follows the agent's own status in the hub's events.
    pub fn follow(&self, client: &Client, event: &Event) {
        if let EventKind::Agent { agent } = &event.kind
            && client.agent_id().is_ok_and(|id| id == agent.id)
        {
            self.update(|state| state.status = Some(agent.status));
        }
    }
}

fn choose_status(app: &AppHandle, status: AgentStatus) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(shell) = app.try_state::<crate::Shell>() else {
            return;
        };
        match shell.client.set_status(status, None).await {
            Ok(agent) => {
                if let Some(tray) = app.try_state::<Tray>() {
                    tray.update(|state| state.status = Some(agent.status));
                }
            }
            Err(error) => tracing::warn!(%error, ?status, "the status from the tray was not set"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_says_the_status_and_the_unread_count() {
        let mut state = TrayState::default();
        assert_eq!(state.label(), "Parley: signed out");
        assert_eq!(state.choices(), (false, false));
        state.status = Some(AgentStatus::NotReady);
        assert_eq!(state.label(), "Parley: Not Ready");
        assert_eq!(state.choices(), (true, false));
        state.unread = 1;
        assert_eq!(state.label(), "Parley: Not Ready, 1 unread");
        state.status = Some(AgentStatus::Ready);
        state.unread = 12;
        assert_eq!(state.label(), "Parley: Ready, 12 unread");
        assert_eq!(state.choices(), (false, true));
    }
}
