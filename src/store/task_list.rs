//! Reading many tasks: one page of a view (filters, search, sort, keyset cursors) and how
//! many match. The cards' totals are in [`super::task_counts`]; the dashboard's first read,
//! a page with its session and counts, in [`super::session_page`].
//!
//! Pages are keyset-paged on `(sort expression, id)`, each order served by an index that
//! starts with `user_id` (migration 0002), so the last page costs what the first does.

use chrono::NaiveDate;

use super::{
    Dialect, Store,
    builder::Sql,
    sqlite,
    tag_filter::{TagTest, push_tags},
    task_counts::Owner,
    tasks::Task,
};
use crate::domain::{
    listing::{Cursor, ListRequest, NO_DUE_DATE, PageAt, SortValue, TaskPage},
    task::{SortDir, SortKey, StatusFilter, TaskFilter},
    text::fold,
};

impl Store {
    /// One page of the user's tasks, filtered and ordered as asked. `today` is the user's
    /// (see [`crate::domain::calendar`]): only `status=overdue` reads it.
    pub async fn list_tasks(
        &self,
        user_id: i64,
        request: &ListRequest,
        today: NaiveDate,
    ) -> Result<TaskPage<Task>, sqlx::Error> {
        let tagged = if request.filter.tags.is_empty() {
            0
        } else {
            self.count_tagged(user_id, &request.filter.tags).await?
        };
        self.list_tagged(user_id, request, today, tagged).await
    }

    /// As [`Store::list_tasks`], for a caller that already knows how many of the user's
    /// tasks carry the filter's tags (`tagged`: the total of [`Store::tagged_stats`], which a
    /// tag view's cards read anyway), so the store need not count them again to choose how
    /// to read the page (see [`super::tag_filter`]).
    pub async fn list_tagged(
        &self,
        user_id: i64,
        request: &ListRequest,
        today: NaiveDate,
        tagged: i64,
    ) -> Result<TaskPage<Task>, sqlx::Error> {
        let mut page = PageQuery::new(user_id, request, today);
        page.tag_test = TagTest::for_count(tagged);
        let dialect = self.dialect();
        // A search first looks for its page among the next rows of the order (see
        // SEARCH_WINDOW); only when that window does not fill it does the text index answer.
        let window = request.filter.q.is_some().then_some(SEARCH_WINDOW);
        let mut tasks = self.page_rows(&page.sql(dialect, window)).await?;
        if window.is_some() && !page.is_full(&tasks) {
            tasks = self.page_rows(&page.sql(dialect, None)).await?;
        }
        Ok(page.finish(tasks))
    }

    /// The rows of one page's statement.
    pub(super) async fn page_rows(&self, sql: &Sql) -> Result<Vec<Task>, sqlx::Error> {
        on_pool!(self, |pool| sql.query_as().fetch_all(pool).await)
    }

    /// How many of the rows `request` lists come before `cursor` in its order (the cursor's
    /// own position too, when `through`): where a page starts, as "26-50 of 117" says. One
    /// range of the order's index, like the page itself.
    pub async fn count_before(
        &self,
        user_id: i64,
        request: &ListRequest,
        cursor: &Cursor,
        through: bool,
        today: NaiveDate,
    ) -> Result<i64, sqlx::Error> {
        if cursor.key() != request.sort {
            return Ok(0);
        }
        let dialect = self.dialect();
        let mut sql = Sql::new("SELECT COUNT(*) FROM tasks WHERE ");
        sql.push(dialect.owner_column(!request.filter.tags.is_empty()))
            .push(" = ")
            .bind(user_id);
        push_filter(&mut sql, dialect, user_id, &request.filter, today);
        let op = match (request.dir, through) {
            (SortDir::Asc, false) => "<",
            (SortDir::Asc, true) => "<=",
            (SortDir::Desc, false) => ">",
            (SortDir::Desc, true) => ">=",
        };
        push_position(&mut sql, sort_expr(dialect, request.sort), op, cursor);
        on_pool!(self, |pool| sql.query_scalar().fetch_one(pool).await)
    }

    /// How many of the user's tasks pass `filter` on the user's `today`.
    pub async fn count_tasks(
        &self,
        user_id: i64,
        filter: &TaskFilter,
        today: NaiveDate,
    ) -> Result<i64, sqlx::Error> {
        let dialect = self.dialect();
        let mut sql = Sql::new("SELECT COUNT(*) FROM tasks WHERE ");
        sql.push(dialect.owner_column(!filter.tags.is_empty()))
            .push(" = ")
            .bind(user_id);
        push_filter(&mut sql, dialect, user_id, filter, today);
        on_pool!(self, |pool| sql.query_scalar().fetch_one(pool).await)
    }
}

