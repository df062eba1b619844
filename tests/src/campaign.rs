//! The fault campaign: the real hub binary, killed with `kill -9` at random moments while
//! signed inbound webhooks, status callbacks and agent sends pour in, against a provider
//! that answers late, answers 5xx after keeping the message, refuses with 429 and
//! Retry-After, calls back before it answers, and refuses with 21611 when a number's
//! queue overflows.
//!
//! After the last kill the load stops, what was not acknowledged is delivered again (as a
//! provider and a desktop's outbox do), the hub finishes its work, and the campaign checks:
//! every acknowledged inbound webhook stored exactly once (redeliveries too), every
//! acknowledged send at the provider exactly once and in order per contact, nothing sent
//! that nobody asked for, the event log gap-free, no 21611, and on SQLite
//! `PRAGMA integrity_check` after every kill.
//!
//! `make test` runs a short campaign on each engine (`scenarios/fault_campaign.rs`);
//! `make campaign` runs a long one (`parley-fault-campaign`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use parley_hub::config::Database;
use parley_hub::{AgentSettings, Store};
use parley_proto::{ContactSummary, LoginResponse, Role, SendMessageRequest};
use sqlx::Connection as _;

use crate::fake_twilio::{Faults, Injected};
use crate::processes::{Balancer, HubProcess, HubSetup};
use crate::{FakeTwilio, agent_in};

/// Segments a second the campaign's number takes (the hub paces to it; the provider's
/// queue drains at it and holds five seconds' worth).
const RATE: f64 = 100.0;

/// What to run.
pub struct Plan {
    /// The `parley-hub` binary.
    pub hub_binary: PathBuf,
    pub database: Database,
    /// Where the hub's config and logs go.
    pub folder: PathBuf,
    pub kills: usize,
    /// Customers texting in and being texted.
    pub contacts: usize,
    /// How long the hub runs between a start and its kill: at random in this range.
    pub run_for: (Duration, Duration),
    pub faults: Faults,
    /// Print a line per kill.
    pub progress: bool,
}

impl Plan {
    /// The faults the campaign injects by default: 10% late answers (past the hub's
    /// timeout), 5% 5xx after keeping the message, 5% 429 with Retry-After, 10% status
    /// callbacks before the answer, and callbacks for every message.
    #[must_use]
    pub fn default_faults() -> Faults {
        Faults {
            late: 0.10,
            late_by: Duration::from_millis(2500),
            server_error: 0.05,
            too_many_requests: 0.05,
            retry_after_s: 1,
            callback_first: 0.10,
            callbacks: true,
        }
    }
}

/// What the campaign did and found.
#[derive(Debug, Default)]
pub struct Report {
    pub engine: &'static str,
    pub kills: usize,
    pub elapsed: Duration,
    pub inbound_posted: usize,
    pub inbound_acknowledged_first_time: usize,
    pub inbound_stored: usize,
    pub sends_requested: usize,
    pub sends_acknowledged_first_time: usize,
    pub sends_at_provider: usize,
    /// Sends the hub marked failed rather than risk a duplicate.
    pub sends_held_back: usize,
    pub events: usize,
    pub injected: Injected,
    pub provider_refusals: usize,
    pub queue_overflows: usize,
    pub integrity_checks: usize,
    /// Every way the run broke a promise; empty when it kept them all.
    pub problems: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            formatter,
            "fault campaign on {}: {} kills in {:.0?}",
            self.engine, self.kills, self.elapsed
        )?;
        writeln!(
            formatter,
            "  inbound webhooks: {} posted, {} acknowledged at once (the rest delivered again), {} stored",
            self.inbound_posted, self.inbound_acknowledged_first_time, self.inbound_stored
        )?;
        writeln!(
            formatter,
            "  agent sends: {} requested, {} acknowledged at once, {} at the provider, {} held back as failed",
            self.sends_requested,
            self.sends_acknowledged_first_time,
            self.sends_at_provider,
            self.sends_held_back
        )?;
        writeln!(
            formatter,
            "  provider faults: {} late answers, {} 5xx after keeping, {} 429s, {} callbacks before the answer; {} refusals, {} queue overflows (21611)",
            self.injected.late,
            self.injected.server_errors,
            self.injected.too_many_requests,
            self.injected.callbacks_first,
            self.provider_refusals,
            self.queue_overflows
        )?;
        writeln!(
            formatter,
            "  events: {}; integrity checks: {}",
            self.events, self.integrity_checks
        )?;
        if self.problems.is_empty() {
            writeln!(formatter, "  lost: 0, duplicated: 0, out of order: 0")
        } else {
            writeln!(formatter, "  PROBLEMS ({}):", self.problems.len())?;
            for problem in self.problems.iter().take(40) {
                writeln!(formatter, "    {problem}")?;
            }
            Ok(())
        }
    }
}

