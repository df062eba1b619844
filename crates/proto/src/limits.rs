//! The limits of what agents send and save, defined once for the hub, the desktop core and
//! the UI (the bindings export them to TypeScript as `limits`).

/// The most characters one text may have (Twilio's limit: 10 segments).
pub const MAX_BODY_CHARS: usize = 1600;
/// At most this many pictures go with one message (Twilio's limit).
pub const MAX_ATTACHMENTS: usize = 10;
/// At most this many bytes of pictures go with one message (Twilio's limit).
pub const MAX_ATTACHMENT_BYTES: u64 = 5 * 1024 * 1024;
/// The longest note an agent can save with an interaction or a contact.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// The longest contact name.
pub const MAX_CONTACT_NAME_CHARS: usize = 200;
/// The longest email address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest search an agent can type.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most hits of each kind (contacts, messages) one search returns.
pub const SEARCH_LIMIT: u32 = 50;

/// The limits as a TypeScript module fragment: `export const limits = { … } as const;`.
#[must_use]
pub fn typescript() -> String {
    let entries = [
        ("maxBodyChars", MAX_BODY_CHARS.to_string()),
        ("maxAttachments", MAX_ATTACHMENTS.to_string()),
        ("maxAttachmentBytes", MAX_ATTACHMENT_BYTES.to_string()),
        ("maxNoteChars", MAX_NOTE_CHARS.to_string()),
        ("maxContactNameChars", MAX_CONTACT_NAME_CHARS.to_string()),
        ("maxEmailChars", MAX_EMAIL_CHARS.to_string()),
        ("maxSearchChars", MAX_SEARCH_CHARS.to_string()),
        ("searchLimit", SEARCH_LIMIT.to_string()),
    ];
    let body: Vec<String> = entries
        .iter()
        .map(|(name, value)| format!("  {name}: {value},"))
        .collect();
    format!(
        "/** What agents send and save is limited to this (crates/proto/src/limits.rs). */\nexport const limits = {{\n{}\n}} as const;\n",
        body.join("\n")
    )
}
