//! `GET /tasks/new` (the form alone, for a small screen or no JavaScript) and `POST /tasks`.

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
    domain::task::{TaskDraft, TaskErrors},
    error::AppError,
    web::page::{HxRequest, PageContext, render},
    web::session::CurrentUser,
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
    let CreateForm { draft, view, from } = form.into_inner();
    let view = ListView::from_form(&view);
    let w = match w {
        Ok(w) => w,
        Err(e) if draft::is_signed_out(&e) => {
            return Ok(draft::session_ended(&req, htmx, &view.href(), None, draft)?);
        }
        Err(e) => return Err(e),
    };
    Ok(save(w, view, draft, from == "new").await?)
}

async fn save(
    w: Writer,
    view: ListView,
    draft: TaskDraft,
    standalone: bool,
) -> Result<HttpResponse, AppError> {
    let input = match draft.parse() {
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
    let message = format!("Added {}.", quoted(&task.title));
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
