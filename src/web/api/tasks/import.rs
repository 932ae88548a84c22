//! `POST /api/tasks/import`: a CSV body (the export's columns, see
//! [`crate::domain::import`]) imported in one transaction: 201 with how many, or 422 with
//! every problem by row and column and nothing imported.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::import::{self, ImportProblem, RowError},
    error::{AppError, Problem},
    web::{
        api::caller::ApiUser, errors::problem_content_type, middleware::RequestId, multipart,
        state::AppState,
    },
};

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct Imported {
    /// How many tasks were created.
    pub imported: u64,
}

/// A 422 from an import: a [`Problem`] whose `errors` name rows as well as fields.
#[derive(Serialize)]
struct ImportRefused {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: &'static str,
    request_id: String,
    errors: Vec<RowJson>,
}

/// One problem: the row (1 is the header), the column (empty for the whole row), and what
/// is wrong, as `detail` and, like every 422 of this API, as `message` (so it is also a
/// [`crate::error::FieldError`]).
#[derive(Serialize)]
struct RowJson {
    row: usize,
    field: String,
    detail: String,
    message: String,
}

impl From<RowError> for RowJson {
    fn from(e: RowError) -> Self {
        Self {
            row: e.row,
            field: e.field,
            message: e.detail.clone(),
            detail: e.detail,
        }
    }
}

/// Import tasks from CSV.
#[utoipa::path(
    post,
    path = "/api/tasks/import",
    operation_id = "import_tasks",
    tag = "tasks",
    request_body(content = String, content_type = "text/csv", description = "A header row (only `title` is required; unknown columns are refused), then at most 10,000 rows; at most 5 MB."),
    responses(
        (status = 201, description = "Every row imported", body = Imported),
        (status = 400, description = "The body broke off", body = Problem),
        (status = 401, description = "No valid bearer token", body = Problem),
        (status = 413, description = "More than 10,000 rows or 5 MB", body = Problem),
        (status = 415, description = "Not text/csv", body = Problem),
        (status = 422, description = "Rows that cannot be imported, each named in `errors` by `row` (1 is the header), `field` and `detail`; nothing was imported", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    mut payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let is_csv = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "text/csv");
    if !is_csv {
        return Err(AppError::UnsupportedMediaType(
            "Send the file as CSV (Content-Type: text/csv).",
        ));
    }
    let body = multipart::read_body(&mut payload, import::MAX_BYTES).await?;
    match import::read(&body) {
        Ok(rows) => {
            let imported = state
                .store
                .import_for_user(user.id, &rows, state.clock.now())
                .await?;
            Ok(HttpResponse::Created().json(Imported { imported }))
        }
        Err(ImportProblem::TooLarge) => Err(AppError::TooLarge(multipart::TOO_LARGE)),
        Err(ImportProblem::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let request_id = req
                .extensions()
                .get::<RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default();
            tracing::info!(
                status = status.as_u16(),
                problems = errors.len(),
                "import refused"
            );
            let refused = serde_json::to_string(&ImportRefused {
                kind: "about:blank",
                title: "Unprocessable Entity",
                status: status.as_u16(),
                detail: "Nothing was imported: fix the rows named in errors and send the file again.",
                request_id,
                errors: errors.into_iter().map(RowJson::from).collect(),
            })
            .map_err(|e| AppError::Internal(e.into()))?;
            Ok(HttpResponse::build(status)
                .content_type(problem_content_type(&req))
                .body(refused))
        }
    }
}
