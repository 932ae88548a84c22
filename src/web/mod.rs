//! The HTTP surface: routes, pages and the middleware that makes them safe.
//!
//! Handlers live in one folder per feature (their URLs are in the route table,
//! [`crate::routes`]); the middleware here wraps every route, so auth (the
//! [`session::CurrentUser`] extractor), CSRF, security headers and error pages are never
//! something a handler has to remember.

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
pub mod multipart;
pub mod page;
pub mod session;
pub mod state;
pub mod tags;
pub mod tasks;
