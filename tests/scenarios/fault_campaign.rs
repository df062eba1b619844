//! A short fault campaign on the scenario engine (`src/campaign.rs` says what it does and
//! checks): the real hub binary killed with `kill -9` a dozen times while webhooks, status
//! callbacks and agent sends pour in against a faulty provider; nothing acknowledged is
//! lost, duplicated or reordered. `make campaign` runs the long one.

use std::time::Duration;

use parley_scenarios::campaign::{Plan, run};
use parley_scenarios::{database_for, init_logging, scenario_engine};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_and_provider_faults_loses_and_duplicates_nothing() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let database = database_for(&folder.path().join("campaign.db")).await;
    let report = run(Plan {
        hub_binary: env!("CARGO_BIN_EXE_parley-hub-under-test").into(),
        database,
        folder: folder.path().to_owned(),
        kills: 12,
        contacts: 6,
        run_for: (Duration::from_millis(300), Duration::from_millis(1500)),
        faults: Plan::default_faults(),
        progress: false,
    })
    .await;
    println!("{report}");
    assert_eq!(report.engine, scenario_engine());
    assert_eq!(report.kills, 12);
    assert!(
        report.sends_requested > 0 && report.inbound_posted > 0,
        "the campaign put load on the hub: {report}"
    );
    assert!(
        report.injected.late + report.injected.server_errors > 0,
        "the provider lost answers: {report}"
    );
    assert!(report.problems.is_empty(), "{report}");
}
