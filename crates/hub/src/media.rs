//! Pictures that come with an MMS: fetched from the provider, checked, stored by their
//! SHA-256 (in the [`BlobStore`]) and given a thumbnail. The fetcher claims each picture
//! before it fetches it, so two hubs never fetch one twice.
//!
//! The message is stored and routed before any of this happens; a picture that cannot be
//! fetched or shown becomes an attachment issue on the message, never a lost message.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader};
use parley_proto::MediaIssue;
use sha2::{Digest as _, Sha256};
use tokio::sync::{Notify, watch};

use crate::blobs::BlobStore;
use crate::config::MediaConfig;
use crate::store::{MediaJob, MediaOutcome, ReadyMedia, Store, Work};

/// The picture formats Parley shows.
const SHOWN: &[(ImageFormat, &str)] = &[
    (ImageFormat::Jpeg, "image/jpeg"),
    (ImageFormat::Png, "image/png"),
    (ImageFormat::Gif, "image/gif"),
    (ImageFormat::WebP, "image/webp"),
];

/// Whether a claimed content type is one Parley shows.
#[must_use]
pub fn is_shown_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    SHOWN.iter().any(|(_, shown)| *shown == essence) || essence == "image/jpg"
}

/// What the checks limit.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
    pub max_pixels: u64,
    pub thumbnail_size: u32,
}

impl From<&MediaConfig> for Limits {
    fn from(config: &MediaConfig) -> Self {
        Self {
            max_bytes: config.max_bytes,
            max_pixels: config.max_pixels,
            thumbnail_size: config.thumbnail_size,
        }
    }
}

/// A checked picture and its thumbnail.
#[derive(Debug)]
pub struct Processed {
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub digest: String,
    pub thumbnail: Vec<u8>,
    pub thumbnail_type: &'static str,
}

/// Checks a fetched file and makes its thumbnail. The file's own bytes decide what it is,
/// not the provider's claim; its size in pixels is checked from its header before
/// anything is decoded, and decoding is capped in memory as well.
///
/// # Errors
/// The [`MediaIssue`] that stops it from being shown.
pub fn process(bytes: &[u8], declared_type: &str, limits: Limits) -> Result<Processed, MediaIssue> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limits.max_bytes {
        return Err(MediaIssue::TooLarge);
    }
    let sniffed = image::guess_format(bytes).ok();
    let Some((format, content_type)) =
        sniffed.and_then(|format| SHOWN.iter().copied().find(|(shown, _)| *shown == format))
    else {
        // A recognisable file of another kind is unsupported; garbage that claims to be a
        // picture is damaged.
        return Err(if sniffed.is_none() && is_shown_type(declared_type) {
            MediaIssue::Corrupt
        } else {
            MediaIssue::UnsupportedType
        });
    };
    let reader = || {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        let mut decode_limits = image::Limits::default();
        // Four bytes a pixel and some room for the decoder's own buffers.
        decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(5));
        reader.limits(decode_limits);
        reader
    };
    let (width, height) = reader()
        .into_dimensions()
        .map_err(|error| classify(&error))?;
    if u64::from(width) * u64::from(height) > limits.max_pixels || width == 0 || height == 0 {
        return Err(MediaIssue::TooLarge);
    }
    let mut decoder = reader().into_decoder().map_err(|error| classify(&error))?;
    let orientation = decoder.orientation().map_err(|error| classify(&error))?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|error| classify(&error))?;
    picture.apply_orientation(orientation);
    let thumbnail = picture.thumbnail(limits.thumbnail_size, limits.thumbnail_size);
    let mut encoded = Cursor::new(Vec::new());
    let thumbnail_type = if thumbnail.color().has_alpha() {
        thumbnail
            .write_to(&mut encoded, ImageFormat::Png)
            .map_err(|_| MediaIssue::Corrupt)?;
        "image/png"
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut encoded, 82);
        thumbnail
            .to_rgb8()
            .write_with_encoder(encoder)
            .map_err(|_| MediaIssue::Corrupt)?;
        "image/jpeg"
    };
    Ok(Processed {
        content_type,
        width: picture.width(),
        height: picture.height(),
        digest: hex(&Sha256::digest(bytes)),
        thumbnail: encoded.into_inner(),
        thumbnail_type,
    })
}

