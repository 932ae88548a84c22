//! Tasks one at a time (read, create, update, complete, delete), bulk actions, and bulk
//! imports. Every statement names the owner, so another user's id finds nothing.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Store, builder::Sql, micros, written};
use crate::{
    domain::{
        task::{Priority, TaskInput},
        text::fold,
    },
    live::{Change, ChangeKind},
};

/// A stored task. Only ever read through a query scoped to its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub is_completed: bool,
    #[sqlx(try_from = "i16")]
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Task {
    pub fn is_overdue(&self, today: &NaiveDate) -> bool {
        !self.is_completed && self.due_date.is_some_and(|due| due < *today)
    }
}

/// A task to bulk-insert (seeding and imports): its owner and every field, timestamps
/// included.
#[derive(Debug, Clone)]
pub struct ImportTask {
    pub user_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub is_completed: bool,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// What became of an update that named the version it was based on.
#[derive(Debug, Clone)]
pub enum UpdateOutcome {
    Updated(Task),
    /// Someone changed it first: here is what it is now.
    Stale(Task),
    /// Not there, or not this user's.
    Missing,
}

/// What a bulk action did: how many tasks changed state, and how many of the ids named were
/// not (or no longer) the user's tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub changed: u64,
    pub missing: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Complete,
    Reopen,
    Delete,
}

impl Store {
    /// Tells the user's open pages, on every instance, about a write that has committed
    /// (see [`crate::live`]).
    async fn announce(&self, user_id: i64, kind: ChangeKind, ids: Vec<i64>) {
        self.live.publish(user_id, Change::new(kind, ids)).await;
    }

