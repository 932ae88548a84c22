//! `POST /api/auth/token` (sign in, get a bearer token) and `DELETE /api/auth/token` (sign
//! that token's session out). A token is backed by a session row like a browser sign-in, so
//! it can be revoked, and it answers exactly as the sign-in form does: the same message, and
//! the same time, for an unknown email and a wrong password.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::sign_in::{self, Outcome},
    error::{AppError, Problem},
    store::SessionKind,
    web::{
        api::{
            caller::ApiUser,
            json::{json, read_json},
        },
        session::{self, start_session},
        state::AppState,
    },
};

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `bearer`.
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Sign in and get a bearer token.
#[utoipa::path(
    post,
    path = "/api/auth/token",
    operation_id = "create_token",
    tag = "auth",
    request_body(content = TokenRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem),
        (status = 401, description = "Incorrect email or password", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 415, description = "Not JSON", body = Problem),
        (status = 422, description = "A field is missing or of the wrong type", body = Problem),
        (status = 429, description = "Too many sign-in attempts; see Retry-After", body = Problem),
    ),
    security(())
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let TokenRequest { email, password } = read_json(&req, &body, &["email", "password"])?;
    let (user_id, epoch) = match sign_in::check(
        &state.store,
        &state.mac_key,
        session::attempt(&state, &req, &email, password),
    )
    .await?
    {
        Outcome::SignedIn { user_id, epoch } => (user_id, epoch),
        Outcome::Rejected => return Err(AppError::BadCredentials),
        Outcome::Limited { retry_after_secs } => {
            return Err(AppError::TooManyRequests { retry_after_secs });
        }
        Outcome::Busy => return Err(AppError::Busy),
    };
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let issued = start_session(&state, user_id, epoch, SessionKind::Api, agent).await?;
    json(
        StatusCode::OK,
        &TokenResponse {
            access_token: issued.token,
            token_type: "bearer",
            expires_in: (issued.expires_at - Utc::now()).num_seconds().max(0),
        },
    )
}

/// Sign out the session behind this token, at once, everywhere.
#[utoipa::path(
    delete,
    path = "/api/auth/token",
    operation_id = "revoke_token",
    tag = "auth",
    responses(
        (status = 400, description = "A request that cannot be read (a query string that is not UTF-8)", body = Problem),
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not authenticated", body = Problem),
    ),
    security(("bearer" = []))
)]
pub async fn revoke(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> Result<HttpResponse, AppError> {
    state
        .store
        .revoke_session(user.id, &user.session_id, Utc::now())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
