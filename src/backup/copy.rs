//! `backup --to FILE`: `VACUUM INTO` a temporary file beside FILE, which gets FILE's name
//! once it is synced and has passed its check.

use std::{fs::File, path::Path};

use anyhow::{Context, bail};
use sqlx::Connection;

use super::{
    database::{self, Access, Summary},
    files::{Partial, exists},
};
use crate::config::DatabaseUrl;

/// Copies the SQLite database `url` names to `to`, while the server goes on serving.
/// Refuses PostgreSQL, a missing database, and a `to` that exists.
pub async fn backup(url: &DatabaseUrl, to: &Path) -> anyhow::Result<Summary> {
    let source = database::sqlite_file(
        url,
        "back up",
        "pg_dump --format=custom --file=FILE \"$DATABASE_URL\" (pg_restore brings it back)",
    )?;
    if !source.is_file() {
        bail!("no database at {}", source.display());
    }
    if exists(to)? {
        bail!(
            "{} already exists: not overwriting it; delete it or choose another name",
            to.display()
        );
    }
    let partial = Partial::beside(to)?;
    let mut conn = database::open(&source, Access::ReadOnly).await?;
    // Bound, not formatted: `VACUUM INTO` takes an expression.
    sqlx::query("VACUUM INTO $1")
        .bind(partial.utf8()?)
        .execute(&mut conn)
        .await
        .with_context(|| format!("copying {}", source.display()))?;
    conn.close().await?;
    File::open(&partial.path)?.sync_all()?;
    let summary = database::inspect(&partial.path)
        .await
        .context("the copy failed its check (removed)")?;
    partial.into_new(to)?;
    Ok(Summary {
        path: to.to_owned(),
        ..summary
    })
}
