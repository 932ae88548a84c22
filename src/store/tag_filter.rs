//! How a view filtered by tag finds its tasks: from `task_tags` (migration 0017), whose key
//! starts `(user_id, tag)`, so a tag's tasks are one range of it and never a scan of the
//! account.
//!
//! A page is read one of two ways ([`TagTest`]), chosen by how many tasks carry the tags: a
//! rare tag's tasks are read by id and sorted; a common one's page is found by walking the
//! order's index and testing each row. The view's cards count the tagged tasks from the same
//! range ([`Store::tagged_stats`]), and a view that has them chooses its page's way from
//! their total rather than counting twice.

use chrono::NaiveDate;

use super::{Store, TaskStats, builder::Sql, task_counts::Owner};

/// From how many tagged tasks a tag filter's page is read by walking the order's index and
/// testing each row for the tags, rather than by reading every tagged task and sorting.
///
/// Walking stops at the page's last row: about 26 / share rows, where share is the tagged
/// part of the account, and at least this many tagged tasks means at most about 2,600 rows
/// for the 50,000-task accounts. Reading the tagged tasks costs one lookup per tagged task
/// (1,200 of them: 4 ms of a 1,000,000-task database; the walk found the same page in
/// 0.75 ms), so a rarer tag is read that way: below this, at most 500 lookups. Either way the
/// work is bounded, never a scan of the account for a tag it barely holds.
const TAG_WALK_MIN: i64 = 500;

/// How a statement tests a row for a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum TagTest {
    /// `id IN` the tag's tasks: one range of `task_tags`' key, from which the tasks are read
    /// (with the owner column as `Dialect::owner_column` writes it).
    #[default]
    List,
    /// A lookup of the row's own entry in `task_tags`' key, as each row of a walk comes: a
    /// scalar subquery, which neither backend turns into a join that starts from the tag.
    Probe,
}

impl TagTest {
    /// The test for a page of a view whose tags `tagged` tasks carry (see [`TAG_WALK_MIN`]).
    pub(super) fn for_count(tagged: i64) -> Self {
        if tagged >= TAG_WALK_MIN {
            TagTest::Probe
        } else {
            TagTest::List
        }
    }
}

/// `AND` the task has each of `tags`, tested as `test` says.
pub(super) fn push_tags(sql: &mut Sql, owner: Owner, tags: &[String], test: TagTest) {
    for tag in tags {
        sql.push(match test {
            TagTest::List => " AND id IN (SELECT task_id FROM task_tags WHERE user_id = ",
            TagTest::Probe => " AND (SELECT 1 FROM task_tags WHERE user_id = ",
        });
        owner.push(sql);
        sql.push(" AND tag = ").bind(tag.clone());
        sql.push(match test {
            TagTest::List => ")",
            TagTest::Probe => " AND task_id = tasks.id) IS NOT NULL",
        });
    }
}

/// ` FROM task_tags WHERE` its rows are the user's tasks that carry `first` and each of
/// `others`: the first tag's range of the key, each other tag probed by `task_id`. What
/// `task_tags` holds of each task (its state and due date) is read from that range alone.
pub(super) fn push_tagged_rows(sql: &mut Sql, user_id: i64, first: &str, others: &[String]) {
    sql.push(" FROM task_tags WHERE user_id = ")
        .bind(user_id)
        .push(" AND tag = ")
        .bind(first.to_owned());
    for tag in others {
        sql.push(" AND task_id IN (SELECT task_id FROM task_tags WHERE user_id = ")
            .bind(user_id)
            .push(" AND tag = ")
            .bind(tag.clone())
            .push(")");
    }
}

impl Store {
    /// How many of the user's tasks carry every one of `tags` (0 for no tags), read from
    /// `task_tags`' key alone.
    pub async fn count_tagged(&self, user_id: i64, tags: &[String]) -> Result<i64, sqlx::Error> {
        let Some((first, others)) = tags.split_first() else {
            return Ok(0);
        };
        let mut sql = Sql::new("SELECT COUNT(*)");
        push_tagged_rows(&mut sql, user_id, first, others);
        on_pool!(self, |pool| sql.query_scalar().fetch_one(pool).await)
    }

    /// The cards' totals for the user's tasks that carry every one of `tags` (a view
    /// filtered by tag), on their `today`. The counters hold no per-tag numbers; `task_tags`
    /// carries each tagged task's state and due date (migration 0017), so this reads one
    /// range of its key for the first tag (and probes the key for each other tag), never the
    /// tasks themselves.
    pub async fn tagged_stats(
        &self,
        user_id: i64,
        tags: &[String],
        today: NaiveDate,
    ) -> Result<TaskStats, sqlx::Error> {
        let Some((first, others)) = tags.split_first() else {
            return self.task_stats(user_id, today).await;
        };
        let mut sql = Sql::new(
            "SELECT COUNT(*), \
             COALESCE(SUM(CASE WHEN is_completed THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN NOT is_completed AND due_date < ",
        );
        sql.bind(today).push(" THEN 1 ELSE 0 END), 0)");
        push_tagged_rows(&mut sql, user_id, first, others);
        let (total, done, overdue): (i64, i64, i64) =
            on_pool!(self, |pool| sql.query_as().fetch_one(pool).await)?;
        Ok(TaskStats {
            total,
            done,
            overdue,
        })
    }
}
