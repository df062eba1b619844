//! What an admin decides for every agent of a computer: the desktop policy file
//! (`/etc/parley/desktop.toml` on Linux, `%ProgramData%\Parley\desktop.toml` on Windows,
//! `/Library/Application Support/Parley/desktop.toml` on macOS; `PARLEY_DESKTOP_POLICY`
//! names another file). A missing file means the safe defaults; a malformed one is reported
//! and the safe defaults apply, so the app still starts.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use parley_proto::{DesktopPolicy, NotificationPrivacy, NotificationSettings};
use serde::Deserialize;

/// The environment variable that names a policy file in place of the system's.
pub const POLICY_VARIABLE: &str = "PARLEY_DESKTOP_POLICY";

/// The admin's settings. Every default is the safe choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// The hub agents sign in to: filled in on the sign-in screen.
    pub hub_url: Option<String>,
    /// Agents may sign in to `hub_url` only.
    pub lock_hub_url: bool,
    /// Whether agents may sign in to a hub over plain `http://` on another computer. (A hub
    /// on this computer, over loopback, is always allowed.)
    pub allow_plain_http: bool,
    /// What notifications show until the agent chooses (`name_and_text`, `name_only`,
    /// `nothing`).
    pub notification_privacy: Option<Privacy>,
    /// Agents cannot change what notifications show.
    pub lock_notification_privacy: bool,
    /// The app starts when the agent logs in to the computer (unset: the agent decides).
    pub start_at_login: Option<bool>,
    /// Agents may choose "Stay signed in": the session is kept in the OS keychain.
    pub allow_stay_signed_in: bool,
    /// `false` turns updates off (unset: on).
    pub updates: Option<bool>,
    /// The update channel: `<hub>/updates/<channel>/latest.json` (unset: `stable`).
    pub update_channel: Option<String>,
    /// Where the update manifest is, in place of the hub's (any static URL).
    pub update_url: Option<String>,
    /// Install this version only (and stay on it); unset: the newest.
    pub update_pin_version: Option<String>,
}

/// What notifications show, as the policy file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    NameAndText,
    NameOnly,
    Nothing,
}

impl From<Privacy> for NotificationPrivacy {
    fn from(privacy: Privacy) -> Self {
        match privacy {
            Privacy::NameAndText => Self::NameAndText,
            Privacy::NameOnly => Self::NameOnly,
            Privacy::Nothing => Self::Nothing,
        }
    }
}

/// Why the desktop will not sign in to a hub URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubUrlRefused {
    #[error("{0:?} is not an http(s) URL")]
    NotHttp(String),
    #[error(
        "{0} is a plain http:// hub on another computer: passwords and messages would cross \
         the network unencrypted. Use its https:// address, or ask your admin \
         (allow_plain_http in the desktop policy)."
    )]
    Plain(String),
    #[error("your admin set this computer to sign in to {0} only")]
    Locked(String),
}

/// Why a policy file was not applied.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("the desktop policy {path} cannot be read: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("the desktop policy {path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("the desktop policy {path} cannot be written: {reason}")]
    Unwritable { path: PathBuf, reason: String },
    #[error(transparent)]
    HubUrl(#[from] HubUrlRefused),
}

/// The agent tried to change a setting the admin locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", Self::MESSAGE)]
pub struct LockedByAdmin;

impl LockedByAdmin {
    /// The sentence the agent reads.
    pub const MESSAGE: &'static str = "what notifications show is set by your admin";
}

/// The policy in force and where it came from, for the UI.
#[derive(Debug, Clone, Default)]
pub struct LoadedPolicy {
    pub policy: Policy,
    /// The file read, when there is one.
    pub path: Option<PathBuf>,
    /// Why the file was not applied (the safe defaults are in force then).
    pub problem: Option<String>,
}

impl Policy {
    /// Where this system keeps the policy (or the file `PARLEY_DESKTOP_POLICY` names).
    #[must_use]
    pub fn system_path() -> PathBuf {
        if let Some(path) = std::env::var_os(POLICY_VARIABLE) {
            return PathBuf::from(path);
        }
        if cfg!(target_os = "windows") {
            let data = std::env::var_os("ProgramData")
                .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
            data.join("Parley").join("desktop.toml")
        } else if cfg!(target_os = "macos") {
            PathBuf::from("/Library/Application Support/Parley/desktop.toml")
        } else {
            PathBuf::from("/etc/parley/desktop.toml")
        }
    }

