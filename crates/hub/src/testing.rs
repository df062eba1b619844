//! Databases for tests, on each engine: a SQLite file in a temporary folder, always, and a
//! fresh PostgreSQL database when `PARLEY_TEST_POSTGRES_URL` names a server to create it on
//! (`scripts/postgres.sh start` starts one; `make test` and CI always do).

use std::path::PathBuf;

use sqlx::Connection as _;

use crate::config::Database;

/// The variable that names a PostgreSQL server for tests (a URL its user may create
/// databases with).
pub const POSTGRES_URL_VARIABLE: &str = "PARLEY_TEST_POSTGRES_URL";

/// A database a test owns.
pub struct TestDatabase {
    /// `sqlite` or `postgres`, to name the engine in assertions.
    pub engine: &'static str,
    pub database: Database,
    /// The SQLite file's folder (removed when the test ends), or a scratch folder.
    pub folder: tempfile::TempDir,
}

impl TestDatabase {
    /// A SQLite database in a new temporary folder.
    ///
    /// # Panics
    /// When no temporary folder can be made.
    #[must_use]
    pub fn sqlite() -> Self {
        let folder = tempfile::tempdir().expect("a temporary folder for the test database");
        Self {
            engine: "sqlite",
            database: Database::Sqlite(folder.path().join("hub.db")),
            folder,
        }
    }

    /// A new, empty PostgreSQL database on the server of `PARLEY_TEST_POSTGRES_URL`, or
    /// `None` when the variable is not set.
    ///
    /// # Panics
    /// When the server named cannot be reached or refuses to create a database: a test
    /// run that asked for PostgreSQL must not quietly skip it.
    pub async fn postgres() -> Option<Self> {
        let admin = std::env::var(POSTGRES_URL_VARIABLE).ok()?;
        Some(Self::postgres_on(&admin).await)
    }

    /// A new, empty PostgreSQL database on the server `admin` names.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to create a database.
    pub async fn postgres_on(admin: &str) -> Self {
        let name = format!("parley_test_{}", uuid::Uuid::new_v4().simple());
        let mut connection = sqlx::PgConnection::connect(admin)
            .await
            .unwrap_or_else(|error| {
                panic!("{POSTGRES_URL_VARIABLE}={admin} is reachable: {error}")
            });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut connection)
            .await
            .unwrap_or_else(|error| panic!("a test database is created on {admin}: {error}"));
        if let Err(error) = connection.close().await {
            tracing::debug!(%error, "closing the admin connection");
        }
        let mut url = url::Url::parse(admin).unwrap_or_else(|error| panic!("{admin}: {error}"));
        url.set_path(&name);
        Self {
            engine: "postgres",
            database: Database::Postgres(url.to_string()),
            folder: tempfile::tempdir().expect("a scratch folder"),
        }
    }

    /// Every engine this run tests on: SQLite, and PostgreSQL when it is configured.
    pub async fn each() -> Vec<Self> {
        let mut databases = vec![Self::sqlite()];
        match Self::postgres().await {
            Some(postgres) => databases.push(postgres),
            None => {
                eprintln!("note: {POSTGRES_URL_VARIABLE} is not set; this test ran on SQLite only");
            }
        }
        databases
    }

    /// A path in the test's scratch folder.
    #[must_use]
    pub fn path(&self, name: &str) -> PathBuf {
        self.folder.path().join(name)
    }
}

/// Every route the hub can serve, (method, path): the API's and the simulated carrier's.
#[must_use]
pub fn routes() -> Vec<(&'static str, &'static str)> {
    crate::routes::ROUTES
        .iter()
        .chain(crate::routes::SIM_ROUTES)
        .copied()
        .collect()
}

/// Signs `agent_id` in without a password (the argon2 check is the slow part of a login):
/// a fresh session token.
///
/// # Panics
/// When the store refuses.
pub async fn session(store: &crate::Store, agent_id: parley_proto::Id) -> String {
    let token = crate::auth::new_token();
    store
        .create_session(
            agent_id,
            &crate::auth::token_hash(&token),
            store.now()
                + i64::try_from(crate::config::SessionsConfig::default().idle_timeout_ms)
                    .unwrap_or(i64::MAX),
        )
        .await
        .expect("a session");
    token
}
