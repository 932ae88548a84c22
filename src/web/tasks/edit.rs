//! `GET /tasks/{id}` (one task), `GET /tasks/{id}/edit` (the edit form: a page, or for htmx
//! an inline row) and `POST /tasks/{id}` (save).
//!
//! Saves name the version they were based on. If someone saved first, the answer is 409 with
//! the user's own input still in the form and the current values beside it, so nothing typed
//! is lost and nothing is overwritten unseen. If the task was deleted meanwhile (or was never
//! the user's: the same answer), the form comes back with the typed text and a calm note,
//! offering to save it as a new task. An inline save answers with the saved row alone
//! ([`super::row`]), so another open editor keeps what is typed in it.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{
        StatusCode,
        header::{HeaderName, HeaderValue},
    },
    web,
};
use askama::Template;
use serde::Deserialize;

use super::{
    draft,
    row::RowAlone,
    view::ListView,
    writer::{GONE, Writer, quoted},
};
use crate::{
    domain::{
        calendar::TimeZone,
        tags,
        task::{TaskDraft, TaskErrors},
    },
    error::AppError,
    store::{Task, TaskStats, UpdateOutcome},
    web::page::{Flash, FlashKind, HxRequest, PageContext, render},
    web::session::CurrentUser,
    web::state::AppState,
};

/// One task on a page of its own.
#[derive(Template)]
#[template(path = "pages/task.html")]
struct TaskDetailPage {
    ctx: PageContext,
    task: Task,
    view: ListView,
    /// The user's zone, which the page's dates are in, and their today.
    time_zone: TimeZone,
    today: chrono::NaiveDate,
}

impl TaskDetailPage {
    /// The date of `at` in the user's zone.
    fn date(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.time_zone.format_date(*at)
    }
}

/// What the edit form shows, wherever it is shown.
struct EditForm {
    id: i64,
    version: i64,
    view: ListView,
    draft: TaskDraft,
    errors: TaskErrors,
    /// The task as it is now, when the user's save was based on an older version.
    conflict: Option<Task>,
    /// The task is not there any more: the form offers to save the text as a new task.
    gone: bool,
}

impl EditForm {
    /// Keeps element ids unique when several rows are being edited at once.
    fn prefix(&self) -> String {
        format!("edit-{}", self.id)
    }
}

/// The edit form as a page (no JavaScript).
#[derive(Template)]
#[template(path = "pages/task_edit.html")]
struct EditPage {
    ctx: PageContext,
    form: EditForm,
}

/// The edit form as the table row htmx swaps in place of the task's row.
#[derive(Template)]
#[template(path = "fragments/task_edit_row.html")]
struct EditRow {
    csrf: String,
    form: EditForm,
    /// With the stats and an announcement out of band (the task was deleted elsewhere).
    oob: bool,
    dash: StatsOnly,
    announce: String,
}

/// The stats, under the name `partials/stats.html` reads them by.
#[derive(Default)]
struct StatsOnly {
    stats: TaskStats,
}

#[derive(Deserialize)]
pub struct ViewQuery {
    #[serde(default)]
    view: String,
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(flatten)]
    draft: TaskDraft,
    version: i64,
    #[serde(default)]
    view: String,
}

fn draft_of(task: &Task) -> TaskDraft {
    TaskDraft {
        title: task.title.clone(),
        description: task.description.clone().unwrap_or_default(),
        priority: task.priority.as_str().to_owned(),
        due_date: task.due_date.map(|d| d.to_string()).unwrap_or_default(),
        repeat: task.repeat.as_str().to_owned(),
        tags: tags::field_value(&task.tag_list()),
    }
}

