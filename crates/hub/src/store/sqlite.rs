//! The SQLite engine: one file, one hub process. Writes take the database's write lock up
//! front (`BEGIN IMMEDIATE`), so a write transaction never fails half-way on a lock
//! upgrade, and events are numbered in commit order by that lock.

mod agents;
mod claims;
mod contacts;
mod events;
mod interactions;
mod messages;
mod pictures;
mod scope;
mod transfer;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::port::{Engine, Listener, Tx};
use super::{Result, StoreError};

/// Builds a query from a format string whose only arguments are column-list constants —
/// never a value, which is always bound.
macro_rules! sql {
    ($($part:tt)*) => {
        sqlx::AssertSqlSafe(format!($($part)*))
    };
}
pub(crate) use sql;

/// The migrations, append-only.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A SQLite database file.
pub(crate) struct SqliteEngine {
    pool: SqlitePool,
}

impl SqliteEngine {
    /// Opens (creating when missing) the database at `path` and runs the migrations.
    pub(crate) async fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|error| {
                StoreError::Database(sqlx::Error::Configuration(
                    format!("cannot create {}: {error}", parent.display()).into(),
                ))
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Nearly every hub write records a message the hub accepted: keep it through a
            // power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Engine for SqliteEngine {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(Connection::Transaction(transaction)))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(Connection::Pooled(self.pool.acquire().await?)))
    }

    async fn snapshot(&self) -> Result<Box<dyn Tx>> {
        // A deferred transaction reads one version of the database (WAL) from its first
        // read to its end, and takes no lock that would hold a writer back.
        let transaction = self.pool.begin_with("BEGIN DEFERRED").await?;
        Ok(Box::new(Connection::Transaction(transaction)))
    }

    async fn listen(&self) -> Result<Option<Box<dyn Listener>>> {
        Ok(None)
    }

    async fn analyze(&self) -> Result<()> {
        sqlx::raw_sql("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    async fn pending_migrations(&self) -> Result<usize> {
        super::connection::pending_migrations(&self.pool, &MIGRATOR).await
    }

    async fn service_figures(&self) -> Result<super::ServiceFigures> {
        super::connection::service_figures(&self.pool).await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// A connection of the pool, in a write transaction or not.
pub(crate) type Connection = super::connection::Connection<Sqlite>;

#[async_trait]
impl Tx for Connection {
    async fn commit(self: Box<Self>) -> Result<()> {
        (*self).commit().await
    }
}

/// Whether an error is SQLite's "busy": the same work can be tried again.
pub(crate) fn is_busy(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|error| error.code())
        .is_some_and(|code| code == "5" || code == "6" || code == "517")
}