fn classify(error: &image::ImageError) -> MediaIssue {
    match error {
        image::ImageError::Limits(_) => MediaIssue::TooLarge,
        image::ImageError::Unsupported(_) => MediaIssue::UnsupportedType,
        _ => MediaIssue::Corrupt,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// How long an uploaded picture may wait to be sent before it is forgotten.
pub const UNSENT_UPLOAD_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Forgets, once an hour, pictures agents uploaded but never sent, and removes their files
/// when nothing else refers to them. Runs until the hub stops.
pub fn sweep_unsent_uploads(
    store: Store,
    blobs: Arc<dyn BlobStore>,
    workers: &crate::health::Workers,
    mut stopping: watch::Receiver<bool>,
) {
    let watched = stopping.clone();
    workers.spawn("upload-sweeper", None, watched, move |_| async move {
        loop {
            let before =
                store.now() - i64::try_from(UNSENT_UPLOAD_LIFETIME.as_millis()).unwrap_or(i64::MAX);
            match store.forget_unsent_uploads(before).await {
                Ok(orphans) if orphans.is_empty() => {}
                Ok(orphans) => match blobs.forget(&orphans, before).await {
                    Ok(()) => tracing::info!(count = orphans.len(), "unsent pictures forgotten"),
                    Err(error) => tracing::warn!(%error, "cannot remove unsent pictures"),
                },
                Err(error) => tracing::error!(%error, "cannot forget unsent pictures"),
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(60 * 60)) => {}
                _ = stopping.wait_for(|stopping| *stopping) => return,
            }
        }
    });
}

/// The provider's credentials, sent only to the provider's own API host.
#[derive(Clone)]
pub struct ProviderAuth {
    pub origin: url::Origin,
    pub user: String,
    pub password: String,
}

/// The media fetcher's handle.
#[derive(Clone)]
pub struct Fetcher {
    wake: Arc<Notify>,
}

impl Fetcher {
    /// Starts the fetcher; it picks up files a previous run left pending.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn spawn(
        store: Store,
        config: &MediaConfig,
        blobs: Arc<dyn BlobStore>,
        auth: Option<ProviderAuth>,
        workers: &crate::health::Workers,
        mut stopping: watch::Receiver<bool>,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            // Twilio answers with a redirect to its file store; the credentials are not
            // sent on to another host.
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()?;
        let wake = Arc::new(Notify::new());
        let worker = Worker {
            store,
            http,
            blobs,
            auth,
            limits: Limits::from(config),
            not_found_retry_ms: i64::try_from(config.not_found_retry_ms).unwrap_or(i64::MAX),
        };
        let signal = Arc::clone(&wake);
        let watched = stopping.clone();
        workers.spawn("media-fetcher", None, watched, move |_| async move {
            loop {
                worker.run_due().await;
                let wait = match worker.store.next_media_due().await {
                    Ok(Some(at)) => {
                        Duration::from_millis(u64::try_from(at - worker.store.now()).unwrap_or(0))
                    }
                    Ok(None) => Duration::from_secs(60),
                    Err(error) => {
                        tracing::error!(%error, "cannot read pending media");
                        Duration::from_secs(5)
                    }
                };
                tokio::select! {
                    () = signal.notified() => {}
                    () = tokio::time::sleep(wait.min(Duration::from_secs(60))) => {}
                    _ = stopping.wait_for(|stopping| *stopping) => return,
                }
            }
        });
        Ok(Self { wake })
    }

    /// New media is waiting.
    pub fn kick(&self) {
        self.wake.notify_one();
    }
}

struct Worker {
    store: Store,
    http: reqwest::Client,
    blobs: Arc<dyn BlobStore>,
    auth: Option<ProviderAuth>,
    limits: Limits,
    not_found_retry_ms: i64,
}

/// Tries of a file the provider fails to serve (5xx, timeouts) before it is an issue.
const MAX_ATTEMPTS: u32 = 8;

