//! Throughput figures, printed (never asserted), each with a baseline run in the same
//! process so the ratio means something on any machine:
//! - signed inbound webhooks stored and routed per second, against `GET /healthz` round
//!   trips (the cost of HTTP on loopback alone);
//! - a desktop's first sign-in (snapshot fetched and applied, stream connected), against
//!   the hub handing out the snapshot alone (`GET /api/sync/snapshot`);
//! - inbound pictures checked and thumbnailed per second, against decoding them alone.
//!
//! Run with `make bench` (a release build).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use parley_scenarios::{FakeTwilio, add_agent, desktop, eventually, start_hub};

const WEBHOOKS: usize = 400;
const HEALTH_CHECKS: usize = 2000;
const PICTURES: usize = 20;

fn per_second(count: usize, elapsed: Duration) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let count = count as f64;
    count / elapsed.as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub(
        &fake,
        &folder.path().join("hub.db"),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await;
    add_agent(&hub, "bench", "bench-pass", true).await;
    let http = reqwest::Client::new();

    let started = Instant::now();
    for _ in 0..HEALTH_CHECKS {
        let response = http
            .get(format!("{}/healthz", hub.base_url()))
            .send()
            .await
            .expect("healthz");
        assert!(response.status().is_success());
    }
    let health_rate = per_second(HEALTH_CHECKS, started.elapsed());

    let started = Instant::now();
    for index in 0..WEBHOOKS {
        let sid = format!("SM{index:032x}");
        let from = format!("+1555{:07}", index % 50);
        let (status, _) = fake
            .text_in(&hub.base_url(), &sid, &from, "benchmark message")
            .await;
        assert_eq!(status, 200);
    }
    let webhook_rate = per_second(WEBHOOKS, started.elapsed());

    println!("loopback GET /healthz:            {health_rate:>9.0} req/s  (baseline)");
    println!(
        "signed inbound webhook, stored:   {webhook_rate:>9.0} msg/s  ({:.2}x the baseline's cost per request)",
        health_rate / webhook_rate
    );

    // The desktop's first sign-in: the hub's snapshot for the agent (fetched alone, the
    // baseline), then the whole sign-in — snapshot fetched and applied to the replica, and
    // the stream connected.
    let api = parley_client::hub_api::HubApi::new(&hub.base_url()).expect("a client");
    let token = api.login("bench", "bench-pass").await.expect("login").token;
    let api = api.with_token(token);
    let started = Instant::now();
    let snapshot = api.snapshot().await.expect("a snapshot");
    let fetched = started.elapsed();

    let (client, sink) = desktop(&folder.path().join("desktop"));
    let started = Instant::now();
    client
        .login(&hub.base_url(), "bench", "bench-pass")
        .await
        .expect("login");
    eventually("the desktop to be online", || async {
        (sink.connection() == Some(parley_proto::ConnectionState::Online)).then_some(())
    })
    .await;
    let signed_in = started.elapsed();
    println!(
        "hub GET /api/sync/snapshot:       {:>9.1} ms  (baseline: {} contacts, {} messages)",
        fetched.as_secs_f64() * 1000.0,
        snapshot.contacts.len(),
        snapshot.messages.len()
    );
    println!(
        "desktop first sign-in to online:  {:>9.1} ms  ({:.2}x the baseline)",
        signed_in.as_secs_f64() * 1000.0,
        signed_in.as_secs_f64() / fetched.as_secs_f64()
    );
    hub.stop().await;

    // Pictures: the whole check of an inbound photo (type from its bytes, size from its
    // header, capped decode, thumbnail, digest) against decoding it alone.
    let (_, photo) = parley_hub::pictures::sample("photo.jpg").expect("the sample photo");
    let limits = parley_hub::pictures::Limits {
        max_bytes: 5 * 1024 * 1024,
        max_pixels: 40_000_000,
        thumbnail_size: 320,
    };
    let started = Instant::now();
    for _ in 0..PICTURES {
        image::load_from_memory(&photo).expect("the photo decodes");
    }
    let decode_rate = per_second(PICTURES, started.elapsed());
    let started = Instant::now();
    for _ in 0..PICTURES {
        parley_hub::pictures::process(&photo, "image/jpeg", limits).expect("the photo passes");
    }
    let process_rate = per_second(PICTURES, started.elapsed());
    println!("decode a 1200x900 JPEG:           {decode_rate:>9.1} pictures/s  (baseline)");
    println!(
        "check + thumbnail + digest:       {process_rate:>9.1} pictures/s  ({:.2}x the baseline's cost)",
        decode_rate / process_rate
    );
}
