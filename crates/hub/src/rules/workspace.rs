//! What the contact center's configuration allows agents to choose and write: disposition
//! codes, Not Ready reasons, notes, contact details, searches.

use parley_proto::AgentStatus;
use parley_proto::limits::{
    MAX_CONTACT_NAME_CHARS, MAX_EMAIL_CHARS, MAX_NOTE_CHARS, MAX_SEARCH_CHARS,
};

use super::Refusal;

fn longer_than(text: Option<&str>, limit: usize) -> bool {
    text.is_some_and(|text| text.chars().count() > limit)
}

/// The disposition and note of a wrap-up: a blank disposition is none; a code must be one
/// the contact center uses; a note fits the limit.
///
/// # Errors
/// [`Refusal::UnknownDisposition`], [`Refusal::NoteTooLong`].
pub fn wrap_up_fields<'a>(
    dispositions: &[String],
    disposition: Option<&'a str>,
    note: Option<&'a str>,
) -> Result<(Option<&'a str>, Option<&'a str>), Refusal> {
    let disposition = disposition.map(str::trim).filter(|code| !code.is_empty());
    if let Some(code) = disposition
        && !dispositions.iter().any(|known| known == code)
    {
        return Err(Refusal::UnknownDisposition {
            code: code.to_owned(),
        });
    }
    if longer_than(note, MAX_NOTE_CHARS) {
        return Err(Refusal::NoteTooLong);
    }
    Ok((disposition, note))
}

/// The reason given with a status: none for Ready; for Not Ready, blank is none and a
/// reason must be one the contact center uses.
///
/// # Errors
/// [`Refusal::UnknownNotReadyReason`].
pub fn status_reason<'a>(
    reasons: &[String],
    status: AgentStatus,
    reason: Option<&'a str>,
) -> Result<Option<&'a str>, Refusal> {
    let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
    match (status, reason) {
        (AgentStatus::Ready, _) | (_, None) => Ok(None),
        (AgentStatus::NotReady, Some(reason)) if reasons.iter().any(|known| known == reason) => {
            Ok(Some(reason))
        }
        (AgentStatus::NotReady, Some(reason)) => Err(Refusal::UnknownNotReadyReason {
            reason: reason.to_owned(),
        }),
    }
}

/// A contact's details fit their limits, and an email address looks like one.
///
/// # Errors
/// [`Refusal::ContactFieldTooLong`], [`Refusal::NotAnEmail`].
pub fn contact_details(
    name: Option<&str>,
    email: Option<&str>,
    notes: Option<&str>,
) -> Result<(), Refusal> {
    if longer_than(name, MAX_CONTACT_NAME_CHARS)
        || longer_than(email, MAX_EMAIL_CHARS)
        || longer_than(notes, MAX_NOTE_CHARS)
    {
        return Err(Refusal::ContactFieldTooLong);
    }
    if let Some(email) = email.map(str::trim).filter(|email| !email.is_empty())
        && (!email.contains('@') || email.contains(char::is_whitespace))
    {
        return Err(Refusal::NotAnEmail {
            email: email.to_owned(),
        });
    }
    Ok(())
}

/// A search fits the limit.
///
/// # Errors
/// [`Refusal::SearchTooLong`].
pub fn search(input: &str) -> Result<(), Refusal> {
    if input.chars().count() > MAX_SEARCH_CHARS {
        return Err(Refusal::SearchTooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn only_configured_codes_and_reasons() {
        let codes = owned(&["Resolved"]);
        assert_eq!(
            wrap_up_fields(&codes, Some(" Resolved "), None),
            Ok((Some("Resolved"), None))
        );
        assert_eq!(
            wrap_up_fields(&codes, Some("  "), Some("n")),
            Ok((None, Some("n"))),
            "a blank disposition is none"
        );
        assert_eq!(
            wrap_up_fields(&codes, Some("Made up"), None),
            Err(Refusal::UnknownDisposition {
                code: "Made up".into()
            })
        );
        assert_eq!(
            wrap_up_fields(&codes, None, Some(&"n".repeat(MAX_NOTE_CHARS + 1))),
            Err(Refusal::NoteTooLong)
        );
        let reasons = owned(&["Lunch"]);
        assert_eq!(
            status_reason(&reasons, AgentStatus::Ready, Some("Lunch")),
            Ok(None),
            "Ready has no reason"
        );
        assert_eq!(
            status_reason(&reasons, AgentStatus::NotReady, Some("Lunch")),
            Ok(Some("Lunch"))
        );
        assert!(status_reason(&reasons, AgentStatus::NotReady, Some("Nap")).is_err());
    }

    #[test]
    fn contact_details_fit() {
        assert_eq!(
            contact_details(Some("Ana"), Some("ana@example.com"), None),
            Ok(())
        );
        assert_eq!(
            contact_details(None, Some("not an address"), None),
            Err(Refusal::NotAnEmail {
                email: "not an address".into()
            })
        );
        assert_eq!(
            contact_details(Some(&"x".repeat(MAX_CONTACT_NAME_CHARS + 1)), None, None),
            Err(Refusal::ContactFieldTooLong)
        );
        assert_eq!(search(&"q".repeat(MAX_SEARCH_CHARS)), Ok(()));
        assert_eq!(
            search(&"q".repeat(MAX_SEARCH_CHARS + 1)),
            Err(Refusal::SearchTooLong)
        );
    }
}
