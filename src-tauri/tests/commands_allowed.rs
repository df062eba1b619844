//! Every command the shell declares (build.rs) is let through by the isolation hook
//! (isolation/index.js) and granted by the capability (capabilities/default.json), and
//! nothing else is: a command missing from either is refused in the app, silently.

use std::collections::BTreeSet;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The quoted names between `start` and the next `end`.
fn quoted(text: &str, start: &str, end: &str, quote: char) -> BTreeSet<String> {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} is there"))
        + start.len();
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("{end:?} follows"));
    text[from..to]
        .split(quote)
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_declared_command_is_let_through_and_granted() {
    let declared = quoted(&read("build.rs"), "const COMMANDS: &[&str] = &[", "];", '"');
    assert!(declared.len() > 20, "{declared:?}");
    let let_through = quoted(
        &read("../isolation/index.js"),
        "const ALLOWED_COMMANDS = new Set([",
        "]);",
        '\'',
    );
    assert_eq!(declared, let_through, "build.rs against isolation/index.js");
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/default.json")).expect("JSON");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|permission| permission.as_str()?.strip_prefix("allow-"))
        .map(|name| name.replace('-', "_"))
        .collect();
    assert_eq!(
        declared, granted,
        "build.rs against capabilities/default.json"
    );
}
