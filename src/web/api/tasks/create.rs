//! `POST /api/tasks`: a new task, answered with 201 and its URL in `Location`.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use chrono::Utc;

use super::body::{NEW_FIELDS, NewTask, TaskJson, parse_draft};
use crate::{
    domain::task::TaskDraft,
    error::{AppError, Problem},
    web::{
        api::{
            caller::ApiUser,
            json::{json, read_json},
        },
        state::AppState,
    },
};

/// Create a task.
#[utoipa::path(
    post,
    path = "/api/tasks",
    tag = "tasks",
    request_body(content = NewTask, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = TaskJson, headers(("Location" = String, description = "The new task's URL"))),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 415, description = "Not JSON", body = Problem),
        (status = 422, description = "Invalid fields, each named", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let new: NewTask = read_json(&req, &body, NEW_FIELDS)?;
    let input = parse_draft(TaskDraft {
        title: new.title,
        description: new.description.unwrap_or_default(),
        priority: new.priority.unwrap_or_default(),
        due_date: new.due_date.unwrap_or_default(),
    })?;
    let now = Utc::now();
    let mut task = state.store.create_task(user.id, &input, now).await?;
    if new.is_completed == Some(true) {
        task = state
            .store
            .set_completed(user.id, task.id, Some(true), now)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let location = format!("/api/tasks/{}", task.id);
    let mut response = json(StatusCode::CREATED, &TaskJson::from(task))?;
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}
