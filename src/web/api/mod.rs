//! The JSON API (SPEC section 5), for scripts and other front ends.
//!
//! Clients authenticate with `Authorization: Bearer <jwt>` (from `POST /api/auth/token`);
//! the browser's cookie is accepted for reads only, so no API write can be forged cross-site.
//! Errors are RFC 9457 problem details ([`crate::error::Problem`], with `detail`), rendered by
//! [`crate::web::errors`]. Bodies are read strictly: JSON only (415 otherwise), malformed
//! JSON is 400, and unknown or read-only fields (`id`, `user_id`, ...) are refused with 422
//! rather than ignored. The URLs are in the route table, [`crate::routes`].

pub mod auth;
pub mod caller;
pub mod json;
pub mod me;
pub mod openapi;
pub mod tags;
pub mod tasks;