    /// The policy in `path`; the defaults when there is no such file.
    ///
    /// # Errors
    /// [`PolicyError`] when the file exists but cannot be read or is not a valid policy.
    pub fn read(path: &Path) -> Result<Self, PolicyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(error) => {
                return Err(PolicyError::Unreadable {
                    path: path.to_owned(),
                    reason: error.to_string(),
                });
            }
        };
        let invalid = |reason: String| PolicyError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let mut policy: Self =
            toml::from_str(&text).map_err(|error| invalid(error.message().to_owned()))?;
        if let Some(hub_url) = &policy.hub_url {
            let hub_url = normalized(hub_url);
            policy
                .check_scheme(&hub_url)
                .map_err(|refused| invalid(format!("hub_url: {refused}")))?;
            policy.hub_url = Some(hub_url);
        } else if policy.lock_hub_url {
            return Err(invalid("lock_hub_url needs hub_url".to_owned()));
        }
        if let Some(channel) = &policy.update_channel
            && (channel.is_empty()
                || !channel
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-'))
        {
            return Err(invalid(format!(
                "update_channel {channel:?}: lowercase letters, digits and - only"
            )));
        }
        if let Some(url) = &policy.update_url {
            policy
                .check_scheme(url)
                .map_err(|refused| invalid(format!("update_url: {refused}")))?;
        }
        if let Some(pin) = &policy.update_pin_version
            && semver::Version::parse(pin).is_err()
        {
            return Err(invalid(format!(
                "update_pin_version {pin:?} is not a version like 1.4.2"
            )));
        }
        if policy.lock_notification_privacy && policy.notification_privacy.is_none() {
            return Err(invalid(
                "lock_notification_privacy needs notification_privacy".to_owned(),
            ));
        }
        Ok(policy)
    }

    /// The policy at `path`; on an error, logs it and applies the safe defaults.
    #[must_use]
    pub fn load_from(path: &Path) -> LoadedPolicy {
        let found = path.exists().then(|| path.to_owned());
        match Self::read(path) {
            Ok(policy) => {
                tracing::info!(path = %path.display(), ?policy, "desktop policy");
                LoadedPolicy {
                    policy,
                    path: found,
                    problem: None,
                }
            }
            Err(error) => {
                tracing::error!(%error, "the desktop policy is ignored: safe defaults apply");
                LoadedPolicy {
                    policy: Self::default(),
                    path: found,
                    problem: Some(error.to_string()),
                }
            }
        }
    }

    /// The system's policy (see [`Policy::load_from`]).
    #[must_use]
    pub fn load() -> LoadedPolicy {
        Self::load_from(&Self::system_path())
    }

    /// Whether the desktop may sign in to `hub_url`: the admin's hub only when it is
    /// locked; `https://` always, `http://` only on this computer (loopback) unless the
    /// policy allows plain hubs.
    ///
    /// # Errors
    /// [`HubUrlRefused`], in words for the agent.
    pub fn check_hub_url(&self, hub_url: &str) -> Result<(), HubUrlRefused> {
        if self.lock_hub_url
            && let Some(locked) = &self.hub_url
            && normalized(hub_url) != *locked
        {
            return Err(HubUrlRefused::Locked(locked.clone()));
        }
        self.check_scheme(hub_url)
    }

    fn check_scheme(&self, hub_url: &str) -> Result<(), HubUrlRefused> {
        let url =
            url::Url::parse(hub_url).map_err(|_| HubUrlRefused::NotHttp(hub_url.to_owned()))?;
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.allow_plain_http || is_loopback(&url) => Ok(()),
            "http" => Err(HubUrlRefused::Plain(hub_url.to_owned())),
            _ => Err(HubUrlRefused::NotHttp(hub_url.to_owned())),
        }
    }

    /// The agent's notification preferences under this policy: the admin's privacy when
    /// locked, or when the agent never chose (`chosen` is `None`).
    #[must_use]
    pub fn notification_settings(
        &self,
        chosen: Option<NotificationSettings>,
    ) -> NotificationSettings {
        let admin = self.notification_privacy.map(NotificationPrivacy::from);
        match (chosen, admin) {
            (Some(chosen), Some(privacy)) if self.lock_notification_privacy => {
                NotificationSettings { privacy, ..chosen }
            }
            (Some(chosen), _) => chosen,
            (None, Some(privacy)) => NotificationSettings {
                privacy,
                ..NotificationSettings::default()
            },
            (None, None) => NotificationSettings::default(),
        }
    }

    /// Whether the agent may keep `settings`.
    ///
    /// # Errors
    /// [`LockedByAdmin`] when the admin locked what notifications show.
    pub fn check_notification_settings(
        &self,
        settings: &NotificationSettings,
    ) -> Result<(), LockedByAdmin> {
        match self.notification_privacy.map(NotificationPrivacy::from) {
            Some(privacy) if self.lock_notification_privacy && settings.privacy != privacy => {
                Err(LockedByAdmin)
            }
            _ => Ok(()),
        }
    }
}

