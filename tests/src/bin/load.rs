//! `parley-load`: drives a running hub as a busy contact center would, from a process of
//! its own, and prints what it measured.
//!
//! - `webhooks`: signed inbound webhooks in Twilio's wire format from many customers, as
//!   fast as the hub takes them (or at `--rate`), each counted when the hub answered 200.
//! - `healthz`: `GET /healthz` the same way: the cost of HTTP on loopback alone.
//! - `agents`: signs in agents over the real API (Ready, their event streams open): each
//!   accepts what it is offered and answers each text in its chats, while customers text
//!   in at `--rate`. Prints how long a text took from its webhook to the agent's stream,
//!   and the agents' accept and reply round trips.
//!
//! Every request is built and signed before the clock starts. The last line printed is
//! the figures as one JSON object, for a benchmark to read.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "parley-load",
    about = "Drives a running Parley hub and prints figures"
)]
struct Cli {
    /// The hub's address.
    #[arg(long, default_value = "http://127.0.0.1:8080", global = true)]
    hub: String,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64, global = true)]
    concurrency: usize,
    /// How many requests.
    #[arg(long, default_value_t = 20_000, global = true)]
    count: usize,
    /// Requests a second (0: as fast as the hub answers).
    #[arg(long, default_value_t = 0.0, global = true)]
    rate: f64,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Signed inbound webhooks.
    Webhooks {
        /// The Twilio Auth Token the hub checks signatures with.
        #[arg(long, env = "PARLEY_TWILIO_AUTH_TOKEN")]
        auth_token: String,
        /// The address the hub's webhooks are signed for (its `public_url`), when not `--hub`.
        #[arg(long)]
        public_url: Option<String>,
        /// How many customers text in (each a contact).
        #[arg(long, default_value_t = 1_000)]
        senders: usize,
        /// The first digits of the customers' numbers, so two runs can text as others.
        #[arg(long, default_value = "+1555")]
        prefix: String,
        /// Names the messages of this run (`MessageSid`s must differ between runs).
        #[arg(long, default_value = "run")]
        run: String,
        /// The hub's number the customers text.
        #[arg(long, default_value = "+15550100000")]
        to: String,
        /// The account the webhooks come from.
        #[arg(long, default_value = "AC00000000000000000000000000000000")]
        account_sid: String,
    },
    /// `GET /healthz`.
    Healthz,
    /// Simulated agents over the WebSocket API while customers text in at `--rate`.
    Agents {
        /// The agents: logins `agent001`… as `parley-hub seed` makes them.
        #[arg(long, default_value_t = 50)]
        agents: usize,
        /// Their password.
        #[arg(long, env = "PARLEY_PASSWORD")]
        password: String,
        /// How long customers text in.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, env = "PARLEY_TWILIO_AUTH_TOKEN")]
        auth_token: String,
        #[arg(long)]
        public_url: Option<String>,
        #[arg(long, default_value = "+15550100000")]
        to: String,
        #[arg(long, default_value = "AC00000000000000000000000000000000")]
        account_sid: String,
        /// Names the messages of this run.
        #[arg(long, default_value = "agents")]
        run: String,
    },
}

struct Request {
    url: String,
    body: Option<(String, String)>,
}

async fn load(cli: Cli) -> std::process::ExitCode {
    let hub = cli.hub.trim_end_matches('/').to_owned();
    let (kind, requests) = match &cli.what {
        What::Webhooks {
            auth_token,
            public_url,
            senders,
            prefix,
            run,
            to,
            account_sid,
        } => {
            let signed_for = public_url.as_deref().unwrap_or(&hub).trim_end_matches('/');
            let path = "/webhooks/twilio/sms";
            let requests = (0..cli.count)
                .map(|index| {
                    let sid = format!("SM{:0>32}", format!("{run}{index:x}"));
                    let from = format!("{prefix}{:07}", index % (*senders).max(1));
                    let params = inbound_params(&sid, &from, to, account_sid, index);
                    let signature = parley_sms::signature::compute(
                        auth_token,
                        &format!("{signed_for}{path}"),
                        &params,
                    );
                    let form = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&params)
                        .finish();
                    Request {
                        url: format!("{hub}{path}"),
                        body: Some((form, signature)),
                    }
                })
                .collect::<Vec<_>>();
            ("webhooks", requests)
        }
        What::Agents { .. } => unreachable!("run by agents::shift"),
        What::Healthz => (
            "healthz",
            (0..cli.count)
                .map(|_| Request {
                    url: format!("{hub}/healthz"),
                    body: None,
                })
                .collect(),
        ),
    };
    let figures = drive(requests, cli.concurrency, cli.rate).await;
    report(kind, &figures)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let What::Agents {
        agents,
        password,
        seconds,
        auth_token,
        public_url,
        to,
        account_sid,
        run,
    } = &cli.what
    {
        let hub = cli.hub.trim_end_matches('/').to_owned();
        let shift = Shift {
            signed_for: public_url.clone().unwrap_or_else(|| hub.clone()),
            hub,
            agents: *agents,
            password: password.clone(),
            seconds: *seconds,
            rate: if cli.rate > 0.0 { cli.rate } else { 100.0 },
            auth_token: auth_token.clone(),
            to: to.clone(),
            account_sid: account_sid.clone(),
            run: run.clone(),
        };
        return agents::shift(shift).await;
    }
    load(cli).await
}

