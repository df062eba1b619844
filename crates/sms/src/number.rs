//! Phone numbers: parsed and validated with libphonenumber's rules (the `phonenumber`
//! crate), kept in E.164.

/// A number that is not a valid phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the number {input:?} is incorrect: check it, or write it with its country code (such as +1 201 555 0123)"
)]
pub struct InvalidNumber {
    pub input: String,
}

/// A region for numbers written without a country code (ISO 3166 alpha-2, e.g. `US`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

/// A region code that libphonenumber does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region {0:?}: expected a two-letter country code such as US or GB")]
pub struct UnknownRegion(pub String);

impl std::str::FromStr for Region {
    type Err = UnknownRegion;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        code.trim()
            .to_ascii_uppercase()
            .parse()
            .map(Self)
            .map_err(|_| UnknownRegion(code.to_owned()))
    }
}

/// Parses a number as an agent or a carrier wrote it — `+44 20 7946 0958`,
/// `(201) 555-0123` with region `US`, `0044 …` — and returns it in E.164.
///
/// # Errors
/// [`InvalidNumber`] when libphonenumber does not consider it a valid number (wrong
/// length, an area code that does not exist, letters, …).
pub fn parse_number(input: &str, region: Option<Region>) -> Result<String, InvalidNumber> {
    let invalid = || InvalidNumber {
        input: input.chars().take(64).collect(),
    };
    let trimmed = input.trim();
    // libphonenumber reads vanity letters as digits; an agent's typo should not pass.
    if trimmed.is_empty()
        || trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')' | '/')))
    {
        return Err(invalid());
    }
    let international = trimmed
        .strip_prefix("00")
        .map_or_else(|| trimmed.to_owned(), |rest| format!("+{rest}"));
    let parsed =
        phonenumber::parse(region.map(|region| region.0), &international).map_err(|_| invalid())?;
    if !phonenumber::is_valid(&parsed) {
        return Err(invalid());
    }
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    // E.164 has at most 15 digits; some regions' metadata lets longer ones through (found
    // by fuzzing), and a provider refuses them.
    if e164.len() > 16 {
        return Err(invalid());
    }
    Ok(e164)
}

/// Normalizes a number that carries its country code (`+…` or `00…`) to E.164.
///
/// # Errors
/// [`InvalidNumber`], as [`parse_number`] without a region.
pub fn normalize_e164(input: &str) -> Result<String, InvalidNumber> {
    parse_number(input, None)
}

/// What kind of sender a number (or a Messaging Service) is: it sets how fast the carrier
/// lets texts leave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderKind {
    /// An ordinary 10-digit number (US A2P: 1 segment a second).
    LongCode,
    /// A North American toll-free number (3 segments a second).
    TollFree,
    /// A 5- or 6-digit short code (as provisioned).
    ShortCode,
    /// A Twilio Messaging Service (`MG…`), which spreads texts over its numbers.
    MessagingService,
}

/// North American toll-free area codes.
const TOLL_FREE: &[&str] = &["800", "833", "844", "855", "866", "877", "888"];

impl SenderKind {
    /// The kind of `sender`: an E.164 number, a short code, or a Messaging Service SID.
    #[must_use]
    pub fn of(sender: &str) -> Self {
        if sender.starts_with("MG") {
            return Self::MessagingService;
        }
        let digits = sender.trim_start_matches('+');
        if !sender.starts_with('+') && (3..=8).contains(&digits.len()) {
            return Self::ShortCode;
        }
        match digits.strip_prefix('1') {
            Some(national)
                if national.len() == 10
                    && national
                        .get(..3)
                        .is_some_and(|area| TOLL_FREE.contains(&area)) =>
            {
                Self::TollFree
            }
            _ => Self::LongCode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Option<Region> {
        Some("US".parse().expect("US is a region"))
    }

    #[test]
    fn formats_normalize_to_e164() {
        assert_eq!(
            normalize_e164("+1 (201) 555-0123").as_deref(),
            Ok("+12015550123")
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
    fn a_default_region_reads_national_numbers() {
        assert_eq!(
            parse_number("(201) 555-0123", us()).as_deref(),
            Ok("+12015550123")
        );
        let gb = Some("gb".parse().expect("GB is a region"));
        assert_eq!(
            parse_number("020 7946 0958", gb).as_deref(),
            Ok("+442079460958")
        );
        assert_eq!(
            parse_number("+33 6 12 34 56 78", us()).as_deref(),
            Ok("+33612345678"),
            "a country code wins over the default region"
        );
        assert!(
            parse_number("2015550123", None).is_err(),
            "no region, no country code"
        );
        assert!("XX".parse::<Region>().is_err());
    }

    #[test]
    fn bad_numbers_are_refused() {
        for bad in [
            "",
            "+",
            "+0123456789",
            "+1555",
            "+1234567890123456",
            "+1201555abcd",
            "+1 800 FLOWERS",
            "+1555<b>",
            // Area code 555 does not exist: a carrier refuses it (21211).
            "+15551230001",
            "(201) 555-0123 ext. 5",
        ] {
            assert!(parse_number(bad, us()).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn sender_kinds_are_told_apart() {
        assert_eq!(SenderKind::of("+12015550100"), SenderKind::LongCode);
        assert_eq!(SenderKind::of("+18885550100"), SenderKind::TollFree);
        assert_eq!(SenderKind::of("+18335550100"), SenderKind::TollFree);
        assert_eq!(SenderKind::of("+442071838750"), SenderKind::LongCode);
        assert_eq!(SenderKind::of("12345"), SenderKind::ShortCode);
        assert_eq!(
            SenderKind::of("MG0123456789abcdef0123456789abcdef"),
            SenderKind::MessagingService
        );
        // Found by the fuzzer: 17 digits pass libphonenumber's German metadata.
        assert!(normalize_e164("+49209004492049959").is_err());
        assert_eq!(
            normalize_e164("+49 30 901820").as_deref(),
            Ok("+4930901820"),
            "a short German number still reads"
        );
        // Found by the fuzzer: a character past one byte in the area code's place.
        assert_eq!(SenderKind::of("+155\u{FFFD} 0123"), SenderKind::LongCode);
    }
}
