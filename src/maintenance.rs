//! Work every instance does in the background while it serves: sweeping away the sessions
//! that ended, the tasks that have been in the trash long enough, and the sign-in limits'
//! entries that have left their window. Safe with many
//! instances on one database: each statement is idempotent, so two instances sweeping at
//! once only do the work once between them.

use crate::{
    auth::{
        gate::{self, Gates},
        sign_in,
    },
    store::{Store, trash},
};

/// How long an ended (revoked or expired) session's row is kept: a day, so that the logs'
/// and the account page's last word on it still makes sense to whoever asks.
const ENDED_SESSIONS_KEPT: chrono::Duration = chrono::Duration::days(1);

/// Rows deleted by one statement of a purge: short statements, short locks.
const BATCH: i64 = 1_000;

/// At start-up and every hour after: deletes ended sessions, and the tasks that have been
/// in the trash [`trash::KEPT_DAYS`] days, in batches that keep each statement short. Every
/// instance sweeps: deleting what another instance deleted already deletes nothing. A
/// failure is logged and tried again at the next sweep.
pub async fn purge_hourly(store: Store) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        every.tick().await;
        let now = chrono::Utc::now();
        let before = now - ENDED_SESSIONS_KEPT;
        in_batches("ended sessions", || store.purge_sessions(before, BATCH)).await;
        let before = now - chrono::Duration::days(trash::KEPT_DAYS);
        in_batches("trashed tasks", || store.purge_trash(before, BATCH)).await;
    }
}

/// Runs `purge` until a batch comes back short; logs what it erased, or why it stopped.
async fn in_batches<F, Fut>(what: &str, mut purge: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, sqlx::Error>>,
{
    let mut purged = 0;
    loop {
        match purge().await {
            Ok(n) => {
                purged += n;
                if n < BATCH as u64 {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, what, "a purge failed; trying again in an hour");
                break;
            }
        }
    }
    if purged > 0 {
        tracing::info!(rows = purged, what, "purged");
    }
}

/// Every minute: forgets the clients this instance's in-memory gates no longer hold back,
/// and deletes the database's sign-in attempts that have left the limits' window. An
/// attempt prunes only its own scopes (so that concurrent attempts never contend on each
/// other's rows); the attempts of scopes that never come back are swept here.
pub async fn sweep_sign_in_limits(store: Store, gates: Gates) {
    let mut every = tokio::time::interval(gate::FORGET_EVERY);
    loop {
        every.tick().await;
        let tracked = gates.forget_idle();
        let before = chrono::Utc::now().timestamp_millis() - sign_in::WINDOW_MS;
        match store.purge_sign_in_attempts(before).await {
            Ok(purged) => tracing::debug!(tracked, purged, "swept the sign-in limits"),
            Err(e) => {
                tracing::warn!(error = %e, "sweeping old sign-in attempts failed; trying again in a minute")
            }
        }
    }
}
