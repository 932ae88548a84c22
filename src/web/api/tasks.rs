//! `/api/tasks`: the caller's tasks as JSON, newest first, with the dashboard's filters,
//! sorts and keyset paging (`limit` and an opaque `cursor`; the next page's URL is in a
//! `Link: <...>; rel="next"` header, so the body stays a plain array).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, json, nullable, openapi::Problem, read_json};
use crate::{
    domain::{
        listing::PageAt,
        task::{Priority, TaskDraft, TaskErrors, TaskInput},
    },
    error::{AppError, FieldError},
    store::{Task, UpdateOutcome},
    web::state::AppState,
    web::tasks::view::{ListView, RawView},
};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 100;

/// A task as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct TaskJson {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub is_completed: bool,
    pub priority: Priority,
    /// ISO 8601 date.
    pub due_date: Option<NaiveDate>,
    /// RFC 3339, UTC.
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC.
    pub updated_at: DateTime<Utc>,
    pub user_id: i64,
    /// Send it back with a change to have a stale write refused (409).
    pub version: i64,
}

impl From<Task> for TaskJson {
    fn from(t: Task) -> Self {
        Self {
            id: t.id,
            title: t.title,
            description: t.description,
            is_completed: t.is_completed,
            priority: t.priority,
            due_date: t.due_date,
            created_at: t.created_at,
            updated_at: t.updated_at,
            user_id: t.user_id,
            version: t.version,
        }
    }
}

/// A new task. Only `title` is required.
#[derive(Deserialize, ToSchema)]
pub struct NewTask {
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Renew the TLS certificate"
    )]
    pub title: String,
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub description: Option<String>,
    /// `low`, `medium` (default) or `high`.
    #[schema(value_type = Option<Priority>)]
    #[serde(default)]
    pub priority: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub is_completed: Option<bool>,
}

/// A change: fields left out stay as they are; `null` clears `description` or `due_date`.
/// With `version`, the change is refused (409) if the task changed since that version.
#[derive(Deserialize, ToSchema)]
pub struct TaskPatch {
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default)]
    pub title: Option<String>,
    #[schema(value_type = Option<String>, max_length = 2000)]
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<Priority>)]
    #[serde(default)]
    pub priority: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "nullable")]
    pub due_date: Option<Option<String>>,
    #[serde(default)]
    pub is_completed: Option<bool>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `{"is_completed": true}` sets; an empty body (or `{}`) toggles.
#[derive(Deserialize, ToSchema)]
pub struct CompleteBody {
    #[serde(default)]
    pub is_completed: Option<bool>,
}

/// The fields a new task may carry (public for the fuzz tests).
#[doc(hidden)]
pub const NEW_FIELDS: &[&str] = &[
    "title",
    "description",
    "priority",
    "due_date",
    "is_completed",
];
/// The fields a change may carry (public for the fuzz tests).
#[doc(hidden)]
pub const PATCH_FIELDS: &[&str] = &[
    "title",
    "description",
    "priority",
    "due_date",
    "is_completed",
    "version",
];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Text to find in the title or description (literally: `%` and `_` are not wildcards).
    q: Option<String>,
    /// `all` (default), `open` or `done`.
    status: Option<String>,
    /// `low`, `medium` or `high`.
    priority: Option<String>,
    /// `created` (default), `due`, `priority` or `title`.
    sort: Option<String>,
    /// `asc` or `desc` (default: newest, soonest, most important first; titles A to Z).
    dir: Option<String>,
    /// Page size, 1 to 100 (default 50).
    limit: Option<String>,
    /// Where the page starts: the opaque value from the previous page's `Link` header.
    cursor: Option<String>,
}

fn invalid(errors: TaskErrors) -> AppError {
    let fields = [
        ("title", errors.title),
        ("description", errors.description),
        ("priority", errors.priority),
        ("due_date", errors.due_date),
    ];
    AppError::Invalid(
        fields
            .into_iter()
            .filter_map(|(field, message)| message.map(|m| FieldError::new(field, m)))
            .collect(),
    )
}

fn parse_draft(draft: TaskDraft) -> Result<TaskInput, AppError> {
    draft.parse().map_err(invalid)
}

/// The caller's tasks, newest first.
#[utoipa::path(
    get,
    path = "/api/tasks",
    tag = "tasks",
    params(ListParams),
    responses(
        (status = 200, description = "The caller's tasks (only theirs)", body = [TaskJson],
         headers(("Link" = String, description = "`<url>; rel=\"next\"` when there is a next page"))),
        (status = 400, description = "A query value is not understood", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let limit = match params.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest("limit must be a whole number from 1 to 100.".into())
            })?,
    };
    let raw = RawView {
        q: params.q,
        status: params.status,
        priority: params.priority,
        sort: params.sort,
        dir: params.dir,
        size: None,
        after: params.cursor,
        before: None,
        page: None,
    };
    let mut view = ListView::parse(&raw)?;
    view.0.size = limit;
    let page = state.store.list_tasks(user.id, view.request()).await?;
    let next = page.last.clone().filter(|_| page.has_next);
    let tasks: Vec<TaskJson> = page.tasks.into_iter().map(TaskJson::from).collect();
    let mut response = json(StatusCode::OK, &tasks)?;
    if let Some(cursor) = next {
        view.0.at = PageAt::First;
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in url::form_urlencoded::parse(view.query().as_bytes()) {
            if key != "size" {
                query.append_pair(&key, &value);
            }
        }
        query.append_pair("limit", &limit.to_string());
        query.append_pair("cursor", &cursor.encode());
        let link = format!("<{}?{}>; rel=\"next\"", req.path(), query.finish());
        if let Ok(value) = header::HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// Create a task.
#[utoipa::path(
    post,
    path = "/api/tasks",
    tag = "tasks",
    request_body(content = NewTask, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = TaskJson, headers(("Location" = String, description = "The new task's URL"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
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

/// One task.
#[utoipa::path(
    get,
    path = "/api/tasks/{id}",
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, description = "The task", body = TaskJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task of yours", body = Problem, content_type = "application/problem+json"),
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
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since `version`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
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
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since `version`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
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
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task of yours", body = Problem, content_type = "application/problem+json"),
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
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task of yours", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
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
