//! The HTTP surface: routes, pages and the middleware that makes them safe.
//!
//! Routes live in one folder per feature; the middleware here wraps every route, so auth
//! (the [`crate::auth::CurrentUser`] extractor), CSRF, security headers and error pages are
//! never something a handler has to remember.

pub mod api;
pub mod assets;
pub mod auth;
pub mod csrf;
pub mod errors;
pub mod health;
pub mod home;
pub mod middleware;
pub mod page;
pub mod tasks;
