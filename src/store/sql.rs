//! The SQL both backends share, and the macro that implements [`Store`](super::Store) over
//! a sqlx pool.
//!
//! SQLite and PostgreSQL agree on `$N` placeholders, `RETURNING` and `ON CONFLICT`, so one
//! statement serves both; a backend passes its own text only where the dialects differ.
//! The implementation is a macro rather than a generic function because sqlx's generic
//! bounds over `Database` would bury every query under a screen of where-clauses.

pub const CREATE_USER: &str = "INSERT INTO users (email, password_hash, created_at, updated_at) \
     VALUES ($1, $2, $3, $3) ON CONFLICT (email) DO NOTHING \
     RETURNING id, email, created_at";

pub const FIND_CREDENTIALS: &str = "SELECT id, password_hash FROM users WHERE email = $1";

pub const CREATE_SESSION: &str = "INSERT INTO sessions \
     (id, user_id, created_at, last_seen_at, expires_at, user_agent, kind) \
     VALUES ($1, $2, $3, $3, $4, $5, $6)";

pub const SESSION_USER: &str = "SELECT u.id AS user_id, u.email, s.last_seen_at \
     FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3";

/// `SESSION_USER` and `TASK_STATS` in one statement. The counts are scalar subqueries of
/// the one session row, so a dead session (no row) reads no task at all.
pub const SESSION_USER_WITH_STATS: &str = "SELECT u.id AS user_id, u.email, s.last_seen_at, \
     (SELECT COUNT(*) FROM tasks WHERE user_id = $2) AS total, \
     (SELECT COUNT(*) FROM tasks WHERE user_id = $2 AND is_completed = $5) AS done, \
     (SELECT COUNT(*) FROM tasks WHERE user_id = $2 AND is_completed = $6 AND due_date < $4) \
     AS overdue \
     FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3";

pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";

pub const REVOKE_SESSION: &str = "UPDATE sessions SET revoked_at = $3 \
     WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL";

pub const LIST_SESSIONS: &str = "SELECT id, kind, user_agent, created_at, last_seen_at, expires_at \
     FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
     ORDER BY last_seen_at DESC, created_at DESC LIMIT $3";

pub const REVOKE_OTHER_SESSIONS: &str = "UPDATE sessions SET revoked_at = $3 \
     WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL";

pub const PASSWORD_HASH: &str = "SELECT password_hash FROM users WHERE id = $1";

pub const SET_PASSWORD_HASH: &str =
    "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";

pub const RECORD_SIGN_IN_ATTEMPT: &str =
    "INSERT INTO sign_in_attempts (scope, at_ms) VALUES ($1, $2)";

pub const PRUNE_SIGN_IN_ATTEMPTS: &str = "DELETE FROM sign_in_attempts WHERE at_ms <= $1";

/// With `$3` = max - 1: the max-th and (max + 1)-th newest attempts in the window. The
/// second exists only when the scope is over its limit; the first is the one whose leaving
/// the window lets the next attempt in. See `record_sign_in_attempt`.
pub const GATE_SIGN_IN_ATTEMPTS: &str = "SELECT at_ms FROM sign_in_attempts \
     WHERE scope = $1 AND at_ms > $2 ORDER BY at_ms DESC LIMIT 2 OFFSET $3";

pub const CLEAR_SIGN_IN_ATTEMPTS: &str = "DELETE FROM sign_in_attempts WHERE scope = $1";

