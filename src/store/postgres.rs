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

/// The plan cache mode every connection starts with, unless `DATABASE_URL`'s `options` name
/// one. The app's statements are prepared once per connection and run with new values each
/// time; under the default (`auto`), PostgreSQL kept planning the dashboard's statement
/// afresh on every run, because each custom plan looked a little cheaper than the generic
/// one. That planning was about a fifth of the database's CPU per dashboard view (see the
/// README's performance notes). Every statement of ours reads by owner through an index
/// whatever the values are, so one plan per statement serves all of them.
const PLAN_CACHE_MODE: (&str, &str) = ("plan_cache_mode", "force_generic_plan");

pub async fn connect(url: &str, settings: PoolSettings) -> Result<PgPool, sqlx::Error> {
    let mut options = PgConnectOptions::from_str(url)?.application_name("task-dashboard");
    if !options
        .get_options()
        .is_some_and(|given| given.contains(PLAN_CACHE_MODE.0))
    {
        options = options.options([PLAN_CACHE_MODE]);
    }
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
