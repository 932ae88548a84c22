//! The dashboard: what its table region shows for one view ([`Dashboard`], read from the
//! store in one concurrent round) and the page that shows it ([`DashboardPage`], whose blocks
//! are the fragments htmx swaps).

use actix_web::HttpRequest;
use askama::Template;
use chrono::{NaiveDate, Utc};

use super::view::{Filter, ListView};
use crate::{
    domain::{
        listing::TaskPage,
        task::{StatusFilter, TaskDraft, TaskErrors, TaskFilter},
    },
    error::AppError,
    store::{Store, Task, TaskStats},
    web::{
        page::PageContext,
        session::{CurrentUser, SessionToken},
        state::AppState,
    },
};

/// The whole dashboard. Its `region` block is what htmx swaps into `#task-region`; its
/// `create_form` block is the create form alone (re-rendered with errors).
#[derive(Template)]
#[template(path = "pages/tasks.html", blocks = ["region", "create_form"])]
pub struct DashboardPage {
    pub ctx: PageContext,
    pub dash: Dashboard,
    pub draft: TaskDraft,
    pub errors: TaskErrors,
    /// Fragment answers also update the stats, sort fields and announcer out of band.
    pub oob: bool,
    /// After a create: also put an empty create form back.
    pub reset_create_form: bool,
    /// What the live region says about the change just made.
    pub announce: Option<String>,
}

/// Everything the table region shows for one view.
pub struct Dashboard {
    pub view: ListView,
    /// `view.query()`, serialised once: every row carries it five times over.
    pub view_query: String,
    pub page: TaskPage<Task>,
    pub stats: TaskStats,
    /// How many tasks pass the filters, when any filter is on.
    pub matching: Option<i64>,
    pub today: NaiveDate,
    /// View parameters that could not be read and were replaced by defaults (see
    /// [`ListView::parse_lenient`]), each with its reason.
    pub ignored: Vec<&'static str>,
}

/// One filter in force, shown as a chip that removes it.
pub struct FilterChip {
    /// The filter form's field it stands for (the script clears that field).
    pub name: &'static str,
    pub label: String,
    /// This view without the filter.
    pub href: String,
}

/// How many tasks pass `filter`, when any filter is on (the "n of m" line); no query
/// otherwise.
async fn matching(
    store: &Store,
    user_id: i64,
    filter: &TaskFilter,
) -> Result<Option<i64>, sqlx::Error> {
    if filter.is_active() {
        store.count_tasks(user_id, filter).await.map(Some)
    } else {
        Ok(None)
    }
}

impl Dashboard {
    /// Reads the view's page, the stats and (when filtering) the match count, concurrently.
    pub async fn load(state: &AppState, user_id: i64, view: ListView) -> Result<Self, AppError> {
        let today = Utc::now().date_naive();
        let store = &state.store;
        let filter = view.filter().clone();
        let (page, stats, matching) = tokio::try_join!(
            store.list_tasks(user_id, view.request()),
            store.task_stats(user_id, today),
            matching(store, user_id, &filter),
        )?;
        Ok(Self::new(view, page, stats, matching, today))
    }

    /// As [`Dashboard::load`], for a request whose session row is not checked yet: the
    /// check and the stats are one statement, run alongside the page's rows (and the match
    /// count), so authenticating costs no round trip of its own. Nothing read leaves here
    /// unless the session is live.
    pub async fn load_for_session(
        state: &AppState,
        req: &HttpRequest,
        token: SessionToken,
        view: ListView,
    ) -> Result<(CurrentUser, Self), AppError> {
        let now = Utc::now();
        let today = now.date_naive();
        let store = &state.store;
        let filter = view.filter().clone();
        let user_id = token.user_id;
        let (session, page, matching) = tokio::try_join!(
            store.session_user_with_stats(&token.session_id, user_id, now, today),
            store.list_tasks(user_id, view.request()),
            matching(store, user_id, &filter),
        )?;
        let (found, stats) = match session {
            Some(s) => (Some(s.user), s.stats),
            None => (None, TaskStats::default()),
        };
        let user = token.confirm(state, req, found, now).await?;
        Ok((user, Self::new(view, page, stats, matching, today)))
    }

    fn new(
        view: ListView,
        page: TaskPage<Task>,
        stats: TaskStats,
        matching: Option<i64>,
        today: NaiveDate,
    ) -> Self {
        Self {
            view_query: view.query(),
            view,
            page,
            stats,
            matching,
            today,
            ignored: Vec::new(),
        }
    }

    /// The filters in force, each as a chip that links to this view without it.
    pub fn filter_chips(&self) -> Vec<FilterChip> {
        let view = &self.view;
        let filter = view.filter();
        let mut chips = Vec::new();
        let mut add = |field: Filter, name: &'static str, label: String| {
            chips.push(FilterChip {
                name,
                label,
                href: view.href_without(field),
            })
        };
        if let Some(q) = &filter.q {
            add(Filter::Search, "q", format!("“{q}”"));
        }
        match filter.status {
            StatusFilter::All => {}
            StatusFilter::Open => add(Filter::Status, "status", "Open".into()),
            StatusFilter::Done => add(Filter::Status, "status", "Done".into()),
        }
        if let Some(priority) = filter.priority {
            add(
                Filter::Priority,
                "priority",
                format!("{} priority", priority.label()),
            );
        }
        chips
    }

    pub fn is_empty_account(&self) -> bool {
        self.stats.total == 0
    }

    pub fn next_href(&self) -> Option<String> {
        self.view.next_href(&self.page)
    }

    pub fn prev_href(&self) -> Option<String> {
        self.view.prev_href(&self.page)
    }
}