/// Where and what the desktop updates from, under the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePlan {
    /// The update manifest (Tauri's `latest.json`).
    pub url: String,
    /// Only this version, when pinned.
    pub pin: Option<semver::Version>,
}

impl Policy {
    /// Where the desktop looks for updates: the policy's `update_url`, else the hub's
    /// folder for the channel (`hub_url` is the policy's hub, or the one signed in to).
    /// `None` when updates are off or no hub is known yet.
    #[must_use]
    pub fn update_plan(&self, signed_in_hub: Option<&str>) -> Option<UpdatePlan> {
        if self.updates == Some(false) {
            return None;
        }
        let pin = self
            .update_pin_version
            .as_deref()
            .and_then(|pin| semver::Version::parse(pin).ok());
        let url = match &self.update_url {
            Some(url) => url.clone(),
            None => {
                let hub = self.hub_url.as_deref().or(signed_in_hub)?;
                let channel = self.update_channel.as_deref().unwrap_or("stable");
                format!("{}/updates/{channel}/latest.json", normalized(hub))
            }
        };
        self.check_scheme(&url).ok()?;
        Some(UpdatePlan { url, pin })
    }
}

impl LoadedPolicy {
    /// The policy in the UI's words.
    #[must_use]
    pub fn view(&self) -> DesktopPolicy {
        let policy = &self.policy;
        DesktopPolicy {
            hub_url: policy.hub_url.clone(),
            hub_url_locked: policy.lock_hub_url,
            allow_plain_http: policy.allow_plain_http,
            notification_privacy: policy.notification_privacy.map(NotificationPrivacy::from),
            notification_privacy_locked: policy.lock_notification_privacy,
            start_at_login: policy.start_at_login,
            allow_stay_signed_in: policy.allow_stay_signed_in,
            path: self.path.as_ref().map(|path| path.display().to_string()),
            problem: self.problem.clone(),
        }
    }
}

/// A hub URL as the desktop keeps it: trimmed, without a trailing slash.
#[must_use]
pub fn normalized(hub_url: &str) -> String {
    hub_url.trim().trim_end_matches('/').to_owned()
}

/// Writes (or updates) the policy file at `path` so agents sign in to `hub_url` only: what
/// a silent install with `HUB_URL` does. Other keys in the file stay.
///
/// # Errors
/// [`PolicyError::HubUrl`] when the URL is not an http(s) URL; the other variants when the
/// file cannot be read, is not valid, or cannot be written.
pub fn write_hub_url(path: &Path, hub_url: &str) -> Result<(), PolicyError> {
    let hub_url = normalized(hub_url);
    let http = url::Url::parse(&hub_url).is_ok_and(|url| matches!(url.scheme(), "http" | "https"));
    if !http {
        return Err(HubUrlRefused::NotHttp(hub_url).into());
    }
    let unwritable = |reason: String| PolicyError::Unwritable {
        path: path.to_owned(),
        reason,
    };
    let mut table: toml::Table = match std::fs::read_to_string(path) {
        Ok(text) => text
            .parse()
            .map_err(|error: toml::de::Error| PolicyError::Invalid {
                path: path.to_owned(),
                reason: error.message().to_owned(),
            })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
        Err(error) => {
            return Err(PolicyError::Unreadable {
                path: path.to_owned(),
                reason: error.to_string(),
            });
        }
    };
    table.insert("hub_url".to_owned(), toml::Value::String(hub_url));
    table.insert("lock_hub_url".to_owned(), toml::Value::Boolean(true));
    let text = format!(
        "# Parley desktop policy: what the admin decided for every agent of this computer.\n{}",
        toml::to_string(&table).map_err(|error| unwritable(error.to_string()))?
    );
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|error| unwritable(error.to_string()))?;
    }
    std::fs::write(path, text).map_err(|error| unwritable(error.to_string()))?;
    // What was written must read back as a valid policy.
    Policy::read(path).map(drop)
}

