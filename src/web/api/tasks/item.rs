//! One task: `GET`, `PUT`, `PATCH` and `DELETE /api/tasks/{id}`, and
//! `PATCH /api/tasks/{id}/complete`. Another user's task answers 404, like a missing one.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::Utc;

use super::body::{CompleteBody, PATCH_FIELDS, TaskJson, TaskPatch, parse_draft};
use crate::{
    domain::task::TaskDraft,
    error::{AppError, FieldError, Problem},
    store::UpdateOutcome,
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
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "The task", body = TaskJson),
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
    json(StatusCode::OK, &TaskJson::from(task))
}

/// Change a task (fields left out stay as they are).
#[utoipa::path(
    put,
    path = "/api/tasks/{id}",
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    request_body(content = TaskPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = TaskJson),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
        (status = 409, description = "Changed since `version`", body = Problem),
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
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    request_body(content = TaskPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = TaskJson),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
        (status = 409, description = "Changed since `version`", body = Problem),
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
    let current = state
        .store
        .get_task(user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    if change.version.is_some_and(|v| v != current.version) {
        return Err(AppError::Conflict(format!(
            "task {} is at version {}",
            current.id, current.version
        )));
    }
    let input = parse_draft(TaskDraft {
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
    })?;
    let outcome = state
        .store
        .update_task(
            user.id,
            current.id,
            current.version,
            &input,
            change.is_completed,
            Utc::now(),
        )
        .await?;
    match outcome {
        UpdateOutcome::Updated(task) => json(StatusCode::OK, &TaskJson::from(task)),
        UpdateOutcome::Stale(now) => Err(AppError::Conflict(format!(
            "task {} changed meanwhile; it is at version {}",
            now.id, now.version
        ))),
        UpdateOutcome::Missing => Err(AppError::NotFound),
    }
}

/// Delete a task.
#[utoipa::path(
    delete,
    path = "/api/tasks/{id}",
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    state
        .store
        .delete_task(user.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Complete, reopen or toggle a task.
#[utoipa::path(
    patch,
    path = "/api/tasks/{id}/complete",
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    request_body(content = Option<CompleteBody>, content_type = "application/json",
                  description = "`{\"is_completed\": bool}` sets it; no body toggles"),
    responses(
        (status = 200, description = "The task, changed", body = TaskJson),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 404, description = "No such task of yours", body = Problem),
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
    let CompleteBody { is_completed } = read_json(&req, &body, &["is_completed"])?;
    let task = state
        .store
        .set_completed(user.id, *id, is_completed, Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    json(StatusCode::OK, &TaskJson::from(task))
}
