//! The shared backend: PostgreSQL (e.g. Neon), for many stateless app instances.

use std::str::FromStr;

use sqlx::{
    PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use super::{
    PoolSettings,
    sql::{impl_store, impl_task_store},
};

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    const MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

    pub async fn connect(url: &str, settings: PoolSettings) -> Result<Self, sqlx::Error> {
        let options = PgConnectOptions::from_str(url)?.application_name("task-dashboard");
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }
}

impl PgStore {
    const DUE_EXPR: &'static str = "coalesce(due_date, DATE '9999-12-31')";
    const LIKE: &'static str = "ILIKE";

    /// Nothing to add: the trigram indexes of migration 0004 serve `ILIKE` itself.
    fn push_search_index(_: &mut sqlx::QueryBuilder<sqlx::Postgres>, _: i64, _: &str) {}

    /// PostgreSQL's `lower()` folds Unicode letters.
    fn fold_title(title: &str) -> String {
        title.to_lowercase()
    }
}

impl_store!(PgStore, sqlx::Postgres, "postgres");
impl_task_store!(PgStore, sqlx::Postgres);
