//! `GET /api/tasks`: the caller's tasks, newest first, with the dashboard's filters, sorts
//! and keyset paging (`limit` and an opaque `cursor`; the next page's URL is in a
//! `Link: <...>; rel="next"` header, so the body stays a plain array).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::TaskJson;
use crate::{
    domain::task::Priority,
    error::{AppError, Problem},
    web::{
        api::{caller::ApiUser, json::json},
        state::AppState,
        tasks::view::{ListView, RawView},
    },
};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 100;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Text to find in the title or description (literally: `%` and `_` are not wildcards).
    q: Option<String>,
    /// `all` (default), `open`, `done` or `overdue` (open and due before the caller's today,
    /// in their time zone); or `trashed`: the trash, most recently deleted first (it takes
    /// only `limit` and `cursor`).
    #[param(value_type = Option<StatusParam>, inline)]
    status: Option<String>,
    /// `low`, `medium` or `high`.
    #[param(value_type = Option<Priority>)]
    priority: Option<String>,
    /// `created` (default), `due`, `priority` or `title`.
    #[param(value_type = Option<SortParam>, inline)]
    sort: Option<String>,
    /// `asc` or `desc` (default: newest, soonest, most important first; titles A to Z).
    #[param(value_type = Option<DirParam>, inline)]
    dir: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// Where the page starts: the opaque value from the previous page's `Link` header.
    cursor: Option<String>,
}

/// Which tasks: all of them, the open ones, the done ones or the overdue ones.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum StatusParam {
    All,
    Open,
    Done,
    Overdue,
    Trashed,
}

/// The order: by creation, due date, priority or title.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum SortParam {
    Created,
    Due,
    Priority,
    Title,
}

/// Ascending or descending.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum DirParam {
    Asc,
    Desc,
}

/// The caller's tasks, newest first.
#[utoipa::path(
    get,
    path = "/api/tasks",
    operation_id = "list_tasks",
    tag = "tasks",
    params(
        ListParams,
        ("tag" = Option<Vec<String>>, Query, style = Form, explode,
         description = "Only tasks with this tag; repeat it for tasks with every one of \
                        several (`?tag=work&tag=home`), at most 10."),
    ),
    responses(
        (status = 200, description = "The caller's tasks (only theirs)", body = [TaskJson],
         headers(("Link" = String, description = "`<url>; rel=\"next\"` when there is a next page"))),
        (status = 400, description = "A query value is not understood", body = Problem),
        (status = 401, description = "No valid token", body = Problem),
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
    // The API takes exactly the values its document lists; leaving a parameter out is how
    // to ask for its default (the dashboard's forms, which send empty fields, are laxer).
    for (name, value) in [
        ("status", &params.status),
        ("priority", &params.priority),
        ("sort", &params.sort),
        ("dir", &params.dir),
        ("limit", &params.limit),
    ] {
        if let Some(value) = value
            && (value.is_empty() || value.trim() != value || value == "any")
        {
            return Err(AppError::BadRequest(format!(
                "`{name}` takes one of the values the API document lists; leave it out for the default."
            )));
        }
    }
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest("limit must be a whole number from 1 to 100.".into())
            })?,
    };
    if params.status.as_deref() == Some("trashed") {
        return trash(&req, &state, user.id, &params, limit).await;
    }
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
        order: None,
        tags: Vec::new(),
    }
    .with_tags_of(req.query_string());
    if raw.tags.iter().any(|tag| tag.trim().is_empty()) {
        return Err(AppError::BadRequest(
            "`tag` names a tag; leave it out to list every task.".into(),
        ));
    }
    let view = ListView::parse(&raw)?.with_size(limit);
    let page = state
        .store
        .list_tasks(user.id, view.request(), user.today(&state.clock))
        .await?;
    let next = page.last.clone().filter(|_| page.has_next);
    let tasks: Vec<TaskJson> = page.tasks.into_iter().map(TaskJson::from).collect();
    let mut response = json(StatusCode::OK, &tasks)?;
    if let Some(cursor) = next {
        let mut query = view.query_without_paging();
        query.append_pair("limit", &limit.to_string());
        query.append_pair("cursor", &cursor.encode());
        let link = format!("<{}?{}>; rel=\"next\"", req.path(), query.finish());
        if let Ok(value) = header::HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// `status=trashed`: the trash, most recently deleted first, paged by position (the cursor
/// is how many came before).
async fn trash(
    req: &HttpRequest,
    state: &AppState,
    user_id: i64,
    params: &ListParams,
    limit: u32,
) -> Result<HttpResponse, AppError> {
    let filtered = params.q.is_some()
        || params.priority.is_some()
        || params.sort.is_some()
        || params.dir.is_some()
        || req
            .query_string()
            .split('&')
            .any(|pair| pair.starts_with("tag="));
    if filtered {
        return Err(AppError::BadRequest(
            "status=trashed lists the whole trash, most recently deleted first: it takes only limit and cursor.".into(),
        ));
    }
    let offset: i64 = match params.cursor.as_deref() {
        None => 0,
        Some(raw) => raw.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
            AppError::BadRequest("cursor is the value from the previous page's Link header.".into())
        })?,
    };
    let limit = i64::from(limit);
    let trashed = state.store.list_trash(user_id, limit + 1, offset).await?;
    let more = trashed.len() as i64 > limit;
    let tasks: Vec<TaskJson> = trashed
        .into_iter()
        .take(limit as usize)
        .map(|t| TaskJson::from(t.task))
        .collect();
    let mut response = json(StatusCode::OK, &tasks)?;
    if more {
        let link = format!(
            "<{}?status=trashed&limit={limit}&cursor={}>; rel=\"next\"",
            req.path(),
            offset + limit
        );
        if let Ok(value) = header::HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}