/// How many rows of the order a search reads before it turns to the text index.
///
/// The index finds every match: for a word in 5% of a 50,000-task account's titles that is
/// 2,500 rows to fetch and sort for a page of 25 (on PostgreSQL the trigram bitmap even
/// spans every account, as a prepared statement's plan cannot see the word). Read in the
/// page's own order, the same page is found after about 500 rows and the read stops there.
/// A rarer text reads the whole window for nothing, then the index, whose work is small for
/// a rare text: so the window bounds the waste (about a millisecond) while common words skip
/// the index's cost.
pub(super) const SEARCH_WINDOW: i64 = 2_000;

/// One page's statement, as [`Store::list_tasks`] runs it.
pub(super) struct PageQuery<'a> {
    user_id: i64,
    /// Where the statement takes the owner from, when not from `user_id` bound as a value:
    /// an expression of the statement around it (see [`Store::session_page`]).
    pub(super) owner: Option<&'static str>,
    request: &'a ListRequest,
    /// Where the page is: a cursor made for another order is refused at the edge (400); one
    /// that reaches the store anyway is ignored (the list starts over), never misapplied.
    at: PageAt,
    /// The direction rows are read in (the order's own, or flipped to read back from the end).
    dir: SortDir,
    /// How a tag filter's rows are tested for their tags (see [`super::tag_filter`]).
    pub(super) tag_test: TagTest,
    today: NaiveDate,
}

impl<'a> PageQuery<'a> {
    pub(super) fn new(user_id: i64, request: &'a ListRequest, today: NaiveDate) -> Self {
        let at = match &request.at {
            PageAt::After(c) | PageAt::Before(c) if c.key() != request.sort => PageAt::First,
            other => other.clone(),
        };
        let dir = match at {
            PageAt::Before(_) | PageAt::Last => request.dir.flip(),
            PageAt::First | PageAt::After(_) => request.dir,
        };
        Self {
            user_id,
            owner: None,
            request,
            at,
            dir,
            today,
            tag_test: TagTest::default(),
        }
    }

    fn cursor(&self) -> Option<&Cursor> {
        match &self.at {
            PageAt::After(c) | PageAt::Before(c) => Some(c),
            PageAt::First | PageAt::Last => None,
        }
    }

    /// Rows are read up to one more than the page: the extra row says there is a next one.
    pub(super) fn limit(&self) -> i64 {
        i64::from(self.request.size) + 1
    }

    pub(super) fn is_full(&self, rows: &[Task]) -> bool {
        rows.len() as i64 == self.limit()
    }

    /// The page of `tasks`, as read by its statement.
    pub(super) fn finish(&self, mut tasks: Vec<Task>) -> TaskPage<Task> {
        let size = self.request.size as usize;
        let more = tasks.len() > size;
        tasks.truncate(size);
        // A cursor is a position in the order, not a row: when the rows around it were
        // deleted, the page goes on from where they were, and past the end it is empty (with
        // no next page), never page 1 again.
        let (has_prev, has_next) = match self.at {
            PageAt::First => (false, more),
            PageAt::After(_) => (true, more),
            PageAt::Before(_) => {
                tasks.reverse();
                (more, true)
            }
            PageAt::Last => {
                tasks.reverse();
                (more, false)
            }
        };
        let sort = self.request.sort;
        TaskPage {
            first: tasks.first().map(|t| cursor_of(t, sort)),
            last: tasks.last().map(|t| cursor_of(t, sort)),
            tasks,
            has_prev,
            has_next,
        }
    }

    /// The page's statement (see [`PageQuery::push_sql`]).
    pub(super) fn sql(&self, dialect: Dialect, window: Option<i64>) -> Sql {
        let mut sql = Sql::new("");
        self.push_sql(&mut sql, dialect, window, false);
        sql
    }

    /// Appends the statement for up to one row more than the page. With `window`, a search
    /// reads only that many rows of the order, from the page's position, and tests each for
    /// the search text; without, it narrows with the backend's text index. With `sort_key`,
    /// each row also carries what it is ordered by, for a statement around this one to order
    /// by (only the title order's folded title is not a task column).
    pub(super) fn push_sql(
        &self,
        sql: &mut Sql,
        dialect: Dialect,
        window: Option<i64>,
        sort_key: bool,
    ) {
        let filter = &self.request.filter;
        sql.push("SELECT ").push(task_columns!());
        if sort_key && self.request.sort == SortKey::Title {
            sql.push(", title_fold");
        }
        if window.is_some() {
            sql.push(concat!(
                " FROM (SELECT ",
                task_columns!(),
                ", title_fold, description_fold"
            ));
        }
        // Within a search's window, rows are walked in order whatever the tags' size.
        let tags = if window.is_some() {
            TagTest::Probe
        } else {
            self.tag_test
        };
        sql.push(" FROM tasks WHERE ")
            .push(dialect.owner_column(tags == TagTest::List && !filter.tags.is_empty()))
            .push(" = ");
        let owner = match self.owner {
            Some(column) => Owner::Column(column),
            None => Owner::Id(self.user_id),
        };
        owner.push(sql);
        push_conditions(sql, owner, filter, self.today, tags);
        if window.is_none() {
            push_search(sql, dialect, self.user_id, filter);
        }
        if let Some(cursor) = self.cursor() {
            let op = if self.dir == SortDir::Asc { ">" } else { "<" };
            push_position(sql, sort_expr(dialect, self.request.sort), op, cursor);
        }
        if let Some(rows) = window {
            self.push_order(sql, dialect, "id");
            sql.push(" LIMIT ")
                .push_int(rows)
                .push(") AS window_rows WHERE true");
            push_like(sql, filter);
        }
        self.push_order(sql, dialect, "id");
        sql.push(" LIMIT ").push_int(self.limit());
    }

