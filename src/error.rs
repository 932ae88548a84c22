//! One error type for the whole app, and the one shape the API reports errors in.
//!
//! Each variant's doc names the status it answers with. Handlers use `?` and never build error
//! answers themselves: [`crate::web::errors`] turns an `AppError` (or any framework error) into
//! a full page, an htmx fragment or a [`Problem`], depending on who asked, and logs the whole
//! cause chain next to the request id. Clients only ever see a calm message.
//!
//! [`Problem`] lives here, beside the errors it reports, so that the API handlers (which name
//! it in their OpenAPI annotations), the OpenAPI document and the error renderer all use the
//! very type that is serialised, and none of them has to import another for it.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a failed sign-in says, for an unknown email and a wrong password alike.
pub const BAD_CREDENTIALS: &str = "Incorrect email or password.";

/// What a sign-in, sign-up or password change says when every hashing slot is taken.
pub const BUSY: &str =
    "Too many sign-ins are being checked right now. Please try again in a moment.";

/// What a sign-in (or password check) refused by the attempt limits says.
pub const TOO_MANY_ATTEMPTS: &str =
    "Too many sign-in attempts. Please wait a minute, then try again.";

/// An error answer of the API, as RFC 9457 problem details. Every API error is this type,
/// serialised, and the OpenAPI document names this type as every error's body. (It stays open
/// to new members, as RFC 9457 allows: no `deny_unknown_fields`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    /// The status's reason phrase.
    #[schema(example = "Unauthorized")]
    pub title: String,
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// Quote it when reporting a problem: the server log has the rest.
    pub request_id: String,
    /// With 422: each field that was refused, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// With 409 and 412: the version the resource is at now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// With 409 and 412: the resource as it is now, so a client can merge and retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

impl Problem {
    /// The problem for an answer of `status`; `error` adds the refused fields of a 422.
    pub fn new(
        status: StatusCode,
        detail: impl Into<String>,
        request_id: impl Into<String>,
        error: Option<&AppError>,
    ) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            request_id: request_id.into(),
            errors: match error {
                Some(AppError::Invalid(fields)) => Some(fields.clone()),
                _ => None,
            },
            current_version: match error {
                Some(
                    AppError::Conflict { current, .. } | AppError::PreconditionFailed { current },
                ) => current.get("version").and_then(serde_json::Value::as_i64),
                _ => None,
            },
            current: match error {
                Some(
                    AppError::Conflict { current, .. } | AppError::PreconditionFailed { current },
                ) => Some(current.clone()),
                _ => None,
            },
        }
    }
}

/// One field that failed validation, as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: a query or form value that cannot be parsed at all. The text is shown to the
    /// user, so it must be ours, not theirs.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401 for the API, a 303 to `/login` for pages, `HX-Redirect` for htmx: no live session.
    #[error("not signed in")]
    SignedOut,
    /// 401 (API sign-in): no account has that email and password. The sign-in form answers
    /// the same sentence in the form instead.
    #[error("bad credentials")]
    BadCredentials,
    /// 403: the CSRF token or the origin check failed.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 404: missing, or someone else's (the two answer alike).
    #[error("not found")]
    NotFound,
    /// 405 with `Allow`: the path exists but not with this method. Carries the methods
    /// it does take.
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    /// 414: a request target (path and query) longer than the server reads.
    #[error("request target too long")]
    UriTooLong,
    /// 413: a body past a limit of its own (an import's size or rows); says which, in words
    /// for the user.
    #[error("too large: {0}")]
    TooLarge(&'static str),
    /// 415: a body in a format we don't read (the API takes JSON, its import CSV). Says
    /// which, in words for the user.
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    /// 415: a body in a `Content-Encoding` we don't decode.
    #[error("unsupported content encoding")]
    UnsupportedEncoding,
    /// 422 (API): fields that fail validation, each named.
    #[error("invalid fields: {0:?}")]
    Invalid(Vec<FieldError>),
    /// 409: a write based on a stale `version`. Carries the resource as it is now (JSON).
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        current: serde_json::Value,
    },
    /// 412: `If-Match` names a version the resource is no longer at. Carries the resource as
    /// it is now (JSON).
    #[error("precondition failed")]
    PreconditionFailed { current: serde_json::Value },
    /// 429 with `Retry-After`: too many sign-in attempts.
    #[error("too many attempts; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503 with `Retry-After: 1`: every password-hashing slot is taken (see
    /// `auth::password::Hashing`); nothing was queued.
    #[error("password hashing at capacity")]
    Busy,
    /// 503 with `Retry-After`: the database cannot be reached.
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// 500: anything else. The details go to the log only.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The sentence a user sees for this error (never internals). A bad request says what
    /// was wrong, in words of our own (never echoing the input).
    pub fn public_message(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            AppError::BadRequest(why) => return why.clone().into(),
            // Pages and htmx are sent to the sign-in form instead: only the API shows this.
            AppError::SignedOut => "Not authenticated: a valid bearer token is required.",
            AppError::BadCredentials => BAD_CREDENTIALS,
            AppError::Forbidden(_) => {
                "This form has expired or came from another site. Reload the page and try again."
            }
            AppError::NotFound => "We couldn't find that page.",
            AppError::MethodNotAllowed(_) => "That action isn't available here.",
            AppError::Conflict { detail, .. } => return detail.clone().into(),
            AppError::PreconditionFailed { .. } => {
                "The task changed since the version named in If-Match. Read it again, then retry."
            }
            AppError::TooLarge(why) => why,
            AppError::UriTooLong => {
                "The address is too long: this server reads at most 16 KiB of it."
            }
            AppError::UnsupportedMediaType(wanted) => wanted,
            AppError::UnsupportedEncoding => {
                "Send the body uncompressed: no Content-Encoding is decoded here."
            }
            AppError::Invalid(fields) => {
                return fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into();
            }
            AppError::TooManyRequests { .. } => TOO_MANY_ATTEMPTS,
            AppError::Busy => BUSY,
            AppError::Unavailable(cause) if storage_refuses_writes(cause) => {
                "We can't save changes right now: the server's storage is full or read-only. \
                 Nothing you sent was half saved; please try again later."
            }
            AppError::Unavailable(cause) if statement_timed_out(cause) => {
                "That took the database too long, so it was stopped. Nothing was half saved; \
                 please try again in a moment."
            }
            AppError::Unavailable(_) => {
                "We can't reach the database right now. Your data is safe; please try again in a moment."
            }
            AppError::Internal(_) => "Something went wrong on our side. Please try again.",
        })
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        if matches!(error, sqlx::Error::PoolTimedOut) {
            crate::meter::acquire_timed_out();
        } else if statement_timed_out(&error) {
            crate::meter::statement_timed_out();
        }
        if is_unavailable(&error) {
            AppError::Unavailable(error)
        } else {
            AppError::Internal(error.into())
        }
    }
}

