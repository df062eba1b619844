//! Where picture files live, by SHA-256 digest: a folder on this machine (one hub), or the
//! database, which every hub reaches. Files never change once written: the same digest is
//! the same bytes.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use parley_proto::Millis;

use crate::store::{Store, StoreError};

/// What went wrong with a picture file.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("not a SHA-256 digest: {0:?}")]
    BadDigest(String),
    #[error("picture file: {0}")]
    Io(#[from] std::io::Error),
    #[error("picture in the database: {0}")]
    Store(#[from] StoreError),
}

/// A store of picture files (the original, or its thumbnail).
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Keeps `bytes` under `digest`, durably, before it returns.
    async fn put(&self, digest: &str, thumbnail: bool, bytes: &[u8]) -> Result<(), BlobError>;
    /// The bytes under `digest`, or `None` when there are none.
    async fn get(&self, digest: &str, thumbnail: bool) -> Result<Option<Vec<u8>>, BlobError>;
    /// Removes the files of `digests` that no picture refers to and that were not stored
    /// again since `before`.
    async fn forget(&self, digests: &[String], before: Millis) -> Result<(), BlobError>;
}

/// Checks that `digest` is 64 hex digits, the only names a file can have.
fn checked(digest: &str) -> Result<&str, BlobError> {
    if digest.len() == 64 && digest.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        Ok(digest)
    } else {
        Err(BlobError::BadDigest(digest.to_owned()))
    }
}

/// Files in a folder: `<dir>/<first two hex digits>/<digest>` and `<digest>.thumb`.
pub struct FolderBlobs {
    dir: PathBuf,
}

impl FolderBlobs {
    #[must_use]
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Where a file (or its thumbnail) lives; only a 64-digit hex digest names one.
    ///
    /// # Errors
    /// [`BlobError::BadDigest`].
    pub fn path(&self, digest: &str, thumbnail: bool) -> Result<PathBuf, BlobError> {
        let digest = checked(digest)?;
        let name = if thumbnail {
            format!("{digest}.thumb")
        } else {
            digest.to_owned()
        };
        Ok(self.dir.join(&digest[..2]).join(name))
    }
}

#[async_trait]
impl BlobStore for FolderBlobs {
    async fn put(&self, digest: &str, thumbnail: bool, bytes: &[u8]) -> Result<(), BlobError> {
        let path = self.path(digest, thumbnail)?;
        write_durably(&path, bytes).await?;
        Ok(())
    }

