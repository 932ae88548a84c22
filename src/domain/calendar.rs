//! Each user's own day. A user has a time zone (an IANA name from the tz database); this is
//! the one place that answers "what is today for this user" and writes a moment as their
//! clock shows it. Due dates are plain dates and stay so; instants are stored in UTC and only
//! turned into local dates and times here, for display and for "today".

use std::{fmt, str::FromStr};

use chrono::{DateTime, Datelike, NaiveDate, Offset, Utc};
use chrono_tz::{TZ_VARIANTS, Tz};

/// A date as the app writes it, "Mar 8, 2026" (chrono's `%b %-d, %Y`), written directly: a
/// page shows two per row, and a format string is parsed again on every use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortDate(pub NaiveDate);

impl fmt::Display for ShortDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let d = self.0;
        write!(f, "{} {}, ", MONTHS[d.month0() as usize], d.day())?;
        match d.year() {
            // `%Y`: four digits, zero-padded; outside them chrono writes a sign too.
            year @ 0..=9999 => write!(f, "{year:04}"),
            _ => write!(f, "{}", d.format("%Y")),
        }
    }
}

/// A time zone from the tz database, e.g. `America/Los_Angeles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

/// The regions of the tz database whose zones the account page offers, in its order.
const REGIONS: [&str; 10] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

impl TimeZone {
    pub const UTC: Self = Self(Tz::UTC);

