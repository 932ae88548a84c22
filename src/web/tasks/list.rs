//! `GET /tasks`: the dashboard page, or (for htmx) just its table region.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::{
    dashboard::{Dashboard, DashboardPage},
    view::{ListView, RawView},
};
use crate::{
    domain::task::{TaskDraft, TaskErrors},
    error::AppError,
    web::page::{HxRequest, PageContext, render_page_or},
    web::session::SessionToken,
    web::state::AppState,
};

/// `select=all`: every row's box ticked, the "Select all" of a browser without JavaScript.
/// Not part of the view (write forms never carry it back).
#[derive(Deserialize)]
pub struct SelectQuery {
    select: Option<String>,
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
    select: web::Query<SelectQuery>,
) -> Result<HttpResponse, AppError> {
    let view = match ListView::parse(&query) {
        Ok(view) => view,
        Err(bad) => {
            // Signed out is answered first, as for any other page.
            token.check(&state, &req).await?;
            return Err(bad);
        }
    };
    let (user, mut dash) = Dashboard::load_for_session(&state, &req, token, view).await?;
    dash.select_all = select.select.as_deref() == Some("all");
    let page = DashboardPage {
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
