//! One task's row as an answer of its own: after an inline save, after "Cancel" in an inline
//! editor, and an inline editor whose task was deleted elsewhere. Answering with the row
//! alone (not the whole table region) leaves every other open editor as it was, typed text
//! and all.

use askama::Template;
use chrono::NaiveDate;

use super::view::ListView;
use crate::{
    domain::{
        calendar::{ShortDate, TimeZone},
        tags,
        task::StatusFilter,
        text::fold,
    },
    error::AppError,
    store::{Task, TaskStats},
    web::{page::PageContext, session::CurrentUser, state::AppState},
};

/// What a lone row needs of the dashboard (the names `partials/task_row.html` and
/// `partials/stats.html` read).
pub struct RowDash {
    /// The view the row is shown in (its tags link to it narrowed by the tag).
    pub view: ListView,
    pub view_param: String,
    pub time_zone: TimeZone,
    pub today: NaiveDate,
    pub stats: TaskStats,
    pub select_all: bool,
    /// A note for the row just saved (it no longer matches the view's filters).
    pub note: Option<(i64, &'static str)>,
}

impl RowDash {
    /// A date as the table writes it.
    pub fn short(&self, date: &NaiveDate) -> ShortDate {
        ShortDate(*date)
    }

    /// The note for the task `id`, if any.
    pub fn note_for(&self, id: &i64) -> Option<&'static str> {
        self.note.filter(|(of, _)| of == id).map(|(_, note)| note)
    }
}

/// The row, and with `announce` also the stats and the live announcement (out of band).
#[derive(Template)]
#[template(path = "fragments/task_row_alone.html")]
pub struct RowAlone {
    pub ctx: PageContext,
    pub dash: RowDash,
    pub task: Task,
    pub oob: bool,
    pub announce: Option<String>,
}

impl RowAlone {
    /// The row of `task` in `view`; with `announce`, also fresh stats and the message.
    pub async fn load(
        state: &AppState,
        user: &CurrentUser,
        ctx: PageContext,
        task: Task,
        view: &ListView,
        announce: Option<String>,
    ) -> Result<Self, AppError> {
        let today = user.today(&state.clock);
        let stats = match announce {
            Some(_) => {
                super::view_counts::stats(&state.store, task.user_id, view.filter(), today).await?
            }
            None => TaskStats::default(),
        };
        let note = (!still_listed(view, &task, today)).then_some((
            task.id,
            "Saved. It no longer matches the filters, so it leaves the list when the list refreshes.",
        ));
        Ok(Self {
            ctx,
            dash: RowDash {
                view: view.clone(),
                view_param: view.row_param(),
                time_zone: user.time_zone,
                today,
                stats,
                select_all: false,
                note,
            },
            task,
            oob: announce.is_some(),
            announce,
        })
    }
}

/// Whether `task` still passes the view's filters, as the store's search decides it (the
/// same fold, a literal substring). Its place in the order is left alone: rows do not jump
/// under the pointer; the next refresh sorts it.
fn still_listed(view: &ListView, task: &Task, today: NaiveDate) -> bool {
    let filter = view.filter();
    let status = match filter.status {
        StatusFilter::All => true,
        StatusFilter::Open => !task.is_completed,
        StatusFilter::Done => task.is_completed,
        StatusFilter::Overdue => task.is_overdue(&today),
    };
    let priority = filter.priority.is_none_or(|p| p == task.priority);
    let text = filter.search_fold().is_none_or(|q| {
        fold(&task.title).contains(&q)
            || task
                .description
                .as_deref()
                .is_some_and(|d| fold(d).contains(&q))
    });
    let tags = filter
        .tags
        .iter()
        .all(|tag| tags::of_stored(&task.tags).any(|t| t == tag));
    status && priority && text && tags
}
