//! Pictures — inbound media, agents' uploads and files kept in the database — on
//! PostgreSQL.

use async_trait::async_trait;
use parley_proto::{Id, Media, MediaIssue, Millis};

use super::{Connection, sql};
use crate::store::Result;
use crate::store::port::Pictures;
use crate::store::rows::{
    MEDIA_COLUMNS, MediaRow, StoredMediaRow, UPLOAD_COLUMNS, UploadRow, all, one,
};
use crate::store::types::{
    MediaJob, NewMedia, NewUpload, ReadyMedia, StoredMedia, UploadedPicture,
};

#[async_trait]
impl Pictures for Connection {
    async fn insert_media(&mut self, media: &NewMedia<'_>) -> Result<()> {
        let ready = media.ready;
        sqlx::query(
            "INSERT INTO media (message_id, position, source_url, declared_type, content_type, \
               state, size, width, height, digest, thumbnail_type, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
        let rows: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE message_id = ANY($1) \
             ORDER BY message_id, position"
        ))
        .bind(message_ids)
        .fetch_all(self.db())
        .await?;
        rows.iter()
            .map(|row| Ok((row.message_id, Media::try_from(row)?)))
            .collect()
    }

    async fn due_media(&mut self, now: Millis, limit: u32) -> Result<Vec<MediaJob>> {
        let rows: Vec<MediaRow> = sqlx::query_as(sql!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE state = 'pending' AND next_attempt_at <= $1 \
             ORDER BY id LIMIT $2"
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
            "UPDATE media SET attempts = attempts + 1, next_attempt_at = $1 \
             WHERE id = $2 AND state = 'pending'",
        )
        .bind(at)
        .bind(id)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn media_ready(&mut self, id: Id, ready: &ReadyMedia) -> Result<()> {
        sqlx::query(
            "UPDATE media SET state = 'ready', issue = NULL, content_type = $1, size = $2, \
               width = $3, height = $4, digest = $5, thumbnail_type = $6, \
               attempts = attempts + 1 \
             WHERE id = $7",
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
            "UPDATE media SET state = 'issue', issue = $1, attempts = attempts + 1 WHERE id = $2",
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
             FROM media d JOIN messages m ON m.id = d.message_id WHERE d.id = $1",
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
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
             WHERE (SELECT COALESCE(SUM(size), 0) FROM uploads \
                    WHERE agent_id = $10 AND message_id IS NULL) + $11 <= $12 \
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
            "UPDATE uploads SET message_id = $1 \
             WHERE id = $2 AND agent_id = $3 AND message_id IS NULL RETURNING {UPLOAD_COLUMNS}"
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
            sqlx::query_scalar("SELECT token FROM uploads WHERE message_id = $1 ORDER BY id")
                .bind(message_id)
                .fetch_all(self.db())
                .await?,
        )
    }

    async fn forget_unsent_uploads(&mut self, before: Millis) -> Result<Vec<String>> {
        // The statement sees `uploads` as it was before its own DELETE: the forgotten rows
        // are left out by id.
        Ok(sqlx::query_scalar(
            "WITH forgotten AS ( \
               DELETE FROM uploads WHERE message_id IS NULL AND created_at < $1 \
               RETURNING id, digest \
             ) \
             SELECT DISTINCT f.digest FROM forgotten f \
             WHERE NOT EXISTS (SELECT 1 FROM uploads u WHERE u.digest = f.digest \
                                 AND u.id NOT IN (SELECT id FROM forgotten)) \
               AND NOT EXISTS (SELECT 1 FROM media d WHERE d.digest = f.digest)",
        )
        .bind(before)
        .fetch_all(self.db())
        .await?)
    }

    async fn sent_upload(&mut self, token: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT digest, content_type FROM uploads \
             WHERE token = $1 AND message_id IS NOT NULL",
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
            "INSERT INTO blobs (digest, thumbnail, bytes, stored_at) VALUES ($1, $2, $3, $4) \
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
            sqlx::query_scalar("SELECT bytes FROM blobs WHERE digest = $1 AND thumbnail = $2")
                .bind(digest)
                .bind(thumbnail)
                .fetch_optional(self.db())
                .await?,
        )
    }

    async fn remove_blobs(&mut self, digests: &[String], before: Millis) -> Result<()> {
        sqlx::query(
            "DELETE FROM blobs b WHERE b.digest = ANY($1) AND b.stored_at < $2 \
               AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.digest = b.digest) \
               AND NOT EXISTS (SELECT 1 FROM media d WHERE d.digest = b.digest)",
        )
        .bind(digests)
        .bind(before)
        .execute(self.db())
        .await?;
        Ok(())
    }
}
