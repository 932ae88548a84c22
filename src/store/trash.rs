//! The trash (migration 0019): a deleted task's row moves to `trashed_tasks`, whole, and
//! moves back on undo (a whole delete, by its batch) or restore (one task). Nothing else
//! reads that table, so lists, counts, tags, search and exports never see a trashed task;
//! the tasks' triggers count the move out as a delete and the move back as an insert. What
//! has been there [`KEPT_DAYS`] is purged ([`Store::purge_trash`]).

use chrono::{DateTime, Utc};

use super::{Dialect, Store, begin_write, builder::Sql, micros, tasks::Task};
use crate::live::ChangeKind;

/// How long a trashed task is kept before the purge erases it.
pub const KEPT_DAYS: i64 = 30;

/// Every column of a task's row, in both tables.
const ROW: &str = "id, user_id, title, description, is_completed, priority, due_date, version, \
                   created_at, updated_at, title_fold, description_fold, repeat, repeat_day, \
                   follows_id, tags";

/// What one delete moved to the trash: its batch (what undo names) and each task's id and
/// title, in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trashed {
    pub batch: String,
    pub tasks: Vec<(i64, String)>,
}

/// A task in the trash, when it was put there, and its key in the trash (unlike the task's
/// id, never shared: see migration 0019).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrashedTask {
    #[sqlx(flatten)]
    pub task: Task,
    pub trashed_at: DateTime<Utc>,
    pub trash_id: i64,
}

/// Which trashed rows to move back.
enum Which<'a> {
    /// One delete's, whole.
    Batch(&'a str),
    /// The task last trashed with this id.
    Task(i64),
    /// One entry of the trash, by its own key.
    Entry(i64),
}

impl Store {
    /// Moves the task to the trash (with `version`, only if it is still at it): what was
    /// moved, if it was there to move.
    pub async fn delete_task(
        &self,
        user_id: i64,
        id: i64,
        version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Option<Trashed>, sqlx::Error> {
        self.move_to_trash(user_id, &[id], version, now).await
    }

    /// Moves those of `ids` that are the user's tasks (with `version`, only a task still at
    /// it) to the trash, as one batch, in one statement or transaction; none moved is `None`.
    pub(super) async fn move_to_trash(
        &self,
        user_id: i64,
        ids: &[i64],
        version: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Option<Trashed>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(None);
        }
        let batch = crate::secrets::random_token(12);
        let mut which = Sql::new(" WHERE user_id = ");
        which.bind(user_id).push(" AND id IN ").bind_list(ids);
        if let Some(version) = version {
            which.push(" AND version = ").bind(version);
        }
        let mut moved: Vec<(i64, String)> = match self.dialect() {
            // One statement: the rows deleted are exactly the rows kept, whatever another
            // transaction does meanwhile.
            Dialect::Postgres => {
                let mut sql = Sql::new("WITH gone AS (DELETE FROM tasks");
                sql.append(&which)
                    .push(&format!(" RETURNING {ROW}) INSERT INTO trashed_tasks ({ROW}, batch, trashed_at) SELECT {ROW}, "))
                    .bind(batch.clone())
                    .push(", ")
                    .bind(micros(now))
                    .push(" FROM gone RETURNING id, title");
                on_pool!(self, |pool| sql.query_as().fetch_all(pool).await)?
            }
            // SQLite's write lock is held from the transaction's start: nothing changes
            // between the copy and the delete.
            Dialect::Sqlite => {
                let mut copy = Sql::new(&format!(
                    "INSERT INTO trashed_tasks ({ROW}, batch, trashed_at) SELECT {ROW}, "
                ));
                copy.bind(batch.clone())
                    .push(", ")
                    .bind(micros(now))
                    .push(" FROM tasks")
                    .append(&which);
                let mut delete = Sql::new("DELETE FROM tasks");
                delete.append(&which).push(" RETURNING id, title");
                on_pool!(self, |pool| {
                    let mut tx = begin_write(pool).await?;
                    copy.query().execute(&mut *tx).await?;
                    let moved = delete.query_as().fetch_all(&mut *tx).await?;
                    tx.commit().await?;
                    Ok::<_, sqlx::Error>(moved)
                })?
            }
        };
        if moved.is_empty() {
            return Ok(None);
        }
        moved.sort_unstable();
        let ids = moved.iter().map(|(id, _)| *id).collect();
        self.announce(user_id, ChangeKind::Deleted, ids).await;
        Ok(Some(Trashed {
            batch,
            tasks: moved,
        }))
    }

    /// Undo: puts back every task of one delete, in one transaction; what came back.
    pub async fn restore_batch(&self, user_id: i64, batch: &str) -> Result<Vec<Task>, sqlx::Error> {
        self.restore(user_id, Which::Batch(batch)).await
    }

    /// Puts back the task last trashed with `id`; `None` if the user's trash holds none.
    /// Its id is kept, unless (SQLite only) a newer task has taken it.
    pub async fn restore_task(&self, user_id: i64, id: i64) -> Result<Option<Task>, sqlx::Error> {
        Ok(self
            .restore(user_id, Which::Task(id))
            .await?
            .into_iter()
            .next())
    }

    /// Puts back one entry of the trash (the trash page's Restore); `None` if the user's
    /// trash does not hold it.
    pub async fn restore_entry(
        &self,
        user_id: i64,
        trash_id: i64,
    ) -> Result<Option<Task>, sqlx::Error> {
        Ok(self
            .restore(user_id, Which::Entry(trash_id))
            .await?
            .into_iter()
            .next())
    }

