//! `GET /api/tags`: the caller's tags, each with how many of their tasks carry it.

use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{AppError, Problem},
    web::{
        api::{caller::ApiUser, json::json},
        state::AppState,
    },
};

/// One of the caller's tags.
#[derive(Serialize, ToSchema)]
pub struct TagJson {
    #[schema(example = "work")]
    pub name: String,
    /// How many of the caller's tasks carry it (at least 1: a tag on no task is gone).
    #[schema(example = 12)]
    pub count: i64,
}

/// Your tags, A to Z, with how many of your tasks carry each.
#[utoipa::path(
    get,
    path = "/api/tags",
    operation_id = "list_tags",
    tag = "tasks",
    responses(
        (status = 200, description = "The caller's tags (only theirs)", body = [TagJson]),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> Result<HttpResponse, AppError> {
    let tags: Vec<TagJson> = state
        .store
        .tag_counts(user.id)
        .await?
        .into_iter()
        .map(|tag| TagJson {
            name: tag.name,
            count: tag.count,
        })
        .collect();
    json(StatusCode::OK, &tags)
}
