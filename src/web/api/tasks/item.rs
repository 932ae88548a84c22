//! One task: `GET`, `PUT`, `PATCH` and `DELETE /api/tasks/{id}`, and
//! `PATCH /api/tasks/{id}/complete`. Another user's task answers 404, like a missing one.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};

use super::{
    body::{CompleteBody, CompletedJson, PATCH_FIELDS, TaskJson, TaskPatch, parse_draft},
    etag::{self, IfMatch},
};
use crate::{
    domain::task::TaskDraft,
    error::{AppError, FieldError, Problem},
    store::{Completed, Task, UpdateOutcome},
    web::{
        api::{
            caller::ApiUser,
            json::{json, read_json},
        },
        state::AppState,
    },
};

/// One task.
#[utoipa::path(
    get,
    path = "/api/tasks/{id}",
    operation_id = "get_task",
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "The task", body = TaskJson,
         headers(("ETag" = String, description = "Its version, for If-Match"))),
        (status = 400, description = "A request that cannot be read (a query string that is not UTF-8)", body = Problem),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let task = state
        .store
        .get_task(user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    shown(StatusCode::OK, task)
}

/// A task as an answer: its JSON and its `ETag`.
pub fn shown(status: StatusCode, task: Task) -> Result<HttpResponse, AppError> {
    let version = task.version;
    Ok(etag::tag(json(status, &TaskJson::from(task))?, version))
}

fn as_json(task: Task) -> serde_json::Value {
    serde_json::to_value(TaskJson::from(task)).unwrap_or_default()
}

/// The 412 for a task that is not at the version `If-Match` named.
fn precondition_failed(current: Task) -> AppError {
    AppError::PreconditionFailed {
        current: as_json(current),
    }
}

/// The 409 for a write based on a version the task is no longer at.
fn conflict(current: Task) -> AppError {
    AppError::Conflict {
        detail: format!(
            "Task {} changed meanwhile: it is at version {}. Merge your change into it and retry.",
            current.id, current.version
        ),
        current: as_json(current),
    }
}

/// Change a task (fields left out stay as they are).
#[utoipa::path(
    put,
    path = "/api/tasks/{id}",
    operation_id = "replace_task",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|(W/)?\"[^\"]*\"( *, *(W/)?\"[^\"]*\")*)$", description = "Change only at this version (an ETag)"),
    ),
    request_body(content = TaskPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = TaskJson),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
        (status = 409, description = "Changed since `version`; the body carries the task as it is now", body = Problem),
        (status = 412, description = "Not at the version If-Match named; the body carries the task as it is now", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 415, description = "Not JSON", body = Problem),
        (status = 422, description = "Invalid fields, each named", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn put(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    change(req, state, user, id, body).await
}

/// Change a task (fields left out stay as they are).
#[utoipa::path(
    patch,
    path = "/api/tasks/{id}",
    operation_id = "update_task",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|(W/)?\"[^\"]*\"( *, *(W/)?\"[^\"]*\")*)$", description = "Change only at this version (an ETag)"),
    ),
    request_body(content = TaskPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = TaskJson),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
        (status = 409, description = "Changed since `version`; the body carries the task as it is now", body = Problem),
        (status = 412, description = "Not at the version If-Match named; the body carries the task as it is now", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 415, description = "Not JSON", body = Problem),
        (status = 422, description = "Invalid fields, each named", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn patch(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    change(req, state, user, id, body).await
}

/// PUT and PATCH alike: merge the change into the current task, validate, save.
async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "body",
            "is required: send the fields to change",
        )]));
    }
    let change: TaskPatch = read_json(&req, &body, PATCH_FIELDS)?;
    let precondition = IfMatch::of(&req)?;
    let current = state
        .store
        .get_task(user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(condition) = &precondition
        && !condition.matches(current.version)
    {
        return Err(precondition_failed(current));
    }
    if change.version.is_some_and(|v| v != current.version) {
        return Err(conflict(current));
    }
    // The version the write must find: the one read, when the client named one (in
    // `If-Match` or `version`); else none, and the last writer wins.
    let pinned =
        precondition.as_ref().is_some_and(IfMatch::pins_version) || change.version.is_some();
    let tag_list = change
        .tags
        .unwrap_or_else(|| current.tag_list().into_iter().map(str::to_owned).collect());
    let input = parse_draft(
        TaskDraft {
            title: change.title.unwrap_or_else(|| current.title.clone()),
            description: change
                .description
                .unwrap_or_else(|| current.description.clone())
                .unwrap_or_default(),
            priority: change
                .priority
                .unwrap_or_else(|| current.priority.as_str().to_owned()),
            due_date: change
                .due_date
                .unwrap_or_else(|| current.due_date.map(|d| d.to_string()))
                .unwrap_or_default(),
            repeat: change
                .repeat
                .unwrap_or_else(|| current.repeat.as_str().to_owned()),
            tags: String::new(),
        },
        &tag_list,
    )?;
    let outcome = state
        .store
        .update_task(
            user.id,
            current.id,
            pinned.then_some(current.version),
            &input,
            change.is_completed,
            state.clock.now(),
        )
        .await?;
    match outcome {
        UpdateOutcome::Updated(task) => shown(StatusCode::OK, task),
        UpdateOutcome::Stale(now) if precondition.is_some() => Err(precondition_failed(now)),
        UpdateOutcome::Stale(now) => Err(conflict(now)),
        UpdateOutcome::Missing => Err(AppError::NotFound),
    }
}