/// `localhost`, `127.0.0.0/8` and `::1`.
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => IpAddr::V4(address).is_loopback(),
        Some(url::Host::Ipv6(address)) => IpAddr::V6(address).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_for_this_computer_unless_the_admin_allows_it() {
        let strict = Policy::default();
        for allowed in [
            "https://sms.example.com",
            "http://127.0.0.1:8080",
            "http://127.4.5.6",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert_eq!(strict.check_hub_url(allowed), Ok(()), "{allowed}");
        }
        for refused in [
            "http://sms.example.com",
            "http://10.0.0.5:8080",
            "http://localhost.example.com",
            "http://[::ffff:10.0.0.1]",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            assert!(strict.check_hub_url(refused).is_err(), "{refused}");
        }
        let allowing = Policy {
            allow_plain_http: true,
            ..Policy::default()
        };
        assert_eq!(allowing.check_hub_url("http://10.0.0.5:8080"), Ok(()));
        assert!(allowing.check_hub_url("ftp://10.0.0.5").is_err());
    }

    #[test]
    fn a_missing_file_is_the_defaults_and_a_malformed_one_is_an_error() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let path = folder.path().join("desktop.toml");
        assert_eq!(Policy::read(&path).expect("no file"), Policy::default());
        std::fs::write(&path, "allow_plain_http = true\n").expect("write");
        assert!(Policy::read(&path).expect("valid").allow_plain_http);
        std::fs::write(&path, "allow_plain_http = \"yes\"\n").expect("write");
        let error = Policy::read(&path).expect_err("a string is not a bool");
        assert!(error.to_string().contains("is not valid"), "{error}");
        std::fs::write(&path, "allow_plain_htp = true\n").expect("write");
        let error = Policy::read(&path).expect_err("an unknown key");
        assert!(error.to_string().contains("allow_plain_htp"), "{error}");
    }
}

#[cfg(test)]
mod keys {
    use super::*;

    fn policy_of(text: &str) -> Result<Policy, PolicyError> {
        let folder = tempfile::tempdir().expect("a temp folder");
        let path = folder.path().join("desktop.toml");
        std::fs::write(&path, text).expect("write");
        Policy::read(&path)
    }

    #[test]
    fn every_key_is_read() {
        let policy = policy_of(
            r#"
            hub_url = "https://hub.example.com/"
            lock_hub_url = true
            allow_plain_http = true
            notification_privacy = "name_only"
            lock_notification_privacy = true
            start_at_login = true
            allow_stay_signed_in = true
            updates = true
            update_channel = "beta"
            update_pin_version = "1.4.2"
            "#,
        )
        .expect("a valid policy");
        assert_eq!(
            policy,
            Policy {
                hub_url: Some("https://hub.example.com".to_owned()),
                lock_hub_url: true,
                allow_plain_http: true,
                notification_privacy: Some(Privacy::NameOnly),
                lock_notification_privacy: true,
                start_at_login: Some(true),
                allow_stay_signed_in: true,
                updates: Some(true),
                update_channel: Some("beta".to_owned()),
                update_url: None,
                update_pin_version: Some("1.4.2".to_owned()),
            }
        );
        assert_eq!(
            policy.update_plan(None),
            Some(UpdatePlan {
                url: "https://hub.example.com/updates/beta/latest.json".to_owned(),
                pin: Some(semver::Version::new(1, 4, 2)),
            })
        );
        let view = LoadedPolicy {
            policy,
            path: Some(PathBuf::from("/etc/parley/desktop.toml")),
            problem: None,
        }
        .view();
        assert_eq!(view.hub_url.as_deref(), Some("https://hub.example.com"));
        assert!(view.hub_url_locked && view.notification_privacy_locked);
        assert_eq!(
            view.notification_privacy,
            Some(NotificationPrivacy::NameOnly)
        );
        assert_eq!(view.path.as_deref(), Some("/etc/parley/desktop.toml"));
    }

