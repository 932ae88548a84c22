//! `GET /tasks`: the dashboard page, or (for htmx) just its table region.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{
    Dashboard,
    view::{ListView, RawView},
};
use crate::{
    domain::task::{TaskDraft, TaskErrors},
    error::AppError,
    web::page::{HxRequest, PageContext, render_page_or},
    web::session::SessionToken,
    web::state::AppState,
};

/// The whole dashboard. Its `region` block is what htmx swaps into `#task-region`; its
/// `create_form` block is the create form alone (re-rendered with errors).
#[derive(Template)]
#[template(path = "pages/tasks.html", blocks = ["region", "create_form"])]
pub struct TasksPage {
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

/// The one handler that checks the session itself (see [`SessionToken`]): the dashboard is
/// the app's busiest page, and folding the check into its reads saves a round trip.
pub async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: SessionToken,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    query: web::Query<RawView>,
) -> Result<HttpResponse, AppError> {
    let view = match ListView::parse(&query) {
        Ok(view) => view,
        Err(bad) => {
            // Signed out is answered first, as for any other page.
            token.check(&state, &req).await?;
            return Err(bad);
        }
    };
    let (user, dash) = Dashboard::load_for_session(&state, &req, token, view).await?;
    let page = TasksPage {
        ctx: ctx.with_user(&user),
        dash,
        draft: TaskDraft::default(),
        errors: TaskErrors::default(),
        oob: htmx,
        reset_create_form: false,
        announce: None,
    };
    render_page_or(StatusCode::OK, htmx, &page, &page.as_region())
}
