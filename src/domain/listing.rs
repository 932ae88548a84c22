//! Asking for a page of tasks: filters, order, page size and an opaque keyset cursor.
//!
//! A cursor names the row a page starts after (or ends before) by its sort value and id, so
//! the next page is an index range scan however deep it is, and rows that tie on the sort
//! value are never repeated or skipped (the id breaks the tie). Cursors are opaque to
//! clients: base64url of a small text record and its checksum, so a link that was cut short
//! or altered is refused (400), never served as some other page.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::task::{SortDir, SortKey, TITLE_MAX_CHARS, TaskFilter};

/// The longest folded title a cursor carries. Folding (NFC, then lower case, then sharp s
/// as "ss") can lengthen a text: NFC at most threefold, lower case and "ss" at most twofold.
/// Every cursor the server makes for a valid title therefore decodes again.
pub const TITLE_KEY_MAX_CHARS: usize = 6 * TITLE_MAX_CHARS;

/// The sort value of the row a cursor points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Created(DateTime<Utc>),
    /// Tasks without a due date carry [`NO_DUE_DATE`], so they sort last.
    Due(NaiveDate),
    Priority(i16),
    /// The title folded as it is stored for ordering (`title_fold`).
    Title(String),
}

/// What "no due date" sorts as: after every real date.
pub const NO_DUE_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => panic!("9999-12-31 is a date"),
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: SortValue,
    pub id: i64,
}

impl Cursor {
    pub fn key(&self) -> SortKey {
        match self.value {
            SortValue::Created(_) => SortKey::Created,
            SortValue::Due(_) => SortKey::Due,
            SortValue::Priority(_) => SortKey::Priority,
            SortValue::Title(_) => SortKey::Title,
        }
    }

    pub fn encode(&self) -> String {
        let value = match &self.value {
            SortValue::Created(at) => format!("c:{}", at.timestamp_micros()),
            SortValue::Due(date) => format!("d:{}", date.format("%Y-%m-%d")),
            SortValue::Priority(rank) => format!("p:{rank}"),
            SortValue::Title(title) => format!("t:{title}"),
        };
        let record = format!("{}|{value}", self.id);
        URL_SAFE_NO_PAD.encode(format!("{record}|{}", checksum(&record)))
    }

    /// `None` for anything that is not a cursor we made: damaged, cut short, or naming an
    /// id no row can have.
    pub fn decode(raw: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (record, check) = text.rsplit_once('|')?;
        if check != checksum(record) {
            return None;
        }
        let (id, value) = record.split_once('|')?;
        let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
        let (kind, value) = value.split_once(':')?;
        let value = match kind {
            "c" => SortValue::Created(DateTime::from_timestamp_micros(value.parse().ok()?)?),
            "d" => SortValue::Due(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?),
            "p" => SortValue::Priority(value.parse().ok().filter(|r| (1..=3).contains(r))?),
            "t" if value.chars().count() <= TITLE_KEY_MAX_CHARS && !value.contains('\0') => {
                SortValue::Title(value.to_owned())
            }
            _ => return None,
        };
        Some(Self { value, id })
    }
}

/// The first 8 hex digits of the record's SHA-256: enough to tell a damaged link from a
/// good one (cursors are not secrets: every query is scoped to its owner anyway).
fn checksum(record: &str) -> String {
    hex::encode(&Sha256::digest(record.as_bytes())[..4])
}

/// Where in the ordered list a page sits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PageAt {
    #[default]
    First,
    After(Cursor),
    Before(Cursor),
    Last,
}

/// One request for a page of a user's tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub filter: TaskFilter,
    pub sort: SortKey,
    pub dir: SortDir,
    pub size: u32,
    pub at: PageAt,
}

/// One page of tasks, in display order, and whether there is more on either side.
#[derive(Debug, Clone)]
pub struct TaskPage<T> {
    pub tasks: Vec<T>,
    pub has_prev: bool,
    pub has_next: bool,
    /// Cursors of the first and last rows shown, for "previous" and "next" links.
    pub first: Option<Cursor>,
    pub last: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        for value in [
            SortValue::Created(DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap()),
            SortValue::Due(NO_DUE_DATE),
            SortValue::Priority(3),
            SortValue::Title("ünïcode | : title".into()),
        ] {
            let cursor = Cursor { value, id: 42 };
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        let good = Cursor {
            value: SortValue::Created(
                DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            ),
            id: 42,
        }
        .encode();
        let sealed =
            |record: &str| URL_SAFE_NO_PAD.encode(format!("{record}|{}", checksum(record)));
        for garbage in [
            "",
            "not base64!",
            "MTIz",
            &good[..good.len() - 3],
            &URL_SAFE_NO_PAD.encode("42|c:1700000000123456"),
            &sealed("1|p:9"),
            &sealed("1|t:\0"),
            &sealed("-5|p:2"),
            &sealed("0|p:2"),
        ] {
            assert_eq!(Cursor::decode(garbage), None, "{garbage}");
        }
    }

    #[test]
    fn a_cursor_for_any_valid_title_decodes_again() {
        use crate::domain::text::fold;
        for title in [
            "İ".repeat(200),
            "ẞ".repeat(200),
            "\u{1D160}".repeat(200),
            "ΐ".repeat(200),
        ] {
            let cursor = Cursor {
                value: SortValue::Title(fold(&title)),
                id: 1,
            };
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor), "{title}");
        }
    }
}
