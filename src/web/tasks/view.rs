//! The dashboard's view state (filters, order, page size, page) as it travels in URLs.
//!
//! Every view is a real URL: links and GET forms carry it without JavaScript, htmx pushes it
//! into history, and write forms carry it back in a `view` field so that, after the write,
//! the user returns to exactly the view they were on. URLs are written in one canonical form
//! (defaults left out). The API reads them strictly (an unknown value is a 400 that says
//! what is wrong); the dashboard shows the nearest valid view and says what it ignored.
//!
//! The JSON API reads its filters through the same [`ListView`]; both change a view only
//! through its methods ([`ListView::with_size`], [`ListView::first_page`]).

use serde::Deserialize;

use crate::{
    domain::{
        listing::{Cursor, ListRequest, PageAt, TaskPage},
        task::{
            DEFAULT_PAGE_SIZE, PAGE_SIZES, Priority, SortDir, SortKey, StatusFilter, TaskFilter,
        },
    },
    error::AppError,
};

/// Longest search text accepted (the longest title is 200 characters).
const MAX_SEARCH_CHARS: usize = 200;

/// The query parameters of `/tasks`, as sent.
#[derive(Debug, Default, Deserialize)]
pub struct RawView {
    pub q: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub size: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub page: Option<String>,
}

/// The filters a view can drop one at a time (its chips).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Search,
    Status,
    Priority,
}

/// A parsed, valid view: what the store is asked for, and how its URLs are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListView(ListRequest);

fn bad(why: &str) -> AppError {
    AppError::BadRequest(why.to_owned())
}

impl ListView {
    /// The view a query asks for, strictly: the first unreadable value is a 400 that says
    /// what is wrong (the JSON API's answer).
    pub fn parse(raw: &RawView) -> Result<Self, AppError> {
        match Self::read(raw) {
            (view, ignored) if ignored.is_empty() => Ok(view),
            (_, ignored) => Err(bad(ignored[0])),
        }
    }

    /// The nearest valid view: each unreadable value is replaced by its default (an unknown
    /// size by the default size, a bad or foreign page link by the first page, and so on),
    /// and listed with the reason, for the dashboard to say what it ignored.
    pub fn parse_lenient(raw: &RawView) -> (Self, Vec<&'static str>) {
        Self::read(raw)
    }

    fn read(raw: &RawView) -> (Self, Vec<&'static str>) {
        let mut ignored = Vec::new();
        let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
        let q = text(&raw.q);
        let q = or_default(
            &mut ignored,
            if q.chars().count() > MAX_SEARCH_CHARS {
                Err("Search text can be at most 200 characters.")
            } else if q.contains('\0') {
                // No task can contain one (see `TaskDraft::parse`), and PostgreSQL refuses it.
                Err("Search text cannot contain a NUL character.")
            } else {
                Ok(q)
            },
            String::new(),
        );
        let status = or_default(
            &mut ignored,
            StatusFilter::parse(&text(&raw.status)).ok_or("Unknown status: use all, open or done."),
            StatusFilter::All,
        );
        let priority = or_default(
            &mut ignored,
            match text(&raw.priority).as_str() {
                "" | "any" => Ok(None),
                other => Priority::parse(other)
                    .map(Some)
                    .ok_or("Unknown priority: use low, medium or high."),
            },
            None,
        );
        let sort = or_default(
            &mut ignored,
            SortKey::parse(&text(&raw.sort))
                .ok_or("Unknown sort: use created, due, priority or title."),
            SortKey::Created,
        );
        let dir = or_default(
            &mut ignored,
            match text(&raw.dir).as_str() {
                "" => Ok(sort.natural_dir()),
                other => SortDir::parse(other).ok_or("Unknown direction: use asc or desc."),
            },
            sort.natural_dir(),
        );
        let size = or_default(
            &mut ignored,
            match text(&raw.size).as_str() {
                "" => Ok(DEFAULT_PAGE_SIZE),
                other => other
                    .parse()
                    .ok()
                    .filter(|n| PAGE_SIZES.contains(n))
                    .ok_or("Page size must be 10, 25, 50 or 100."),
            },
            DEFAULT_PAGE_SIZE,
        );
        let at = or_default(&mut ignored, page_at(raw, sort), PageAt::First);
        let view = Self(ListRequest {
            filter: TaskFilter {
                q: (!q.is_empty()).then_some(q),
                status,
                priority,
            },
            sort,
            dir,
            size,
            at,
        });
        (view, ignored)
    }

