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

use crate::domain::{
    listing::{ListRequest, PageAt, TaskPage},
    task::{DEFAULT_PAGE_SIZE, Priority, SortDir, SortKey, StatusFilter, TaskFilter},
};

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

impl ListView {
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

    /// The tags the view filters by, A to Z.
    pub fn tags(&self) -> &[String] {
        &self.0.filter.tags
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.0.filter.tags.iter().any(|t| t == tag)
    }

    pub fn sort(&self) -> &'static str {
        self.0.sort.as_str()
    }

    /// The order as the sort select names it (`title-asc`).
    pub fn order(&self) -> String {
        format!("{}-{}", self.0.sort.as_str(), self.0.dir.as_str())
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

    /// Every task of this view as a download, `format` `csv` or `json` (see
    /// [`super::export`]).
    pub fn export_href(&self, format: &str) -> String {
        let query = self.query_without_paging().finish();
        let sep = if query.is_empty() { "" } else { "?" };
        format!("/tasks/export.{format}{sep}{query}")
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
        for tag in &r.filter.tags {
            query.append_pair("tag", tag);
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

    /// `?view=<this view>` for a row's links (which come back to it), or nothing at all for
    /// the default view.
    pub fn row_param(&self) -> String {
        let query = self.query();
        if query.is_empty() {
            return query;
        }
        let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        format!("?view={encoded}")
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

    /// This view without the tag `tag`, from the first page: a tag chip's link.
    pub fn href_without_tag(&self, tag: &str) -> String {
        let mut view = self.clone();
        view.0.filter.tags.retain(|t| t != tag);
        view.first_href()
    }

    /// This view narrowed to the tasks tagged `tag` too, from the first page: a row's tag
    /// links here. Only this view's filters and order are kept, so at most ten tags.
    pub fn href_with_tag(&self, tag: &str) -> String {
        let mut view = self.clone();
        let tags = &mut view.0.filter.tags;
        if !tags.iter().any(|t| t == tag) && tags.len() < crate::domain::tags::MAX_TAGS {
            tags.push(tag.to_owned());
            tags.sort_unstable();
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

mod read;
#[cfg(test)]
mod tests;

pub use read::RawView;
