//! Turns every error into the answer its client expects.
//!
//! A browser page gets a full error page with the right status (503 plus `Retry-After` when
//! the database is down); an htmx request gets a fragment for its target, with a "Try again"
//! button; the JSON API gets a [`Problem`] (`application/problem+json` when its `Accept` asks for
//! that, `application/json` otherwise). Not being signed in is a 303 to
//! `/login?next=…` for pages, `HX-Redirect` for htmx (never the login form inside a table) and
//! a 401 with `WWW-Authenticate: Bearer` for the API. Server errors are logged with their
//! whole cause chain inside the request's span, so the log line carries the request id that
//! the user sees.

use actix_session::SessionExt;
use actix_web::{
    Error, HttpMessage, HttpRequest, HttpResponse,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
};
use askama::Template;

use super::{
    assets::ASSETS,
    auth::login_url,
    csrf,
    middleware::RequestId,
    page::{PageContext, is_htmx, redirect},
    session::{CurrentUser, authenticate},
    state::AppState,
};
use crate::error::{AppError, Problem};

#[derive(Template)]
#[template(path = "pages/error.html", blocks = ["error"])]
pub struct ErrorPage<'a> {
    pub ctx: PageContext,
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
    pub request_id: &'a str,
    /// Where "Try again" goes (server errors only): the same URL for a failed read, the page
    /// for a failed write.
    pub retry_url: Option<String>,
    /// The element "Try again" swaps into (htmx only).
    pub retry_target: Option<String>,
}

/// Middleware inside this one answers errors as `Ok` responses carrying the error (as
/// actix's own extractors do), so that the request is still at hand here to shape the answer.
pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(error) => {
            // Not reachable from our own middleware; without the request only a plain
            // answer can be given.
            tracing::error!(error = %error, "request failed before routing");
            let plain = HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body(AppError::Internal(anyhow::anyhow!("")).public_message());
            return Err(actix_web::error::InternalError::from_response(error, plain).into());
        }
    };
    let status = res.status();
    let bare_framework_answer = (status == StatusCode::NOT_FOUND
        || status == StatusCode::METHOD_NOT_ALLOWED)
        && !res.headers().contains_key(header::CONTENT_TYPE);
    if res.response().error().is_none() && !bare_framework_answer {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let user_email = header_user(&req, res.error()).await;
    let answer = match res.error() {
        Some(error) => respond(&req, error, user_email),
        None if status == StatusCode::METHOD_NOT_ALLOWED => respond(
            &req,
            &Error::from(AppError::MethodNotAllowed("")),
            user_email,
        ),
        None => respond(&req, &Error::from(AppError::NotFound), user_email),
    };
    Ok(ServiceResponse::new(req, answer))
}

/// Who the header of an error page names: a signed-in user sees the app's usual header (their
/// email, Account, Sign out) on a 404 or 400 too. Known when a handler got as far as checking
/// the session; otherwise checked here from the cookie, for full pages with a client error only
/// (a server error may be the database being down, and the API and htmx fragments have no
/// header).
async fn header_user(req: &HttpRequest, error: Option<&Error>) -> Option<String> {
    if let Some(user) = req.extensions().get::<CurrentUser>() {
        return Some(user.email.clone());
    }
    let status = error.map_or(StatusCode::NOT_FOUND, |e| {
        e.as_response_error().status_code()
    });
    let signed_out = error
        .and_then(|e| e.as_error::<AppError>())
        .is_some_and(|e| matches!(e, AppError::SignedOut));
    if !status.is_client_error() || signed_out || is_htmx(req) || req.path().starts_with("/api/") {
        return None;
    }
    let state = req.app_data::<actix_web::web::Data<AppState>>()?;
    let token = req.cookie(state.auth_cookie_name())?;
    authenticate(state, token.value())
        .await
        .ok()
        .map(|user| user.email)
}