#[derive(Clone)]
struct Inbound {
    sid: String,
    body: String,
    contact: usize,
    acknowledged: bool,
}

struct Sent {
    body: String,
    acknowledged_first_time: bool,
}

#[derive(Default)]
struct Ledger {
    inbound: Vec<Inbound>,
    sends: Vec<Sent>,
}

/// The customers' numbers.
fn phone(contact: usize) -> String {
    format!("+1201555{:04}", 2000 + contact)
}

/// Runs the campaign.
///
/// # Panics
/// When the hub cannot be started or the database read (the report carries every broken
/// promise instead of panicking).
pub async fn run(plan: Plan) -> Report {
    let started = Instant::now();
    let fake = FakeTwilio::start().await;
    fake.queue_numbers(RATE, RATE * 5.0);
    let balancer = Balancer::start().await;
    let public_url = balancer.url();
    let extra_config = format!("[sending]\nlong_code_rate = {RATE}\n");
    let setup = HubSetup {
        binary: plan.hub_binary.to_str().expect("a UTF-8 path"),
        name: "hub",
        database: &plan.database,
        public_url: &public_url,
        folder: &plan.folder,
        log_filter: "info,sqlx=warn,tower_http=warn",
        extra_config: &extra_config,
    };
    let mut hub = HubProcess::start(&setup, &fake).await;
    balancer.set_backends(vec![hub.url()]);
    {
        let store = Store::open(&plan.database).await.expect("the database");
        let settings = AgentSettings {
            role: Role::Supervisor,
            auto_answer: false,
            max_chats: 5,
            permissions: None,
        };
        agent_in(&store, "campaign", "campaign-pass", settings).await;
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    let token = sign_in(&http, &public_url).await;
    // Each customer texts first, so the contact exists.
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let sids = Arc::new(AtomicU64::new(1));
    for contact in 0..plan.contacts {
        let inbound = new_inbound(&ledger, &sids, contact);
        while !deliver_inbound(&fake, &public_url, &inbound).await {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        mark_acknowledged(&ledger, &inbound.sid);
    }
    let contacts = contact_ids(&http, &public_url, &token, plan.contacts).await;
    fake.inject(plan.faults);

    let loading = Arc::new(AtomicBool::new(true));
    let mut load = Vec::new();
    for poster in 0..2 {
        let (fake, ledger, sids, loading, url) = (
            fake.clone(),
            Arc::clone(&ledger),
            Arc::clone(&sids),
            Arc::clone(&loading),
            public_url.clone(),
        );
        let contacts = plan.contacts;
        load.push(tokio::spawn(async move {
            while loading.load(Ordering::SeqCst) {
                let contact = rand::random_range(0..contacts);
                let inbound = new_inbound(&ledger, &sids, contact);
                if deliver_inbound(&fake, &url, &inbound).await {
                    mark_acknowledged(&ledger, &inbound.sid);
                }
                tokio::time::sleep(Duration::from_millis(15 + 10 * poster)).await;
            }
        }));
    }
    for (contact, contact_id) in contacts.iter().copied().enumerate() {
        let (http, ledger, loading, url, token) = (
            http.clone(),
            Arc::clone(&ledger),
            Arc::clone(&loading),
            public_url.clone(),
            token.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut number = 0;
            while loading.load(Ordering::SeqCst) {
                number += 1;
                let body = format!("out {contact} {number}");
                let request = SendMessageRequest {
                    contact_id,
                    interaction_id: None,
                    body: body.clone(),
                    client_key: format!("campaign-{contact}-{number}"),
                    upload_ids: Vec::new(),
                };
                // As a desktop's outbox does: the same key again until the hub has it.
                let mut first_time = true;
                while !post_send(&http, &url, &token, &request).await {
                    first_time = false;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                ledger.lock().expect("not poisoned").sends.push(Sent {
                    body,
                    acknowledged_first_time: first_time,
                });
                tokio::time::sleep(Duration::from_millis(rand::random_range(100..300))).await;
            }
        }));
    }

    let mut report = Report {
        engine: match plan.database {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        },
        ..Report::default()
    };
    for kill in 0..plan.kills {
        let (least, most) = plan.run_for;
        let run_for = least + (most.saturating_sub(least)).mul_f64(rand::random::<f64>());
        tokio::time::sleep(run_for).await;
        hub.kill().await;
        if let Database::Sqlite(path) = &plan.database {
            let verdict = integrity(path).await;
            report.integrity_checks += 1;
            if verdict != "ok" {
                report
                    .problems
                    .push(format!("integrity_check after kill {kill}: {verdict}"));
            }
        }
        hub = HubProcess::start(&setup, &fake).await;
        balancer.set_backends(vec![hub.url()]);
        if plan.progress {
            let ledger = ledger.lock().expect("not poisoned");
            println!(
                "kill {:>5}/{}: after {run_for:.2?}; {} webhooks, {} sends so far",
                kill + 1,
                plan.kills,
                ledger.inbound.len(),
                ledger.sends.len()
            );
        }
    }
    report.kills = plan.kills;

    // The load stops; every send in progress is finished (acknowledged) first.
    loading.store(false, Ordering::SeqCst);
    for task in load {
        task.await.expect("a load task ends");
    }
    fake.inject(Faults {
        callbacks: true,
        ..Faults::default()
    });
    // What the hub did not acknowledge, the provider delivers again; so does some of what
    // it did (a provider may retry after a slow answer): each is stored once.
    let redeliveries: Vec<Inbound> = ledger
        .lock()
        .expect("not poisoned")
        .inbound
        .iter()
        .enumerate()
        .filter(|(index, inbound)| !inbound.acknowledged || index % 10 == 0)
        .map(|(_, inbound)| inbound.clone())
        .collect();
    // Sixteen at a time, as a provider's retries come.
    for batch in redeliveries.chunks(16) {
        let mut deliveries = tokio::task::JoinSet::new();
        for inbound in batch {
            let (fake, url) = (fake.clone(), public_url.clone());
            let inbound = inbound.clone();
            deliveries.spawn(async move {
                while !deliver_inbound(&fake, &url, &inbound).await {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
        }
        while let Some(done) = deliveries.join_next().await {
            done.expect("a redelivery ends");
        }
    }
    settle(&plan.database, &hub).await;
    report.elapsed = started.elapsed();
    let ledger = std::mem::take(&mut *ledger.lock().expect("not poisoned"));
    check(&plan, &fake, &ledger, &mut report).await;
    if let Database::Sqlite(path) = &plan.database {
        let verdict = integrity(path).await;
        report.integrity_checks += 1;
        if verdict != "ok" {
            report
                .problems
                .push(format!("integrity_check at the end: {verdict}"));
        }
    }
    if !report.problems.is_empty() {
        eprintln!("--- the hub's last log ---\n{}", hub.log_text());
    }
    hub.kill().await;
    report
}

fn new_inbound(ledger: &Mutex<Ledger>, sids: &AtomicU64, contact: usize) -> Inbound {
    let serial = sids.fetch_add(1, Ordering::SeqCst);
    let inbound = Inbound {
        sid: format!("SM{serial:032x}"),
        body: format!("in {contact} {serial}"),
        contact,
        acknowledged: false,
    };
    ledger
        .lock()
        .expect("not poisoned")
        .inbound
        .push(inbound.clone());
    inbound
}

fn mark_acknowledged(ledger: &Mutex<Ledger>, sid: &str) {
    let mut ledger = ledger.lock().expect("not poisoned");
    if let Some(inbound) = ledger
        .inbound
        .iter_mut()
        .rev()
        .find(|inbound| inbound.sid == sid)
    {
        inbound.acknowledged = true;
    }
}

/// Posts a signed inbound webhook; `true` when the hub answered 200.
async fn deliver_inbound(fake: &FakeTwilio, public_url: &str, inbound: &Inbound) -> bool {
    let params = fake.inbound_params(&inbound.sid, &phone(inbound.contact), &inbound.body);
    fake.try_post_webhook(&format!("{public_url}/webhooks/twilio/sms"), &params)
        .await
        .is_some_and(|status| status == 200)
}

/// Posts an agent's send; `true` when the hub acknowledged it (stored).
async fn post_send(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    request: &SendMessageRequest,
) -> bool {
    let answer = http
        .post(format!("{url}/api/messages"))
        .bearer_auth(token)
        .json(request)
        .send()
        .await;
    match answer {
        Ok(answer) if answer.status().is_success() => true,
        Ok(answer) if answer.status().is_client_error() => {
            panic!(
                "the hub refused a send: {} {}",
                answer.status(),
                answer.text().await.unwrap_or_default()
            )
        }
        _ => false,
    }
}

async fn sign_in(http: &reqwest::Client, url: &str) -> String {
    for _ in 0..100 {
        let answer = http
            .post(format!("{url}/api/login"))
            .json(&serde_json::json!({ "login": "campaign", "password": "campaign-pass" }))
            .send()
            .await;
        if let Ok(answer) = answer
            && answer.status().is_success()
        {
            let login: LoginResponse = answer.json().await.expect("a login answer");
            return login.token;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the campaign's agent cannot sign in");
}

/// The contacts' ids, by customer.
async fn contact_ids(http: &reqwest::Client, url: &str, token: &str, count: usize) -> Vec<i64> {
    let contacts: Vec<ContactSummary> = http
        .get(format!("{url}/api/contacts"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the contacts")
        .json()
        .await
        .expect("contacts as JSON");
    (0..count)
        .map(|contact| {
            contacts
                .iter()
                .find(|known| known.contact.phone == phone(contact))
                .unwrap_or_else(|| panic!("customer {contact} is a contact"))
                .contact
                .id
        })
        .collect()
}

/// Waits until the hub has handed every stored text to the provider.
async fn settle(database: &Database, hub: &HubProcess) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let unsent: i64 = query_one(
            database,
            "SELECT COUNT(*) FROM messages WHERE direction = 'outbound' AND status = 'queued' \
             AND provider_sid IS NULL",
        )
        .await;
        if unsent == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{unsent} texts still unsent after 3 minutes:\n{}",
            hub.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The last callbacks land.
    tokio::time::sleep(Duration::from_millis(800)).await;
}

#[allow(
    clippy::too_many_lines,
    reason = "one check after another, each spelled out"
)]
/// A stored message: direction, body, provider sid, status.
type StoredRow = (String, String, Option<String>, String);

async fn check(plan: &Plan, fake: &FakeTwilio, ledger: &Ledger, report: &mut Report) {
    let stored: Vec<StoredRow> = query_all(
        &plan.database,
        "SELECT direction, body, provider_sid, status FROM messages",
    )
    .await;
    // Inbound: each webhook stored once; each acknowledged one stored.
    let mut inbound_by_body: HashMap<&str, Vec<Option<&str>>> = HashMap::new();
    for (direction, body, sid, _) in &stored {
        if direction == "inbound" {
            inbound_by_body
                .entry(body.as_str())
                .or_default()
                .push(sid.as_deref());
        }
    }
    report.inbound_posted = ledger.inbound.len();
    report.inbound_acknowledged_first_time = ledger
        .inbound
        .iter()
        .filter(|inbound| inbound.acknowledged)
        .count();
    report.inbound_stored = inbound_by_body.len();
    for inbound in &ledger.inbound {
        match inbound_by_body
            .get(inbound.body.as_str())
            .map(Vec::as_slice)
        {
            Some([sid]) if *sid == Some(inbound.sid.as_str()) => {}
            Some([_]) => report
                .problems
                .push(format!("inbound {} stored under another sid", inbound.body)),
            Some(copies) => report.problems.push(format!(
                "inbound {} stored {} times",
                inbound.body,
                copies.len()
            )),
            None => report.problems.push(format!(
                "inbound {} acknowledged but not stored",
                inbound.body
            )),
        }
    }
    // Sends: stored once per key; at the provider once each, in order per contact.
    report.sends_requested = ledger.sends.len();
    report.sends_acknowledged_first_time = ledger
        .sends
        .iter()
        .filter(|send| send.acknowledged_first_time)
        .count();
    let accepted = fake.accepted();
    report.sends_at_provider = accepted.len();
    let mut at_provider: HashMap<&str, usize> = HashMap::new();
    let mut order: HashMap<String, Vec<u64>> = HashMap::new();
    for request in &accepted {
        let body = request.field("Body").unwrap_or_default();
        *at_provider.entry(body).or_default() += 1;
        let to = request.field("To").unwrap_or_default().to_owned();
        let number = body
            .rsplit(' ')
            .next()
            .and_then(|number| number.parse().ok())
            .unwrap_or(0);
        order.entry(to).or_default().push(number);
    }
    let held_back: Vec<&str> = stored
        .iter()
        .filter(|(direction, _, sid, status)| {
            direction == "outbound" && status == "failed" && sid.is_none()
        })
        .map(|(_, body, _, _)| body.as_str())
        .collect();
    report.sends_held_back = held_back.len();
    for send in &ledger.sends {
        let copies = stored
            .iter()
            .filter(|(direction, body, ..)| direction == "outbound" && *body == send.body)
            .count();
        if copies != 1 {
            report
                .problems
                .push(format!("send {:?} stored {copies} times", send.body));
        }
        match at_provider.get(send.body.as_str()).copied().unwrap_or(0) {
            1 => {}
            0 if held_back.contains(&send.body.as_str()) => report.problems.push(format!(
                "send {:?} held back as failed rather than risk a duplicate",
                send.body
            )),
            0 => report
                .problems
                .push(format!("send {:?} acknowledged but never sent", send.body)),
            times => report.problems.push(format!(
                "send {:?} reached the provider {times} times",
                send.body
            )),
        }
    }
    for body in at_provider.keys() {
        if !ledger.sends.iter().any(|send| send.body == *body) {
            report
                .problems
                .push(format!("the provider got {body:?}, which nobody sent"));
        }
    }
    for (to, numbers) in &order {
        if numbers.windows(2).any(|pair| pair[0] >= pair[1]) {
            report
                .problems
                .push(format!("texts to {to} left out of order: {numbers:?}"));
        }
    }
    // Events: numbered 1, 2, 3, … with no gap.
    let seqs: Vec<(i64,)> = query_all(&plan.database, "SELECT seq FROM events ORDER BY seq").await;
    report.events = seqs.len();
    for (index, (seq,)) in seqs.iter().enumerate() {
        if *seq != i64::try_from(index).unwrap_or(i64::MAX) + 1 {
            report
                .problems
                .push(format!("the event log has a gap before seq {seq}"));
            break;
        }
    }
    report.injected = fake.injected();
    report.provider_refusals = fake.rejected_requests();
    report.queue_overflows = fake.queue_overflows();
    if report.queue_overflows > 0 {
        report.problems.push(format!(
            "the provider refused {} texts with 21611 (the number's queue overflowed)",
            report.queue_overflows
        ));
    }
}

/// `PRAGMA integrity_check` on the SQLite file (the hub is down).
async fn integrity(path: &std::path::Path) -> String {
    let mut connection = sqlx::SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new().filename(path),
    )
    .await
    .expect("the database opens");
    let verdicts: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut connection)
        .await
        .expect("integrity_check runs");
    verdicts
        .into_iter()
        .map(|(verdict,)| verdict)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The first column of the first row of a read, on either engine (0 when none).
pub async fn query_one(database: &Database, sql: &'static str) -> i64 {
    let rows: Vec<(i64,)> = query_all(database, sql).await;
    rows.first().map_or(0, |(value,)| *value)
}

/// Runs a read on either engine.
pub async fn query_all<T>(database: &Database, sql: &'static str) -> Vec<T>
where
    T: Send + Unpin,
    for<'r> T:
        sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    match database {
        Database::Sqlite(path) => {
            let mut connection = sqlx::SqliteConnection::connect_with(
                &sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .read_only(true),
            )
            .await
            .expect("the database opens");
            sqlx::query_as(sql)
                .fetch_all(&mut connection)
                .await
                .expect("the query runs")
        }
        Database::Postgres(url) => {
            let mut connection = sqlx::PgConnection::connect(url)
                .await
                .expect("the database opens");
            sqlx::query_as(sql)
                .fetch_all(&mut connection)
                .await
                .expect("the query runs")
        }
    }
}