    async fn get(&self, digest: &str, thumbnail: bool) -> Result<Option<Vec<u8>>, BlobError> {
        match tokio::fs::read(self.path(digest, thumbnail)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes the files, but not one stored again (or found already there by an upload)
    /// since `before`: an upload of the same picture may be about to point at it.
    async fn forget(&self, digests: &[String], before: Millis) -> Result<(), BlobError> {
        for digest in digests {
            for thumbnail in [false, true] {
                let path = self.path(digest, thumbnail)?;
                match tokio::fs::metadata(&path)
                    .await
                    .and_then(|file| file.modified())
                {
                    Ok(modified) if millis(modified) >= before => {
                        tracing::debug!(path = %path.display(), "a picture stored again is kept");
                        continue;
                    }
                    Ok(_) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(error) => return Err(error.into()),
                }
                match tokio::fs::remove_file(&path).await {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Ok(())
    }
}

/// Writes a file whole or not at all, and on disk before it returns: a temporary file,
/// synced, renamed into place, and the folder synced.
async fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if tokio::fs::try_exists(path).await.unwrap_or(false) {
        // Content-addressed: the same digest is the same file. It is marked as stored now,
        // so a sweep of unsent pictures that began earlier leaves it alone.
        let touched = path.to_owned();
        let marked = tokio::task::spawn_blocking(move || {
            std::fs::File::options()
                .append(true)
                .open(&touched)?
                .set_modified(std::time::SystemTime::now())
        })
        .await
        .map_err(std::io::Error::other)?;
        match marked {
            Ok(()) => return Ok(()),
            // Removed meanwhile by a sweep: write it again.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    if !tokio::fs::try_exists(folder).await.unwrap_or(false) {
        tokio::fs::create_dir_all(folder).await?;
        // The new folder's own entry is on disk too, not only the file in it.
        if let Some(parent) = folder.parent() {
            sync_folder(parent).await?;
        }
    }
    let temporary = folder.join(format!(
        ".{}.{}.partial",
        path.file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("media"),
        uuid::Uuid::new_v4()
    ));
    let written = async {
        let mut file = tokio::fs::File::create(&temporary).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&temporary, path).await?;
        sync_folder(folder).await
    };
    if let Err(error) = written.await {
        if let Err(cleanup) = tokio::fs::remove_file(&temporary).await
            && cleanup.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %cleanup, path = %temporary.display(), "cannot remove a partial picture file");
        }
        return Err(error);
    }
    Ok(())
}

/// A file time in milliseconds since the epoch.
fn millis(time: std::time::SystemTime) -> Millis {
    time.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Makes a rename in `folder` durable (a no-op where folders cannot be opened).
async fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        tokio::fs::File::open(folder).await?.sync_all().await
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

/// Files in the database, which every hub reaches.
pub struct DatabaseBlobs {
    store: Store,
}

impl DatabaseBlobs {
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait]
impl BlobStore for DatabaseBlobs {
    async fn put(&self, digest: &str, thumbnail: bool, bytes: &[u8]) -> Result<(), BlobError> {
        Ok(self
            .store
            .put_blob(checked(digest)?, thumbnail, bytes)
            .await?)
    }

    async fn get(&self, digest: &str, thumbnail: bool) -> Result<Option<Vec<u8>>, BlobError> {
        Ok(self.store.blob(checked(digest)?, thumbnail).await?)
    }

    async fn forget(&self, digests: &[String], before: Millis) -> Result<(), BlobError> {
        Ok(self.store.remove_blobs(digests, before).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_hex_digests_name_files() {
        let blobs = FolderBlobs::new(PathBuf::from("/srv/media"));
        let digest = "ab".repeat(32);
        assert_eq!(
            blobs.path(&digest, false).expect("a digest"),
            Path::new("/srv/media/ab").join(&digest)
        );
        for hostile in [
            "../../etc/passwd",
            "",
            "ab",
            &format!("{}/", "a".repeat(63)),
        ] {
            assert!(
                matches!(blobs.path(hostile, false), Err(BlobError::BadDigest(_))),
                "{hostile:?} names no file"
            );
        }
    }

    #[tokio::test]
    async fn a_folder_keeps_a_file_once_and_forgets_it() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let blobs = FolderBlobs::new(folder.path().to_owned());
        let digest = "0f".repeat(32);
        blobs.put(&digest, false, b"picture").await.expect("stored");
        blobs.put(&digest, true, b"thumb").await.expect("stored");
        assert_eq!(
            blobs.get(&digest, false).await.expect("read").as_deref(),
            Some(&b"picture"[..])
        );
        assert_eq!(
            blobs.get(&digest, true).await.expect("read").as_deref(),
            Some(&b"thumb"[..])
        );
        let leftovers: Vec<_> = std::fs::read_dir(folder.path().join("0f"))
            .expect("the folder")
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "no partial file is left behind");
        let later = millis(std::time::SystemTime::now()) + 60_000;
        blobs
            .forget(std::slice::from_ref(&digest), later)
            .await
            .expect("forgotten");
        assert_eq!(blobs.get(&digest, false).await.expect("read"), None);
        assert_eq!(blobs.get(&digest, true).await.expect("read"), None);
        blobs
            .forget(std::slice::from_ref(&digest), later)
            .await
            .expect("forgetting twice is fine");
    }

    #[tokio::test]
    async fn a_sweep_keeps_a_file_an_upload_stored_again_after_it_began() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let blobs = FolderBlobs::new(folder.path().to_owned());
        let digest = "1e".repeat(32);
        blobs.put(&digest, false, b"picture").await.expect("stored");
        // Stored two days ago; the sweep forgets what was not stored again in the last day.
        let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
        let path = blobs.path(&digest, false).expect("a path");
        std::fs::File::options()
            .append(true)
            .open(&path)
            .and_then(|file| file.set_modified(two_days_ago))
            .expect("aged");
        let before = millis(std::time::SystemTime::now()) - 24 * 3600 * 1000;
        // The sweep found no row pointing at it; meanwhile an upload of the same picture
        // finds the file there and is about to point at it.
        blobs
            .put(&digest, false, b"picture")
            .await
            .expect("stored again");
        blobs
            .forget(std::slice::from_ref(&digest), before)
            .await
            .expect("swept");
        assert_eq!(
            blobs.get(&digest, false).await.expect("read").as_deref(),
            Some(&b"picture"[..]),
            "the upload's file is still there"
        );
        // Left alone past the sweep's time, it goes.
        std::fs::File::options()
            .append(true)
            .open(&path)
            .and_then(|file| file.set_modified(two_days_ago))
            .expect("aged");
        blobs
            .forget(std::slice::from_ref(&digest), before)
            .await
            .expect("swept");
        assert_eq!(blobs.get(&digest, false).await.expect("read"), None);
    }
}
