//! Many tasks at once: bulk actions on the dashboard's selection, bulk inserts (seeding and
//! imports), and the one-off fold of rows written before migration 0011. Every statement
//! names the owner, as in [`super::tasks`].

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    Store, begin_write,
    builder::Sql,
    micros, recurrence,
    tasks::{Task, anchor},
};
use crate::{
    domain::{import::ImportRow, repeat::Repeat, tags, task::Priority, text::fold},
    live::ChangeKind,
};

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
    /// The last change; none: when it was created.
    pub updated_at: Option<DateTime<Utc>>,
    /// [`Repeat::None`] without a due date (as [`crate::domain::task::TaskInput`] ensures).
    pub repeat: Repeat,
    /// Valid, sorted, each once (see [`crate::domain::tags`]).
    pub tags: Vec<String>,
}

/// What a bulk action did: how many tasks changed state, and how many of the ids named were
/// not (or no longer) the user's tasks; for a delete, the batch undo restores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub changed: u64,
    pub missing: u64,
    pub trashed: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Complete,
    Reopen,
    Delete,
}

impl Store {
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
        if action == BulkAction::Delete {
            // Moved to the trash as one batch (and announced there).
            let trashed = self.move_to_trash(user_id, &ids, None, now).await?;
            let changed = trashed.as_ref().map_or(0, |t| t.tasks.len() as u64);
            return Ok(BulkOutcome {
                changed,
                missing: ids.len() as u64 - changed,
                trashed: trashed.map(|t| t.batch),
            });
        }
        let mut owned = Sql::new("SELECT COUNT(*) FROM tasks WHERE user_id = ");
        owned.bind(user_id).push(" AND id IN ").bind_list(&ids);
        let mut change = Sql::new("UPDATE tasks SET is_completed = ");
        change
            .bind(action == BulkAction::Complete)
            .push(", version = version + 1, updated_at = ")
            .bind(micros(now))
            .push(" WHERE user_id = ")
            .bind(user_id)
            // Only rows whose state changes count (and get a new version).
            .push(" AND is_completed = ")
            .bind(action == BulkAction::Reopen);
        change.push(" AND id IN ").bind_list(&ids);
        if action == BulkAction::Complete {
            // The tasks it completed, for their next occurrences.
            change.push(concat!(" RETURNING ", task_columns!()));
        }
        let (owned, changed, next) = on_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
            let owned: i64 = owned.query_scalar().fetch_one(&mut *tx).await?;
            let mut next = Vec::new();
            let changed = if action == BulkAction::Complete {
                let done: Vec<Task> = change.query_as().fetch_all(&mut *tx).await?;
                for task in &done {
                    if let Some(due) = task.next_due() {
                        let sql = recurrence::next_occurrence(user_id, task.id, due, now);
                        next.extend(sql.query_scalar::<_, i64>().fetch_all(&mut *tx).await?);
                    }
                }
                done.len() as u64
            } else {
                change.query().execute(&mut *tx).await?.rows_affected()
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>((owned, changed, next))
        })?;
        if changed > 0 {
            // One change for the action, naming the ids asked for (those that were not the
            // user's or did not change are simply not on the user's pages), and one for the
            // next occurrences of the repeating tasks it completed.
            self.announce(user_id, ChangeKind::Updated, ids.clone())
                .await;
            if !next.is_empty() {
                self.announce(user_id, ChangeKind::Created, next).await;
            }
        }
        let found = u64::try_from(owned).unwrap_or_default();
        let missing = (ids.len() as u64).saturating_sub(found);
        Ok(BulkOutcome {
            changed,
            missing,
            trashed: None,
        })
    }

    /// A user's import: every row in one transaction, or none; the user's open pages are
    /// told to read their view again. How many were imported.
    pub async fn import_for_user(
        &self,
        user_id: i64,
        rows: &[ImportRow],
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error> {
        let tasks: Vec<ImportTask> = rows
            .iter()
            .map(|row| ImportTask {
                user_id,
                title: row.input.title.clone(),
                description: row.input.description.clone(),
                is_completed: row.is_completed,
                priority: row.input.priority,
                due_date: row.input.due_date,
                created_at: row.created_at.unwrap_or(now),
                updated_at: row.updated_at.or(row.created_at).or(Some(now)),
                repeat: row.input.repeat,
                tags: row.input.tags.clone(),
            })
            .collect();
        self.import_tasks(&tasks).await?;
        self.announce(user_id, ChangeKind::Resync, Vec::new()).await;
        Ok(tasks.len() as u64)
    }

    /// Inserts tasks in multi-row statements inside one transaction (seeding, imports).
    pub async fn import_tasks(&self, tasks: &[ImportTask]) -> Result<(), sqlx::Error> {
        // 13 values a row: 1,000 rows stay under both backends' limits on bound parameters.
        let statements: Vec<Sql> = tasks
            .chunks(1_000)
            .map(|chunk| {
                let mut sql = Sql::new(
                    "INSERT INTO tasks (user_id, title, description, is_completed, priority, \
                     due_date, version, created_at, updated_at, title_fold, description_fold, \
                     repeat, repeat_day, tags) VALUES ",
                );
                for (i, t) in chunk.iter().enumerate() {
                    let at = micros(t.created_at);
                    let changed = micros(t.updated_at.unwrap_or(t.created_at));
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
                        .bind(changed)
                        .push(", ")
                        .bind(fold(&t.title))
                        .push(", ")
                        .bind(t.description.as_deref().map(fold))
                        .push(", ")
                        .bind(t.repeat.code())
                        .push(", ")
                        .bind(anchor(t.due_date))
                        .push(", ")
                        .bind(tags::stored(&t.tags))
                        .push(")");
                }
                sql
            })
            .collect();
        on_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
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
                let mut tx = begin_write(pool).await?;
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
