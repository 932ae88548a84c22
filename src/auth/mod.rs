//! Proving who you are, without HTTP: session tokens ([`jwt`]), password hashing
//! ([`password`]) and checking a sign-in against the brute-force limits ([`sign_in`]).
//!
//! The request side (extractors and cookies) is [`crate::web::session`]'s.

pub mod jwt;
pub mod password;
pub mod sign_in;
