//! The hub's authoritative store, on SQLite (one hub) or PostgreSQL (several hubs).
//!
//! Three layers: the pure rules (`crate::rules`) decide; the use cases here — one file per
//! concern — read, ask a rule, write and emit, written once over the [`port`] of small
//! per-table queries; each engine implements the port in its own folder.
//!
//! A write is a [`Change`]: rows and the events that describe them commit in one
//! transaction, the events numbered in commit order just before the commit, and published
//! to live subscribers only after it. A transaction another hub's got in the way of
//! (a deadlock, a serialization failure, SQLite's busy) is run again from the start.

mod accounts;
mod claims;
mod connection;
mod contacts;
mod conversations;
mod delivery;
mod feed;
mod group;
mod inbound;
mod interactions;
mod pictures;
mod port;
mod postgres;
mod rows;
mod scope;
mod sqlite;
mod transfer;
mod types;

use std::sync::Arc;
use std::time::Duration;

use parley_proto::{AgentSummary, Event, EventKind, Millis};
use tokio::sync::broadcast;

pub use crate::rules::Refusal;
pub use crate::rules::lifecycle::Completion;
pub use conversations::Imported;
pub use port::Work;
pub use scope::SnapshotLimits;
pub use transfer::Copied;

/// What `/metrics` reads from the database at each scrape.
#[derive(Debug, Clone, Default)]
pub struct ServiceFigures {
    /// Conversations waiting for a Ready agent.
    pub queued: i64,
    /// When the oldest of them arrived.
    pub oldest_queued_at: Option<Millis>,
    /// Enabled accounts by status (`ready`, `notReady`).
    pub agents_by_status: Vec<(String, i64)>,
}
pub use types::{
    AgentSettings, ContactDetails, ContactPage, Inbound, InboundOutcome, MediaJob, MediaOutcome,
    MessagePage, NewUpload, Outbound, PendingSend, ReadMarker, ReadyMedia, StoredMedia,
    StoredMessage,
};

use crate::clock::{Clock, SystemClock};
use crate::config::Database;
use port::{Engine, Tx};

/// The Not Ready reason the hub gives an agent who let an offer lapse.
pub const NOT_RESPONDING: &str = "Not responding";

/// The Not Ready reason of an agent who signed out of their last session.
pub const SIGNED_OUT: &str = "Signed out";

/// The Not Ready reason of an agent whose last session ended without them signing out
/// (it expired, or an admin ended it).
pub const SESSION_ENDED: &str = "Session ended";

/// The Not Ready reason of an agent whose app lost its link for longer than the grace period.
pub const OFFLINE: &str = "Offline";

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored value is invalid: {0}")]
    Corrupt(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The store closed before the write was done.
    #[error("the store is closing")]
    Closed,
    /// A rule refuses the request.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// Data would be copied into a database that holds some already.
    #[error("the target database is not empty: {table} holds {rows} rows")]
    NotEmpty { table: &'static str, rows: i64 },
}

impl StoreError {
    /// Whether running the same transaction again may succeed: another transaction got in
    /// the way (PostgreSQL's deadlock and serialization failures, SQLite's busy).
    fn is_transient(&self) -> bool {
        match self {
            Self::Database(error) => sqlite::is_busy(error) || postgres::is_transient(error),
            _ => false,
        }
    }
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How the store runs besides its database.
#[derive(Clone)]
pub struct StoreOptions {
    /// Where `now` comes from.
    pub clock: Arc<dyn Clock>,
    /// How long a hub's claim on a piece of work lasts without being renewed: the time
    /// another hub waits before it takes over the work of one that died.
    pub claim_lease: Duration,
    /// How often the event log is read without a notification (PostgreSQL), in case one
    /// was lost.
    pub log_poll: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            claim_lease: Duration::from_secs(30),
            log_poll: Duration::from_secs(1),
        }
    }
}

/// The hub's database and its live event feed. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Box<dyn Engine>,
    feed: feed::Feed,
    clock: Arc<dyn Clock>,
    /// This process, as the holder of its claims.
    holder: String,
    lease_ms: i64,
    /// Set by [`Store::close`]: the background tasks end.
    closed: std::sync::atomic::AtomicBool,
    /// Webhook writes that share a commit.
    group: group::Group,
}

/// A write in progress: the transaction, the events that describe it, and its time.
pub(crate) struct Change {
    tx: Box<dyn Tx>,
    events: Vec<EventKind>,
    /// The time of the change, read once from the clock.
    now: Millis,
}

impl Change {
    /// Records an event, appended to the log when the change commits.
    fn emit(&mut self, kind: EventKind) {
        self.events.push(kind);
    }
}

impl std::ops::Deref for Change {
    type Target = dyn Tx;
    fn deref(&self) -> &Self::Target {
        &*self.tx
    }
}

impl std::ops::DerefMut for Change {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut *self.tx
    }
}

/// How many times a transaction that met another one is run again.
const TRANSIENT_RETRIES: u32 = 8;

