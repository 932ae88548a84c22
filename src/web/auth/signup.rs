//! `GET /signup` and `POST /signup`: create an account and sign straight in.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::admit::sign_in_and_redirect;
use crate::{
    auth::{password, sign_in},
    domain::{
        calendar::TimeZone,
        user::{Email, check_new_password},
    },
    error::{AppError, BUSY},
    store::users::NEW_ACCOUNT_EPOCH,
    web::{
        auth::login::remember_email,
        page::{HxRequest, PageContext, redirect, render, render_page_or, with_retry_after},
        session::CurrentUser,
        state::AppState,
    },
};

#[derive(Template)]
#[template(path = "pages/signup.html", blocks = ["form"])]
pub struct SignupPage {
    pub ctx: PageContext,
    /// What the user typed, kept on error (passwords are never echoed back).
    pub email: String,
    /// The zone the browser reported (kept on error; empty without JavaScript).
    pub time_zone: String,
    pub errors: SignupErrors,
}

#[derive(Default)]
pub struct SignupErrors {
    /// About the whole form (too many sign-ups from this address).
    pub form: Option<&'static str>,
    pub email: Option<&'static str>,
    pub password: Option<&'static str>,
    pub password_confirm: Option<&'static str>,
    /// The email belongs to an account already: the summary offers to sign in instead.
    pub taken: bool,
}

impl SignupErrors {
    pub fn any(&self) -> bool {
        self.form.is_some()
            || self.email.is_some()
            || self.password.is_some()
            || self.password_confirm.is_some()
    }
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
    /// The browser's IANA zone, filled in by the page's script; empty without JavaScript.
    #[serde(default)]
    time_zone: String,
}

/// The form; a browser already signed in goes to its tasks instead.
pub async fn get(
    user: Option<CurrentUser>,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
) -> Result<HttpResponse, AppError> {
    if user.is_some() {
        return Ok(redirect(htmx, "/tasks"));
    }
    let page = SignupPage {
        ctx,
        email: String::new(),
        time_zone: String::new(),
        errors: SignupErrors::default(),
    };
    render(StatusCode::OK, &page)
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    ctx: PageContext,
    HxRequest(htmx): HxRequest,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let time_zone = TimeZone::parse(&form.time_zone);
    let mut errors = SignupErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.email = Some(e))
        .ok();
    if let Err(e) = check_new_password(&form.password) {
        errors.password = Some(e);
    } else if form.password != form.password_confirm {
        errors.password_confirm = Some("The two passwords don't match.");
    }
    let mut retry_after = None;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(_), false) = (&email, errors.any())
        && let Some(secs) = sign_in::admit_sign_up(
            &state.store,
            &state.mac_key,
            &state.gates.sign_up,
            state.client_ip(&req),
            state.sign_ups_per_minute,
        )
        .await?
    {
        errors.form = Some("Too many sign-ups right now. Please wait a minute, then try again.");
        retry_after = Some(secs);
        status = StatusCode::TOO_MANY_REQUESTS;
    }
    let slot = match (&email, errors.any()) {
        (Some(_), false) => match state.hashing.permit() {
            Ok(permit) => Some(permit),
            Err(_) => {
                errors.form = Some(BUSY);
                retry_after = Some(1);
                status = StatusCode::SERVICE_UNAVAILABLE;
                None
            }
        },
        _ => None,
    };
    if let (Some(email), Some(permit)) = (&email, slot) {
        let hash = password::hash(permit, form.password).await?;
        // A zone the tz database does not know (an old or odd browser) is no reason to refuse
        // an account: it starts in UTC, as the form says, and the account page changes it.
        let zone = time_zone.unwrap_or_default();
        match state
            .store
            .create_user(email.as_str(), &hash, zone, state.clock.now())
            .await?
        {
            Some(user) => {
                return sign_in_and_redirect(
                    &req,
                    &state,
                    &session,
                    user.id,
                    NEW_ACCOUNT_EPOCH,
                    htmx,
                    "/tasks",
                )
                .await;
            }
            None => {
                errors.email = Some("An account with this email already exists.");
                errors.taken = true;
                // "Sign in instead" opens the sign-in form with this email filled in, carried
                // in the encrypted session cookie rather than in a URL that logs would keep.
                remember_email(&session, email.as_str());
            }
        }
    }
    let page = SignupPage {
        ctx,
        email: form.email.trim().to_owned(),
        time_zone: time_zone.map(|z| z.name().to_owned()).unwrap_or_default(),
        errors,
    };
    let response = render_page_or(status, htmx, &page, &page.as_form())?;
    Ok(with_retry_after(response, retry_after))
}
