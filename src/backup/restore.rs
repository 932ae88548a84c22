//! `restore --from FILE`: checks FILE, copies it beside the database, makes sure nothing has
//! the database open, and swaps the copy in, keeping the replaced file.
//!
//! The in-use check is real but local: every connection to a WAL database holds a shared
//! lock on its file while it is open, so a server on this machine with a connection open
//! blocks the exclusive lock taken here. A server with no connection open at that instant,
//! or on another machine over a network file system, is not seen: hence the command's help
//! says to stop the service first.

use std::{
    fmt,
    fs::{self, File, OpenOptions},
    io,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};
use sqlx::{Connection, SqliteConnection};

use super::{
    database::{self, Access, Summary},
    files::{Partial, exists, remove_if_present, suffixed},
};
use crate::config::DatabaseUrl;

/// What the file kept by a restore is called: the database's path with this added.
pub const BEFORE_RESTORE: &str = ".before-restore";

/// What a restore did: the database now in place, and where the one it replaced went.
#[derive(Debug, Clone)]
pub struct Restored {
    pub database: Summary,
    pub from: PathBuf,
    /// `None` when there was no database to replace.
    pub kept: Option<PathBuf>,
}

impl fmt::Display for Restored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "restored {} to {}", self.from.display(), self.database)?;
        match &self.kept {
            Some(kept) => write!(
                f,
                "the database it replaced is kept as {0}; to undo, stop the service and run \
                 `task-dashboard restore --from {0}`. Start the service again.",
                kept.display()
            ),
            None => write!(f, "there was no database to replace. Start the service."),
        }
    }
}

/// Puts the backup `from` in place of the SQLite database `url` names; the service must be
/// stopped. Refuses, changing nothing, unless `from` is a sound database of this app and
/// nothing has the database open. Restoring from `<db>.before-restore` swaps the two back.
pub async fn restore(url: &DatabaseUrl, from: &Path) -> anyhow::Result<Restored> {
    let db = database::sqlite_file(
        url,
        "restore",
        "pg_restore (for a pg_dump --format=custom file)",
    )?;
    if !from.is_file() {
        bail!("no backup at {}", from.display());
    }
    // A write-ahead log beside it means a live database (or a copy of one taken with `cp`),
    // whose main file alone may lack commits: not a backup this command made.
    if fs::metadata(suffixed(from, "-wal")).is_ok_and(|m| m.len() > 0) {
        bail!(
            "not restoring {0}: it has a write-ahead log beside it ({0}-wal), so it is a live \
             database, not a backup; take one with `task-dashboard backup --to FILE`",
            from.display()
        );
    }
    let checked = database::inspect(from)
        .await
        .with_context(|| format!("not restoring {}: nothing was changed", from.display()))?;
    let kept = suffixed(&db, BEFORE_RESTORE);
    if exists(&kept)? && !same_file(from, &kept) {
        bail!(
            "not restoring: {} exists from an earlier restore; move it somewhere safe (or \
             delete it) first, as this restore would keep the current database under that name",
            kept.display()
        );
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let partial = Partial::beside(&db)?;
    io::copy(
        &mut File::open(from)?,
        &mut OpenOptions::new().write(true).open(&partial.path)?,
    )?;
    let current = fs::metadata(&db).ok();
    if let Some(current) = &current {
        same_owner_and_mode(&partial.path, current)?;
    }
    File::open(&partial.path)?.sync_all()?;
    let lock = match current {
        Some(_) => Some(lock_out(&db).await?),
        None => None,
    };
    let kept = lock.as_ref().map(|_| kept);
    if let Some(kept) = &kept {
        fs::rename(&db, kept)?;
    }
    let swapped = (|| {
        for leftover in ["-wal", "-shm", "-journal"] {
            remove_if_present(&suffixed(&db, leftover))?;
        }
        partial.into_place(&db)
    })();
    if let (Err(e), Some(kept)) = (&swapped, &kept) {
        bail!(
            "restore stopped half-way ({e:#}): the database is now {}; rename it back to {}",
            kept.display(),
            db.display()
        );
    }
    swapped?;
    if let Some(lock) = lock {
        // It holds the kept file, renamed: nothing of the new database.
        lock.close().await?;
    }
    let bytes = fs::metadata(&db)?.len();
    Ok(Restored {
        database: Summary {
            path: db,
            bytes,
            ..checked
        },
        from: from.to_owned(),
        kept,
    })
}

/// Opens the database so that no other connection can until this one closes, having folded
/// its write-ahead log into the file and left WAL mode: the file is then complete on its own,
/// fit to be kept under another name. Fails, changing nothing, if something has it open.
async fn lock_out(db: &Path) -> anyhow::Result<SqliteConnection> {
    let refused = |e: sqlx::Error| {
        let why = if is_busy(&e) {
            "is in use by another process (is the service still running? stop it first)"
        } else {
            "cannot be opened alone"
        };
        anyhow::Error::new(e).context(format!(
            "not restoring: {} {why}; nothing was changed",
            db.display()
        ))
    };
    let mut conn = database::open(db, Access::Exclusive)
        .await
        .map_err(refused)?;
    sqlx::raw_sql("BEGIN EXCLUSIVE; SELECT count(*) FROM sqlite_schema; COMMIT")
        .execute(&mut conn)
        .await
        .map_err(refused)?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut conn)
        .await
        .map_err(refused)?;
    if mode != "delete" {
        bail!(
            "not restoring: {} could not leave WAL mode (still {mode}); nothing was changed",
            db.display()
        );
    }
    Ok(conn)
}

/// `SQLITE_BUSY` or `SQLITE_LOCKED` (any extended code of either): another connection holds
/// a lock this one needs.
fn is_busy(e: &sqlx::Error) -> bool {
    let code = e
        .as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok());
    matches!(code.map(|c| c & 0xff), Some(5 | 6))
}

/// The restored file gets the database's permissions and owner: the service must be able to
/// open it whoever runs the restore. Its group follows where allowed.
fn same_owner_and_mode(file: &Path, like: &fs::Metadata) -> anyhow::Result<()> {
    fs::set_permissions(file, like.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, chown};
        if fs::metadata(file)?.uid() != like.uid() {
            chown(file, Some(like.uid()), None).with_context(|| {
                format!(
                    "not restoring: the database belongs to user {} and this process cannot \
                     give the restored file to them; run restore as that user",
                    like.uid()
                )
            })?;
        }
        let _ = chown(file, None, Some(like.gid()));
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}
