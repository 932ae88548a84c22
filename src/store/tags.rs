//! A user's tags as a whole: which they use and how often, renaming one (merging it into
//! another) and deleting one from every task. Each task's own tags are a column of the task
//! ([`super::Task::tags`]); these read `task_tags`, the per-tag index the triggers of
//! migration 0017 keep, and `tag_counts`, the per-tag counts those of migration 0018 keep.

use chrono::{DateTime, Utc};

use super::{Dialect, Store, begin_write, builder::Sql, micros};
use crate::{domain::tags, live::ChangeKind};

/// One of a user's tags and how many of their tasks carry it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TagCount {
    pub name: String,
    pub count: i64,
}

/// Tasks rewritten per statement by [`Store::retag`]: two values each, well under both
/// backends' limits on bound parameters.
const RETAG_BATCH: usize = 500;

impl Store {
    /// The user's tags, A to Z, each with how many of their tasks carry it: one row per tag
    /// of the kept counts, however many tasks carry them.
    pub async fn tag_counts(&self, user_id: i64) -> Result<Vec<TagCount>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT tag AS name, n AS count FROM tag_counts WHERE user_id = $1 ORDER BY tag",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })
    }

    /// Renames the user's tag `from` to `to` on every task that carries it (a task that
    /// has both keeps one: the two merge), or with `to` `None` removes it from them. One
    /// transaction; each task changed gets a new version, so an edit form opened before
    /// cannot put the old name back unseen. How many tasks changed. Both names are valid
    /// tags (see [`crate::domain::tags`]).
    pub async fn retag(
        &self,
        user_id: i64,
        from: &str,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error> {
        if to == Some(from) {
            return Ok(0);
        }
        let mut select = Sql::new("SELECT id, tags FROM tasks WHERE user_id = ");
        select
            .bind(user_id)
            .push(" AND id IN (SELECT task_id FROM task_tags WHERE user_id = ")
            .bind(user_id)
            .push(" AND tag = ")
            .bind(from.to_owned())
            .push(") ORDER BY id");
        if self.dialect() == Dialect::Postgres {
            // Held to the commit, so no write in between is overwritten with older tags.
            select.push(" FOR UPDATE");
        }
        let now = micros(now);
        let ids: Vec<i64> = on_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
            let rows: Vec<(i64, String)> = select.query_as().fetch_all(&mut *tx).await?;
            for batch in rows.chunks(RETAG_BATCH) {
                let mut update = Sql::new("UPDATE tasks SET tags = CASE id");
                for (id, stored) in batch {
                    update
                        .push(" WHEN ")
                        .bind(*id)
                        .push(" THEN ")
                        .bind(renamed(stored, from, to));
                }
                let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
                update
                    .push(" END, version = version + 1, updated_at = ")
                    .bind(now)
                    .push(" WHERE user_id = ")
                    .bind(user_id)
                    .push(" AND id IN ")
                    .bind_list(&ids);
                update.query().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows.into_iter().map(|(id, _)| id).collect())
        })?;
        if !ids.is_empty() {
            self.announce(user_id, ChangeKind::Updated, ids.clone())
                .await;
        }
        Ok(ids.len() as u64)
    }
}

/// A task's stored tags with `from` renamed to `to` (or removed): still sorted, each once.
fn renamed(stored: &str, from: &str, to: Option<&str>) -> String {
    let mut list: Vec<String> = tags::of_stored(stored)
        .filter(|tag| *tag != from)
        .map(str::to_owned)
        .collect();
    list.extend(to.map(str::to_owned));
    list.sort_unstable();
    list.dedup();
    tags::stored(&list)
}

#[cfg(test)]
mod tests {
    use super::renamed;

    #[test]
    fn renaming_keeps_the_tags_sorted_and_merges_duplicates() {
        assert_eq!(renamed("a home work", "home", Some("zz")), "a work zz");
        assert_eq!(renamed("home work", "home", Some("work")), "work");
        assert_eq!(renamed("home work", "home", None), "work");
        assert_eq!(renamed("home", "home", None), "");
        assert_eq!(renamed("b", "b", Some("a")), "a");
    }
}
