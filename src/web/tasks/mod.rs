//! The dashboard: a user's tasks, in a table managed in place.
//!
//! Every write is a plain POST form answered with a redirect and a flash message (no
//! JavaScript needed); with htmx the same POST answers with the refreshed table region plus
//! out-of-band updates of the stats, the sort fields and the live announcement, so a change
//! shows in place. Every handler takes [`CurrentUser`] and every store call names the user,
//! so another user's task id answers 404 exactly like a missing one.

mod actions;
mod create;
mod edit;
mod list;
pub mod view;

use std::{future::Future, pin::Pin};

use actix_session::Session;
use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    dev::Payload,
    http::{StatusCode, header},
    web,
};
use chrono::{NaiveDate, Utc};

use self::{list::TasksPage, view::ListView};
use crate::{
    domain::{
        listing::TaskPage,
        task::{TaskDraft, TaskErrors, TaskFilter},
    },
    error::AppError,
    store::{Store, Task, TaskStats},
    web::state::AppState,
    web::{
        allow,
        page::{FlashKind, HxRequest, PageContext, flash, render},
        session::{CurrentUser, SessionToken},
    },
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tasks")
            .get(list::index)
            .post(create::create)
            .default_service(allow("GET, POST")),
    )
    .service(
        web::resource("/tasks/new")
            .get(create::new)
            .default_service(allow("GET")),
    )
    .service(
        web::resource("/tasks/bulk")
            .post(actions::bulk)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/{id}")
            .get(edit::show)
            .post(edit::update)
            .default_service(allow("GET, POST")),
    )
    .service(
        web::resource("/tasks/{id}/edit")
            .get(edit::edit)
            .default_service(allow("GET")),
    )
    .service(
        web::resource("/tasks/{id}/toggle")
            .post(actions::toggle)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/tasks/{id}/delete")
            .get(actions::confirm_delete)
            .post(actions::delete)
            .default_service(allow("GET, POST")),
    );
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
        let view_query = view.query();
        Ok(Self {
            view,
            view_query,
            page,
            stats,
            matching,
            today,
        })
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
        let view_query = view.query();
        Ok((
            user,
            Self {
                view,
                view_query,
                page,
                stats,
                matching,
                today,
            },
        ))
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

/// What every task write needs: the app, this browser's session, the page context, the
/// signed-in user and whether htmx asked.
pub struct Writer {
    pub state: web::Data<AppState>,
    pub session: Session,
    pub ctx: PageContext,
    pub user: CurrentUser,
    pub htmx: bool,
}

impl FromRequest for Writer {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = <(
            web::Data<AppState>,
            Session,
            PageContext,
            CurrentUser,
            HxRequest,
        )>::from_request(req, payload);
        Box::pin(async move {
            let (state, session, ctx, user, HxRequest(htmx)) = parts.await?;
            Ok(Writer {
                state,
                session,
                ctx,
                user,
                htmx,
            })
        })
    }
}

impl Writer {
    /// The answer to a successful write: a redirect back to the view with a flash message,
    /// or, for htmx, the refreshed region with the message announced.
    async fn done(
        self,
        view: ListView,
        message: String,
        reset_create_form: bool,
    ) -> Result<HttpResponse, AppError> {
        if !self.htmx {
            flash(&self.session, FlashKind::Success, message);
            return Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, view.href()))
                .finish());
        }
        let page = TasksPage {
            dash: Dashboard::load(&self.state, self.user.id, view).await?,
            ctx: self.ctx.with_user(&self.user),
            draft: TaskDraft::default(),
            errors: TaskErrors::default(),
            oob: true,
            reset_create_form,
            announce: Some(message),
        };
        render(StatusCode::OK, &page.as_region())
    }
}

/// Quotes a task title for a message, shortened so a long title cannot flood the page.
fn quoted(title: &str) -> String {
    let mut short: String = title.chars().take(60).collect();
    if short.len() < title.len() {
        short.push('…');
    }
    format!("“{short}”")
}
