//! A phone number as an agent types it or a carrier sends it, with a region. Never a panic;
//! a number that reads is E.164 and reads back as itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_sms::{Region, SenderKind, normalize_e164, parse_number};

const REGIONS: &[&str] = &["US", "GB", "FR", "DE", "IN", "BR", "JP", "AU", "MX", "ZA"];

fuzz_target!(|input: &[u8]| {
    let Some((&first, rest)) = input.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let region: Option<Region> = REGIONS
        .get(usize::from(first) % (REGIONS.len() + 1))
        .map(|code| code.parse().expect("a known region"));
    let _ = SenderKind::of(&text);
    for read in [parse_number(&text, region), normalize_e164(&text)] {
        if let Ok(e164) = read {
            assert!(e164.starts_with('+'), "{e164}");
            assert!(
                e164[1..].bytes().all(|byte| byte.is_ascii_digit()),
                "{e164}"
            );
            assert!(e164.len() <= 16, "{e164}");
            assert_eq!(normalize_e164(&e164).as_deref(), Ok(e164.as_str()));
        }
    }
});