    async fn restore(&self, user_id: i64, which: Which<'_>) -> Result<Vec<Task>, sqlx::Error> {
        let mut rows = Sql::new(" WHERE user_id = ");
        rows.bind(user_id);
        match which {
            Which::Batch(batch) => rows.push(" AND batch = ").bind(batch.to_owned()),
            Which::Task(id) => rows
                .push(" AND trash_id = (SELECT max(trash_id) FROM trashed_tasks WHERE user_id = ")
                .bind(user_id)
                .push(" AND id = ")
                .bind(id)
                .push(")"),
            Which::Entry(trash_id) => rows.push(" AND trash_id = ").bind(trash_id),
        };
        // A task that another now follows (its next occurrence was made again meanwhile)
        // comes back following none, so the next occurrence stays one.
        let follows = "CASE WHEN EXISTS (SELECT 1 FROM tasks f WHERE f.follows_id = back.follows_id) \
                       THEN NULL ELSE back.follows_id END";
        let rest = "user_id, title, description, is_completed, priority, due_date, version, \
                    created_at, updated_at, title_fold, description_fold, repeat, repeat_day";
        let restored: Vec<Task> = match self.dialect() {
            Dialect::Postgres => {
                let mut sql = Sql::new("WITH back AS (DELETE FROM trashed_tasks");
                sql.append(&rows).push(&format!(
                    " RETURNING {ROW}) INSERT INTO tasks ({ROW}) OVERRIDING SYSTEM VALUE \
                     SELECT id, {rest}, {follows}, tags FROM back RETURNING {}",
                    task_columns!()
                ));
                on_pool!(self, |pool| {
                    let mut tx = begin_write(pool).await?;
                    let restored = sql.query_as().fetch_all(&mut *tx).await?;
                    tx.commit().await?;
                    Ok::<_, sqlx::Error>(restored)
                })?
            }
            Dialect::Sqlite => {
                // An id a newer task has taken is left NULL: SQLite gives the row a new one.
                let mut back = Sql::new(&format!(
                    "INSERT INTO tasks ({ROW}) SELECT \
                     CASE WHEN EXISTS (SELECT 1 FROM tasks x WHERE x.id = back.id) THEN NULL ELSE back.id END, \
                     {rest}, {follows}, tags FROM trashed_tasks back"
                ));
                back.append(&rows)
                    .push(&format!(" RETURNING {}", task_columns!()));
                let mut forget = Sql::new("DELETE FROM trashed_tasks");
                forget.append(&rows);
                on_pool!(self, |pool| {
                    let mut tx = begin_write(pool).await?;
                    let restored = back.query_as().fetch_all(&mut *tx).await?;
                    forget.query().execute(&mut *tx).await?;
                    tx.commit().await?;
                    Ok::<_, sqlx::Error>(restored)
                })?
            }
        };
        if !restored.is_empty() {
            let ids = restored.iter().map(|t| t.id).collect();
            self.announce(user_id, ChangeKind::Created, ids).await;
        }
        Ok(restored)
    }

    /// The user's trash, most recently trashed first: up to `limit` after skipping `offset`.
    pub async fn list_trash(
        &self,
        user_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<TrashedTask>, sqlx::Error> {
        let mut sql = Sql::new(&format!(
            "SELECT {}, trashed_at, trash_id FROM trashed_tasks WHERE user_id = ",
            task_columns!()
        ));
        sql.bind(user_id)
            .push(" ORDER BY trashed_at DESC, trash_id DESC LIMIT ")
            .push_int(limit)
            .push(" OFFSET ")
            .push_int(offset);
        on_pool!(self, |pool| sql.query_as().fetch_all(pool).await)
    }

    /// One entry of the user's trash, by its key.
    pub async fn get_trashed(
        &self,
        user_id: i64,
        trash_id: i64,
    ) -> Result<Option<TrashedTask>, sqlx::Error> {
        let mut sql = Sql::new(&format!(
            "SELECT {}, trashed_at, trash_id FROM trashed_tasks WHERE user_id = ",
            task_columns!()
        ));
        sql.bind(user_id).push(" AND trash_id = ").bind(trash_id);
        on_pool!(self, |pool| sql.query_as().fetch_optional(pool).await)
    }

    /// Erases one entry of the user's trash for good; whether there was one.
    pub async fn erase_trashed(&self, user_id: i64, trash_id: i64) -> Result<bool, sqlx::Error> {
        let mut sql = Sql::new("DELETE FROM trashed_tasks WHERE user_id = ");
        sql.bind(user_id).push(" AND trash_id = ").bind(trash_id);
        let erased = on_pool!(self, |pool| sql
            .query()
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(erased > 0)
    }

    /// Erases everything in the user's trash; how many.
    pub async fn empty_trash(&self, user_id: i64) -> Result<u64, sqlx::Error> {
        let mut sql = Sql::new("DELETE FROM trashed_tasks WHERE user_id = ");
        sql.bind(user_id);
        let erased = on_pool!(self, |pool| sql
            .query()
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(erased)
    }

    /// Erases up to `batch` of the rows trashed before `before`, across accounts; how many.
    /// Safe on many instances at once: a row two of them pick is erased once.
    pub async fn purge_trash(&self, before: DateTime<Utc>, batch: i64) -> Result<u64, sqlx::Error> {
        let mut sql = Sql::new(
            "DELETE FROM trashed_tasks WHERE trash_id IN \
             (SELECT trash_id FROM trashed_tasks WHERE trashed_at < ",
        );
        sql.bind(micros(before))
            .push(" LIMIT ")
            .push_int(batch)
            .push(")");
        let purged = on_pool!(self, |pool| sql
            .query()
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(purged)
    }
}
