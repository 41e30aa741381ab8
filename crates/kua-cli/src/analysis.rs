//! `kua stats` and `kua dataset export`: the analysis set built in memory at each run,
//! printed as a table, JSON or CSV, or written as a dataset.

use anyhow::{bail, Result};
use kua_analysis::{
    dimension_label, export_dataset, AnalysisSet, DatasetFormat, Dimension, Query, Suppressed,
    Table, Unit,
};
use kua_core::Vault;
use serde_json::{json, Value};
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug)]
pub struct StatsRequest {
    pub by: Vec<String>,
    pub filters: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub include_drafts: bool,
    pub public: bool,
    pub lang: String,
    pub count: String,
}

fn lang(l: &str) -> Result<&str> {
    match l {
        "en" | "ru" | "kk" => Ok(l),
        _ => bail!("--lang must be en, ru or kk, not {l:?}"),
    }
}

pub fn stats(vault: &mut Vault, r: &StatsRequest, json: bool, csv: bool) -> Result<ExitCode> {
    if json && csv {
        bail!("choose one of --json and --csv");
    }
    let lang = lang(&r.lang)?;
    let mut query = Query {
        by: r
            .by
            .iter()
            .map(|d| Dimension::parse(d))
            .collect::<kua_analysis::Result<_>>()?,
        from: r.from.clone(),
        to: r.to.clone(),
        public: r.public,
        ..Query::default()
    };
    for f in &r.filters {
        query.add_filter(f)?;
    }
    let persons = match r.count.as_str() {
        "testimonies" => false,
        "persons" => true,
        other => bail!("--count must be testimonies or persons, not {other:?}"),
    };
    let set = if persons {
        query.count = Some(Unit::Persons);
        // Linkage is of sealed records, as in the app: a draft counted on request is a
        // person of its own.
        let linkage = kua_analysis::persons::link(vault)?;
        let mut set = AnalysisSet::build(
            vault.analysis_records(r.include_drafts, Some(kua_analysis::FIELDS))?,
        );
        set.link_persons(&linkage);
        set
    } else {
        AnalysisSet::build(vault.analysis_records(r.include_drafts, Some(kua_analysis::FIELDS))?)
    };
    let table = set.table(&query, lang)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&as_json(&table))?);
    } else if csv {
        print!("{}", as_csv(&table, lang));
    } else {
        print_table(&table, lang);
    }
    Ok(ExitCode::SUCCESS)
}

/// A count as published: the number, `<5` when withheld for being small, `x` when
/// withheld only so that a small one cannot be worked out (it may be of any size).
fn count_value(c: Option<u64>, why: Option<Suppressed>) -> Value {
    match c {
        Some(n) => json!(n),
        None => json!(count_text(None, why)),
    }
}

fn count_text(c: Option<u64>, why: Option<Suppressed>) -> String {
    match (c, why) {
        (Some(n), _) => n.to_string(),
        (None, Some(Suppressed::Complement)) => "x".into(),
        (None, _) => format!("<{}", kua_analysis::suppress::THRESHOLD),
    }
}

/// A side count (records left out) as published: under five, only `<5`.
fn side_value(n: u64, public: bool) -> Value {
    if public && (1..kua_analysis::suppress::THRESHOLD).contains(&n) {
        json!(format!("<{}", kua_analysis::suppress::THRESHOLD))
    } else {
        json!(n)
    }
}

fn side_text(n: u64, public: bool) -> String {
    match side_value(n, public) {
        Value::String(s) => s,
        v => v.to_string(),
    }
}

/// `{total, rows: [{dim: code|null, …, count}], …}`: the contract scripts rely on.
fn as_json(t: &Table) -> Value {
    let rows: Vec<Value> = t
        .cells
        .iter()
        .map(|c| {
            let mut row = serde_json::Map::new();
            for (d, code) in t.by.iter().zip(&c.codes) {
                row.insert(d.id().to_string(), json!(code));
            }
            row.insert("count".into(), count_value(c.count, c.withheld));
            Value::Object(row)
        })
        .collect();
    let p = t.public;
    json!({
        "total": count_value(t.total, None),
        "by": t.by.iter().map(|d| d.id()).collect::<Vec<_>>(),
        "rows": rows,
        "public": t.public,
        "unit": t.unit,
        "excluded": {
            "no_date": side_value(t.excluded.no_date, p),
            "imprecise_date": side_value(t.excluded.imprecise, p),
            "consent": side_value(t.excluded.consent, p),
            "withdrawn": side_value(t.notes.withdrawn, p),
            "unreadable": side_value(t.notes.unreadable, p),
            "inconsistent": side_value(t.notes.inconsistent, p),
        },
        "drafts_counted": t.notes.drafts,
        "unreadable_decisions": t.notes.unreadable_decisions,
    })
}

fn label_of(t: &Table, axis: usize, code: &Option<String>) -> String {
    t.axes[axis]
        .iter()
        .find(|c| &c.code == code)
        .map(|c| c.label.clone())
        .unwrap_or_default()
}

