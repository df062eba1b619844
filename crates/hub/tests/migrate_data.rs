//! `parley-hub migrate-data`: a SQLite hub's data, pictures and event log copied into an
//! empty PostgreSQL database read back the same, and the target carries on numbering
//! where the source stopped. Skipped (with a note) without `PARLEY_TEST_POSTGRES_URL`.

use std::path::Path;

use parley_hub::testing::TestDatabase;
use parley_hub::{
    AgentSettings, Inbound, MediaOutcome, NewUpload, Outbound, Pictures, ReadyMedia, Store,
    StoreError,
};
use parley_proto::{Direction, MessageStatus, Role};

fn digest_of(byte: u8) -> String {
    format!("{byte:02x}").repeat(32)
}

/// Writes a picture file where the media folder keeps it.
fn put_file(dir: &Path, digest: &str, thumbnail: bool, bytes: &[u8]) {
    let folder = dir.join(&digest[..2]);
    std::fs::create_dir_all(&folder).expect("the media folder");
    let name = if thumbnail {
        format!("{digest}.thumb")
    } else {
        digest.to_owned()
    };
    std::fs::write(folder.join(name), bytes).expect("a picture file");
}

/// A SQLite hub with a little of everything: history, a picture in, a picture out, a
/// retried text, a session, a read marker, the simulated carrier's outbox.
async fn busy_sqlite_hub(db: &TestDatabase, media: &Path) -> Store {
    let store = Store::open(&db.database).await.expect("the source opens");
    let ana = store
        .create_agent(
            "ana",
            "Ana Ortiz",
            "hash",
            AgentSettings {
                role: Role::Agent,
                auto_answer: true,
                max_chats: 3,
                permissions: Some(parley_proto::Permissions::ALL),
            },
        )
        .await
        .expect("agent");
    let now = store.now();
    store
        .import_conversation(
            "+12015550401",
            "Maria Lopez",
            ana.id,
            "+12015550100",
            &[
                (Direction::Inbound, "Where is my parcel?", now - 60_000),
                (Direction::Outbound, "On its way!", now - 30_000),
            ],
        )
        .await
        .expect("history");
    let files = vec![(
        "https://api.twilio.com/Media/ME1".to_owned(),
        "image/jpeg".to_owned(),
    )];
    store
        .receive_inbound(&Inbound {
            provider_sid: "SMmigrate1",
            from: "+12015550402",
            to: "+12015550100",
            body: "A photo of the box",
            media: &files,
        })
        .await
        .expect("inbound");
    let job = store.due_media().await.expect("jobs").remove(0);
    let photo = digest_of(0xa1);
    store
        .finish_media(
            &job,
            &MediaOutcome::Ready(ReadyMedia {
                content_type: "image/jpeg".into(),
                size: 5,
                width: 2,
                height: 2,
                digest: photo.clone(),
                thumbnail_type: "image/jpeg".into(),
            }),
        )
        .await
        .expect("picture stored");
    put_file(media, &photo, false, b"photo");
    put_file(media, &photo, true, b"thumb");
    store
        .set_agent_status(ana.id, parley_proto::AgentStatus::Ready, None)
        .await
        .expect("Ready");
    store.route_queued().await.expect("routed");
    let sent = digest_of(0xb2);
    put_file(media, &sent, false, b"sent picture");
    put_file(media, &sent, true, b"sent thumb");
    let upload = store
        .create_upload(
            &NewUpload {
                agent_id: ana.id,
                digest: &sent,
                content_type: "image/png",
                thumbnail_type: "image/png",
                size: 12,
                width: 3,
                height: 3,
                token: &"c3".repeat(24),
            },
            u64::MAX,
        )
        .await
        .expect("upload")
        .expect("within the quota");
    let contact = store.ensure_contact("+12015550402").await.expect("contact");
    let (message, _) = store
        .create_outbound(&Outbound {
            agent_id: ana.id,
            agent_name: "Ana",
            contact_id: contact.id,
            interaction_id: None,
            body: "Thanks, here is the label",
            client_key: "migrate-key",
            from_number: "+12015550100",
            upload_ids: &[upload],
        })
        .await
        .expect("outbound");
    store
        .apply_status(
            Some(message.id),
            "SMout1",
            MessageStatus::Undelivered,
            Some(30003),
        )
        .await
        .expect("status");
    store.retry(ana.id, message.id).await.expect("retry");
    store
        .create_session(ana.id, "token-hash", now + 3_600_000)
        .await
        .expect("session");
    store.mark_read(ana.id, contact.id).await.expect("read");
    store
        .sim_record("SMsim1", "+12015550402", "+12015550100", "hi")
        .await
        .expect("sim");
    store
}

