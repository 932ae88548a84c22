//! `GET /tasks`: the dashboard page, or (for htmx) just its table region.
//!
//! A view parameter the dashboard cannot read (an unknown size or sort, a cut-short or
//! foreign page link) does not end in an error page: the nearest valid view is shown, with a
//! message that says what was ignored, as a 200 at the URL asked for (htmx is told the
//! canonical URL to show instead). A redirect with a flash would also work, but it costs a
//! round trip and a cookie write for a message that belongs beside the view itself, and the
//! same answer then serves a full page and an htmx fragment alike.

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
    draft,
    tag_picker::{choices, tag_choices},
    view::{ListView, RawView},
};
use crate::{
    domain::task::TaskErrors,
    error::AppError,
    web::page::{Flash, FlashKind, HxRequest, PageContext, render_page_or},
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
    let raw = query.into_inner().with_tags_of(req.query_string());
    let (view, ignored) = ListView::parse_lenient(&raw);
    // A whole page's filter form lists the user's tags: read with the page when it can be.
    let (user, mut dash) = Dashboard::load_for_session(&state, &req, token, view, !htmx).await?;
    dash.select_all = select.select.as_deref() == Some("all");
    // A new page of rows is said aloud too (where it is, how many match).
    let announce = htmx.then(|| dash.summary());
    let canonical = dash.view.href();
    // With values ignored, the address bar's entry is replaced by the view shown.
    let replace_url = !ignored.is_empty();
    dash.ignored = ignored;
    let mut ctx = ctx.with_user(&user);
    // Back from signing in after an add that found the session ended: the create form as
    // typed (never on an htmx refresh, which has no create form).
    let kept = (!htmx)
        .then(|| draft::take(&state, &req, user.id, None))
        .flatten();
    if kept.is_some() {
        ctx.flash = Some(Flash {
            kind: FlashKind::Info,
            message: draft::KEPT.into(),
            undo: None,
        });
    }
    let tag_choices = match (htmx, dash.tag_counts.take()) {
        (true, _) => Vec::new(),
        (false, Some(counts)) => choices(counts, &dash.view),
        (false, None) => tag_choices(&state.store, user.id, &dash.view).await?,
    };
    let page = DashboardPage {
        ctx,
        tag_choices,
        tags_oob: false,
        undo: None,
        dash,
        draft: kept.as_ref().map(|k| k.draft.clone()).unwrap_or_default(),
        errors: TaskErrors::default(),
        oob: htmx,
        reset_create_form: false,
        announce,
    };
    let mut response = render_page_or(StatusCode::OK, htmx, &page, &page.as_region())?;
    if kept.is_some() {
        draft::forget(&state, &mut response)?;
    }
    // The view's own URL (defaults left out), which the script puts in the address bar in
    // place of the filter form's every-field query.
    if let Ok(href) = HeaderValue::from_str(&canonical) {
        response
            .headers_mut()
            .insert(CONTENT_LOCATION, href.clone());
        if htmx && replace_url {
            response.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("hx-replace-url"),
                href,
            );
        }
    }
    Ok(response)
}