fn report(kind: &str, figures: &Figures) -> std::process::ExitCode {
    println!(
        "{kind}: {} of {} answered 200 in {:.2} s: {:.0}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} failed",
        figures.ok,
        figures.sent,
        figures.seconds,
        figures.per_second,
        figures.p50_ms,
        figures.p99_ms,
        figures.max_ms,
        figures.failed
    );
    println!(
        "{}",
        serde_json::json!({
            "kind": kind,
            "sent": figures.sent,
            "ok": figures.ok,
            "failed": figures.failed,
            "seconds": figures.seconds,
            "per_second": figures.per_second,
            "p50_ms": figures.p50_ms,
            "p99_ms": figures.p99_ms,
            "max_ms": figures.max_ms,
        })
    );
    if figures.failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        if let Some(first) = &figures.first_failure {
            eprintln!("first failure: {first}");
        }
        std::process::ExitCode::FAILURE
    }
}

#[path = "load/agents.rs"]
mod agents;

/// What `agents` is to do.
struct Shift {
    hub: String,
    signed_for: String,
    agents: usize,
    password: String,
    seconds: u64,
    rate: f64,
    auth_token: String,
    to: String,
    account_sid: String,
    run: String,
}

/// The fields Twilio posts for an SMS to a messaging number.
fn inbound_params(
    sid: &str,
    from: &str,
    to: &str,
    account_sid: &str,
    index: usize,
) -> Vec<(String, String)> {
    let body = format!("Load message {index}: is my order on its way?");
    inbound_fields(sid, from, to, account_sid, &body)
}

/// The fields of an inbound SMS with this text.
fn inbound_fields(
    sid: &str,
    from: &str,
    to: &str,
    account_sid: &str,
    body: &str,
) -> Vec<(String, String)> {
    [
        ("ToCountry", "US"),
        ("ToState", "CA"),
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("ToCity", ""),
        ("FromZip", ""),
        ("SmsSid", sid),
        ("FromState", "CA"),
        ("SmsStatus", "received"),
        ("FromCity", ""),
        ("Body", body),
        ("FromCountry", "US"),
        ("To", to),
        ("ToZip", ""),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", account_sid),
        ("From", from),
        ("ApiVersion", "2010-04-01"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

struct Figures {
    sent: usize,
    ok: usize,
    failed: usize,
    first_failure: Option<String>,
    seconds: f64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

async fn drive(requests: Vec<Request>, concurrency: usize, rate: f64) -> Figures {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (http, requests, next) = (http.clone(), requests.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = requests.get(index) else {
                    break;
                };
                if rate > 0.0 {
                    #[expect(clippy::cast_precision_loss, reason = "request counts")]
                    let due = started + Duration::from_secs_f64(index as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                }
                let sent = Instant::now();
                let call = match &request.body {
                    Some((form, signature)) => http
                        .post(&request.url)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Twilio-Signature", signature)
                        .body(form.clone()),
                    None => http.get(&request.url),
                };
                match call.send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed());
                    }
                    Ok(response) => failures.push(format!("HTTP {}", response.status())),
                    Err(error) => failures.push(error.to_string()),
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for worker in workers {
        let (mine, failed) = worker.await.expect("a worker");
        latencies.extend(mine);
        failures.extend(failed);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |fraction: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index into the sorted latencies"
        )]
        let index = ((latencies.len() as f64 * fraction).ceil() as usize).saturating_sub(1);
        latencies[index.min(latencies.len() - 1)].as_secs_f64() * 1_000.0
    };
    #[expect(clippy::cast_precision_loss, reason = "request counts")]
    let per_second = latencies.len() as f64 / seconds;
    Figures {
        sent: requests.len(),
        ok: latencies.len(),
        failed: failures.len(),
        first_failure: failures.into_iter().next(),
        seconds,
        per_second,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}
