//! Claims and the simulated carrier's outbox, on SQLite. One hub process runs on SQLite, so
//! routing and the sweeps need no lock beyond the write transaction's.

use async_trait::async_trait;
use parley_proto::{Id, MessageStatus, Millis, SimOutboundMessage};

use super::Connection;
use crate::store::Result;
use crate::store::port::{Carrier, Claims, Work};
use crate::store::rows::{SimRow, all};

#[async_trait]
impl Claims for Connection {
    async fn claim(
        &mut self,
        work: Work,
        id: Id,
        holder: &str,
        now: Millis,
        until: Millis,
    ) -> Result<bool> {
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO claims (work, id, holder, expires_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (work, id) DO UPDATE \
               SET holder = excluded.holder, expires_at = excluded.expires_at \
               WHERE claims.holder = excluded.holder OR claims.expires_at <= ? \
             RETURNING holder",
        )
        .bind(work.as_str())
        .bind(id)
        .bind(holder)
        .bind(until)
        .bind(now)
        .fetch_optional(self.db())
        .await?;
        Ok(taken.is_some())
    }

    async fn release(&mut self, work: Work, id: Id, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM claims WHERE work = ? AND id = ? AND holder = ?")
            .bind(work.as_str())
            .bind(id)
            .bind(holder)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn renew_claims(&mut self, holder: &str, until: Millis) -> Result<u64> {
        let renewed = sqlx::query("UPDATE claims SET expires_at = ? WHERE holder = ?")
            .bind(until)
            .bind(holder)
            .execute(self.db())
            .await?;
        Ok(renewed.rows_affected())
    }

    async fn lock_routing(&mut self) -> Result<()> {
        Ok(())
    }

    async fn try_lock_sweeps(&mut self) -> Result<bool> {
        Ok(true)
    }
}

#[async_trait]
impl Carrier for Connection {
    async fn sim_record(
        &mut self,
        sid: &str,
        to: &str,
        from: &str,
        body: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sim_outbox (sid, to_number, from_number, body, status, created_at) \
             VALUES (?, ?, ?, ?, 'queued', ?)",
        )
        .bind(sid)
        .bind(to)
        .bind(from)
        .bind(body)
        .bind(now)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn sim_set_status(&mut self, sid: &str, status: MessageStatus) -> Result<()> {
        sqlx::query("UPDATE sim_outbox SET status = ? WHERE sid = ?")
            .bind(status.as_str())
            .bind(sid)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn sim_outbox(&mut self) -> Result<Vec<SimOutboundMessage>> {
        let rows: Vec<SimRow> = sqlx::query_as(
            "SELECT sid, to_number, from_number, body, status FROM sim_outbox \
             ORDER BY created_at, sid",
        )
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn sim_sent_to(&mut self, to: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM sim_outbox WHERE to_number = ?")
                .bind(to)
                .fetch_one(self.db())
                .await?,
        )
    }
}
