//! Redaction for export: identifying parts of a record are replaced before it travels.

use crate::error::{Error, Result};
use crate::recording::Marker;
use crate::template::{self, FieldType};
use crate::testimony::VersionBody;
use serde_json::Value;

/// The field that holds the person's name (istanbul-2022's): its match keys travel.
const NAME_FIELD: &str = "full_name";
/// The field that holds the person's date of birth: the year's pseudonym travels too.
const BIRTH_FIELD: &str = "birth_date";

/// What replaces free text that may name people and cannot be pseudonymised usefully.
const REDACTED: &str = "(redacted)";

/// The key of pseudonyms and match keys for a set of recipients: SHA-256 of
/// `kua redact v1\n` and the sorted recipient keys, one per line. Anyone who knows the
/// recipients' public keys can compute it, which is why match keys are not made under it
/// (docs/bundle-format.md, "Match keys").
pub(crate) fn redaction_key(recipients: &[String]) -> Result<crate::crypto::Key> {
    use sha2::Digest;
    let mut sorted = recipients.to_vec();
    sorted.sort();
    crate::crypto::Key::from_slice(&sha2::Sha256::digest(
        format!("kua redact v1\n{}", sorted.join("\n")).as_bytes(),
    ))
    .ok_or_else(|| Error::Storage("redaction key".into()))
}

/// A keyed pseudonym of an identifying value, stable for one set of recipients: the
/// same name yields the same pseudonym in every bundle to that coordinator.
pub(crate) fn pseudonym(key: &crate::crypto::Key, value: &str) -> String {
    let normal: String = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    format!(
        "~{}",
        &crate::crypto::hex(&key.mac(normal.as_bytes()))[..16]
    )
}

/// Pseudonymises everything that names or locates a person: fields the template marks
/// identifying (and such sub-fields of lists, at any depth), the interviewer, and who
/// recorded the consent and its conditions. Fails closed: a record whose template is
/// unknown is not exported rather than exported unredacted.
///
/// Returns the match keys of the person's name (`matchkeys`) under the coalition's
/// linkage secret, when given, computed before the name is replaced, so that linkage can
/// still compare two spellings of it.
pub(super) fn redact(
    body: &mut VersionBody,
    key: &crate::crypto::Key,
    linkage: Option<&crate::crypto::Key>,
) -> Result<Option<crate::matchkeys::MatchKeys>> {
    let tpl = template::find(&body.template)
        .ok_or_else(|| Error::TemplateNotFound(body.template.clone()))?;
    let text = |id: &str| body.fields.get(id).and_then(Value::as_str);
    let match_keys =
        linkage.and_then(|l| crate::matchkeys::encode(l, text(NAME_FIELD), text(BIRTH_FIELD)));
    // Beside its filter, the name must not also travel as a pseudonym the coordinator
    // can compute (the redaction key derives from public keys): hashing names it knows
    // would pair them with their filters, and enough such pairs give away every
    // bigram's bit positions. With match keys, the name's pseudonym is keyed by the
    // linkage secret instead (stable across the coalition's interviewers still).
    let name_key = match_keys
        .as_ref()
        .and(linkage)
        .and_then(|l| crate::crypto::Key::from_slice(&l.mac(b"kua name pseudonym")));
    if let (Some(k), Some(v)) = (&name_key, body.fields.get_mut(NAME_FIELD)) {
        redact_value(v, k);
    }
    for (id, value) in body.fields.iter_mut() {
        if name_key.is_some() && id == NAME_FIELD {
            continue;
        }
        let Some(field) = tpl.field(id) else {
            // Unknown fields cannot be judged; treat them as identifying.
            redact_value(value, key);
            continue;
        };
        if field.identifying {
            redact_value(value, key);
        } else if field.kind == FieldType::BodyMap {
            redact_mark_notes(value);
        } else if field.kind == FieldType::List {
            for item in value.as_array_mut().into_iter().flatten() {
                for (sub_id, sub) in item.as_object_mut().into_iter().flatten() {
                    let known = field.fields.iter().find(|f| &f.id == sub_id);
                    if known.is_none_or(|f| f.identifying) {
                        redact_value(sub, key);
                    }
                }
            }
        }
    }
    if let Some(i) = body.interviewer.as_mut() {
        *i = pseudonym(key, i);
    }
    if let Some(c) = body.consent.as_mut() {
        if let Some(r) = c.recorded_by.as_mut() {
            *r = pseudonym(key, r);
        }
        if c.conditions.is_some() {
            c.conditions = Some(REDACTED.into());
        }
    }
    Ok(match_keys)
}

/// A body map travels: regions, positions, lesions and grades identify no one, and a
/// forensic reader needs them. A mark's note is free text typed during an examination
/// and may name someone, so it is replaced like a recording marker's note.
fn redact_mark_notes(value: &mut Value) {
    let marks = value.get_mut("marks").and_then(Value::as_array_mut);
    for mark in marks.into_iter().flatten() {
        if let Some(note) = mark.get_mut("note").filter(|n| !n.is_null()) {
            *note = Value::String(REDACTED.into());
        }
    }
}

fn redact_value(value: &mut Value, key: &crate::crypto::Key) {
    match value {
        Value::String(s) => *s = pseudonym(key, s),
        Value::Number(n) => *value = Value::String(pseudonym(key, &n.to_string())),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, key)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_value(v, key)),
        Value::Bool(_) | Value::Null => {}
    }
}

/// A recording's markers as a redacted record carries them: the notes, typed while a
/// witness speaks, may hold the names spoken in the interview, so each note is replaced
/// like the consent's conditions are; the time and the template section stay, since they
/// say where in the recording something is, not who.
pub(super) fn redact_markers(markers: &[Marker]) -> Vec<Marker> {
    markers
        .iter()
        .map(|m| Marker {
            note: m.note.as_ref().map(|_| REDACTED.to_string()),
            ..m.clone()
        })
        .collect()
}
