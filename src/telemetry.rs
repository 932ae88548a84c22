//! Structured logs: one line per request (see [`crate::web::middleware`]), filtered by
//! `RUST_LOG` (default `info`), as text or JSON (`LOG_FORMAT`). Never a secret, a cookie, a
//! token or a task's text: request lines carry the method, route, path (ids only), status,
//! time and user id.

use std::io::IsTerminal;

use tracing::Level;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{
    EnvFilter, Layer, filter::Targets, fmt, layer::SubscriberExt, util::SubscriberInitExt,
};

use crate::{config::LogFormat, meter};

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
/// queue behind, loggers wait for it. Text (colours only on a terminal) or one JSON object
/// per line (`LOG_FORMAT=json`: the request span's id and every field of the request's line
/// at the top level). Also installs [`acquire_waits`]. Keep the guard until exit: dropping
/// it writes out what is still queued.
pub fn init(format: LogFormat) -> WorkerGuard {
    let stdout = std::io::stdout();
    let ansi = stdout.is_terminal();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(stdout);
    let lines = match format {
        LogFormat::Text => fmt::layer()
            .with_target(false)
            .with_ansi(ansi)
            .with_writer(writer)
            .compact()
            .boxed(),
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_target(false)
            .with_writer(writer)
            .boxed(),
    };
    let _ = tracing_subscriber::registry()
        .with(lines.with_filter(filter()))
        .with(acquire_waits())
        .try_init();
    guard
}

/// The layer that feeds `db_pool_acquire_wait_seconds` (see [`meter::AcquireWaits`]), with
/// a filter of its own: it sees sqlx's acquire events whatever `RUST_LOG` says, and the
/// log lines never do.
pub fn acquire_waits<S>() -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    meter::AcquireWaits.with_filter(Targets::new().with_target(meter::ACQUIRE_TARGET, Level::TRACE))
}
