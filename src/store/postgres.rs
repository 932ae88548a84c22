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

/// Sign-in attempts are serialised, so a burst of concurrent ones cannot each count before
/// the others are written. SQLite's first write takes the database's write lock by itself;
/// PostgreSQL needs the table lock (sign-ins are rare and quick).
pub const LOCK_SIGN_IN_ATTEMPTS: &str = "LOCK TABLE sign_in_attempts IN SHARE ROW EXCLUSIVE MODE";
