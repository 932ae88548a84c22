//! Structured logs: one line per request (see [`crate::web::middleware`]), filtered by
//! `RUST_LOG` (default `info`).

use tracing_subscriber::{EnvFilter, fmt};

/// What is logged: `RUST_LOG`, or the app at `info` with sqlx's and actix-server's chatter
/// at `warn`.
pub fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"))
}

pub fn init() {
    let _ = fmt()
        .with_env_filter(filter())
        .with_target(false)
        .compact()
        .try_init();
}
