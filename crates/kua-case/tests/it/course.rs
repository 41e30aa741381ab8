//! The course of a complaint: the whole of it, the steps it refuses, complaints beside
//! it, corrections.

use crate::fixture::{lawyer, step};
use kua_case::entry::Step;
use kua_case::{record, show, Error};

/// File, register, terminate, complain, reinstate, send to court, and on to a verdict:
/// each step moves the state as the table says, a complaint beside the course leaves
/// it where it is.
#[test]
fn the_whole_course_of_a_complaint() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, Some("Дело Б.".into())).unwrap();
    let f = show(&mut l.v, &case, false).unwrap();
    assert_eq!(
        (f.state.as_str(), f.client.as_str()),
        ("documented", l.client.as_str())
    );
    let v = &mut l.v;
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    record::step(
        v,
        &case,
        Step {
            number: Some("225500031000123".into()),
            article: Some("146 ч. 2".into()),
            body: Some("ДП г. Алматы".into()),
            ..step("registered", "2022-01-24")
        },
    )
    .unwrap();
    record::step(v, &case, step("victim_recognised", "2022-02-01")).unwrap();
    record::step(v, &case, step("interrupted", "2022-04-01")).unwrap();
    record::step(v, &case, step("resumed", "2022-05-01")).unwrap();
    let terminated = record::step(
        v,
        &case,
        Step {
            ground: Some("no_elements".into()),
            deadline: Some("2022-11-20".into()),
            ..step("terminated", "2022-11-10")
        },
    )
    .unwrap();
    assert_eq!(show(v, &case, false).unwrap().state, "terminated");
    let complaint = record::step(v, &case, step("complaint_to_judge", "2022-11-15")).unwrap();
    let f = show(v, &case, false).unwrap();
    assert_eq!(
        f.state, "terminated",
        "a complaint does not suspend the decision"
    );
    assert!(f.step(&complaint).unwrap().open);
    record::step(
        v,
        &case,
        Step {
            outcome: Some("granted".into()),
            ..step("complaint_decided", "2022-11-25")
        },
    )
    .unwrap();
    record::step(v, &case, step("reinstated", "2022-11-28")).unwrap();
    record::step(v, &case, step("sent_to_court", "2023-03-01")).unwrap();
    record::step(v, &case, step("trial_started", "2023-04-01")).unwrap();
    record::step(
        v,
        &case,
        Step {
            outcome: Some("conviction".into()),
            ..step("verdict", "2023-06-01")
        },
    )
    .unwrap();
    let f = show(v, &case, false).unwrap();
    assert_eq!(f.state, "verdict");
    assert!(
        !f.step(&complaint).unwrap().open,
        "the decision answered it"
    );
    let states: Vec<&str> = f.main_steps().map(|s| s.after.as_str()).collect();
    assert_eq!(
        states,
        [
            "complaint_filed",
            "registered",
            "investigation",
            "interrupted",
            "investigation",
            "terminated",
            "investigation",
            "sent_to_court",
            "trial",
            "verdict"
        ]
    );
    let t = f.step(&terminated).unwrap();
    assert_eq!(t.step.ground.as_deref(), Some("no_elements"));
    assert_eq!(t.before, "investigation");
    let registered = f
        .steps
        .iter()
        .find(|s| s.step.step == "registered")
        .unwrap();
    assert_eq!(registered.step.number.as_deref(), Some("225500031000123"));
    // Every entry logged and checked.
    let report = l.v.verify_quietly().unwrap();
    assert!(report.ok, "{:?}", report.problems);
}

#[test]
fn impossible_steps_are_refused_with_what_the_course_allows() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, None).unwrap();
    let v = &mut l.v;
    match record::step(v, &case, step("sent_to_court", "2022-01-21")) {
        Err(Error::ImpossibleStep { state, allowed, .. }) => {
            assert_eq!(state, "documented");
            assert_eq!(allowed, ["complaint_filed"]);
        }
        other => panic!("{other:?}"),
    }
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    // A termination needs its ground, and the ground must be one of the table's.
    record::step(v, &case, step("registered", "2022-01-22")).unwrap();
    let e = record::step(v, &case, step("terminated", "2022-02-01")).unwrap_err();
    assert_eq!(e.code(), "missing_field");
    let e = record::step(
        v,
        &case,
        Step {
            ground: Some("because".into()),
            ..step("terminated", "2022-02-01")
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "unknown_code");
    // A decision with no complaint waiting for it.
    let e = record::step(
        v,
        &case,
        Step {
            outcome: Some("refused".into()),
            ..step("complaint_decided", "2022-02-01")
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "no_open_complaint");
    // Dates: not a date, a step before the one it follows, a deadline before its step.
    for (bad, code) in [
        (step("victim_recognised", "01.02.2022"), "bad_date"),
        (
            step("victim_recognised", "2022-01-01"),
            "dates_out_of_order",
        ),
        (
            Step {
                deadline: Some("2022-01-30".into()),
                ..step("victim_recognised", "2022-02-01")
            },
            "dates_out_of_order",
        ),
        (step("no_such_step", "2022-02-01"), "unknown_step"),
    ] {
        assert_eq!(record::step(v, &case, bad).unwrap_err().code(), code);
    }
    let e = record::step(
        v,
        "8c1f2c52-0000-4000-8000-000000000000",
        step("registered", "2022-01-22"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "case_not_found");
    assert_eq!(show(v, &case, false).unwrap().state, "registered");
    assert!(l.v.verify_quietly().unwrap().ok);
}

/// A mistake is corrected by a new entry: the fields change, the history stays; only
/// the latest step can be voided, which puts the course back.
#[test]
fn corrections_append_and_void_only_the_latest_step() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, None).unwrap();
    let v = &mut l.v;
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    let reg = record::step(
        v,
        &case,
        Step {
            number: Some("1111".into()),
            ..step("registered", "2022-01-22")
        },
    )
    .unwrap();
    let fix = record::step(
        v,
        &case,
        Step {
            number: Some("2222".into()),
            corrects: Some(reg.clone()),
            ..step("registered", "2022-01-22")
        },
    )
    .unwrap();
    let f = show(v, &case, false).unwrap();
    let s = f.step(&reg).unwrap();
    assert_eq!(s.step.number.as_deref(), Some("2222"));
    assert_eq!(s.corrections, [fix]);
    assert_eq!(
        f.state, "registered",
        "a correction does not move the course"
    );
    let e = record::step(
        v,
        &case,
        Step {
            corrects: Some(reg.clone()),
            ..step("terminated", "2022-01-22")
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "bad_correction");
    let interrupted = record::step(v, &case, step("interrupted", "2022-03-01")).unwrap();
    let void_old = Step {
        corrects: Some(reg.clone()),
        void: true,
        ..step("registered", "2022-03-02")
    };
    assert_eq!(
        record::step(v, &case, void_old).unwrap_err().code(),
        "bad_correction"
    );
    record::step(
        v,
        &case,
        Step {
            corrects: Some(interrupted.clone()),
            void: true,
            ..step("interrupted", "2022-03-02")
        },
    )
    .unwrap();
    let f = show(v, &case, false).unwrap();
    assert_eq!(f.state, "registered");
    assert!(f.step(&interrupted).unwrap().voided);
    assert_eq!(f.steps.len(), 3, "the voided step stays in the file");
    record::step(v, &case, step("victim_recognised", "2022-03-03")).unwrap();
    assert_eq!(show(v, &case, false).unwrap().state, "investigation");
}
