//! The event log, on SQLite: `BEGIN IMMEDIATE` holds the one write lock from the start of
//! the transaction to its commit, so `AUTOINCREMENT` numbers events in commit order.

use async_trait::async_trait;
use parley_proto::{Event, EventKind, Millis};

use super::Connection;
use crate::store::Result;
use crate::store::port::Events;
use crate::store::rows::{EventRow, all, event_payload};

#[async_trait]
impl Events for Connection {
    async fn append_events(&mut self, at: Millis, kinds: &[EventKind]) -> Result<Vec<Event>> {
        let mut events = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let (name, payload) = event_payload(kind)?;
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO events (at, kind, payload) VALUES (?, ?, ?) RETURNING seq",
            )
            .bind(at)
            .bind(name)
            .bind(payload)
            .fetch_one(self.db())
            .await?;
            events.push(Event {
                seq,
                at,
                kind: kind.clone(),
            });
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
