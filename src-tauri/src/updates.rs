//! Updates: the desktop looks for a newer version where the admin's policy says (the hub's
//! `/updates/<channel>/latest.json` by default, so closed networks work), downloads it,
//! checks its signature against the project's update key, and installs it; the agent
//! gets the new version at the next start. A pinned version is installed and kept; a
//! policy can turn updates off.

use std::time::Duration;

use parley_client::policy::UpdatePlan;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt as _};

/// The project's update public key (minisign, as `tauri signer generate` prints it), set
/// when the release is built (`PARLEY_UPDATE_PUBKEY`). A build without one installs no
/// updates.
fn pubkey() -> Option<&'static str> {
    option_env!("PARLEY_UPDATE_PUBKEY").filter(|key| !key.trim().is_empty())
}

/// How long after start the first look is, and how often after that.
const FIRST_LOOK: Duration = Duration::from_secs(60);
const EVERY: Duration = Duration::from_secs(6 * 60 * 60);

/// The updater plugin, with the project's key when the build has one.
pub fn plugin() -> tauri::plugin::TauriPlugin<tauri::Wry, tauri_plugin_updater::Config> {
    let builder = tauri_plugin_updater::Builder::new();
    match pubkey() {
        Some(key) => builder.pubkey(key),
        None => builder,
    }
    .build()
}

/// An update found, downloaded, and its signature checked.
pub struct Verified<R: Runtime = tauri::Wry> {
    pub update: Update,
    pub bytes: Vec<u8>,
    _runtime: std::marker::PhantomData<R>,
}

/// Looks at `plan`'s manifest; when it offers a version to install (newer, or the pinned
/// one), downloads it and checks its signature against `pubkey`.
///
/// # Errors
/// The manifest cannot be read, or the download fails or does not carry a valid signature
/// by `pubkey` (then nothing is installed).
pub async fn fetch<R: Runtime>(
    app: &AppHandle<R>,
    plan: &UpdatePlan,
    pubkey: &str,
) -> Result<Option<Verified<R>>, tauri_plugin_updater::Error> {
    let url = tauri::Url::parse(&plan.url)?;
    let pin = plan.pin.clone();
    let updater = app
        .updater_builder()
        .pubkey(pubkey)
        .endpoints(vec![url])?
        .timeout(Duration::from_secs(60))
        .version_comparator(move |current, release| match &pin {
            Some(pin) => release.version == *pin && release.version != current,
            None => release.version > current,
        })
        .build()?;
    let Some(update) = updater.check().await? else {
        return Ok(None);
    };
    tracing::info!(version = %update.version, url = %update.download_url, "an update is offered");
    let bytes = update.download(|_, _| {}, || {}).await?;
    Ok(Some(Verified {
        update,
        bytes,
        _runtime: std::marker::PhantomData,
    }))
}

