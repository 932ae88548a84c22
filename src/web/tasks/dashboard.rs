//! The dashboard: what its table region shows for one view ([`Dashboard`], read from the
//! store in one concurrent round) and the page that shows it ([`DashboardPage`], whose blocks
//! are the fragments htmx swaps).

use actix_web::HttpRequest;
use askama::Template;
use chrono::{NaiveDate, Utc};

use super::{
    position::Position,
    view::{Filter, ListView},
    view_counts,
};
use crate::{
    domain::{
        calendar::{ShortDate, TimeZone},
        listing::{PageAt, TaskPage},
        task::{StatusFilter, TaskDraft, TaskErrors},
    },
    error::AppError,
    store::{TagCount, Task, TaskStats, TodayWindow},
    web::{
        page::{PageContext, Undo},
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
    /// Fragment answers also update the stats and the announcer out of band.
    pub oob: bool,
    /// After a create: also put an empty create form back.
    pub reset_create_form: bool,
    /// What the live region says about the change just made.
    pub announce: Option<String>,
    /// The filter form's tag boxes (see [`super::tag_picker`]); empty for a fragment, which has
    /// no filter form, unless `tags_oob`.
    pub tag_choices: Vec<super::tag_picker::TagChoice>,
    /// A write's fragment also brings the tag picker again, out of band: the write may have
    /// added or removed a tag.
    pub tags_oob: bool,
    /// After a delete with htmx: the toast with its Undo button, out of band.
    pub undo: Option<Undo>,
}

/// Everything the table region shows for one view.
pub struct Dashboard {
    pub view: ListView,
    /// `view.query()`, serialised once (the region's forms carry it).
    pub view_query: String,
    /// `?view=...` for the rows' links, serialised once (see [`ListView::row_param`]).
    pub view_param: String,
    pub page: TaskPage<Task>,
    pub stats: TaskStats,
    /// How many tasks pass the filters, when any filter is on.
    pub matching: Option<i64>,
    /// Where this page sits among them ("26–50 of 117"); none for an empty page.
    pub position: Option<Position>,
    /// The user's zone, which every date shown is in, and their today in it.
    pub time_zone: TimeZone,
    pub today: NaiveDate,
    /// A calm word about what just happened that the list alone cannot show (a task deleted
    /// elsewhere, nothing selected), shown above the rows.
    pub notice: Option<String>,
    /// Every row's checkbox ticked: "Select all" without JavaScript (`select=all`).
    pub select_all: bool,
    /// View parameters that could not be read and were replaced by defaults (see
    /// [`ListView::parse_lenient`]), each with its reason.
    pub ignored: Vec<&'static str>,
    /// The user's tags and their counts, when they were read with the page (see
    /// [`Dashboard::load_for_session`]).
    pub tag_counts: Option<Vec<TagCount>>,
}

/// One filter in force, shown as a chip that removes it.
pub struct FilterChip {
    /// The filter form's field it stands for (the script clears that field).
    pub name: &'static str,
    /// For a tag, the tag: which of the form's `tag` boxes to clear.
    pub value: String,
    pub label: String,
    /// This view without the filter.
    pub href: String,
}

impl Dashboard {
    /// Reads the view's page, the stats and (when filtering) the match count, concurrently,
    /// for `user` on their today.
    pub async fn load(
        state: &AppState,
        user: &CurrentUser,
        view: ListView,
    ) -> Result<Self, AppError> {
        let today = user.today(&state.clock);
        let store = &state.store;
        let ((page, stats), matching, before) = tokio::try_join!(
            view_counts::page_and_stats(store, user.id, view.request(), today),
            view_counts::matching(store, user.id, view.filter(), today),
            view_counts::rows_before_cursor(store, user.id, view.request(), today),
        )?;
        Ok(Self::new(
            view,
            page,
            stats,
            matching,
            before,
            user.time_zone,
            today,
        ))
    }

    /// As [`Dashboard::load`], for a request whose session row is not checked yet: the
    /// check, the counts and the page's rows are one statement (see
    /// [`crate::store::Store::session_page`]), so authenticating costs no round trip of its
    /// own and nothing the request asks for is read unless the session is live.
    ///
    /// The user's zone arrives with the session, so the counts are read for every today the
    /// zone could give ([`crate::store::TaskCounts`]) and the rows are read without one: only
    /// `status=overdue` needs the user's today to choose rows, and that view checks the
    /// session first and then loads as [`Dashboard::load`] does. So does a view whose place
    /// or match count takes a count of its own (a later page, a priority filter): counting
    /// is the view's choice, and waits for the session, as does a tag filter, whose cards
    /// count the tagged tasks rather than read the account's counters.
    ///
    /// With `tags`, the user's tags and their counts are read in the same statement (a whole
    /// page's filter form lists them) and left in [`Dashboard::tag_counts`]; a view that
    /// loads the other way leaves that `None`, for the caller to read.
    pub async fn load_for_session(
        state: &AppState,
        req: &HttpRequest,
        token: SessionToken,
        view: ListView,
        tags: bool,
    ) -> Result<(CurrentUser, Self), AppError> {
        let filter = view.filter();
        let counted = filter.priority.is_some()
            || !filter.tags.is_empty()
            || (filter.q.is_none()
                && matches!(view.request().at, PageAt::After(_) | PageAt::Before(_)));
        if filter.status == StatusFilter::Overdue || counted {
            let user = token.check(state, req).await?;
            let dash = Self::load(state, &user, view).await?;
            return Ok((user, dash));
        }
        let now = Utc::now();
        let window = TodayWindow::at(state.clock.now());
        // Not read by these rows (see above); any date would do.
        let unused_today = window.second;
        let found = state
            .store
            .session_page(
                &token.session_id,
                token.user_id,
                now,
                window,
                view.request(),
                unused_today,
                tags,
            )
            .await?;
        let (found, read) = match found {
            Some((session, page)) => (
                Some(session.user),
                Some((session.counts, session.tags, page)),
            ),
            None => (None, None),
        };
        let user = token.confirm(state, req, found, now).await?;
        let (counts, tag_counts, page) = read.ok_or(AppError::SignedOut)?;
        let today = user.today(&state.clock);
        let stats = counts.on(window, today);
        let mut dash = Self::new(view, page, stats, None, None, user.time_zone, today);
        dash.tag_counts = tag_counts;
        Ok((user, dash))
    }

    fn new(
        view: ListView,
        page: TaskPage<Task>,
        stats: TaskStats,
        matching: Option<i64>,
        before_cursor: Option<i64>,
        time_zone: TimeZone,
        today: NaiveDate,
    ) -> Self {
        let matching = matching.or_else(|| view_counts::from_stats(view.filter(), &stats));
        let total = matching.unwrap_or(stats.total);
        let shown = page.tasks.len() as i64;
        // A search has no count to place its page in (see [`view_counts::matching`]).
        let position = if view.filter().q.is_some() {
            None
        } else {
            Position::of_page(&view.request().at, shown, total, before_cursor)
        };
        Self {
            position,
            view_query: view.query(),
            view_param: view.row_param(),
            view,
            page,
            stats,
            matching,
            time_zone,
            today,
            notice: None,
            select_all: false,
            ignored: Vec::new(),
            tag_counts: None,
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
                value: String::new(),
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
            StatusFilter::Overdue => add(Filter::Status, "status", "Overdue".into()),
        }
        if let Some(priority) = filter.priority {
            add(
                Filter::Priority,
                "priority",
                format!("{} priority", priority.label()),
            );
        }
        for tag in &filter.tags {
            chips.push(FilterChip {
                name: "tag",
                value: tag.clone(),
                label: format!("#{tag}"),
                href: view.href_without_tag(tag),
            });
        }
        chips
    }

    /// Where the page is, in words: "12 tasks", "3 matching tasks", "26–50 of 117 tasks";
    /// for a search, which is not counted, what the page holds: "First 25 matching tasks".
    pub fn summary(&self) -> String {
        let noun = |n: i64| if n == 1 { "task" } else { "tasks" };
        let page = &self.page;
        let shown = page.tasks.len() as i64;
        if self.view.filter().q.is_some() && shown > 0 {
            let n = noun(shown);
            return match (page.has_prev, page.has_next) {
                (false, false) => format!("{shown} matching {n}"),
                (false, true) => format!("First {shown} matching {n}"),
                (true, true) => format!("{shown} more matching {n}"),
                (true, false) => format!("Last {shown} matching {n}"),
            };
        }
        let matching = if self.matching.is_some() {
            " matching"
        } else {
            ""
        };
        match self.position {
            Some(p) if p.from == 1 && p.to == p.of => format!("{}{matching} {}", p.of, noun(p.of)),
            Some(p) => format!("{}–{} of {}{matching} {}", p.from, p.to, p.of, noun(p.of)),
            None => "No tasks on this page".to_owned(),
        }
    }

    /// This view with every row's box ticked ("Select all" without JavaScript).
    pub fn select_all_href(&self) -> String {
        let href = self.view.href();
        let sep = if href.contains('?') { '&' } else { '?' };
        format!("{href}{sep}select=all")
    }

    /// A note under one row's title: only a row answered alone has one (see
    /// [`super::row::RowDash::note_for`]).
    pub fn note_for(&self, _id: &i64) -> Option<&'static str> {
        None
    }

    /// A date as the table writes it.
    pub fn short(&self, date: &NaiveDate) -> ShortDate {
        ShortDate(*date)
    }

    /// No task at all (the cards of a tag filter count only the tagged ones).
    pub fn is_empty_account(&self) -> bool {
        self.stats.total == 0 && self.view.tags().is_empty()
    }

    pub fn next_href(&self) -> Option<String> {
        self.view.next_href(&self.page)
    }

    pub fn prev_href(&self) -> Option<String> {
        self.view.prev_href(&self.page)
    }
}