async fn owned_task(state: &AppState, user: &CurrentUser, id: i64) -> Result<Task, AppError> {
    state
        .store
        .get_task(user.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The task's page; for htmx its row alone ("Cancel" in an inline editor puts it back).
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    id: web::Path<i64>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, AppError> {
    let task = owned_task(&state, &user, *id).await?;
    let view = ListView::from_form(&query.view);
    if htmx {
        let row = RowAlone::load(&state, &user, ctx, task, &view, None).await?;
        return render(StatusCode::OK, &row);
    }
    let page = TaskDetailPage {
        ctx: ctx.with_user(&user),
        task,
        view,
        time_zone: user.time_zone,
        today: user.today(&state.clock),
    };
    render(StatusCode::OK, &page)
}

pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    id: web::Path<i64>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, AppError> {
    let task = owned_task(&state, &user, *id).await?;
    let mut ctx = ctx.with_user(&user);
    let mut form = EditForm {
        id: task.id,
        version: task.version,
        view: ListView::from_form(&query.view),
        draft: draft_of(&task),
        errors: TaskErrors::default(),
        conflict: None,
        gone: false,
    };
    // Back from signing in after a save that found the session ended: the form as typed,
    // based on the version it was typed against.
    let kept = (!htmx)
        .then(|| draft::take(&state, &req, user.id, Some(task.id)))
        .flatten();
    let Some(kept) = kept else {
        return form_again(ctx, form, htmx, StatusCode::OK);
    };
    if let Some((_, version)) = kept.task {
        form.version = version;
    }
    form.draft = kept.draft;
    ctx.flash = Some(Flash {
        kind: FlashKind::Info,
        message: draft::KEPT.into(),
        undo: None,
    });
    let mut response = form_again(ctx, form, htmx, StatusCode::OK)?;
    draft::forget(&state, &mut response)?;
    Ok(response)
}

/// Saves an edit. Posted after the session ended, it keeps the form for after sign-in
/// ([`draft`]), to come back to this task's edit page.
pub async fn update(
    req: HttpRequest,
    HxRequest(htmx): HxRequest,
    id: web::Path<i64>,
    form: web::Form<UpdateForm>,
    w: Result<Writer, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    let id = id.into_inner();
    let UpdateForm {
        draft,
        version,
        view,
    } = form.into_inner();
    let view = ListView::from_form(&view);
    let w = match w {
        Ok(w) => w,
        Err(e) if draft::is_signed_out(&e) => {
            let query: String =
                url::form_urlencoded::byte_serialize(view.query().as_bytes()).collect();
            let next = format!("/tasks/{id}/edit?view={query}");
            return Ok(draft::session_ended(
                &req,
                htmx,
                &next,
                Some((id, version)),
                draft,
            )?);
        }
        Err(e) => return Err(e),
    };
    Ok(save(w, id, version, view, draft).await?)
}

async fn save(
    w: Writer,
    id: i64,
    version: i64,
    view: ListView,
    draft: TaskDraft,
) -> Result<HttpResponse, AppError> {
    let input = match draft.parse() {
        Ok(input) => input,
        Err(errors) => {
            let gone = w.state.store.get_task(w.user.id, id).await?.is_none();
            let form = EditForm {
                id,
                version,
                view,
                draft,
                errors,
                conflict: None,
                gone,
            };
            if gone {
                return gone_form(w, form).await;
            }
            let ctx = w.ctx.with_user(&w.user);
            return form_again(ctx, form, w.htmx, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match w
        .state
        .store
        .update_task(
            w.user.id,
            id,
            Some(version),
            &input,
            None,
            w.state.clock.now(),
        )
        .await?
    {
        UpdateOutcome::Updated(task) if w.htmx => {
            let message = format!("Saved {}.", quoted(&task.title));
            let ctx = w.ctx.with_user(&w.user);
            let row = RowAlone::load(&w.state, &w.user, ctx, task, &view, Some(message)).await?;
            render(StatusCode::OK, &row)
        }
        UpdateOutcome::Updated(task) => {
            let message = format!("Saved {}.", quoted(&task.title));
            w.done(view, message, false).await
        }
        UpdateOutcome::Stale(current) => {
            let form = EditForm {
                id,
                version: current.version,
                view,
                draft,
                errors: TaskErrors::default(),
                conflict: Some(current),
                gone: false,
            };
            form_again(w.ctx.with_user(&w.user), form, w.htmx, StatusCode::CONFLICT)
        }
        UpdateOutcome::Missing => {
            let form = EditForm {
                id,
                version,
                view,
                draft,
                errors: TaskErrors::default(),
                conflict: None,
                gone: true,
            };
            gone_form(w, form).await
        }
    }
}

/// The form of a task deleted elsewhere, with what was typed, offered as a new task: the
/// edit page without JavaScript; for htmx the inline row, plus fresh stats and the news.
async fn gone_form(w: Writer, form: EditForm) -> Result<HttpResponse, AppError> {
    let ctx = w.ctx.with_user(&w.user);
    if !w.htmx {
        return render(StatusCode::OK, &EditPage { ctx, form });
    }
    let today = w.user.today(&w.state.clock);
    let stats = w.state.store.task_stats(w.user.id, today).await?;
    let row = EditRow {
        csrf: ctx.csrf,
        form,
        oob: true,
        dash: StatsOnly { stats },
        announce: format!("{GONE} Your changes are kept in the form."),
    };
    with_row_target(render(StatusCode::OK, &row)?, row_target(&row.form))
}

/// The edit form: a page without JavaScript; for htmx the inline row, put in place of the
/// row that asked (`HX-Retarget`, since a save targets the whole table region).
fn form_again(
    ctx: PageContext,
    form: EditForm,
    htmx: bool,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    if !htmx {
        return render(status, &EditPage { ctx, form });
    }
    let target = row_target(&form);
    let row = EditRow {
        csrf: ctx.csrf,
        form,
        oob: false,
        dash: StatsOnly::default(),
        announce: String::new(),
    };
    with_row_target(render(status, &row)?, target)
}

fn row_target(form: &EditForm) -> String {
    format!("#task-{}", form.id)
}

/// Puts an answer in place of the row `target` (the request may have targeted elsewhere).
fn with_row_target(mut response: HttpResponse, target: String) -> Result<HttpResponse, AppError> {
    let headers = response.headers_mut();
    if let Ok(target) = HeaderValue::from_str(&target) {
        headers.insert(HeaderName::from_static("hx-retarget"), target);
    }
    headers.insert(
        HeaderName::from_static("hx-reswap"),
        HeaderValue::from_static("outerHTML"),
    );
    Ok(response)
}