/// True when the error means "the database cannot be reached right now" (answer 503), as
/// opposed to a bug or a constraint (answer 500).
fn is_unavailable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
    ) || matches!(error, sqlx::Error::Database(db) if db.code().is_some_and(|code| {
        // PostgreSQL: admin shutdown, cannot connect now, too many connections, and
        // connections refused to a database that does not allow them. SQLite: BUSY and
        // LOCKED (with their extended codes), when another process holds the file longer
        // than the busy time-out. Only SQLite's codes are read as numbers: many PostgreSQL
        // SQLSTATEs are digits too (22021, a bad byte, is 5 in its low byte).
        let is_sqlite = db
            .try_downcast_ref::<sqlx::sqlite::SqliteError>()
            .is_some();
        matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300" | "55000")
            || (is_sqlite && code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)))
    })) || storage_refuses_writes(error)
        || statement_timed_out(error)
}

/// True when PostgreSQL cancelled the statement (`57014`), at `DB_STATEMENT_TIMEOUT_MS`:
/// the database is too slow right now, the same as an outage to the user (503). The
/// statement is over on the server, and its connection goes back to the pool (a
/// transaction it was in is rolled back when dropped).
fn statement_timed_out(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db)
        if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some()
            && db.code().as_deref() == Some("57014"))
}

/// True when SQLite's file cannot take a write for now: the disk is full (`SQLITE_FULL`),
/// the file or its file system turned read-only (`SQLITE_READONLY`, `SQLITE_CANTOPEN`), or
/// the OS failed a read or write (`SQLITE_IOERR`). The statement rolled back whole, and
/// the next one succeeds once the cause is gone, so these are outages (503), not bugs.
/// PostgreSQL reports a full disk to its own log and the client sees it as an outage
/// already (`53100` is a distinct SQLSTATE, mapped here too).
fn storage_refuses_writes(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    let Some(code) = db.code() else {
        return false;
    };
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        code.parse::<i32>()
            .is_ok_and(|c| matches!(c & 0xff, 8 | 10 | 13 | 14))
    } else {
        code.as_ref() == "53100"
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::SignedOut | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) | AppError::UnsupportedEncoding => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A bare answer; the error-rendering middleware replaces it with the right page.
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(self.public_message().into_owned())
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::*;

    /// A real SQLite error from `statement` run after `setup` on a fresh in-memory database.
    async fn sqlite_error(setup: &'static str, statement: &'static str) -> sqlx::Error {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (x BLOB)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(setup).execute(&mut conn).await.unwrap();
        for _ in 0..1000 {
            if let Err(error) = sqlx::query(statement).execute(&mut conn).await {
                return error;
            }
        }
        panic!("{statement} never failed after {setup}");
    }

    fn assert_storage_outage(error: sqlx::Error) {
        let error = AppError::from(error);
        assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let message = error.public_message();
        assert!(message.contains("full or read-only"), "{message}");
    }

    #[tokio::test]
    async fn a_full_sqlite_file_is_an_outage_with_its_own_message() {
        let error = sqlite_error(
            "PRAGMA max_page_count = 8",
            "INSERT INTO t VALUES (zeroblob(4096))",
        )
        .await;
        assert_storage_outage(error);
    }

    #[tokio::test]
    async fn a_read_only_sqlite_file_is_an_outage_with_its_own_message() {
        let error = sqlite_error("PRAGMA query_only = 1", "INSERT INTO t VALUES (1)").await;
        assert_storage_outage(error);
    }

    #[tokio::test]
    async fn a_constraint_is_still_a_bug_not_an_outage() {
        let error = sqlite_error(
            "CREATE UNIQUE INDEX one ON t (x)",
            "INSERT INTO t VALUES (1)",
        )
        .await;
        assert_eq!(
            AppError::from(error).status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
