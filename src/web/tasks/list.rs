//! `GET /tasks`: the dashboard page, or (for htmx) just its table region.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{
        StatusCode,
        header::{CONTENT_LOCATION, HeaderValue},
    },
    web,
};
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
    // A new page of rows is said aloud too (where it is, how many match).
    let announce = htmx.then(|| dash.summary());
    let canonical = dash.view.href();
    let page = DashboardPage {
        ctx: ctx.with_user(&user),
        dash,
        draft: TaskDraft::default(),
        errors: TaskErrors::default(),
        oob: htmx,
        reset_create_form: false,
        announce,
    };
    let mut response = render_page_or(StatusCode::OK, htmx, &page, &page.as_region())?;
    // The view's own URL (defaults left out), which the script puts in the address bar in
    // place of the filter form's every-field query.
    if let Ok(value) = HeaderValue::from_str(&canonical) {
        response.headers_mut().insert(CONTENT_LOCATION, value);
    }
    Ok(response)
}
