//! The numbers a view of the dashboard shows besides its rows: the cards' counts, how many
//! tasks match its filters and where its page sits among them. Each is read only when the
//! view needs it, and never by counting what grows with the account when a kept counter or
//! the page itself already knows.

use chrono::NaiveDate;

use crate::{
    domain::{
        listing::{ListRequest, PageAt, TaskPage},
        task::{StatusFilter, TaskFilter},
    },
    store::{Store, Task, TaskStats},
};

/// A view's page and its cards. With a tag filter the cards count the tagged tasks, and
/// their total also chooses how the page is read (see [`Store::list_tagged`]), so the page
/// waits for them rather than counting the tags again; otherwise the two are read at once.
pub(super) async fn page_and_stats(
    store: &Store,
    user_id: i64,
    request: &ListRequest,
    today: NaiveDate,
) -> Result<(TaskPage<Task>, TaskStats), sqlx::Error> {
    let tags = &request.filter.tags;
    if tags.is_empty() {
        tokio::try_join!(
            store.list_tasks(user_id, request, today),
            store.task_stats(user_id, today),
        )
    } else {
        let stats = store.tagged_stats(user_id, tags, today).await?;
        let page = store
            .list_tagged(user_id, request, today, stats.total)
            .await?;
        Ok((page, stats))
    }
}

/// How many tasks pass `filter`, when it takes a query to know: only a priority filter
/// without a search (one range of its index). A status alone is answered by the cards'
/// counts ([`from_stats`]), and a search is not counted at all: counting its matches
/// would read every one of them, which grows with the account, while its page already
/// knows whether there is a next one.
pub(super) async fn matching(
    store: &Store,
    user_id: i64,
    filter: &TaskFilter,
    today: NaiveDate,
) -> Result<Option<i64>, sqlx::Error> {
    if filter.priority.is_some() && filter.q.is_none() {
        store.count_tasks(user_id, filter, today).await.map(Some)
    } else {
        Ok(None)
    }
}

/// How many tasks pass a status filter alone, from the cards' counts (which count the
/// tagged tasks alone when the view filters by tag: see [`stats`]).
pub(super) fn from_stats(filter: &TaskFilter, stats: &TaskStats) -> Option<i64> {
    if filter.q.is_some() || filter.priority.is_some() {
        return None;
    }
    match filter.status {
        StatusFilter::All if filter.tags.is_empty() => None,
        StatusFilter::All => Some(stats.total),
        StatusFilter::Open => Some(stats.open()),
        StatusFilter::Done => Some(stats.done),
        StatusFilter::Overdue => Some(stats.overdue),
    }
}

/// The cards' numbers for a view: the account's, or with a tag filter the tagged tasks'
/// (the tag is what the user is looking at; the other filters narrow the table alone).
pub(super) async fn stats(
    store: &Store,
    user_id: i64,
    filter: &TaskFilter,
    today: NaiveDate,
) -> Result<TaskStats, sqlx::Error> {
    if filter.tags.is_empty() {
        store.task_stats(user_id, today).await
    } else {
        store.tagged_stats(user_id, &filter.tags, today).await
    }
}

/// How many rows of the view come before its page, when the page's cursor alone says (a
/// count up to the cursor); the first page and the last need no query, and a search is not
/// counted (see [`matching`]).
pub(super) async fn rows_before_cursor(
    store: &Store,
    user_id: i64,
    request: &ListRequest,
    today: NaiveDate,
) -> Result<Option<i64>, sqlx::Error> {
    if request.filter.q.is_some() {
        return Ok(None);
    }
    match &request.at {
        PageAt::After(c) => store
            .count_before(user_id, request, c, true, today)
            .await
            .map(Some),
        PageAt::Before(c) => store
            .count_before(user_id, request, c, false, today)
            .await
            .map(Some),
        PageAt::First | PageAt::Last => Ok(None),
    }
}
