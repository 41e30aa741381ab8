//! Approximate dates as intervals. A survivor may remember only a month or a year; such
//! a date stands for every day it could be, and a date filter keeps a record only when
//! all of those days fall inside the range (a record that may or may not fall inside is
//! reported apart, never silently counted on one side).

use crate::error::{Error, Result};
use serde::Serialize;

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Year,
    Month,
    Day,
}

impl Precision {
    pub fn id(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Month => "month",
            Precision::Day => "day",
        }
    }
}

/// A day as (year, month, day), ordered.
pub type Day = (i32, u8, u8);

/// The days an approximate date may stand for, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: Day,
    pub last: Day,
    pub precision: Precision,
}

impl Span {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a date-time counts by its date.
    pub fn parse(s: &str) -> Option<Span> {
        let date = s.split('T').next().unwrap_or(s).trim();
        let mut parts = date.split('-');
        let year: i32 = num(parts.next()?, 4)?;
        let Some(m) = parts.next() else {
            return Some(Span {
                first: (year, 1, 1),
                last: (year, 12, 31),
                precision: Precision::Year,
            });
        };
        let month: u8 = num(m, 2)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        let last_day = days_in_month(year, month);
        let Some(d) = parts.next() else {
            return Some(Span {
                first: (year, month, 1),
                last: (year, month, last_day),
                precision: Precision::Month,
            });
        };
        let day: u8 = num(d, 2)?;
        if parts.next().is_some() || day == 0 || day > last_day {
            return None;
        }
        Some(Span {
            first: (year, month, day),
            last: (year, month, day),
            precision: Precision::Day,
        })
    }

    /// The bound a `--from`/`--to` argument gives, or a clear error.
    pub fn bound(s: &str) -> Result<Span> {
        Span::parse(s).ok_or_else(|| Error::BadDate(s.to_string()))
    }

    /// `YYYY-MM` when the month is known.
    pub fn month(&self) -> Option<String> {
        (self.precision >= Precision::Month)
            .then(|| format!("{:04}-{:02}", self.first.0, self.first.1))
    }

    pub fn year(&self) -> String {
        format!("{:04}", self.first.0)
    }

    /// The date as written, normalised: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn text(&self) -> String {
        let (y, m, d) = self.first;
        match self.precision {
            Precision::Year => format!("{y:04}"),
            Precision::Month => format!("{y:04}-{m:02}"),
            Precision::Day => format!("{y:04}-{m:02}-{d:02}"),
        }
    }
}

fn num<T: std::str::FromStr>(p: &str, len: usize) -> Option<T> {
    (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
        .then(|| p.parse().ok())
        .flatten()
}

fn days_in_month(y: i32, m: u8) -> u8 {
    // The day before the first of the next month; month is 1..=12 here.
    let (ny, nm) = if m == 12 {
        (y + 1, 1)
    } else {
        (y, u32::from(m) + 1)
    };
    chrono::NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| chrono::Datelike::day(&d) as u8)
}

/// The least and the most whole years a person born on a day of `birth` may have been
/// old on a day of `at`. An age band is certain only when both fall in it.
pub fn age_range(birth: &Span, at: &Span) -> (i32, i32) {
    let years = |b: Day, a: Day| {
        let mut n = a.0 - b.0;
        if (a.1, a.2) < (b.1, b.2) {
            n -= 1;
        }
        n
    };
    (years(birth.last, at.first), years(birth.first, at.last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approximate_dates_stand_for_every_day_they_may_mean() {
        let y = Span::parse("2022").unwrap();
        assert_eq!(
            (y.first, y.last, y.precision),
            ((2022, 1, 1), (2022, 12, 31), Precision::Year)
        );
        let m = Span::parse("2024-02").unwrap();
        assert_eq!(m.last, (2024, 2, 29));
        assert_eq!(m.month().as_deref(), Some("2024-02"));
        assert_eq!(
            Span::parse("2022-01-05T10:00").unwrap().precision,
            Precision::Day
        );
        for bad in [
            "22",
            "2022-13",
            "2022-02-30",
            "2022-1",
            "x",
            "2022-01-01-01",
            "",
        ] {
            assert!(Span::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(y.month(), None);
    }

    #[test]
    fn an_age_from_approximate_dates_is_a_range() {
        let birth = Span::parse("1990-06-15").unwrap();
        assert_eq!(
            age_range(&birth, &Span::parse("2022-01-05").unwrap()),
            (31, 31)
        );
        assert_eq!(age_range(&birth, &Span::parse("2022").unwrap()), (31, 32));
        assert_eq!(
            age_range(
                &Span::parse("1990").unwrap(),
                &Span::parse("2022-01").unwrap()
            ),
            (31, 32)
        );
    }
}
