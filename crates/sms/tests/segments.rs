//! The segment counter against known vectors (shared with the UI's counter).

use parley_sms::segments::{Encoding, count};
use serde_json::Value;

fn build(parts: &[Value]) -> String {
    parts
        .iter()
        .map(|part| match part {
            Value::String(text) => text.clone(),
            Value::Object(repeat) => {
                let unit = repeat["repeat"].as_str().expect("repeat is a string");
                let times = repeat["times"].as_u64().expect("times is a number");
                unit.repeat(usize::try_from(times).expect("a small count"))
            }
            other => panic!("unexpected part {other}"),
        })
        .collect()
}

#[test]
fn known_vectors() {
    let vectors: Value =
        serde_json::from_str(include_str!("segment-vectors.json")).expect("the vectors are JSON");
    let vectors = vectors["vectors"].as_array().expect("a list of vectors");
    assert!(vectors.len() >= 15, "the vectors are all there");
    for vector in vectors {
        let name = vector["name"].as_str().expect("a name");
        let text = build(vector["parts"].as_array().expect("parts"));
        let counted = count(&text);
        let encoding = match counted.encoding {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        };
        assert_eq!(encoding, vector["encoding"], "{name}: encoding");
        assert_eq!(
            counted.characters as u64, vector["characters"],
            "{name}: characters"
        );
        assert_eq!(counted.units as u64, vector["units"], "{name}: units");
        assert_eq!(
            counted.segments as u64, vector["segments"],
            "{name}: segments"
        );
        assert_eq!(
            counted.ucs2_because_of.is_some(),
            encoding == "ucs2",
            "{name}: the reason"
        );
    }
}

#[test]
fn the_character_that_forces_ucs2_is_named() {
    assert_eq!(count("Great 👍 thanks").ucs2_because_of, Some('👍'));
    assert_eq!(count("Great, thanks").ucs2_because_of, None);
}
