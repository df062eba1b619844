//! What the hub counts for Prometheus (`GET /metrics`), through the `metrics` facade.
//!
//! Counters and histograms are recorded where things happen; the figures that are states
//! rather than events (the queue, agents by status) are read from the store when scraped.
//! The recorder is process-wide: several hubs in one process (tests) share it.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use parley_sms::ProviderError;

use crate::store::{ServiceFigures, Store};

/// Inbound webhooks and status callbacks taken, by `kind`.
pub const WEBHOOKS_RECEIVED: &str = "parley_webhooks_received_total";
/// Webhooks answered with an error, by `kind` and `reason`.
pub const WEBHOOKS_REFUSED: &str = "parley_webhooks_refused_total";
/// Answers of the provider to sends, by `outcome` and (for refusals) `error_code`.
pub const SENDS: &str = "parley_sends_total";
/// How long the provider took to answer a send.
pub const SEND_SECONDS: &str = "parley_send_duration_seconds";
/// Conversations waiting for a Ready agent.
pub const QUEUE_LENGTH: &str = "parley_queue_length";
/// How long the oldest queued conversation has waited.
pub const QUEUE_OLDEST_WAIT: &str = "parley_queue_oldest_wait_seconds";
/// Enabled accounts by `status` (ready, notReady).
pub const AGENTS: &str = "parley_agents";
/// Open event streams, by `transport` (websocket, sse).
pub const CONNECTED_CLIENTS: &str = "parley_connected_clients";
/// Fetches of customers' pictures from the provider, by `outcome`.
pub const MEDIA_FETCHES: &str = "parley_media_fetches_total";
/// How long database commits take.
pub const COMMIT_SECONDS: &str = "parley_db_commit_duration_seconds";

const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics stays empty");
        }
        describe();
        // The series a dashboard expects are there from the start, at zero.
        for kind in ["inbound", "status"] {
            counter!(WEBHOOKS_RECEIVED, "kind" => kind).absolute(0);
        }
        gauge!(CONNECTED_CLIENTS, "transport" => "websocket").set(0.0);
        handle
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(WEBHOOKS_RECEIVED, "Webhooks taken from the SMS provider.");
    describe_counter!(WEBHOOKS_REFUSED, "Webhooks refused or not stored.");
    describe_counter!(SENDS, "Sends to the SMS provider by the provider's answer.");
    describe_histogram!(
        SEND_SECONDS,
        Unit::Seconds,
        "Time the provider took to answer a send."
    );
    describe_gauge!(QUEUE_LENGTH, "Conversations waiting for a Ready agent.");
    describe_gauge!(
        QUEUE_OLDEST_WAIT,
        Unit::Seconds,
        "Wait of the oldest queued conversation."
    );
    describe_gauge!(AGENTS, "Enabled accounts by status.");
    describe_gauge!(
        CONNECTED_CLIENTS,
        "Open event streams of desktops and browsers."
    );
    describe_counter!(
        MEDIA_FETCHES,
        "Fetches of customers' pictures from the provider."
    );
    describe_histogram!(COMMIT_SECONDS, Unit::Seconds, "Time database commits take.");
}

/// Installs the recorder, so the first events are counted.
pub fn install() {
    handle();
}

/// The Prometheus text for a scrape: the figures read from `store` now, and the rest.
///
/// # Errors
/// When the store cannot be read.
pub async fn render(store: &Store) -> crate::store::Result<String> {
    let figures = store.service_figures().await?;
    record_state(&figures, store.now());
    let handle = handle();
    handle.run_upkeep();
    Ok(handle.render())
}

fn record_state(figures: &ServiceFigures, now: i64) {
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    gauge!(QUEUE_LENGTH).set(figures.queued as f64);
    let waited = figures
        .oldest_queued_at
        .map_or(0.0, |at| millis_to_seconds(now - at));
    gauge!(QUEUE_OLDEST_WAIT).set(waited);
    for status in ["ready", "notReady"] {
        let count = figures
            .agents_by_status
            .iter()
            .find(|(name, _)| name == status)
            .map_or(0, |(_, count)| *count);
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        gauge!(AGENTS, "status" => status).set(count as f64);
    }
}

#[expect(clippy::cast_precision_loss, reason = "durations far below 2^52 ms")]
fn millis_to_seconds(millis: i64) -> f64 {
    millis.max(0) as f64 / 1000.0
}

/// A webhook taken (`kind`: inbound, status).
pub fn webhook_received(kind: &'static str) {
    counter!(WEBHOOKS_RECEIVED, "kind" => kind).increment(1);
}

/// A webhook refused (`reason`: signature, not_configured, malformed, not_stored).
pub fn webhook_refused(kind: &'static str, reason: &'static str) {
    counter!(WEBHOOKS_REFUSED, "kind" => kind, "reason" => reason).increment(1);
}

/// The provider's answer to a send, and how long it took.
pub fn send_answered<T>(answer: &Result<T, ProviderError>, took: Duration) {
    histogram!(SEND_SECONDS).record(took.as_secs_f64());
    let (outcome, code) = match answer {
        Ok(_) => ("accepted", None),
        Err(ProviderError::RateLimited { .. }) => ("rate_limited", None),
        Err(ProviderError::Unreachable(_)) => ("unreachable", None),
        Err(ProviderError::Ambiguous(_)) => ("ambiguous", None),
        Err(ProviderError::Rejected { code, .. }) => ("rejected", Some(*code)),
        Err(_) => ("error", None),
    };
    let code = code.map_or_else(String::new, |code| code.to_string());
    counter!(SENDS, "outcome" => outcome, "error_code" => code).increment(1);
}

/// A stream opened; the guard counts it closed when dropped.
pub fn client_connected(transport: &'static str) -> ClientGuard {
    gauge!(CONNECTED_CLIENTS, "transport" => transport).increment(1.0);
    ClientGuard(transport)
}

/// Counts an open stream until dropped.
pub struct ClientGuard(&'static str);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        gauge!(CONNECTED_CLIENTS, "transport" => self.0).decrement(1.0);
    }
}

/// A picture fetch ended (`outcome`: stored, issue, retry, failed).
pub fn media_fetched(outcome: &'static str) {
    counter!(MEDIA_FETCHES, "outcome" => outcome).increment(1);
}

/// A database commit and how long it took.
pub fn committed(took: Duration) {
    histogram!(COMMIT_SECONDS).record(took.as_secs_f64());
}
