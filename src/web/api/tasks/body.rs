//! The JSON shapes of `/api/tasks`: a task as shown, a new task, a change, and the check
//! that turns a body into a valid [`TaskInput`] or a 422 naming each refused field.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    domain::{
        repeat::Repeat,
        tags,
        task::{Priority, TaskDraft, TaskErrors, TaskInput},
    },
    error::{AppError, FieldError},
    store::Task,
    web::api::json::nullable,
};

/// A task as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct TaskJson {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub is_completed: bool,
    pub priority: Priority,
    /// ISO 8601 date.
    pub due_date: Option<NaiveDate>,
    /// RFC 3339, UTC.
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC.
    pub updated_at: DateTime<Utc>,
    pub user_id: i64,
    /// Send it back with a change to have a stale write refused (409).
    pub version: i64,
    /// How the task comes back once done: completing a repeating task creates the next
    /// occurrence, due one period later.
    pub repeat: Repeat,
    /// Lowercase, A to Z, each once.
    #[schema(example = json!(["home", "work"]))]
    pub tags: Vec<String>,
}

/// A task just completed, reopened or toggled, and the next occurrence completing it created
/// (a repeating task that had none yet).
#[derive(Serialize, ToSchema)]
pub struct CompletedJson {
    #[serde(flatten)]
    pub task: TaskJson,
    /// The id of the next occurrence created by this completion, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_id: Option<i64>,
}

impl From<Task> for TaskJson {
    fn from(t: Task) -> Self {
        let tags = t.tag_list().into_iter().map(str::to_owned).collect();
        Self {
            id: t.id,
            title: t.title,
            description: t.description,
            is_completed: t.is_completed,
            priority: t.priority,
            due_date: t.due_date,
            created_at: t.created_at,
            updated_at: t.updated_at,
            user_id: t.user_id,
            version: t.version,
            tags,
            repeat: t.repeat,
        }
    }
}

/// A new task. Only `title` is required.
#[derive(Deserialize, ToSchema)]
pub struct NewTask {
    /// At least one visible character; no control or text-direction characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$",
        example = "Renew the TLS certificate"
    )]
    pub title: String,
    /// Line breaks and tabs are kept; other control and text-direction characters refused.
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    #[serde(default)]
    pub description: Option<String>,
    /// `low`, `medium` (default) or `high`.
    #[schema(value_type = Option<Priority>)]
    #[serde(default)]
    pub priority: Option<String>,
    /// `YYYY-MM-DD`, from 1900-01-01 to 9998-12-31 (empty: none).
    #[schema(value_type = Option<String>, pattern = "^((19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?$")]
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub is_completed: Option<bool>,
    /// `none` (default), `daily`, `weekly`, `monthly` or `yearly`; a repeating task needs a
    /// `due_date`.
    #[schema(value_type = Option<Repeat>)]
    #[serde(default)]
    pub repeat: Option<String>,
    /// Up to 10 tags, each 1 to 32 letters, digits, `-` and `_`; stored lowercase, without a
    /// leading `#`, each once, sorted.
    #[schema(max_items = 10, example = json!(["home", "work"]))]
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A change: fields left out stay as they are; `null` clears `description` or `due_date`.
/// With `version`, the change is refused (409) if the task changed since that version.
#[derive(Deserialize, ToSchema)]
pub struct TaskPatch {
    /// At least one visible character; no control or text-direction characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    #[serde(default)]
    pub title: Option<String>,
    /// Line breaks and tabs are kept; other control and text-direction characters refused.
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$")]
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<Priority>)]
    #[serde(default)]
    pub priority: Option<String>,
    /// `YYYY-MM-DD`, from 1900-01-01 to 9998-12-31; `null` (or empty) clears it.
    #[schema(value_type = Option<String>, pattern = "^((19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?$")]
    #[serde(default, deserialize_with = "nullable")]
    pub due_date: Option<Option<String>>,
    #[serde(default)]
    pub is_completed: Option<bool>,
    #[serde(default)]
    pub version: Option<i64>,
    /// `none`, `daily`, `weekly`, `monthly` or `yearly`; a repeating task needs a `due_date`.
    #[schema(value_type = Option<Repeat>)]
    #[serde(default)]
    pub repeat: Option<String>,
    /// Up to 10 tags, each 1 to 32 letters, digits, `-` and `_`; stored lowercase, without a
    /// leading `#`, each once, sorted. Replaces
    /// the task's tags (`[]` removes them all).
    #[schema(max_items = 10, example = json!(["home", "work"]))]
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// `{"is_completed": true}` sets; an empty body (or `{}`) toggles.
#[derive(Deserialize, ToSchema)]
pub struct CompleteBody {
    #[serde(default)]
    pub is_completed: Option<bool>,
}

/// The fields a new task may carry (public for the fuzz tests).
#[doc(hidden)]
pub const NEW_FIELDS: &[&str] = &[
    "title",
    "description",
    "priority",
    "due_date",
    "is_completed",
    "repeat",
    "tags",
];
/// The fields a change may carry (public for the fuzz tests).
#[doc(hidden)]
pub const PATCH_FIELDS: &[&str] = &[
    "title",
    "description",
    "priority",
    "due_date",
    "is_completed",
    "version",
    "repeat",
    "tags",
];

fn invalid(errors: TaskErrors) -> AppError {
    AppError::Invalid(
        errors
            .fields()
            .into_iter()
            .map(|(field, message)| FieldError::new(field, message))
            .collect(),
    )
}

/// A draft checked as the dashboard checks it, with the API's `tags` (a list: each item is
/// one tag, never split); each refused field named (422).
pub fn parse_draft(mut draft: TaskDraft, tag_list: &[String]) -> Result<TaskInput, AppError> {
    let listed = tags::parse_tag_items(tag_list);
    // Valid tags hold no separator, so the form's field reads them back exactly.
    draft.tags = listed.as_deref().map(tags::stored).unwrap_or_default();
    let tag_error = listed.err().map(|e| e.message());
    match draft.parse() {
        Ok(input) if tag_error.is_none() => Ok(input),
        Ok(_) => Err(invalid(TaskErrors {
            tags: tag_error,
            ..TaskErrors::default()
        })),
        Err(mut errors) => {
            errors.tags = tag_error.or(errors.tags);
            Err(invalid(errors))
        }
    }
}