    pub async fn get_task(&self, user_id: i64, id: i64) -> Result<Option<Task>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                task_columns!(),
                " FROM tasks WHERE user_id = $1 AND id = $2"
            ))
            .bind(user_id)
            .bind(id)
            .fetch_optional(pool)
            .await
        })
    }

    /// A new task at version 1 (done already, when `is_completed`).
    pub async fn create_task(
        &self,
        user_id: i64,
        input: &TaskInput,
        is_completed: bool,
        now: DateTime<Utc>,
    ) -> Result<Task, sqlx::Error> {
        let task: Task = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "INSERT INTO tasks (user_id, title, description, is_completed, priority, \
                 due_date, version, created_at, updated_at, title_fold, description_fold) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8, $9) RETURNING ",
                task_columns!()
            ))
            .bind(user_id)
            .bind(&input.title)
            .bind(&input.description)
            .bind(is_completed)
            .bind(input.priority.rank())
            .bind(input.due_date)
            .bind(micros(now))
            .bind(fold(&input.title))
            .bind(input.description.as_deref().map(fold))
            .fetch_all(pool)
            .await
        })
        .and_then(|rows| written(rows).ok_or(sqlx::Error::RowNotFound))?;
        self.announce(user_id, ChangeKind::Created, vec![task.id])
            .await;
        Ok(task)
    }

    /// Replaces the task's fields (and `is_completed`, when given): if it is still at
    /// `version`, or whatever its version when none is given (the last writer wins). A write
    /// that changes nothing leaves the version and `updated_at` as they are.
    pub async fn update_task(
        &self,
        user_id: i64,
        id: i64,
        version: Option<i64>,
        input: &TaskInput,
        completed: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<UpdateOutcome, sqlx::Error> {
        let updated: Option<Task> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "UPDATE tasks SET title = $4, description = $5, priority = $6, due_date = $7, \
                 is_completed = COALESCE($9, is_completed), version = version + 1, \
                 updated_at = $8, title_fold = $10, description_fold = $11 \
                 WHERE user_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3) \
                 AND NOT (title = $4 \
                      AND (description = $5 OR (description IS NULL AND $5 IS NULL)) \
                      AND priority = $6 \
                      AND (due_date = $7 OR (due_date IS NULL AND $7 IS NULL)) \
                      AND is_completed = COALESCE($9, is_completed)) \
                 RETURNING ",
                task_columns!()
            ))
            .bind(user_id)
            .bind(id)
            .bind(version)
            .bind(&input.title)
            .bind(&input.description)
            .bind(input.priority.rank())
            .bind(input.due_date)
            .bind(micros(now))
            .bind(completed)
            .bind(fold(&input.title))
            .bind(input.description.as_deref().map(fold))
            .fetch_all(pool)
            .await
            .map(written)
        })?;
        if let Some(task) = updated {
            self.announce(user_id, ChangeKind::Updated, vec![id]).await;
            return Ok(UpdateOutcome::Updated(task));
        }
        // Nothing written: the task is missing, at another version, or already as asked.
        Ok(match self.get_task(user_id, id).await? {
            None => UpdateOutcome::Missing,
            Some(current) if version.is_some_and(|v| v != current.version) => {
                UpdateOutcome::Stale(current)
            }
            Some(current) => UpdateOutcome::Updated(current),
        })
    }

    /// Sets `is_completed`, or flips it when `completed` is `None`. Setting what it already
    /// is changes neither its version nor `updated_at`.
    /// With `version`, only if the task is still at it (`None` otherwise, as when missing).
    pub async fn set_completed(
        &self,
        user_id: i64,
        id: i64,
        version: Option<i64>,
        completed: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, sqlx::Error> {
        let task: Option<Task> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "UPDATE tasks SET is_completed = COALESCE($3, NOT is_completed), \
                 version = CASE WHEN is_completed = COALESCE($3, NOT is_completed) \
                           THEN version ELSE version + 1 END, \
                 updated_at = CASE WHEN is_completed = COALESCE($3, NOT is_completed) \
                              THEN updated_at ELSE $4 END \
                 WHERE user_id = $1 AND id = $2 AND ($5 IS NULL OR version = $5) RETURNING ",
                task_columns!()
            ))
            .bind(user_id)
            .bind(id)
            .bind(completed)
            .bind(micros(now))
            .bind(version)
            .fetch_all(pool)
            .await
            .map(written)
        })?;
        if task.is_some() {
            self.announce(user_id, ChangeKind::Updated, vec![id]).await;
        }
        Ok(task)
    }

    /// Deletes the task (with `version`, only if it is still at it); its title if there was
    /// one to delete.
    pub async fn delete_task(
        &self,
        user_id: i64,
        id: i64,
        version: Option<i64>,
    ) -> Result<Option<String>, sqlx::Error> {
        let title: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "DELETE FROM tasks WHERE user_id = $1 AND id = $2 \
                 AND ($3 IS NULL OR version = $3) RETURNING title",
            )
            .bind(user_id)
            .bind(id)
            .bind(version)
            .fetch_all(pool)
            .await
            .map(written)
        })?;
        if title.is_some() {
            self.announce(user_id, ChangeKind::Deleted, vec![id]).await;
        }
        Ok(title)
    }

    /// Those of `ids` that are the user's tasks, newest first (the bulk delete confirmation).
    pub async fn get_tasks(&self, user_id: i64, ids: &[i64]) -> Result<Vec<Task>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE user_id = "
        ));
        sql.bind(user_id)
            .push(" AND id IN ")
            .bind_list(ids)
            .push(" ORDER BY id DESC");
        on_pool!(self, |pool| sql.query_as().fetch_all(pool).await)
    }

    /// Applies `action` to those of `ids` that are the user's. An id that is missing or
    /// someone else's is passed over and counted as `missing` (the two are never told
    /// apart), so tasks deleted in another tab do not stop the rest.
    pub async fn bulk(
        &self,
        user_id: i64,
        ids: &[i64],
        action: BulkAction,
        now: DateTime<Utc>,
    ) -> Result<BulkOutcome, sqlx::Error> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BulkOutcome::default());
        }
        let mut owned = Sql::new("SELECT COUNT(*) FROM tasks WHERE user_id = ");
        owned.bind(user_id).push(" AND id IN ").bind_list(&ids);
        let mut change = match action {
            BulkAction::Delete => Sql::new("DELETE FROM tasks WHERE user_id = "),
            BulkAction::Complete | BulkAction::Reopen => {
                let mut sql = Sql::new("UPDATE tasks SET is_completed = ");
                sql.bind(action == BulkAction::Complete)
                    .push(", version = version + 1, updated_at = ")
                    .bind(micros(now))
                    .push(" WHERE user_id = ");
                sql
            }
        };
        change.bind(user_id);
        if action != BulkAction::Delete {
            // Only rows whose state changes count (and get a new version).
            change
                .push(" AND is_completed = ")
                .bind(action == BulkAction::Reopen);
        }
        change.push(" AND id IN ").bind_list(&ids);
        let (owned, changed) = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let owned: i64 = owned.query_scalar().fetch_one(&mut *tx).await?;
            let changed = change.query().execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok::<_, sqlx::Error>((owned, changed))
        })?;
        if changed > 0 {
            // One change for the action, naming the ids asked for (those that were not the
            // user's or did not change are simply not on the user's pages).
            let kind = match action {
                BulkAction::Delete => ChangeKind::Deleted,
                _ => ChangeKind::Updated,
            };
            self.announce(user_id, kind, ids.clone()).await;
        }
        // A delete counts exactly what it removed (another tab may delete in between).
        let found = match action {
            BulkAction::Delete => changed,
            _ => u64::try_from(owned).unwrap_or_default(),
        };
        let missing = (ids.len() as u64).saturating_sub(found);
        Ok(BulkOutcome { changed, missing })
    }

    /// Inserts tasks in multi-row statements inside one transaction (seeding, imports).
    pub async fn import_tasks(&self, tasks: &[ImportTask]) -> Result<(), sqlx::Error> {
        // 11 values a row: 1,000 rows stay under both backends' limits on bound parameters.
        let statements: Vec<Sql> = tasks
            .chunks(1_000)
            .map(|chunk| {
                let mut sql = Sql::new(
                    "INSERT INTO tasks (user_id, title, description, is_completed, priority, \
                     due_date, version, created_at, updated_at, title_fold, description_fold) \
                     VALUES ",
                );
                for (i, t) in chunk.iter().enumerate() {
                    let at = micros(t.created_at);
                    sql.push(if i == 0 { "(" } else { ", (" })
                        .bind(t.user_id)
                        .push(", ")
                        .bind(t.title.clone())
                        .push(", ")
                        .bind(t.description.clone())
                        .push(", ")
                        .bind(t.is_completed)
                        .push(", ")
                        .bind(t.priority.rank())
                        .push(", ")
                        .bind(t.due_date)
                        .push(", 1, ")
                        .bind(at)
                        .push(", ")
                        .bind(at)
                        .push(", ")
                        .bind(fold(&t.title))
                        .push(", ")
                        .bind(t.description.as_deref().map(fold))
                        .push(")");
                }
                sql
            })
            .collect();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for sql in &statements {
                sql.query().execute(&mut *tx).await?;
            }
            tx.commit().await
        })
    }

    /// Folds the titles and descriptions of rows written before migration 0011 (their fold
    /// is NULL), a batch per transaction; how many it folded. Safe to run on many instances
    /// at once: each writes the same value.
    pub(super) async fn fold_unfolded_tasks(&self) -> Result<u64, sqlx::Error> {
        let mut folded = 0;
        loop {
            let rows: Vec<(i64, String, Option<String>)> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, title, description FROM tasks WHERE title_fold IS NULL LIMIT 1000",
                )
                .fetch_all(pool)
                .await
            })?;
            if rows.is_empty() {
                return Ok(folded);
            }
            on_pool!(self, |pool| {
                let mut tx = pool.begin().await?;
                for (id, title, description) in &rows {
                    sqlx::query(
                        "UPDATE tasks SET title_fold = $2, description_fold = $3 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(fold(title))
                    .bind(description.as_deref().map(fold))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            });
            folded += rows.len() as u64;
        }
    }
}
