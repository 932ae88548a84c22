//! The shared backend: PostgreSQL (e.g. Neon), for many stateless app instances. Its
//! connection set-up, and the parts of statements where PostgreSQL's dialect differs.

use std::str::FromStr;

use sqlx::{
    PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use super::PoolSettings;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

pub async fn connect(url: &str, settings: PoolSettings) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.application_name("task-dashboard");
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_with(options)
        .await
}

/// Tasks without a due date sort after every real one.
pub const DUE_EXPR: &str = "coalesce(due_date, DATE '9999-12-31')";

/// Concurrent attempts on one limit's scope are serialised, so a burst cannot each count
/// before the others are written; attempts on other scopes go by. An advisory lock on the
/// scope's hash, held to the end of the transaction: no table lock, no row to contend on.
/// (SQLite's first write takes the database's one write lock by itself.)
pub const LOCK_SIGN_IN_SCOPE: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
