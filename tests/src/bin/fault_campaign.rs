//! `parley-fault-campaign`: the long fault campaign (`make campaign`).
//!
//! ```text
//! parley-fault-campaign [--kills N] [--contacts N] [--engine sqlite|postgres]
//! ```
//! PostgreSQL needs `PARLEY_TEST_POSTGRES_URL` (a server the campaign may create a
//! database on). Prints a line per kill and the report; exits 1 when a promise was broken.

use std::process::ExitCode;
use std::time::Duration;

use parley_scenarios::campaign::{Plan, run};

fn argument(name: &str) -> Option<String> {
    let arguments: Vec<String> = std::env::args().collect();
    arguments
        .iter()
        .position(|argument| argument == name)
        .and_then(|index| arguments.get(index + 1).cloned())
}

#[tokio::main]
async fn main() -> ExitCode {
    parley_scenarios::init_logging();
    let kills = argument("--kills").map_or(1000, |kills| kills.parse().expect("--kills N"));
    let contacts =
        argument("--contacts").map_or(10, |contacts| contacts.parse().expect("--contacts N"));
    let engine = argument("--engine").unwrap_or_else(|| "sqlite".to_owned());
    let folder = tempfile::tempdir().expect("a temp folder");
    let (database, _postgres) = match engine.as_str() {
        "sqlite" => (
            parley_hub::config::Database::Sqlite(folder.path().join("campaign.db")),
            None,
        ),
        "postgres" => {
            let Some(postgres) = parley_hub::testing::TestDatabase::postgres().await else {
                eprintln!(
                    "--engine postgres needs {}",
                    parley_hub::testing::POSTGRES_URL_VARIABLE
                );
                return ExitCode::FAILURE;
            };
            (postgres.database.clone(), Some(postgres))
        }
        other => {
            eprintln!("--engine is sqlite or postgres, not {other}");
            return ExitCode::FAILURE;
        }
    };
    let hub_binary = std::env::current_exe()
        .expect("this binary's path")
        .with_file_name("parley-hub-under-test");
    let report = run(Plan {
        hub_binary,
        database,
        folder: folder.path().to_owned(),
        kills,
        contacts,
        run_for: (Duration::from_millis(200), Duration::from_millis(1500)),
        faults: Plan::default_faults(),
        progress: true,
    })
    .await;
    println!("{report}");
    if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
