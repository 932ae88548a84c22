//! Recurring tasks: how often a task comes back once it is done, and when the next one is due.
//!
//! A repeating task always has a due date. Completing it creates the next occurrence, due one
//! period after the completed one's due date (not after the day it was completed, so a task
//! done late keeps its rhythm). Monthly and yearly rules keep the day of the month the user
//! chose (the rule's *anchor*) across months too short for it: a task due on the 31st is due
//! on Feb 28 (29 in leap years), then on Mar 31 again.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a task repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Repeat {
    #[default]
    None,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// The latest due date there is (see [`super::task::DUE_DATE_MAX`]): a rule whose next date
/// would fall after it stops there.
const LAST_DUE: (i32, u32, u32) = (9998, 12, 31);

impl Repeat {
    /// The forms' choices, in their order.
    pub const ALL: [Repeat; 5] = [
        Repeat::None,
        Repeat::Daily,
        Repeat::Weekly,
        Repeat::Monthly,
        Repeat::Yearly,
    ];

    /// Exactly one of the names [`Repeat::as_str`] gives (empty means `none`, as a form
    /// that does not send the field).
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "" | "none" => Self::None,
            "daily" => Self::Daily,
            "weekly" => Self::Weekly,
            "monthly" => Self::Monthly,
            "yearly" => Self::Yearly,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Yearly => "yearly",
        }
    }

    /// The forms' label for the choice.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "Does not repeat",
            Self::Daily => "Daily",
            Self::Weekly => "Weekly",
            Self::Monthly => "Monthly",
            Self::Yearly => "Yearly",
        }
    }

    /// What a row says of a repeating task (its icon's accessible name).
    pub fn phrase(self) -> &'static str {
        match self {
            Self::None => "Does not repeat",
            Self::Daily => "Repeats daily",
            Self::Weekly => "Repeats weekly",
            Self::Monthly => "Repeats monthly",
            Self::Yearly => "Repeats yearly",
        }
    }

    pub fn repeats(self) -> bool {
        self != Self::None
    }

    /// Stored as a small integer.
    pub fn code(self) -> i16 {
        match self {
            Self::None => 0,
            Self::Daily => 1,
            Self::Weekly => 2,
            Self::Monthly => 3,
            Self::Yearly => 4,
        }
    }

    /// The due date of the occurrence after one due on `due`, for a rule anchored on day
    /// `anchor` of the month (the day the user chose; only monthly and yearly rules use
    /// it). `None` when the task does not repeat, or the next date would be past the last
    /// due date there is.
    pub fn next_due(self, due: NaiveDate, anchor: u32) -> Option<NaiveDate> {
        let anchor = anchor.clamp(1, 31);
        let next = match self {
            Self::None => return None,
            Self::Daily => due.checked_add_days(Days::new(1))?,
            Self::Weekly => due.checked_add_days(Days::new(7))?,
            Self::Monthly => {
                let (year, month) = if due.month() == 12 {
                    (due.year() + 1, 1)
                } else {
                    (due.year(), due.month() + 1)
                };
                on_day(year, month, anchor)?
            }
            Self::Yearly => on_day(due.year() + 1, due.month(), anchor)?,
        };
        let (y, m, d) = LAST_DUE;
        (next <= NaiveDate::from_ymd_opt(y, m, d)?).then_some(next)
    }
}

impl TryFrom<i16> for Repeat {
    type Error = String;

    fn try_from(code: i16) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| format!("no repeat rule has code {code}"))
    }
}

impl fmt::Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Day `day` of the month, or the month's last day when it is shorter.
fn on_day(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    (28..=day.max(28))
        .rev()
        .find_map(|last| NaiveDate::from_ymd_opt(year, month, day.min(last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Follows a rule from `start` for `n` occurrences, as completing each in turn would.
    fn run(rule: Repeat, start: NaiveDate, n: usize) -> Vec<NaiveDate> {
        let anchor = start.day();
        let mut dates = vec![start];
        for _ in 1..n {
            let next = rule.next_due(*dates.last().unwrap(), anchor).unwrap();
            dates.push(next);
        }
        dates
    }

    #[test]
    fn daily_and_weekly_step_by_days_across_months_and_years() {
        assert_eq!(
            run(Repeat::Daily, date(2026, 12, 31), 3),
            [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
        );
        assert_eq!(
            run(Repeat::Weekly, date(2028, 2, 25), 3),
            [date(2028, 2, 25), date(2028, 3, 3), date(2028, 3, 10)]
        );
    }

    #[test]
    fn monthly_keeps_the_chosen_day_through_short_months() {
        assert_eq!(
            run(Repeat::Monthly, date(2027, 1, 31), 5),
            [
                date(2027, 1, 31),
                date(2027, 2, 28),
                date(2027, 3, 31),
                date(2027, 4, 30),
                date(2027, 5, 31),
            ]
        );
        // A leap year's February has its 29th.
        assert_eq!(
            run(Repeat::Monthly, date(2028, 1, 30), 3),
            [date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]
        );
        // December rolls into the next year.
        assert_eq!(
            Repeat::Monthly.next_due(date(2026, 12, 15), 15),
            Some(date(2027, 1, 15))
        );
    }

    #[test]
    fn yearly_from_a_leap_day_falls_on_feb_28_and_returns_to_the_29th() {
        assert_eq!(
            run(Repeat::Yearly, date(2028, 2, 29), 5),
            [
                date(2028, 2, 29),
                date(2029, 2, 28),
                date(2030, 2, 28),
                date(2031, 2, 28),
                date(2032, 2, 29),
            ]
        );
    }

    #[test]
    fn no_rule_and_the_end_of_the_calendar_have_no_next() {
        assert_eq!(Repeat::None.next_due(date(2026, 1, 1), 1), None);
        assert_eq!(Repeat::Daily.next_due(date(9998, 12, 31), 31), None);
        assert_eq!(Repeat::Yearly.next_due(date(9998, 3, 1), 1), None);
        assert_eq!(
            Repeat::Daily.next_due(date(9998, 12, 30), 30),
            Some(date(9998, 12, 31))
        );
    }

    #[test]
    fn names_and_codes_read_back() {
        for rule in Repeat::ALL {
            assert_eq!(Repeat::parse(rule.as_str()), Some(rule));
            assert_eq!(Repeat::try_from(rule.code()), Ok(rule));
        }
        assert_eq!(Repeat::parse(""), Some(Repeat::None));
        assert_eq!(Repeat::parse("Monthly"), None);
        assert!(Repeat::try_from(9).is_err());
    }
}
