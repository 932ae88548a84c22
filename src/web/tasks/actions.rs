//! Completing, reopening and deleting tasks, one at a time or in bulk.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::{
    view::ListView,
    writer::{Writer, quoted},
};
use crate::{
    error::AppError,
    store::{BulkAction, Task},
    web::page::{FlashKind, PageContext, flash, render},
    web::session::CurrentUser,
    web::state::AppState,
};

/// Most tasks one bulk action may name (a page shows at most 100).
const BULK_MAX: usize = 500;

#[derive(Deserialize)]
pub struct ViewForm {
    #[serde(default)]
    view: String,
}

#[derive(Template)]
#[template(path = "pages/task_delete.html")]
struct ConfirmDeletePage {
    ctx: PageContext,
    task: Task,
    view: ListView,
}

/// `POST /tasks/{id}/toggle`: done becomes open and open becomes done.
pub async fn toggle(
    w: Writer,
    id: web::Path<i64>,
    form: web::Form<ViewForm>,
) -> Result<HttpResponse, AppError> {
    let task = w
        .state
        .store
        .set_completed(w.user.id, *id, None, None, Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    let message = if task.is_completed {
        format!("Marked {} as done.", quoted(&task.title))
    } else {
        format!("Reopened {}.", quoted(&task.title))
    };
    w.done(ListView::from_form(&form.view), message, false)
        .await
}

/// `GET /tasks/{id}/delete`: the confirmation a browser without JavaScript gets (with
/// JavaScript, htmx asks with `hx-confirm` and posts straight away).
pub async fn confirm_delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    ctx: PageContext,
    id: web::Path<i64>,
    query: web::Query<ViewForm>,
) -> Result<HttpResponse, AppError> {
    let task = state
        .store
        .get_task(user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = ConfirmDeletePage {
        ctx: ctx.with_user(&user),
        task,
        view: ListView::from_form(&query.view),
    };
    render(StatusCode::OK, &page)
}

/// `POST /tasks/{id}/delete`.
pub async fn delete(
    w: Writer,
    id: web::Path<i64>,
    form: web::Form<ViewForm>,
) -> Result<HttpResponse, AppError> {
    let title = w
        .state
        .store
        .delete_task(w.user.id, *id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    let message = format!("Deleted {}.", quoted(&title));
    w.done(ListView::from_form(&form.view), message, false)
        .await
}

/// `POST /tasks/bulk`: `action` (complete, reopen or delete) for every checked `ids`. The
/// form repeats `ids`, which serde's URL-encoded reader cannot collect, so it is read here.
pub async fn bulk(w: Writer, body: web::Bytes) -> Result<HttpResponse, AppError> {
    let mut ids = Vec::new();
    let mut action = None;
    let mut view = String::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "ids" => ids.push(
                value
                    .parse::<i64>()
                    .map_err(|_| AppError::BadRequest("Task ids must be numbers.".into()))?,
            ),
            "action" => {
                action = Some(match value.as_ref() {
                    "complete" => BulkAction::Complete,
                    "reopen" => BulkAction::Reopen,
                    "delete" => BulkAction::Delete,
                    _ => return Err(AppError::BadRequest("Unknown bulk action.".into())),
                })
            }
            "view" => view = value.into_owned(),
            _ => {}
        }
    }
    let action =
        action.ok_or_else(|| AppError::BadRequest("Choose complete, reopen or delete.".into()))?;
    if ids.len() > BULK_MAX {
        return Err(AppError::BadRequest(format!(
            "Select at most {BULK_MAX} tasks at a time."
        )));
    }
    let view = ListView::from_form(&view);
    if ids.is_empty() {
        let message = "Select at least one task first.".to_owned();
        if !w.htmx {
            flash(&w.session, FlashKind::Info, message);
            return Ok(HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, view.href()))
                .finish());
        }
        return w.done(view, message, false).await;
    }
    let changed = w
        .state
        .store
        .bulk(w.user.id, &ids, action, Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    let tasks = if changed == 1 { "task" } else { "tasks" };
    let message = match action {
        BulkAction::Complete => format!("Marked {changed} {tasks} as done."),
        BulkAction::Reopen => format!("Reopened {changed} {tasks}."),
        BulkAction::Delete => format!("Deleted {changed} {tasks}."),
    };
    w.done(view, message, false).await
}
