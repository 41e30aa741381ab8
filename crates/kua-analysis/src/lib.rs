//! Kua's coordinator analysis, over the plain data the vault hands out: every counted
//! record reduced to coded dimensions (region, agency, method, place, month, sex, age
//! band, language, source), tables and cross-tabs that count records and never answers,
//! small-cell suppression for published figures, and datasets for analysts.
//!
//! Nothing here touches the disk except a dataset the user asks to write.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod dataset;
mod dates;
mod dimension;
mod error;
pub mod persons;
mod set;
pub mod suppress;
mod table;

pub use dataset::{
    csv_record, dataset_tables, export_dataset, postgres_load, postgres_schema, DatasetFormat,
    DatasetReport,
};
pub use dates::{Precision, Span};
pub use dimension::{Dimension, DIMENSIONS, FIELDS};
pub use error::{Error, Result};
pub use set::{AnalysisSet, SetNotes};
pub use table::{
    Category, Cell, DateExclusions, Filter, Query, RecordRef, Suppressed, Table, Unit, NOT_RECORDED,
};

/// A dimension's name in a language, as the dashboard and the CLI print it.
pub fn dimension_label(dim: Dimension, lang: &str) -> String {
    dimension::labels()
        .dimensions
        .get(dim.id())
        .map(|l| l.get(lang).to_string())
        .unwrap_or_else(|| dim.id().to_string())
}
