//! Recurring tasks' next occurrences (the rules are [`crate::domain::repeat`]): the
//! statement that creates one, run in the transaction of the write that completed its
//! predecessor.

use chrono::{DateTime, NaiveDate, Utc};

use super::{builder::Sql, micros};

/// The statement creating the occurrence after task `done_id` of `user_id`, a repeating task
/// just completed, due on `next` (its [`super::Task::next_due`]). The new task copies the title,
/// description, priority, tags, rule and the rule's day, is open, is due one period after `done`,
/// and names `done` as the task it follows. If `done` already has one (completed twice, or
/// reopened and completed again), the statement creates nothing and returns no row:
/// `follows_id` is unique. Otherwise it returns the new task's id.
pub(super) fn next_occurrence(
    user_id: i64,
    done_id: i64,
    next: NaiveDate,
    now: DateTime<Utc>,
) -> Sql {
    let now = micros(now);
    let mut sql = Sql::new(
        "INSERT INTO tasks (user_id, title, description, is_completed, priority, due_date, \
         version, created_at, updated_at, title_fold, description_fold, repeat, repeat_day, \
         tags, follows_id) \
         SELECT user_id, title, description, FALSE, priority, ",
    );
    sql.bind(next)
        .push(", 1, ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(
            ", title_fold, description_fold, repeat, repeat_day, tags, id FROM tasks \
             WHERE user_id = ",
        )
        .bind(user_id)
        .push(" AND id = ")
        .bind(done_id)
        .push(
            " AND is_completed \
             ON CONFLICT (follows_id) WHERE follows_id IS NOT NULL DO NOTHING RETURNING id",
        );
    sql
}
