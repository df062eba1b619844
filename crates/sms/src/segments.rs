//! How an SMS text is encoded and into how many segments it is split — what the carrier
//! bills and what the composer shows.
//!
//! GSM-7 (3GPP TS 23.038 default alphabet): 160 septets in one segment, 153 per segment when
//! split; characters of the extension table (`^{}\[~]|€` and form feed) take two septets and
//! are never split across segments. One character outside the alphabet (an emoji, say) makes
//! the whole message UCS-2: 70 UTF-16 units in one segment, 67 per segment when split, with
//! surrogate pairs kept whole.

/// The two SMS encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// What a text costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentCount {
    pub encoding: Encoding,
    /// Characters as the agent sees them (Unicode scalar values).
    pub characters: usize,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    pub segments: usize,
    /// The first character that forced UCS-2, if any.
    pub ucs2_because_of: Option<char>,
}

/// The most characters Parley lets an agent send in one message (Twilio's limit).
pub const MAX_CHARACTERS: usize = 1600;

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets a character takes in GSM-7, or `None` when GSM-7 cannot carry it.
#[must_use]
pub fn gsm7_septets(character: char) -> Option<usize> {
    if GSM7_BASIC.contains(character) {
        Some(1)
    } else if GSM7_EXTENSION.contains(character) {
        Some(2)
    } else {
        None
    }
}

/// Splits `units` (one entry per character: its size) into segments of `single` when it all
/// fits in one, else of `multi`, never splitting a character.
fn count_segments(sizes: &[usize], single: usize, multi: usize) -> usize {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return 0;
    }
    if total <= single {
        return 1;
    }
    let mut segments = 1;
    let mut used = 0;
    for &size in sizes {
        if used + size > multi {
            segments += 1;
            used = 0;
        }
        used += size;
    }
    segments
}

/// Counts a text's encoding, units and segments.
#[must_use]
pub fn count(text: &str) -> SegmentCount {
    let ucs2_because_of = text
        .chars()
        .find(|character| gsm7_septets(*character).is_none());
    let characters = text.chars().count();
    let (encoding, sizes): (Encoding, Vec<usize>) = match ucs2_because_of {
        None => (
            Encoding::Gsm7,
            text.chars().filter_map(gsm7_septets).collect(),
        ),
        Some(_) => (Encoding::Ucs2, text.chars().map(char::len_utf16).collect()),
    };
    let (single, multi) = match encoding {
        Encoding::Gsm7 => (160, 153),
        Encoding::Ucs2 => (70, 67),
    };
    SegmentCount {
        encoding,
        characters,
        units: sizes.iter().sum(),
        segments: count_segments(&sizes, single, multi),
        ucs2_because_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_tables_have_the_standard_sizes() {
        assert_eq!(
            GSM7_BASIC.chars().count(),
            127,
            "128 basic characters less ESC"
        );
        assert_eq!(GSM7_EXTENSION.chars().count(), 10);
    }
}
