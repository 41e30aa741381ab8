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

/// Two complaints open at once: a decision must name the one it answers, closes exactly
/// that one, and voided puts it back to waiting; a decided complaint cannot be voided
/// before its decision. A complaint's deadline stays open while it waits, whatever the
/// main course does meanwhile.
#[test]
fn complaints_beside_the_course_are_answered_by_name() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, None).unwrap();
    let v = &mut l.v;
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    record::step(v, &case, step("registered", "2022-01-22")).unwrap();
    let to_prosecutor = record::step(
        v,
        &case,
        Step {
            deadline: Some("2022-02-20".into()),
            ..step("complaint_to_prosecutor", "2022-01-25")
        },
    )
    .unwrap();
    let to_judge = record::step(v, &case, step("complaint_to_judge", "2022-01-26")).unwrap();
    let decided = |answers: Option<&str>| Step {
        outcome: Some("refused".into()),
        answers: answers.map(String::from),
        ..step("complaint_decided", "2022-02-01")
    };
    let e = record::step(v, &case, decided(None)).unwrap_err();
    assert_eq!(e.code(), "ambiguous_complaint");
    let e = record::step(v, &case, decided(Some("not-a-complaint"))).unwrap_err();
    assert_eq!(e.code(), "unknown_entry");
    // The main course goes on; the prosecutor's complaint still waits, and so does its
    // deadline.
    record::step(v, &case, step("victim_recognised", "2022-01-28")).unwrap();
    let open = kua_case::deadlines::of_case(
        &show(v, &case, false).unwrap(),
        crate::fixture::day("2022-02-10"),
    );
    assert_eq!(
        open.iter().map(|d| d.entry.as_str()).collect::<Vec<_>>(),
        [to_prosecutor.as_str()]
    );
    let decision = record::step(v, &case, decided(Some(&to_prosecutor))).unwrap();
    let f = show(v, &case, false).unwrap();
    assert!(
        !f.step(&to_prosecutor).unwrap().open,
        "the one named is answered"
    );
    assert!(f.step(&to_judge).unwrap().open, "the other still waits");
    assert_eq!(
        f.step(&decision).unwrap().step.answers.as_deref(),
        Some(to_prosecutor.as_str())
    );
    // Voiding the answered complaint first is refused; voiding the decision reopens it.
    let void = |target: &str, code: &str| Step {
        corrects: Some(target.into()),
        void: true,
        ..step(code, "2022-02-02")
    };
    let e = record::step(v, &case, void(&to_prosecutor, "complaint_to_prosecutor")).unwrap_err();
    assert_eq!(e.code(), "bad_correction");
    record::step(v, &case, void(&decision, "complaint_decided")).unwrap();
    let f = show(v, &case, false).unwrap();
    assert!(
        f.step(&to_prosecutor).unwrap().open,
        "its decision voided, it waits again"
    );
    // Now the judge's complaint is decided and may be appealed (CPC art. 107), which the
    // course did not allow before the ruling.
    let e = record::step(v, &case, step("judge_ruling_appealed", "2022-02-03")).unwrap_err();
    assert_eq!(e.code(), "impossible_step");
    record::step(v, &case, decided(Some(&to_judge))).unwrap();
    record::step(v, &case, step("judge_ruling_appealed", "2022-02-04")).unwrap();
    assert!(l.v.verify_quietly().unwrap().ok);
}

