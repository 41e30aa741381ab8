//! Which template fields a dataset carries, and the columns and cells each gives.

use crate::dates::Span;
use kua_core::template::{Field, FieldType};
use serde_json::Value;

pub(super) fn text(names: &[&str]) -> Vec<(String, &'static str)> {
    names.iter().map(|n| (n.to_string(), "text")).collect()
}

/// A template field the dataset carries: coded, not identifying, not free text.
pub(super) fn carried(f: &Field) -> bool {
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
pub(super) fn columns_of(f: &Field, lang: &str) -> Vec<(String, &'static str)> {
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
pub(super) fn cells_of(f: &Field, value: Option<&Value>, lang: &str) -> Vec<String> {
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
