//! `parley-desktop --write-policy --hub-url URL`: what a silent install with `HUB_URL` runs
//! (MSI `HUB_URL=…`, NSIS `/HUB_URL=…`). It writes the policy file and exits, with no window.

use std::process::Command;

fn write_policy(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parley-desktop"))
        .arg("--write-policy")
        .args(arguments)
        // No display: a window would fail to open, so the test also shows none is tried.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the desktop binary runs")
}

#[test]
fn a_silent_install_locks_the_hub_in_the_policy_file() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let path = folder.path().join("Parley").join("desktop.toml");
    let path_text = path.to_str().expect("a UTF-8 path");

    let output = write_policy(&[
        "--hub-url",
        "https://hub.example.com/",
        "--policy",
        path_text,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let policy = parley_client::Policy::read(&path).expect("a valid policy");
    assert_eq!(policy.hub_url.as_deref(), Some("https://hub.example.com"));
    assert!(policy.lock_hub_url);

    let output = write_policy(&["--hub-url", "ftp://hub.example.com", "--policy", path_text]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an http(s) URL"));
    assert_eq!(
        parley_client::Policy::read(&path)
            .expect("unchanged")
            .hub_url
            .as_deref(),
        Some("https://hub.example.com")
    );

    let output = write_policy(&["--policy", path_text]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs --hub-url"));
}