impl Worker {
    async fn run_due(&self) {
        let jobs = match self.store.due_media().await {
            Ok(jobs) => jobs,
            Err(error) => {
                tracing::error!(%error, "cannot read pending media");
                return;
            }
        };
        futures::stream::iter(jobs)
            .for_each_concurrent(4, |job| async move {
                match self.store.claim(Work::Media, job.media_id).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(error) => {
                        tracing::error!(%error, media_id = job.media_id, "cannot claim a picture");
                        return;
                    }
                }
                let outcome = self.fetch(&job).await;
                match &outcome {
                    MediaOutcome::Ready(ready) => {
                        crate::telemetry::media_fetched("stored");
                        tracing::info!(media_id = job.media_id, message_id = job.message_id, digest = %ready.digest, size = ready.size, "picture stored");
                    }
                    MediaOutcome::Issue(issue) => {
                        crate::telemetry::media_fetched("issue");
                        tracing::warn!(media_id = job.media_id, message_id = job.message_id, issue = issue.as_str(), "attachment issue");
                    }
                    MediaOutcome::Retry { at } => {
                        crate::telemetry::media_fetched("retry");
                        tracing::info!(media_id = job.media_id, retry_in_ms = at - self.store.now(), "picture not available yet; retrying");
                    }
                }
                if let Err(error) = self.store.finish_media(&job, &outcome).await {
                    tracing::error!(%error, media_id = job.media_id, "cannot record a media fetch");
                }
                if let Err(error) = self.store.release(Work::Media, job.media_id).await {
                    tracing::warn!(%error, media_id = job.media_id, "cannot release a picture's claim");
                }
            })
            .await;
    }

    fn retry_later(&self, job: &MediaJob) -> MediaOutcome {
        if job.attempts + 1 >= MAX_ATTEMPTS {
            return MediaOutcome::Issue(MediaIssue::FetchFailed);
        }
        let delay_ms = 1_000_i64 << job.attempts.min(6);
        MediaOutcome::Retry {
            at: self.store.now() + delay_ms,
        }
    }

    async fn fetch(&self, job: &MediaJob) -> MediaOutcome {
        let Ok(url) = url::Url::parse(&job.source_url) else {
            return MediaOutcome::Issue(MediaIssue::FetchFailed);
        };
        if !matches!(url.scheme(), "http" | "https") {
            return MediaOutcome::Issue(MediaIssue::FetchFailed);
        }
        let mut request = self.http.get(url.clone());
        if let Some(auth) = self
            .auth
            .as_ref()
            .filter(|auth| auth.origin == url.origin())
        {
            request = request.basic_auth(&auth.user, Some(&auth.password));
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(%error, media_id = job.media_id, "media fetch failed");
                return self.retry_later(job);
            }
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            // The provider may not have the file yet.
            let now = self.store.now();
            let waited = now - job.created_at;
            if waited < self.not_found_retry_ms {
                let delay_ms =
                    (500_i64 << job.attempts.min(4)).min(self.not_found_retry_ms - waited);
                return MediaOutcome::Retry {
                    at: now + delay_ms.max(100),
                };
            }
            return MediaOutcome::Issue(MediaIssue::FetchFailed);
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return self.retry_later(job);
        }
        if !status.is_success() {
            tracing::warn!(%status, media_id = job.media_id, "the provider refused the media file");
            return MediaOutcome::Issue(MediaIssue::FetchFailed);
        }
        if response
            .content_length()
            .is_some_and(|length| length > self.limits.max_bytes)
        {
            return MediaOutcome::Issue(MediaIssue::TooLarge);
        }
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    bytes.extend_from_slice(&chunk);
                    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > self.limits.max_bytes {
                        return MediaOutcome::Issue(MediaIssue::TooLarge);
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, media_id = job.media_id, "media download broke off");
                    return self.retry_later(job);
                }
            }
        }
        let declared = job.declared_type.clone();
        let limits = self.limits;
        let checked = tokio::task::spawn_blocking(move || {
            process(&bytes, &declared, limits).map(|processed| (processed, bytes))
        })
        .await;
        let (processed, bytes) = match checked {
            Ok(Ok(done)) => done,
            Ok(Err(issue)) => return MediaOutcome::Issue(issue),
            Err(error) => {
                tracing::error!(%error, "picture check panicked");
                return MediaOutcome::Issue(MediaIssue::Corrupt);
            }
        };
        for (thumbnail, content) in [(false, &bytes), (true, &processed.thumbnail)] {
            if let Err(error) = self.blobs.put(&processed.digest, thumbnail, content).await {
                tracing::error!(%error, "cannot store a picture; retrying");
                return self.retry_later(job);
            }
        }
        MediaOutcome::Ready(ReadyMedia {
            content_type: processed.content_type.to_owned(),
            size: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            width: processed.width,
            height: processed.height,
            digest: processed.digest,
            thumbnail_type: processed.thumbnail_type.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_types() {
        assert!(is_shown_type("image/jpeg"));
        assert!(is_shown_type("IMAGE/PNG; charset=binary"));
        assert!(!is_shown_type("application/pdf"));
        assert!(!is_shown_type("text/vcard"));
    }
}
