//! The dashboard's first read: the session, its user's counts and a page of their tasks, in
//! one statement, so that authenticating costs no round trip of its own and nothing the
//! request asks for is read for a dead session.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, Row};

use super::{
    SessionStats, SessionUser, Store, TagCount,
    builder::Sql,
    task_counts::{Counts, Owner, TaskCounts, TodayWindow},
    task_list::{PageQuery, SEARCH_WINDOW},
    tasks::Task,
};
use crate::domain::listing::{ListRequest, TaskPage};

/// The tags and counts of `"home 3 work 12"`.
fn tag_counts_of(listed: &str) -> Vec<TagCount> {
    let mut words = listed.split(' ').filter(|w| !w.is_empty());
    let mut tags = Vec::new();
    while let (Some(name), Some(count)) = (words.next(), words.next()) {
        tags.push(TagCount {
            name: name.to_owned(),
            count: count.parse().unwrap_or_default(),
        });
    }
    tags
}

impl Store {
    /// The dashboard's first read: the live session `session_id` of `user_id` at `now`, its
    /// user, their task counts for `window` (see [`TaskCounts`]) and one page of their tasks,
    /// in one statement. The counts are subqueries of the session row and the rows' owner is
    /// read from it, so a dead session (no row) reads no count and no task: nothing the
    /// request asks for is looked at before the session is confirmed. `today` is as
    /// [`Store::list_tasks`] takes it. With `tags`, the user's tags and their counts too
    /// (see [`Store::tag_counts`]), for a whole page's filter form.
    #[allow(clippy::too_many_arguments)]
    pub async fn session_page(
        &self,
        session_id: &str,
        user_id: i64,
        now: DateTime<Utc>,
        window: TodayWindow,
        request: &ListRequest,
        today: NaiveDate,
        tags: bool,
    ) -> Result<Option<(SessionStats, TaskPage<Task>)>, sqlx::Error> {
        let mut page = PageQuery::new(user_id, request, today);
        let dialect = self.dialect();
        let search_window = request.filter.q.is_some().then_some(SEARCH_WINDOW);
        // The rows' owner is the live session's user: none (NULL, which matches no row)
        // when the session is dead, however the database orders the statement's work.
        page.owner = Some("(SELECT owner_id FROM h)");
        // A materialised CTE: the counts are read once, not once per row of the page.
        let mut sql = Sql::new(
            "WITH h AS MATERIALIZED (SELECT u.id AS owner_id, u.email, u.time_zone, \
             s.last_seen_at, ",
        );
        let counts = Counts {
            owner: Owner::Column("s.user_id"),
            window,
            dialect,
        };
        counts.push_columns(&mut sql);
        if tags {
            // "home 3 work 12": tags hold no space (see `domain::tags`).
            sql.push(
                ", (SELECT string_agg(tag || ' ' || n, ' ' ORDER BY tag) FROM tag_counts \
                 WHERE user_id = s.user_id) AS tag_list",
            );
        }
        sql.push(" FROM sessions s JOIN users u ON u.id = s.user_id");
        counts.push_joins(&mut sql);
        sql.push(" WHERE s.id = ")
            .bind(session_id.to_owned())
            .push(" AND s.user_id = ")
            .bind(user_id)
            .push(" AND s.revoked_at IS NULL AND s.expires_at > ")
            .bind(now)
            .push(") SELECT h.*, r.* FROM h LEFT JOIN (");
        page.push_sql(&mut sql, dialect, search_window, true);
        sql.push(") AS r ON true");
        page.push_order(&mut sql, dialect, "r.id");
        let found = on_pool!(self, |pool| {
            let rows = sql.query().fetch_all(pool).await?;
            let mut found = None;
            let mut tasks = Vec::with_capacity(rows.len());
            for row in &rows {
                if found.is_none() {
                    found = Some(SessionStats {
                        user: SessionUser {
                            user_id: row.try_get("owner_id")?,
                            email: row.try_get("email")?,
                            time_zone: row.try_get("time_zone")?,
                            last_seen_at: row.try_get("last_seen_at")?,
                        },
                        counts: TaskCounts::from_row(row)?,
                        tags: if tags {
                            let listed: Option<String> = row.try_get("tag_list")?;
                            Some(tag_counts_of(listed.as_deref().unwrap_or_default()))
                        } else {
                            None
                        },
                    });
                }
                // The one row of an empty page is the session's alone (the join's NULLs).
                if row.try_get::<Option<i64>, _>("id")?.is_some() {
                    tasks.push(Task::from_row(row)?);
                }
            }
            Ok::<_, sqlx::Error>(found.map(|session| (session, tasks)))
        })?;
        let Some((session, mut tasks)) = found else {
            return Ok(None);
        };
        if search_window.is_some() && !page.is_full(&tasks) {
            // The session is confirmed: the text index may answer on its own.
            page.owner = None;
            tasks = self.page_rows(&page.sql(dialect, None)).await?;
        }
        Ok(Some((session, page.finish(tasks))))
    }
}
