//! The rules of the product, free of HTTP and SQL: input is parsed into valid values here,
//! once, at the edge (`parse, don't validate`), so handlers and stores only see good data.

pub mod calendar;
pub mod import;
pub mod listing;
pub mod quick_add;
pub mod repeat;
pub mod tags;
pub mod task;
pub mod text;
pub mod user;
