//! `POST /account/password`: changing the password, which signs out every other session.

use actix_session::Session;
use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::page::{PasswordErrors, page};
use crate::{
    auth::{
        password,
        sign_in::{self, Outcome},
    },
    domain::user::check_new_password,
    error::{AppError, BUSY, TOO_MANY_ATTEMPTS},
    web::{
        page::{
            FlashKind, HxRequest, PageContext, flash, redirect, render_page_or, with_retry_after,
        },
        session::{self, CurrentUser},
        state::AppState,
    },
};

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

/// `POST /account/password`: needs the current password; the new one must pass the same
/// rules as at sign-up. Every other session is signed out in the same transaction, so a
/// thief holding an old cookie or token loses it the moment the owner changes the password.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let PasswordForm {
        current_password,
        new_password,
        new_password_confirm,
    } = form.into_inner();
    let mut errors = PasswordErrors::default();
    if current_password.is_empty() {
        errors.current = Some("Enter your current password.");
    }
    if let Err(e) = check_new_password(&new_password) {
        errors.new = Some(e);
    } else if new_password != new_password_confirm {
        errors.confirm = Some("The two passwords don't match.");
    } else if new_password == current_password {
        errors.new = Some("Choose a password different from your current one.");
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut retry_after = None;
    if !errors.any() {
        let attempt = session::attempt(&state, &req, &user.email, current_password);
        let outcome = sign_in::check(&state.store, &state.mac_key, attempt).await?;
        // Hashing the new password needs a slot of its own.
        let slot = match outcome {
            Outcome::SignedIn { user_id, .. } if user_id == user.id => Some(state.hashing.permit()),
            _ => None,
        };
        match (outcome, slot) {
            (Outcome::SignedIn { .. }, Some(Ok(permit))) => {
                let hash = password::hash(permit, new_password).await?;
                let revoked = state
                    .store
                    .set_password_hash(user.id, &hash, Some(&user.session_id), Utc::now())
                    .await?;
                tracing::info!(user_id = user.id, revoked, "password changed");
                let message = match revoked {
                    0 => "Password changed.".to_owned(),
                    1 => "Password changed. Your 1 other session was signed out.".to_owned(),
                    n => format!("Password changed. Your {n} other sessions were signed out."),
                };
                if !htmx {
                    flash(&session, FlashKind::Success, message);
                    return Ok(redirect(false, "/account"));
                }
                let mut page = page(&state, &user, ctx, PasswordErrors::default()).await?;
                page.password_notice = Some(message);
                // The card, and the sessions list out of band: the others are gone.
                page.sessions_oob = true;
                let body = [page.as_password().render(), page.as_sessions().render()]
                    .into_iter()
                    .collect::<Result<String, _>>()
                    .map_err(|e| AppError::Internal(e.into()))?;
                return Ok(HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .insert_header((header::VARY, "HX-Request"))
                    .body(body));
            }
            (Outcome::Busy, _) | (_, Some(Err(_))) => {
                errors.current = Some(BUSY);
                status = StatusCode::SERVICE_UNAVAILABLE;
                retry_after = Some(1);
            }
            (Outcome::SignedIn { .. } | Outcome::Rejected, _) => {
                errors.current = Some("That isn't your current password.");
            }
            (Outcome::Limited { retry_after_secs }, _) => {
                errors.current = Some(TOO_MANY_ATTEMPTS);
                status = StatusCode::TOO_MANY_REQUESTS;
                retry_after = Some(retry_after_secs);
            }
        }
    }
    let page = page(&state, &user, ctx, errors).await?;
    let response = render_page_or(status, htmx, &page, &page.as_password())?;
    Ok(with_retry_after(response, retry_after))
}
