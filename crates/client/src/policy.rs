//! What an admin decides for every agent of a computer: the desktop policy file
//! (`/etc/parley/desktop.toml` on Linux, `%ProgramData%\Parley\desktop.toml` on Windows,
//! `/Library/Application Support/Parley/desktop.toml` on macOS; `PARLEY_DESKTOP_POLICY`
//! names another file). A missing file means the safe defaults; a malformed one is reported
//! and the safe defaults apply, so the app still starts.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The environment variable that names a policy file in place of the system's.
pub const POLICY_VARIABLE: &str = "PARLEY_DESKTOP_POLICY";

/// The admin's settings. Every default is the safe choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Whether agents may sign in to a hub over plain `http://` on another computer. (A hub
    /// on this computer, over loopback, is always allowed.)
    pub allow_plain_http: bool,
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
}

/// Why a policy file was not applied.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("the desktop policy {path} cannot be read: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("the desktop policy {path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
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
        toml::from_str(&text).map_err(|error| PolicyError::Invalid {
            path: path.to_owned(),
            reason: error.message().to_owned(),
        })
    }

    /// The system's policy; on an error, logs it and applies the safe defaults.
    #[must_use]
    pub fn load() -> Self {
        let path = Self::system_path();
        match Self::read(&path) {
            Ok(policy) => {
                tracing::info!(path = %path.display(), ?policy, "desktop policy");
                policy
            }
            Err(error) => {
                tracing::error!(%error, "the desktop policy is ignored: safe defaults apply");
                Self::default()
            }
        }
    }

    /// Whether the desktop may sign in to `hub_url`: `https://` always, `http://` only on
    /// this computer (loopback) unless the policy allows plain hubs.
    ///
    /// # Errors
    /// [`HubUrlRefused`], in words for the agent.
    pub fn check_hub_url(&self, hub_url: &str) -> Result<(), HubUrlRefused> {
        let url =
            url::Url::parse(hub_url).map_err(|_| HubUrlRefused::NotHttp(hub_url.to_owned()))?;
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.allow_plain_http || is_loopback(&url) => Ok(()),
            "http" => Err(HubUrlRefused::Plain(hub_url.to_owned())),
            _ => Err(HubUrlRefused::NotHttp(hub_url.to_owned())),
        }
    }
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
mod signing_in {
    use std::sync::Arc;

    use parley_proto::{ConnectionState, Event};

    use crate::{Client, ClientError, EventSink, Policy};

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
            Client::new(folder.path().to_owned(), Arc::new(Nothing)).with_policy(Policy {
                allow_plain_http: true,
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
