//! A record's values as a report prints them: every field of the template, in its
//! order, labelled in the report's language, with "not recorded" where a field is
//! empty and "withheld" where anonymity keeps it out.

use crate::labels::{date, Labels};
use kua_core::template::{is_empty, Field, FieldType, Template};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One labelled value. `items` holds the entries of a list field, each a set of rows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub label: String,
    pub value: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mono: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Vec<Row>>>,
    /// A body map, drawn with its marks and their table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<Box<crate::bodymap::MapOut>>,
}

impl Row {
    pub(crate) fn text(label: impl Into<String>, value: impl Into<String>) -> Row {
        Row {
            label: label.into(),
            value: value.into(),
            mono: false,
            items: None,
            map: None,
        }
    }

    pub(crate) fn mono(label: impl Into<String>, value: impl Into<String>) -> Row {
        Row {
            mono: true,
            ..Row::text(label, value)
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SectionOut {
    pub title: String,
    pub rows: Vec<Row>,
}

/// How identifying fields are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Identifying {
    Shown,
    Withheld,
}

pub(crate) struct Printer<'a> {
    pub labels: Labels,
    pub identifying: Identifying,
    /// The template version the record was filled in.
    pub template: &'a Template,
    /// The current version of that template: a field either version marks identifying
    /// is withheld, as export redaction (which reads the current one) would.
    pub latest: Option<&'a Template>,
    /// The evidence annex's number of each attachment id, for a mark's photographs.
    pub annex: BTreeMap<String, usize>,
}

impl Printer<'_> {
    /// Every section of the template with every field, then any stored field the
    /// template does not know (an older record), so that nothing sealed goes unprinted.
    pub(crate) fn sections(&self, values: &BTreeMap<String, Value>) -> Vec<SectionOut> {
        let lang = self.labels.lang;
        let mut out: Vec<SectionOut> = self
            .template
            .sections
            .iter()
            .map(|s| SectionOut {
                title: s.title.get(lang).to_string(),
                rows: s
                    .fields
                    .iter()
                    .map(|f| self.row(f, values.get(&f.id)))
                    .collect(),
            })
            .collect();
        let unknown: Vec<Row> = values
            .iter()
            .filter(|(id, _)| self.template.field(id).is_none())
            .map(|(id, v)| {
                // A field the template cannot judge is treated as identifying.
                let value = if self.identifying == Identifying::Withheld {
                    self.labels.withheld()
                } else {
                    plain(v)
                };
                Row::text(id.clone(), value)
            })
            .collect();
        if !unknown.is_empty() {
            out.push(SectionOut {
                title: "—".into(),
                rows: unknown,
            });
        }
        out
    }

    fn row(&self, field: &Field, value: Option<&Value>) -> Row {
        let label = field.label.get(self.labels.lang).to_string();
        if self.identifying == Identifying::Withheld && self.is_identifying(field) {
            return Row::text(label, self.labels.withheld());
        }
        let value = value.filter(|v| !field.is_empty(v));
        let Some(value) = value else {
            return Row::text(label, self.labels.get("not_recorded"));
        };
        if field.kind == FieldType::BodyMap {
            // A map that does not read (a received record's, not validated here) is
            // never printed as raw JSON where notes must be withheld.
            if self.identifying == Identifying::Withheld
                && kua_core::body::BodyMap::from_value(value).is_none()
            {
                return Row::text(label, self.labels.withheld());
            }
            if let Some(map) = kua_core::body::BodyMap::from_value(value) {
                let map = crate::bodymap::map_out(
                    &map,
                    self.template,
                    field,
                    self.labels,
                    self.identifying,
                    &self.annex,
                );
                return Row {
                    map: Some(Box::new(map)),
                    ..Row::text(label, String::new())
                };
            }
        }
        if field.kind == FieldType::List {
            // A list stored as something else cannot be judged by its sub-fields.
            if !value.is_array() && self.identifying == Identifying::Withheld {
                return Row::text(label, self.labels.withheld());
            }
            let items = value
                .as_array()
                .map(|items| items.iter().map(|item| self.item(field, item)).collect())
                .unwrap_or_default();
            return Row {
                items: Some(items),
                ..Row::text(label, plain(value))
            };
        }
        Row::text(label, self.value(field, value))
    }

    fn is_identifying(&self, field: &Field) -> bool {
        field.identifying
            || self.latest.is_some_and(|t| {
                t.fields()
                    .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
                    .any(|f| f.id == field.id && f.identifying)
            })
    }

    fn item(&self, field: &Field, item: &Value) -> Vec<Row> {
        let empty = serde_json::Map::new();
        let map = item.as_object().unwrap_or(&empty);
        let mut rows: Vec<Row> = field
            .fields
            .iter()
            .filter(|f| map.get(&f.id).is_some_and(|v| !f.is_empty(v)))
            .map(|f| self.row(f, map.get(&f.id)))
            .collect();
        for (k, v) in map {
            if !field.fields.iter().any(|f| &f.id == k) && !is_empty(v) {
                let value = if self.identifying == Identifying::Withheld {
                    self.labels.withheld()
                } else {
                    plain(v)
                };
                rows.push(Row::text(k.clone(), value));
            }
        }
        if rows.is_empty() {
            rows.push(Row::text("", self.labels.get("not_recorded")));
        }
        rows
    }

    fn value(&self, field: &Field, value: &Value) -> String {
        let lang = self.labels.lang;
        let choice = |id: &str| {
            field
                .options
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.label.get(lang).to_string())
                .unwrap_or_else(|| id.to_string())
        };
        match (field.kind, value) {
            (FieldType::Boolean, Value::Bool(b)) => self.labels.yes_no(*b),
            (FieldType::Date | FieldType::Datetime, Value::String(s)) => date(lang, s),
            (FieldType::Choice, Value::String(s)) => choice(s),
            (FieldType::MultiChoice, Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(choice).unwrap_or_else(|| plain(v)))
                .collect::<Vec<_>>()
                .join("; "),
            _ => plain(value),
        }
    }
}

/// A value as text, exactly as stored.
pub(crate) fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