fn share(count: Option<u64>, total: Option<u64>) -> String {
    match (count, total) {
        (Some(c), Some(t)) if t > 0 => format!("{:.1}", c as f64 * 100.0 / t as f64),
        _ => String::new(),
    }
}

/// Codes, labels, count and the share of the selection's records.
fn as_csv(t: &Table, lang: &str) -> String {
    let mut out = String::new();
    let mut head: Vec<String> = t.by.iter().map(|d| d.id().to_string()).collect();
    head.extend(t.by.iter().map(|d| format!("{}__{lang}", d.id())));
    head.extend(["count".into(), "percent_of_records".into()]);
    out.push_str(&kua_analysis::csv_record(&head));
    for c in &t.cells {
        let mut row: Vec<String> = c
            .codes
            .iter()
            .map(|x| x.clone().unwrap_or_default())
            .collect();
        row.extend((0..t.by.len()).map(|a| label_of(t, a, &c.codes[a])));
        row.push(count_text(c.count, c.withheld));
        row.push(share(c.count, t.total));
        out.push_str(&kua_analysis::csv_record(&row));
    }
    out
}

fn print_table(t: &Table, lang: &str) {
    let total = count_text(t.total, None);
    let unit = match t.unit {
        Unit::Testimonies => "records",
        Unit::Persons => "persons",
    };
    if t.by.is_empty() {
        println!("{total} {unit}");
    }
    for c in &t.cells {
        let labels: Vec<String> = (0..t.by.len())
            .map(|a| label_of(t, a, &c.codes[a]))
            .collect();
        let pct = share(c.count, t.total);
        let pct = if pct.is_empty() {
            String::new()
        } else {
            format!("  {pct}%")
        };
        println!(
            "{:>6}{pct:>9}  {}",
            count_text(c.count, c.withheld),
            labels.join(" × ")
        );
    }
    if !t.by.is_empty() {
        let names: Vec<String> = t.by.iter().map(|d| dimension_label(*d, lang)).collect();
        println!("— by {}; percentages of {total} {unit}", names.join(" × "));
        if t.unit == Unit::Persons {
            println!("  (each person once per category, whatever number of their testimonies name it: the counts may add up to more than {total})");
        } else if t.by.iter().any(|d| d.multi()) {
            println!("  (a record may count under several categories, so the counts add up to more than {total})");
        }
    }
    let e = t.excluded;
    let p = t.public;
    if e.no_date + e.imprecise > 0 {
        println!(
            "  not counted: {} without a date of the events, {} with a date too approximate for the range",
            side_text(e.no_date, p),
            side_text(e.imprecise, p)
        );
    }
    if e.consent > 0 {
        println!(
            "  not counted: {} whose consent covers neither the coalition nor publication",
            side_text(e.consent, p)
        );
    }
    if t.notes.withdrawn > 0 {
        println!(
            "  not counted: {} whose consent was withdrawn",
            side_text(t.notes.withdrawn, p)
        );
    }
    if t.notes.unreadable > 0 {
        println!(
            "  not counted: {} that could not be read (run `kua verify`)",
            side_text(t.notes.unreadable, p)
        );
    }
    if t.notes.inconsistent > 0 {
        let noun = if t.notes.inconsistent == 1 && !p {
            "testimony"
        } else {
            "testimonies"
        };
        println!(
            "  not counted: {} {noun} whose records do not fit together (run `kua verify`)",
            side_text(t.notes.inconsistent, p)
        );
    }
    if t.notes.drafts > 0 {
        println!("  includes {} drafts", t.notes.drafts);
    }
    if t.notes.unreadable_decisions > 0 {
        println!(
            "  {} reviewers' decisions could not be read and were left out: persons may be joined or split otherwise than decided (run `kua verify`)",
            t.notes.unreadable_decisions
        );
    }
    if t.public {
        println!(
            "  counts under {} are withheld",
            kua_analysis::suppress::THRESHOLD
        );
    }
}

pub fn dataset(
    vault: &mut Vault,
    out: &Path,
    format: &str,
    l: &str,
    json: bool,
) -> Result<ExitCode> {
    let format = match format {
        "csv" => DatasetFormat::Csv,
        "json" => DatasetFormat::Json,
        other => bail!("--format must be csv or json, not {other:?}"),
    };
    let records = vault.analysis_records(false, None)?;
    let report = export_dataset(&records, out, format, lang(l)?)?;
    crate::output::emit(json, &report, || {
        for (file, rows) in &report.files {
            println!("{rows:>7}  {file}");
        }
        println!(
            "{} records written to {}; left out: {} whose consent does not cover the coalition (or was withdrawn), {} that could not be read, {} whose records do not fit together (run `kua verify`)",
            report.records,
            out.display(),
            report.withheld_consent,
            report.unreadable,
            report.inconsistent
        );
    })
}
