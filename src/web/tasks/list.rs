//! `GET /tasks`: the dashboard page, or (for htmx) just its table region.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};

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
