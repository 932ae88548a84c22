//! `POST /api/tasks`: a new task, answered with 201 and its URL in `Location`.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};

use super::{
    body::{NEW_FIELDS, NewTask, TaskJson, parse_draft},
    item::shown,
};
use crate::{
    domain::task::TaskDraft,
    error::{AppError, Problem},
    web::{
        api::{caller::ApiUser, json::read_json},
        state::AppState,
    },
};

/// Create a task.
#[utoipa::path(
    post,
    path = "/api/tasks",
    operation_id = "create_task",
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
    let input = parse_draft(
        TaskDraft {
            title: new.title,
            description: new.description.unwrap_or_default(),
            priority: new.priority.unwrap_or_default(),
            due_date: new.due_date.unwrap_or_default(),
            repeat: new.repeat.unwrap_or_default(),
            tags: String::new(),
        },
        new.tags.as_deref().unwrap_or_default(),
    )?;
    let completed = new.is_completed.unwrap_or(false);
    let task = state
        .store
        .create_task(user.id, &input, completed, state.clock.now())
        .await?;
    let location = format!("/api/tasks/{}", task.id);
    let mut response = shown(StatusCode::CREATED, task)?;
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}
