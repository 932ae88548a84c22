//! How a list of tasks can be asked for: which (status, priority, search, tags), in what
//! order, how many a page. Re-exported by [`super`], where the task itself is defined.

use super::Priority;
use crate::domain::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    All,
    Open,
    Done,
    /// Open and due before the user's today.
    Overdue,
}

impl StatusFilter {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "" | "all" => Some(Self::All),
            "open" => Some(Self::Open),
            "done" => Some(Self::Done),
            "overdue" => Some(Self::Overdue),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Open => "open",
            Self::Done => "done",
            Self::Overdue => "overdue",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Created,
    Due,
    Priority,
    Title,
}

impl SortKey {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "" | "created" => Some(Self::Created),
            "due" => Some(Self::Due),
            "priority" => Some(Self::Priority),
            "title" => Some(Self::Title),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Due => "due",
            Self::Priority => "priority",
            Self::Title => "title",
        }
    }

    /// The direction a column sorts in when first clicked: newest, most urgent and most
    /// important first; titles A to Z.
    pub fn natural_dir(self) -> SortDir {
        match self {
            Self::Created | Self::Priority => SortDir::Desc,
            Self::Due | Self::Title => SortDir::Asc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

impl SortDir {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    pub fn flip(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u32 = 25;

/// Which tasks to show: the filters every list query applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    /// Literal text to find in the title or description (no wildcards).
    pub q: Option<String>,
    pub status: StatusFilter,
    pub priority: Option<Priority>,
    /// Tasks with every one of these tags (valid, each once, at most [`tags::MAX_TAGS`]).
    pub tags: Vec<String>,
}

impl TaskFilter {
    pub fn is_active(&self) -> bool {
        self.q.is_some()
            || self.status != StatusFilter::All
            || self.priority.is_some()
            || !self.tags.is_empty()
    }

    /// The `LIKE` pattern for `q`, with `%`, `_` and the escape character itself escaped, so
    /// the search matches text literally (used with `ESCAPE '\'`).
    /// The search text folded as stored titles and descriptions are (see
    /// [`text::fold`]).
    pub fn search_fold(&self) -> Option<String> {
        self.q.as_deref().map(text::fold)
    }

    pub fn like_pattern(&self) -> Option<String> {
        self.search_fold().map(|q| {
            let mut pattern = String::with_capacity(q.len() + 2);
            pattern.push('%');
            for c in q.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            pattern
        })
    }
}
