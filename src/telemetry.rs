//! Structured logs: one line per request (see [`crate::web::middleware`]), filtered by
//! `RUST_LOG` (default `info`).

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt};

/// What is logged: `RUST_LOG`, or the app at `info` with sqlx's and actix-server's chatter
/// at `warn`.
pub fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"))
}

/// Lines the log thread may fall behind by. The library's default (128,000) let a burst of
/// requests queue megabytes of lines; this many cover any burst the writer catches up with.
const LOG_QUEUE_LINES: usize = 1_024;

/// Logs to stdout from a thread of its own: a request formats its line and hands it over
/// rather than waiting for the write. No line is dropped: if the writer falls a whole
/// queue behind, loggers wait for it. Colours only on a terminal. Keep the guard until
/// exit: dropping it writes out what is still queued.
pub fn init() -> WorkerGuard {
    let stdout = std::io::stdout();
    let ansi = stdout.is_terminal();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(stdout);
    let _ = fmt()
        .with_env_filter(filter())
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer)
        .compact()
        .try_init();
    guard
}