    /// The view a write form carried back; anything unreadable means the default view.
    pub fn from_form(view: &str) -> Self {
        serde_urlencoded::from_str::<RawView>(view.trim_start_matches('?'))
            .ok()
            .and_then(|raw| Self::parse(&raw).ok())
            .unwrap_or_default()
    }

    /// This view with `size` rows a page: the API's `limit` (1 to 100), which the
    /// dashboard's fixed choices do not restrict.
    pub fn with_size(mut self, size: u32) -> Self {
        self.0.size = size;
        self
    }

    /// This view from its first page (a new task is newest: it shows there).
    pub fn first_page(mut self) -> Self {
        self.0.at = PageAt::First;
        self
    }

    pub fn request(&self) -> &ListRequest {
        &self.0
    }

    pub fn filter(&self) -> &TaskFilter {
        &self.0.filter
    }

    pub fn filter_active(&self) -> bool {
        self.0.filter.is_active()
    }

    pub fn q(&self) -> &str {
        self.0.filter.q.as_deref().unwrap_or_default()
    }

    pub fn status(&self) -> &'static str {
        self.0.filter.status.as_str()
    }

    pub fn priority(&self) -> &'static str {
        self.0
            .filter
            .priority
            .map(Priority::as_str)
            .unwrap_or_default()
    }

    pub fn sort(&self) -> &'static str {
        self.0.sort.as_str()
    }

    pub fn dir(&self) -> &'static str {
        self.0.dir.as_str()
    }

    /// The direction, when it is not the sort's natural one (else empty: URLs leave it out).
    pub fn explicit_dir(&self) -> &'static str {
        if self.0.dir == self.0.sort.natural_dir() {
            ""
        } else {
            self.0.dir.as_str()
        }
    }

    pub fn size(&self) -> u32 {
        self.0.size
    }

    /// This view's filters and order as a query (no page size, no position), for the API to
    /// add its own paging to.
    pub fn query_without_paging(&self) -> url::form_urlencoded::Serializer<'static, String> {
        self.criteria(self.0.sort, self.0.dir)
    }

    /// The filters, and the order `sort` `dir`, in canonical form.
    fn criteria(
        &self,
        sort: SortKey,
        dir: SortDir,
    ) -> url::form_urlencoded::Serializer<'static, String> {
        let r = &self.0;
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(q) = &r.filter.q {
            query.append_pair("q", q);
        }
        if r.filter.status != StatusFilter::All {
            query.append_pair("status", r.filter.status.as_str());
        }
        if let Some(priority) = r.filter.priority {
            query.append_pair("priority", priority.as_str());
        }
        if sort != SortKey::Created {
            query.append_pair("sort", sort.as_str());
        }
        if dir != sort.natural_dir() {
            query.append_pair("dir", dir.as_str());
        }
        query
    }

    /// The canonical query string (no `?`) of this view at page `at`.
    fn query_at(&self, sort: SortKey, dir: SortDir, at: &PageAt) -> String {
        let r = &self.0;
        let mut query = self.criteria(sort, dir);
        if r.size != DEFAULT_PAGE_SIZE {
            query.append_pair("size", &r.size.to_string());
        }
        match at {
            PageAt::First => {}
            PageAt::After(c) => {
                query.append_pair("after", &c.encode());
            }
            PageAt::Before(c) => {
                query.append_pair("before", &c.encode());
            }
            PageAt::Last => {
                query.append_pair("page", "last");
            }
        }
        query.finish()
    }

    fn href_at(&self, sort: SortKey, dir: SortDir, at: &PageAt) -> String {
        match self.query_at(sort, dir, at) {
            q if q.is_empty() => "/tasks".to_owned(),
            q => format!("/tasks?{q}"),
        }
    }

    /// This exact view, for a write form to come back to.
    pub fn query(&self) -> String {
        self.query_at(self.0.sort, self.0.dir, &self.0.at)
    }

    /// This exact view's URL.
    pub fn href(&self) -> String {
        self.href_at(self.0.sort, self.0.dir, &self.0.at)
    }

    /// A column header's link: the other direction if it is the current order, else the
    /// column's natural direction; back to the first page either way.
    pub fn sort_href(&self, key: &str) -> String {
        let key = SortKey::parse(key).unwrap_or_default();
        let dir = if key == self.0.sort {
            self.0.dir.flip()
        } else {
            key.natural_dir()
        };
        self.href_at(key, dir, &PageAt::First)
    }

    /// `aria-sort` for a column header.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (SortKey::parse(key) == Some(self.0.sort), self.0.dir) {
            (false, _) => "none",
            (true, SortDir::Asc) => "ascending",
            (true, SortDir::Desc) => "descending",
        }
    }

    pub fn sort_label(&self) -> &'static str {
        let by = match self.0.sort {
            SortKey::Created => "date created",
            SortKey::Due => "due date",
            SortKey::Priority => "priority",
            SortKey::Title => "title",
        };
        match self.0.dir {
            SortDir::Asc => match self.0.sort {
                SortKey::Created => "oldest first",
                _ => by,
            },
            SortDir::Desc => match self.0.sort {
                SortKey::Created => "newest first",
                _ => by,
            },
        }
    }

    /// This view without one of its filters, from the first page: a filter chip's link.
    pub fn href_without(&self, filter: Filter) -> String {
        let mut view = self.clone();
        let f = &mut view.0.filter;
        match filter {
            Filter::Search => f.q = None,
            Filter::Status => f.status = StatusFilter::All,
            Filter::Priority => f.priority = None,
        }
        view.first_href()
    }

    pub fn first_href(&self) -> String {
        self.href_at(self.0.sort, self.0.dir, &PageAt::First)
    }

    pub fn last_href(&self) -> String {
        self.href_at(self.0.sort, self.0.dir, &PageAt::Last)
    }

    pub fn next_href<T>(&self, page: &TaskPage<T>) -> Option<String> {
        let last = page.last.clone().filter(|_| page.has_next)?;
        Some(self.href_at(self.0.sort, self.0.dir, &PageAt::After(last)))
    }

    pub fn prev_href<T>(&self, page: &TaskPage<T>) -> Option<String> {
        let first = page.first.clone().filter(|_| page.has_prev)?;
        Some(self.href_at(self.0.sort, self.0.dir, &PageAt::Before(first)))
    }
}

