//! Work every instance does in the background while it serves: today, sweeping away the
//! sessions that ended. Safe with many instances on one database: each statement is
//! idempotent, so two instances sweeping at once only do the work once between them.

use crate::store::Store;

/// How long an ended (revoked or expired) session's row is kept: a day, so that the logs'
/// and the account page's last word on it still makes sense to whoever asks.
const ENDED_SESSIONS_KEPT: chrono::Duration = chrono::Duration::days(1);

/// Deletes ended sessions at start-up and every hour after, in batches that keep each
/// statement short. Every instance sweeps: deleting what another instance deleted already
/// deletes nothing. A failure is logged and tried again at the next sweep.
pub async fn purge_ended_sessions(store: Store) {
    const BATCH: i64 = 1_000;
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        every.tick().await;
        let before = chrono::Utc::now() - ENDED_SESSIONS_KEPT;
        let mut purged = 0;
        loop {
            match store.purge_sessions(before, BATCH).await {
                Ok(n) => {
                    purged += n;
                    if n < BATCH as u64 {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "purging ended sessions failed; trying again in an hour");
                    break;
                }
            }
        }
        if purged > 0 {
            tracing::info!(sessions = purged, "purged ended sessions");
        }
    }
}
