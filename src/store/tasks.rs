//! Tasks one at a time: read, create, update, complete, delete (many at once:
//! [`super::task_bulk`]). Every statement names the owner, so another user's id finds
//! nothing.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Store, begin_write, builder::Sql, micros, recurrence::next_occurrence, written};
use crate::{
    domain::{
        repeat::Repeat,
        tags,
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
    #[sqlx(try_from = "i16")]
    pub repeat: Repeat,
    /// The day of the month a monthly or yearly rule comes back to (see
    /// [`crate::domain::repeat`]).
    pub repeat_day: Option<i16>,
    /// Sorted, separated by single spaces, empty for none (migration 0017).
    pub tags: String,
}

impl Task {
    /// The task's tags, in order.
    pub fn tag_list(&self) -> Vec<&str> {
        tags::of_stored(&self.tags).collect()
    }

    pub fn is_overdue(&self, today: &NaiveDate) -> bool {
        !self.is_completed && self.due_date.is_some_and(|due| due < *today)
    }

    /// When the occurrence after this one is due, if it repeats (see
    /// [`Repeat::next_due`]).
    pub fn next_due(&self) -> Option<NaiveDate> {
        let due = self.due_date?;
        let anchor = self
            .repeat_day
            .and_then(|day| u32::try_from(day).ok())
            .unwrap_or_else(|| chrono::Datelike::day(&due));
        self.repeat.next_due(due, anchor)
    }
}

/// A task after [`Store::set_completed`], and the next occurrence that completing it
/// created, if it repeats and had none yet.
#[derive(Debug, Clone)]
pub struct Completed {
    pub task: Task,
    pub next_id: Option<i64>,
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

/// `set_completed`'s statement, with `$extra` added to its conditions.
macro_rules! set_completed_sql {
    ($extra:literal) => {
        concat!(
            "UPDATE tasks SET is_completed = COALESCE($3, NOT is_completed), \
             version = CASE WHEN is_completed = COALESCE($3, NOT is_completed) \
                       THEN version ELSE version + 1 END, \
             updated_at = CASE WHEN is_completed = COALESCE($3, NOT is_completed) \
                          THEN updated_at ELSE $4 END \
             WHERE user_id = $1 AND id = $2 AND ($5 IS NULL OR version = $5)",
            $extra,
            " RETURNING ",
            task_columns!()
        )
    };
}

impl Store {
    /// Tells the user's open pages, on every instance, about a write that has committed
    /// (see [`crate::live`]).
    pub(super) async fn announce(&self, user_id: i64, kind: ChangeKind, ids: Vec<i64>) {
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
                 due_date, version, created_at, updated_at, title_fold, description_fold, \
                 repeat, repeat_day, tags) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8, $9, $10, $11, $12) RETURNING ",
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
            .bind(input.repeat.code())
            .bind(anchor(input.due_date))
            .bind(tags::stored(&input.tags))
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
    /// that changes nothing leaves the version and `updated_at` as they are. A write that
    /// completes a repeating task creates its next occurrence in the same transaction (see
    /// [`Store::set_completed`]).
    pub async fn update_task(
        &self,
        user_id: i64,
        id: i64,
        version: Option<i64>,
        input: &TaskInput,
        completed: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<UpdateOutcome, sqlx::Error> {
        // Only a write that completes a task that repeats (as saved now) may create one: it
        // alone takes a transaction.
        let follows = completed == Some(true) && input.repeat.repeats();
        let (updated, next): (Option<Task>, Option<i64>) = on_pool!(self, |pool| {
            // The rule's day follows the due date when the user moves it, and stays (Jan 31
            // stays the day of a task now due Feb 28) when the date is sent back unchanged.
            let query = sqlx::query_as(concat!(
                "UPDATE tasks SET title = $4, description = $5, priority = $6, due_date = $7, \
                 is_completed = COALESCE($9, is_completed), version = version + 1, \
                 updated_at = $8, title_fold = $10, description_fold = $11, repeat = $12, \
                 repeat_day = CASE WHEN due_date = $7 THEN repeat_day ELSE $13 END, tags = $14 \
                 WHERE user_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3) \
                 AND NOT (title = $4 \
                      AND (description = $5 OR (description IS NULL AND $5 IS NULL)) \
                      AND priority = $6 \
                      AND (due_date = $7 OR (due_date IS NULL AND $7 IS NULL)) \
                      AND repeat = $12 AND tags = $14 \
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
            .bind(input.repeat.code())
            .bind(anchor(input.due_date))
            .bind(tags::stored(&input.tags));
            if follows {
                let mut tx = begin_write(pool).await?;
                let updated: Option<Task> = query.fetch_all(&mut *tx).await.map(written)?;
                let mut next = None;
                if let Some(task) = &updated
                    && let Some(next_due) = task.next_due()
                {
                    next = next_occurrence(user_id, id, next_due, now)
                        .query_scalar()
                        .fetch_all(&mut *tx)
                        .await
                        .map(written)?;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>((updated, next))
            } else {
                let updated: Option<Task> = query.fetch_all(pool).await.map(written)?;
                Ok((updated, None))
            }
        })?;
        if let Some(task) = updated {
            self.announce(user_id, ChangeKind::Updated, vec![id]).await;
            if let Some(next) = next {
                self.announce(user_id, ChangeKind::Created, vec![next])
                    .await;
            }
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
    ///
    /// Completing a repeating task creates its next occurrence in the same transaction,
    /// once: a task has at most one successor, so completing it twice (a double click, two
    /// tabs, a retry) or reopening and completing it again creates no second one, and
    /// reopening it leaves its successor alone.
    pub async fn set_completed(
        &self,
        user_id: i64,
        id: i64,
        version: Option<i64>,
        completed: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<Option<Completed>, sqlx::Error> {
        // Most tasks do not repeat: one statement, as any write. It leaves alone a repeating
        // task it would complete, which the transaction below completes with its next
        // occurrence (the transaction costs about 0.1 ms on SQLite, 0.2 ms on PostgreSQL).
        let task: Option<Task> = on_pool!(self, |pool| {
            sqlx::query_as(set_completed_sql!(
                " AND (repeat = 0 OR NOT COALESCE($3, NOT is_completed))"
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
        let done = match task {
            Some(task) => Some(Completed {
                task,
                next_id: None,
            }),
            // A repeating task to complete, or none at all (missing, or not at `version`).
            None => on_pool!(self, |pool| {
                let mut tx = begin_write(pool).await?;
                let task: Option<Task> = sqlx::query_as(set_completed_sql!(""))
                    .bind(user_id)
                    .bind(id)
                    .bind(completed)
                    .bind(micros(now))
                    .bind(version)
                    .fetch_all(&mut *tx)
                    .await
                    .map(written)?;
                let mut next_id = None;
                if let Some(task) = &task
                    && task.is_completed
                    && let Some(next) = task.next_due()
                {
                    next_id = next_occurrence(user_id, id, next, now)
                        .query_scalar()
                        .fetch_all(&mut *tx)
                        .await
                        .map(written)?;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(task.map(|task| Completed { task, next_id }))
            })?,
        };
        if let Some(done) = &done {
            self.announce(user_id, ChangeKind::Updated, vec![id]).await;
            if let Some(next) = done.next_id {
                self.announce(user_id, ChangeKind::Created, vec![next])
                    .await;
            }
        }
        Ok(done)
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
}

/// The day of the month a monthly or yearly rule comes back to: the due date's, as the user
/// sets it.
pub(super) fn anchor(due_date: Option<NaiveDate>) -> Option<i16> {
    due_date.and_then(|due| i16::try_from(chrono::Datelike::day(&due)).ok())
}
