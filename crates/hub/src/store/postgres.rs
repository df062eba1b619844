//! The PostgreSQL engine: one database that several hubs share. Transactions run at READ
//! COMMITTED; a use case that reads and then writes locks the rows it decides on
//! (`lock_*` → `SELECT … FOR UPDATE`), contact first, then interaction, then message. The
//! event log is numbered in commit order by `event_head` (see `events.rs`), and every
//! commit that adds events notifies the other hubs (`LISTEN parley_events`).

mod agents;
mod claims;
mod contacts;
mod events;
mod interactions;
mod messages;
mod pictures;
mod scope;
mod transfer;

use async_trait::async_trait;
use sqlx::Postgres;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};

use super::Result;
use super::port::{Engine, Listener, Tx};

/// Builds a query from a format string whose only arguments are column-list constants —
/// never a value, which is always bound.
macro_rules! sql {
    ($($part:tt)*) => {
        sqlx::AssertSqlSafe(format!($($part)*))
    };
}
pub(crate) use sql;

/// The migrations, append-only.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The channel that carries "events were committed" between hubs.
pub(crate) const EVENTS_CHANNEL: &str = "parley_events";

/// A PostgreSQL database.
pub(crate) struct PostgresEngine {
    pool: PgPool,
}

impl PostgresEngine {
    /// Connects and runs the migrations (one hub at a time: the migrator takes a lock).
    pub(crate) async fn open(url: &str) -> Result<Self> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options.application_name("parley-hub"))
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Engine for PostgresEngine {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(Connection::Transaction(self.pool.begin().await?)))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(Connection::Pooled(self.pool.acquire().await?)))
    }

    async fn snapshot(&self) -> Result<Box<dyn Tx>> {
        // Every statement of a REPEATABLE READ transaction sees the database as of its
        // first one; `event_head` is written under a row lock held to commit, so the head
        // read there numbers exactly the commits the snapshot sees.
        let transaction = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?;
        Ok(Box::new(Connection::Transaction(transaction)))
    }

    async fn listen(&self) -> Result<Option<Box<dyn Listener>>> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(EVENTS_CHANNEL).await?;
        Ok(Some(Box::new(EventsListener { listener })))
    }

    async fn analyze(&self) -> Result<()> {
        // Vacuum too: it merges the search indexes' pending entries.
        sqlx::raw_sql("VACUUM (ANALYZE)")
            .execute(&self.pool)
            .await?;
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

/// `LISTEN parley_events` on a connection of its own.
struct EventsListener {
    listener: PgListener,
}

#[async_trait]
impl Listener for EventsListener {
    async fn next(&mut self) -> Result<()> {
        self.listener.recv().await?;
        Ok(())
    }
}

/// A connection of the pool, in a transaction or not.
pub(crate) type Connection = super::connection::Connection<Postgres>;

#[async_trait]
impl Tx for Connection {
    async fn commit(self: Box<Self>) -> Result<()> {
        (*self).commit().await
    }
}

/// Whether the same transaction run again may succeed: a deadlock (40P01), a
/// serialization failure (40001), or a unique key another hub's transaction took first
/// (23505) — the use cases check their keys, so run again they see the other's row and
/// take their idempotent path.
pub(crate) fn is_transient(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|error| error.code())
        .is_some_and(|code| code == "40001" || code == "40P01" || code == "23505")
}