    #[test]
    fn a_locked_hub_is_the_only_one() {
        let policy = policy_of("hub_url = \"https://hub.example.com\"\nlock_hub_url = true\n")
            .expect("valid");
        assert_eq!(policy.check_hub_url("https://hub.example.com/"), Ok(()));
        assert_eq!(policy.check_hub_url(" https://hub.example.com "), Ok(()));
        assert_eq!(
            policy.check_hub_url("https://other.example.com"),
            Err(HubUrlRefused::Locked("https://hub.example.com".to_owned()))
        );
        // Unlocked, it is only filled in.
        let open = policy_of("hub_url = \"https://hub.example.com\"\n").expect("valid");
        assert_eq!(open.check_hub_url("https://other.example.com"), Ok(()));
    }

    #[test]
    fn the_admins_privacy_applies_until_the_agent_chooses_or_always_when_locked() {
        let chosen = NotificationSettings {
            privacy: NotificationPrivacy::NameAndText,
            sound: false,
        };
        let default = policy_of("notification_privacy = \"nothing\"\n").expect("valid");
        assert_eq!(
            default.notification_settings(None).privacy,
            NotificationPrivacy::Nothing
        );
        assert_eq!(default.notification_settings(Some(chosen)), chosen);
        assert_eq!(default.check_notification_settings(&chosen), Ok(()));

        let locked =
            policy_of("notification_privacy = \"nothing\"\nlock_notification_privacy = true\n")
                .expect("valid");
        assert_eq!(
            locked.notification_settings(Some(chosen)),
            NotificationSettings {
                privacy: NotificationPrivacy::Nothing,
                sound: false,
            },
            "the sound stays the agent's"
        );
        assert_eq!(
            locked.check_notification_settings(&chosen),
            Err(LockedByAdmin)
        );
        let quiet = NotificationSettings {
            privacy: NotificationPrivacy::Nothing,
            sound: false,
        };
        assert_eq!(locked.check_notification_settings(&quiet), Ok(()));
        assert_eq!(
            Policy::default().notification_settings(None),
            NotificationSettings::default()
        );
    }

    #[test]
    fn a_malformed_policy_says_why_and_the_safe_defaults_apply() {
        for (text, expected) in [
            ("lock_hub_url = true\n", "lock_hub_url needs hub_url"),
            ("hub_url = \"http://hub.example.com\"\n", "plain http://"),
            (
                "hub_url = \"ftp://hub.example.com\"\n",
                "not an http(s) URL",
            ),
            ("notification_privacy = \"loud\"\n", "unknown variant"),
            (
                "lock_notification_privacy = true\n",
                "needs notification_privacy",
            ),
            ("start_at_login = \"yes\"\n", "invalid type"),
            ("update_channel = \"Beta Channel\"\n", "lowercase letters"),
            ("update_pin_version = \"latest\"\n", "not a version"),
            (
                "update_url = \"http://updates.example.com/latest.json\"\n",
                "plain http://",
            ),
            ("hub_url = \n", "is not valid"),
        ] {
            let error = policy_of(text).expect_err(text);
            assert!(error.to_string().contains(expected), "{text}: {error}");
        }
        // A plain hub is a valid policy when the admin allows plain hubs.
        assert!(policy_of("hub_url = \"http://10.0.0.5:8080\"\nallow_plain_http = true\n").is_ok());

        let folder = tempfile::tempdir().expect("a temp folder");
        let path = folder.path().join("desktop.toml");
        std::fs::write(&path, "lock_hub_url = yes").expect("write");
        let loaded = Policy::load_from(&path);
        assert_eq!(loaded.policy, Policy::default());
        let view = loaded.view();
        assert!(
            view.problem
                .is_some_and(|problem| problem.contains("is not valid"))
        );
        assert_eq!(view.path, Some(path.display().to_string()));
        let missing = Policy::load_from(&folder.path().join("none.toml"));
        assert_eq!((missing.path, missing.problem), (None, None));
    }

