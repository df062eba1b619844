//! The search query language every store speaks, so the hub (browser) and the desktop
//! replica (offline) give the same results: every word the agent typed is a prefix, all
//! required. Punctuation, quotes, operators (`AND`, `NEAR`, `*`, `:`) and any script are
//! taken literally, so no input is a syntax error.
//!
//! On SQLite it is an FTS5 query ([`fts5_query`]) over the `unicode61 remove_diacritics 2`
//! tokenizer. On PostgreSQL the hub stores each message's words as a `tsvector` made here
//! ([`tsvector`]) with the same tokenizer's rules ([`words`]), and asks a `tsquery`
//! ([`tsquery`]), so both engines find the same messages for the same input.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// The FTS5 query for what the agent typed, or `None` when it holds no searchable word.
#[must_use]
pub fn fts5_query(input: &str) -> Option<String> {
    let terms: Vec<String> = typed_words(input)
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The combining diacritics `remove_diacritics 2` removes inside a word rather than
/// splitting on (SQLite's own list): `e\u{301}te\u{301}` is the one word `ete`, as `été` is.
const DROPPED_DIACRITICS: &[char] = &[
    '\u{300}', '\u{301}', '\u{302}', '\u{303}', '\u{304}', '\u{306}', '\u{307}', '\u{308}',
    '\u{309}', '\u{30A}', '\u{30B}', '\u{30C}', '\u{30F}', '\u{311}', '\u{31B}', '\u{323}',
    '\u{324}', '\u{325}', '\u{326}', '\u{327}', '\u{328}', '\u{32D}', '\u{32E}', '\u{330}',
    '\u{331}',
];

fn is_dropped_diacritic(character: char) -> bool {
    DROPPED_DIACRITICS.contains(&character)
}

/// Whether FTS5's `unicode61` tokenizer keeps `character` in a word: letters, numbers
/// and private-use characters (its default categories `L* N* Co`); everything else —
/// spaces, punctuation, symbols, emoji, combining marks — separates words.
fn is_word_character(character: char) -> bool {
    (character.is_alphanumeric() && !is_combining_mark(character))
        || matches!(character, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFD}')
}

/// Whether `remove_diacritics 2` folds `character`: the Latin letters (Latin-1 Supplement,
/// Latin Extended-A and -B, Latin Extended Additional). Other scripts keep their marks.
fn folds_diacritics(character: char) -> bool {
    matches!(character, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

/// One character as the tokenizer stores it: diacritics removed from Latin letters, then
/// lowercased.
fn fold(character: char, into: &mut String) {
    let base = if folds_diacritics(character) {
        std::iter::once(character)
            .nfd()
            .find(|part| !is_combining_mark(*part))
            .unwrap_or(character)
    } else {
        character
    };
    into.extend(base.to_lowercase());
}

/// The words of `text` as FTS5's `unicode61 remove_diacritics 2` tokenizer reads them, in
/// order.
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for character in text.chars() {
        if is_word_character(character) {
            fold(character, &mut word);
        } else if is_dropped_diacritic(character) {
            // Removed, and the word goes on.
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The most positions a PostgreSQL `tsvector` records.
const MAX_POSITION: usize = 16_383;

/// The PostgreSQL `tsvector` of `text` (in its input syntax): its [`words`], each with its
/// position, so a phrase matches words that follow each other.
#[must_use]
pub fn tsvector(text: &str) -> String {
    words(text)
        .iter()
        .enumerate()
        .map(|(index, word)| format!("'{word}':{}", (index + 1).min(MAX_POSITION)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The PostgreSQL `tsquery` (in its input syntax) for what the agent typed — the same
/// terms as [`fts5_query`]: each typed word a phrase of its [`words`] whose last is a
/// prefix, all required — or `None` when it holds no searchable word.
#[must_use]
pub fn tsquery(input: &str) -> Option<String> {
    let terms: Vec<String> = typed_words(input)
        .filter_map(|typed| {
            let words = words(typed);
            let last = words.len().checked_sub(1)?;
            let phrase: Vec<String> = words
                .iter()
                .enumerate()
                .map(|(index, word)| {
                    if index == last {
                        format!("'{word}':*")
                    } else {
                        format!("'{word}'")
                    }
                })
                .collect();
            Some(format!("({})", phrase.join(" <-> ")))
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

/// The words an agent typed, split at spaces only: at most 16. Each is one term, a phrase
/// of the tokenizer's words whose last is a prefix. SQLite tokenizes each term itself, so
/// a term matches the text exactly as it was stored, whatever Unicode version its
/// tokenizer knows (found by fuzzing: splitting here by Rust's newer tables lost `🟑k`).
fn typed_words(input: &str) -> impl Iterator<Item = &str> {
    input
        .split(char::is_whitespace)
        // A term the tokenizer reads no word in would match nothing, and with it the whole
        // query (found by fuzzing: a lone combining mark).
        .filter(|word| !words(word).is_empty())
        .take(16)
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

/// The `contacts_trigram` query for what the agent typed, when it is long enough for the
/// index (three characters): the text anywhere in the name or number, or its digits
/// anywhere in the number. Shorter input is matched with `LIKE`.
#[must_use]
pub fn trigram_query(input: &str) -> Option<String> {
    let typed = input.trim();
    if typed.chars().count() < 3 {
        return None;
    }
    let mut query = format!("\"{}\"", typed.replace('"', "\"\""));
    if let Some(digits) = phone_digits(input) {
        query.push_str(&format!(" OR phone : \"{digits}\""));
    }
    Some(query)
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
    fn three_characters_or_more_go_to_the_trigram_index() {
        assert_eq!(trigram_query(" an "), None);
        assert_eq!(trigram_query("Ana R").as_deref(), Some("\"Ana R\""));
        assert_eq!(
            trigram_query("say \"hi\"").as_deref(),
            Some("\"say \"\"hi\"\"\"")
        );
        assert_eq!(
            trigram_query("201 555-01").as_deref(),
            Some("\"201 555-01\" OR phone : \"20155501\"")
        );
    }

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
            Some("\"NEAR(a\"* \"b)\"*")
        );
        assert_eq!(
            fts5_query("body:refund").as_deref(),
            Some("\"body:refund\"*")
        );
        assert_eq!(
            fts5_query("say \"hi").as_deref(),
            Some("\"say\"* \"\"\"hi\"*")
        );
        // A term with no word in it (a lone combining mark) is left out, not matched.
        assert_eq!(fts5_query("order +\u{b56}").as_deref(), Some("\"order\"*"));
        assert_eq!(tsquery("+\u{b56}"), None);
        // A symbol SQLite's tables may not know stays inside the term it was typed in.
        assert_eq!(fts5_query("\u{1F7D1}k").as_deref(), Some("\"\u{1F7D1}k\"*"));
        assert_eq!(
            fts5_query("Привет мир").as_deref(),
            Some("\"Привет\"* \"мир\"*")
        );
        // A decomposed é stays in its word (found by the fuzzer: `"e"* "te"*` missed it).
        assert_eq!(
            fts5_query("e\u{301}te\u{301}").as_deref(),
            Some("\"e\u{301}te\u{301}\"*")
        );
        assert_eq!(tsquery("e\u{301}te\u{301}").as_deref(), Some("('ete':*)"));
    }

    #[test]
    fn words_are_read_as_fts5_unicode61_reads_them() {
        // What SQLite's `unicode61 remove_diacritics 2` stored for the same texts.
        let cases: [(&str, &[&str]); 12] = [
            ("a+b x💥y", &["a", "b", "x", "y"]),
            // Latin diacritics written as combining marks are removed, not split on.
            ("e\u{301}te\u{301} Cafe\u{300}!", &["ete", "cafe"]),
            // Other combining marks (Hebrew points) split, as SQLite does.
            ("\u{5e9}\u{5b8}\u{5dc}", &["\u{5e9}", "\u{5dc}"]),
            (
                "Where is my order #4471?",
                &["where", "is", "my", "order", "4471"],
            ),
            ("café naïve İstanbul", &["cafe", "naive", "istanbul"]),
            (
                "Привет! Заказ не пришёл",
                &["привет", "заказ", "не", "пришёл"],
            ),
            ("Ελληνικά ά", &["ελληνικά", "ά"]),
            ("1.5 don't", &["1", "5", "don", "t"]),
            ("ǅemal ß", &["ǆemal", "ß"]),
            ("注文がまだ届きません", &["注文がまだ届きません"]),
            ("क्षत्रिय", &["क", "षत", "र", "य"]),
            ("  \t ", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(words(text), expected, "{text:?}");
        }
    }

    #[test]
    fn postgres_vectors_and_queries_follow_the_same_words() {
        assert_eq!(
            tsvector("Order #4471, order!"),
            "'order':1 '4471':2 'order':3"
        );
        assert_eq!(tsvector(""), "");
        assert_eq!(
            tsquery("orde CAFÉ").as_deref(),
            Some("('orde':*) & ('cafe':*)")
        );
        assert_eq!(
            tsquery("don't").as_deref(),
            Some("('don' <-> 't':*)"),
            "a word the tokenizer splits is a phrase, as in FTS5"
        );
        assert_eq!(
            tsquery("\"extra hot\"").as_deref(),
            Some("('extra':*) & ('hot':*)")
        );
        for nothing in ["", "*", "💥", "?!", "\"\"\""] {
            assert_eq!(tsquery(nothing), None, "{nothing:?} searches nothing");
            assert_eq!(fts5_query(nothing), None, "{nothing:?} searches nothing");
        }
        assert_eq!(
            tsquery("' OR 1=1 --").as_deref(),
            Some("('or':*) & ('1' <-> '1':*)"),
            "quotes never reach the query syntax"
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