#[tokio::test]
async fn a_sqlite_hub_moves_to_postgres_with_everything() {
    let Some(postgres) = TestDatabase::postgres().await else {
        eprintln!("note: PARLEY_TEST_POSTGRES_URL is not set; migrate-data needs PostgreSQL");
        return;
    };
    let sqlite = TestDatabase::sqlite();
    let media = sqlite.path("media");
    let source = busy_sqlite_hub(&sqlite, &media).await;
    let migrated = parley_hub::migrate_data(
        &sqlite.database,
        &postgres.database,
        &Pictures::Folder(media.clone()),
        &Pictures::Database,
        |_, _| {},
    )
    .await
    .expect("copied");
    assert!(
        migrated.missing.is_empty(),
        "every picture was there: {:?}",
        migrated.missing
    );
    assert_eq!(migrated.files, 4, "two pictures, each with its thumbnail");
    let rows = |table: &str| {
        migrated
            .copied
            .tables
            .iter()
            .find(|(name, _)| *name == table)
            .map_or(0, |(_, rows)| *rows)
    };
    assert_eq!(
        (rows("agents"), rows("contacts"), rows("messages")),
        (1, 2, 4)
    );
    assert_eq!(
        rows("events"),
        u64::try_from(source.head_seq().await.expect("head")).expect("positive")
    );

    let target = Store::open(&postgres.database)
        .await
        .expect("the target opens");
    assert_eq!(target.engine_name(), "postgres");
    assert_eq!(
        target.list_contacts(1).await.expect("contacts"),
        source.list_contacts(1).await.expect("contacts")
    );
    for contact in source.list_contacts(1).await.expect("contacts") {
        let id = contact.contact.id;
        assert_eq!(
            target.list_messages(id).await.expect("messages"),
            source.list_messages(id).await.expect("messages")
        );
        assert_eq!(
            target.contact_interactions(id).await.expect("history"),
            source.contact_interactions(id).await.expect("history")
        );
    }
    assert_eq!(
        target.events_since(0, 10_000).await.expect("log"),
        source.events_since(0, 10_000).await.expect("log")
    );
    assert_eq!(
        target.search("parcel").await.expect("search"),
        source.search("parcel").await.expect("search")
    );
    assert_eq!(
        target.read_markers(1).await.expect("markers"),
        source.read_markers(1).await.expect("markers")
    );
    assert_eq!(
        target.sim_outbox().await.expect("outbox"),
        source.sim_outbox().await.expect("outbox")
    );
    assert_eq!(
        target
            .session_agent("token-hash")
            .await
            .expect("session")
            .map(|agent| agent.login)
            .as_deref(),
        Some("ana")
    );
    assert_eq!(
        target
            .blob(&digest_of(0xa1), false)
            .await
            .expect("blob")
            .as_deref(),
        Some(&b"photo"[..])
    );
    assert_eq!(
        target
            .blob(&digest_of(0xb2), true)
            .await
            .expect("blob")
            .as_deref(),
        Some(&b"sent thumb"[..])
    );
    assert_eq!(
        target.known_sids("+12015550402", 0).await.expect("sids"),
        ["SMout1"],
        "the replaced attempt came along: its late callbacks still change nothing"
    );
    let pending = target.unsent_messages().await.expect("unsent");
    assert_eq!(pending.len(), 1, "the retried text is still to send");
    assert_eq!(pending[0].media_tokens, ["c3".repeat(24)]);

    // The target carries on where the source stopped: new ids, the next event number.
    let head = target.head_seq().await.expect("head");
    let outcome = target
        .receive_inbound(&Inbound {
            provider_sid: "SMafter",
            from: "+12015550403",
            to: "+12015550100",
            body: "new here",
            media: &[],
        })
        .await
        .expect("a new text after the move");
    assert!(matches!(outcome, parley_hub::InboundOutcome::Stored { .. }));
    let next = target.events_since(head, 10).await.expect("log");
    assert_eq!(
        next.first().map(|event| event.seq),
        Some(head + 1),
        "no gap, no reuse"
    );

    let again = parley_hub::migrate_data(
        &sqlite.database,
        &postgres.database,
        &Pictures::Folder(media),
        &Pictures::Database,
        |_, _| {},
    )
    .await;
    assert!(
        matches!(
            again,
            Err(parley_hub::MigrateDataError::Store {
                source: StoreError::NotEmpty { .. },
                ..
            })
        ),
        "a target with data is refused: {again:?}"
    );
}

#[tokio::test]
async fn the_command_copies_and_says_what_it_copied() {
    let Some(postgres) = TestDatabase::postgres().await else {
        eprintln!("note: PARLEY_TEST_POSTGRES_URL is not set; migrate-data needs PostgreSQL");
        return;
    };
    let sqlite = TestDatabase::sqlite();
    let media = sqlite.path("media");
    busy_sqlite_hub(&sqlite, &media).await.close().await;
    let parley_hub::config::Database::Sqlite(path) = &sqlite.database else {
        panic!("a SQLite test database");
    };
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_parley-hub"))
        .args([
            "migrate-data",
            "--from",
            &format!("sqlite://{}", path.display()),
            "--to",
            &postgres.database.to_string(),
        ])
        .env_remove("PARLEY_CONFIG")
        .output()
        .await
        .expect("the command runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("messages                   4 rows"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pictures                   4 files"),
        "{stdout}"
    );
    let refused = tokio::process::Command::new(env!("CARGO_BIN_EXE_parley-hub"))
        .args([
            "migrate-data",
            "--from",
            &format!("sqlite://{}", path.display()),
            "--to",
            &postgres.database.to_string(),
        ])
        .output()
        .await
        .expect("the command runs");
    assert!(
        !refused.status.success(),
        "a second copy into the same database is refused"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("the target database is not empty"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