    #[test]
    fn an_install_writes_the_hub_and_keeps_the_other_keys() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let path = folder.path().join("Parley").join("desktop.toml");
        write_hub_url(&path, "https://hub.example.com/").expect("written");
        let policy = Policy::read(&path).expect("valid");
        assert_eq!(policy.hub_url.as_deref(), Some("https://hub.example.com"));
        assert!(policy.lock_hub_url);

        std::fs::write(
            &path,
            "allow_stay_signed_in = true\nhub_url = \"https://old.example.com\"\n",
        )
        .expect("write");
        write_hub_url(&path, "https://new.example.com").expect("written");
        let policy = Policy::read(&path).expect("valid");
        assert_eq!(policy.hub_url.as_deref(), Some("https://new.example.com"));
        assert!(policy.allow_stay_signed_in && policy.lock_hub_url);

        // A quote in the URL cannot break out of the TOML string.
        let error = write_hub_url(&path, "https://x.example.com\"\nallow_plain_http = true")
            .expect_err("not a URL an admin means");
        assert!(matches!(error, PolicyError::HubUrl(_)), "{error}");
        assert!(!Policy::read(&path).expect("still valid").allow_plain_http);
        assert!(write_hub_url(&path, "not a url").is_err());
    }
}

#[cfg(test)]
mod updates {
    use super::*;

    #[test]
    fn updates_come_from_the_hub_unless_the_admin_says_otherwise() {
        let none = Policy::default();
        assert_eq!(none.update_plan(None), None, "no hub known yet");
        assert_eq!(
            none.update_plan(Some("https://hub.example.com/")),
            Some(UpdatePlan {
                url: "https://hub.example.com/updates/stable/latest.json".to_owned(),
                pin: None,
            })
        );
        let off = Policy {
            updates: Some(false),
            ..Policy::default()
        };
        assert_eq!(off.update_plan(Some("https://hub.example.com")), None);
        let elsewhere = Policy {
            update_url: Some("https://updates.example.com/parley.json".to_owned()),
            ..Policy::default()
        };
        assert_eq!(
            elsewhere.update_plan(None).map(|plan| plan.url),
            Some("https://updates.example.com/parley.json".to_owned())
        );
        // A plain hub elsewhere gets no updates unless plain hubs are allowed.
        assert_eq!(none.update_plan(Some("http://10.0.0.5:8080")), None);
        assert!(none.update_plan(Some("http://127.0.0.1:8080")).is_some());
    }
}

#[cfg(test)]
mod signing_in {
    use std::sync::Arc;

    use parley_proto::{ConnectionState, Event};

    use crate::{Client, ClientError, EventSink, LoadedPolicy, Policy};

    struct Nothing;

    impl EventSink for Nothing {
        fn event(&self, _: &Event) {}
        fn connection(&self, _: ConnectionState) {}
        fn changed(&self) {}
    }

    #[tokio::test]
    async fn the_core_refuses_a_plain_hub_elsewhere_before_sending_the_password() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let client = Client::new(folder.path().to_owned(), Arc::new(Nothing));
        // Nothing listens at this address: a refusal must come before any connection.
        let refused = client
            .login("http://192.0.2.1:8080", "ana", "secret")
            .await
            .expect_err("a plain hub elsewhere");
        assert!(
            matches!(&refused, ClientError::Invalid(message) if message.contains("plain http://")),
            "{refused:?}"
        );
        let allowing =
            Client::new(folder.path().to_owned(), Arc::new(Nothing)).with_policy(LoadedPolicy {
                policy: Policy {
                    allow_plain_http: true,
                    ..Policy::default()
                },
                ..LoadedPolicy::default()
            });
        let unreachable = allowing
            .login("http://192.0.2.1:8080", "ana", "secret")
            .await
            .expect_err("nothing listens there");
        assert!(
            matches!(unreachable, ClientError::Hub(_)),
            "allowed, it tries the hub: {unreachable:?}"
        );
    }
}
