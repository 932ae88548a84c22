//! What a successful sign-in or sign-up does in a browser: the session it replaces ended, a
//! new session and its cookie, a fresh CSRF token, and on to the page the user was going to.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, http::header};
use chrono::Utc;

use crate::{
    error::AppError,
    store::SessionKind,
    web::{csrf, page::redirect, session, state::AppState},
};

/// Starts a session for `user_id` (its password checked at credential `epoch`), sets its
/// cookie and sends the browser on to `next`.
pub async fn sign_in_and_redirect(
    req: &HttpRequest,
    state: &AppState,
    session: &Session,
    user_id: i64,
    epoch: i64,
    htmx: bool,
    next: &str,
) -> Result<HttpResponse, AppError> {
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    // Signing in while signed in replaces this browser's session (whoever's it was): the old
    // one ends now rather than living on, unseen, until its token expires.
    if let Some(old) = req
        .cookie(state.auth_cookie_name())
        .and_then(|cookie| state.jwt.verify(cookie.value()))
        && let Some(old_user) = old.user_id()
    {
        state
            .store
            .revoke_session(old_user, &old.sid, Utc::now())
            .await?;
    }
    let issued =
        session::start_session(state, user_id, epoch, SessionKind::Browser, user_agent).await?;
    // A new sign-in gets a new CSRF token: one seen before sign-in cannot be replayed after.
    csrf::rotate(session);
    let mut response = redirect(htmx, next);
    for cookie in [
        session::session_cookie(state, &issued),
        // This browser has proven it knows the password: its own attempts at this account
        // no longer share the account's brute-force limit.
        session::device_cookie(state, user_id, epoch)?,
    ] {
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}
