//! The dashboard's cards: each user's totals, read from the counters the writes keep
//! (migration 0013), and "overdue", which depends on the user's today.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Dialect, Store, builder::Sql};

/// The numbers on the dashboard's cards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskStats {
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
}

/// The dates a user's today can be at one instant, whatever their zone. Zones run from
/// UTC−12 to UTC+14, so at any moment every user's date is the UTC date, the day before it
/// or the day after: `first` is the day before and `second` the UTC date itself. Counting
/// the open tasks due before `first`, on `first` and on `second` separately answers
/// "overdue" for every today in the window (see [`TaskCounts::on`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TodayWindow {
    pub first: NaiveDate,
    pub second: NaiveDate,
}

impl TodayWindow {
    pub fn at(now: DateTime<Utc>) -> Self {
        Self::around(now.date_naive())
    }

    /// A window whose counts answer for `day` (its middle date).
    pub fn around(day: NaiveDate) -> Self {
        Self {
            first: day.pred_opt().unwrap_or(day),
            second: day,
        }
    }
}

/// A user's task counts, with "overdue" not yet settled: the open tasks due before a
/// [`TodayWindow`] and on each of its two dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskCounts {
    pub total: i64,
    pub done: i64,
    pub due_before: i64,
    pub due_first: i64,
    pub due_second: i64,
}

impl TaskCounts {
    /// The totals for a user whose today is `today`, counted with `window`: open tasks due
    /// before `today` are overdue. `today` is one of the window's dates or the day after
    /// its second (a zone ahead of UTC); a today outside that range cannot happen (see
    /// [`TodayWindow`]) and would be answered as the nearest end.
    pub fn on(self, window: TodayWindow, today: NaiveDate) -> TaskStats {
        let mut overdue = self.due_before;
        if today > window.first {
            overdue += self.due_first;
        }
        if today > window.second {
            overdue += self.due_second;
        }
        TaskStats {
            total: self.total,
            done: self.done,
            overdue,
        }
    }
}

impl TaskStats {
    pub fn open(&self) -> i64 {
        self.total - self.done
    }

    /// Share of tasks done, 0 to 100.
    pub fn done_percent(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            self.done * 100 / self.total
        }
    }
}

/// Whose counts [`Counts`] reads: a user id of the statement's own (a column), or one bound
/// as a value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Owner {
    Column(&'static str),
    Id(i64),
}

impl Owner {
    /// The owner, as an expression of the statement or a bound value.
    pub(super) fn push(self, sql: &mut Sql) {
        match self {
            Owner::Column(column) => sql.push(column),
            Owner::Id(id) => sql.bind(id),
        };
    }
}

/// The read of [`TaskCounts`] for `owner` with `window`'s dates, written into a statement in
/// two parts: its columns ([`Counts::push_columns`], in the select list) and what they read
/// from ([`Counts::push_joins`], after the `FROM` table the owner column belongs to). The
/// counts are kept by triggers as tasks change (migration 0013), so reading them costs the
/// same for any account: one primary key lookup of the totals and one range of the per-date
/// open counts (one row per date, not per task).
///
/// On PostgreSQL the per-date counts are one index range read, summed three ways at once
/// (a `LATERAL` join, correlated to the owner, so a statement whose owner row is filtered
/// out reads none of them). SQLite has no `LATERAL`, and a scalar subquery returns one
/// value, so it probes three times; in process each probe is a few B-tree steps.
#[derive(Debug, Clone, Copy)]
pub(super) struct Counts {
    pub owner: Owner,
    pub window: TodayWindow,
    pub dialect: Dialect,
}

impl Counts {
    fn push_owner(&self, sql: &mut Sql) {
        self.owner.push(sql);
    }

    /// The select list's part: `total, done, due_before, due_first, due_second`.
    pub fn push_columns(&self, sql: &mut Sql) {
        sql.push("COALESCE(tt.total, 0) AS total, COALESCE(tt.done, 0) AS done, ");
        match self.dialect {
            Dialect::Postgres => {
                sql.push("od.due_before, od.due_first, od.due_second");
            }
            Dialect::Sqlite => {
                let probe = |sql: &mut Sql, sum: &str, op: &str, day: NaiveDate, name: &str| {
                    sql.push("COALESCE((SELECT ")
                        .push(sum)
                        .push(" FROM open_due_counts WHERE user_id = ");
                    self.push_owner(sql);
                    sql.push(" AND due_date ")
                        .push(op)
                        .bind(day)
                        .push("), 0) AS ")
                        .push(name);
                };
                probe(sql, "SUM(n)", "< ", self.window.first, "due_before");
                sql.push(", ");
                probe(sql, "n", "= ", self.window.first, "due_first");
                sql.push(", ");
                probe(sql, "n", "= ", self.window.second, "due_second");
            }
        }
    }

    /// The joins the columns read from, to follow the owner's table in the `FROM` clause.
    pub fn push_joins(&self, sql: &mut Sql) {
        sql.push(" LEFT JOIN task_totals tt ON tt.user_id = ");
        self.push_owner(sql);
        if self.dialect == Dialect::Postgres {
            let (first, second) = (self.window.first, self.window.second);
            sql.push(
                " CROSS JOIN LATERAL (SELECT \
                 CAST(COALESCE(SUM(n) FILTER (WHERE due_date < ",
            )
            .bind(first)
            .push("), 0) AS BIGINT) AS due_before, CAST(COALESCE(SUM(n) FILTER (WHERE due_date = ")
            .bind(first)
            .push("), 0) AS BIGINT) AS due_first, CAST(COALESCE(SUM(n) FILTER (WHERE due_date = ")
            .bind(second)
            .push("), 0) AS BIGINT) AS due_second FROM open_due_counts WHERE user_id = ");
            self.push_owner(sql);
            sql.push(" AND due_date <= ").bind(second).push(") AS od");
        }
    }
}

impl Store {
    /// Totals for the user whose today is `today`: open tasks due before it are overdue.
    /// Read from the counters the writes keep (see [`Counts`]), the same cost for any
    /// account.
    pub async fn task_stats(
        &self,
        user_id: i64,
        today: NaiveDate,
    ) -> Result<TaskStats, sqlx::Error> {
        let window = TodayWindow::around(today);
        let counts = Counts {
            owner: Owner::Id(user_id),
            window,
            dialect: self.dialect(),
        };
        let mut sql = Sql::new("SELECT ");
        counts.push_columns(&mut sql);
        sql.push(" FROM (SELECT 1) AS one");
        counts.push_joins(&mut sql);
        let counts: TaskCounts = on_pool!(self, |pool| sql.query_as().fetch_one(pool).await)?;
        Ok(counts.on(window, today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_counts_answer_overdue_for_every_today_the_window_allows() {
        let window = TodayWindow::at(
            DateTime::parse_from_rfc3339("2026-06-15T11:30:00Z")
                .unwrap()
                .to_utc(),
        );
        assert_eq!(
            (window.first, window.second),
            (day("2026-06-14"), day("2026-06-15"))
        );
        let counts = TaskCounts {
            total: 20,
            done: 5,
            due_before: 3,
            due_first: 2,
            due_second: 4,
        };
        // West of UTC it can still be the 14th; at UTC the 15th; far east already the 16th.
        assert_eq!(counts.on(window, day("2026-06-14")).overdue, 3);
        assert_eq!(counts.on(window, day("2026-06-15")).overdue, 5);
        assert_eq!(counts.on(window, day("2026-06-16")).overdue, 9);
        let stats = counts.on(window, day("2026-06-16"));
        assert_eq!((stats.total, stats.done, stats.open()), (20, 5, 15));
    }
}