fn respond(req: &HttpRequest, error: &Error, user_email: Option<String>) -> HttpResponse {
    let app_error = error.as_error::<AppError>();
    let status = error.as_response_error().status_code();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), error = %chain(error), "request failed");
    } else {
        tracing::info!(status = status.as_u16(), error = %error, "request refused");
    }
    let is_api = req.path().starts_with("/api/");
    if matches!(app_error, Some(AppError::SignedOut)) && !is_api {
        return signed_out(req);
    }
    let message = match app_error {
        Some(e) => e.public_message(),
        None => framework_message(status).into(),
    };
    let mut builder = HttpResponse::build(status);
    if let Some(AppError::MethodNotAllowed(methods)) = app_error
        && !methods.is_empty()
    {
        builder.insert_header((header::ALLOW, *methods));
    }
    if let Some(AppError::Busy) = app_error {
        builder.insert_header((header::RETRY_AFTER, "1"));
    } else if status == StatusCode::SERVICE_UNAVAILABLE {
        builder.insert_header((header::RETRY_AFTER, "5"));
    }
    if let Some(AppError::TooManyRequests { retry_after_secs }) = app_error {
        builder.insert_header((header::RETRY_AFTER, *retry_after_secs));
    }
    if is_api {
        if status == StatusCode::UNAUTHORIZED {
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        let problem = Problem::new(status, message, request_id, app_error);
        return builder
            .content_type(problem_content_type(req))
            .body(serde_json::to_string(&problem).unwrap_or_default());
    }
    let title = status.canonical_reason().unwrap_or("Error");
    let htmx = is_htmx(req);
    let region = if req.path().starts_with("/tasks") {
        Some("#task-region".to_owned())
    } else {
        header_str(req, "hx-target").map(|t| format!("#{t}"))
    };
    let page = ErrorPage {
        ctx: PageContext {
            csrf: csrf::existing_token(&req.get_session()).unwrap_or_default(),
            assets: &ASSETS,
            flash: None,
            user_email,
            section: "",
        },
        status: status.as_u16(),
        title,
        message: &message,
        request_id: &request_id,
        // Trying again helps with a failure of ours, not with a request that was wrong.
        retry_url: status
            .is_server_error()
            .then(|| retry_url(req, htmx))
            .flatten(),
        retry_target: htmx.then(|| region.clone()).flatten(),
    };
    let body = if htmx {
        page.as_error().render()
    } else {
        page.render()
    };
    if let Some(region) = region.filter(|_| htmx) {
        // Whatever part of the dashboard asked, the error shows in the table region, where
        // "Try again" can refresh it (a row or a form is no place for it).
        builder.insert_header(("HX-Retarget", region));
        builder.insert_header(("HX-Reswap", "innerHTML"));
    }
    builder
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "HX-Request"))
        .body(body.unwrap_or_else(|_| message.into_owned()))
}

/// `application/problem+json` for a client whose `Accept` names it; `application/json`, with
/// the same body, for everyone else: clients written against the original contract (errors
/// as `application/json` with a `detail`) keep working.
pub(crate) fn problem_content_type(req: &HttpRequest) -> &'static str {
    let asks_for_problem = req.get_header::<header::Accept>().is_some_and(|accept| {
        accept.iter().any(|wanted| {
            wanted.quality > header::Quality::ZERO && wanted.item.essence_str() == PROBLEM_JSON
        })
    });
    if asks_for_problem {
        PROBLEM_JSON
    } else {
        "application/json"
    }
}

const PROBLEM_JSON: &str = "application/problem+json";

/// Not signed in, for a page or htmx (the API answers a [`Problem`]).
fn signed_out(req: &HttpRequest) -> HttpResponse {
    // Come back to the page the user was on: this URL for a page load, the page htmx was
    // showing for a fragment or a write, the page a plain form was posted from (the
    // `Referer`, which our Referrer-Policy sends to this site) for any other write.
    let back = if is_htmx(req) {
        header_str(req, "hx-current-url").and_then(path_of)
    } else if req.method().is_safe() {
        Some(match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        })
    } else {
        header_str(req, header::REFERER.as_str()).and_then(path_of)
    };
    // A session ended under the user (and the sign-in page says so) when the request still
    // carries its cookie, or could only come from a page shown while signed in: htmx and
    // writes. A plain page load without any cookie is just a visit.
    let ended = is_htmx(req)
        || !req.method().is_safe()
        || req
            .app_data::<actix_web::web::Data<AppState>>()
            .is_some_and(|state| req.cookie(state.auth_cookie_name()).is_some());
    let location = login_url(back.as_deref(), ended);
    // For htmx a 200 with HX-Redirect, not a 401: htmx follows HX-Redirect either way, and a
    // 2xx keeps the browser's console free of a "failed to load" error for what is an
    // ordinary sign-in prompt.
    redirect(is_htmx(req), &location)
}

fn retry_url(req: &HttpRequest, htmx: bool) -> Option<String> {
    if req.method().is_safe() {
        Some(
            req.uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "/".into()),
        )
    } else if htmx {
        header_str(req, "hx-current-url").and_then(path_of)
    } else {
        None
    }
}

fn header_str<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The path and query of an absolute URL (`HX-Current-URL` is one).
fn path_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let mut path = url.path().to_owned();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    Some(path)
}

fn framework_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "We couldn't find that page.",
        405 => "That action isn't available here.",
        413 => "That was more than we can accept in one request. Please send less.",
        415 => "That request was sent in a format we don't accept.",
        400..=499 => "That request could not be understood.",
        _ => "Something went wrong on our side. Please try again.",
    }
}

/// "outer: inner: innermost", for the log.
fn chain(error: &Error) -> String {
    match error.as_error::<AppError>() {
        Some(AppError::Internal(inner)) => format!("{inner:#}"),
        Some(app) => {
            let mut text = app.to_string();
            let mut source = std::error::Error::source(app);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        }
        None => error.to_string(),
    }
}
