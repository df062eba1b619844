//! What a provider error code means for the agent: a plain-language reason for the
//! transcript, and what it tells about the number (opted out, a landline, …).
//!
//! The table is also written to `ui/src/api/generated/carrier-errors.json` for the UI
//! (a test fails when that copy is stale; `UPDATE_BINDINGS=1` rewrites it).

use serde::Serialize;

/// Why a number could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Unreachable {
    /// A landline or a number that cannot take texts (30006, 21614).
    Landline,
    /// The handset is off or out of coverage (30003).
    Handset,
    /// The number is not in service (30005).
    UnknownNumber,
}

/// What an error code says beyond "not delivered".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "reason")]
pub enum Meaning {
    /// The destination number is not a valid number (21211): "the number is incorrect".
    InvalidNumber,
    /// Our own sending number or account is wrong: the administrator must act.
    Configuration,
    /// The contact opted out (21610, 30004).
    OptedOut,
    /// The number cannot receive texts.
    Unreachable(Unreachable),
    /// Worth another try later.
    Temporary,
    /// Nothing more is known.
    Other,
}

impl Meaning {
    /// Whether sending again may get through: the carrier was busy, the phone was off, or
    /// nothing more is known. An incorrect number, an opt-out, a landline, a number out of
    /// service or our own set-up fail again however often the agent tries.
    #[must_use]
    pub const fn retry_may_help(self) -> bool {
        matches!(
            self,
            Self::Temporary | Self::Unreachable(Unreachable::Handset) | Self::Other
        )
    }
}

/// One known code.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarrierError {
    pub code: u32,
    pub meaning: Meaning,
    /// What the agent reads.
    pub text: &'static str,
    /// Whether Retry is offered: sending again may get through.
    pub retry: bool,
}

/// Twilio's error codes for messages, as documented in its error dictionary.
pub const KNOWN: &[CarrierError] = &[
    e(21211, Meaning::InvalidNumber, "The number is incorrect."),
    e(
        21212,
        Meaning::Configuration,
        "The number you are sending from is incorrect. Contact your administrator.",
    ),
    e(
        21606,
        Meaning::Configuration,
        "The number you are sending from cannot send texts. Contact your administrator.",
    ),
    e(
        21408,
        Meaning::Configuration,
        "Texts to this country are not enabled. Contact your administrator.",
    ),
    e(
        21610,
        Meaning::OptedOut,
        "The contact has opted out of texts (STOP). They must text START first.",
    ),
    e(
        21612,
        Meaning::Unreachable(Unreachable::Landline),
        "The carrier cannot route texts to this number.",
    ),
    e(
        21614,
        Meaning::Unreachable(Unreachable::Landline),
        "This number is not a mobile number and cannot receive texts.",
    ),
    CarrierError {
        retry: false,
        ..e(
            21617,
            Meaning::Other,
            "The message is too long (more than 1,600 characters).",
        )
    },
    e(
        21611,
        Meaning::Temporary,
        "Too many messages are waiting to be sent. Try again in a few minutes.",
    ),
    e(
        20429,
        Meaning::Temporary,
        "The carrier is busy. Try again in a few minutes.",
    ),
    e(
        30001,
        Meaning::Temporary,
        "The carrier's queue was full. Try again in a few minutes.",
    ),
    e(
        30002,
        Meaning::Configuration,
        "The texting account is suspended. Contact your administrator.",
    ),
    e(
        30003,
        Meaning::Unreachable(Unreachable::Handset),
        "The phone is switched off or out of coverage.",
    ),
    e(
        30004,
        Meaning::OptedOut,
        "The contact's carrier blocked the message: the contact may have opted out of texts.",
    ),
    e(
        30005,
        Meaning::Unreachable(Unreachable::UnknownNumber),
        "The number does not exist or is no longer in service.",
    ),
    e(
        30006,
        Meaning::Unreachable(Unreachable::Landline),
        "The number is a landline or its carrier cannot receive texts.",
    ),
    e(
        30007,
        Meaning::Other,
        "The carrier filtered the message (it may look like spam).",
    ),
    e(
        30008,
        Meaning::Other,
        "The carrier could not deliver the message for an unknown reason.",
    ),
    e(
        30009,
        Meaning::Temporary,
        "Part of the message was lost on the way. Try again.",
    ),
    e(
        30010,
        Meaning::Configuration,
        "The message costs more than the account allows. Contact your administrator.",
    ),
];

const fn e(code: u32, meaning: Meaning, text: &'static str) -> CarrierError {
    CarrierError {
        code,
        meaning,
        text,
        retry: meaning.retry_may_help(),
    }
}

fn known(code: u32) -> Option<&'static CarrierError> {
    KNOWN.iter().find(|known| known.code == code)
}

/// What `code` means; unknown codes are [`Meaning::Other`].
#[must_use]
pub fn meaning(code: u32) -> Meaning {
    known(code).map_or(Meaning::Other, |known| known.meaning)
}

/// Whether sending again may fix a message that failed with `code` (`None`: the carrier
/// gave no code, as when it could not be reached).
#[must_use]
pub fn retry_may_help(code: Option<u32>) -> bool {
    code.is_none_or(|code| known(code).is_none_or(|known| known.retry))
}

/// The agent's reading of `code`.
#[must_use]
pub fn describe(code: u32) -> String {
    known(code).map_or_else(
        || format!("The carrier could not deliver the message (error {code})."),
        |known| known.text.to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_known_once() {
        let mut codes: Vec<u32> = KNOWN.iter().map(|known| known.code).collect();
        codes.sort_unstable();
        let count = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), count, "a code is listed twice");
    }

    #[test]
    fn the_numbers_fate_follows_the_code() {
        assert_eq!(meaning(21610), Meaning::OptedOut);
        assert_eq!(meaning(30004), Meaning::OptedOut);
        assert_eq!(meaning(21211), Meaning::InvalidNumber);
        assert_eq!(meaning(30003), Meaning::Unreachable(Unreachable::Handset));
        assert_eq!(
            meaning(30005),
            Meaning::Unreachable(Unreachable::UnknownNumber)
        );
        assert_eq!(meaning(30006), Meaning::Unreachable(Unreachable::Landline));
        assert_eq!(meaning(99999), Meaning::Other);
        assert_eq!(describe(21211), "The number is incorrect.");
    }

    #[test]
    fn retry_is_offered_only_where_it_may_get_through() {
        for permanent in [21211, 21610, 30004, 21614, 30005, 30006, 21212, 21617] {
            assert!(!retry_may_help(Some(permanent)), "{permanent}");
        }
        for passing in [30001, 20429, 30003, 30008, 99999] {
            assert!(retry_may_help(Some(passing)), "{passing}");
        }
        assert!(retry_may_help(None), "no code: the carrier was not reached");
        assert!(describe(12345).contains("12345"));
    }

    /// The UI's copy of the table; `UPDATE_BINDINGS=1` rewrites it.
    #[test]
    fn ui_table_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/api/generated/carrier-errors.json");
        let fresh = serde_json::to_string_pretty(KNOWN).expect("the table serializes") + "\n";
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write the UI table");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run `make bindings` (UPDATE_BINDINGS=1 cargo test)",
            path.display()
        );
    }
}
