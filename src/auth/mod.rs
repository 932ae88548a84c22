//! Who is asking: session tokens, password hashing and the [`CurrentUser`] extractor.
//!
//! A browser carries its JWT in an HttpOnly cookie. Every authenticated request verifies the
//! token (signature, algorithm, expiry) *and* looks up the session row it names, so a session
//! revoked on one instance is signed out on all of them at once.

pub mod jwt;
pub mod password;
pub mod sign_in;

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    cookie::{Cookie, SameSite, time},
    dev::Payload,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};

use crate::{
    error::AppError,
    state::AppState,
    store::{NewSession, SessionKind, SessionUser},
};

/// Session activity is written at most this often, so that reads stay reads.
const TOUCH_INTERVAL: Duration = Duration::minutes(5);

/// `n` random bytes from the OS, base64url-encoded: session ids, CSRF tokens, secrets.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // Without the OS random source nothing here can be secure: stop rather than go on.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The signed-in user, checked against a live session row. Handlers that take it are
/// authenticated; without a live session the request ends with [`AppError::SignedOut`].
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub session_id: String,
}

/// Put in the request's extensions once known, so the request log can name the user.
#[derive(Debug, Clone, Copy)]
pub struct UserId(pub i64);

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(user) = req.extensions().get::<CurrentUser>() {
                return Ok(user.clone());
            }
            let state = AppState::from_request_ref(&req)?;
            let token = req
                .cookie(state.auth_cookie_name())
                .ok_or(AppError::SignedOut)?;
            let user = authenticate(&state, token.value()).await?;
            req.extensions_mut().insert(UserId(user.id));
            req.extensions_mut().insert(user.clone());
            Ok(user)
        })
    }
}

/// Verifies a token and the session row it names.
pub async fn authenticate(state: &AppState, token: &str) -> Result<CurrentUser, AppError> {
    let claims = state.jwt.verify(token).ok_or(AppError::SignedOut)?;
    let user_id = claims.user_id().ok_or(AppError::SignedOut)?;
    let now = Utc::now();
    let found = state.store.session_user(&claims.sid, user_id, now).await?;
    signed_in(state, found, claims.sid, now).await
}

/// The user of a session lookup's result, if it found a live session (whose activity is
/// recorded when due).
async fn signed_in(
    state: &AppState,
    found: Option<SessionUser>,
    session_id: String,
    now: DateTime<Utc>,
) -> Result<CurrentUser, AppError> {
    let found = found.ok_or(AppError::SignedOut)?;
    if now - found.last_seen_at > TOUCH_INTERVAL {
        state.store.touch_session(&session_id, now).await?;
    }
    Ok(CurrentUser {
        id: found.user_id,
        email: found.email,
        session_id,
    })
}

/// A request's cookie token, verified (signature, algorithm, expiry) but with its session
/// row **not yet checked**. Only for a handler that checks the row in the same round trip as
/// its own reads (the dashboard, which reads the session and its stats in one statement and
/// its rows alongside) and finishes with [`SessionToken::confirm`] before it uses anything
/// it read. Every other handler takes [`CurrentUser`].
#[derive(Debug)]
pub struct SessionToken {
    pub user_id: i64,
    pub session_id: String,
}

impl FromRequest for SessionToken {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = || {
            let state = AppState::from_request_ref(req)?;
            let cookie = req
                .cookie(state.auth_cookie_name())
                .ok_or(AppError::SignedOut)?;
            let claims = state
                .jwt
                .verify(cookie.value())
                .ok_or(AppError::SignedOut)?;
            Ok(SessionToken {
                user_id: claims.user_id().ok_or(AppError::SignedOut)?,
                session_id: claims.sid,
            })
        };
        ready(verified())
    }
}

impl SessionToken {
    /// Finishes the check with what the session lookup found (made at `now`): the signed-in
    /// user, known to the request from here on, or [`AppError::SignedOut`].
    pub async fn confirm(
        self,
        state: &AppState,
        req: &HttpRequest,
        found: Option<SessionUser>,
        now: DateTime<Utc>,
    ) -> Result<CurrentUser, AppError> {
        let user = signed_in(state, found, self.session_id, now).await?;
        req.extensions_mut().insert(UserId(user.id));
        req.extensions_mut().insert(user.clone());
        Ok(user)
    }

    /// The plain check, for when the handler will not read anything (a bad request is still
    /// answered "sign in" first when signed out).
    pub async fn check(self, state: &AppState, req: &HttpRequest) -> Result<CurrentUser, AppError> {
        let now = Utc::now();
        let found = state
            .store
            .session_user(&self.session_id, self.user_id, now)
            .await?;
        self.confirm(state, req, found, now).await
    }
}

/// A new session row and the token that names it.
pub struct IssuedSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Records a sign-in for `user_id` and issues its token.
pub async fn start_session(
    state: &AppState,
    user_id: i64,
    kind: SessionKind,
    user_agent: Option<&str>,
) -> Result<IssuedSession, AppError> {
    let now = Utc::now();
    let expires_at = now + state.session_ttl;
    let id = random_token(32);
    let user_agent = user_agent.map(|ua| truncate(ua, 300));
    state
        .store
        .create_session(&NewSession {
            id: &id,
            user_id,
            kind,
            created_at: now,
            expires_at,
            user_agent,
        })
        .await?;
    let token = state
        .jwt
        .issue(user_id, &id, now, expires_at)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(IssuedSession { token, expires_at })
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The cookie that carries a session token: HttpOnly, SameSite=Lax, Path=/, Secure unless
/// switched off for plain-HTTP development, and living exactly as long as the session.
pub fn session_cookie(state: &AppState, session: &IssuedSession) -> Cookie<'static> {
    let max_age = (session.expires_at - Utc::now()).num_seconds().max(0);
    Cookie::build(state.auth_cookie_name(), session.token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.cookie_secure)
        .max_age(time::Duration::seconds(max_age))
        .finish()
}

/// A cookie that tells the browser to forget the session token.
pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = Cookie::build(state.auth_cookie_name(), "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.cookie_secure)
        .finish();
    cookie.make_removal();
    cookie
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
