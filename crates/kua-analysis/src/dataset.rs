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

use crate::dates::Span;
use crate::dimension::{self, Dimension};
use crate::error::{Error, Result};
use crate::set::shareable;
use kua_core::template::{self, Field, FieldType, Localized, Template};
use kua_core::{AnalysisRecord, AnalysisRecords};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

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

fn text(names: &[&str]) -> Vec<(String, &'static str)> {
    names.iter().map(|n| (n.to_string(), "text")).collect()
}

/// A template field the dataset carries: coded, not identifying, not free text.
fn carried(f: &Field) -> bool {
    !f.identifying
        && matches!(
            f.kind,
            FieldType::Choice
                | FieldType::MultiChoice
                | FieldType::Boolean
                | FieldType::Number
                | FieldType::Date
                | FieldType::Datetime
        )
}

/// The columns a field gives, in order, with their PostgreSQL types.
fn columns_of(f: &Field, lang: &str) -> Vec<(String, &'static str)> {
    match f.kind {
        FieldType::Choice => vec![
            (f.id.clone(), "text"),
            (format!("{}__{lang}", f.id), "text"),
        ],
        FieldType::MultiChoice => {
            let mut c = vec![(f.id.clone(), "text")];
            c.extend(
                f.options
                    .iter()
                    .map(|o| (format!("{}__{}", f.id, o.id), "smallint")),
            );
            c
        }
        FieldType::Date | FieldType::Datetime => {
            vec![
                (f.id.clone(), "text"),
                (format!("{}_precision", f.id), "text"),
            ]
        }
        FieldType::Boolean => vec![(f.id.clone(), "smallint")],
        FieldType::Number => vec![(f.id.clone(), "numeric")],
        _ => vec![(f.id.clone(), "text")],
    }
}

