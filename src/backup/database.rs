//! Opening an SQLite database file with plain connections (no pool, no migrations, never
//! creating one), and checking that a file is a sound database of this app.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use anyhow::{Context, bail};
use sqlx::{
    ConnectOptions, Connection, SqliteConnection,
    sqlite::{SqliteConnectOptions, SqliteLockingMode},
};

use crate::config::DatabaseUrl;

/// How long a connection waits for a lock: a restore then says the database is in use.
const LOCK_WAIT: Duration = Duration::from_secs(1);

/// A checked database file, as the one line an operator reads after a backup or restore.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    pub bytes: u64,
    pub users: i64,
    pub tasks: i64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = self.bytes as f64 / 1_000_000.0;
        write!(
            f,
            "{} ({mb:.1} MB, {}, {}, integrity check ok)",
            self.path.display(),
            counted(self.users, "user"),
            counted(self.tasks, "task")
        )
    }
}

fn counted(n: i64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The file a `sqlite:` URL names. PostgreSQL is refused with the tool to use instead.
pub(super) fn sqlite_file(
    url: &DatabaseUrl,
    what: &str,
    postgres_tool: &str,
) -> anyhow::Result<PathBuf> {
    if url.is_postgres() {
        bail!("cannot {what} PostgreSQL here: use {postgres_tool}");
    }
    let text = url.expose();
    if text.contains(":memory:") || text.contains("mode=memory") {
        bail!("cannot {what} an in-memory database: it has no file");
    }
    let options = SqliteConnectOptions::from_str(text)?;
    Ok(options.get_filename().to_owned())
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Access {
    ReadOnly,
    /// Read-only, and nothing else will change the file while it is open (a copy this
    /// process made, a backup being checked): SQLite neither locks it nor looks for a log.
    Immutable,
    /// Read-write, in exclusive locking mode: the first read takes the file's lock for good.
    Exclusive,
}

/// One plain connection: no pool, no migrations, never creating a file.
pub(super) async fn open(file: &Path, access: Access) -> Result<SqliteConnection, sqlx::Error> {
    let mut options = SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(false)
        .read_only(access != Access::Exclusive)
        .immutable(access == Access::Immutable)
        .busy_timeout(LOCK_WAIT)
        // A large copy outlasts sqlx's slow-statement warning, which would only alarm.
        .disable_statement_logging();
    if access == Access::Exclusive {
        options = options.locking_mode(SqliteLockingMode::Exclusive);
    }
    options.connect().await
}

/// Checks a database file on its own (no log beside it is read): that it passes `PRAGMA
/// integrity_check` and has this app's tables; counts its users and tasks.
pub(super) async fn inspect(file: &Path) -> anyhow::Result<Summary> {
    let mut conn = open(file, Access::Immutable).await?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .with_context(|| format!("cannot read {} as an SQLite database", file.display()))?;
    if problems != ["ok"] {
        let first: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
        bail!(
            "{} fails SQLite's integrity check: {}",
            file.display(),
            first.join("; ")
        );
    }
    let ours: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' \
         AND name IN ('_sqlx_migrations', 'users', 'tasks')",
    )
    .fetch_one(&mut conn)
    .await?;
    if ours != 3 {
        bail!(
            "{} is an SQLite database, but not this app's (no _sqlx_migrations, users and \
             tasks tables)",
            file.display()
        );
    }
    let (users, tasks): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM tasks)")
            .fetch_one(&mut conn)
            .await?;
    conn.close().await?;
    Ok(Summary {
        path: file.to_owned(),
        bytes: fs::metadata(file)?.len(),
        users,
        tasks,
    })
}
