//! Accounts in the browser: sign up ([`signup`]), sign in ([`login`]), sign out ([`logout`]);
//! [`admit`] is what a successful sign-in or sign-up does. The URLs are in the route table,
//! [`crate::startup`].

pub mod admit;
pub mod login;
pub mod logout;
pub mod signup;
