//! Checks of what a lawyer enters, before it is recorded: dates that are dates, codes
//! of the course table, lengths, and entries that exist in this case.

use crate::course::{Coded, Course};
use crate::deadlines::parse_day;
use crate::error::{Error, Result};
use chrono::NaiveDate;

/// A short field: a body, a number, an article, a title.
pub const SHORT: usize = 300;
/// A remark or a petition's words.
pub const TEXT: usize = 20_000;
/// A privileged note (the core refuses an entry past 2 MiB).
pub const NOTE: usize = 500_000;

pub fn day(field: &str, value: &str) -> Result<NaiveDate> {
    parse_day(value).ok_or_else(|| Error::BadDate {
        field: field.to_string(),
        value: value.to_string(),
    })
}

/// An optional day, stored as YYYY-MM-DD whatever spelling `chrono` accepted.
pub fn canonical_day(field: &str, value: Option<String>) -> Result<Option<String>> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    value
        .map(|v| day(field, &v).map(|d| d.format("%Y-%m-%d").to_string()))
        .transpose()
}

/// An optional day, which must not come before `earlier` (named `before`).
pub fn day_after(field: &str, value: Option<&str>, before: &str, earlier: NaiveDate) -> Result<()> {
    let Some(v) = value else { return Ok(()) };
    if day(field, v)? < earlier {
        return Err(Error::DatesOutOfOrder {
            field: field.to_string(),
            value: v.to_string(),
            before: before.to_string(),
            earlier: earlier.format("%Y-%m-%d").to_string(),
        });
    }
    Ok(())
}

/// A day or a day and time (`YYYY-MM-DDTHH:MM`), for the window a camera must cover;
/// returned in that form.
pub fn moment(field: &str, value: Option<String>) -> Result<Option<String>> {
    let Some(v) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    if let Some(d) = parse_day(&v) {
        return Ok(Some(d.format("%Y-%m-%d").to_string()));
    }
    let at = v
        .split_once('T')
        .filter(|(d, t)| parse_day(d).is_some() && t.len() == 5)
        .and_then(|_| chrono::NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M").ok());
    match at {
        Some(t) => Ok(Some(t.format("%Y-%m-%dT%H:%M").to_string())),
        None => Err(Error::BadDate {
            field: field.to_string(),
            value: v,
        }),
    }
}

pub fn code(list: &[Coded], field: &str, value: &str) -> Result<()> {
    Course::check_code(list, field, value)
}

/// Text that must be there, and not too long; returned trimmed.
pub fn required(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::Empty(field.to_string()));
    }
    length(field, v, max)?;
    Ok(v.to_string())
}

pub fn length(field: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::TooLong {
            field: field.to_string(),
            max,
        });
    }
    Ok(())
}

/// Optional text: trimmed, empty as none, not too long.
pub fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>> {
    let v = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if let Some(v) = &v {
        length(field, v, max)?;
    }
    Ok(v)
}
