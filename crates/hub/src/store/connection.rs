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
pub(crate) const APPLIED_MIGRATIONS: &str = "SELECT version FROM _sqlx_migrations WHERE success";

/// How many of `migrator`'s migrations are not among the `applied` versions.
pub(crate) fn not_applied(migrator: &sqlx::migrate::Migrator, applied: &[i64]) -> usize {
    migrator
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
        .count()
}

/// The queue's length and its oldest entry's arrival, in one row (both engines).
pub(crate) const QUEUE_FIGURES: &str =
    "SELECT COUNT(*), MIN(created_at) FROM interactions WHERE state = 'queued'";

/// Enabled accounts by status (both engines).
pub(crate) const AGENTS_BY_STATUS: &str =
    "SELECT status, COUNT(*) FROM agents WHERE NOT disabled GROUP BY status";