/// Looks for updates now and then, as the policy says, and installs what it finds.
pub fn run(app: AppHandle, client: parley_client::Client, policy: parley_client::Policy) {
    let Some(pubkey) = pubkey() else {
        tracing::info!("this build carries no update key: it installs no updates");
        return;
    };
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_LOOK).await;
        loop {
            let signed_in = client.session().await.ok().flatten();
            match policy.update_plan(signed_in.as_ref().map(|session| session.hub_url.as_str())) {
                None => tracing::debug!("no updates: off by policy, or no hub known yet"),
                Some(plan) => match fetch(&app, &plan, pubkey).await {
                    Ok(None) => tracing::info!(url = %plan.url, "Parley is up to date"),
                    Ok(Some(found)) => install(&app, &found),
                    Err(error) => {
                        tracing::warn!(%error, url = %plan.url, "no update installed");
                    }
                },
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

fn install(app: &AppHandle, found: &Verified) {
    let version = found.update.version.clone();
    match found.update.install(&found.bytes) {
        Ok(()) => {
            tracing::info!(%version, "update installed: it runs from the next start");
            crate::notifications::tell(
                app,
                "Parley update installed",
                &format!("Parley {version} starts the next time you open Parley."),
            );
        }
        Err(error) => tracing::warn!(%error, %version, "the update could not be installed"),
    }
}

#[cfg(test)]
mod tests {
    //! A hub serves a folder of signed updates, as an admin fills it; the desktop's updater
    //! (the plugin, in a Tauri app on the mock runtime) accepts what the project's key
    //! signed and refuses anything else.

    use std::path::{Path, PathBuf};
    use std::process::Command;

    use parley_client::policy::UpdatePlan;
    use parley_hub::config::{Config, Database, ServiceConfig};

    use super::fetch;

    fn tauri_cli() -> PathBuf {
        let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/.bin/tauri");
        assert!(
            cli.exists(),
            "the Tauri CLI is installed by `make deps` (npm ci in ui/)"
        );
        cli
    }

    /// A new signing key pair, as `tauri signer generate` makes it: (private key file,
    /// public key).
    fn key_pair(folder: &Path, name: &str) -> (PathBuf, String) {
        let private = folder.join(name);
        let status = Command::new(tauri_cli())
            .args([
                "signer",
                "generate",
                "--ci",
                "--password",
                "",
                "--write-keys",
            ])
            .arg(&private)
            .output()
            .expect("the Tauri CLI runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let mut public = private.as_os_str().to_owned();
        public.push(".pub");
        let public = std::fs::read_to_string(PathBuf::from(public)).expect("the public key");
        (private, public.trim().to_owned())
    }

    /// Signs `file` for `version` with `tauri signer sign`; the signature.
    fn sign(file: &Path, key: &Path, version: &str) -> String {
        let output = Command::new(tauri_cli())
            .args([
                "signer",
                "sign",
                "--password",
                "",
                "--app-version",
                version,
                "--private-key-path",
            ])
            .arg(key)
            .arg(file)
            .output()
            .expect("the Tauri CLI runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut signature = file.as_os_str().to_owned();
        signature.push(".sig");
        std::fs::read_to_string(PathBuf::from(signature)).expect("the signature file")
    }

    fn manifest(folder: &Path, version: &str, url: &str, signature: &str) {
        let platform = serde_json::json!({ "url": url, "signature": signature });
        let manifest = serde_json::json!({
            "version": version,
            "notes": "Faster search.",
            "pub_date": "2026-12-01T10:00:00Z",
            "platforms": {
                "linux-x86_64": platform,
                "windows-x86_64": platform,
                "darwin-aarch64": platform,
                "darwin-x86_64": platform,
            },
        });
        std::fs::write(folder.join("latest.json"), manifest.to_string()).expect("the manifest");
    }

    fn app() -> tauri::App<tauri::test::MockRuntime> {
        let mut context = tauri::test::mock_context(tauri::test::noop_assets());
        context.config_mut().plugins.0.insert(
            "updater".to_owned(),
            serde_json::json!({ "pubkey": "", "requireSignedVersion": true, "dangerousInsecureTransportProtocol": true }),
        );
        tauri::test::mock_builder()
            .plugin(tauri_plugin_updater::Builder::new().build())
            .build(context)
            .expect("a mock app")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_signed_update_from_the_hub_is_taken_and_a_bad_one_refused() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let updates = folder.path().join("updates");
        let stable = updates.join("stable");
        std::fs::create_dir_all(&stable).expect("the channel folder");
        let hub = parley_hub::start(Config {
            listen: "127.0.0.1:0".parse().expect("an address"),
            database: Database::Sqlite(folder.path().join("hub.db")),
            ui_dir: folder.path().join("no-ui"),
            service: ServiceConfig {
                updates_dir: Some(updates.clone()),
                ..ServiceConfig::default()
            },
            ..Config::default()
        })
        .await
        .expect("the hub starts");
        let base = hub.base_url();
        let plan = UpdatePlan {
            url: format!("{base}/updates/stable/latest.json"),
            pin: None,
        };
        let (key, pubkey) = key_pair(folder.path(), "project.key");
        let package: Vec<u8> = (0..200_000_u32).map(|n| (n % 251) as u8).collect();
        let file = stable.join("Parley_9.9.9_amd64.deb");
        std::fs::write(&file, &package).expect("the package");
        let signature = sign(&file, &key, "9.9.9");
        let url = format!("{base}/updates/stable/Parley_9.9.9_amd64.deb");
        manifest(&stable, "9.9.9", &url, &signature);
        let app = app();

        // Signed with the project's key: taken, byte for byte.
        let found = fetch(app.handle(), &plan, &pubkey)
            .await
            .expect("the update is read and its signature holds")
            .expect("9.9.9 is newer than the running 0.1.0");
        assert_eq!(found.update.version, "9.9.9");
        assert_eq!(found.bytes, package);

        // Pinned to another version: nothing to install; pinned to this one: taken.
        let pinned = |version: &str| UpdatePlan {
            pin: Some(semver::Version::parse(version).expect("a version")),
            ..plan.clone()
        };
        assert!(
            fetch(app.handle(), &pinned("9.9.8"), &pubkey)
                .await
                .expect("read")
                .is_none()
        );
        assert!(
            fetch(app.handle(), &pinned("9.9.9"), &pubkey)
                .await
                .expect("read")
                .is_some()
        );

        // Another key's signature: refused.
        let (_, stranger) = key_pair(folder.path(), "stranger.key");
        let refused = fetch(app.handle(), &plan, &stranger)
            .await
            .err()
            .expect("another key");
        assert!(refused.to_string().contains("different key"), "{refused}");

        // The package changed after signing: refused.
        let mut tampered = package.clone();
        tampered[1000] ^= 0xff;
        std::fs::write(&file, &tampered).expect("the tampered package");
        let refused = fetch(app.handle(), &plan, &pubkey)
            .await
            .err()
            .expect("a tampered package");
        assert!(
            refused.to_string().contains("verification failed"),
            "{refused}"
        );

        // An old, genuinely signed package announced as a newer version: refused.
        std::fs::write(&file, &package).expect("the package again");
        manifest(&stable, "10.0.0", &url, &signature);
        let refused = fetch(app.handle(), &plan, &pubkey)
            .await
            .err()
            .expect("a mislabelled version");
        assert!(refused.to_string().contains("10.0.0"), "{refused}");

        // A hub with no updates folder says so, and nothing is installed.
        let none = fetch(
            app.handle(),
            &UpdatePlan {
                url: format!("{base}/updates/beta/latest.json"),
                pin: None,
            },
            &pubkey,
        )
        .await;
        assert!(none.is_err(), "no manifest there");
        hub.stop().await;
    }
}
