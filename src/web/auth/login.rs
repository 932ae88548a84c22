//! `GET /login` and `POST /login`.
//!
//! A wrong password and an unknown email get the same message, and take the same time: an
//! unknown email is checked against a dummy hash (see [`crate::auth::password`]).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    auth::{password, safe_next},
    domain::user::Email,
    error::AppError,
    state::AppState,
    web::page::{HxRequest, PageContext, render},
};

pub const BAD_CREDENTIALS: &str = "Incorrect email or password.";

#[derive(Template)]
#[template(path = "pages/login.html", blocks = ["form"])]
pub struct LoginPage {
    pub ctx: PageContext,
    pub email: String,
    pub next: String,
    pub error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn get(
    ctx: PageContext,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let page = LoginPage {
        ctx,
        email: String::new(),
        next: safe_next(query.next.as_deref()),
        error: None,
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
    let credentials = match Email::parse(&email) {
        Ok(parsed) => state.store.find_credentials(parsed.as_str()).await?,
        Err(_) => None,
    };
    let user_id = credentials.as_ref().map(|c| c.id);
    let verified = password::verify(given, credentials.map(|c| c.password_hash)).await?;
    match user_id {
        Some(user_id) if verified => {
            super::sign_in_and_redirect(&req, &state, &session, user_id, htmx, &next).await
        }
        _ => {
            let page = LoginPage {
                ctx,
                email: email.trim().to_owned(),
                next,
                error: Some(BAD_CREDENTIALS),
            };
            if htmx {
                render(StatusCode::UNPROCESSABLE_ENTITY, &page.as_form())
            } else {
                render(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
        }
    }
}
