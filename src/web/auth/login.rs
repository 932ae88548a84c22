//! `GET /login` and `POST /login`.
//!
//! A wrong password and an unknown email get the same message, and take the same time: an
//! unknown email is checked against a dummy hash (see [`crate::auth::password`]). Attempts
//! are limited per account and per client address ([`crate::auth::sign_in`]): 429 with
//! `Retry-After`, the form re-rendered with the email kept.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::admit::sign_in_and_redirect;
use crate::{
    auth::sign_in::{self, Outcome},
    error::{AppError, BAD_CREDENTIALS, BUSY, TOO_MANY_ATTEMPTS},
    web::{
        auth::safe_next,
        page::{HxRequest, PageContext, redirect, render, render_page_or, with_retry_after},
        session::{self, CurrentUser},
        state::AppState,
    },
};

#[derive(Template)]
#[template(path = "pages/login.html", blocks = ["form"])]
pub struct LoginPage {
    pub ctx: PageContext,
    pub email: String,
    pub next: String,
    pub error: Option<&'static str>,
    /// Why the user is asked to sign in, when a session of theirs has just ended.
    pub notice: Option<&'static str>,
}

/// What the sign-in page says when a session ended under the user (expired, or signed out
/// elsewhere): the redirect to it carries `session=ended`.
pub const SESSION_ENDED: &str = "Your session ended; sign in to continue.";

/// The session key of an email to fill in on the next sign-in form (after a sign-up found
/// the account already exists).
const EMAIL_KEY: &str = "login_email";

/// Fills the next sign-in form with `email`.
pub fn remember_email(session: &Session, email: &str) {
    if let Err(e) = session.insert(EMAIL_KEY, email) {
        tracing::warn!(error = %e, "could not keep the email for the sign-in form");
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    session: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// The form; a browser already signed in goes on to `next` (its tasks by default).
pub async fn get(
    user: Option<CurrentUser>,
    session: Session,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if user.is_some() {
        return Ok(redirect(htmx, &next));
    }
    let email = session
        .remove_as::<String>(EMAIL_KEY)
        .and_then(Result::ok)
        .unwrap_or_default();
    let page = LoginPage {
        ctx,
        email,
        next,
        error: None,
        notice: (query.session.as_deref() == Some("ended")).then_some(SESSION_ENDED),
    };
    render(StatusCode::OK, &page)
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email,
        password: given,
        next,
    } = form.into_inner();
    let next = safe_next(next.as_deref());
    let attempt = session::attempt(&state, &req, &email, given);
    let (status, error, retry_after) = match sign_in::check(&state.store, &state.mac_key, attempt)
        .await?
    {
        Outcome::SignedIn { user_id, epoch } => {
            return sign_in_and_redirect(&req, &state, &session, user_id, epoch, htmx, &next).await;
        }
        Outcome::Rejected => (StatusCode::UNPROCESSABLE_ENTITY, BAD_CREDENTIALS, None),
        Outcome::Limited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            TOO_MANY_ATTEMPTS,
            Some(retry_after_secs),
        ),
        Outcome::Busy => (StatusCode::SERVICE_UNAVAILABLE, BUSY, Some(1)),
    };
    let page = LoginPage {
        ctx,
        email: email.trim().to_owned(),
        next,
        error: Some(error),
        notice: None,
    };
    let response = render_page_or(status, htmx, &page, &page.as_form())?;
    Ok(with_retry_after(response, retry_after))
}
