//! Accounts: sign up, sign in, sign out.

pub mod login;
pub mod logout;
pub mod signup;

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, http::header};

use super::{csrf, page::redirect};
use super::{session, state::AppState};
use crate::{error::AppError, store::SessionKind};

/// Starts a session for `user_id`, sets its cookie and sends the browser on to `next`.
async fn sign_in_and_redirect(
    req: &HttpRequest,
    state: &AppState,
    session: &Session,
    user_id: i64,
    htmx: bool,
    next: &str,
) -> Result<HttpResponse, AppError> {
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let issued = session::start_session(state, user_id, SessionKind::Browser, user_agent).await?;
    // A new sign-in gets a new CSRF token: one seen before sign-in cannot be replayed after.
    csrf::rotate(session);
    let mut response = redirect(htmx, next);
    for cookie in [
        session::session_cookie(state, &issued),
        // This browser has proven it knows the password: its own attempts at this account
        // no longer share the account's brute-force limit.
        session::device_cookie(state, user_id),
    ] {
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}
/// Accepts only a same-site path for `next=`: one leading slash, no scheme, no host, no
/// backslash, control or non-ASCII characters. Anything else falls back to the dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    const FALLBACK: &str = "/tasks";
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else {
        return FALLBACK.into();
    };
    // ASCII only: a path we made is percent-encoded, and a raw non-ASCII byte in `Location`
    // is read differently by different clients.
    let ok = next.starts_with('/')
        && next.is_ascii()
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 2000;
    if ok { next.into() } else { FALLBACK.into() }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_keeps_same_site_paths_and_drops_everything_else() {
        assert_eq!(safe_next(Some("/tasks?status=open")), "/tasks?status=open");
        for evil in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/tasks\n",
            "/\u{3000}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(evil)), "/tasks", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/tasks");
    }
}
