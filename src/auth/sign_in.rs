//! Checking an email and password, with brute-force limits (SPEC section 6).
//!
//! One path for the sign-in form, `POST /api/auth/token` and the password change, so all
//! three answer alike and share the limits:
//!
//! - **Per account:** at most [`ACCOUNT_LIMIT`] failed attempts a minute. A success forgives
//!   the failures before it. Unknown emails are limited exactly like known ones, so the limit
//!   reveals nothing about which accounts exist.
//! - **Per client address:** at most [`CLIENT_LIMIT`] attempts a minute, generous enough for
//!   an office behind one address, tight enough to stop one machine spraying passwords over
//!   many accounts. The address is the socket's peer unless a trusted proxy is configured
//!   ([`AppState::client_ip`]).
//! - **Known devices:** an attacker who keeps failing against an account would keep its owner
//!   out too. So a browser that has signed in to the account before carries a device cookie
//!   ([`device_cookie`], after OWASP's "device cookies"), and its attempts count against a
//!   limit of their own, [`ACCOUNT_LIMIT`] for that device and account, not the account's.
//!   The owner's own browser is never locked out by someone else's guessing.
//!
//! Limits are rows in the database (`sign_in_attempts`), so they hold across every app
//! instance sharing it. Scopes are stored as keyed hashes, never as emails or addresses.

use std::net::IpAddr;

use actix_web::{
    HttpRequest,
    cookie::{Cookie, SameSite, time},
};
use chrono::Utc;
use subtle::ConstantTimeEq;

use super::password;
use crate::{domain::user::Email, error::AppError, state::AppState, store::AttemptLimit};

/// Failed attempts allowed per account (or per known device and account) in a window.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Attempts allowed per client address in a window.
pub const CLIENT_LIMIT: i64 = 60;
/// The window every limit counts over.
pub const WINDOW_MS: i64 = 60_000;
/// How long a browser stays a known device for an account after signing in.
const DEVICE_COOKIE_DAYS: i64 = 180;

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum Outcome {
    /// The password is right: this user.
    SignedIn(i64),
    /// Unknown email or wrong password (indistinguishable by design).
    Rejected,
    /// Too many attempts: try again in this many seconds.
    Limited { retry_after_secs: u64 },
}

/// One attempt to prove who you are.
pub struct Attempt<'a> {
    /// As typed: an unparseable email is an unknown one.
    pub email: &'a str,
    pub password: String,
    pub client: Option<IpAddr>,
    /// The device cookie's value, if the browser sent one.
    pub device: Option<String>,
}

impl<'a> Attempt<'a> {
    /// An attempt made by this request: its client address and device cookie.
    pub fn new(state: &AppState, req: &HttpRequest, email: &'a str, password: String) -> Self {
        Attempt {
            email,
            password,
            client: state.client_ip(req),
            device: device_of(state, req),
        }
    }
}

/// Checks the attempt against the limits, then the password. The limits are checked first,
/// so a limited attempt costs no hashing.
pub async fn check(state: &AppState, attempt: Attempt<'_>) -> Result<Outcome, AppError> {
    let email = Email::parse(attempt.email).ok();
    let credentials = match &email {
        Some(email) => state.store.find_credentials(email.as_str()).await?,
        None => None,
    };
    let known_device = match (&credentials, attempt.device.as_deref()) {
        (Some(c), Some(cookie)) => device_matches(state, cookie, c.id),
        _ => false,
    };
    let account_scope = match (&credentials, known_device) {
        (Some(c), true) => state.mac_key.tag(&["device", &c.id.to_string()]),
        _ => {
            let key = email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_else(|| attempt.email.trim().to_lowercase());
            state.mac_key.tag(&["account", &key])
        }
    };
    let client_scope = client_scope(state, "client", attempt.client);
    let limits = [
        AttemptLimit {
            scope: &account_scope,
            max: ACCOUNT_LIMIT,
        },
        AttemptLimit {
            scope: &client_scope,
            max: CLIENT_LIMIT,
        },
    ];
    if let Some(retry_after_secs) = admit(state, &limits).await? {
        tracing::warn!(known_device, "sign-in attempt refused: too many attempts");
        return Ok(Outcome::Limited { retry_after_secs });
    }
    let user_id = credentials.as_ref().map(|c| c.id);
    let verified = password::verify(attempt.password, credentials.map(|c| c.password_hash)).await?;
    let Some(user_id) = user_id.filter(|_| verified.ok) else {
        return Ok(Outcome::Rejected);
    };
    state.store.clear_sign_in_attempts(&account_scope).await?;
    if let Some(hash) = verified.rehashed {
        state
            .store
            .set_password_hash(user_id, &hash, None, Utc::now())
            .await?;
        tracing::info!(user_id, "password re-hashed with current parameters");
    }
    Ok(Outcome::SignedIn(user_id))
}

/// Sign-ups cost a password hash each, so they are limited per client address too
/// ([`CLIENT_LIMIT`] a minute, counted apart from sign-ins). `None` when admitted, else the
/// seconds to wait.
pub async fn admit_sign_up(state: &AppState, req: &HttpRequest) -> Result<Option<u64>, AppError> {
    let scope = client_scope(state, "sign-up client", state.client_ip(req));
    admit(
        state,
        &[AttemptLimit {
            scope: &scope,
            max: CLIENT_LIMIT,
        }],
    )
    .await
}

/// The keyed scope of a client address (or of "unknown" when the socket has none).
fn client_scope(state: &AppState, label: &str, client: Option<IpAddr>) -> String {
    let client = client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    state.mac_key.tag(&[label, &client])
}

/// Records an attempt against `limits`: `None` when admitted, else whole seconds to wait.
async fn admit(state: &AppState, limits: &[AttemptLimit<'_>]) -> Result<Option<u64>, AppError> {
    let now_ms = Utc::now().timestamp_millis();
    let wait_ms = state
        .store
        .record_sign_in_attempt(limits, now_ms, WINDOW_MS)
        .await?;
    Ok(wait_ms.map(|ms| (ms.max(0) as u64).div_ceil(1000).max(1)))
}

/// The device cookie's name: `__Host-` when Secure, like the session's.
pub fn device_cookie_name(state: &AppState) -> &'static str {
    if state.cookie_secure {
        "__Host-device"
    } else {
        "device"
    }
}

/// Marks this browser as one that has signed in to `user_id`: `<user id>.<keyed hash>`. It
/// grants nothing by itself; it only moves this browser's attempts to a limit of their own.
pub fn device_cookie(state: &AppState, user_id: i64) -> Cookie<'static> {
    let value = format!("{user_id}.{}", device_tag(state, user_id));
    Cookie::build(device_cookie_name(state), value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.cookie_secure)
        .max_age(time::Duration::days(DEVICE_COOKIE_DAYS))
        .finish()
}

/// The device cookie this request carries, if any.
pub fn device_of(state: &AppState, req: &HttpRequest) -> Option<String> {
    req.cookie(device_cookie_name(state))
        .map(|c| c.value().to_owned())
}

fn device_tag(state: &AppState, user_id: i64) -> String {
    state.mac_key.tag(&["device-cookie", &user_id.to_string()])
}

fn device_matches(state: &AppState, cookie: &str, user_id: i64) -> bool {
    let Some((id, tag)) = cookie.split_once('.') else {
        return false;
    };
    id.parse::<i64>().is_ok_and(|id| id == user_id)
        && bool::from(tag.as_bytes().ct_eq(device_tag(state, user_id).as_bytes()))
}
