//! Pictures — inbound media, agents' uploads and files kept in the database — on SQLite.

use async_trait::async_trait;
use parley_proto::{Id, Media, MediaIssue, Millis};

use super::{Connection, sql};
use crate::store::port::Pictures;
use crate::store::rows::{
    MEDIA_COLUMNS, MediaRow, StoredMediaRow, UPLOAD_COLUMNS, UploadRow, all, one,
};
use crate::store::types::{
    MediaJob, NewMedia, NewUpload, ReadyMedia, StoredMedia, UploadedPicture,
};
use crate::store::{Result, StoreError};

#[async_trait]
impl Pictures for Connection {
    async fn insert_media(&mut self, media: &NewMedia<'_>) -> Result<()> {
        let ready = media.ready;
        sqlx::query(
            "INSERT INTO media (message_id, position, source_url, declared_type, content_type, \
               state, size, width, height, digest, thumbnail_type, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(media.message_id)
        .bind(i64::from(media.position))
        .bind(media.source_url)
        .bind(media.declared_type)
        .bind(ready.map_or(media.declared_type, |ready| ready.content_type.as_str()))
        .bind(if ready.is_some() { "ready" } else { "pending" })
        .bind(ready.map(|ready| i64::from(ready.size)))
        .bind(ready.map(|ready| i64::from(ready.width)))
        .bind(ready.map(|ready| i64::from(ready.height)))
        .bind(ready.map(|ready| ready.digest.as_str()))
        .bind(ready.map(|ready| ready.thumbnail_type.as_str()))
        .bind(media.created_at)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn media_of(&mut self, message_ids: &[Id]) -> Result<Vec<(Id, Media)>> {
        let ids = serde_json::to_string(message_ids)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let rows: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media \
             WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, position"
        ))
        .bind(ids)
        .fetch_all(self.db())
        .await?;
        rows.iter()
            .map(|row| Ok((row.message_id, Media::try_from(row)?)))
            .collect()
    }

