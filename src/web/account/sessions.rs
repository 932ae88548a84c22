//! `POST /account/sessions/{handle}/revoke` (sign one session out) and
//! `POST /account/sessions/others/revoke` (every session but this one).

use actix_session::Session;
use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::Utc;

use super::{
    device::describe,
    page::{PasswordErrors, page},
};
use crate::{
    error::AppError,
    web::{
        page::{FlashKind, HxRequest, PageContext, flash, redirect, render},
        session::CurrentUser,
        state::AppState,
    },
};

/// `POST /account/sessions/{handle}/revoke`: signs one session out. Revoking this very
/// session is signing out.
pub async fn revoke(
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    target: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let found = state
        .store
        .revoke_session_by_handle(user.id, &target, Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    if found.id == user.session_id {
        return crate::web::auth::logout::signed_out(&state, &session, htmx);
    }
    let (device, _) = describe(found.user_agent.as_deref(), found.kind == "api");
    let message = format!(
        "Signed out {device} (started {}).",
        user.time_zone.format_moment(found.created_at)
    );
    finish(&state, &session, &user, ctx, htmx, message).await
}

/// `POST /account/sessions/others/revoke`: signs out every session but this one.
pub async fn revoke_others(
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
) -> Result<HttpResponse, AppError> {
    let revoked = state
        .store
        .revoke_other_sessions(user.id, &user.session_id, Utc::now())
        .await?;
    let message = match revoked {
        0 => "There were no other sessions to sign out.".to_owned(),
        1 => "Signed out 1 other session.".to_owned(),
        n => format!("Signed out {n} other sessions."),
    };
    finish(&state, &session, &user, ctx, htmx, message).await
}

/// After a change to the sessions: the page again (no JS), or the refreshed list with the
/// message announced (htmx).
async fn finish(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    ctx: PageContext,
    htmx: bool,
    message: String,
) -> Result<HttpResponse, AppError> {
    if !htmx {
        flash(session, FlashKind::Success, message);
        return Ok(redirect(false, "/account"));
    }
    let mut page = page(state, user, ctx, PasswordErrors::default()).await?;
    page.sessions_notice = Some(message);
    render(StatusCode::OK, &page.as_sessions())
}
