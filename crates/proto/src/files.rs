//! File names Parley suggests when an agent saves a picture. Names are built from ids, and
//! any name is cleaned so that it can only ever be a plain file name: no folders, no
//! `..`, no absolute paths, no names Windows reserves, no control characters.

/// The file extension of a picture Parley keeps (JPEG, PNG, GIF or WebP).
#[must_use]
pub fn picture_extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "jpg",
    }
}

/// The name Parley suggests for a contact's picture, e.g. `parley-contact-7-picture-12.jpg`.
#[must_use]
pub fn picture_file_name(contact_id: i64, media_id: i64, content_type: &str) -> String {
    let extension = picture_extension(content_type);
    safe_file_name(&format!(
        "parley-contact-{contact_id}-picture-{media_id}.{extension}"
    ))
}

/// Windows' reserved device names (with any extension, in any case).
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Reduces any text to a plain file name: only its last path component is kept, characters
/// that are not allowed in a file name on Windows, macOS or Linux become `_`, leading dots
/// and trailing dots and spaces go, a reserved name gets a `_` in front, and the result is
/// at most 120 characters. An empty result becomes `picture`.
#[must_use]
pub fn safe_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    name = name
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .to_owned();
    if name.chars().count() > 120 {
        // Keep the extension.
        let extension = name
            .rsplit_once('.')
            .map(|(_, extension)| extension.chars().take(10).collect::<String>())
            .unwrap_or_default();
        let stem: String = name.chars().take(100).collect();
        name = if extension.is_empty() {
            stem
        } else {
            format!("{stem}.{extension}")
        };
    }
    if name.is_empty() {
        return "picture".to_owned();
    }
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    if RESERVED
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(stem))
    {
        name.insert(0, '_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_plain_names() {
        for (hostile, safe) in [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\Windows\\System32\\drivers\\etc\\hosts", "hosts"),
            ("/etc/shadow", "shadow"),
            ("C:\\Users\\agent\\evil.exe", "evil.exe"),
            ("..", "picture"),
            ("...", "picture"),
            ("", "picture"),
            ("/", "picture"),
            (".bashrc", "bashrc"),
            ("CON", "_CON"),
            ("con.jpg", "_con.jpg"),
            ("LPT1.png", "_LPT1.png"),
            ("nul .txt", "_nul .txt"),
            ("photo\u{0}.jpg", "photo_.jpg"),
            ("what?<b>|*.jpg", "what__b___.jpg"),
            ("trailing dot. ", "trailing dot"),
            ("photo:stream.jpg", "photo_stream.jpg"),
            ("café 📷.jpg", "café 📷.jpg"),
        ] {
            assert_eq!(safe_file_name(hostile), safe, "{hostile:?}");
        }
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.jpeg", "a".repeat(300));
        let safe = safe_file_name(&long);
        assert!(safe.chars().count() <= 120);
        assert!(safe.ends_with(".jpeg"), "{safe}");
    }

    #[test]
    fn suggested_names_are_plain() {
        assert_eq!(
            picture_file_name(7, 12, "image/png"),
            "parley-contact-7-picture-12.png"
        );
        assert_eq!(
            picture_file_name(7, 13, "text/html"),
            "parley-contact-7-picture-13.jpg"
        );
    }
}
