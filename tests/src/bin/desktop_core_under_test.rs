//! The desktop app's core as a process of its own, so a scenario can kill it with
//! `kill -9` in the middle of an outbox flush:
//!
//! ```text
//! parley-desktop-core-under-test DATA_DIR HUB_URL LOGIN PASSWORD
//! ```
//! Signs in (which starts the outbox), waits until the outbox is empty, and exits 0.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use parley_client::Client;
use parley_scenarios::RecordingSink;

#[tokio::main]
async fn main() -> ExitCode {
    parley_scenarios::init_logging();
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [data_dir, hub_url, login, password] = arguments.as_slice() else {
        eprintln!("usage: parley-desktop-core-under-test DATA_DIR HUB_URL LOGIN PASSWORD");
        return ExitCode::FAILURE;
    };
    let client = Client::new(data_dir.into(), Arc::new(RecordingSink::default()));
    if let Err(error) = client.login(hub_url, login, password).await {
        eprintln!("cannot sign in: {error}");
        return ExitCode::FAILURE;
    }
    loop {
        match client.outbox_len().await {
            Ok(0) => {
                println!("outbox empty");
                return ExitCode::SUCCESS;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(error) => {
                eprintln!("cannot read the outbox: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
}
