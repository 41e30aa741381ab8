//! Petitions, evidence, circumstances, notes, documents and deadlines.

use crate::fixture::{day, lawyer, step, CANARY};
use kua_case::entry::{
    Document, Evidence, EvidenceStatus, Examined, Note, Petition, PetitionDecision, Step,
};
use kua_case::{deadlines, list, record, show, DueKind, DueStatus, Notes};

fn petition(kind: &str, filed: &str) -> Petition {
    Petition {
        kind: kind.into(),
        asked: "изъять записи камер ИВС за 6–8 января".into(),
        to: Some("следователь".into()),
        filed: filed.into(),
        ..Petition::default()
    }
}

#[test]
fn petitions_are_due_in_three_days_and_a_refused_one_is_filed_again() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, None).unwrap();
    let v = &mut l.v;
    let p = record::petition(v, &case, petition("cctv_seizure", "2022-01-25")).unwrap();
    let f = show(v, &case, false).unwrap();
    assert_eq!(f.petitions[0].due_date, "2022-01-28");
    // Not yet decided: it cannot be filed again.
    let again = Petition {
        refiles: Some(p.clone()),
        ..petition("cctv_seizure", "2022-02-01")
    };
    assert_eq!(
        record::petition(v, &case, again.clone())
            .unwrap_err()
            .code(),
        "not_refused"
    );
    let decision = PetitionDecision {
        petition: p.clone(),
        date: "2022-01-27".into(),
        decision: "refused".into(),
        ..PetitionDecision::default()
    };
    record::decide_petition(v, &case, decision.clone()).unwrap();
    assert_eq!(
        record::decide_petition(v, &case, decision)
            .unwrap_err()
            .code(),
        "already_decided"
    );
    let p2 = record::petition(v, &case, again.clone()).unwrap();
    assert_eq!(
        record::petition(v, &case, again).unwrap_err().code(),
        "not_refused"
    );
    let f = show(v, &case, false).unwrap();
    assert_eq!(f.petitions[0].refiled_by.as_deref(), Some(p2.as_str()));
    assert_eq!(f.petitions[1].due_date, "2022-02-04");
    for (bad, code) in [
        (petition("prayer", "2022-02-01"), "unknown_code"),
        (petition("cctv_seizure", "2022-02-30"), "bad_date"),
        (
            Petition {
                asked: "  ".into(),
                ..petition("cctv_seizure", "2022-02-01")
            },
            "empty_field",
        ),
        (
            Petition {
                due: Some("2022-01-31".into()),
                ..petition("cctv_seizure", "2022-02-01")
            },
            "dates_out_of_order",
        ),
    ] {
        assert_eq!(record::petition(v, &case, bad).unwrap_err().code(), code);
    }
}

/// The deadlines view: overdue first, then today, then upcoming, across cases; a
/// decided petition, obtained evidence and a step followed by another drop out.
#[test]
fn deadlines_are_computed_and_ordered_across_cases() {
    let mut l = lawyer();
    let a = record::open(&mut l.v, &l.client, Some("A".into())).unwrap();
    let b = record::open(&mut l.v, &l.client, Some("B".into())).unwrap();
    let v = &mut l.v;
    let today = day("2022-02-10");
    // Case A: a petition overdue by 2 days, a camera to request by today.
    let late = record::petition(v, &a, petition("forensic_medical_exam", "2022-02-05")).unwrap();
    let cam = record::evidence(
        v,
        &a,
        Evidence {
            kind: "cctv".into(),
            what: "камера у входа в ИВС".into(),
            place: Some("ИВС ДП Алматы".into()),
            from: Some("2022-01-06T18:00".into()),
            to: Some("2022-01-08T12:00".into()),
            deadline: Some("2022-02-10".into()),
            ..Evidence::default()
        },
    )
    .unwrap();
    // Case B: a refusal whose appeal is due in 5 days; a decided petition.
    record::step(v, &b, step("complaint_filed", "2022-02-01")).unwrap();
    record::step(
        v,
        &b,
        Step {
            deadline: Some("2022-02-15".into()),
            ..step("registration_refused", "2022-02-05")
        },
    )
    .unwrap();
    let done = record::petition(v, &b, petition("identity_parade", "2022-02-01")).unwrap();
    record::decide_petition(
        v,
        &b,
        PetitionDecision {
            petition: done,
            date: "2022-02-02".into(),
            decision: "granted".into(),
            ..PetitionDecision::default()
        },
    )
    .unwrap();
    let all = deadlines(v, today).unwrap();
    let seen: Vec<(DueKind, &str, i64, DueStatus)> = all
        .iter()
        .map(|d| (d.kind, d.case.as_str(), d.days, d.status))
        .collect();
    assert_eq!(
        seen,
        [
            (DueKind::Petition, a.as_str(), -2, DueStatus::Overdue),
            (DueKind::Evidence, a.as_str(), 0, DueStatus::Today),
            (DueKind::Step, b.as_str(), 5, DueStatus::Upcoming),
        ]
    );
    assert_eq!(all[0].entry, late);
    assert_eq!(all[2].what, "registration_refused");
    // The list puts the most urgent case first.
    let cases = list(v, today).unwrap();
    assert_eq!(cases[0].id, a);
    assert_eq!((cases[0].overdue, cases[0].open_petitions), (1, 1));
    assert_eq!(cases[1].state, "registration_refused");
    // The camera obtained, the appeal filed: both deadlines are met.
    record::evidence_status(
        v,
        &a,
        EvidenceStatus {
            item: cam,
            status: "obtained".into(),
            date: "2022-02-10".into(),
            ..EvidenceStatus::default()
        },
    )
    .unwrap();
    record::step(v, &b, step("complaint_to_prosecutor", "2022-02-12")).unwrap();
    let left: Vec<String> = deadlines(v, today)
        .unwrap()
        .into_iter()
        .map(|d| d.entry)
        .collect();
    assert_eq!(left, [late]);
    let f = show(v, &a, false).unwrap();
    assert_eq!(f.evidence[0].status, "obtained");
    assert_eq!(f.evidence[0].history.len(), 1);
}

