//! `parley-hub migrate-data`: a hub's whole data from one database to another — a SQLite
//! hub that outgrew one machine to PostgreSQL — with its pictures moved from the media
//! folder into the database (or the other way), ids and the event log kept as they were,
//! so desktops that synced before carry on from their cursor.

use std::path::PathBuf;
use std::sync::Arc;

use crate::blobs::{BlobError, BlobStore, DatabaseBlobs, FolderBlobs};
use crate::config::Database;
use crate::store::{Copied, Store, StoreError};

/// Where one side keeps its pictures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pictures {
    /// A media folder.
    Folder(PathBuf),
    /// The database itself (they move with the rows).
    Database,
}

impl Pictures {
    /// The default for a database: SQLite's `media/` folder beside its file, PostgreSQL's
    /// own table.
    #[must_use]
    pub fn default_for(database: &Database) -> Self {
        match database {
            Database::Sqlite(path) => Self::Folder(
                path.parent()
                    .map_or_else(|| PathBuf::from("media"), |parent| parent.join("media")),
            ),
            Database::Postgres(_) => Self::Database,
        }
    }
}

/// What was copied.
#[derive(Debug, Clone, Default)]
pub struct Migrated {
    pub copied: Copied,
    /// Picture files (originals and thumbnails) moved between stores.
    pub files: u64,
    /// Digests whose files were not in the source store (reported, not fatal: the rows
    /// still say what the picture was).
    pub missing: Vec<String>,
}

/// Why the data could not be moved.
#[derive(Debug, thiserror::Error)]
pub enum MigrateDataError {
    #[error("{side} database: {source}")]
    Store {
        side: &'static str,
        source: StoreError,
    },
    #[error("pictures: {0}")]
    Pictures(#[from] BlobError),
}

fn blobs(pictures: &Pictures, store: &Store) -> Arc<dyn BlobStore> {
    match pictures {
        Pictures::Folder(dir) => Arc::new(FolderBlobs::new(dir.clone())),
        Pictures::Database => Arc::new(DatabaseBlobs::new(store.clone())),
    }
}

/// Copies everything from `from` into the empty database `to` (both are migrated to the
/// current schema first), then the picture files `from_pictures` holds into
/// `to_pictures`. `progress` hears of each table as it is done.
///
/// # Errors
/// [`MigrateDataError`]: a database that cannot be opened, a target that holds data,
/// a picture store that cannot be read or written.
pub async fn migrate_data(
    from: &Database,
    to: &Database,
    from_pictures: &Pictures,
    to_pictures: &Pictures,
    progress: impl FnMut(&'static str, u64),
) -> Result<Migrated, MigrateDataError> {
    let source = Store::open(from)
        .await
        .map_err(|source| MigrateDataError::Store {
            side: "source",
            source,
        })?;
    let target = Store::open(to)
        .await
        .map_err(|source| MigrateDataError::Store {
            side: "target",
            source,
        })?;
    let copied = source
        .copy_into(&target, progress)
        .await
        .map_err(|source| MigrateDataError::Store {
            side: "target",
            source,
        })?;
    let mut migrated = Migrated {
        copied,
        ..Migrated::default()
    };
    let same_store = match (from_pictures, to_pictures) {
        (Pictures::Database, Pictures::Database) => true,
        (Pictures::Folder(from), Pictures::Folder(to)) => from == to,
        _ => false,
    };
    if !same_store {
        let (reading, writing) = (blobs(from_pictures, &source), blobs(to_pictures, &target));
        let digests = target
            .picture_digests()
            .await
            .map_err(|source| MigrateDataError::Store {
                side: "target",
                source,
            })?;
        for digest in digests {
            for thumbnail in [false, true] {
                match reading.get(&digest, thumbnail).await? {
                    Some(bytes) => {
                        writing.put(&digest, thumbnail, &bytes).await?;
                        migrated.files += 1;
                    }
                    None if !migrated.missing.contains(&digest) => {
                        migrated.missing.push(digest.clone());
                    }
                    None => {}
                }
            }
        }
    }
    source.close().await;
    target.close().await;
    Ok(migrated)
}
