//! The search query language both hosts use, so the hub (browser) and the desktop replica
//! (offline) give the same results: what the agent typed becomes an SQLite FTS5 query in
//! which every word is a quoted prefix term, all required. Punctuation, quotes, operators
//! (`AND`, `NEAR`, `*`, `:`) and any script are taken literally, so no input is a syntax
//! error.

/// The FTS5 query for what the agent typed, or `None` when it holds no searchable word.
#[must_use]
pub fn fts5_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|character: char| character.is_whitespace() || is_separator(character))
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(16)
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Characters the FTS5 tokenizer (unicode61) splits words on that agents type in queries.
fn is_separator(character: char) -> bool {
    !character.is_alphanumeric() && character != '\'' && character != '"'
}

/// The text to match contact names and numbers with `LIKE` (escaped with `\`).
#[must_use]
pub fn like_pattern(input: &str) -> String {
    let mut pattern = String::from("%");
    for character in input.trim().chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

/// The digits to match phone numbers with, when the input looks like (part of) a number:
/// `201 555-01` finds `+12015550101`.
#[must_use]
pub fn phone_digits(input: &str) -> Option<String> {
    let looks_like_number = input
        .chars()
        .all(|character| character.is_ascii_digit() || " +-().".contains(character));
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    (looks_like_number && digits.len() >= 3).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefix_terms() {
        assert_eq!(
            fts5_query("order late").as_deref(),
            Some("\"order\"* \"late\"*")
        );
        assert_eq!(fts5_query("  ").as_deref(), None);
        assert_eq!(fts5_query("?!*").as_deref(), None, "no word, no query");
    }

    #[test]
    fn syntax_is_taken_literally() {
        assert_eq!(
            fts5_query("NEAR(a b)").as_deref(),
            Some("\"NEAR\"* \"a\"* \"b\"*")
        );
        assert_eq!(
            fts5_query("body:refund").as_deref(),
            Some("\"body\"* \"refund\"*")
        );
        assert_eq!(
            fts5_query("say \"hi").as_deref(),
            Some("\"say\"* \"\"\"hi\"*")
        );
        assert_eq!(
            fts5_query("Привет мир").as_deref(),
            Some("\"Привет\"* \"мир\"*")
        );
    }

    #[test]
    fn numbers_are_matched_by_their_digits() {
        assert_eq!(phone_digits("(555) 123-00").as_deref(), Some("55512300"));
        assert_eq!(phone_digits("order 555"), None, "words are not a number");
        assert_eq!(phone_digits("55"), None, "too short to mean anything");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
    }
}
