//! Form templates: data files under `assets/templates/`, embedded at build time, and
//! validation of a testimony's fields against them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A label in the three UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: String,
    pub ru: String,
    pub kk: String,
}

impl Localized {
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "ru" => &self.ru,
            "kk" => &self.kk,
            _ => &self.en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    Date,
    Datetime,
    Number,
    Boolean,
    Choice,
    MultiChoice,
    List,
    /// Marks on body diagrams and the examination status of each region (`body` module).
    BodyMap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: Localized,
    /// The term's code in the HURIDOCS micro-thesauri, where they have one (methods:
    /// list 5, perpetrator types: list 24, location types: list 17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub huridocs: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    /// Must be filled before a version can be sealed.
    #[serde(default)]
    pub required: bool,
    /// Its absence weakens the evidence; reported by the readiness check.
    #[serde(default)]
    pub recommended: bool,
    /// Names or locates a person; pseudonymised when an export asks for redaction.
    #[serde(default)]
    pub identifying: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Sub-fields of each item of a `list`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// For a `body_map`: the field (or list sub-field) whose options a mark's alleged
    /// method is chosen from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub methods_from: Option<String>,
    /// For a `body_map`: the field (or list sub-field) whose options grade a mark's
    /// consistency with the method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub grades_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub title: Localized,
    pub description: Localized,
    pub sections: Vec<Section>,
}

/// The templates shipped with this build, each at its current version.
const BUILTIN: &[&str] = &[include_str!(
    "../../../../assets/templates/istanbul-2022.json"
)];

/// Earlier versions of the built-in templates, kept so that a record keeps showing with
/// the form it was filled in. Each current version is a superset of its earlier ones
/// (same fields, same types, every option kept), so that a record of an earlier version
/// also validates against the current one; a unit test holds that.
const HISTORY: &[&str] = &[
    include_str!("../../../../assets/templates/history/istanbul-2022.v1.json"),
    include_str!("../../../../assets/templates/history/istanbul-2022.v2.json"),
];

/// The template a testimony gets when its input names none.
pub const DEFAULT_TEMPLATE: &str = "istanbul-2022";

/// All built-in templates, parsed once. A template that fails to parse is a build
/// defect, caught by the unit test below; at run time it is skipped rather than
/// crashing the app.
pub fn builtin() -> &'static [Template] {
    static PARSED: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        BUILTIN
            .iter()
            .filter_map(|src| serde_json::from_str(src).ok())
            .collect()
    })
}

pub fn find(id: &str) -> Option<&'static Template> {
    builtin().iter().find(|t| t.id == id)
}

/// Every earlier version of the built-in templates.
pub fn history() -> &'static [Template] {
    static PARSED: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        HISTORY
            .iter()
            .filter_map(|src| serde_json::from_str(src).ok())
            .collect()
    })
}

/// One version of a template: the current one or an earlier one.
pub fn find_version(id: &str, version: u32) -> Option<&'static Template> {
    builtin()
        .iter()
        .chain(history())
        .find(|t| t.id == id && t.version == version)
}

/// One problem with a testimony's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValidationError {
    /// The field's path: `methods`, or `perpetrators[1].agency` inside a list.
    pub field: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    /// The template has no such field.
    UnknownField,
    /// The value has the wrong JSON type.
    WrongType { expected: FieldType },
    /// The value is not one of the field's options. (Problems never repeat the value:
    /// it may be testimony content, and error text can end up in places content must not.)
    NotAnOption,
    /// A date that is not YYYY, YYYY-MM or YYYY-MM-DD, or a datetime not YYYY-MM-DDTHH:MM.
    BadDate,
    /// A required field is empty (checked on seal), or a mark lacks a required part.
    Missing,
    /// A body map names a region the atlas does not have.
    UnknownRegion,
    /// A mark's region is not drawn on the mark's view (a sole on the front view).
    RegionNotOnView,
    /// A mark's position lies outside its drawing (x or y outside 0 to 1).
    OutsideDiagram,
    /// A number outside what it can be: a mark numbered 0, a size of 0 cm or over 250.
    OutOfRange,
    /// Two marks share a number.
    DuplicateMark,
    /// A mark links a photograph that is not attached to this testimony.
    NotAttached,
}

/// Everything wrong with a content, all at once, so a form can mark every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the testimony does not fit its template: ")?;
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match &e.problem {
                Problem::UnknownField => write!(f, "{}: no such field", e.field)?,
                Problem::WrongType { expected } => {
                    write!(f, "{}: expected a {}", e.field, type_name(*expected))?
                }
                Problem::NotAnOption => write!(f, "{}: not one of its options", e.field)?,
                Problem::BadDate => write!(
                    f,
                    "{}: not a date (YYYY-MM-DD, YYYY-MM or YYYY; times as YYYY-MM-DDTHH:MM)",
                    e.field
                )?,
                Problem::Missing => write!(f, "{}: required before sealing", e.field)?,
                Problem::UnknownRegion => write!(f, "{}: no such body region", e.field)?,
                Problem::RegionNotOnView => {
                    write!(f, "{}: the region is not drawn on that view", e.field)?
                }
                Problem::OutsideDiagram => write!(
                    f,
                    "{}: the position lies outside the drawing (0 to 1)",
                    e.field
                )?,
                Problem::OutOfRange => write!(f, "{}: out of range", e.field)?,
                Problem::DuplicateMark => write!(f, "{}: another mark has this number", e.field)?,
                Problem::NotAttached => write!(
                    f,
                    "{}: the photograph is not attached to this testimony",
                    e.field
                )?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Text | FieldType::LongText => "text string",
        FieldType::Date => "date string",
        FieldType::Datetime => "date-time string",
        FieldType::Number => "number",
        FieldType::Boolean => "true or false",
        FieldType::Choice => "option id string",
        FieldType::MultiChoice => "array of option ids",
        FieldType::List => "array of objects",
        FieldType::BodyMap => "body map object",
    }
}