    /// ` ORDER BY` the page's order, in the direction it is read, ties broken by `id`.
    pub(super) fn push_order(&self, sql: &mut Sql, dialect: Dialect, id: &str) {
        let dir = if self.dir == SortDir::Asc {
            " ASC"
        } else {
            " DESC"
        };
        sql.push(" ORDER BY ")
            .push(sort_expr(dialect, self.request.sort))
            .push(dir)
            .push(", ")
            .push(id)
            .push(dir);
    }
}

/// The SQL expression a list is ordered by. Only these fixed strings ever reach a query.
fn sort_expr(dialect: Dialect, key: SortKey) -> &'static str {
    match key {
        SortKey::Created => "created_at",
        SortKey::Due => dialect.due_expr(),
        SortKey::Priority => "priority",
        SortKey::Title => "title_fold",
    }
}

/// The filter's conditions. A search compares the folded search text with the folded title
/// and description (migration 0011), so both backends match exactly the same rows. It
/// first narrows to the rows the backend's text index says may match (SQLite's FTS5
/// trigrams; PostgreSQL's trigram indexes serve `LIKE` itself); the literal
/// `LIKE ... ESCAPE` test that follows decides what matches.
fn push_filter(
    sql: &mut Sql,
    dialect: Dialect,
    user_id: i64,
    filter: &TaskFilter,
    today: NaiveDate,
) {
    push_conditions(sql, Owner::Id(user_id), filter, today, TagTest::List);
    push_search(sql, dialect, user_id, filter);
}

/// The filter's status, priority and tag conditions. `owner` is the user the statement
/// reads for, as its `WHERE user_id = ` names them.
fn push_conditions(
    sql: &mut Sql,
    owner: Owner,
    filter: &TaskFilter,
    today: NaiveDate,
    tags: TagTest,
) {
    match filter.status {
        StatusFilter::All => {}
        StatusFilter::Open => {
            sql.push(" AND is_completed = ").bind(false);
        }
        StatusFilter::Done => {
            sql.push(" AND is_completed = ").bind(true);
        }
        StatusFilter::Overdue => {
            sql.push(" AND is_completed = ")
                .bind(false)
                .push(" AND due_date < ")
                .bind(today);
        }
    }
    if let Some(priority) = filter.priority {
        sql.push(" AND priority = ").bind(priority.rank());
    }
    push_tags(sql, owner, &filter.tags, tags);
}

/// The search, narrowed by the backend's text index (see [`push_filter`]).
fn push_search(sql: &mut Sql, dialect: Dialect, user_id: i64, filter: &TaskFilter) {
    if dialect == Dialect::Sqlite
        && let Some(query) = filter
            .search_fold()
            .and_then(|q| sqlite::search_match(user_id, &q))
    {
        sql.push(" AND id IN (SELECT rowid FROM tasks_search WHERE tasks_search MATCH ")
            .bind(query)
            .push(")");
    }
    push_like(sql, filter);
}

/// The literal substring test of the search, which decides what matches.
fn push_like(sql: &mut Sql, filter: &TaskFilter) {
    if let Some(pattern) = filter.like_pattern() {
        sql.push(" AND (title_fold LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR description_fold LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
}

/// `AND (expr, id) <op> (cursor)`: the rows on one side of a position in the order.
fn push_position(sql: &mut Sql, expr: &'static str, op: &'static str, cursor: &Cursor) {
    sql.push(" AND (")
        .push(expr)
        .push(", id) ")
        .push(op)
        .push(" (");
    match &cursor.value {
        SortValue::Created(at) => sql.bind(*at),
        SortValue::Due(date) => sql.bind(*date),
        SortValue::Priority(rank) => sql.bind(*rank),
        SortValue::Title(title) => sql.bind(title.clone()),
    };
    sql.push(", ").bind(cursor.id).push(")");
}

/// Where `task` sits in the order `key`, as a cursor.
fn cursor_of(task: &Task, key: SortKey) -> Cursor {
    let value = match key {
        SortKey::Created => SortValue::Created(task.created_at),
        SortKey::Due => SortValue::Due(task.due_date.unwrap_or(NO_DUE_DATE)),
        SortKey::Priority => SortValue::Priority(task.priority.rank()),
        // The stored `title_fold` is this same fold of the same (NFC) title.
        SortKey::Title => SortValue::Title(fold(&task.title)),
    };
    Cursor { value, id: task.id }
}
