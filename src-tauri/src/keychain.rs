//! "Stay signed in": the session kept in the operating system's keychain (Credential
//! Manager on Windows, the Keychain on macOS, the Secret Service on Linux), never in a file.
//! Only when the admin's policy allows it; signing out removes it.

use parley_client::KeptSession as Kept;

/// The keychain entry: this service, this account.
const SERVICE: &str = "org.parley.desktop";
const ACCOUNT: &str = "session";

/// Why the keychain did not answer.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("the keychain: {0}")]
    Keyring(#[from] keyring::Error),
    #[error("the kept session is not readable: {0}")]
    Format(#[from] serde_json::Error),
}

/// One keychain entry (the app's, or another for tests).
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::named(SERVICE)
    }
}

impl Keychain {
    /// The entry of `service`.
    #[must_use]
    pub fn named(service: &str) -> Self {
        Self {
            service: service.to_owned(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, KeychainError> {
        Ok(keyring::Entry::new(&self.service, ACCOUNT)?)
    }

    /// Keeps `session`, replacing any kept before.
    ///
    /// # Errors
    /// [`KeychainError`] when the keychain refuses (none running, locked).
    pub fn keep(&self, session: &Kept) -> Result<(), KeychainError> {
        self.entry()?
            .set_password(&serde_json::to_string(session)?)?;
        Ok(())
    }

    /// The kept session, if any.
    ///
    /// # Errors
    /// [`KeychainError`] when the keychain cannot be read.
    pub fn kept(&self) -> Result<Option<Kept>, KeychainError> {
        match self.entry()?.get_password() {
            Ok(text) => Ok(Some(serde_json::from_str(&text)?)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes the kept session (nothing kept is fine).
    ///
    /// # Errors
    /// [`KeychainError`] when the keychain refuses.
    pub fn forget(&self) -> Result<(), KeychainError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the system's real keychain: on Linux, the Secret Service of the session bus
    /// (the desktop end-to-end runner starts gnome-keyring in its own D-Bus session).
    #[test]
    #[ignore = "needs the system's keychain: `make test-desktop` runs it in a D-Bus session with gnome-keyring"]
    fn a_session_is_kept_read_back_and_forgotten() {
        let keychain = Keychain::named(&format!("org.parley.desktop.test-{}", std::process::id()));
        keychain.forget().expect("forgetting nothing is fine");
        assert_eq!(keychain.kept().expect("readable"), None);
        let session = parley_client::KeptSession {
            hub_url: "https://hub.example.com".to_owned(),
            login: "ana".to_owned(),
            agent_id: 7,
            token: "secret-token".to_owned(),
        };
        keychain.keep(&session).expect("kept");
        assert_eq!(keychain.kept().expect("readable"), Some(session.clone()));
        assert!(
            !format!("{session:?}").contains("secret-token"),
            "never logged"
        );
        keychain.forget().expect("forgotten");
        assert_eq!(keychain.kept().expect("readable"), None);
    }
}
