//! Pictures: inbound MMS files waiting to be fetched, agents' uploads, and the files the
//! database keeps when pictures are stored there.

use parley_proto::{EventKind, Id, Millis};

use super::conversations::with_media;
use super::{
    MediaJob, MediaOutcome, NewUpload, Result, Store, StoreError, StoredMedia, transaction,
};

/// How many pending pictures one pass of the fetcher reads.
const DUE_BATCH: u32 = 20;

impl Store {
    /// Media files waiting for a fetch that is due, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn due_media(&self) -> Result<Vec<MediaJob>> {
        let now = self.now();
        self.read().await?.due_media(now, DUE_BATCH).await
    }

    /// When the next pending media fetch is due, if any is waiting.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn next_media_due(&self) -> Result<Option<Millis>> {
        self.read().await?.next_media_due().await
    }

    /// Records how a media fetch ended; a final outcome re-announces the message with it.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn finish_media(&self, job: &MediaJob, outcome: &MediaOutcome) -> Result<()> {
        if let MediaOutcome::Retry { at } = outcome {
            return self.read().await?.retry_media_at(job.media_id, *at).await;
        }
        transaction!(self, change => {
            match outcome {
                MediaOutcome::Ready(ready) => change.media_ready(job.media_id, ready).await?,
                MediaOutcome::Issue(issue) => change.media_issue(job.media_id, *issue).await?,
                MediaOutcome::Retry { .. } => {}
            }
            let stored = change
                .lock_message(job.message_id)
                .await?
                .ok_or(StoreError::NotFound("message"))?;
            let message = with_media(&mut change, stored.message).await?;
            change.emit(EventKind::Message { message });
            Ok(())
        })
    }

    /// A media file and what serving it needs.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn stored_media(&self, media_id: Id) -> Result<StoredMedia> {
        self.read()
            .await?
            .stored_media(media_id)
            .await?
            .ok_or(StoreError::NotFound("media"))
    }

    /// Stores an agent's checked picture, not yet part of a message; `None` when the
    /// agent's pictures not sent yet would pass `quota` bytes with it.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn create_upload(&self, upload: &NewUpload<'_>, quota: u64) -> Result<Option<Id>> {
        let now = self.now();
        self.read().await?.insert_upload(upload, quota, now).await
    }

    /// Forgets pictures uploaded before `before` that never went with a message, and
    /// returns the digests no picture refers to any more (their files can go).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn forget_unsent_uploads(&self, before: Millis) -> Result<Vec<String>> {
        transaction!(self, change => { change.forget_unsent_uploads(before).await })
    }

    /// A sent picture by its token, for the provider: (digest, content type).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown token or a picture not sent yet.
    pub async fn sent_upload(&self, token: &str) -> Result<(String, String)> {
        self.read()
            .await?
            .sent_upload(token)
            .await?
            .ok_or(StoreError::NotFound("picture"))
    }

    /// Keeps a picture file (or its thumbnail) in the database.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn put_blob(&self, digest: &str, thumbnail: bool, bytes: &[u8]) -> Result<()> {
        let now = self.now();
        self.read()
            .await?
            .put_blob(digest, thumbnail, bytes, now)
            .await
    }

    /// A picture file (or its thumbnail) the database keeps.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn blob(&self, digest: &str, thumbnail: bool) -> Result<Option<Vec<u8>>> {
        self.read().await?.blob(digest, thumbnail).await
    }

    /// Removes picture files nothing refers to that were not stored again since `before`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn remove_blobs(&self, digests: &[String], before: Millis) -> Result<()> {
        transaction!(self, change => { change.remove_blobs(digests, before).await })
    }
}
