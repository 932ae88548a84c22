//! The JSON API (SPEC section 5), for scripts and other front ends.
//!
//! Clients authenticate with `Authorization: Bearer <jwt>` (from `POST /api/auth/token`);
//! the browser's cookie is accepted for reads only, so no API write can be forged cross-site.
//! Errors are RFC 9457 problem details (`application/problem+json`, with `detail`), rendered
//! by [`crate::web::errors`]. Bodies are read strictly: JSON only (415 otherwise), malformed
//! JSON is 400, and unknown or read-only fields (`id`, `user_id`, ...) are refused with 422
//! rather than ignored.

pub mod auth;
pub mod openapi;
pub mod tasks;

use std::{future::Future, pin::Pin};

use actix_web::{
    FromRequest, HttpMessage, HttpRequest, HttpResponse, dev::Payload, http::header, web,
};
use serde::de::DeserializeOwned;

use crate::{
    error::{AppError, FieldError},
    web::{
        allow,
        session::{CurrentUser, UserId, authenticate},
        state::AppState,
    },
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .service(
                web::resource("/openapi.json")
                    .get(openapi::document)
                    .default_service(allow("GET")),
            )
            .service(
                web::resource("/auth/token")
                    .post(auth::create)
                    .delete(auth::revoke)
                    .default_service(allow("POST, DELETE")),
            )
            .service(
                web::resource("/tasks")
                    .get(tasks::list)
                    .post(tasks::create)
                    .default_service(allow("GET, POST")),
            )
            .service(
                web::resource("/tasks/{id}")
                    .get(tasks::get)
                    .put(tasks::put)
                    .patch(tasks::patch)
                    .delete(tasks::delete)
                    .default_service(allow("GET, PUT, PATCH, DELETE")),
            )
            .service(
                web::resource("/tasks/{id}/complete")
                    .patch(tasks::complete)
                    .default_service(allow("PATCH")),
            )
            .default_service(web::to(not_found)),
    );
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// The caller of an API route: a bearer token, or for `GET` the browser's cookie.
pub struct ApiUser(pub CurrentUser);

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let cookie = CurrentUser::from_request(&req, payload);
        Box::pin(async move {
            let bearer = req
                .headers()
                .get(header::AUTHORIZATION)
                .map(|v| bearer_token(v.to_str().unwrap_or_default()));
            let user = match bearer {
                Some(Some(token)) => {
                    let state = AppState::from_request_ref(&req)?;
                    authenticate(&state, &token).await?
                }
                // An Authorization header that is not a bearer token never falls back to the
                // cookie, and writes never accept the cookie at all.
                Some(None) => return Err(AppError::SignedOut),
                None if req.method().is_safe() => cookie.await?,
                None => return Err(AppError::SignedOut),
            };
            req.extensions_mut().insert(UserId(user.id));
            Ok(ApiUser(user))
        })
    }
}

/// The token of an `Authorization: Bearer <token>` value (public for the fuzz tests).
#[doc(hidden)]
pub fn bearer_token(value: &str) -> Option<String> {
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

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