impl Template {
    pub fn fields(&self) -> impl Iterator<Item = &Field> + Clone {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().find(|f| f.id == id)
    }

    /// A field or a sub-field of a list, by id (ids are unique across both).
    pub fn any_field(&self, id: &str) -> Option<&Field> {
        self.fields()
            .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
            .find(|f| f.id == id)
    }

    /// Checks every value: known field, right type, valid option or date. With
    /// `for_seal`, required fields must also be filled.
    pub fn validate(
        &self,
        values: &BTreeMap<String, Value>,
        for_seal: bool,
    ) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        check_values(self, self.fields(), values, "", &mut errors);
        if for_seal {
            errors.extend(crate::body::check_complete(self, values));
            for f in self.fields().filter(|f| f.required) {
                if values.get(&f.id).is_none_or(|v| f.is_empty(v)) {
                    errors.push(ValidationError {
                        field: f.id.clone(),
                        problem: Problem::Missing,
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// Which required and recommended fields are still empty.
    pub fn missing(&self, values: &BTreeMap<String, Value>) -> (Vec<String>, Vec<String>) {
        let empty = |f: &&Field| values.get(&f.id).is_none_or(|v| f.is_empty(v));
        let required = self.fields().filter(|f| f.required).filter(empty);
        let recommended = self
            .fields()
            .filter(|f| f.recommended && !f.required)
            .filter(empty);
        (
            required.map(|f| f.id.clone()).collect(),
            recommended.map(|f| f.id.clone()).collect(),
        )
    }
}

/// Whether a value counts as empty: what "required" and "recommended" check, and what
/// a report prints as "not recorded".
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

impl Field {
    /// Whether this field's value counts as empty. A body map is filled once it has a
    /// mark or a region's examination: a figure or a mark counter alone records nothing.
    pub fn is_empty(&self, v: &Value) -> bool {
        match self.kind {
            FieldType::BodyMap if v.is_object() => ["marks", "regions"]
                .iter()
                .all(|k| v.get(*k).is_none_or(is_empty)),
            _ => is_empty(v),
        }
    }
}

fn check_values<'a>(
    tpl: &Template,
    fields: impl Iterator<Item = &'a Field> + Clone,
    values: &BTreeMap<String, Value>,
    prefix: &str,
    errors: &mut Vec<ValidationError>,
) {
    for (id, value) in values {
        let path = format!("{prefix}{id}");
        match fields.clone().find(|f| &f.id == id) {
            // A key the template does not know may be content typed in the wrong place:
            // the path does not repeat it unless it reads as an id.
            None => errors.push(ValidationError {
                field: format!("{prefix}{}", crate::body::key_in_path(id)),
                problem: Problem::UnknownField,
            }),
            Some(field) => check_value(tpl, field, value, &path, errors),
        }
    }
}

fn check_value(
    tpl: &Template,
    field: &Field,
    value: &Value,
    path: &str,
    errors: &mut Vec<ValidationError>,
) {
    let mut push = |problem| {
        errors.push(ValidationError {
            field: path.to_string(),
            problem,
        })
    };
    let wrong = Problem::WrongType {
        expected: field.kind,
    };
    if value.is_null() {
        return; // An explicit null is an empty field.
    }
    match field.kind {
        FieldType::BodyMap => crate::body::check_map(field, tpl, value, path, errors),
        FieldType::Text | FieldType::LongText => {
            if !value.is_string() {
                push(wrong);
            }
        }
        FieldType::Number => {
            if !value.is_number() {
                push(wrong);
            }
        }
        FieldType::Boolean => {
            if !value.is_boolean() {
                push(wrong);
            }
        }
        FieldType::Date | FieldType::Datetime => match value.as_str() {
            None => push(wrong),
            Some(s) => {
                let ok = if field.kind == FieldType::Date {
                    crate::dates::is_date(s)
                } else {
                    crate::dates::is_datetime(s) || crate::dates::is_date(s)
                };
                if !ok {
                    push(Problem::BadDate);
                }
            }
        },
        FieldType::Choice => match value.as_str() {
            None => push(wrong),
            Some(s) if !field.options.iter().any(|o| o.id == s) => push(Problem::NotAnOption),
            Some(_) => {}
        },
        FieldType::MultiChoice => match value.as_array() {
            None => push(wrong),
            Some(items) => {
                for item in items {
                    match item.as_str() {
                        None => push(wrong.clone()),
                        Some(s) if !field.options.iter().any(|o| o.id == s) => {
                            push(Problem::NotAnOption)
                        }
                        Some(_) => {}
                    }
                }
            }
        },
        FieldType::List => match value.as_array() {
            None => push(wrong),
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    match item.as_object() {
                        None => errors.push(ValidationError {
                            field: format!("{path}[{i}]"),
                            problem: wrong.clone(),
                        }),
                        Some(obj) => {
                            let values: BTreeMap<String, Value> =
                                obj.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                            check_values(
                                tpl,
                                field.fields.iter(),
                                &values,
                                &format!("{path}[{i}]."),
                                errors,
                            );
                        }
                    }
                }
            }
        },
    }
}

#[cfg(test)]
mod tests;
