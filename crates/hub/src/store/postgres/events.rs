//! The event log, on PostgreSQL, numbered gap-free in commit order across every hub.
//!
//! A sequence would not do: its numbers are handed out when asked, not when transactions
//! commit, so a reader could see 11 before 10 commits and skip 10 forever. Instead each
//! transaction, as its very last statement, takes the next numbers from the one row of
//! `event_head`. The row lock it takes there is held until its commit is complete and
//! visible; the next transaction waits for it and then continues from the committed head.
//! So numbers are handed out in commit order, a number is visible only once every smaller
//! one is, and a rolled-back transaction hands back nothing. The same statement notifies
//! the other hubs, and PostgreSQL delivers the notification at commit.

use async_trait::async_trait;
use parley_proto::{Event, EventKind, Millis};

use super::{Connection, EVENTS_CHANNEL};
use crate::store::port::Events;
use crate::store::rows::{EventRow, all, event_payload};
use crate::store::{Result, StoreError};

#[async_trait]
impl Events for Connection {
    async fn append_events(&mut self, at: Millis, kinds: &[EventKind]) -> Result<Vec<Event>> {
        let mut names = Vec::with_capacity(kinds.len());
        let mut payloads = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let (name, payload) = event_payload(kind)?;
            names.push(name);
            payloads.push(payload);
        }
        let count = i64::try_from(kinds.len())
            .map_err(|_| StoreError::Corrupt("too many events in one change".into()))?;
        let seqs: Vec<i64> = sqlx::query_scalar(
            "WITH head AS ( \
               UPDATE event_head SET seq = seq + $1 RETURNING seq \
             ), appended AS ( \
               INSERT INTO events (seq, at, kind, payload) \
               SELECT head.seq - $1 + e.n, $2, e.kind, e.payload \
               FROM head, unnest($3::text[], $4::text[]) WITH ORDINALITY AS e (kind, payload, n) \
               RETURNING seq \
             ) \
             SELECT appended.seq FROM appended, (SELECT pg_notify($5, '')) AS notified \
             ORDER BY appended.seq",
        )
        .bind(count)
        .bind(at)
        .bind(&names)
        .bind(&payloads)
        .bind(EVENTS_CHANNEL)
        .fetch_all(self.db())
        .await?;
        if seqs.len() != kinds.len() {
            return Err(StoreError::Corrupt(format!(
                "{} events numbered for {} appended",
                seqs.len(),
                kinds.len()
            )));
        }
        Ok(seqs
            .into_iter()
            .zip(kinds)
            .map(|(seq, kind)| Event {
                seq,
                at,
                kind: kind.clone(),
            })
            .collect())
    }

    async fn events_since(&mut self, since: i64, limit: u32) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, at, payload FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn head_seq(&mut self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT seq FROM event_head")
            .fetch_one(self.db())
            .await?)
    }
}
