//! The brute-force limits' counters: one row per attempt per scope (a keyed hash, see
//! [`crate::auth::sign_in`]), kept for one window. Rows in the database, so the limits hold
//! across every app instance sharing it.

use super::{Dialect, Store, postgres};

/// At most `max` sign-in attempts per window for `scope`.
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimit<'a> {
    pub scope: &'a str,
    pub max: i64,
}

impl Store {
    /// Records a sign-in attempt at `now_ms` against each limit's scope and forgets attempts
    /// older than the window. Admitted (`None`) when no scope now holds more than its `max`
    /// attempts within the last `window_ms`; else how many milliseconds until the attempt
    /// would be admitted, if none were made meanwhile. Refused attempts count too, so
    /// hammering keeps a limit shut; one transaction, so concurrent attempts cannot slip by.
    pub async fn record_sign_in_attempt(
        &self,
        limits: &[AttemptLimit<'_>],
        now_ms: i64,
        window_ms: i64,
    ) -> Result<Option<i64>, sqlx::Error> {
        let since = now_ms - window_ms;
        let dialect = self.dialect();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if dialect == Dialect::Postgres {
                sqlx::query(postgres::LOCK_SIGN_IN_ATTEMPTS)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM sign_in_attempts WHERE at_ms <= $1")
                .bind(since)
                .execute(&mut *tx)
                .await?;
            let mut wait: Option<i64> = None;
            for limit in limits {
                sqlx::query("INSERT INTO sign_in_attempts (scope, at_ms) VALUES ($1, $2)")
                    .bind(limit.scope)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                // The max-th and (max + 1)-th newest attempts in the window. The second
                // exists only when the scope is over its limit; the first is the one whose
                // leaving the window lets the next attempt in.
                let gate: Vec<i64> = sqlx::query_scalar(
                    "SELECT at_ms FROM sign_in_attempts \
                     WHERE scope = $1 AND at_ms > $2 ORDER BY at_ms DESC LIMIT 2 OFFSET $3",
                )
                .bind(limit.scope)
                .bind(since)
                .bind(limit.max - 1)
                .fetch_all(&mut *tx)
                .await?;
                if let [gate, _over] = gate[..] {
                    let this = (gate + window_ms - now_ms).max(1);
                    wait = Some(wait.map_or(this, |w| w.max(this)));
                }
            }
            tx.commit().await?;
            Ok(wait)
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
}
