//! A webhook as the hub reads it: any bytes as a form body, any signature header, any URL.
//! Never a panic; a signature made for the exact fields always verifies, one for other
//! fields or another URL never does; the parsed webhook holds at most 10 pictures.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_sms::signature;
use parley_sms::twilio::{InboundWebhook, MAX_MEDIA, StatusWebhook};

const AUTH_TOKEN: &str = "12345678901234567890123456789012";

fuzz_target!(|input: &[u8]| {
    // The first line is the received signature and the URL's query, the rest the body.
    let (head, body) = match input.iter().position(|byte| *byte == b'\n') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => (&b""[..], input),
    };
    let head = String::from_utf8_lossy(head);
    let (received, query) = head.split_once(' ').unwrap_or((&head, ""));
    let url = format!("https://hub.example.com/webhooks/twilio/sms?{query}");
    let params: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();

    let _ = signature::verify(AUTH_TOKEN, &url, &params, received);
    let signed = signature::compute(AUTH_TOKEN, &url, &params);
    assert!(signature::verify(AUTH_TOKEN, &url, &params, &signed));
    let elsewhere = format!("{url}&x=1");
    assert!(!signature::verify(AUTH_TOKEN, &elsewhere, &params, &signed));
    let mut more = params.clone();
    more.push(("Extra".to_owned(), "1".to_owned()));
    assert!(!signature::verify(AUTH_TOKEN, &url, &more, &signed));

    if let Ok(webhook) = InboundWebhook::from_params(&params) {
        assert!(webhook.media.len() <= MAX_MEDIA as usize);
        let _ = parley_sms::normalize_e164(&webhook.from);
        let _ = parley_sms::opt_out_keyword(&webhook.body);
    }
    let _ = StatusWebhook::from_params(&params);
});