/// `read`'s value, or `default` with the reason noted in `ignored`.
fn or_default<T>(ignored: &mut Vec<&'static str>, read: Result<T, &'static str>, default: T) -> T {
    read.unwrap_or_else(|why| {
        ignored.push(why);
        default
    })
}

/// The page a query asks for, in the order `sort`.
fn page_at(raw: &RawView, sort: SortKey) -> Result<PageAt, &'static str> {
    let cursor = |raw: &Option<String>| match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(c) => Cursor::decode(c)
            .map(Some)
            .ok_or("That page link is not valid; start again from the first page."),
    };
    let page = raw.page.as_deref().map(str::trim).unwrap_or_default();
    let at = match (cursor(&raw.after)?, cursor(&raw.before)?, page) {
        (None, None, "" | "first") => PageAt::First,
        (None, None, "last") => PageAt::Last,
        (Some(after), None, "") => PageAt::After(after),
        (None, Some(before), "") => PageAt::Before(before),
        _ => return Err("Ask for one page at a time: after, before or page=last."),
    };
    if let PageAt::After(c) | PageAt::Before(c) = &at
        && c.key() != sort
    {
        return Err(
            "That page link belongs to another sort order; start again from the first page.",
        );
    }
    Ok(at)
}

impl Default for ListView {
    fn default() -> Self {
        Self(ListRequest {
            filter: TaskFilter::default(),
            sort: SortKey::Created,
            dir: SortDir::Desc,
            size: DEFAULT_PAGE_SIZE,
            at: PageAt::First,
        })
    }
}

#[cfg(test)]
mod tests;