/// Implements `Store` for `$store` (a struct with a `pool` field) over database `$db`.
macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
                Self::MIGRATOR.run(&self.pool).await
            }

            async fn ping(&self) -> Result<(), sqlx::Error> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }

            async fn create_user(
                &self,
                email: &str,
                password_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::store::User>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::CREATE_USER)
                    .bind(email)
                    .bind(password_hash)
                    .bind($crate::store::micros(now))
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn find_credentials(
                &self,
                email: &str,
            ) -> Result<Option<$crate::store::Credentials>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::FIND_CREDENTIALS)
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn create_session(
                &self,
                session: &$crate::store::NewSession<'_>,
            ) -> Result<(), sqlx::Error> {
                sqlx::query($crate::store::sql::CREATE_SESSION)
                    .bind(session.id)
                    .bind(session.user_id)
                    .bind($crate::store::micros(session.created_at))
                    .bind($crate::store::micros(session.expires_at))
                    .bind(session.user_agent)
                    .bind(session.kind.as_str())
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }

            async fn session_user(
                &self,
                session_id: &str,
                user_id: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::store::SessionUser>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::SESSION_USER)
                    .bind(session_id)
                    .bind(user_id)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn session_user_with_stats(
                &self,
                session_id: &str,
                user_id: i64,
                now: chrono::DateTime<chrono::Utc>,
                today: chrono::NaiveDate,
            ) -> Result<Option<$crate::store::SessionStats>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::SESSION_USER_WITH_STATS)
                    .bind(session_id)
                    .bind(user_id)
                    .bind(now)
                    .bind(today)
                    .bind(true)
                    .bind(false)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn touch_session(
                &self,
                session_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), sqlx::Error> {
                sqlx::query($crate::store::sql::TOUCH_SESSION)
                    .bind(session_id)
                    .bind($crate::store::micros(now))
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }

            async fn create_users_bulk(
                &self,
                emails: &[String],
                password_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<i64>, sqlx::Error> {
                let now = $crate::store::micros(now);
                let mut tx = self.pool.begin().await?;
                let mut ids = Vec::with_capacity(emails.len());
                // 4 values a row: well under both backends' limits on bound parameters.
                for chunk in emails.chunks(2_000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO users (email, password_hash, created_at, updated_at) ",
                    );
                    qb.push_values(chunk, |mut row, email| {
                        row.push_bind(email.as_str())
                            .push_bind(password_hash)
                            .push_bind(now)
                            .push_bind(now);
                    });
                    qb.push(" RETURNING id");
                    let mut chunk_ids: Vec<i64> =
                        qb.build_query_scalar().fetch_all(&mut *tx).await?;
                    // RETURNING follows insertion order on both backends for a VALUES list,
                    // but sorting makes that an invariant rather than an assumption.
                    chunk_ids.sort_unstable();
                    ids.extend(chunk_ids);
                }
                tx.commit().await?;
                Ok(ids)
            }

            async fn import_tasks(
                &self,
                tasks: &[$crate::store::ImportTask],
            ) -> Result<(), sqlx::Error> {
                let mut tx = self.pool.begin().await?;
                for chunk in tasks.chunks(1_000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO tasks (user_id, title, description, is_completed, priority, \
                         due_date, version, created_at, updated_at) ",
                    );
                    qb.push_values(chunk, |mut row, t| {
                        let at = $crate::store::micros(t.created_at);
                        row.push_bind(t.user_id)
                            .push_bind(t.title.as_str())
                            .push_bind(t.description.as_deref())
                            .push_bind(t.is_completed)
                            .push_bind(t.priority.rank())
                            .push_bind(t.due_date)
                            .push_bind(1_i64)
                            .push_bind(at)
                            .push_bind(at);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await
            }

            async fn revoke_session(
                &self,
                user_id: i64,
                session_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, sqlx::Error> {
                let done = sqlx::query($crate::store::sql::REVOKE_SESSION)
                    .bind(user_id)
                    .bind(session_id)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn list_sessions(
                &self,
                user_id: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::store::SessionInfo>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::LIST_SESSIONS)
                    .bind(user_id)
                    .bind(now)
                    .bind($crate::store::SESSIONS_LISTED)
                    .fetch_all(&self.pool)
                    .await
            }

            async fn revoke_other_sessions(
                &self,
                user_id: i64,
                keep: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, sqlx::Error> {
                let done = sqlx::query($crate::store::sql::REVOKE_OTHER_SESSIONS)
                    .bind(user_id)
                    .bind(keep)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn password_hash(&self, user_id: i64) -> Result<Option<String>, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::PASSWORD_HASH)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn set_password_hash(
                &self,
                user_id: i64,
                password_hash: &str,
                keep: Option<&str>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, sqlx::Error> {
                let mut tx = self.pool.begin().await?;
                sqlx::query($crate::store::sql::SET_PASSWORD_HASH)
                    .bind(user_id)
                    .bind(password_hash)
                    .bind($crate::store::micros(now))
                    .execute(&mut *tx)
                    .await?;
                let revoked = match keep {
                    Some(keep) => sqlx::query($crate::store::sql::REVOKE_OTHER_SESSIONS)
                        .bind(user_id)
                        .bind(keep)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                    None => 0,
                };
                tx.commit().await?;
                Ok(revoked)
            }

            async fn record_sign_in_attempt(
                &self,
                limits: &[$crate::store::AttemptLimit<'_>],
                now_ms: i64,
                window_ms: i64,
            ) -> Result<Option<i64>, sqlx::Error> {
                let since = now_ms - window_ms;
                let mut tx = self.pool.begin().await?;
                // Attempts are serialized, so a burst of concurrent ones cannot each count
                // before the others are written: SQLite's first write takes the database's
                // write lock; PostgreSQL needs the table lock (sign-ins are rare and quick).
                if $backend == "postgres" {
                    sqlx::query("LOCK TABLE sign_in_attempts IN SHARE ROW EXCLUSIVE MODE")
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query($crate::store::sql::PRUNE_SIGN_IN_ATTEMPTS)
                    .bind(since)
                    .execute(&mut *tx)
                    .await?;
                let mut wait: Option<i64> = None;
                for limit in limits {
                    sqlx::query($crate::store::sql::RECORD_SIGN_IN_ATTEMPT)
                        .bind(limit.scope)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                    // Over the limit when more than `max` attempts are in the window; the
                    // next is admitted once the `max`-th newest has left it.
                    let gate: Vec<i64> =
                        sqlx::query_scalar($crate::store::sql::GATE_SIGN_IN_ATTEMPTS)
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
            }

            async fn clear_sign_in_attempts(&self, scope: &str) -> Result<(), sqlx::Error> {
                sqlx::query($crate::store::sql::CLEAR_SIGN_IN_ATTEMPTS)
                    .bind(scope)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
            }
        }
    };
}

pub(crate) use impl_store;

pub const TASK_COLUMNS: &str = "id, user_id, title, description, is_completed, priority, \
     due_date, version, created_at, updated_at";

pub const GET_TASK: &str = "SELECT id, user_id, title, description, is_completed, priority, \
     due_date, version, created_at, updated_at FROM tasks WHERE user_id = $1 AND id = $2";

pub const CREATE_TASK: &str = "INSERT INTO tasks \
     (user_id, title, description, is_completed, priority, due_date, version, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) \
     RETURNING id, user_id, title, description, is_completed, priority, due_date, version, \
     created_at, updated_at";

pub const UPDATE_TASK: &str = "UPDATE tasks SET title = $4, description = $5, priority = $6, \
     due_date = $7, is_completed = COALESCE($9, is_completed), version = version + 1, \
     updated_at = $8 \
     WHERE user_id = $1 AND id = $2 AND version = $3 \
     RETURNING id, user_id, title, description, is_completed, priority, due_date, version, \
     created_at, updated_at";

pub const SET_COMPLETED: &str = "UPDATE tasks SET is_completed = $3, version = version + 1, \
     updated_at = $4 WHERE user_id = $1 AND id = $2 \
     RETURNING id, user_id, title, description, is_completed, priority, due_date, version, \
     created_at, updated_at";

pub const TOGGLE_COMPLETED: &str = "UPDATE tasks SET is_completed = NOT is_completed, \
     version = version + 1, updated_at = $3 WHERE user_id = $1 AND id = $2 \
     RETURNING id, user_id, title, description, is_completed, priority, due_date, version, \
     created_at, updated_at";

pub const DELETE_TASK: &str = "DELETE FROM tasks WHERE user_id = $1 AND id = $2 RETURNING title";

/// Three counts, each a range of the `(user_id, is_completed, due_date)` index, so none
/// reads the table (see migration 0003).
pub const TASK_STATS: &str = "SELECT \
     (SELECT COUNT(*) FROM tasks WHERE user_id = $1) AS total, \
     (SELECT COUNT(*) FROM tasks WHERE user_id = $1 AND is_completed = $3) AS done, \
     (SELECT COUNT(*) FROM tasks WHERE user_id = $1 AND is_completed = $4 AND due_date < $2) \
     AS overdue";

/// The SQL expression a list is ordered by. Only these fixed strings ever reach a query.
pub fn sort_expr(key: crate::domain::task::SortKey, due_expr: &'static str) -> &'static str {
    use crate::domain::task::SortKey;
    match key {
        SortKey::Created => "created_at",
        SortKey::Due => due_expr,
        SortKey::Priority => "priority",
        SortKey::Title => "lower(title)",
    }
}

/// Implements `TaskStore` for `$store` over database `$db`. The store type provides
/// `DUE_EXPR` and `LIKE` (the dialect's order-by expression for due dates and its
/// case-insensitive match operator), `fold_title` (how its `lower()` folds a title) and
/// `push_search_index` (a condition that lets a search use the backend's text index; the
/// `LIKE` test that follows it decides what matches).
macro_rules! impl_task_store {
    ($store:ty, $db:ty) => {
        impl $store {
            fn push_filter(
                qb: &mut sqlx::QueryBuilder<$db>,
                user_id: i64,
                filter: &$crate::domain::task::TaskFilter,
            ) {
                use $crate::domain::task::StatusFilter;
                match filter.status {
                    StatusFilter::All => {}
                    StatusFilter::Open => {
                        qb.push(" AND is_completed = ").push_bind(false);
                    }
                    StatusFilter::Done => {
                        qb.push(" AND is_completed = ").push_bind(true);
                    }
                }
                if let Some(priority) = filter.priority {
                    qb.push(" AND priority = ").push_bind(priority.rank());
                }
                if let Some(q) = &filter.q {
                    Self::push_search_index(qb, user_id, q);
                }
                if let Some(pattern) = filter.like_pattern() {
                    qb.push(" AND (title ")
                        .push(Self::LIKE)
                        .push(" ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR description ")
                        .push(Self::LIKE)
                        .push(" ")
                        .push_bind(pattern)
                        .push(" ESCAPE '\\')");
                }
            }

            fn cursor_of(
                task: &$crate::store::Task,
                key: $crate::domain::task::SortKey,
            ) -> $crate::domain::listing::Cursor {
                use $crate::domain::{listing::SortValue, task::SortKey};
                let value = match key {
                    SortKey::Created => SortValue::Created(task.created_at),
                    SortKey::Due => SortValue::Due(
                        task.due_date
                            .unwrap_or($crate::domain::listing::NO_DUE_DATE),
                    ),
                    SortKey::Priority => SortValue::Priority(task.priority.rank()),
                    SortKey::Title => SortValue::Title(Self::fold_title(&task.title)),
                };
                $crate::domain::listing::Cursor { value, id: task.id }
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::TaskStore for $store {
            async fn list_tasks(
                &self,
                user_id: i64,
                request: &$crate::domain::listing::ListRequest,
            ) -> Result<$crate::domain::listing::TaskPage<$crate::store::Task>, sqlx::Error> {
                use $crate::domain::{
                    listing::{PageAt, SortValue, TaskPage},
                    task::SortDir,
                };
                // A cursor made for another order is ignored (the list starts over), never
                // misapplied.
                let at = match &request.at {
                    PageAt::After(c) | PageAt::Before(c) if c.key() != request.sort => {
                        PageAt::First
                    }
                    other => other.clone(),
                };
                let (cursor, reverse) = match &at {
                    PageAt::First => (None, false),
                    PageAt::After(c) => (Some(c), false),
                    PageAt::Before(c) => (Some(c), true),
                    PageAt::Last => (None, true),
                };
                let dir = if reverse {
                    request.dir.flip()
                } else {
                    request.dir
                };
                let expr = $crate::store::sql::sort_expr(request.sort, Self::DUE_EXPR);
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT ");
                qb.push($crate::store::sql::TASK_COLUMNS)
                    .push(" FROM tasks WHERE user_id = ")
                    .push_bind(user_id);
                Self::push_filter(&mut qb, user_id, &request.filter);
                if let Some(cursor) = cursor {
                    let op = if dir == SortDir::Asc { ">" } else { "<" };
                    qb.push(" AND (")
                        .push(expr)
                        .push(", id) ")
                        .push(op)
                        .push(" (");
                    match &cursor.value {
                        SortValue::Created(at) => qb.push_bind(*at),
                        SortValue::Due(date) => qb.push_bind(*date),
                        SortValue::Priority(rank) => qb.push_bind(*rank),
                        SortValue::Title(title) => qb.push_bind(title.clone()),
                    };
                    qb.push(", ").push_bind(cursor.id).push(")");
                }
                let order = if dir == SortDir::Asc { " ASC" } else { " DESC" };
                qb.push(" ORDER BY ")
                    .push(expr)
                    .push(order)
                    .push(", id")
                    .push(order)
                    .push(" LIMIT ")
                    .push_bind(i64::from(request.size) + 1);
                let mut tasks: Vec<$crate::store::Task> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                let more = tasks.len() > request.size as usize;
                tasks.truncate(request.size as usize);
                if tasks.is_empty() && cursor.is_some() {
                    // The rows around the cursor are gone (deleted meanwhile): start over.
                    let first = $crate::domain::listing::ListRequest {
                        at: PageAt::First,
                        ..request.clone()
                    };
                    return self.list_tasks(user_id, &first).await;
                }
                if reverse {
                    tasks.reverse();
                }
                let (has_prev, has_next) = match at {
                    PageAt::First => (false, more),
                    PageAt::After(_) => (true, more),
                    PageAt::Before(_) => (more, true),
                    PageAt::Last => (more, false),
                };
                Ok(TaskPage {
                    first: tasks.first().map(|t| Self::cursor_of(t, request.sort)),
                    last: tasks.last().map(|t| Self::cursor_of(t, request.sort)),
                    tasks,
                    has_prev,
                    has_next,
                })
            }

            async fn count_tasks(
                &self,
                user_id: i64,
                filter: &$crate::domain::task::TaskFilter,
            ) -> Result<i64, sqlx::Error> {
                let mut qb =
                    sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM tasks WHERE user_id = ");
                qb.push_bind(user_id);
                Self::push_filter(&mut qb, user_id, filter);
                qb.build_query_scalar().fetch_one(&self.pool).await
            }

            async fn task_stats(
                &self,
                user_id: i64,
                today: chrono::NaiveDate,
            ) -> Result<$crate::store::TaskStats, sqlx::Error> {
                sqlx::query_as($crate::store::sql::TASK_STATS)
                    .bind(user_id)
                    .bind(today)
                    .bind(true)
                    .bind(false)
                    .fetch_one(&self.pool)
                    .await
            }

            async fn get_task(
                &self,
                user_id: i64,
                id: i64,
            ) -> Result<Option<$crate::store::Task>, sqlx::Error> {
                sqlx::query_as($crate::store::sql::GET_TASK)
                    .bind(user_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn create_task(
                &self,
                user_id: i64,
                input: &$crate::domain::task::TaskInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<$crate::store::Task, sqlx::Error> {
                sqlx::query_as($crate::store::sql::CREATE_TASK)
                    .bind(user_id)
                    .bind(&input.title)
                    .bind(&input.description)
                    .bind(false)
                    .bind(input.priority.rank())
                    .bind(input.due_date)
                    .bind($crate::store::micros(now))
                    .fetch_one(&self.pool)
                    .await
            }

            async fn update_task(
                &self,
                user_id: i64,
                id: i64,
                version: i64,
                input: &$crate::domain::task::TaskInput,
                completed: Option<bool>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<$crate::store::UpdateOutcome, sqlx::Error> {
                use $crate::store::UpdateOutcome;
                let updated = sqlx::query_as($crate::store::sql::UPDATE_TASK)
                    .bind(user_id)
                    .bind(id)
                    .bind(version)
                    .bind(&input.title)
                    .bind(&input.description)
                    .bind(input.priority.rank())
                    .bind(input.due_date)
                    .bind($crate::store::micros(now))
                    .bind(completed)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match updated {
                    Some(task) => UpdateOutcome::Updated(task),
                    None => match self.get_task(user_id, id).await? {
                        Some(current) => UpdateOutcome::Stale(current),
                        None => UpdateOutcome::Missing,
                    },
                })
            }

            async fn set_completed(
                &self,
                user_id: i64,
                id: i64,
                completed: Option<bool>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::store::Task>, sqlx::Error> {
                let now = $crate::store::micros(now);
                match completed {
                    Some(completed) => {
                        sqlx::query_as($crate::store::sql::SET_COMPLETED)
                            .bind(user_id)
                            .bind(id)
                            .bind(completed)
                            .bind(now)
                            .fetch_optional(&self.pool)
                            .await
                    }
                    None => {
                        sqlx::query_as($crate::store::sql::TOGGLE_COMPLETED)
                            .bind(user_id)
                            .bind(id)
                            .bind(now)
                            .fetch_optional(&self.pool)
                            .await
                    }
                }
            }

            async fn delete_task(
                &self,
                user_id: i64,
                id: i64,
            ) -> Result<Option<String>, sqlx::Error> {
                sqlx::query_scalar($crate::store::sql::DELETE_TASK)
                    .bind(user_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
            }

            async fn bulk(
                &self,
                user_id: i64,
                ids: &[i64],
                action: $crate::store::BulkAction,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<u64>, sqlx::Error> {
                use $crate::store::BulkAction;
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids.dedup();
                if ids.is_empty() {
                    return Ok(Some(0));
                }
                let mut tx = self.pool.begin().await?;
                let mut owned =
                    sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM tasks WHERE user_id = ");
                owned.push_bind(user_id).push(" AND id IN (");
                let mut list = owned.separated(", ");
                for id in &ids {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                let owned: i64 = owned.build_query_scalar().fetch_one(&mut *tx).await?;
                if owned != ids.len() as i64 {
                    // Some id is missing or someone else's: change nothing.
                    return Ok(None);
                }
                let mut qb = match action {
                    BulkAction::Delete => {
                        sqlx::QueryBuilder::<$db>::new("DELETE FROM tasks WHERE user_id = ")
                    }
                    BulkAction::Complete | BulkAction::Reopen => {
                        let mut qb =
                            sqlx::QueryBuilder::<$db>::new("UPDATE tasks SET is_completed = ");
                        qb.push_bind(action == BulkAction::Complete)
                            .push(", version = version + 1, updated_at = ")
                            .push_bind($crate::store::micros(now))
                            .push(" WHERE user_id = ");
                        qb
                    }
                };
                qb.push_bind(user_id);
                if action != BulkAction::Delete {
                    // Only rows whose state changes count (and get a new version).
                    qb.push(" AND is_completed = ")
                        .push_bind(action == BulkAction::Reopen);
                }
                qb.push(" AND id IN (");
                let mut list = qb.separated(", ");
                for id in &ids {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                let changed = qb.build().execute(&mut *tx).await?.rows_affected();
                tx.commit().await?;
                Ok(Some(changed))
            }
        }
    };
}

pub(crate) use impl_task_store;
