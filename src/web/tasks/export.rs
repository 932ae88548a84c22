//! `GET /tasks/export.{csv,json}`: every task of a view (its filters and its order, not just
//! the page shown), as a download. The browser's cookie works, and so
//! does a bearer token. The body is streamed a store page at a time, each read after the last
//! is sent, so an account of any size exports in constant memory and holds no connection
//! between pages.

use actix_web::{
    HttpRequest, HttpResponse,
    http::header,
    web::{self, Bytes},
};
use chrono::SecondsFormat;
use futures_util::{StreamExt, stream};

use super::view::{ListView, RawView};
use crate::{
    domain::{
        import::{COLUMNS, FORMULA_STARTS},
        listing::{ListRequest, PageAt},
    },
    error::AppError,
    store::Task,
    web::{
        api::{caller::ApiUser, tasks::body::TaskJson},
        state::AppState,
    },
};

/// Rows read a time.
const PAGE: u32 = 500;

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Json,
}

impl Format {
    fn from_extension(extension: &str) -> Option<Self> {
        match extension {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Where a streamed export is: the next page to read, none once the last was sent.
struct Cursor {
    state: web::Data<AppState>,
    user_id: i64,
    today: chrono::NaiveDate,
    /// How many tasks carry the view's tags, counted once for every page's read.
    tagged: i64,
    next: Option<ListRequest>,
    /// Rows sent so far (a JSON array's commas).
    sent: usize,
}

pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    extension: web::Path<String>,
    query: web::Query<RawView>,
) -> Result<HttpResponse, AppError> {
    let Some(format) = Format::from_extension(&extension) else {
        return Err(AppError::NotFound);
    };
    let today = user.today(&state.clock);
    let raw = query.into_inner().with_tags_of(req.query_string());
    let view = ListView::parse(&raw)?.with_size(PAGE).first_page();
    let request = view.request().clone();
    let tagged = state
        .store
        .count_tagged(user.id, &request.filter.tags)
        .await?;
    let (content_type, head, tail) = match format {
        Format::Csv => ("text/csv; charset=utf-8", csv_header(), ""),
        Format::Json => ("application/json", "[".to_owned(), "]"),
    };
    let start = Cursor {
        state,
        user_id: user.id,
        today,
        tagged,
        next: Some(request),
        sent: 0,
    };
    let pages = stream::try_unfold(start, move |mut at| async move {
        let Some(request) = at.next.take() else {
            return Ok::<_, AppError>(None);
        };
        let page = at
            .state
            .store
            .list_tagged(at.user_id, &request, at.today, at.tagged)
            .await
            .inspect_err(|e| tracing::error!(error = %e, "an export stopped part way"))?;
        if let Some(last) = page.last.clone().filter(|_| page.has_next) {
            at.next = Some(ListRequest {
                at: PageAt::After(last),
                ..request
            });
        }
        let mut chunk = String::new();
        for task in page.tasks {
            match format {
                Format::Csv => csv_row(&mut chunk, &task),
                Format::Json => {
                    if at.sent > 0 {
                        chunk.push(',');
                    }
                    let json = serde_json::to_string(&TaskJson::from(task))
                        .map_err(|e| AppError::Internal(e.into()))?;
                    chunk.push_str(&json);
                }
            }
            at.sent += 1;
        }
        Ok(Some((Bytes::from(chunk), at)))
    });
    let body = stream::iter([Ok(Bytes::from(head))])
        .chain(pages)
        .chain(stream::iter([Ok(Bytes::from_static(tail.as_bytes()))]));
    let name = format!("tasks-{today}.{extension}");
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body))
}

fn csv_header() -> String {
    let mut line = COLUMNS.join(",");
    line.push_str("\r\n");
    line
}

/// One task as a CSV record (RFC 4180: CRLF, a field quoted when it holds a comma, a quote
/// or a line break, its quotes doubled).
fn csv_row(out: &mut String, task: &Task) {
    let date = |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(SecondsFormat::Micros, true);
    let fields = [
        task.title.clone(),
        task.description.clone().unwrap_or_default(),
        task.is_completed.to_string(),
        task.priority.as_str().to_owned(),
        task.due_date.map(|d| d.to_string()).unwrap_or_default(),
        task.tags.clone(),
        task.repeat.as_str().to_owned(),
        date(task.created_at),
        date(task.updated_at),
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, field);
    }
    out.push_str("\r\n");
}

/// A cell a spreadsheet could run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage
/// return first: [`FORMULA_STARTS`]) is written after a `'`, which spreadsheets show as
/// text. So is one that starts with `'` itself, so that an import can take exactly one off
/// and read back what was exported.
fn guarded(cell: &str) -> bool {
    cell.starts_with(FORMULA_STARTS)
}

fn push_cell(out: &mut String, cell: &str) {
    let quote = cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if guarded(cell) {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> String {
        let mut out = String::new();
        push_cell(&mut out, s);
        out
    }

    #[test]
    fn cells_are_quoted_only_when_they_must_be() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn what_a_spreadsheet_would_run_is_written_as_text() {
        for formula in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "'quoted"] {
            assert_eq!(cell(formula), format!("'{formula}"));
        }
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("=1,2"), "\"'=1,2\"");
        assert_eq!(cell("a=b"), "a=b");
    }
}
