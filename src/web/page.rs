//! What every page template needs (CSRF token, asset URLs, flash message, the user), and the
//! helpers that render a template or its fragment.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    dev::Payload,
    http::{StatusCode, header},
};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{
    assets::{ASSETS, Assets},
    csrf,
};
use crate::{error::AppError, web::session::CurrentUser};

const FLASH_KEY: &str = "flash";

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Error,
    Info,
}

/// A one-time message shown after a redirect (Post/Redirect/Get without JavaScript).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
    /// After a delete: the Undo button's form.
    #[serde(default)]
    pub undo: Option<Undo>,
}

/// What an Undo button sends back: the delete's batch (see `store::trash`) and the view to
/// return to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Undo {
    pub batch: String,
    pub view: String,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.kind {
            FlashKind::Success => "alert-success",
            FlashKind::Error => "alert-error",
            FlashKind::Info => "alert-info",
        }
    }
}

/// Queues a flash message for the next page this browser loads.
pub fn flash(session: &Session, kind: FlashKind, message: impl Into<String>) {
    store_flash(
        session,
        Flash {
            kind,
            message: message.into(),
            undo: None,
        },
    );
}

/// Queues a delete's message, with its Undo button, for the next page this browser loads.
pub fn flash_undo(session: &Session, message: impl Into<String>, undo: Undo) {
    store_flash(
        session,
        Flash {
            kind: FlashKind::Success,
            message: message.into(),
            undo: Some(undo),
        },
    );
}

fn store_flash(session: &Session, flash: Flash) {
    if let Err(e) = session.insert(FLASH_KEY, flash) {
        tracing::warn!(error = %e, "could not store a flash message");
    }
}

/// The context every full page renders with.
pub struct PageContext {
    pub csrf: String,
    pub assets: &'static Assets,
    pub flash: Option<Flash>,
    pub user_email: Option<String>,
    /// The nav entry for this page (`"account"`), marked `aria-current`; empty for none.
    pub section: &'static str,
}

impl PageContext {
    pub fn with_user(mut self, user: &CurrentUser) -> Self {
        self.user_email = Some(user.email.clone());
        self
    }
}

impl FromRequest for PageContext {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let flash = session.remove_as::<Flash>(FLASH_KEY).and_then(Result::ok);
        ready(csrf::token(&session).map(|csrf| PageContext {
            csrf,
            assets: &ASSETS,
            flash,
            user_email: None,
            section: "",
        }))
    }
}

/// True for requests htmx made (`HX-Request: true`): they get a fragment, not a page.
pub struct HxRequest(pub bool);

impl FromRequest for HxRequest {
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(HxRequest(is_htmx(req))))
    }
}

pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers()
        .get("hx-request")
        .is_some_and(|v| v.as_bytes() == b"true")
}

/// Renders a template as an HTML response that varies on `HX-Request`.
pub fn render(status: StatusCode, template: &impl Template) -> Result<HttpResponse, AppError> {
    let body = template
        .render()
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "HX-Request"))
        .body(body))
}

/// The whole page for a plain browser; for htmx only `fragment`, one of the page's blocks.
pub fn render_page_or(
    status: StatusCode,
    htmx: bool,
    page: &impl Template,
    fragment: &impl Template,
) -> Result<HttpResponse, AppError> {
    if htmx {
        render(status, fragment)
    } else {
        render(status, page)
    }
}

/// Adds `Retry-After` to an answer that a limit refused (429).
pub fn with_retry_after(mut response: HttpResponse, secs: Option<u64>) -> HttpResponse {
    if let Some(secs) = secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    }
    response
}

/// A 303 to `location` for plain browsers, or `HX-Redirect` (a full navigation) for htmx.
pub fn redirect(htmx: bool, location: &str) -> HttpResponse {
    if htmx {
        HttpResponse::Ok()
            .insert_header(("HX-Redirect", location))
            .insert_header((header::VARY, "HX-Request"))
            .finish()
    } else {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((header::VARY, "HX-Request"))
            .finish()
    }
}
