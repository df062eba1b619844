//! The start-up check of `public_url`: the address the provider calls webhooks, status
//! callbacks and outbound pictures at, and the one webhook signatures are checked against.
//! A wrong one does not stop the hub (a proxy may make it right) but costs every inbound
//! text, so each doubt is logged once at start.

use std::net::{IpAddr, SocketAddr};

use super::{Config, ProviderKind};

/// One doubt about `public_url`: a warning, or a note when it is fine behind a proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub warning: bool,
    pub message: String,
}

impl Finding {
    fn warning(message: String) -> Self {
        Self {
            warning: true,
            message,
        }
    }

    fn note(message: String) -> Self {
        Self {
            warning: false,
            message,
        }
    }
}

/// What is doubtful about the configuration's `public_url` for a hub on Twilio (the
/// simulated carrier needs none of it).
#[must_use]
pub fn check_public_url(config: &Config) -> Vec<Finding> {
    if config.provider != ProviderKind::Twilio {
        return Vec::new();
    }
    let Some(public_url) = config.public_url.as_deref() else {
        let scheme = if config.tls.files().is_some() {
            "https"
        } else {
            "http"
        };
        return vec![Finding::warning(format!(
            "public_url is not set: Twilio is given {scheme}://{} for status callbacks and \
             pictures, and webhook signatures are checked against it; set public_url to the \
             https:// address Twilio calls",
            config.listen
        ))];
    };
    let Ok(url) = url::Url::parse(public_url) else {
        return vec![Finding::warning(format!(
            "public_url {public_url:?} is not a URL: every webhook signature will fail"
        ))];
    };
    let mut findings = Vec::new();
    if url.scheme() != "https" {
        findings.push(Finding::warning(format!(
            "public_url {public_url} is not https: Twilio sends texts and signatures to it \
             unencrypted; serve TLS ([tls]) or put a TLS proxy in front and name its https:// \
             address"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        findings.push(Finding::warning(format!(
            "public_url {public_url} has a query or fragment: the URLs given to Twilio would \
             not be the hub's, and no webhook signature would match"
        )));
    } else if url.path() != "/" {
        findings.push(Finding::note(format!(
            "public_url {public_url} has a path: the proxy in front must remove it before \
             passing requests on (the hub serves /webhooks/twilio/… at its root); signatures \
             are checked over public_url followed by the path the hub receives"
        )));
    }
    match url.host() {
        Some(url::Host::Domain(name)) if is_local_name(name) => {
            findings.push(unreachable(public_url));
        }
        Some(url::Host::Ipv4(address)) if !is_public(IpAddr::V4(address)) => {
            findings.push(unreachable(public_url));
        }
        Some(url::Host::Ipv6(address)) if !is_public(IpAddr::V6(address)) => {
            findings.push(unreachable(public_url));
        }
        Some(_) if config.listen.ip().is_loopback() => {
            findings.push(Finding::note(loopback_note(public_url, config.listen)));
        }
        _ => {}
    }
    findings
}

fn unreachable(public_url: &str) -> Finding {
    Finding::warning(format!(
        "public_url {public_url} names this computer or a private network: Twilio calls from \
         the internet and cannot reach it, so no text or delivery status will arrive"
    ))
}

fn loopback_note(public_url: &str, listen: SocketAddr) -> String {
    format!(
        "the hub listens on {listen} (this computer only) while public_url is {public_url}: \
         right behind a proxy on this computer, otherwise Twilio cannot reach the hub"
    )
}

fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.ends_with(".local")
        || name.ends_with(".internal")
        || name.ends_with(".lan")
        || !name.contains('.')
}

fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(address) => {
            !(address.is_loopback()
                || address.is_private()
                || address.is_link_local()
                || address.is_unspecified()
                || address.is_broadcast()
                || address.is_documentation()
                // 100.64.0.0/10: carrier-grade NAT.
                || (address.octets()[0] == 100 && (address.octets()[1] & 0xC0) == 64))
        }
        IpAddr::V6(address) => {
            if let Some(mapped) = address.to_ipv4_mapped() {
                return is_public(IpAddr::V4(mapped));
            }
            let first = address.segments()[0];
            !(address.is_loopback()
                || address.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twilio(public_url: Option<&str>, listen: &str) -> Config {
        Config {
            provider: ProviderKind::Twilio,
            public_url: public_url.map(str::to_owned),
            listen: listen.parse().expect("an address"),
            ..Config::default()
        }
    }

    fn warnings(config: &Config) -> Vec<String> {
        check_public_url(config)
            .into_iter()
            .filter(|finding| finding.warning)
            .map(|finding| finding.message)
            .collect()
    }

    #[test]
    fn a_public_https_url_on_a_public_listener_raises_nothing() {
        let config = twilio(Some("https://sms.example.com"), "0.0.0.0:443");
        assert_eq!(check_public_url(&config), Vec::new());
    }

    #[test]
    fn the_simulated_carrier_needs_no_public_url() {
        let config = Config {
            public_url: Some("http://localhost:8080".to_owned()),
            ..Config::default()
        };
        assert_eq!(check_public_url(&config), Vec::new());
    }

    #[test]
    fn each_doubt_is_named() {
        let unset = warnings(&twilio(None, "0.0.0.0:8080"));
        assert_eq!(unset.len(), 1);
        assert!(unset[0].contains("public_url is not set"), "{unset:?}");
        assert!(unset[0].contains("http://0.0.0.0:8080"), "{unset:?}");

        let plain = warnings(&twilio(Some("http://sms.example.com"), "0.0.0.0:8080"));
        assert_eq!(plain.len(), 1);
        assert!(plain[0].contains("is not https"), "{plain:?}");

        for local in [
            "https://localhost:8443",
            "https://127.0.0.1",
            "https://10.1.2.3",
            "https://192.168.0.10",
            "https://100.64.1.1",
            "https://[::1]",
            "https://[fd00::1]",
            "https://hub",
            "https://hub.local",
        ] {
            let found = warnings(&twilio(Some(local), "0.0.0.0:8080"));
            assert!(
                found
                    .iter()
                    .any(|message| message.contains("cannot reach it")),
                "{local}: {found:?}"
            );
        }

        let prefixed =
            check_public_url(&twilio(Some("https://example.com/parley"), "0.0.0.0:8080"));
        assert_eq!(prefixed.len(), 1, "{prefixed:?}");
        assert!(!prefixed[0].warning && prefixed[0].message.contains("must remove it"));
        let queried = warnings(&twilio(Some("https://example.com/?a=1"), "0.0.0.0:8080"));
        assert!(queried[0].contains("query"), "{queried:?}");

        let garbage = warnings(&twilio(Some("not a url"), "0.0.0.0:8080"));
        assert!(garbage[0].contains("is not a URL"), "{garbage:?}");
    }

    #[test]
    fn a_loopback_listener_behind_a_public_name_is_a_note_not_a_warning() {
        let findings = check_public_url(&twilio(Some("https://sms.example.com"), "127.0.0.1:8080"));
        assert_eq!(findings.len(), 1);
        assert!(!findings[0].warning);
        assert!(
            findings[0].message.contains("behind a proxy"),
            "{findings:?}"
        );
    }
}
