//! Where a page of the dashboard sits in its view: "26–50 of 117".

use crate::domain::listing::PageAt;

/// The rows a page shows, counted from 1, and how many there are in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub from: i64,
    pub to: i64,
    pub of: i64,
}

impl Position {
    /// Where a page of `shown` rows sits among `total`, given how many rows come before its
    /// cursor when that was counted; none for an empty page.
    pub fn of_page(
        at: &PageAt,
        shown: i64,
        total: i64,
        before_cursor: Option<i64>,
    ) -> Option<Self> {
        if shown == 0 {
            return None;
        }
        let skipped = match (at, before_cursor) {
            (PageAt::After(_), Some(n)) => n,
            (PageAt::Before(_), Some(n)) => n - shown,
            (PageAt::Last, _) => total - shown,
            _ => 0,
        };
        // The counts are read side by side, so a write in between can put them a row out:
        // the numbers stay in range whatever happens.
        let from = skipped.clamp(0, (total - shown).max(0)) + 1;
        Some(Self {
            from,
            to: (from + shown - 1).min(total.max(shown)),
            of: total.max(shown),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Position;
    use crate::domain::listing::{Cursor, PageAt, SortValue};

    fn cursor() -> PageAt {
        PageAt::After(Cursor {
            value: SortValue::Priority(1),
            id: 1,
        })
    }

    #[test]
    fn a_page_knows_where_it_sits() {
        let at = |from, to, of| Some(Position { from, to, of });
        assert_eq!(
            Position::of_page(&PageAt::First, 25, 117, None),
            at(1, 25, 117)
        );
        assert_eq!(
            Position::of_page(&cursor(), 25, 117, Some(25)),
            at(26, 50, 117)
        );
        assert_eq!(
            Position::of_page(&PageAt::Last, 17, 117, None),
            at(101, 117, 117)
        );
        let before = PageAt::Before(Cursor {
            value: SortValue::Priority(1),
            id: 1,
        });
        assert_eq!(
            Position::of_page(&before, 25, 117, Some(50)),
            at(26, 50, 117)
        );
        assert_eq!(Position::of_page(&PageAt::First, 0, 0, None), None);
        // Counts read a moment apart stay in range.
        assert_eq!(
            Position::of_page(&cursor(), 25, 40, Some(39)),
            at(16, 40, 40)
        );
        assert_eq!(Position::of_page(&PageAt::Last, 3, 2, None), at(1, 3, 3));
    }
}
