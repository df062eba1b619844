//! The event log, on SQLite: `BEGIN IMMEDIATE` holds the one write lock from the start of
//! the transaction to its commit, so `AUTOINCREMENT` numbers events in commit order.

use async_trait::async_trait;
use parley_proto::{Event, EventKind, Millis};

use super::Connection;
use crate::store::port::Events;
use crate::store::rows::{EventRow, all, event_payload};
use crate::store::{Result, StoreError};

/// Events a statement appends (three parameters each, well under SQLite's limit).
const APPEND_CHUNK: usize = 500;

#[async_trait]
impl Events for Connection {
    async fn append_events(&mut self, at: Millis, kinds: &[EventKind]) -> Result<Vec<Event>> {
        let mut events = Vec::with_capacity(kinds.len());
        // A change of many writes (a group of webhooks) appends its events a few hundred to
        // a statement: one round trip to the database instead of one an event.
        for chunk in kinds.chunks(APPEND_CHUNK) {
            let mut insert =
                sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO events (at, kind, payload) ");
            let mut payloads = Vec::with_capacity(chunk.len());
            for kind in chunk {
                payloads.push(event_payload(kind)?);
            }
            insert.push_values(&payloads, |mut row, (name, payload)| {
                row.push_bind(at)
                    .push_bind(*name)
                    .push_bind(payload.as_str());
            });
            insert.push(" RETURNING seq");
            let mut seqs: Vec<i64> = insert.build_query_scalar().fetch_all(self.db()).await?;
            // The write lock is held, so the rows are numbered one after another in the
            // order of the statement's values; RETURNING gives them in no set order.
            seqs.sort_unstable();
            if seqs.len() != chunk.len() {
                return Err(StoreError::Corrupt(format!(
                    "{} events numbered for {} appended",
                    seqs.len(),
                    chunk.len()
                )));
            }
            events.extend(seqs.into_iter().zip(chunk).map(|(seq, kind)| Event {
                seq,
                at,
                kind: kind.clone(),
            }));
        }
        Ok(events)
    }

    async fn events_since(&mut self, since: i64, limit: u32) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, at, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn head_seq(&mut self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
                .fetch_one(self.db())
                .await?,
        )
    }
}
