//! The built-in templates are well formed, and each keeps its earlier versions.

use super::*;

/// A record filled in with an earlier version must validate and show under the
/// current one: every field of the earlier version is still there with its type
/// and every option, and no field became required (a sealed record is never
/// rewritten, so it could not gain a value).
#[test]
fn every_current_template_is_a_superset_of_its_earlier_versions() {
    assert_eq!(
        history().len(),
        HISTORY.len(),
        "a history template fails to parse"
    );
    fn check(old: &[Field], new: &[Field], path: &str) {
        for f in old {
            let n = new.iter().find(|n| n.id == f.id);
            assert!(n.is_some(), "{path}{} was removed", f.id);
            let Some(n) = n else { continue };
            assert_eq!(n.kind, f.kind, "{path}{} changed type", f.id);
            assert!(!n.required || f.required, "{path}{} became required", f.id);
            // A field that identifies someone must stay marked so: datasets and
            // redacted bundles leave out what is marked.
            assert!(
                n.identifying || !f.identifying,
                "{path}{} is no longer identifying",
                f.id
            );
            for o in &f.options {
                assert!(
                    n.options.iter().any(|x| x.id == o.id),
                    "{path}{} lost option {}",
                    f.id,
                    o.id
                );
            }
            check(&f.fields, &n.fields, &format!("{path}{}.", f.id));
        }
    }
    for old in history() {
        let new = find(&old.id).expect("current version of a history template");
        assert!(new.version > old.version);
        let old_fields: Vec<Field> = old.fields().cloned().collect();
        let new_fields: Vec<Field> = new.fields().cloned().collect();
        check(&old_fields, &new_fields, "");
        assert_eq!(find_version(&old.id, old.version), Some(old));
    }
    let t = find("istanbul-2022").unwrap();
    assert!(t.version >= 3);
}

#[test]
fn every_builtin_template_parses_and_is_well_formed() {
    assert_eq!(
        builtin().len(),
        BUILTIN.len(),
        "a built-in template does not parse"
    );
    for t in builtin() {
        let mut ids = std::collections::BTreeSet::new();
        for f in t.fields() {
            assert!(
                ids.insert(f.id.clone()),
                "{}: duplicate field {}",
                t.id,
                f.id
            );
            for sub in &f.fields {
                assert!(
                    ids.insert(sub.id.clone()),
                    "{}: duplicate field {}",
                    t.id,
                    sub.id
                );
                assert!(
                    !matches!(sub.kind, FieldType::List | FieldType::BodyMap),
                    "{}: nested list {}",
                    t.id,
                    sub.id
                );
            }
            if f.kind == FieldType::BodyMap {
                // A mark's method and grade are chosen from lists the template has.
                for source in [&f.methods_from, &f.grades_from] {
                    let id = source.as_deref().expect("a body map names its lists");
                    let list = t.any_field(id).expect("the list a body map names");
                    assert!(!list.options.is_empty(), "{}: {id} has no options", t.id);
                }
            }
            let has_options = matches!(f.kind, FieldType::Choice | FieldType::MultiChoice);
            assert_eq!(
                has_options,
                !f.options.is_empty(),
                "{}: options of {}",
                t.id,
                f.id
            );
            assert_eq!(
                f.kind == FieldType::List,
                !f.fields.is_empty(),
                "{}: sub-fields of {}",
                t.id,
                f.id
            );
            for l in std::iter::once(&f.label).chain(f.help.as_ref()) {
                assert!(
                    !l.en.is_empty() && !l.ru.is_empty() && !l.kk.is_empty(),
                    "{}: label of {}",
                    t.id,
                    f.id
                );
            }
        }
    }
}

#[test]
fn the_istanbul_template_requires_the_core_facts_of_an_allegation() {
    let t = find("istanbul-2022").unwrap();
    let required: Vec<&str> = t
        .fields()
        .filter(|f| f.required)
        .map(|f| f.id.as_str())
        .collect();
    for id in [
        "interview_datetime",
        "interview_place",
        "interviewers",
        "events_date",
        "methods",
        "detaining_authority",
    ] {
        assert!(required.contains(&id), "{id} is not required");
    }
    let consistency = t
        .fields()
        .flat_map(|f| f.fields.iter())
        .find(|f| f.id == "consistency")
        .unwrap();
    let scale: Vec<&str> = consistency.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        scale,
        [
            "not_consistent",
            "consistent",
            "highly_consistent",
            "typical_of",
            "diagnostic_of"
        ]
    );
    assert!(
        t.fields().any(|f| f.identifying),
        "identifying fields are marked for redaction"
    );
}
