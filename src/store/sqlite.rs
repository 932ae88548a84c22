//! The embedded backend: one SQLite file in WAL mode, for a single machine. Its connection
//! set-up, and the parts of statements where SQLite's dialect differs.

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    SqlitePool,
    migrate::Migrator,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::PoolSettings;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Opens (creating it and its folder if needed) the SQLite file the URL names.
pub async fn connect(url: &str, settings: PoolSettings) -> Result<SqlitePool, sqlx::Error> {
    without_memory_statistics();
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        // WAL lets readers run beside the one writer; NORMAL sync is durable across
        // application crashes and only risks the last commits on power loss.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        .pragma("temp_store", "memory")
        // Memory is per connection, so it is kept small: 2 MiB of page cache each (the
        // hot pages are the indexes' upper levels; the OS caches the file anyway), and no
        // memory map, whose touched pages would count as the process's own (a 128 MiB
        // map plus 16 MiB caches took the server's peak RSS past 300 MB under load; 4 MiB
        // caches left it at 66 MB, over the 64 MB budget).
        .pragma("cache_size", "-2000")
        .pragma("mmap_size", "0");
    if let Some(parent) = Path::new(options.get_filename()).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    SqlitePoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        // Each acquire's wait, for `db_pool_acquire_wait_seconds` (see `crate::meter`).
        .acquire_time_level(log::LevelFilter::Trace)
        .connect_with(options)
        .await
}

/// Turns off SQLite's global memory statistics, which nothing here reads. While they are on
/// (the library's default), every allocation SQLite makes takes one process-wide mutex; with
/// a connection per thread that lock was among the busiest on a 2-core profile of the
/// dashboard (the contended futex wake-ups on sqlx's worker threads).
///
/// Only possible before SQLite initialises, that is before this process opens its first
/// connection; a later call is refused (`SQLITE_MISUSE`) and changes nothing, so a process
/// that opened SQLite some other way first just keeps the statistics.
fn without_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` with `SQLITE_CONFIG_MEMSTATUS` takes one `int`, as passed.
        // It must not run beside other SQLite calls: this runs once, before the process's
        // first connection is opened (every connection is opened through `connect`), and
        // other callers wait on `ONCE` until it has returned.
        let rc = unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            )
        };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(
                rc,
                "SQLite's memory statistics stay on: it is already initialised"
            );
        }
    });
}

/// Tasks without a due date sort after every real one.
pub const DUE_EXPR: &str = "coalesce(due_date, '9999-12-31')";

/// How a statement filtered by tag names the owner's column: `+user_id`, which no index
/// serves, so SQLite reads the tagged tasks by id from `task_tags`' key (one range per
/// tag) rather than walk the account's order index testing each row against the tag. SQLite
/// has no statistics to know that a tag holds a few of an account's tasks; unhelped it
/// walked the 50,000 tasks of the largest accounts to count a tag's 1,200 (8.7 ms against
/// 1.2 ms, in a 60,000-task file).
pub const TAGGED_OWNER: &str = "+user_id";

/// The FTS5 query that finds the user's rows containing `q` in the trigram index
/// (migration 0004). Texts under three characters have no trigram, so they skip the index.
pub fn search_match(user_id: i64, q: &str) -> Option<String> {
    if q.chars().count() < 3 {
        return None;
    }
    let phrase = q.replace('"', "\"\"");
    Some(format!(
        "owner : \"{}\" AND {{title description}} : \"{phrase}\"",
        search_owner(user_id)
    ))
}

/// The user id as the index's `owner` holds it: three base-6,400 digits, each a
/// private-use character from U+E000 (the expression in migration 0004).
fn search_owner(user_id: i64) -> String {
    [
        user_id / 40_960_000,
        (user_id / 6_400) % 6_400,
        user_id % 6_400,
    ]
    .into_iter()
    .map(|digit| {
        u32::try_from(0xE000 + digit)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{E000}')
    })
    .collect()
}
