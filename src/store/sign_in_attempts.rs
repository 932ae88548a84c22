//! The brute-force limits' counters: one row per attempt per scope (a keyed hash, see
//! [`crate::auth::sign_in`]), kept for one window. Rows in the database, so the limits hold
//! across every app instance sharing it.
//!
//! Built to stay cheap under a flood (the in-memory gate in front, `auth::gate`, stops most
//! of one first):
//! - an attempt that a limit already refuses is answered from one indexed read, and writes
//!   nothing;
//! - an admitted attempt locks only its own scopes (PostgreSQL: an advisory lock per scope;
//!   SQLite has one write lock for everything anyway), never the table;
//! - an attempt prunes only its own scopes' old rows; the rest are swept every minute
//!   (`maintenance::sweep_sign_in_limits`), so no two attempts delete the same rows;
//! - at most a quarter of the pool's connections run these statements at once, so pages
//!   always have connections, whatever a flood does.

use super::{Dialect, Store, postgres};

/// At most `max` sign-in attempts per window for `scope`.
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimit<'a> {
    pub scope: &'a str,
    pub max: i64,
}

/// The `max`-th newest attempt on a scope within the window, if there are that many: the
/// scope is full, and that attempt's leaving the window is what lets the next one in.
const GATE: &str = "SELECT at_ms FROM sign_in_attempts \
                    WHERE scope = $1 AND at_ms > $2 ORDER BY at_ms DESC LIMIT 1 OFFSET $3";

impl Store {
    /// Records a sign-in attempt at `now_ms` against each limit's scope. Admitted (`None`)
    /// when every scope held fewer than its `max` attempts within the last `window_ms`; else
    /// how many milliseconds until it would be admitted, and nothing is written. Checked
    /// twice: once with a plain read (a refused attempt stops there), then again under the
    /// scopes' locks in the transaction that records it, so concurrent attempts cannot slip
    /// past a limit together.
    ///
    /// Fails with `PoolTimedOut` (an outage to the caller) when the limits' share of the
    /// pool stays taken for the pool's acquire time-out.
    pub async fn record_sign_in_attempt(
        &self,
        limits: &[AttemptLimit<'_>],
        now_ms: i64,
        window_ms: i64,
    ) -> Result<Option<i64>, sqlx::Error> {
        let since = now_ms - window_ms;
        let wait_for = |gate: i64| (gate + window_ms - now_ms).max(1);
        let dialect = self.dialect();
        let _slot = tokio::time::timeout(self.limit_wait, self.limit_slots.acquire())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        on_pool!(self, |pool| {
            let mut conn = pool.acquire().await?;
            let mut wait: Option<i64> = None;
            for limit in limits {
                let gate: Option<i64> = sqlx::query_scalar(GATE)
                    .bind(limit.scope)
                    .bind(since)
                    .bind(limit.max - 1)
                    .fetch_optional(&mut *conn)
                    .await?;
                if let Some(gate) = gate {
                    wait = wait.max(Some(wait_for(gate)));
                }
            }
            if wait.is_some() {
                return Ok(wait);
            }
            // Locks in one order (by scope), so two attempts sharing scopes cannot deadlock.
            let mut scopes: Vec<&AttemptLimit<'_>> = limits.iter().collect();
            scopes.sort_by_key(|limit| limit.scope);
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            for limit in &scopes {
                if dialect == Dialect::Postgres {
                    sqlx::query(postgres::LOCK_SIGN_IN_SCOPE)
                        .bind(limit.scope)
                        .execute(&mut *tx)
                        .await?;
                }
                // A write first: on SQLite it takes the write lock before anything is read,
                // so the reads below see every attempt committed before this one.
                sqlx::query("DELETE FROM sign_in_attempts WHERE scope = $1 AND at_ms <= $2")
                    .bind(limit.scope)
                    .bind(since)
                    .execute(&mut *tx)
                    .await?;
            }
            for limit in &scopes {
                let gate: Option<i64> = sqlx::query_scalar(GATE)
                    .bind(limit.scope)
                    .bind(since)
                    .bind(limit.max - 1)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(gate) = gate {
                    wait = wait.max(Some(wait_for(gate)));
                }
            }
            if wait.is_some() {
                // Another attempt filled a scope meanwhile: refused, and nothing written.
                tx.rollback().await?;
                return Ok(wait);
            }
            for limit in &scopes {
                sqlx::query("INSERT INTO sign_in_attempts (scope, at_ms) VALUES ($1, $2)")
                    .bind(limit.scope)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(None)
        })
    }

    /// Forgets a scope's attempts (a successful sign-in forgives the failures before it).
    pub async fn clear_sign_in_attempts(&self, scope: &str) -> Result<(), sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sign_in_attempts WHERE scope = $1")
                .bind(scope)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Deletes every attempt made at or before `before_ms` (out of every window): the rows
    /// of scopes that never came back to prune their own. Returns how many went.
    pub async fn purge_sign_in_attempts(&self, before_ms: i64) -> Result<u64, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sign_in_attempts WHERE at_ms <= $1")
                .bind(before_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
    }
}
