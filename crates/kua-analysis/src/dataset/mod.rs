//! Datasets for analysts: one table per entity with stable ids, codes and labels,
//! dates with their precision, multi-selects both as `|`-joined codes and as one 0/1
//! column per option, and a codebook. Only coded, non-identifying fields go out (no free
//! text, no field the template marks identifying), and only records whose consent
//! covers the coalition.
//!
//! CSV files are UTF-8 with a byte-order mark (Excel in Russian and Kazakh locales
//! misreads UTF-8 without one), comma-separated, RFC 4180 quoting, and every cell that
//! a spreadsheet would read as a formula (beginning with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) is prefixed with `'` (CWE-1236).
//!
//! `columns.rs` says which fields go out and how; `codebook.rs` describes them;
//! `write.rs` renders and writes the files; `sql.rs` generates the PostgreSQL schema
//! and load script from the same tables.

use crate::dimension::{self, Dimension};
use crate::error::Result;
use crate::set::shareable;
use kua_core::template::{self, Field, FieldType, Template};
use kua_core::{AnalysisRecord, AnalysisRecords};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

mod codebook;
mod columns;
mod sql;
mod write;

use codebook::codebook;
use columns::{carried, cells_of, columns_of, text};
pub use sql::{dataset_tables, postgres_load, postgres_schema};
pub use write::csv_record;
use write::write_all;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DatasetFormat {
    Csv,
    Json,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DatasetReport {
    /// Files written, with their row counts.
    pub files: Vec<(String, u64)>,
    /// Records exported.
    pub records: u64,
    /// Records left out because their consent does not cover the coalition (or was
    /// withdrawn).
    pub withheld_consent: u64,
    /// Records left out because they are drafts.
    pub drafts: u64,
    /// Records left out because they could not be read (`kua verify` names them).
    pub unreadable: u64,
    /// Testimonies left out because their records do not fit together (`kua verify`
    /// names them).
    pub inconsistent: u64,
}

/// A table being built: its columns and rows of cells.
struct Sheet {
    name: String,
    columns: Vec<String>,
    /// PostgreSQL types of the columns (assets/sql/schema.sql is generated from them).
    types: Vec<&'static str>,
    /// Columns that identify a row.
    key: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Sheet {
    fn new(name: &str, columns: Vec<(String, &'static str)>, key: &[&'static str]) -> Sheet {
        let (columns, types) = columns.into_iter().unzip();
        Sheet {
            name: name.to_string(),
            columns,
            types,
            key: key.to_vec(),
            rows: Vec::new(),
        }
    }
}

const KEY: [&str; 2] = ["source", "record_id"];

/// The shape of a dataset: the template fields it carries and its empty tables.
struct Shape<'t> {
    tpl: &'t Template,
    top: Vec<&'t Field>,
    lists: Vec<(&'t Field, Vec<&'t Field>)>,
    sheets: Vec<Sheet>,
}

/// The tables of a dataset with labels in `lang` (`label` names the label columns
/// generically, as the PostgreSQL schema does).
fn shape(lang: &str) -> Option<Shape<'static>> {
    let tpl = template::find(template::DEFAULT_TEMPLATE)?;
    let top: Vec<&Field> = tpl
        .fields()
        .filter(|f| f.kind != FieldType::List && carried(f))
        .collect();
    let lists: Vec<(&Field, Vec<&Field>)> = tpl
        .fields()
        .filter(|f| f.kind == FieldType::List && !f.identifying)
        .map(|f| {
            (
                f,
                f.fields.iter().filter(|s| carried(s)).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, subs)| !subs.is_empty())
        .collect();
    let mut head = text(&KEY);
    head.push(("version".into(), "integer"));
    head.push(("template_version".into(), "integer"));
    head.extend(text(&[
        "record_language",
        "events_year",
        "events_month",
        "age_band",
    ]));
    for f in &top {
        head.extend(columns_of(f, lang));
    }
    let mut sheets = vec![
        Sheet::new("testimonies", head, &KEY),
        Sheet::new(
            "methods",
            text(&[
                "source",
                "record_id",
                "method",
                &format!("method__{lang}"),
                "huridocs",
            ]),
            &["source", "record_id", "method"],
        ),
    ];
    for (l, subs) in &lists {
        let mut c = text(&KEY);
        c.push(("item".into(), "integer"));
        for s in subs {
            c.extend(columns_of(s, lang));
        }
        sheets.push(Sheet::new(&l.id, c, &["source", "record_id", "item"]));
    }
    Some(Shape {
        tpl,
        top,
        lists,
        sheets,
    })
}

/// Writes the dataset of `input` (sealed records only; the caller leaves drafts out)
/// into `dir`, which must be new or empty. Returns what was written.
pub fn export_dataset(
    input: &AnalysisRecords,
    dir: &Path,
    format: DatasetFormat,
    lang: &str,
) -> Result<DatasetReport> {
    let mut report = DatasetReport {
        files: Vec::new(),
        records: 0,
        withheld_consent: 0,
        drafts: 0,
        unreadable: input.unreadable.len() as u64,
        inconsistent: input.inconsistent.len() as u64,
    };
    let Some(Shape {
        tpl,
        top,
        lists,
        mut sheets,
    }) = shape(lang)
    else {
        return Ok(report);
    };
    let mut list_sheets = sheets.split_off(2);
    let mut methods = sheets
        .pop()
        .unwrap_or_else(|| Sheet::new("methods", Vec::new(), &[]));
    let mut testimonies = sheets
        .pop()
        .unwrap_or_else(|| Sheet::new("testimonies", Vec::new(), &[]));
    for r in &input.records {
        if r.status != kua_core::model::Status::Sealed {
            report.drafts += 1;
            continue;
        }
        if !shareable(r.consent.as_ref()) {
            report.withheld_consent += 1;
            continue;
        }
        report.records += 1;
        // Own records go out under this vault's key id, as other vaults name them, so
        // that a union of several coordinators' datasets holds each record once.
        let source = match &r.source {
            kua_core::RecordSource::Own => input.own_key_id.clone(),
            other => dimension::source_code(other).to_string(),
        };
        let key = [source, r.id.clone()];
        testimonies.rows.push(testimony_row(r, &key, &top, lang));
        if let Some(f) = tpl.field("methods") {
            for code in dimension::codes(r, Dimension::Method, None) {
                let code = code.into_owned();
                let opt = f.options.iter().find(|o| o.id == code);
                methods.rows.push(vec![
                    key[0].clone(),
                    key[1].clone(),
                    code.clone(),
                    opt.map_or_else(|| code.clone(), |o| o.label.get(lang).to_string()),
                    opt.and_then(|o| o.huridocs.clone()).unwrap_or_default(),
                ]);
            }
        }
        for ((list, subs), sheet) in lists.iter().zip(&mut list_sheets) {
            let Some(Value::Array(items)) = r.fields.get(&list.id) else {
                continue;
            };
            for (n, item) in items.iter().enumerate() {
                let mut row = vec![key[0].clone(), key[1].clone(), (n + 1).to_string()];
                for s in subs {
                    row.extend(cells_of(s, item.get(&s.id), lang));
                }
                sheet.rows.push(row);
            }
        }
    }
    let mut sheets = vec![testimonies, methods];
    sheets.extend(list_sheets);
    sheets.push(codebook(tpl, &top, &lists));
    write_all(dir, &sheets, format, &mut report)?;
    Ok(report)
}

fn testimony_row(r: &AnalysisRecord, key: &[String; 2], top: &[&Field], lang: &str) -> Vec<String> {
    let date = dimension::events_date(r);
    let first = |d: Dimension| {
        dimension::codes(r, d, date.as_ref())
            .into_iter()
            .next()
            .map(|c| c.into_owned())
            .unwrap_or_default()
    };
    let mut row = vec![
        key[0].clone(),
        key[1].clone(),
        r.version.to_string(),
        r.template_version.to_string(),
        r.language.clone(),
        first(Dimension::Year),
        first(Dimension::Month),
        first(Dimension::AgeBand),
    ];
    for f in top {
        row.extend(cells_of(f, r.fields.get(&f.id), lang));
    }
    row
}
