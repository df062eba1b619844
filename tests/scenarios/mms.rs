//! An MMS with pictures, good and broken, through the Twilio wire format: the hub fetches
//! each file with the account's credentials (following the redirect to the file store,
//! waiting out a 404 while the file is not there yet), checks it, stores it by digest with
//! a thumbnail, and turns every broken one into an attachment issue. The message itself is
//! stored and routed whatever happens to its pictures, and the desktop shows them.

use parley_proto::{MediaIssue, MediaState, Message};
use parley_scenarios::fake_twilio::FakeTwilio;
use parley_scenarios::{add_agent, desktop, eventually, init_logging, start_hub_with};
use sha2::{Digest as _, Sha256};

const CUSTOMER: &str = "+12015550161";

fn sample(name: &str) -> (String, Vec<u8>) {
    let (content_type, bytes) =
        parley_hub::pictures::sample(name).unwrap_or_else(|| panic!("{name} is a sample"));
    (content_type.to_owned(), bytes)
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Waits until no picture of the contact's messages is pending.
async fn settled(hub: &parley_hub::RunningHub, contact_id: i64) -> Vec<Message> {
    eventually("every picture to be fetched or given up", || async {
        let messages = hub.store.list_messages(contact_id).await.ok()?;
        messages
            .iter()
            .flat_map(|message| &message.media)
            .all(|media| media.state != MediaState::Pending)
            .then_some(messages)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pictures_are_fetched_checked_and_broken_ones_become_attachment_issues() {
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |config| {
        config.media.not_found_retry_ms = 3_000;
    })
    .await;
    add_agent(&hub, "mia", "pass-mia-1", true).await;

    // Five good pictures, one of which the file store only has after two tries.
    let good: Vec<(String, Vec<u8>)> = ["photo.jpg", "logo.png", "animation.gif", "sticker.webp"]
        .into_iter()
        .map(sample)
        .collect();
    let (late_type, late_bytes) = sample("photo.jpg");
    let mut urls: Vec<(String, String)> = good
        .iter()
        .map(|(kind, bytes)| (fake.host_media(kind, bytes.clone(), 0), kind.clone()))
        .collect();
    urls.push((
        fake.host_media(&late_type, late_bytes, 2),
        late_type.clone(),
    ));
    let (status, _) = fake
        .mms_in(
            &hub.base_url(),
            "MM00000000000000000000000000000a01",
            CUSTOMER,
            "my receipt",
            &urls,
        )
        .await;
    assert_eq!(status, 200, "the MMS is taken");

    // Six broken ones: damaged, cut short, a decompression bomb, not a picture, too big,
    // and one the provider never hands over.
    let broken = [
        ("corrupt.jpg", MediaIssue::Corrupt),
        ("truncated.png", MediaIssue::Corrupt),
        ("bomb.png", MediaIssue::TooLarge),
        ("document.pdf", MediaIssue::UnsupportedType),
        ("huge.jpg", MediaIssue::TooLarge),
    ];
    let mut broken_urls: Vec<(String, String)> = broken
        .iter()
        .map(|(name, _)| {
            let (kind, bytes) = sample(name);
            (fake.host_media(&kind, bytes, 0), kind)
        })
        .collect();
    broken_urls.push((
        fake.host_media("image/jpeg", Vec::new(), u32::MAX),
        "image/jpeg".into(),
    ));
    let (status, _) = fake
        .mms_in(
            &hub.base_url(),
            "MM00000000000000000000000000000a02",
            CUSTOMER,
            "",
            &broken_urls,
        )
        .await;
    assert_eq!(status, 200, "an MMS with only broken pictures is taken too");

    let contact_id = hub.store.list_contacts(0).await.expect("contacts")[0]
        .contact
        .id;
    let interactions = hub
        .store
        .contact_interactions(contact_id)
        .await
        .expect("interactions");
    assert_eq!(
        interactions.len(),
        1,
        "the MMS was routed as a chat at once"
    );

    let messages = settled(&hub, contact_id).await;
    assert_eq!(messages.len(), 2, "both messages are stored: {messages:?}");
    let first = &messages[0].media;
    assert_eq!(first.len(), 5);
    for (media, (kind, bytes)) in first.iter().zip(good.iter().chain([&sample("photo.jpg")])) {
        assert_eq!(media.state, MediaState::Ready, "{media:?}");
        assert_eq!(&media.content_type, kind);
        assert_eq!(
            media.digest.as_deref(),
            Some(hex(bytes).as_str()),
            "stored by its digest"
        );
        assert_eq!(media.size, Some(u32::try_from(bytes.len()).expect("small")));
    }
    assert_eq!((first[0].width, first[0].height), (Some(1200), Some(900)));
    assert_eq!((first[1].width, first[1].height), (Some(256), Some(256)));
    assert_eq!(
        fake.unauthorized_media_requests(),
        0,
        "every fetch carried the credentials"
    );

    let second = &messages[1].media;
    let issues: Vec<Option<MediaIssue>> = second.iter().map(|media| media.issue).collect();
    let mut expected: Vec<Option<MediaIssue>> =
        broken.iter().map(|(_, issue)| Some(*issue)).collect();
    expected.push(Some(MediaIssue::FetchFailed));
    assert_eq!(issues, expected, "each broken file has its reason");
    assert!(second.iter().all(|media| media.state == MediaState::Issue));

    // Served to signed-in agents: the thumbnail is a small picture, the file is the file.
    let api = reqwest::Client::new();
    let login: serde_json::Value = api
        .post(format!("{}/api/login", hub.base_url()))
        .json(&serde_json::json!({ "login": "mia", "password": "pass-mia-1" }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("a token");
    let token = login["token"].as_str().expect("a token").to_owned();
    let photo = &first[0];
    let thumbnail = api
        .get(format!(
            "{}/api/media/{}/thumbnail",
            hub.base_url(),
            photo.id
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("thumbnail");
    assert_eq!(thumbnail.status(), 200);
    assert_eq!(
        thumbnail.headers()["x-content-type-options"],
        "nosniff",
        "the browser must not guess the type"
    );
    let small =
        image::load_from_memory(&thumbnail.bytes().await.expect("bytes")).expect("a picture");
    assert!(
        small.width() <= 320 && small.height() <= 320,
        "{}x{}",
        small.width(),
        small.height()
    );
    assert_eq!(small.width(), 320, "the long side is the thumbnail size");
    let full = api
        .get(format!("{}/api/media/{}", hub.base_url(), photo.id))
        .bearer_auth(&token)
        .send()
        .await
        .expect("file");
    assert_eq!(
        hex(&full.bytes().await.expect("bytes")),
        photo.digest.clone().expect("digest")
    );
    let anonymous = api
        .get(format!("{}/api/media/{}", hub.base_url(), photo.id))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        anonymous.status(),
        401,
        "pictures are for signed-in agents only"
    );
    let download = api
        .get(format!(
            "{}/api/media/{}?download=1",
            hub.base_url(),
            photo.id
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer");
    assert_eq!(
        download.status(),
        403,
        "saving needs the save-media permission"
    );
    let issue = api
        .get(format!("{}/api/media/{}", hub.base_url(), second[0].id))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer");
    assert_eq!(issue.status(), 404, "a broken file is never served");

    // The desktop gets the pictures with the messages and keeps a checked copy.
    let data = tempfile::tempdir().expect("a temp folder");
    let (client, _sink) = desktop(data.path());
    client
        .login(&hub.base_url(), "mia", "pass-mia-1")
        .await
        .expect("mia signs in on the desktop");
    let replica_messages = eventually("the desktop to have the pictures", || async {
        let messages = client.list_messages(contact_id).await.ok()?;
        (messages.len() == 2
            && messages
                .iter()
                .flat_map(|message| &message.media)
                .all(|media| media.state != MediaState::Pending))
        .then_some(messages)
    })
    .await;
    assert_eq!(
        replica_messages[0].media, messages[0].media,
        "the desktop sees the same pictures"
    );
    assert_eq!(replica_messages[1].media, messages[1].media);
    let kept = client
        .media_file(photo.id, false)
        .await
        .expect("the photo is kept");
    assert_eq!(
        hex(&std::fs::read(&kept).expect("readable")),
        photo.digest.clone().expect("digest")
    );
    assert!(
        kept.starts_with(data.path()),
        "kept in the app's own folder"
    );
    let thumb = client
        .media_file(photo.id, true)
        .await
        .expect("the thumbnail is kept");
    assert!(image::load_from_memory(&std::fs::read(thumb).expect("readable")).is_ok());
    let refused = client.media_to_save(photo.id).await;
    assert!(refused.is_err(), "no Save without the permission");
    let refused = client.media_to_open(photo.id).await;
    assert!(
        refused.is_err(),
        "no Open in another app without the permission: it could copy the file anywhere"
    );
    assert!(
        client.media_file(second[0].id, false).await.is_err(),
        "nothing to keep for an issue"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pictures_go_out_at_unguessable_urls_within_twilio_limits() {
    use parley_client::hub_api::{HubApi, HubError};
    use parley_proto::{ErrorCode, SendMessageRequest};
    init_logging();
    let folder = tempfile::tempdir().expect("a temp folder");
    let fake = FakeTwilio::start().await;
    let hub = start_hub_with(&fake, &folder.path().join("hub.db"), |_| {}).await;
    add_agent(&hub, "oli", "pass-oli-1", true).await;
    add_agent(&hub, "pat", "pass-pat-1", true).await;
    let api = HubApi::new(&hub.base_url()).expect("a client");
    let oli = api.with_token(api.login("oli", "pass-oli-1").await.expect("oli").token);
    let pat = api.with_token(api.login("pat", "pass-pat-1").await.expect("pat").token);
    fake.text_in(
        &hub.base_url(),
        "SM000000000000000000000000000000p1",
        CUSTOMER,
        "send me a picture",
    )
    .await;
    let contact_id = hub.store.list_contacts(0).await.expect("contacts")[0]
        .contact
        .id;
    let code = |error: HubError| match error {
        HubError::Refused { error, .. } => (error.code, error.message),
        HubError::Offline(reason) => panic!("hub not reached: {reason}"),
    };

    // What cannot be sent is refused with its reason.
    for (name, reason) in [
        ("document.pdf", "not a picture format"),
        ("bomb.png", "too large"),
        ("corrupt.jpg", "damaged"),
        ("huge.jpg", "at most 5 MB"),
    ] {
        let (kind, bytes) = sample(name);
        let (code, message) = code(oli.upload(&kind, bytes).await.expect_err(name));
        assert_eq!(code, ErrorCode::BadRequest, "{name}");
        assert!(message.contains(reason), "{name}: {message}");
    }

    let (kind, photo) = sample("photo.jpg");
    let (logo_kind, logo) = sample("logo.png");
    let first = oli.upload(&kind, photo.clone()).await.expect("a photo");
    assert_eq!((first.width, first.height), (1200, 900));
    let second = oli
        .upload("application/octet-stream", logo.clone())
        .await
        .expect("a logo");
    assert_eq!(
        second.content_type, logo_kind,
        "the bytes decide the type, not the header"
    );

    // Someone else's picture cannot be sent, and more than ten are refused.
    let send = |client_key: &str, upload_ids: Vec<i64>| SendMessageRequest {
        contact_id,
        interaction_id: None,
        body: String::new(),
        client_key: client_key.to_owned(),
        upload_ids,
    };
    let (code_of_theft, _) = code(
        pat.send_message(&send("pat-1", vec![first.id]))
            .await
            .expect_err("not pat's"),
    );
    assert_eq!(code_of_theft, ErrorCode::BadRequest);
    let (too_many, message) = code(
        oli.send_message(&send("oli-0", vec![first.id; 11]))
            .await
            .expect_err("11"),
    );
    assert_eq!(too_many, ErrorCode::BadRequest);
    assert!(message.contains("at most 10"), "{message}");

    let sent = oli
        .send_message(&send("oli-1", vec![first.id, second.id]))
        .await
        .expect("two pictures without text");
    assert_eq!(sent.media.len(), 2, "the transcript shows them at once");
    let request = eventually("the provider to get the MMS", || async {
        fake.accepted().into_iter().next()
    })
    .await;
    let urls: Vec<String> = request
        .form
        .iter()
        .filter(|(name, _)| name == "MediaUrl")
        .map(|(_, value)| value.clone())
        .collect();
    assert_eq!(
        urls.len(),
        2,
        "one MediaUrl per picture: {:?}",
        request.form
    );
    let http = reqwest::Client::new();
    for (url, bytes) in urls.iter().zip([&photo, &logo]) {
        assert!(
            url.starts_with(&format!("{}/media/", hub.base_url())),
            "{url}"
        );
        let token = url.rsplit('/').next().expect("a token");
        assert_eq!(token.len(), 48, "192 random bits");
        let fetched = http.get(url).send().await.expect("the provider fetches it");
        assert_eq!(fetched.status(), 200);
        assert_eq!(
            &fetched.bytes().await.expect("bytes").to_vec(),
            bytes,
            "exactly the file"
        );
    }
    let guessed = http
        .get(format!("{}/media/{}", hub.base_url(), "0".repeat(48)))
        .send()
        .await
        .expect("answer");
    assert_eq!(guessed.status(), 404);
    // A picture uploaded and never sent is forgotten after a while; sent ones stay.
    let (sticker_kind, sticker) = sample("sticker.webp");
    let unsent = oli
        .upload(&sticker_kind, sticker.clone())
        .await
        .expect("a sticker");
    let orphans = hub
        .store
        .forget_unsent_uploads(i64::MAX)
        .await
        .expect("the sweep");
    assert_eq!(
        orphans,
        [hex(&sticker)],
        "only the unsent picture's file can go"
    );
    let (gone, _) = code(
        oli.send_message(&send("oli-3", vec![unsent.id]))
            .await
            .expect_err("forgotten"),
    );
    assert_eq!(gone, ErrorCode::BadRequest);
    let still = http
        .get(&urls[0])
        .send()
        .await
        .expect("the provider fetches it");
    assert_eq!(still.status(), 200, "a sent picture stays");

    // A picture is sent once: using it again is refused.
    let (reused, _) = code(
        oli.send_message(&send("oli-2", vec![first.id]))
            .await
            .expect_err("sent already"),
    );
    assert_eq!(reused, ErrorCode::BadRequest);
}
