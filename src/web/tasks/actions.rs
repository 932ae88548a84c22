//! Completing, reopening and deleting tasks, one at a time or in bulk.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{
    view::ListView,
    writer::{GONE, Writer, back_to, quoted},
};
use crate::{
    domain::calendar::ShortDate,
    error::AppError,
    store::{BulkAction, Completed, Task},
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

/// "Delete 3 tasks?": the bulk delete's confirmation without JavaScript.
#[derive(Template)]
#[template(path = "pages/tasks_bulk_delete.html")]
struct ConfirmBulkDeletePage {
    ctx: PageContext,
    tasks: Vec<Task>,
    /// How many of the ids sent are already gone.
    missing: usize,
    view: ListView,
}

#[derive(Deserialize)]
pub struct ToggleForm {
    #[serde(default)]
    view: String,
    /// What the button said it does: `1` marks done, `0` reopens. A click from a page that
    /// is out of date (or a retried request) then does what it said instead of undoing the
    /// first. Without it (an older page) the task flips.
    #[serde(default)]
    done: String,
}

/// `POST /tasks/{id}/toggle`: marks the task done or open, as the button said (or flips it).
/// A repeating task's next occurrence shows up in the refreshed list.
pub async fn toggle(
    w: Writer,
    id: web::Path<i64>,
    form: web::Form<ToggleForm>,
) -> Result<HttpResponse, AppError> {
    let view = ListView::from_form(&form.view);
    let done = match form.done.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    let Some(Completed { task, next_id }) = w
        .state
        .store
        .set_completed(w.user.id, *id, None, done, w.state.clock.now())
        .await?
    else {
        return w.gone(view, GONE.into()).await;
    };
    let message = match (task.is_completed, next_id) {
        (true, Some(_)) => format!(
            "Marked {} as done. The next one is due {}.",
            quoted(&task.title),
            task.next_due()
                .map_or_else(String::new, |d| ShortDate(d).to_string())
        ),
        (true, None) => format!("Marked {} as done.", quoted(&task.title)),
        (false, _) => format!("Reopened {}.", quoted(&task.title)),
    };
    w.done(view, message, false).await
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
    let view = ListView::from_form(&form.view);
    let now = w.state.clock.now();
    let Some(trashed) = w.state.store.delete_task(w.user.id, *id, None, now).await? else {
        return w.gone(view, GONE.into()).await;
    };
    let title = trashed
        .tasks
        .first()
        .map(|(_, t)| t.as_str())
        .unwrap_or_default();
    let message = format!("Deleted {}.", quoted(title));
    w.deleted(view, message, trashed.batch).await
}

/// `POST /tasks/bulk`: `action` (complete, reopen or delete) for every checked `ids`. The
/// form repeats `ids`, which serde's URL-encoded reader cannot collect, so it is read here.
///
/// Ids that are gone (deleted in another tab, or never the user's) are passed over and
/// counted in the message. Without JavaScript a delete asks first, on a page of its own, and
/// goes ahead when the form comes back with `confirm=yes`.
pub async fn bulk(w: Writer, body: web::Bytes) -> Result<HttpResponse, AppError> {
    let mut ids = Vec::new();
    let mut action = None;
    let mut view = String::new();
    let mut confirmed = false;
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
            "confirm" => confirmed = value == "yes",
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
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        let message = "Nothing changed: select at least one task first.".to_owned();
        if !w.htmx {
            flash(&w.session, FlashKind::Info, message);
            return Ok(back_to(&view));
        }
        return w.region(view, message.clone(), Some(message), false).await;
    }
    if action == BulkAction::Delete && !w.htmx && !confirmed {
        return confirm_bulk_delete(w, ids, view).await;
    }
    let outcome = w
        .state
        .store
        .bulk(w.user.id, &ids, action, w.state.clock.now())
        .await?;
    if outcome.missing == ids.len() as u64 {
        let message = if ids.len() == 1 {
            GONE.to_owned()
        } else {
            "These tasks were deleted elsewhere. The list is up to date.".to_owned()
        };
        return w.gone(view, message).await;
    }
    let changed = outcome.changed;
    let message = match action {
        BulkAction::Complete => format!("Marked {} as done.", tasks(changed)),
        BulkAction::Reopen => format!("Reopened {}.", tasks(changed)),
        BulkAction::Delete => format!("Deleted {}.", tasks(changed)),
    };
    if outcome.missing == 0 {
        return match outcome.trashed {
            Some(batch) => w.deleted(view, message, batch).await,
            None => w.done(view, message, false).await,
        };
    }
    let gone = match outcome.missing {
        1 => "1 task was already deleted elsewhere.".to_owned(),
        n => format!("{n} tasks were already deleted elsewhere."),
    };
    let message = format!("{message} {gone}");
    match outcome.trashed {
        Some(batch) => w.deleted(view, message, batch).await,
        None if w.htmx => w.region(view, message.clone(), Some(message), false).await,
        None => w.done(view, message, false).await,
    }
}

#[derive(Deserialize)]
pub struct UndoForm {
    batch: String,
    #[serde(default)]
    view: String,
}

/// `POST /tasks/undo`: puts back every task of one delete (see `store::trash`).
pub async fn undo(w: Writer, form: web::Form<UndoForm>) -> Result<HttpResponse, AppError> {
    let UndoForm { batch, view } = form.into_inner();
    let view = ListView::from_form(&view);
    let restored = w.state.store.restore_batch(w.user.id, &batch).await?;
    let message = match restored.as_slice() {
        [] => {
            let message =
                "Nothing to undo: those tasks are back already, or were deleted for good.";
            return w.gone(view, message.to_owned()).await;
        }
        [task] => format!("Restored {}.", quoted(&task.title)),
        many => format!("Restored {}.", tasks(many.len() as u64)),
    };
    w.done(view, message, false).await
}

/// "1 task", "3 tasks".
fn tasks(n: u64) -> String {
    if n == 1 {
        "1 task".to_owned()
    } else {
        format!("{n} tasks")
    }
}

/// The page that asks before a bulk delete without JavaScript, naming the tasks.
async fn confirm_bulk_delete(
    w: Writer,
    ids: Vec<i64>,
    view: ListView,
) -> Result<HttpResponse, AppError> {
    let found = w.state.store.get_tasks(w.user.id, &ids).await?;
    if found.is_empty() {
        return w
            .gone(
                view,
                "These tasks were deleted elsewhere. The list is up to date.".into(),
            )
            .await;
    }
    let page = ConfirmBulkDeletePage {
        ctx: w.ctx.with_user(&w.user),
        missing: ids.len() - found.len(),
        tasks: found,
        view,
    };
    render(StatusCode::OK, &page)
}
