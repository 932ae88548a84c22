//! Reading a view from a query: strictly for the JSON API (the first unreadable value is a
//! 400 that says what is wrong), leniently for the dashboard (the nearest valid view, and
//! what was ignored).

use serde::Deserialize;

use super::ListView;
use crate::{
    domain::{
        listing::{Cursor, ListRequest, PageAt},
        tags,
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
    /// Sort and direction in one value (`title-asc`), as the narrow screens' sort select
    /// sends them; when present it stands for `sort` and `dir`.
    pub order: Option<String>,
    /// Every `tag` value: the parameter repeats (all must match), which a struct read from
    /// a query cannot hold, so [`RawView::with_tags_of`] reads them.
    #[serde(skip)]
    pub tags: Vec<String>,
}

impl RawView {
    /// This view with the `tag` values of `query` (a raw query string, no `?`).
    pub fn with_tags_of(mut self, query: &str) -> Self {
        self.tags = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key == "tag")
            .map(|(_, value)| value.into_owned())
            .collect();
        self
    }
}

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
        let (raw_sort, raw_dir) = or_default(
            &mut ignored,
            match text(&raw.order) {
                order if order.is_empty() => Ok((text(&raw.sort), text(&raw.dir))),
                order => order
                    .split_once('-')
                    .map(|(sort, dir)| (sort.to_owned(), dir.to_owned()))
                    .filter(|(sort, dir)| !sort.is_empty() && !dir.is_empty())
                    .ok_or("Unknown order: use a sort and a direction, as in title-asc."),
            },
            (String::new(), String::new()),
        );
        let sort = or_default(
            &mut ignored,
            SortKey::parse(&raw_sort).ok_or("Unknown sort: use created, due, priority or title."),
            SortKey::Created,
        );
        let dir = or_default(
            &mut ignored,
            match raw_dir.as_str() {
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
        let mut tag_list = Vec::new();
        for raw_tag in &raw.tags {
            match tags::parse_tag(raw_tag) {
                Ok(tag) => tag_list.extend(tag),
                Err(_) => ignored.push("A tag is up to 32 letters, digits, - and _."),
            }
        }
        tag_list.sort_unstable();
        tag_list.dedup();
        if tag_list.len() > tags::MAX_TAGS {
            ignored.push("A view can filter by at most 10 tags.");
            tag_list.truncate(tags::MAX_TAGS);
        }
        let view = Self(ListRequest {
            filter: TaskFilter {
                q: (!q.is_empty()).then_some(q),
                status,
                priority,
                tags: tag_list,
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
        let query = view.trim_start_matches('?');
        serde_urlencoded::from_str::<RawView>(query)
            .ok()
            .and_then(|raw| Self::parse(&raw.with_tags_of(query)).ok())
            .unwrap_or_default()
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
