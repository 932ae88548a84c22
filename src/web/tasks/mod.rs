//! The dashboard: a user's tasks, in a table managed in place.
//!
//! Every write is a plain POST form answered with a redirect and a flash message (no
//! JavaScript needed); with htmx the same POST answers with the refreshed table region plus
//! out-of-band updates of the stats and the live announcement, so a change
//! shows in place. Every handler takes [`CurrentUser`](crate::web::session::CurrentUser) and every store call names
//! the user, so another user's task id answers 404 exactly like a missing one.
//!
//! The handlers are in [`list`] (`GET /tasks`), [`create`], [`edit`] and [`actions`]; what
//! they share sits beside them: [`dashboard`] (what the table shows; `view_counts` reads
//! its numbers), [`writer`] (what a write takes and answers), [`view`] (the view in the URL,
//! which the API reads too) and [`tag_picker`] (the filter form's tags). The URLs are in
//! the route table, [`crate::routes`].

pub mod actions;
pub mod create;
pub mod dashboard;
pub mod draft;
pub mod edit;
pub mod events;
pub mod export;
pub mod import;
pub mod list;
pub mod position;
pub mod row;
pub mod tag_picker;
pub mod trash;
pub mod view;
mod view_counts;
pub mod writer;
