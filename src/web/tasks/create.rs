//! `GET /tasks/new` (the form alone, for a small screen or no JavaScript), `POST /tasks`, and
//! `GET /tasks/quick-add`, the preview of what the dashboard's one-line add understood (see
//! [`QuickAdd`]).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{
    dashboard::{Dashboard, DashboardPage},
    draft,
    tag_picker::tag_choices,
    view::ListView,
    writer::{Writer, quoted},
};
use crate::{
    domain::{
        quick_add::QuickAdd,
        task::{TaskDraft, TaskErrors},
    },
    error::AppError,
    web::page::{HxRequest, PageContext, render},
    web::session::CurrentUser,
    web::state::AppState,
};

#[derive(Template)]
#[template(path = "pages/task_new.html")]
struct NewTaskPage {
    ctx: PageContext,
    view: ListView,
    draft: TaskDraft,
    errors: TaskErrors,
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(flatten)]
    draft: TaskDraft,
    #[serde(default)]
    view: String,
    /// Set by the stand-alone form, which re-renders itself on error.
    #[serde(default)]
    from: String,
    /// Set by the dashboard's one-line form: its title is a quick add line.
    #[serde(default)]
    quick: String,
}

#[derive(Template)]
#[template(path = "fragments/quick_preview.html")]
struct QuickPreview {
    title: String,
    understood: Vec<String>,
}

#[derive(Deserialize)]
pub struct QuickLine {
    #[serde(default)]
    title: String,
}

/// What the one-line add understood in the line typed so far, shown under the field as the
/// user types (htmx). Empty when it understood nothing but a title. A plain browser has no
/// use for it: it is sent to the dashboard. Once the session has ended it answers 204, which
/// htmx leaves alone: sending the page to sign-in while the user types would take their
/// typing with it (the add itself keeps it, see [`draft`]).
pub async fn preview(
    HxRequest(htmx): HxRequest,
    user: Result<CurrentUser, actix_web::Error>,
    state: web::Data<AppState>,
    line: web::Query<QuickLine>,
) -> Result<HttpResponse, AppError> {
    if !htmx {
        return Ok(HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, "/tasks"))
            .insert_header((actix_web::http::header::VARY, "HX-Request"))
            .finish());
    }
    let Ok(user) = user else {
        return Ok(HttpResponse::NoContent()
            .insert_header((actix_web::http::header::VARY, "HX-Request"))
            .finish());
    };
    let quick = QuickAdd::parse(&line.title, user.today(&state.clock));
    let page = QuickPreview {
        understood: quick.understood(),
        title: quick.title,
    };
    render(StatusCode::OK, &page)
}

pub async fn new(user: CurrentUser, ctx: PageContext) -> Result<HttpResponse, AppError> {
    let page = NewTaskPage {
        ctx: ctx.with_user(&user),
        view: ListView::default(),
        draft: TaskDraft::default(),
        errors: TaskErrors::default(),
    };
    render(StatusCode::OK, &page)
}

/// Creates a task. Posted after the session ended, it keeps the form for after sign-in
/// ([`draft`]) instead of losing it.
pub async fn create(
    req: HttpRequest,
    HxRequest(htmx): HxRequest,
    form: web::Form<CreateForm>,
    w: Result<Writer, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    let CreateForm {
        draft,
        view,
        from,
        quick,
    } = form.into_inner();
    let view = ListView::from_form(&view);
    let w = match w {
        Ok(w) => w,
        Err(e) if draft::is_signed_out(&e) => {
            return Ok(draft::session_ended(&req, htmx, &view.href(), None, draft)?);
        }
        Err(e) => return Err(e),
    };
    Ok(save(w, view, draft, from == "new", !quick.is_empty()).await?)
}

async fn save(
    w: Writer,
    view: ListView,
    draft: TaskDraft,
    standalone: bool,
    quick: bool,
) -> Result<HttpResponse, AppError> {
    // A quick add's line is read on the user's today; the form keeps it as typed, so an
    // error shows the line again, never what was made of it.
    let line = quick.then(|| QuickAdd::parse(&draft.title, w.user.today(&w.state.clock)));
    let asked = line
        .as_ref()
        .map_or_else(|| draft.clone(), |q| q.over(&draft));
    let input = match asked.parse() {
        Ok(input) => input,
        Err(errors) => return invalid(w, view, draft, errors, standalone).await,
    };
    let task = w
        .state
        .store
        .create_task(w.user.id, &input, false, w.state.clock.now())
        .await?;
    // A new task is newest: show the first page of the view it was added from.
    let view = view.first_page();
    let understood = line.map(|q| q.understood()).unwrap_or_default();
    let message = if understood.is_empty() {
        format!("Added {}.", quoted(&task.title))
    } else {
        format!("Added {}: {}.", quoted(&task.title), understood.join(", "))
    };
    w.done(view, message, true).await
}

/// 422 with the form as typed and each bad field named: the create form alone for htmx, the
/// page it came from otherwise.
async fn invalid(
    w: Writer,
    view: ListView,
    draft: TaskDraft,
    errors: TaskErrors,
    standalone: bool,
) -> Result<HttpResponse, AppError> {
    let ctx = w.ctx.with_user(&w.user);
    if standalone && !w.htmx {
        let page = NewTaskPage {
            ctx,
            view,
            draft,
            errors,
        };
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let tag_choices = if w.htmx {
        Vec::new()
    } else {
        tag_choices(&w.state.store, w.user.id, &view).await?
    };
    let page = DashboardPage {
        dash: Dashboard::load(&w.state, &w.user, view).await?,
        ctx,
        draft,
        errors,
        oob: false,
        reset_create_form: false,
        announce: None,
        tag_choices,
        tags_oob: false,
        undo: None,
    };
    if w.htmx {
        let mut response = render(StatusCode::UNPROCESSABLE_ENTITY, &page.as_create_form())?;
        let headers = response.headers_mut();
        headers.insert(
            actix_web::http::header::HeaderName::from_static("hx-retarget"),
            actix_web::http::header::HeaderValue::from_static("#create"),
        );
        headers.insert(
            actix_web::http::header::HeaderName::from_static("hx-reswap"),
            actix_web::http::header::HeaderValue::from_static("outerHTML"),
        );
        Ok(response)
    } else {
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}
