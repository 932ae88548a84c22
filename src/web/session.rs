//! Who is asking: the [`CurrentUser`] and [`SessionToken`] extractors, starting a session,
//! and the cookies that carry sessions and known devices.
//!
//! A browser carries its JWT in an HttpOnly cookie. Every authenticated request verifies the
//! token (signature, algorithm, expiry) *and* looks up the session row it names, so a session
//! revoked on one instance is signed out on all of them at once.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    cookie::{Cookie, CookieBuilder, CookieJar, Key, SameSite, time},
    dev::Payload,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::state::AppState;
use crate::{
    auth::sign_in::{self, Attempt},
    clock::Clock,
    domain::calendar::TimeZone,
    error::AppError,
    secrets::random_token,
    store::{NewSession, SessionKind, SessionUser},
};

/// Session activity is written at most this often, so that reads stay reads.
const TOUCH_INTERVAL: Duration = Duration::minutes(5);

/// The signed-in user, checked against a live session row. Handlers that take it are
/// authenticated; without a live session the request ends with [`AppError::SignedOut`].
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub session_id: String,
    /// The zone the user's days are counted in.
    pub time_zone: TimeZone,
}

impl CurrentUser {
    /// What date it is for this user: the one answer to "today" that overdue, the filters
    /// and everything dated by the calendar use.
    pub fn today(&self, clock: &Clock) -> NaiveDate {
        self.time_zone.today(clock.now())
    }
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
        time_zone: TimeZone::from_stored(&found.time_zone),
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

/// Records a sign-in for `user_id`, whose password was checked at credential `epoch`, and
/// issues its token. If the account's credentials changed since the check (a password change
/// or "sign out everywhere else" in between), nothing is recorded and the sign-in fails as a
/// wrong password would: the password it proved may no longer be the account's.
pub async fn start_session(
    state: &AppState,
    user_id: i64,
    epoch: i64,
    kind: SessionKind,
    user_agent: Option<&str>,
) -> Result<IssuedSession, AppError> {
    let now = Utc::now();
    let expires_at = now + state.session_ttl;
    let id = random_token(32);
    let user_agent = user_agent.map(|ua| truncate(ua, 300));
    let recorded = state
        .store
        .create_session(&NewSession {
            id: &id,
            user_id,
            kind,
            created_at: now,
            expires_at,
            user_agent,
            credential_epoch: epoch,
        })
        .await?;
    if recorded.is_none() {
        tracing::warn!(
            user_id,
            "sign-in refused: the credentials changed while it was being checked"
        );
        return Err(AppError::BadCredentials);
    }
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
    private_cookie(state, state.auth_cookie_name(), session.token.clone())
        .max_age(time::Duration::seconds(max_age))
        .finish()
}

/// A cookie only this site's HTTP requests see: HttpOnly, SameSite=Lax, Path=/, and Secure
/// unless switched off for plain-HTTP development.
fn private_cookie(state: &AppState, name: &'static str, value: String) -> CookieBuilder<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.cookie_secure)
}

/// A cookie that tells the browser to forget the session token.
pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = private_cookie(state, state.auth_cookie_name(), String::new()).finish();
    cookie.make_removal();
    cookie
}

/// A sign-in attempt made by this request: its client address and device cookie.
pub fn attempt<'a>(
    state: &AppState,
    req: &HttpRequest,
    email: &'a str,
    password: String,
) -> Attempt<'a> {
    Attempt {
        email,
        password,
        client: state.client_ip(req),
        device: device_claim(state, req),
        hashing: state.hashing.clone(),
        gate: state.gates.sign_in.clone(),
        now: state.clock.now(),
    }
}

/// The device cookie's name: `__Host-` when Secure, like the session's.
pub fn device_cookie_name(state: &AppState) -> &'static str {
    if state.cookie_secure {
        "__Host-device"
    } else {
        "device"
    }
}

/// Marks this browser as one that has signed in to `user_id`, at the account's credential
/// `epoch` (see [`sign_in`]'s known devices): a new device claim, encrypted and
/// authenticated, so the browser sees no user id and cannot forge one.
pub fn device_cookie(
    state: &AppState,
    user_id: i64,
    epoch: i64,
) -> Result<Cookie<'static>, AppError> {
    let claim = sign_in::device_claim(user_id, epoch, state.clock.now());
    let cookie = private_cookie(state, device_cookie_name(state), claim)
        .max_age(time::Duration::days(sign_in::DEVICE_DAYS))
        .finish();
    let key = device_key(state)?;
    let mut jar = CookieJar::new();
    jar.private_mut(&key).add(cookie);
    jar.get(device_cookie_name(state))
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("sealing the device cookie")))
}

/// What this browser's device cookie says, if it sent one this app sealed.
pub fn device_claim(state: &AppState, req: &HttpRequest) -> Option<String> {
    let mut jar = CookieJar::new();
    jar.add_original(req.cookie(device_cookie_name(state))?);
    let key = device_key(state).ok()?;
    Some(
        jar.private(&key)
            .get(device_cookie_name(state))?
            .value()
            .to_owned(),
    )
}

fn device_key(state: &AppState) -> Result<Key, AppError> {
    state
        .cookie_key("device-cookie/v2")
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("deriving the device-cookie key")))
}
