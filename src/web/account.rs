//! `/account`: who you are signed in as, every session you have (browsers and API tokens),
//! revoking one or all the others, and changing your password.
//!
//! Like the dashboard, each action is a plain POST form answered with a redirect and a flash
//! message; with htmx the same POST answers with the part of the page it changed. Sessions
//! are named in URLs by a hash of their id ([`handle`]), never by the id itself, which stays
//! a secret between the database and the token.

use actix_session::Session;
use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{
    auth::{
        password,
        sign_in::{self, Outcome},
    },
    domain::user::check_new_password,
    error::AppError,
    store::SessionInfo,
    web::{
        allow,
        page::{
            FlashKind, HxRequest, PageContext, flash, redirect, render, render_page_or,
            with_retry_after,
        },
        session::{self, CurrentUser},
        state::AppState,
    },
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/account")
            .get(show)
            .default_service(allow("GET")),
    )
    .service(
        web::resource("/account/password")
            .post(change_password)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/sessions/others/revoke")
            .post(revoke_others)
            .default_service(allow("POST")),
    )
    .service(
        web::resource("/account/sessions/{handle}/revoke")
            .post(revoke)
            .default_service(allow("POST")),
    );
}

#[derive(Template)]
#[template(path = "pages/account.html", blocks = ["sessions", "password"])]
pub struct AccountPage {
    pub ctx: PageContext,
    pub email: String,
    pub sessions: Vec<SessionRow>,
    pub password: PasswordErrors,
    /// What just happened to the password (htmx): shown above its form.
    pub password_notice: Option<String>,
    /// What just happened to the sessions (htmx): shown above the list.
    pub sessions_notice: Option<String>,
    /// Render the sessions block as an out-of-band swap (inside another fragment).
    pub sessions_oob: bool,
}

/// One line of the sessions list.
pub struct SessionRow {
    pub handle: String,
    pub device: String,
    pub detail: Option<String>,
    pub is_api: bool,
    pub is_current: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl SessionRow {
    fn new(session: SessionInfo, current: &str) -> Self {
        let is_api = session.kind == "api";
        let (device, detail) = describe(session.user_agent.as_deref(), is_api);
        SessionRow {
            handle: handle(&session.id),
            device,
            detail,
            is_api,
            is_current: session.id == current,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
        }
    }

    pub fn created(&self) -> String {
        when(self.created_at)
    }

    pub fn last_seen(&self) -> String {
        when(self.last_seen_at)
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

#[derive(Default)]
pub struct PasswordErrors {
    pub current: Option<&'static str>,
    pub new: Option<&'static str>,
    pub confirm: Option<&'static str>,
}

impl PasswordErrors {
    fn any(&self) -> bool {
        self.current.is_some() || self.new.is_some() || self.confirm.is_some()
    }
}

/// A session's public name: a hash of its id. Unguessable like the id, and useless as a
/// credential.
pub fn handle(session_id: &str) -> String {
    hex::encode(&Sha256::digest(session_id.as_bytes())[..12])
}

/// "Firefox on Linux", or "API token" with the client's name, from a user agent.
fn describe(user_agent: Option<&str>, is_api: bool) -> (String, Option<String>) {
    let ua = user_agent.map(str::trim).filter(|ua| !ua.is_empty());
    if is_api {
        let client = ua
            .map(|ua| ua.strip_prefix("API: ").unwrap_or(ua))
            .and_then(|ua| ua.split_whitespace().next())
            .map(|product| product.split('/').next().unwrap_or(product).to_owned())
            .filter(|name| !name.is_empty() && name != "API");
        return ("API token".to_owned(), client);
    }
    let Some(ua) = ua else {
        return ("Unknown browser".to_owned(), None);
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(token, _)| ua.contains(token))
    .map_or("Unknown browser", |(_, name)| name);
    let os = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| name);
    let device = match os {
        Some(os) => format!("{browser} on {os}"),
        None => browser.to_owned(),
    };
    (device, None)
}

async fn sessions_of(state: &AppState, user: &CurrentUser) -> Result<Vec<SessionRow>, AppError> {
    let sessions = state.store.list_sessions(user.id, Utc::now()).await?;
    let mut rows: Vec<SessionRow> = sessions
        .into_iter()
        .map(|s| SessionRow::new(s, &user.session_id))
        .collect();
    // This session first: it is the one people look for.
    rows.sort_by_key(|row| !row.is_current);
    Ok(rows)
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    ctx: PageContext,
    password: PasswordErrors,
) -> Result<AccountPage, AppError> {
    let mut ctx = ctx.with_user(user);
    ctx.section = "account";
    Ok(AccountPage {
        ctx,
        email: user.email.clone(),
        sessions: sessions_of(state, user).await?,
        password,
        password_notice: None,
        sessions_notice: None,
        sessions_oob: false,
    })
}

/// `GET /account`.
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    ctx: PageContext,
) -> Result<HttpResponse, AppError> {
    let page = page(&state, &user, ctx, PasswordErrors::default()).await?;
    render(StatusCode::OK, &page)
}

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
    let sessions = state.store.list_sessions(user.id, Utc::now()).await?;
    let found = sessions
        .into_iter()
        .find(|s| handle(&s.id) == *target)
        .ok_or(AppError::NotFound)?;
    state
        .store
        .revoke_session(user.id, &found.id, Utc::now())
        .await?;
    if found.id == user.session_id {
        return crate::web::auth::logout::signed_out(&state, &session, htmx);
    }
    let (device, _) = describe(found.user_agent.as_deref(), found.kind == "api");
    let message = format!("Signed out {device} (started {}).", when(found.created_at));
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
        match sign_in::check(&state.store, &state.mac_key, attempt).await? {
            Outcome::SignedIn(id) if id == user.id => {
                let hash = password::hash(new_password).await?;
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
            Outcome::SignedIn(_) | Outcome::Rejected => {
                errors.current = Some("That isn't your current password.");
            }
            Outcome::Limited { retry_after_secs } => {
                errors.current = Some(crate::web::auth::login::TOO_MANY_ATTEMPTS);
                status = StatusCode::TOO_MANY_REQUESTS;
                retry_after = Some(retry_after_secs);
            }
        }
    }
    let page = page(&state, &user, ctx, errors).await?;
    let response = render_page_or(status, htmx, &page, &page.as_password())?;
    Ok(with_retry_after(response, retry_after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_read_as_devices() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            ("", "Unknown browser"),
        ];
        for (ua, expected) in cases {
            assert_eq!(describe(Some(ua), false).0, expected, "{ua}");
        }
        assert_eq!(
            describe(Some("curl/8.5.0"), true),
            ("API token".to_owned(), Some("curl".to_owned()))
        );
        assert_eq!(describe(None, true), ("API token".to_owned(), None));
    }

    #[test]
    fn a_handle_names_a_session_without_revealing_its_id() {
        let id = "Jx0p3cM0bq7yYF0b1qv8Q2uQm3P0pR6u2eKX9v2Jc8w";
        assert_eq!(handle(id), handle(id));
        assert_ne!(handle(id), handle("another"));
        assert!(!handle(id).contains(&id[..8]));
        assert_eq!(handle(id).len(), 24);
    }
}
