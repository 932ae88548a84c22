//! `/api/tasks`: the caller's tasks as JSON. [`body`] holds the shapes that travel; each
//! other file holds the handlers of one resource, with their OpenAPI annotations.

pub mod body;
pub mod create;
pub mod etag;
pub mod import;
pub mod item;
pub mod list;
