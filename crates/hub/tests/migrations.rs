//! Data-changing migrations, one test each.

use parley_hub::config::Database;
use parley_hub::{Inbound, Store};
use sqlx::sqlite::SqlitePoolOptions;

/// 0003 indexes the messages that existed before it: a hub upgraded from 0002 finds its
/// old messages by text.
#[tokio::test]
async fn search_migration_indexes_existing_messages() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let path = folder.path().join("hub.db");
    let store = Store::open(&Database::Sqlite(path.clone()))
        .await
        .expect("a store");
    store
        .receive_inbound(&Inbound {
            provider_sid: "SM1",
            from: "+12015550151",
            to: "+12015550100",
            body: "an old parcel question",
            media: &[],
        })
        .await
        .expect("stored");
    // Back to the 0002 schema: no index at all.
    let pool = SqlitePoolOptions::new()
        .connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("the same file");
    sqlx::raw_sql(
        "DROP TRIGGER messages_fts_insert; DROP TRIGGER messages_fts_delete; \
         DROP TRIGGER messages_fts_update; DROP TABLE messages_fts;",
    )
    .execute(&pool)
    .await
    .expect("back to 0002");
    sqlx::raw_sql(include_str!("../migrations/sqlite/0003_search.sql"))
        .execute(&pool)
        .await
        .expect("0003 runs");
    let hits = store.search("parcel").await.expect("search");
    assert_eq!(
        hits.len(),
        1,
        "the message stored before 0003 is found: {hits:?}"
    );
    assert_eq!(
        hits[0].message.as_ref().map(|m| m.body.as_str()),
        Some("an old parcel question")
    );
}

/// `/readyz` counts on this: a database a migration short of this build is not ready.
#[tokio::test]
async fn a_database_short_of_a_migration_reports_it_pending() {
    use parley_hub::config::Database;
    for db in parley_hub::testing::TestDatabase::each().await {
        let store = parley_hub::Store::open(&db.database)
            .await
            .unwrap_or_else(|error| panic!("{}: opens: {error}", db.engine));
        assert_eq!(
            store.pending_migrations().await.expect("counted"),
            0,
            "{}",
            db.engine
        );
        let forget = "DELETE FROM _sqlx_migrations WHERE version = \
                      (SELECT MAX(version) FROM _sqlx_migrations)";
        match &db.database {
            Database::Sqlite(path) => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .expect("the file");
                sqlx::query(forget).execute(&pool).await.expect("forgotten");
                pool.close().await;
            }
            Database::Postgres(url) => {
                let pool = sqlx::PgPool::connect(url).await.expect("the database");
                sqlx::query(forget).execute(&pool).await.expect("forgotten");
                pool.close().await;
            }
        }
        assert_eq!(
            store.pending_migrations().await.expect("counted"),
            1,
            "{}",
            db.engine
        );
        store.close().await;
    }
}
