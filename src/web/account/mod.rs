//! `/account`: who you are signed in as, your time zone, every session you have (browsers and API tokens),
//! revoking one or all the others, and changing your password.
//!
//! Like the dashboard, each action is a plain POST form answered with a redirect and a flash
//! message; with htmx the same POST answers with the part of the page it changed. Sessions
//! are named in URLs by a hash of their id ([`crate::store::sessions::handle_of`]), never by the id itself, which
//! stays a secret between the database and the token.
//!
//! [`page`] is the page and `GET /account`; [`sessions`] revokes sessions; [`password`]
//! changes the password; [`time_zone`] sets the zone; [`device`] names a session's device from its user agent. The URLs
//! are in the route table, [`crate::routes`].

pub mod device;
pub mod page;
pub mod password;
pub mod sessions;
pub mod time_zone;
