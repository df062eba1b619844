//! Segment counting on any text. Never a panic, and the count adds up: GSM-7 only when every
//! character is in its alphabet, the units fit in the segments, and one segment more would
//! never be needed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_sms::segments::{Encoding, count, gsm7_septets};

fuzz_target!(|text: &str| {
    let counted = count(text);
    assert_eq!(counted.characters, text.chars().count());
    let all_gsm = text
        .chars()
        .all(|character| gsm7_septets(character).is_some());
    assert_eq!(counted.encoding == Encoding::Gsm7, all_gsm);
    assert_eq!(counted.ucs2_because_of.is_none(), all_gsm);
    let (single, multi) = match counted.encoding {
        Encoding::Gsm7 => (160, 153),
        Encoding::Ucs2 => (70, 67),
    };
    assert_eq!(text.is_empty(), counted.units == 0);
    assert_eq!(counted.segments == 0, text.is_empty());
    if counted.units <= single {
        assert!(counted.segments <= 1);
    } else {
        // Every segment but the last is full to within one character (of at most two units).
        assert!(counted.segments >= 2);
        assert!(counted.units <= counted.segments * multi);
        assert!(counted.units > (counted.segments - 1) * (multi - 1));
    }
});