/// Runs `$body` in a write transaction bound to `$change` and commits it, running it again
/// from the start (after a short, growing pause) when another transaction got in the way.
/// `?` and `return` inside the body end the body with that result; only `Ok` commits.
macro_rules! transaction {
    ($store:expr, $change:ident => $body:block) => {{
        let store: &$crate::store::Store = $store;
        let mut attempt: u32 = 0;
        loop {
            let mut $change = store.begin().await?;
            let outcome: $crate::store::Result<_> = async { $body }.await;
            let outcome = match outcome {
                Ok(value) => store.commit($change).await.map(|_| value),
                Err(error) => Err(error),
            };
            match outcome {
                Err(error) if error.is_transient() && attempt < $crate::store::TRANSIENT_RETRIES => {
                    attempt += 1;
                    tracing::debug!(%error, attempt, "transaction met another; running it again");
                    store.pause(attempt).await;
                }
                outcome => break outcome,
            }
        }
    }};
}
pub(crate) use transaction;

impl Store {
    /// Opens the database (creating and migrating it) with the system clock.
    ///
    /// # Errors
    /// [`StoreError`] when it cannot be opened or migrated.
    pub async fn open(database: &Database) -> Result<Self> {
        Self::open_with(database, StoreOptions::default()).await
    }

    /// Opens the database with these options.
    ///
    /// # Errors
    /// [`StoreError`] when it cannot be opened or migrated.
    pub async fn open_with(database: &Database, options: StoreOptions) -> Result<Self> {
        let engine: Box<dyn Engine> = match database {
            Database::Sqlite(path) => Box::new(sqlite::SqliteEngine::open(path).await?),
            Database::Postgres(url) => Box::new(postgres::PostgresEngine::open(url).await?),
        };
        let head = engine.read().await?.head_seq().await?;
        let (group, group_task) = group::Group::start();
        let inner = Arc::new(Inner {
            engine,
            feed: feed::Feed::new(head),
            clock: options.clock,
            holder: uuid::Uuid::new_v4().to_string(),
            lease_ms: i64::try_from(options.claim_lease.as_millis()).unwrap_or(i64::MAX),
            closed: std::sync::atomic::AtomicBool::new(false),
            group,
        });
        group_task.spawn(Arc::downgrade(&inner));
        feed::follow(Arc::downgrade(&inner), options.log_poll);
        claims::keep(Arc::downgrade(&inner), options.claim_lease);
        tracing::debug!(engine = inner.engine.name(), head, "store open");
        Ok(Self { inner })
    }

    /// `sqlite` or `postgres`.
    #[must_use]
    pub fn engine_name(&self) -> &'static str {
        self.inner.engine.name()
    }

    /// The store clock's time now.
    #[must_use]
    pub fn now(&self) -> Millis {
        self.inner.clock.now()
    }

    /// Refreshes the database's statistics for its query planner: after a bulk import,
    /// before the planner has seen the new rows.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn analyze(&self) -> Result<()> {
        self.inner.engine.analyze().await
    }

    /// How many of this build's migrations the database has not applied.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn pending_migrations(&self) -> Result<usize> {
        self.inner.engine.pending_migrations().await
    }

    /// The queue and the agents by status, as `/metrics` reports them.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn service_figures(&self) -> Result<ServiceFigures> {
        self.inner.engine.service_figures().await
    }

    /// Closes every connection; the store's background tasks end.
    pub async fn close(&self) {
        self.inner
            .closed
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.feed.wake();
        self.inner.engine.close().await;
    }

    /// The provider's webhook writes (inbound messages, delivery reports) stored since the
    /// store opened, and the durable commits they shared.
    #[must_use]
    pub fn webhook_commits(&self) -> (u64, u64) {
        self.inner.group.figures()
    }

    /// Live events, in log order, published after their commit — this hub's and, on
    /// PostgreSQL, every other hub's.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.feed.subscribe()
    }

    async fn begin(&self) -> Result<Change> {
        Ok(Change {
            tx: self.inner.engine.begin().await?,
            events: Vec::new(),
            now: self.now(),
        })
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        self.inner.engine.read().await
    }

    async fn commit(&self, change: Change) -> Result<Vec<Event>> {
        let Change {
            mut tx,
            events: kinds,
            now,
        } = change;
        let events = if kinds.is_empty() {
            Vec::new()
        } else {
            tx.append_events(now, &kinds).await?
        };
        tx.commit().await?;
        self.inner.feed.published(&events);
        Ok(events)
    }

    /// The pause before running a transaction again: a few milliseconds, growing, with
    /// jitter so two hubs that met do not meet again.
    async fn pause(&self, attempt: u32) {
        let base = 2_u64 << attempt.min(6);
        let jitter = rand::random_range(0..=base);
        tokio::time::sleep(Duration::from_millis(base + jitter)).await;
    }

    /// Events after `since`, in order, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a payload that no longer parses.
    pub async fn events_since(&self, since: i64, limit: u32) -> Result<Vec<Event>> {
        self.read().await?.events_since(since, limit).await
    }

    /// The newest event's sequence number (0 for an empty log).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn head_seq(&self) -> Result<i64> {
        self.read().await?.head_seq().await
    }
}

/// An agent's figures from the averages the engines compute.
#[expect(
    clippy::cast_possible_truncation,
    reason = "averages of i64 millisecond spans"
)]
fn summary(
    (handled, handle, chat, wrap_up): (i64, Option<f64>, Option<f64>, Option<f64>),
) -> AgentSummary {
    let whole = |average: Option<f64>| average.map(|value| value.round() as i64);
    AgentSummary {
        handled: u32::try_from(handled).unwrap_or(u32::MAX),
        average_handle_ms: whole(handle),
        average_chat_ms: whole(chat),
        average_wrap_up_ms: whole(wrap_up),
    }
}
