//! `GET /api/me` and `PATCH /api/me` (who the caller is, and their time zone) and
//! `GET /api/stats` (their totals, counted on their own today).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    domain::calendar::TimeZone,
    error::{AppError, FieldError, Problem},
    web::{
        account,
        api::{
            caller::ApiUser,
            json::{json, read_json},
        },
        state::AppState,
    },
};

/// The caller's account.
#[derive(Serialize, ToSchema)]
pub struct MeJson {
    pub email: String,
    /// The IANA time zone (e.g. `Europe/Berlin`) "today" and "overdue" are counted in.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
}

/// A change to the caller's account: for now, its one changeable field.
#[derive(Deserialize, ToSchema)]
pub struct MeChange {
    /// An IANA time zone name from the tz database, e.g. `America/Los_Angeles` or `UTC`.
    #[schema(example = "America/Los_Angeles")]
    pub time_zone: String,
}

const ME_FIELDS: &[&str] = &["time_zone"];

/// The caller's totals.
#[derive(Serialize, ToSchema)]
pub struct StatsJson {
    pub total: i64,
    pub open: i64,
    pub done: i64,
    /// Open tasks due before the caller's today, in their time zone.
    pub overdue: i64,
}

fn me(email: String, time_zone: TimeZone) -> MeJson {
    MeJson {
        email,
        time_zone: time_zone.name().to_owned(),
    }
}

/// Who you are, and your time zone.
#[utoipa::path(
    get,
    path = "/api/me",
    operation_id = "get_me",
    tag = "account",
    responses(
        (status = 200, description = "The caller", body = MeJson),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn get(ApiUser(user): ApiUser) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &me(user.email, user.time_zone))
}

/// Change your time zone; it applies from the next request on.
#[utoipa::path(
    patch,
    path = "/api/me",
    operation_id = "update_me",
    tag = "account",
    request_body(content = MeChange, content_type = "application/json"),
    responses(
        (status = 200, description = "The caller, changed", body = MeJson),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 415, description = "Not JSON", body = Problem),
        (status = 422, description = "An unknown time zone, or another invalid field, named", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn patch(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let change: MeChange = read_json(&req, &body, ME_FIELDS)?;
    let zone = TimeZone::parse(&change.time_zone).ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new(
            "time_zone",
            "is not a time zone of the tz database (e.g. Europe/Berlin, America/New_York, UTC)",
        )])
    })?;
    account::time_zone::change(&state, &user, zone).await?;
    json(StatusCode::OK, &me(user.email, zone))
}

/// Your totals: all tasks, open, done and overdue (open and due before your today).
#[utoipa::path(
    get,
    path = "/api/stats",
    operation_id = "get_stats",
    tag = "account",
    responses(
        (status = 200, description = "The caller's totals", body = StatsJson),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn stats(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> Result<HttpResponse, AppError> {
    let stats = state
        .store
        .task_stats(user.id, user.today(&state.clock))
        .await?;
    json(
        StatusCode::OK,
        &StatsJson {
            total: stats.total,
            open: stats.open(),
            done: stats.done,
            overdue: stats.overdue,
        },
    )
}
