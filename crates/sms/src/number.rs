//! Phone numbers in E.164 (`+` then 8 to 15 digits, no leading zero in the country code).

/// A number that is not a valid E.164 phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the number {input:?} is incorrect: expected an international number such as +15551230001")]
pub struct InvalidNumber {
    pub input: String,
}

/// Normalizes a phone number to E.164: spaces, dots, dashes and parentheses are dropped,
/// a leading `00` becomes `+`. Anything else must be digits.
///
/// # Errors
/// [`InvalidNumber`] when what is left is not `+` followed by 8–15 digits.
pub fn normalize_e164(input: &str) -> Result<String, InvalidNumber> {
    let invalid = || InvalidNumber {
        input: input.chars().take(64).collect(),
    };
    let trimmed = input.trim();
    let rest = if let Some(rest) = trimmed.strip_prefix('+') {
        rest
    } else if let Some(rest) = trimmed.strip_prefix("00") {
        rest
    } else {
        return Err(invalid());
    };
    let mut digits = String::with_capacity(16);
    for character in rest.chars() {
        match character {
            '0'..='9' => digits.push(character),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(invalid()),
        }
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(invalid());
    }
    Ok(format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_normalize_to_e164() {
        assert_eq!(
            normalize_e164("+1 (555) 123-0001").as_deref(),
            Ok("+15551230001")
        );
        assert_eq!(
            normalize_e164("0044 20 7946 0958").as_deref(),
            Ok("+442079460958")
        );
        assert_eq!(
            normalize_e164(" +33.6.12.34.56.78 ").as_deref(),
            Ok("+33612345678")
        );
    }

    #[test]
    fn bad_numbers_are_refused() {
        for bad in [
            "",
            "+",
            "5551230001",
            "+0123456789",
            "+1555",
            "+1234567890123456",
            "+1555abc0001",
            "+1555<b>",
        ] {
            assert!(normalize_e164(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
