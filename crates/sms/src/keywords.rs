//! The opt-out keywords carriers and Twilio honour for long codes: a message that is just
//! one of them opts the sender out of (or back into) texts.

const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
const OPT_IN: &[&str] = &["START", "UNSTOP", "YES"];

/// `Some(true)` when `body` opts out, `Some(false)` when it opts back in, `None` for any
/// other text. Case, surrounding spaces and a trailing full stop or exclamation mark do
/// not matter; a keyword inside a sentence does not count.
#[must_use]
pub fn opt_out_keyword(body: &str) -> Option<bool> {
    let word = body
        .trim()
        .trim_end_matches(['.', '!'])
        .trim()
        .to_ascii_uppercase();
    if OPT_OUT.contains(&word.as_str()) {
        Some(true)
    } else if OPT_IN.contains(&word.as_str()) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_recognised() {
        for word in [
            "STOP",
            "stop",
            " Stop ",
            "STOPALL",
            "unsubscribe",
            "Cancel",
            "END",
            "quit",
            "REVOKE",
            "OptOut",
            "STOP.",
        ] {
            assert_eq!(opt_out_keyword(word), Some(true), "{word:?} opts out");
        }
        for word in ["START", "start!", "UNSTOP", "yes"] {
            assert_eq!(opt_out_keyword(word), Some(false), "{word:?} opts back in");
        }
    }

    #[test]
    fn sentences_are_not_keywords() {
        for text in [
            "please stop calling me",
            "STOP IT",
            "the end",
            "",
            "stopp",
            "ＳＴＯＰ",
        ] {
            assert_eq!(opt_out_keyword(text), None, "{text:?} is a message");
        }
    }
}
