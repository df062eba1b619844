//! `parley-hub backup` and `restore`: a SQLite hub's database and picture folder, copied
//! while it runs, and put back. (PostgreSQL has its own tools: `pg_dump` and `pg_restore`;
//! see docs/operations.md.)
//!
//! The copy is SQLite's `VACUUM INTO`: one read transaction, so the file holds the
//! database as of one moment, whatever the hub commits meanwhile. It is written under a
//! temporary name and renamed when complete, so a backup file is never half a backup.
//! Pictures never change once written and are stored before a message refers to them, so
//! copying the folder after the database holds every picture the copy refers to.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use sqlx::ConnectOptions as _;
use sqlx::sqlite::SqliteConnectOptions;

use crate::Store;
use crate::config::{Config, Database, MediaStore};

/// What a backup or a restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub messages: i64,
    pub contacts: i64,
    pub pictures: u64,
}

/// Where the pictures of the backup `file` go: `<file>.media/`.
#[must_use]
pub fn media_beside(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".media");
    PathBuf::from(name)
}

fn sqlite_path(database: &Database, doing: &str, tool: &str) -> anyhow::Result<PathBuf> {
    match database {
        Database::Sqlite(path) => Ok(path.clone()),
        Database::Postgres(_) => bail!(
            "the database is PostgreSQL: {doing} it with {tool} (docs/operations.md, \
             \"Backups\"); parley-hub {doing}s SQLite databases"
        ),
    }
}

async fn connect(path: &Path, read_only: bool) -> anyhow::Result<sqlx::SqliteConnection> {
    SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Copies the configured SQLite database (and its picture folder) to `to`, while the hub
/// may be running.
///
/// # Errors
/// A PostgreSQL database, an existing `to`, or a copy that fails its check.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<Summary> {
    let source = sqlite_path(&config.database, "back up", "pg_dump")?;
    ensure!(
        source.is_file(),
        "there is no database at {}",
        source.display()
    );
    ensure!(
        !to.exists(),
        "{} exists already: back up to a new file",
        to.display()
    );
    let partial = with_suffix(to, ".partial");
    if partial.exists() {
        std::fs::remove_file(&partial)
            .with_context(|| format!("cannot remove {}", partial.display()))?;
    }
    let destination = partial
        .to_str()
        .context("the backup's path is not valid UTF-8")?;
    let mut connection = connect(&source, true).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(destination)
        .execute(&mut connection)
        .await
        .with_context(|| format!("cannot copy {} into {}", source.display(), to.display()))?;
    drop(connection);
    let summary = check(&partial).await?;
    sync_file(&partial)?;
    std::fs::rename(&partial, to).with_context(|| format!("cannot name {}", to.display()))?;
    let pictures = if config.media_store() == MediaStore::Folder {
        copy_tree(&config.media_dir(), &media_beside(to))?
    } else {
        0
    };
    Ok(Summary {
        pictures,
        ..summary
    })
}

/// Puts the backup `from` in place of the configured SQLite database (stop the hub first).
/// An existing database is kept beside it as `<database>.before-restore`.
///
/// # Errors
/// A PostgreSQL database, a backup that fails its check, or an existing database without
/// `replace`.
pub async fn restore(config: &Config, from: &Path, replace: bool) -> anyhow::Result<Summary> {
    let target = sqlite_path(&config.database, "restore", "pg_restore")?;
    ensure!(from.is_file(), "there is no backup at {}", from.display());
    let summary = check(from).await?;
    if target.exists() {
        ensure!(
            replace,
            "{} holds a database: stop the hub, then restore with --replace (the current \
             database is kept as {})",
            target.display(),
            with_suffix(&target, ".before-restore").display()
        );
        let kept = with_suffix(&target, ".before-restore");
        for suffix in ["", "-wal", "-shm"] {
            let file = with_suffix(&target, suffix);
            if file.exists() {
                std::fs::rename(&file, with_suffix(&kept, suffix))
                    .with_context(|| format!("cannot move {} aside", file.display()))?;
            }
        }
    }
    if let Some(folder) = target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    let partial = with_suffix(&target, ".restoring");
    std::fs::copy(from, &partial)
        .with_context(|| format!("cannot copy {} to {}", from.display(), partial.display()))?;
    sync_file(&partial)?;
    std::fs::rename(&partial, &target)
        .with_context(|| format!("cannot name {}", target.display()))?;
    let pictures = if config.media_store() == MediaStore::Folder {
        copy_tree(&media_beside(from), &config.media_dir())?
    } else {
        0
    };
    // Opening it applies the migrations of this build, if the backup is older.
    let store = Store::open(&config.database).await?;
    store.close().await;
    Ok(Summary {
        pictures,
        ..summary
    })
}

/// Checks a copy (SQLite's own check, and a Parley database) and counts what it holds.
async fn check(path: &Path) -> anyhow::Result<Summary> {
    let mut connection = connect(path, true).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    ensure!(
        integrity == "ok",
        "{} is damaged: {integrity}",
        path.display()
    );
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut connection)
        .await
        .with_context(|| format!("{} is not a Parley hub's database", path.display()))?;
    ensure!(
        migrations > 0,
        "{} is not a Parley hub's database",
        path.display()
    );
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(&mut connection)
        .await?;
    let contacts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
        .fetch_one(&mut connection)
        .await?;
    Ok(Summary {
        messages,
        contacts,
        pictures: 0,
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot write {} to disk", path.display()))
}

/// Copies the files of `from` (pictures: `<two digits>/<digest>`) that `to` lacks; how
/// many it copied. A missing `from` is no pictures.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<u64> {
    if !from.is_dir() {
        return Ok(0);
    }
    let mut copied = 0;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copied += copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() && !target.exists() {
            std::fs::create_dir_all(to)
                .with_context(|| format!("cannot create {}", to.display()))?;
            let partial = with_suffix(&target, ".partial");
            std::fs::copy(entry.path(), &partial)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
            std::fs::rename(&partial, &target)?;
            copied += 1;
        }
    }
    Ok(copied)
}
