//! Proving who you are, without HTTP: session tokens ([`jwt`]), password hashing
//! ([`password`]) and checking a sign-in against the brute-force limits ([`sign_in`]), with
//! an in-memory first line against floods ([`gate`]).
//!
//! The request side (extractors and cookies) is [`crate::web::session`]'s.

pub mod gate;
pub mod jwt;
pub mod password;
pub mod sign_in;
