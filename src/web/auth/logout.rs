//! `POST /logout`: revoke this session everywhere and forget the cookie.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use crate::{
    error::AppError,
    web::{
        page::{FlashKind, HxRequest, flash, redirect},
        session::{self, CurrentUser},
        state::AppState,
    },
};

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    HxRequest(htmx): HxRequest,
) -> Result<HttpResponse, AppError> {
    // Signing out of a session that has already ended is not an error: the cookie still goes.
    match <CurrentUser as actix_web::FromRequest>::extract(&req).await {
        Ok(CurrentUser { id, session_id, .. }) => {
            state
                .store
                .revoke_session(id, &session_id, Utc::now())
                .await?;
        }
        Err(AppError::SignedOut) => {}
        Err(other) => return Err(other),
    }
    signed_out(&state, &session, htmx)
}

/// After this browser's session was revoked: forget the cookie, say so, go to sign-in.
pub fn signed_out(
    state: &AppState,
    session: &Session,
    htmx: bool,
) -> Result<HttpResponse, AppError> {
    flash(session, FlashKind::Success, "You have signed out.");
    let mut response = redirect(htmx, "/login");
    response
        .add_cookie(&session::removal_cookie(state))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(response)
}
