//! Counting: a selection of records (filters, a date range), then a table by one
//! dimension or a cross-tab by two. Every count is of records, and every category,
//! "not recorded" included, appears even when its count is zero.
//!
//! `categories.rs` lists each dimension's categories in order; `select.rs` checks a
//! query and selects its records; `count.rs` counts them and withholds what a
//! published table must not show.

use crate::dates::{Day, Span};
use crate::dimension::{age_bands, labels, Dimension};
use crate::error::{Error, Result};
use crate::set::{AnalysisSet, Row, SetNotes};
use crate::suppress::withhold;
use kua_core::model::Status;
use kua_core::template;
use kua_core::RecordSource;
use serde::{Deserialize, Serialize};

mod categories;
mod count;
mod select;
use std::collections::BTreeSet;

/// The code a filter or a cell uses for "not recorded" on the command line.
pub const NOT_RECORDED: &str = "not_recorded";

/// One filter: the records whose dimension has any of these codes (`None`: not recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Filter {
    pub dimension: Dimension,
    pub codes: Vec<Option<String>>,
}

/// What to count. Filters on different dimensions all apply; codes of one filter are
/// alternatives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Query {
    pub by: Vec<Dimension>,
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the events on or after its first day.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub from: Option<String>,
    /// The events on or before its last day.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub to: Option<String>,
    /// Withhold counts under five, with their complements.
    #[serde(default)]
    pub public: bool,
    /// What a count counts: testimonies (the default) or persons, each person once per
    /// cell however many of its testimonies are in it.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub count: Option<Unit>,
}

/// What a table counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    Testimonies,
    /// Persons as linkage and reviewers' decisions form them: a person with two
    /// testimonies naming different methods counts once under each method, and once in
    /// the total.
    Persons,
}

impl Query {
    pub fn unit(&self) -> Unit {
        self.count.unwrap_or_default()
    }
}

impl Query {
    /// Parses `DIM=CODE` as the CLI takes it, adding it to this query's filters.
    pub fn add_filter(&mut self, arg: &str) -> Result<()> {
        let (dim, code) = arg
            .split_once('=')
            .ok_or_else(|| Error::BadFilter(arg.to_string()))?;
        let dimension = Dimension::parse(dim)?;
        let code = code.trim();
        let code = (code != NOT_RECORDED).then(|| code.to_string());
        match self.filters.iter_mut().find(|f| f.dimension == dimension) {
            Some(f) => f.codes.push(code),
            None => self.filters.push(Filter {
                dimension,
                codes: vec![code],
            }),
        }
        Ok(())
    }
}

/// A category of a dimension, with its label and how many selected records have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Category {
    /// `None` for "not recorded".
    pub code: Option<String>,
    pub label: String,
    /// The records of the selection in this category; `None` when withheld.
    pub count: Option<u64>,
    /// Why the count is withheld, when it is.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Suppressed>,
}

/// Why a published count is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Suppressed {
    /// Under five: it could point at a person.
    Small,
    /// Any size: withheld so that a small one cannot be worked out from the totals.
    Complement,
}

/// One cell: a category of each `by` dimension and the records in all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Cell {
    pub codes: Vec<Option<String>>,
    /// `None` when withheld.
    pub count: Option<u64>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Suppressed>,
}

/// Records a date range had to leave out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DateExclusions {
    /// No date of the events recorded.
    pub no_date: u64,
    /// A date too approximate to tell whether it lies in the range (a year, a month
    /// across the range's edge).
    pub imprecise: u64,
    /// Left out of published figures: the person's consent covers neither the
    /// coalition nor anonymised publication.
    pub consent: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Table {
    pub by: Vec<Dimension>,
    /// Records in the selection; `None` when withheld.
    pub total: Option<u64>,
    /// Per `by` dimension, its categories in order, with their margins.
    pub axes: Vec<Vec<Category>>,
    /// Every combination of categories, the first dimension varying slowest.
    pub cells: Vec<Cell>,
    pub excluded: DateExclusions,
    pub notes: SetNotes,
    pub public: bool,
    /// What the counts count. `excluded` and `notes` always count testimonies.
    pub unit: Unit,
}

/// A record as a drill-down lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordRef {
    pub id: String,
    pub version: u32,
    pub source: RecordSource,
    pub draft: bool,
    /// Counting persons: the person the record belongs to (absent for a draft, which
    /// linkage does not see, and when counting testimonies).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub person: Option<String>,
}

/// The first and the last day of a date range.
type Range = (Day, Day);

/// A category on an axis: its code (None: not recorded), label, and interned code.
type AxisEntry = (Option<String>, String, Option<u32>);

/// A compiled filter: interned codes, and whether "not recorded" matches.
struct Match {
    dim: usize,
    codes: Vec<u32>,
    none: bool,
}
