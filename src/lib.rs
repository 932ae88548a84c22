//! A secure task dashboard: server-rendered with actix-web and Askama, enhanced by htmx,
//! stored in SQLite or PostgreSQL.
//!
//! `main.rs` only parses the command line; everything else lives here so that integration
//! tests can start the real application on port 0.

pub mod auth;
pub mod backup;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod live;
pub mod maintenance;
pub mod meter;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