/// The cells a field gives for a value (the same count as `columns_of`).
fn cells_of(f: &Field, value: Option<&Value>, lang: &str) -> Vec<String> {
    let label = |code: &str| {
        f.options
            .iter()
            .find(|o| o.id == code)
            .map_or_else(|| code.to_string(), |o| o.label.get(lang).to_string())
    };
    match f.kind {
        FieldType::Choice => match value.and_then(Value::as_str) {
            Some(code) => vec![code.to_string(), label(code)],
            None => vec![String::new(), String::new()],
        },
        FieldType::MultiChoice => {
            let chosen: Vec<&str> = value
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut c = vec![chosen.join("|")];
            // An unanswered question is empty in every column, not a row of zeros.
            c.extend(f.options.iter().map(|o| {
                if chosen.is_empty() {
                    String::new()
                } else if chosen.contains(&o.id.as_str()) {
                    "1".into()
                } else {
                    "0".into()
                }
            }));
            c
        }
        FieldType::Date | FieldType::Datetime => {
            match value.and_then(Value::as_str).and_then(Span::parse) {
                Some(s) => vec![s.text(), s.precision.id().to_string()],
                None => vec![String::new(), String::new()],
            }
        }
        FieldType::Boolean => vec![match value.and_then(Value::as_bool) {
            Some(true) => "1".into(),
            Some(false) => "0".into(),
            None => String::new(),
        }],
        FieldType::Number => vec![value
            .and_then(Value::as_f64)
            .filter(|n| n.is_finite())
            .map(|n| n.to_string())
            .unwrap_or_default()],
        _ => vec![String::new()],
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

/// One row per column (and per code of a coded column): what it holds, in three
/// languages, with HURIDOCS codes where the template has them.
fn codebook(tpl: &Template, top: &[&Field], lists: &[(&Field, Vec<&Field>)]) -> Sheet {
    let mut s = Sheet::new(
        "codebook",
        text(&[
            "table", "column", "type", "label_en", "label_ru", "label_kk", "code", "code_en",
            "code_ru", "code_kk", "huridocs",
        ]),
        &[],
    );
    let mut push = |table: &str,
                    column: &str,
                    kind: &str,
                    label: &Localized,
                    code: Option<(&str, &Localized, Option<&str>)>| {
        let mut row = vec![
            table.into(),
            column.into(),
            kind.into(),
            label.en.clone(),
            label.ru.clone(),
            label.kk.clone(),
        ];
        match code {
            Some((c, l, h)) => row.extend([
                c.into(),
                l.en.clone(),
                l.ru.clone(),
                l.kk.clone(),
                h.unwrap_or("").into(),
            ]),
            None => row.extend(std::iter::repeat_n(String::new(), 5)),
        }
        s.rows.push(row);
    };
    let derived = |id: &str, en: &str, ru: &str, kk: &str| {
        (
            id.to_string(),
            Localized {
                en: en.into(),
                ru: ru.into(),
                kk: kk.into(),
            },
        )
    };
    for (col, label) in [
        derived(
            "source",
            "Source: own, or the sender's key id",
            "Источник: own или идентификатор ключа отправителя",
            "Дереккөз: own немесе жіберушінің кілт идентификаторы",
        ),
        derived(
            "record_id",
            "Record id (stable, not identifying)",
            "Идентификатор записи (постоянный, не идентифицирующий)",
            "Жазба идентификаторы (тұрақты, тұлғаны анықтамайды)",
        ),
        derived(
            "version",
            "Sealed version counted",
            "Учтённая запечатанная версия",
            "Есепке алынған мөрленген нұсқа",
        ),
        derived(
            "template_version",
            "Template version",
            "Версия шаблона",
            "Үлгі нұсқасы",
        ),
        derived(
            "record_language",
            "Language of the record",
            "Язык записи",
            "Жазба тілі",
        ),
        derived(
            "events_year",
            "Year of the events",
            "Год событий",
            "Оқиға болған жыл",
        ),
        derived(
            "events_month",
            "Month of the events (YYYY-MM), when known",
            "Месяц событий (ГГГГ-ММ), если известен",
            "Оқиға болған ай (ЖЖЖЖ-АА), белгілі болса",
        ),
    ] {
        push("testimonies", &col, "derived", &label, None);
    }
    if let Some(l) = dimension::labels().dimensions.get("age_band") {
        for (code, cl) in dimension::age_bands() {
            push(
                "testimonies",
                "age_band",
                "derived",
                l,
                Some((code, cl, None)),
            );
        }
    }
    let mut field = |table: &str, f: &Field| {
        let kind = serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        if f.options.is_empty() {
            push(table, &f.id, &kind, &f.label, None);
        }
        for o in &f.options {
            push(
                table,
                &f.id,
                &kind,
                &f.label,
                Some((&o.id, &o.label, o.huridocs.as_deref())),
            );
        }
    };
    for f in top {
        field("testimonies", f);
    }
    if let Some(m) = tpl.field("methods") {
        field("methods", m);
    }
    for (l, subs) in lists {
        for s in subs {
            field(&l.id, s);
        }
    }
    s
}

/// The PostgreSQL schema of a union of datasets (`assets/sql/schema.sql` is this text;
/// a test fails when the two differ). Label columns are named `…__label`: `\copy`
/// maps columns by position, so a dataset in any language loads.
pub fn postgres_schema() -> String {
    let mut out = String::from(
        "-- The union of Kua datasets (kua dataset export) from several coordinators.\n\
         -- Generated from crates/kua-analysis/src/dataset.rs; regenerate with\n\
         -- KUA_BLESS=1 cargo test -p kua-analysis schema. Load with assets/sql/load.sql.\n",
    );
    let Some(shape) = shape("label") else {
        return out;
    };
    let mut sheets = shape.sheets;
    sheets.push(codebook(shape.tpl, &shape.top, &shape.lists));
    for sheet in &sheets {
        out.push_str(&format!("\nCREATE TABLE IF NOT EXISTS {} (\n", sheet.name));
        let mut lines: Vec<String> = sheet
            .columns
            .iter()
            .zip(&sheet.types)
            .map(|(c, t)| format!("    \"{c}\" {t}"))
            .collect();
        if !sheet.key.is_empty() {
            let key: Vec<String> = sheet.key.iter().map(|k| format!("\"{k}\"")).collect();
            lines.push(format!("    PRIMARY KEY ({})", key.join(", ")));
        }
        out.push_str(&lines.join(",\n"));
        out.push_str("\n);\n");
    }
    out
}

/// The psql script that loads one dataset folder into the union (`assets/sql/load.sql`
/// is this text). A record already loaded from another coordinator's dataset is
/// replaced only by a later version of it, with its rows in every table.
pub fn postgres_load() -> String {
    let tables = dataset_tables();
    let records = &tables[..tables.len() - 1];
    let mut out = String::from(
        "-- Loads one Kua dataset folder (CSV, from kua dataset export) into the union.\n\
         -- Generated from crates/kua-analysis/src/dataset.rs. Run once per coordinator:\n\
         --   psql -v dir=/path/to/dataset -f /abs/schema.sql -f /abs/load.sql\n\
         -- (\\copy does not expand variables, so the script moves into the folder, whose\n\
         -- path may not contain spaces; give the script files as absolute paths).\n\
         \\set ON_ERROR_STOP on\n\
         \\cd :dir\n\
         BEGIN;\n",
    );
    for t in &tables {
        out.push_str(&format!(
            "CREATE TEMP TABLE s_{t} (LIKE {t}) ON COMMIT DROP;\n\
             \\copy s_{t} FROM '{t}.csv' WITH (FORMAT csv, HEADER true)\n"
        ));
    }
    out.push_str(
        "CREATE TEMP TABLE newer ON COMMIT DROP AS\n  \
         SELECT s.source, s.record_id FROM s_testimonies s\n  \
         LEFT JOIN testimonies t USING (source, record_id)\n  \
         WHERE t.record_id IS NULL OR s.version > t.version;\n",
    );
    for t in records {
        out.push_str(&format!(
            "DELETE FROM {t} x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;\n\
             INSERT INTO {t} SELECT s.* FROM s_{t} s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;\n"
        ));
    }
    out.push_str(
        "DELETE FROM codebook;\nINSERT INTO codebook SELECT * FROM s_codebook;\nCOMMIT;\n",
    );
    out
}

/// The tables a dataset holds, in load order (for `assets/sql/load.sql`).
pub fn dataset_tables() -> Vec<String> {
    let mut names: Vec<String> = shape("label")
        .map(|s| s.sheets.into_iter().map(|s| s.name).collect())
        .unwrap_or_default();
    names.push("codebook".into());
    names
}

/// A cell a spreadsheet would take for a formula, made inert.
pub(crate) fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    // A plain number ("-1") is no formula, and a numeric column must load as one.
    let number = cell.parse::<f64>().is_ok_and(f64::is_finite) && !cell.contains(['e', 'E']);
    if !number && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn csv_line(out: &mut Vec<u8>, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let c = neutralise(c);
        if c.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend(c.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend(c.as_bytes());
        }
    }
    out.extend(b"\r\n");
}

fn render(sheet: &Sheet, format: DatasetFormat) -> Vec<u8> {
    match format {
        DatasetFormat::Csv => {
            let mut out = "\u{feff}".as_bytes().to_vec();
            csv_line(&mut out, &sheet.columns);
            for r in &sheet.rows {
                csv_line(&mut out, r);
            }
            out
        }
        DatasetFormat::Json => {
            let rows: Vec<serde_json::Map<String, Value>> = sheet
                .rows
                .iter()
                .map(|r| {
                    sheet
                        .columns
                        .iter()
                        .zip(r)
                        .map(|(c, v)| (c.clone(), Value::String(v.clone())))
                        .collect()
                })
                .collect();
            serde_json::to_vec_pretty(&rows).unwrap_or_default()
        }
    }
}

fn write_all(
    dir: &Path,
    sheets: &[Sheet],
    format: DatasetFormat,
    report: &mut DatasetReport,
) -> Result<()> {
    let werr = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Write { path, source }
    };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(werr(dir))?;
        if entries.next().is_some() {
            return Err(Error::NotEmpty(dir.display().to_string()));
        }
    } else {
        // Only the user reads a dataset they saved (0700, files 0600).
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(werr(dir))?;
    }
    let ext = match format {
        DatasetFormat::Csv => "csv",
        DatasetFormat::Json => "json",
    };
    let mut written: Vec<PathBuf> = Vec::new();
    for sheet in sheets {
        let path = dir.join(format!("{}.{ext}", sheet.name));
        // Each file appears complete or not at all (kua_core::save_file).
        let res = kua_core::save_file(&path, &render(sheet, format))
            .map_err(|e| std::io::Error::other(e.to_string()));
        if let Err(e) = res {
            // A half-written dataset is worse than none: take back what was written.
            for p in written.iter().chain([&path]) {
                let _ = std::fs::remove_file(p);
            }
            return Err(werr(&path)(e));
        }
        written.push(path);
        report
            .files
            .push((format!("{}.{ext}", sheet.name), sheet.rows.len() as u64));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_made_inert() {
        for c in [
            "=HYPERLINK(\"x\")",
            "+A1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-1e3",
        ] {
            assert!(neutralise(c).starts_with('\''), "{c:?}");
        }
        assert_eq!(neutralise("KZ-75"), "KZ-75");
        assert_eq!(neutralise("-1"), "-1");
        let mut out = Vec::new();
        csv_line(&mut out, &["a,b".into(), "say \"hi\"".into(), "=1".into()]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",'=1\r\n"
        );
    }
}