/// Notes are privileged: counted unless asked for, edited while a draft with their
/// history kept, never changed once sealed. Nothing of them (nor of any entry) is
/// readable in the vault file, and erasing the case takes it all.
#[test]
fn notes_documents_and_the_disk() {
    let mut l = lawyer();
    let case = record::open(&mut l.v, &l.client, Some(format!("{CANARY} title"))).unwrap();
    let v = &mut l.v;
    let n = record::note(
        v,
        &case,
        Note {
            text: format!("{CANARY}: клиент опознал оперативника"),
            ..Note::default()
        },
    )
    .unwrap();
    record::note(
        v,
        &case,
        Note {
            text: format!("{CANARY}: клиент опознал двоих"),
            revises: Some(n.clone()),
            ..Note::default()
        },
    )
    .unwrap();
    record::seal_note(v, &case, &n).unwrap();
    let e = record::note(
        v,
        &case,
        Note {
            text: "later".into(),
            revises: Some(n.clone()),
            ..Note::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "note_sealed");
    assert_eq!(show(v, &case, false).unwrap().notes, Notes::Count(1));
    let Notes::Shown(notes) = show(v, &case, true).unwrap().notes else {
        panic!("notes were asked for");
    };
    assert!(notes[0].sealed && notes[0].text.ends_with("двоих"));
    assert_eq!(notes[0].history.len(), 2);
    assert!(notes[0].history[0].1.ends_with("оперативника"));
    // Circumstances not examined.
    let c = record::circumstance(v, &case, &format!("{CANARY}: следы на запястьях")).unwrap();
    record::circumstance(v, &case, "журнал ИВС").unwrap();
    record::examined(
        v,
        &case,
        Examined {
            item: c,
            date: "2022-03-01".into(),
            ..Examined::default()
        },
    )
    .unwrap();
    let f = show(v, &case, false).unwrap();
    let open: Vec<&str> = f
        .circumstances
        .iter()
        .filter(|c| c.examined.is_none())
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(open, ["журнал ИВС"]);
    // A document: stored with its evidence hash, named by a step.
    let body = format!("ПОСТАНОВЛЕНИЕ о прекращении {CANARY}").into_bytes();
    let (_, info) = record::document(
        v,
        &case,
        &mut body.as_slice(),
        "postanovlenie.txt",
        Document {
            kind: "decision".into(),
            title: Some("Постановление".into()),
            date: Some("2022-01-24".into()),
            ..Document::default()
        },
        &mut kua_core::Silent,
    )
    .unwrap();
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    record::step(
        v,
        &case,
        Step {
            document: Some(info.id.clone()),
            ..step("registration_refused", "2022-01-24")
        },
    )
    .unwrap();
    let e = record::step(
        v,
        &case,
        Step {
            document: Some("not-a-document".into()),
            ..step("complaint_to_prosecutor", "2022-01-25")
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "unknown_document");
    let f = show(v, &case, false).unwrap();
    assert_eq!(f.documents.len(), 1);
    assert_eq!(f.documents[0].document.kind, "decision");
    let mut out = Vec::new();
    let got = v
        .extract(&case, &info.id, &mut out, &mut kua_core::Silent)
        .unwrap();
    assert_eq!((out, got.sha256.clone()), (body, info.sha256.clone()));
    let report = v.verify_quietly().unwrap();
    assert!(report.ok, "{:?}", report.problems);
    // A linked testimony must exist.
    assert_eq!(
        record::link(v, &case, "8c1f2c52-0000-4000-8000-000000000000")
            .unwrap_err()
            .code(),
        "unknown_client"
    );
    assert_eq!(
        record::link(v, &case, &l.client).unwrap_err().code(),
        "bad_correction"
    );

    let path = l.path();
    let scan = |path: &std::path::Path| {
        let mut hits = Vec::new();
        for ext in ["", "-wal", "-shm", "-journal"] {
            let file = std::path::PathBuf::from(format!("{}{ext}", path.display()));
            if let Ok(bytes) = std::fs::read(&file) {
                for needle in [
                    CANARY.as_bytes(),
                    "опознал".as_bytes(),
                    b"ground",
                    b"petition",
                ] {
                    if bytes.windows(needle.len()).any(|w| w == needle) {
                        hits.push(format!(
                            "{} in {}",
                            String::from_utf8_lossy(needle),
                            file.display()
                        ));
                    }
                }
            }
        }
        hits
    };
    assert_eq!(scan(&path), Vec::<String>::new());
    // Erasing the case takes its entries and documents; the log keeps a tombstone.
    l.v.erase_case(&case).unwrap();
    assert_eq!(l.v.case_ids().unwrap(), Vec::<String>::new());
    assert_eq!(
        show(&mut l.v, &case, false).unwrap_err().code(),
        "case_not_found"
    );
    let report = l.v.verify_quietly().unwrap();
    assert!(report.ok, "{:?}", report.problems);
}

#[test]
fn a_case_needs_a_client_the_vault_knows() {
    let mut l = lawyer();
    let e = record::open(&mut l.v, "8c1f2c52-0000-4000-8000-000000000000", None).unwrap_err();
    assert_eq!(e.code(), "unknown_client");
    let e = record::open(&mut l.v, "nonsense", None).unwrap_err();
    assert_eq!(e.code(), "unknown_client");
    assert!(l.v.case_ids().unwrap().is_empty());
}
