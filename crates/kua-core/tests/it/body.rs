//! Body maps: marks on body diagrams are validated with the failing part named, link
//! only this testimony's photographs, are sealed with it, and travel in bundles with
//! only their free-text notes redacted.

use crate::bundles::{export, party};
use crate::*;
use kua_core::model::TestimonyInput;
use kua_core::template::Problem;
use kua_core::{body, Error, NewAttachment, Selection, Silent};
use serde_json::{json, Value};

fn with_map(map: Value) -> TestimonyInput {
    let mut input = complete_input("Меня били по рукам.");
    input
        .fields
        .as_mut()
        .unwrap()
        .insert("injury_map".into(), map);
    input
}

fn mark(n: u32, region: &str) -> Value {
    json!({"n": n, "view": "front", "region": region, "x": 0.8, "y": 0.47, "lesion": "bruise"})
}

fn problems(e: Error) -> Vec<(String, Problem)> {
    match e {
        Error::Invalid(v) => v.0.into_iter().map(|e| (e.field, e.problem)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn invalid_marks_are_refused_with_the_part_named() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let map = json!({
        "figure": "female",
        "marks": [
            {"n": 1, "view": "front", "region": "no_such_region", "x": 0.5, "y": 0.5, "lesion": "bruise"},
            {"n": 2, "view": "front", "region": "sole_left", "x": 1.5, "y": -0.1, "lesion": "bite"},
            {"n": 2, "view": "side", "region": "forearm_left", "x": "left", "y": 0.4, "lesion": "burn", "colour": "red", "length_cm": 0, "height": 3},
            {"view": "front", "region": "forearm_left", "x": 0.8, "y": 0.47, "lesion": "burn", "method": "flying", "consistency": "certain"}
        ],
        "regions": {"forearm_left": "seen", "tail": "examined"}
    });
    let got = problems(v.add(&with_map(map)).unwrap_err());
    let p = |f: &str, p: Problem| (f.to_string(), p);
    let number = Problem::WrongType {
        expected: kua_core::template::FieldType::Number,
    };
    for expected in [
        p("injury_map.marks[0].region", Problem::UnknownRegion),
        p("injury_map.marks[1].region", Problem::RegionNotOnView),
        p("injury_map.marks[1].x", Problem::OutsideDiagram),
        p("injury_map.marks[1].y", Problem::OutsideDiagram),
        p("injury_map.marks[1].lesion", Problem::NotAnOption),
        p("injury_map.marks[2].n", Problem::DuplicateMark),
        p("injury_map.marks[2].view", Problem::NotAnOption),
        p("injury_map.marks[2].x", number),
        p("injury_map.marks[2].length_cm", Problem::OutOfRange),
        p("injury_map.marks[2].height", Problem::UnknownField),
        p("injury_map.marks[3].n", Problem::Missing),
        p("injury_map.marks[3].method", Problem::NotAnOption),
        p("injury_map.marks[3].consistency", Problem::NotAnOption),
        p("injury_map.regions.forearm_left", Problem::NotAnOption),
        p("injury_map.regions.tail", Problem::UnknownRegion),
    ] {
        assert!(got.contains(&expected), "{expected:?} not in {got:?}");
    }
    assert_eq!(got.len(), 15, "{got:?}");
    assert!(v.list().unwrap().is_empty(), "nothing was stored");
    // Numbers and sizes out of range, a key that is content (never repeated in the
    // error's path), too many marks.
    let mut big = mark(1, "forearm_left");
    big["n"] = json!(u64::from(u32::MAX) + 1);
    big["width_cm"] = json!(0.05);
    let got = problems(
        v.add(&with_map(
            json!({"marks": [big], "last": 0, "regions": {"Асель Серикова": "examined"}}),
        ))
        .unwrap_err(),
    );
    for expected in [
        p("injury_map.marks[0].n", Problem::OutOfRange),
        p("injury_map.marks[0].width_cm", Problem::OutOfRange),
        p("injury_map.last", Problem::OutOfRange),
        p("injury_map.regions.?", Problem::UnknownRegion),
    ] {
        assert!(got.contains(&expected), "{expected:?} not in {got:?}");
    }
    // A figure and a counter alone record nothing: the field is still to be filled.
    let bare = v
        .add(&with_map(
            json!({"figure": "female", "marks": [], "regions": {}, "last": 2}),
        ))
        .unwrap();
    let readiness = v.show(&bare, None).unwrap().readiness;
    assert!(readiness
        .missing_recommended
        .contains(&"injury_map".to_string()));
    v.delete(&bare).unwrap();
    let flood: Vec<Value> = (1..=501).map(|n| mark(n, "chest_left")).collect();
    let got = problems(v.add(&with_map(json!({ "marks": flood }))).unwrap_err());
    assert_eq!(got, [p("injury_map.marks", Problem::OutOfRange)]);
    // A value that is not a map at all.
    let got = problems(v.add(&with_map(json!(["forearm"]))).unwrap_err());
    assert!(matches!(got[..], [(ref f, Problem::WrongType { .. })] if f == "injury_map"));
}

#[test]
fn marks_link_only_this_testimonys_photographs_and_are_sealed_with_it() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let other = v.add(&complete_input("другое")).unwrap();
    let elsewhere = v
        .attach(
            &other,
            &mut &b"another testimony's photo"[..],
            NewAttachment {
                name: "x.jpg".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    // At creation nothing is attached yet, so no photograph can be linked.
    let mut linked = mark(1, "forearm_left");
    linked["photos"] = json!([elsewhere.id]);
    let got = problems(
        v.add(&with_map(json!({"marks": [linked.clone()]})))
            .unwrap_err(),
    );
    assert_eq!(
        got,
        [(
            "injury_map.marks[0].photos[0]".to_string(),
            Problem::NotAttached
        )]
    );
    let id = v
        .add(&with_map(
            json!({"figure": "male", "marks": [mark(1, "forearm_left")]}),
        ))
        .unwrap();
    let photo = v
        .attach(
            &id,
            &mut &b"the forearm, 6 January"[..],
            NewAttachment {
                name: "forearm.jpg".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    // A photograph of another testimony is refused on edit too.
    let edit = |map: Value| TestimonyInput {
        fields: Some([("injury_map".to_string(), map)].into_iter().collect()),
        ..Default::default()
    };
    let err = v.edit(&id, &edit(json!({"marks": [linked]}))).unwrap_err();
    assert_eq!(problems(err)[0].1, Problem::NotAttached);
    let mut described = mark(1, "forearm_left");
    described["photos"] = json!([photo.id]);
    described["length_cm"] = json!(4.5);
    described["width_cm"] = json!(2);
    described["shape"] = json!("linear");
    described["colour"] = json!("purple_blue");
    described["note"] = json!("след от дубинки");
    described["method"] = json!("beating");
    described["consistency"] = json!("highly_consistent");
    let mut second = mark(2, "sole_left");
    second["view"] = json!("feet");
    second["lesion"] = json!("swelling");
    let map = json!({
        "figure": "male",
        "marks": [described, second],
        "regions": {"forearm_left": "examined", "groin": "declined"}
    });
    v.edit(&id, &edit(map.clone())).unwrap();
    v.seal(&id).unwrap();
    let shown = v.show(&id, None).unwrap();
    assert_eq!(shown.fields["injury_map"], map);
    let read = body::BodyMap::from_value(&shown.fields["injury_map"]).unwrap();
    assert_eq!(read.marks[0].photos, std::slice::from_ref(&photo.id));
    assert_eq!(read.regions["groin"], "declined");
    // The map is part of the sealed content: it survives a reopen and verifies.
    drop(v);
    let mut v = fx.open();
    assert_eq!(v.show(&id, None).unwrap().fields["injury_map"], map);
    assert!(v.verify(&mut Silent).unwrap().ok);
    // Search finds a mark by its region in any language and by its note, as typed.
    for query in ["предплечье", "білек", "forearm", "дубинки"] {
        let hits = v.search(query, 10).unwrap();
        assert!(hits.iter().any(|h| h.id == id), "{query} finds nothing");
    }
    // An amendment that moves a mark and adds one is seen mark by mark.
    let mut moved = map.clone();
    moved["marks"][1]["x"] = json!(0.85);
    moved["marks"]
        .as_array_mut()
        .unwrap()
        .push(mark(3, "forearm_right"));
    moved["marks"][2]["x"] = json!(0.2);
    v.amend(
        &id,
        &TestimonyInput {
            reason: Some("second examination".into()),
            ..edit(moved)
        },
    )
    .unwrap();
    let (v1, v2) = (v.show(&id, Some(1)).unwrap(), v.show(&id, Some(2)).unwrap());
    let changes = body::changes(v1.fields.get("injury_map"), v2.fields.get("injury_map"));
    assert_eq!(
        changes,
        [
            body::MarkChange::Moved {
                n: 2,
                region: "sole_left".into()
            },
            body::MarkChange::Added {
                n: 3,
                region: "forearm_right".into()
            },
        ]
    );
    // A later amendment may not give a new finding a number an earlier version used, nor
    // seal a mark without its lesion type.
    // Version 3 removes mark 3 (the map as JSON, without the counter the app keeps);
    // version 4 may not call another finding 3.
    let v2 = v.show(&id, Some(2)).unwrap().fields["injury_map"].clone();
    let mut removed = v2.clone();
    removed["marks"].as_array_mut().unwrap().pop();
    let amend = |map: Value| TestimonyInput {
        reason: Some("third examination".into()),
        ..edit(map)
    };
    v.amend(&id, &amend(removed.clone())).unwrap();
    let mut reused = removed;
    let mut other = mark(3, "knee_left");
    other["x"] = json!(0.58);
    reused["marks"].as_array_mut().unwrap().push(other);
    let err = v.amend(&id, &amend(reused)).unwrap_err();
    assert_eq!(
        problems(err),
        [("injury_map.marks[2].n".to_string(), Problem::DuplicateMark)]
    );
    let mut undescribed = v.show(&id, Some(3)).unwrap().fields["injury_map"].clone();
    let mut four = mark(4, "knee_left");
    four.as_object_mut().unwrap().remove("lesion");
    undescribed["marks"].as_array_mut().unwrap().push(four);
    let err = v.amend(&id, &amend(undescribed)).unwrap_err();
    assert_eq!(
        problems(err),
        [("injury_map.marks[2].lesion".to_string(), Problem::Missing)]
    );
    assert_eq!(
        v.show(&id, None).unwrap().version,
        3,
        "nothing more was sealed"
    );
}

#[test]
fn a_body_map_travels_in_bundles_and_redaction_leaves_all_but_its_notes() {
    let mut field = party(40);
    let mut coord = party(41);
    let key = coord.v.identity().unwrap().age_recipient;
    field.v.add_recipient("coalition", &key, false).unwrap();
    let pubkey = field.v.minisign_public_key_file().unwrap();
    coord.v.trust("field-9", &pubkey).unwrap();
    let mut m = mark(1, "forearm_left");
    m["note"] = json!("Асель сказала: бил Серик");
    m["method"] = json!("beating");
    let map = json!({"figure": "female", "marks": [m, mark(2, "chest_left")], "regions": {"groin": "declined"}});
    let mut input = with_map(map.clone());
    let mut c = consent();
    c.anonymous = false;
    input.consent = Some(c);
    let id = field.v.add(&input).unwrap();
    field.v.seal(&id).unwrap();

    let (plain, _) = export(&mut field, &["coalition"], Selection::All, false, "p.kua");
    coord.v.import(&plain, false, &mut Silent).unwrap();
    let got = coord.v.show_received(&id, None, None).unwrap();
    assert_eq!(got.record.body.fields["injury_map"], map);

    let mut coord2 = party(42);
    let key2 = coord2.v.identity().unwrap().age_recipient;
    field.v.add_recipient("coalition-2", &key2, false).unwrap();
    coord2.v.trust("field-9", &pubkey).unwrap();
    let (redacted2, _) = export(&mut field, &["coalition-2"], Selection::All, true, "r2.kua");
    coord2.v.import(&redacted2, false, &mut Silent).unwrap();
    let got = coord2.v.show_received(&id, None, None).unwrap();
    assert!(got.record.redacted);
    let travelled = &got.record.body.fields["injury_map"];
    let mut expected = map.clone();
    expected["marks"][0]["note"] = json!("(redacted)");
    assert_eq!(travelled["marks"][1], expected["marks"][1]);
    assert_eq!(travelled["regions"], expected["regions"]);
    assert_eq!(travelled["marks"][0]["region"], "forearm_left");
    assert_eq!(travelled["marks"][0]["method"], "beating");
    let note = travelled["marks"][0]["note"].as_str().unwrap();
    assert!(!note.contains("Асель") && !note.contains("Серик"), "{note}");
}