/// Delete a task.
#[utoipa::path(
    delete,
    path = "/api/tasks/{id}",
    operation_id = "delete_task",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|(W/)?\"[^\"]*\"( *, *(W/)?\"[^\"]*\")*)$", description = "Delete only at this version (an ETag)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "A malformed If-Match", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
        (status = 412, description = "Not at the version If-Match named", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let version = pinned_version(&state, &req, user.id, *id).await?;
    if state
        .store
        .delete_task(user.id, *id, version, state.clock.now())
        .await?
        .is_none()
    {
        return Err(missing_or_moved_on(&state, user.id, *id).await);
    }
    Ok(HttpResponse::NoContent().finish())
}

/// With `If-Match`: the version the task must still be at when written (it is now, or the
/// answer is 412). Without: `None`.
async fn pinned_version(
    state: &AppState,
    req: &HttpRequest,
    user_id: i64,
    id: i64,
) -> Result<Option<i64>, AppError> {
    let Some(condition) = IfMatch::of(req)? else {
        return Ok(None);
    };
    let current = state
        .store
        .get_task(user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !condition.matches(current.version) {
        return Err(precondition_failed(current));
    }
    Ok(condition.pins_version().then_some(current.version))
}

/// Why a conditional write found nothing: the task is gone (404), or moved on (412).
async fn missing_or_moved_on(state: &AppState, user_id: i64, id: i64) -> AppError {
    match state.store.get_task(user_id, id).await {
        Ok(Some(current)) => precondition_failed(current),
        Ok(None) => AppError::NotFound,
        Err(e) => e.into(),
    }
}

/// Complete, reopen or toggle a task.
#[utoipa::path(
    patch,
    path = "/api/tasks/{id}/complete",
    operation_id = "complete_task",
    tag = "tasks",
    params(
        ("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|(W/)?\"[^\"]*\"( *, *(W/)?\"[^\"]*\")*)$", description = "Change only at this version (an ETag)"),
    ),
    request_body(content = Option<CompleteBody>, content_type = "application/json",
                  description = "`{\"is_completed\": bool}` sets it; no body (or `null`, or `{}`) toggles"),
    responses(
        (status = 200, description = "The task, changed, and the id of the next occurrence when completing a repeating task created one", body = CompletedJson),
        (status = 400, description = "Malformed JSON, or a malformed If-Match", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
        (status = 412, description = "Not at the version If-Match named; the body carries the task as it is now", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 415, description = "Not JSON", body = Problem),
        (status = 422, description = "Invalid fields, each named", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn complete(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    // A JSON `null` is no body at all: it toggles, as the document says.
    let body = if body.trim_ascii() == b"null" {
        &b""[..]
    } else {
        &body[..]
    };
    let CompleteBody { is_completed } = read_json(&req, body, &["is_completed"])?;
    let version = pinned_version(&state, &req, user.id, *id).await?;
    match state
        .store
        .set_completed(user.id, *id, version, is_completed, state.clock.now())
        .await?
    {
        Some(Completed { task, next_id }) => {
            let version = task.version;
            let body = CompletedJson {
                task: TaskJson::from(task),
                next_id,
            };
            Ok(etag::tag(json(StatusCode::OK, &body)?, version))
        }
        None => Err(missing_or_moved_on(&state, user.id, *id).await),
    }
}

/// Restore a task from the trash.
#[utoipa::path(
    post,
    path = "/api/tasks/{id}/restore",
    operation_id = "restore_task",
    tag = "tasks",
    params(("id" = i64, Path, description = "The id the task had when it was deleted")),
    responses(
        (status = 200, description = "The task, back among the caller's tasks (on SQLite with a new id if a newer task has taken its own)", body = TaskJson),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "Not in the caller's trash", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn restore(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let task = state
        .store
        .restore_task(user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    shown(StatusCode::OK, task)
}