    async fn due_media(&mut self, now: Millis, limit: u32) -> Result<Vec<MediaJob>> {
        let rows: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE state = 'pending' AND next_attempt_at <= ? \
             ORDER BY id LIMIT ?"
        ))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.db())
        .await?;
        all(rows)
    }

    async fn next_media_due(&mut self) -> Result<Option<Millis>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM media WHERE state = 'pending'")
                .fetch_one(self.db())
                .await?,
        )
    }

    async fn retry_media_at(&mut self, id: Id, at: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE media SET attempts = attempts + 1, next_attempt_at = ? \
             WHERE id = ? AND state = 'pending'",
        )
        .bind(at)
        .bind(id)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn media_ready(&mut self, id: Id, ready: &ReadyMedia) -> Result<()> {
        sqlx::query(
            "UPDATE media SET state = 'ready', issue = NULL, content_type = ?, size = ?, \
               width = ?, height = ?, digest = ?, thumbnail_type = ?, attempts = attempts + 1 \
             WHERE id = ?",
        )
        .bind(&ready.content_type)
        .bind(i64::from(ready.size))
        .bind(i64::from(ready.width))
        .bind(i64::from(ready.height))
        .bind(&ready.digest)
        .bind(&ready.thumbnail_type)
        .bind(id)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn media_issue(&mut self, id: Id, issue: MediaIssue) -> Result<()> {
        sqlx::query(
            "UPDATE media SET state = 'issue', issue = ?, attempts = attempts + 1 WHERE id = ?",
        )
        .bind(issue.as_str())
        .bind(id)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn stored_media(&mut self, id: Id) -> Result<Option<StoredMedia>> {
        let row: Option<StoredMediaRow> = sqlx::query_as(
            "SELECT d.id, d.message_id, d.position, d.source_url, d.declared_type, \
               d.content_type, d.state, d.issue, d.size, d.width, d.height, d.digest, \
               d.thumbnail_type, d.attempts, d.created_at, m.contact_id \
             FROM media d JOIN messages m ON m.id = d.message_id WHERE d.id = ?",
        )
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn insert_upload(
        &mut self,
        upload: &NewUpload<'_>,
        quota: u64,
        now: Millis,
    ) -> Result<Option<Id>> {
        // One statement, so the quota holds however many uploads arrive at once.
        Ok(sqlx::query_scalar(
            "INSERT INTO uploads (agent_id, digest, content_type, thumbnail_type, size, width, \
               height, token, created_at) \
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? \
             WHERE (SELECT COALESCE(SUM(size), 0) FROM uploads \
                    WHERE agent_id = ? AND message_id IS NULL) + ? <= ? \
             RETURNING id",
        )
        .bind(upload.agent_id)
        .bind(upload.digest)
        .bind(upload.content_type)
        .bind(upload.thumbnail_type)
        .bind(i64::from(upload.size))
        .bind(i64::from(upload.width))
        .bind(i64::from(upload.height))
        .bind(upload.token)
        .bind(now)
        .bind(upload.agent_id)
        .bind(i64::from(upload.size))
        .bind(i64::try_from(quota).unwrap_or(i64::MAX))
        .fetch_optional(self.db())
        .await?)
    }

    async fn attach_upload(
        &mut self,
        upload_id: Id,
        agent_id: Id,
        message_id: Id,
    ) -> Result<Option<UploadedPicture>> {
        let row: Option<UploadRow> = sqlx::query_as(sql!(
            "UPDATE uploads SET message_id = ? \
             WHERE id = ? AND agent_id = ? AND message_id IS NULL RETURNING {UPLOAD_COLUMNS}"
        ))
        .bind(message_id)
        .bind(upload_id)
        .bind(agent_id)
        .fetch_optional(self.db())
        .await?;
        one(row)
    }

    async fn upload_tokens(&mut self, message_id: Id) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT token FROM uploads WHERE message_id = ? ORDER BY id")
                .bind(message_id)
                .fetch_all(self.db())
                .await?,
        )
    }

    async fn forget_unsent_uploads(&mut self, before: Millis) -> Result<Vec<String>> {
        let digests: Vec<String> = sqlx::query_scalar(
            "DELETE FROM uploads WHERE message_id IS NULL AND created_at < ? RETURNING digest",
        )
        .bind(before)
        .fetch_all(self.db())
        .await?;
        let mut orphans: Vec<String> = Vec::new();
        for digest in digests {
            let used: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM uploads WHERE digest = ?) + \
                        (SELECT COUNT(*) FROM media WHERE digest = ?)",
            )
            .bind(&digest)
            .bind(&digest)
            .fetch_one(self.db())
            .await?;
            if used == 0 && !orphans.contains(&digest) {
                orphans.push(digest);
            }
        }
        Ok(orphans)
    }

    async fn sent_upload(&mut self, token: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT digest, content_type FROM uploads WHERE token = ? AND message_id IS NOT NULL",
        )
        .bind(token)
        .fetch_optional(self.db())
        .await?)
    }

    async fn put_blob(
        &mut self,
        digest: &str,
        thumbnail: bool,
        bytes: &[u8],
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO blobs (digest, thumbnail, bytes, stored_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (digest, thumbnail) DO UPDATE SET stored_at = excluded.stored_at",
        )
        .bind(digest)
        .bind(thumbnail)
        .bind(bytes)
        .bind(now)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn blob(&mut self, digest: &str, thumbnail: bool) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM blobs WHERE digest = ? AND thumbnail = ?")
                .bind(digest)
                .bind(thumbnail)
                .fetch_optional(self.db())
                .await?,
        )
    }

    async fn remove_blobs(&mut self, digests: &[String], before: Millis) -> Result<()> {
        for digest in digests {
            sqlx::query(
                "DELETE FROM blobs WHERE digest = ? AND stored_at < ? \
                   AND NOT EXISTS (SELECT 1 FROM uploads WHERE digest = ?) \
                   AND NOT EXISTS (SELECT 1 FROM media WHERE digest = ?)",
            )
            .bind(digest)
            .bind(before)
            .bind(digest)
            .bind(digest)
            .execute(self.db())
            .await?;
        }
        Ok(())
    }
}
