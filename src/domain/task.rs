//! Tasks: what a valid task is, and how a list of them can be asked for.
//!
//! Raw form or query strings become these typed values once, here; an unknown sort key or
//! priority is an error the user sees, never a string that reaches SQL.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    repeat::Repeat,
    tags,
    text::{self, Refusal},
};

mod filter;
pub use filter::{DEFAULT_PAGE_SIZE, PAGE_SIZES, SortDir, SortKey, StatusFilter, TaskFilter};

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    /// Exactly `low`, `medium` or `high`, as the forms' choices and the API's enum say.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
        }
    }

    /// Stored as a small integer so that sorting by priority is sorting by number.
    pub fn rank(self) -> i16 {
        match self {
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
        }
    }
}

impl TryFrom<i16> for Priority {
    type Error = String;

    fn try_from(rank: i16) -> Result<Self, Self::Error> {
        match rank {
            1 => Ok(Self::Low),
            2 => Ok(Self::Medium),
            3 => Ok(Self::High),
            other => Err(format!("no priority has rank {other}")),
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A task as the user wants it saved: every field already valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInput {
    pub title: String,
    pub description: Option<String>,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
    /// Never anything but [`Repeat::None`] without a due date.
    pub repeat: Repeat,
    /// Valid, lowercase, sorted, each once, at most [`tags::MAX_TAGS`].
    pub tags: Vec<String>,
}

/// Due dates are full dates from [`DUE_DATE_MIN`] to [`DUE_DATE_MAX`] (9999-12-31 stands for
/// "no date" when sorting).
pub const DUE_DATE_MIN: &str = "1900-01-01";
pub const DUE_DATE_MAX: &str = "9998-12-31";
pub const DUE_DATE_RULE: &str =
    "Enter a date from 1900-01-01 to 9998-12-31 as YYYY-MM-DD, e.g. 2026-12-31.";

/// A due date written exactly `YYYY-MM-DD`, within the years allowed.
pub fn parse_due_date(raw: &str) -> Option<NaiveDate> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| shaped && (1900..=9998).contains(&chrono::Datelike::year(d)))
}

/// The raw fields of a task form, kept exactly as typed so a form can be shown again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct TaskDraft {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub repeat: String,
    /// Comma- or space-separated (see [`tags::parse_tag_field`]).
    #[serde(default)]
    pub tags: String,
}

/// What is wrong with a draft, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskErrors {
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    pub priority: Option<&'static str>,
    pub due_date: Option<&'static str>,
    pub repeat: Option<&'static str>,
    /// Names the tag at fault, so it is not a fixed text.
    pub tags: Option<String>,
}

impl TaskErrors {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Each refused field by its name (the API's and the CSV's), with what is wrong.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let fixed = [
            ("title", self.title),
            ("description", self.description),
            ("priority", self.priority),
            ("due_date", self.due_date),
            ("repeat", self.repeat),
        ];
        let mut fields: Vec<(&'static str, String)> = fixed
            .into_iter()
            .filter_map(|(field, message)| message.map(|m| (field, m.to_owned())))
            .collect();
        if let Some(message) = &self.tags {
            fields.push(("tags", message.clone()));
        }
        fields
    }
}

impl TaskDraft {
    pub fn parse(&self) -> Result<TaskInput, TaskErrors> {
        let mut errors = TaskErrors::default();
        let title = text::nfc(self.title.trim());
        errors.title = if self.title.chars().count() > TITLE_MAX_CHARS {
            // As typed, spaces included: the same limit the API's schema states.
            Some("Keep the title to 200 characters or fewer.")
        } else if !text::has_visible(&title) {
            Some("Give the task a title.")
        } else if let Some(refusal) = text::refusal(&title, false) {
            Some(match refusal {
                Refusal::Control => {
                    "Remove the control characters (such as tabs or line breaks) from the title."
                }
                Refusal::BidiControl => {
                    "Remove the invisible text-direction characters from the title."
                }
            })
        } else if title.chars().count() > TITLE_MAX_CHARS {
            Some("Keep the title to 200 characters or fewer.")
        } else {
            None
        };
        // Browsers send a textarea's line breaks as CR LF: one line break is one "\n".
        let description = text::nfc(self.description.replace("\r\n", "\n").trim());
        errors.description = if let Some(refusal) = text::refusal(&description, true) {
            Some(match refusal {
                Refusal::Control => "Remove the control characters from the description.",
                Refusal::BidiControl => {
                    "Remove the invisible text-direction characters from the description."
                }
            })
        } else if description.chars().count() > DESCRIPTION_MAX_CHARS {
            Some("Keep the description to 2,000 characters or fewer.")
        } else {
            None
        };
        let priority = if self.priority.is_empty() {
            Some(Priority::Medium)
        } else {
            Priority::parse(&self.priority)
        };
        if priority.is_none() {
            errors.priority = Some("Choose low, medium or high.");
        }
        let due_date = match self.due_date.trim() {
            "" => Ok(None),
            raw => parse_due_date(raw).map(Some).ok_or(DUE_DATE_RULE),
        };
        if let Err(e) = due_date {
            errors.due_date = Some(e);
        }
        let repeat = Repeat::parse(&self.repeat);
        match (repeat, due_date) {
            (None, _) => {
                errors.repeat = Some("Choose none, daily, weekly, monthly or yearly.");
            }
            (Some(repeat), Ok(None)) if repeat.repeats() => {
                errors.due_date = Some("A repeating task needs a due date.");
            }
            _ => {}
        }
        let tags = tags::parse_tag_field(&self.tags);
        if let Err(e) = &tags {
            errors.tags = Some(e.message());
        }
        match (priority, due_date, repeat, tags) {
            (Some(priority), Ok(due_date), Some(repeat), Ok(tags)) if errors.is_empty() => {
                Ok(TaskInput {
                    title,
                    description: (!description.is_empty()).then_some(description),
                    priority,
                    due_date,
                    repeat,
                    tags,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