/// A step's details (who decided, the ERDR number, the document, a remark) are their own
/// entry right after the step, merged back into it; a correction without them clears them.
#[test]
fn a_steps_details_are_kept_apart_and_merged_back() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, None).unwrap();
    let v = &mut l.v;
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    let reg = record::step(
        v,
        &case,
        Step {
            body: Some("ДП г. Алматы".into()),
            number: Some("225500031000123".into()),
            article: Some("146".into()),
            note: Some("следователь Б.".into()),
            ..step("registered", "2022-01-24")
        },
    )
    .unwrap();
    let rows = v.case_entries(&case).unwrap().entries;
    let kinds: Vec<&str> = rows.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["opened", "step", "step", "step_detail"]);
    assert!(rows[2].data.get("number").is_some_and(|n| n.is_null()));
    let f = show(v, &case, false).unwrap();
    let s = &f.step(&reg).unwrap().step;
    assert_eq!(
        (s.body.as_deref(), s.number.as_deref(), s.article.as_deref()),
        (Some("ДП г. Алматы"), Some("225500031000123"), Some("146"))
    );
    record::step(
        v,
        &case,
        Step {
            article: Some("146 ч. 2".into()),
            corrects: Some(reg.clone()),
            ..step("registered", "2022-01-24")
        },
    )
    .unwrap();
    let f = show(v, &case, false).unwrap();
    let s = &f.step(&reg).unwrap().step;
    assert_eq!(
        (s.article.as_deref(), s.number.as_deref()),
        (Some("146 ч. 2"), None)
    );
}

/// Deadlines that a complaint answers, decided or not, and those it does not; a void
/// carries no details, and a ruling that was appealed stays until the appeal is voided.
#[test]
fn deadlines_complaints_answer_and_voids_that_would_orphan_an_appeal() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, None).unwrap();
    let v = &mut l.v;
    let today = crate::fixture::day("2022-03-01");
    let open_entries = |v: &mut kua_core::Vault| -> Vec<String> {
        let f = show(v, &case, false).unwrap();
        kua_case::deadlines::of_case(&f, today)
            .into_iter()
            .map(|d| d.entry)
            .collect()
    };
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    record::step(v, &case, step("registered", "2022-01-22")).unwrap();
    let terminated = record::step(
        v,
        &case,
        Step {
            ground: Some("no_event".into()),
            deadline: Some("2022-02-20".into()),
            ..step("terminated", "2022-02-01")
        },
    )
    .unwrap();
    assert_eq!(open_entries(v), [terminated]);
    // A complaint against the termination answers its deadline, and still does once
    // the complaint is decided.
    let to_judge = record::step(v, &case, step("complaint_to_judge", "2022-02-10")).unwrap();
    let to_prosecutor =
        record::step(v, &case, step("complaint_to_prosecutor", "2022-02-11")).unwrap();
    let ruling = record::step(
        v,
        &case,
        Step {
            outcome: Some("refused".into()),
            answers: Some(to_judge.clone()),
            deadline: Some("2022-03-05".into()),
            ..step("complaint_decided", "2022-02-15")
        },
    )
    .unwrap();
    assert_eq!(open_entries(v), std::slice::from_ref(&ruling));
    // The prosecutor's answer does not meet the deadline to appeal the judge's ruling.
    record::step(
        v,
        &case,
        Step {
            outcome: Some("refused".into()),
            answers: Some(to_prosecutor),
            ..step("complaint_decided", "2022-02-16")
        },
    )
    .unwrap();
    assert_eq!(open_entries(v), std::slice::from_ref(&ruling));
    let appeal = record::step(v, &case, step("judge_ruling_appealed", "2022-02-20")).unwrap();
    assert!(open_entries(v).is_empty());
    // The ruling cannot be voided while its appeal stands; a void carries no details.
    let void = |target: &str, code: &str| Step {
        corrects: Some(target.into()),
        void: true,
        ..step(code, "2022-02-21")
    };
    let e = record::step(v, &case, void(&ruling, "complaint_decided")).unwrap_err();
    assert_eq!(e.code(), "bad_correction");
    let e = record::step(
        v,
        &case,
        Step {
            note: Some("typo".into()),
            ..void(&appeal, "judge_ruling_appealed")
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "bad_correction");
    record::step(v, &case, void(&appeal, "judge_ruling_appealed")).unwrap();
    record::step(v, &case, void(&ruling, "complaint_decided")).unwrap();
    let f = show(v, &case, false).unwrap();
    assert!(f.step(&to_judge).unwrap().open);
    assert!(l.v.verify_quietly().unwrap().ok);
}
