//! `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + each POST param name and value,
//! sorted by name)). Unknown extra params are part of the signature like any other.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Computes the signature Twilio sends for a POST to `url` with form `params`.
#[must_use]
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Twilio sorts by name; values of a repeated name keep their order (a stable sort).
    sorted.sort_by(|left, right| left.0.cmp(&right.0));
    let mut mac =
        Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts keys of any size");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks a received signature in constant time.
#[must_use]
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], received: &str) -> bool {
    let expected = compute(auth_token, url, params);
    expected.as_bytes().ct_eq(received.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    }

    /// The example from Twilio's security documentation, as used by their own libraries' tests.
    #[test]
    fn matches_twilio_documented_example() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            compute("12345", url, &example_params()),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert!(verify(
            "12345",
            url,
            &example_params(),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
    }

    #[test]
    fn param_order_does_not_matter_but_everything_else_does() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let mut reversed = example_params();
        reversed.reverse();
        let good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        assert!(
            verify("12345", url, &reversed, good),
            "params are sorted before signing"
        );
        assert!(
            !verify("12346", url, &example_params(), good),
            "another token"
        );
        assert!(!verify(
            "12345",
            "https://mycompany.com/myapp.php",
            &example_params(),
            good
        ));
        let mut tampered = example_params();
        tampered[2].1 = "9999".into();
        assert!(!verify("12345", url, &tampered, good), "a changed value");
        assert!(
            !verify("12345", url, &example_params(), ""),
            "a missing signature"
        );
    }
}
