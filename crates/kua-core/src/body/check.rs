//! Validation of a `body_map` field's value, all problems at once with their paths
//! (`injury_map.marks[2].region`), so that a form can mark each one.

use super::atlas;
use crate::template::{Field, FieldType, Problem, Template, ValidationError};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The sizes a finding is given in, in centimetres: above the largest is a typo
/// (millimetres typed as centimetres); below the smallest prints as 0 at the report's
/// one decimal.
const MAX_CM: f64 = 250.0;
const MIN_CM: f64 = 0.1;

/// The most marks one map holds: more is no examination but a flood, which would stall
/// the drawing and the report.
pub const MAX_MARKS: usize = 500;

/// A key as a problem's path may show it: ids are lower-case ASCII words, and anything
/// else may be content typed in the wrong place, which error text must not repeat.
pub(crate) fn key_in_path(key: &str) -> &str {
    if is_plain_id(key) {
        key
    } else {
        "?"
    }
}

/// Whether a string reads as an id of Kua's vocabularies (lower-case ASCII words, at most
/// 40 characters) rather than as text someone typed.
pub fn is_plain_id(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

const MARK_KEYS: &[&str] = &[
    "n",
    "view",
    "region",
    "x",
    "y",
    "lesion",
    "length_cm",
    "width_cm",
    "shape",
    "colour",
    "note",
    "photos",
    "method",
    "consistency",
];

pub(crate) fn check_map(
    field: &Field,
    tpl: &Template,
    value: &Value,
    path: &str,
    errors: &mut Vec<ValidationError>,
) {
    let mut push =
        |field: String, problem: Problem| errors.push(ValidationError { field, problem });
    let Some(obj) = value.as_object() else {
        push(path.into(), wrong(FieldType::BodyMap));
        return;
    };
    let a = atlas();
    for (key, v) in obj {
        let at = format!("{path}.{}", key_in_path(key));
        match key.as_str() {
            "figure" => {
                if !v.is_null() {
                    check_term(v, &a.figures, &at, &mut push);
                }
            }
            "regions" => match v.as_object() {
                None if v.is_null() => {}
                None => push(at, wrong(FieldType::BodyMap)),
                Some(regions) => {
                    for (region, status) in regions {
                        let at = format!("{at}.{}", key_in_path(region));
                        if a.region(region).is_none() {
                            push(at, Problem::UnknownRegion);
                        } else {
                            check_term(status, &a.statuses, &at, &mut push);
                        }
                    }
                }
            },
            "last" => {
                let highest = obj
                    .get("marks")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.get("n").and_then(Value::as_u64))
                    .max()
                    .unwrap_or(0);
                match v.as_u64() {
                    None if v.is_null() => {}
                    None => push(at, wrong(FieldType::Number)),
                    Some(last) if last > u64::from(u32::MAX) || last < highest => {
                        push(at, Problem::OutOfRange)
                    }
                    Some(_) => {}
                }
            }
            "marks" => match v.as_array() {
                None if v.is_null() => {}
                None => push(at, wrong(FieldType::BodyMap)),
                Some(marks) if marks.len() > MAX_MARKS => push(at, Problem::OutOfRange),
                Some(marks) => {
                    let mut numbers = BTreeSet::new();
                    for (i, m) in marks.iter().enumerate() {
                        let at = format!("{at}[{i}]");
                        match m.as_object() {
                            None => push(at, wrong(FieldType::BodyMap)),
                            Some(m) => check_mark(field, tpl, m, &at, &mut numbers, &mut push),
                        }
                    }
                }
            },
            _ => push(at, Problem::UnknownField),
        }
    }
}

fn check_mark(
    field: &Field,
    tpl: &Template,
    m: &Map<String, Value>,
    path: &str,
    numbers: &mut BTreeSet<u64>,
    push: &mut impl FnMut(String, Problem),
) {
    let a = atlas();
    let at = |key: &str| format!("{path}.{key}");
    for key in m.keys().filter(|k| !MARK_KEYS.contains(&k.as_str())) {
        push(at(key_in_path(key)), Problem::UnknownField);
    }
    // The lesion may wait until sealing (`check_complete`): a mark is placed first and
    // described next.
    for key in ["n", "view", "region", "x", "y"] {
        if m.get(key).is_none_or(Value::is_null) {
            push(at(key), Problem::Missing);
        }
    }
    if let Some(n) = m.get("n").filter(|v| !v.is_null()) {
        match n.as_u64() {
            None => push(at("n"), wrong(FieldType::Number)),
            Some(n) if n == 0 || n > u64::from(u32::MAX) => push(at("n"), Problem::OutOfRange),
            Some(n) if !numbers.insert(n) => push(at("n"), Problem::DuplicateMark),
            Some(_) => {}
        }
    }
    let view = m.get("view").and_then(Value::as_str);
    match (m.get("view"), view) {
        (Some(v), None) if !v.is_null() => push(at("view"), wrong(FieldType::Choice)),
        (_, Some(v)) if a.view(v).is_none() => push(at("view"), Problem::NotAnOption),
        _ => {}
    }
    match m.get("region").filter(|v| !v.is_null()) {
        None => {}
        Some(r) => match r.as_str() {
            None => push(at("region"), wrong(FieldType::Choice)),
            Some(r) => match a.region(r) {
                None => push(at("region"), Problem::UnknownRegion),
                Some(region) => {
                    if view.is_some_and(|v| a.view(v).is_some() && !region.anchors.contains_key(v))
                    {
                        push(at("region"), Problem::RegionNotOnView);
                    }
                }
            },
        },
    }
    for key in ["x", "y"] {
        if let Some(v) = m.get(key).filter(|v| !v.is_null()) {
            match v.as_f64() {
                None => push(at(key), wrong(FieldType::Number)),
                Some(p) if !(0.0..=1.0).contains(&p) => push(at(key), Problem::OutsideDiagram),
                Some(_) => {}
            }
        }
    }
    for key in ["length_cm", "width_cm"] {
        if let Some(v) = m.get(key).filter(|v| !v.is_null()) {
            match v.as_f64() {
                None => push(at(key), wrong(FieldType::Number)),
                Some(cm) if !(MIN_CM..=MAX_CM).contains(&cm) => push(at(key), Problem::OutOfRange),
                Some(_) => {}
            }
        }
    }
    let terms: [(&str, &[crate::template::Choice]); 3] = [
        ("lesion", &a.lesions),
        ("shape", &a.shapes),
        ("colour", &a.colours),
    ];
    for (key, options) in terms {
        if let Some(v) = m.get(key).filter(|v| !v.is_null()) {
            check_term(v, options, &at(key), push);
        }
    }
    let sources = [
        ("method", field.methods_from.as_deref()),
        ("consistency", field.grades_from.as_deref()),
    ];
    for (key, source) in sources {
        if let Some(v) = m.get(key).filter(|v| !v.is_null()) {
            match source.and_then(|id| tpl.any_field(id)) {
                Some(source) => check_term(v, &source.options, &at(key), push),
                // The template names no list for it: nothing could be chosen.
                None => push(at(key), Problem::UnknownField),
            }
        }
    }
    if let Some(v) = m.get("note").filter(|v| !v.is_null()) {
        if !v.is_string() {
            push(at("note"), wrong(FieldType::Text));
        }
    }
    if let Some(v) = m.get("photos").filter(|v| !v.is_null()) {
        match v.as_array() {
            None => push(at("photos"), wrong(FieldType::MultiChoice)),
            Some(items) => {
                for (i, p) in items.iter().enumerate() {
                    if !p.is_string() {
                        push(format!("{path}.photos[{i}]"), wrong(FieldType::Text));
                    }
                }
            }
        }
    }
}

