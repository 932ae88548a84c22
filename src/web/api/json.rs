//! JSON in and out of the API: a strict body reader (each refused field named) and the
//! JSON answer.

use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// Reads a JSON object body into `T`, refusing what the API does not accept: a body that is
/// not JSON (415), malformed JSON (400), anything but an object, fields outside `allowed`, and
/// values of the wrong type (422, each field named). An empty body reads as `{}`.
pub fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
    allowed: &[&str],
) -> Result<T, AppError> {
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(Default::default())
    } else {
        let mime = req.mime_type().ok().flatten();
        let is_json = mime.is_some_and(|m| {
            m.type_() == "application"
                && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
        });
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        serde_json::from_slice(body).map_err(|e| {
            AppError::BadRequest(format!(
                "The body is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ))
        })?
    };
    let Some(object) = value.as_object() else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "body",
            "must be a JSON object",
        )]));
    };
    let unknown: Vec<FieldError> = object
        .keys()
        .filter(|key| !allowed.contains(&key.as_str()))
        .map(|key| {
            let why = match key.as_str() {
                "id" | "user_id" | "created_at" | "updated_at" => {
                    "is set by the server and cannot be written"
                }
                _ => "is not a field of this request",
            };
            FieldError::new(key.clone(), why)
        })
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::Invalid(unknown));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        // serde names a missing field only in its message: "missing field `title`".
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let error = match missing {
            Some(field) => FieldError::new(field, "is required"),
            None if path == "." => FieldError::new("body", "has the wrong shape"),
            None => FieldError::new(path, "has the wrong type"),
        };
        AppError::Invalid(vec![error])
    })
}

/// For `Option<Option<T>>` fields: absent is `None`, `null` is `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// `200` (or another status) with a JSON body.
pub fn json(
    status: actix_web::http::StatusCode,
    body: &impl serde::Serialize,
) -> Result<HttpResponse, AppError> {
    let body = serde_json::to_string(body).map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("application/json")
        .body(body))
}
