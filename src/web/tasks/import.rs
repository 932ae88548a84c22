//! `/tasks/import`: a CSV file in, as the export writes it (see [`crate::domain::import`]).
//! Uploading shows a preview: the rows to be imported, or every problem by row and column,
//! and nothing imported. Confirming imports every row in one transaction, or none.
//!
//! The preview's confirm form carries the file's text back (the instances keep nothing
//! between requests), so what is imported is exactly what was previewed. Both forms are
//! `multipart/form-data`, the one body the CSRF check reads as such (see
//! [`crate::web::multipart`]).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;

use super::writer::back_to;
use crate::{
    domain::import::{self, ImportProblem, ImportRow, RowError},
    error::AppError,
    web::{
        multipart,
        page::{FlashKind, PageContext, flash, render},
        session::CurrentUser,
        state::AppState,
    },
};

use actix_session::Session;

/// Rows the preview lists; the rest are counted.
const SHOWN: usize = 20;

#[derive(Template)]
#[template(path = "pages/task_import.html")]
struct ImportPage {
    ctx: PageContext,
    /// The file's name and text, once one was uploaded.
    file: Option<Upload>,
    /// Its rows, when every one can be imported.
    rows: Vec<ImportRow>,
    /// Its problems, when any.
    problems: Vec<RowError>,
}

struct Upload {
    name: String,
    text: String,
}

impl ImportPage {
    fn shown(&self) -> &[ImportRow] {
        &self.rows[..self.rows.len().min(SHOWN)]
    }
}

pub async fn page(user: CurrentUser, ctx: PageContext) -> Result<HttpResponse, AppError> {
    let page = ImportPage {
        ctx: ctx.with_user(&user),
        file: None,
        rows: Vec::new(),
        problems: Vec::new(),
    };
    render(StatusCode::OK, &page)
}

/// The upload (`file`): its preview. The confirmation (`csv`, the previewed text): the import,
/// then the dashboard with a message.
pub async fn post(
    req: HttpRequest,
    user: CurrentUser,
    ctx: PageContext,
    session: Session,
    state: web::Data<AppState>,
    mut payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let Some(boundary) = multipart::boundary(&req) else {
        return Err(AppError::BadRequest(
            "Choose a CSV file to import, then press Preview.".into(),
        ));
    };
    let body = multipart::read_body(&mut payload, multipart::LIMIT).await?;
    let fields = multipart::fields(&body, &boundary);
    let field = |name: &str| fields.iter().find(|f| f.name == name);
    let ctx = ctx.with_user(&user);
    let (upload, confirmed) = match (field("csv"), field("file")) {
        (Some(csv), _) => (
            Upload {
                name: field("file_name")
                    .map(|f| String::from_utf8_lossy(f.value).into_owned())
                    .unwrap_or_default(),
                text: String::from_utf8_lossy(csv.value).into_owned(),
            },
            true,
        ),
        (None, Some(file)) if !file.value.is_empty() => (
            Upload {
                name: file.file_name.clone().unwrap_or_default(),
                // Checked as bytes below: text that is not UTF-8 is named there.
                text: String::from_utf8_lossy(file.value).into_owned(),
            },
            false,
        ),
        _ => {
            let page = ImportPage {
                ctx,
                file: None,
                rows: Vec::new(),
                problems: vec![RowError {
                    row: 0,
                    field: String::new(),
                    detail: "Choose a CSV file to import.".into(),
                }],
            };
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let checked = match (confirmed, field("file")) {
        (false, Some(file)) => import::read(file.value),
        _ => import::read(upload.text.as_bytes()),
    };
    let (rows, problems) = match checked {
        Ok(rows) => (rows, Vec::new()),
        Err(ImportProblem::TooLarge) => return Err(AppError::TooLarge(multipart::TOO_LARGE)),
        Err(ImportProblem::Invalid(problems)) => (Vec::new(), problems),
    };
    if confirmed && problems.is_empty() && !rows.is_empty() {
        let imported = state
            .store
            .import_for_user(user.id, &rows, state.clock.now())
            .await?;
        let message = match imported {
            1 => "Imported 1 task.".to_owned(),
            n => format!("Imported {n} tasks."),
        };
        flash(&session, FlashKind::Success, message);
        return Ok(back_to(&super::view::ListView::default()));
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ImportPage {
        ctx,
        file: Some(upload),
        rows,
        problems,
    };
    render(status, &page)
}