    /// A zone by its exact IANA name (`Europe/Berlin`, `UTC`); `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        Tz::from_str(name.trim()).ok().map(Self)
    }

    /// A stored name, which was checked when it was saved; UTC if the tz database this build
    /// carries no longer knows it.
    pub fn from_stored(name: &str) -> Self {
        Self::parse(name).unwrap_or(Self::UTC)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The date it is in this zone at `now`: the user's "today".
    pub fn today(self, now: DateTime<Utc>) -> NaiveDate {
        self.date_at(now)
    }

    /// The date in this zone at the moment `at` (a task's creation day, as the table's
    /// `<time datetime>` gives it).
    pub fn date_at(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }

    /// `at` as "Mar 8, 2026", the date in this zone.
    pub fn format_date(self, at: DateTime<Utc>) -> String {
        ShortDate(self.date_at(at)).to_string()
    }

    /// `at` as "8 Mar 2026, 14:05 CET", the date and time in this zone with its abbreviation.
    pub fn format_moment(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0)
            .format("%-d %b %Y, %H:%M %Z")
            .to_string()
    }

    /// The zone's offset from UTC at `at`, as "UTC+05:30" (or "UTC" for none).
    pub fn offset_label(self, at: DateTime<Utc>) -> String {
        let seconds = at.with_timezone(&self.0).offset().fix().local_minus_utc();
        if seconds == 0 {
            return "UTC".to_owned();
        }
        let sign = if seconds < 0 { '−' } else { '+' };
        let minutes = seconds.abs() / 60;
        format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One group of the zone picker: a region and its zones, A to Z.
pub struct ZoneGroup {
    pub region: &'static str,
    pub zones: Vec<TimeZone>,
}

/// Every zone a user can pick, grouped by region ("UTC" on its own first). Names without a
/// region (`EST5EDT`, `US/Pacific`, `Etc/GMT+5`) are links or legacy rules: they stay valid
/// input (the API and a browser may send one) but are not offered.
pub fn zone_groups() -> Vec<ZoneGroup> {
    let mut groups = vec![ZoneGroup {
        region: "UTC",
        zones: vec![TimeZone::UTC],
    }];
    for region in REGIONS {
        let mut zones: Vec<TimeZone> = TZ_VARIANTS
            .iter()
            .filter(|tz| {
                tz.name()
                    .split_once('/')
                    .is_some_and(|(head, _)| head == region)
            })
            .map(|tz| TimeZone(*tz))
            .collect();
        zones.sort_by_key(|z| z.name());
        groups.push(ZoneGroup { region, zones });
    }
    groups
}

/// A zone's place name for the picker: `America/Argentina/Buenos_Aires` reads
/// "Argentina / Buenos Aires".
pub fn place_name(zone: TimeZone) -> String {
    let name = zone.name();
    let place = name.split_once('/').map_or(name, |(_, rest)| rest);
    place.replace('_', " ").replace('/', " / ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_same_instant_is_a_different_day_across_the_date_line() {
        let now = at("2026-06-15T11:30:00Z");
        assert_eq!(
            TimeZone::parse("Pacific/Kiritimati").unwrap().today(now),
            date("2026-06-16")
        );
        assert_eq!(
            TimeZone::parse("Pacific/Pago_Pago").unwrap().today(now),
            date("2026-06-15")
        );
        assert_eq!(TimeZone::UTC.today(now), date("2026-06-15"));
        let late = at("2026-06-15T23:30:00Z");
        assert_eq!(
            TimeZone::parse("Pacific/Pago_Pago").unwrap().today(late),
            date("2026-06-15")
        );
        assert_eq!(
            TimeZone::parse("Pacific/Kiritimati").unwrap().today(late),
            date("2026-06-16")
        );
    }

    #[test]
    fn dst_changes_move_the_local_date_and_offset() {
        let ny = TimeZone::parse("America/New_York").unwrap();
        // 2026-03-08 07:00Z is 03:00 EDT, just after the spring-forward gap.
        assert_eq!(
            ny.format_moment(at("2026-03-08T07:00:00Z")),
            "8 Mar 2026, 03:00 EDT"
        );
        assert_eq!(
            ny.format_moment(at("2026-03-08T06:59:00Z")),
            "8 Mar 2026, 01:59 EST"
        );
        // 04:30Z on 1 Nov is still 31 Oct in New York (EDT, UTC-4).
        assert_eq!(ny.today(at("2026-11-01T03:30:00Z")), date("2026-10-31"));
        assert_eq!(ny.today(at("2026-11-01T04:30:00Z")), date("2026-11-01"));
        assert_eq!(ny.offset_label(at("2026-07-01T12:00:00Z")), "UTC−04:00");
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        assert_eq!(
            berlin.format_moment(at("2026-03-29T00:59:00Z")),
            "29 Mar 2026, 01:59 CET"
        );
        assert_eq!(
            berlin.format_moment(at("2026-03-29T01:00:00Z")),
            "29 Mar 2026, 03:00 CEST"
        );
        assert_eq!(
            berlin.format_date(at("2026-10-24T22:30:00Z")),
            "Oct 25, 2026"
        );
        assert_eq!(berlin.offset_label(at("2026-01-01T00:00:00Z")), "UTC+01:00");
        let india = TimeZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            india.offset_label(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
            "UTC+05:30"
        );
    }

    #[test]
    fn only_names_from_the_tz_database_are_zones() {
        assert_eq!(
            TimeZone::parse("Europe/Berlin").unwrap().name(),
            "Europe/Berlin"
        );
        assert_eq!(TimeZone::parse(" UTC ").unwrap(), TimeZone::UTC);
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "europe/berlin",
            "UTC+2",
            "Europe/Berlin\0",
        ] {
            assert_eq!(TimeZone::parse(bad), None, "{bad:?}");
        }
        assert_eq!(TimeZone::from_stored("Atlantis/Capital"), TimeZone::UTC);
    }

    #[test]
    fn the_picker_offers_every_regional_zone_once_grouped_by_region() {
        let groups = zone_groups();
        assert_eq!(groups[0].region, "UTC");
        let all: Vec<&str> = groups
            .iter()
            .flat_map(|g| g.zones.iter().map(|z| z.name()))
            .collect();
        assert!(all.contains(&"America/Los_Angeles") && all.contains(&"Pacific/Kiritimati"));
        assert!(!all.contains(&"US/Pacific") && !all.contains(&"EST5EDT"));
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
        assert_eq!(
            place_name(TimeZone::parse("America/Argentina/Buenos_Aires").unwrap()),
            "Argentina / Buenos Aires"
        );
    }

    #[test]
    fn short_dates_read_as_chrono_writes_them() {
        let days = [
            "2026-03-08",
            "2026-12-31",
            "2024-02-29",
            "0987-01-01",
            "2026-10-24",
        ]
        .map(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap());
        let far = [
            NaiveDate::from_ymd_opt(12_345, 6, 7).unwrap(),
            NaiveDate::from_ymd_opt(-44, 3, 15).unwrap(),
        ];
        for d in days.into_iter().chain(far) {
            assert_eq!(ShortDate(d).to_string(), d.format("%b %-d, %Y").to_string());
        }
    }
}
