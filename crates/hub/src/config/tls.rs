//! Serving HTTPS: the certificate chain and private key the hub reads (PEM files), again on
//! `SIGHUP` so a renewed certificate needs no restart.

use std::path::PathBuf;

use serde::Deserialize;

/// The `[tls]` section. Both paths, or neither (plain HTTP, e.g. behind a TLS proxy).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// The certificate chain, leaf first (PEM).
    pub certificate: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
}

impl TlsConfig {
    /// The certificate and key paths when the hub serves HTTPS.
    #[must_use]
    pub fn files(&self) -> Option<(PathBuf, PathBuf)> {
        self.certificate.clone().zip(self.key.clone())
    }

    /// Why the section cannot be used, if it cannot.
    pub(super) fn problem(&self) -> Option<String> {
        match (&self.certificate, &self.key) {
            (Some(_), None) => Some("tls.certificate is set but tls.key is not".to_owned()),
            (None, Some(_)) => Some("tls.key is set but tls.certificate is not".to_owned()),
            _ => None,
        }
    }
}
