//! One connection of an engine's pool, in a write transaction or not: what each engine
//! implements the port's queries on.

use sqlx::pool::PoolConnection;
use sqlx::{Database, Transaction};

use super::Result;

/// A pooled connection, or a transaction on one.
pub(crate) enum Connection<DB: Database> {
    Transaction(Transaction<'static, DB>),
    Pooled(PoolConnection<DB>),
}

impl<DB: Database> Connection<DB> {
    /// The connection to run a query on.
    pub(crate) fn db(&mut self) -> &mut DB::Connection {
        match self {
            Self::Transaction(transaction) => transaction,
            Self::Pooled(connection) => connection,
        }
    }

    /// Commits a transaction (a no-op outside one).
    pub(crate) async fn commit(self) -> Result<()> {
        if let Self::Transaction(transaction) = self {
            let started = std::time::Instant::now();
            transaction.commit().await?;
            crate::telemetry::committed(started.elapsed());
        }
        Ok(())
    }
}

/// The query both engines answer the migrations they applied with.
const APPLIED_MIGRATIONS: &str = "SELECT version FROM _sqlx_migrations WHERE success";

/// How many of `migrator`'s migrations the database on `pool` has not applied.
pub(crate) async fn pending_migrations<DB>(
    pool: &sqlx::Pool<DB>,
    migrator: &sqlx::migrate::Migrator,
) -> Result<usize>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let mut connection = pool.acquire().await?;
    let applied: Vec<(i64,)> = sqlx::query_as(APPLIED_MIGRATIONS)
        .fetch_all(&mut *connection)
        .await?;
    Ok(not_applied(
        migrator,
        &applied
            .into_iter()
            .map(|(version,)| version)
            .collect::<Vec<_>>(),
    ))
}

/// How many of `migrator`'s migrations are not among the `applied` versions.
fn not_applied(migrator: &sqlx::migrate::Migrator, applied: &[i64]) -> usize {
    migrator
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
        .count()
}

/// The queue's length and its oldest entry's arrival, in one row (both engines).
const QUEUE_FIGURES: &str =
    "SELECT COUNT(*), MIN(created_at) FROM interactions WHERE state = 'queued'";

/// Enabled accounts by status (both engines).
const AGENTS_BY_STATUS: &str =
    "SELECT status, COUNT(*) FROM agents WHERE NOT disabled GROUP BY status";

/// What `/metrics` reads at each scrape, on either engine's pool: the same SQL on both.
pub(crate) async fn service_figures<DB>(pool: &sqlx::Pool<DB>) -> Result<super::ServiceFigures>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    (i64, Option<i64>): for<'r> sqlx::FromRow<'r, DB::Row>,
    (String, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let mut connection = pool.acquire().await?;
    let (queued, oldest_queued_at): (i64, Option<i64>) = sqlx::query_as(QUEUE_FIGURES)
        .fetch_one(&mut *connection)
        .await?;
    let agents_by_status: Vec<(String, i64)> = sqlx::query_as(AGENTS_BY_STATUS)
        .fetch_all(&mut *connection)
        .await?;
    Ok(super::ServiceFigures {
        queued,
        oldest_queued_at,
        agents_by_status,
    })
}
