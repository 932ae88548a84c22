//! The HTTP surface: routes, pages and the middleware that makes them safe.
//!
//! Routes live in one folder per feature; the middleware here wraps every route, so auth
//! (the [`crate::web::session::CurrentUser`] extractor), CSRF, security headers and error pages are
//! never something a handler has to remember.

pub mod account;
pub mod api;
pub mod assets;
pub mod auth;
pub mod compress;
pub mod csrf;
pub mod errors;
pub mod health;
pub mod home;
pub mod middleware;
pub mod page;
pub mod session;
pub mod state;
pub mod tasks;

/// A resource's answer to any other method: 405 with `Allow: {methods}`.
pub fn allow(methods: &'static str) -> actix_web::Route {
    actix_web::web::to(move || async move {
        Err::<actix_web::HttpResponse, crate::error::AppError>(
            crate::error::AppError::MethodNotAllowed(methods),
        )
    })
}