fn check_term(
    v: &Value,
    options: &[crate::template::Choice],
    at: &str,
    push: &mut impl FnMut(String, Problem),
) {
    match v.as_str() {
        None => push(at.into(), wrong(FieldType::Choice)),
        Some(s) if !options.iter().any(|o| o.id == s) => push(at.into(), Problem::NotAnOption),
        Some(_) => {}
    }
}

fn wrong(expected: FieldType) -> Problem {
    Problem::WrongType { expected }
}

/// An amendment may not give a new mark a number an earlier version used: the history
/// and the reports name marks by number. `earlier` are the fields of every version so
/// far, the latest last. A number the latest version has is the same mark (perhaps
/// moved or described anew); any other number at or below the highest ever used (a
/// version's `last`, or any of its marks) is refused.
pub(crate) fn check_numbers(
    tpl: &Template,
    earlier: &[&BTreeMap<String, Value>],
    after: &BTreeMap<String, Value>,
) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    for field in tpl.fields().filter(|f| f.kind == FieldType::BodyMap) {
        let numbers = |v: Option<&Value>| -> Vec<u64> {
            v.and_then(|v| v.get("marks"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|m| m.get("n").and_then(Value::as_u64))
                .collect()
        };
        let latest = numbers(earlier.last().and_then(|f| f.get(&field.id)));
        let highest = earlier
            .iter()
            .filter_map(|f| f.get(&field.id))
            .flat_map(|v| {
                let last = v.get("last").and_then(Value::as_u64);
                last.into_iter().chain(numbers(Some(v)))
            })
            .max()
            .unwrap_or(0);
        for (i, n) in numbers(after.get(&field.id)).into_iter().enumerate() {
            if n <= highest && !latest.contains(&n) {
                errors.push(ValidationError {
                    field: format!("{}.marks[{i}].n", field.id),
                    problem: Problem::DuplicateMark,
                });
            }
        }
    }
    errors
}

/// Every mark of every body map of a content, with its field and its place in the list.
fn marks<'a>(
    tpl: &'a Template,
    values: &'a BTreeMap<String, Value>,
) -> impl Iterator<Item = (&'a Field, usize, &'a Value)> {
    tpl.fields()
        .filter(|f| f.kind == FieldType::BodyMap)
        .flat_map(move |field| {
            let marks = values
                .get(&field.id)
                .and_then(|v| v.get("marks"))
                .and_then(Value::as_array);
            marks
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, m)| (field, i, m))
        })
}

/// What sealing needs beyond a valid map: every mark described by its lesion type.
pub(crate) fn check_complete(
    tpl: &Template,
    values: &BTreeMap<String, Value>,
) -> Vec<ValidationError> {
    marks(tpl, values)
        .filter(|(_, _, mark)| mark.get("lesion").is_none_or(Value::is_null))
        .map(|(field, i, _)| ValidationError {
            field: format!("{}.marks[{i}].lesion", field.id),
            problem: Problem::Missing,
        })
        .collect()
}

/// Every photograph a mark links must be attached to the same testimony. This needs
/// the vault (the template alone cannot know the attachments), so it runs beside the
/// template's validation wherever a testimony's content is stored.
pub(crate) fn check_photos(
    tpl: &Template,
    values: &BTreeMap<String, Value>,
    attached: &BTreeSet<String>,
) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    for (field, i, mark) in marks(tpl, values) {
        let photos = mark.get("photos").and_then(Value::as_array);
        for (j, photo) in photos.into_iter().flatten().enumerate() {
            if photo.as_str().is_some_and(|p| !attached.contains(p)) {
                errors.push(ValidationError {
                    field: format!("{}.marks[{i}].photos[{j}]", field.id),
                    problem: Problem::NotAttached,
                });
            }
        }
    }
    errors
}
