//! A lawyer's (or a coalition's) cases at scale: the cases list, the deadlines view and
//! the outcome counts over N cases of 25 entries each, beside a reference measured in
//! the same run: reading and decrypting the same entries without folding them
//! (`Vault::case_entries` for every case), and the testimony list of as many
//! testimonies (`Vault::list`), which the app shows on the same kind of screen.
//!
//!     cargo bench -p kua-case --bench cases               # 1,000 cases, about 3 minutes
//!
//! KUA_BENCH_CASES sets N (default 1000). Figures: docs/benchmarks.md, "Cases".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kua_case::entry::{Evidence, Note, Petition, Step};
use kua_case::record;
use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, KdfParams, Seams, Vault};
use secrecy::SecretString;
use std::time::{Duration, Instant};

fn main() {
    let n: usize = std::env::var("KUA_BENCH_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.kua");
    let opts = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let (mut v, _) =
        Vault::create(&path, &SecretString::from("bench"), opts, Seams::system()).unwrap();
    let started = Instant::now();
    let mut ids = Vec::new();
    for i in 0..n {
        let client = v.add(&testimony(i)).unwrap();
        v.seal(&client).unwrap();
        let case = record::open(&mut v, &client, Some(format!("Дело {i}"))).unwrap();
        fill(&mut v, &case, i);
        ids.push(case);
    }
    println!(
        "{n} cases of 25 entries written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let today = chrono::NaiveDate::from_ymd_opt(2023, 3, 1).unwrap();
    let reference = time(|| {
        for id in &ids {
            std::hint::black_box(v.case_entries(id).unwrap());
        }
    });
    let list = time(|| {
        std::hint::black_box(kua_case::list(&mut v, today).unwrap());
    });
    let deadlines = time(|| {
        std::hint::black_box(kua_case::deadlines(&mut v, today).unwrap());
    });
    let outcomes = time(|| {
        std::hint::black_box(kua_case::outcomes(&mut v).unwrap());
    });
    let testimonies = time(|| {
        std::hint::black_box(v.list().unwrap());
    });
    let show = time(|| {
        std::hint::black_box(kua_case::show(&mut v, &ids[n / 2], true).unwrap());
    });
    println!("median of 5 runs, {n} cases ({} entries):", n * 25);
    println!(
        "  reference: decrypt every entry       {:>8.1} ms",
        ms(reference)
    );
    println!(
        "  reference: testimony list ({n})     {:>8.1} ms",
        ms(testimonies)
    );
    println!(
        "  cases list                           {:>8.1} ms",
        ms(list)
    );
    println!(
        "  deadlines across cases               {:>8.1} ms",
        ms(deadlines)
    );
    println!(
        "  outcome counts                       {:>8.1} ms",
        ms(outcomes)
    );
    println!(
        "  one case file (with notes)           {:>8.2} ms",
        ms(show)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median of five runs.
fn time(mut f: impl FnMut()) -> Duration {
    let mut runs: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    runs.sort();
    runs[2]
}

fn testimony(i: usize) -> TestimonyInput {
    TestimonyInput {
        language: Some("ru".into()),
        narrative: Some(format!("свидетельство {i}")),
        fields: Some(
            serde_json::from_value(serde_json::json!({
                "interview_datetime": "2022-01-20T14:30",
                "interview_place": "Алматы",
                "interviewers": "Адвокат",
                "events_date": "2022-01-06",
                "incident_place": "ИВС",
                "methods": ["beating"],
                "detaining_authority": "police"
            }))
            .unwrap(),
        ),
        consent: Some(Consent {
            given_at: "2022-01-20".into(),
            method: ConsentMethod::Oral,
            recorded_by: None,
            scope: [ConsentScope::Store, ConsentScope::Legal]
                .into_iter()
                .collect(),
            anonymous: false,
            conditions: None,
            withdrawn_at: None,
        }),
        ..TestimonyInput::default()
    }
}

/// 24 more entries: a course of 8 steps, 6 petitions, 4 pieces of evidence, 3
/// circumstances, 3 notes.
fn fill(v: &mut Vault, case: &str, i: usize) {
    let step = |code: &str, date: &str| Step {
        step: code.into(),
        date: date.into(),
        ..Step::default()
    };
    for (code, date) in [
        ("complaint_filed", "2022-01-21"),
        ("registered", "2022-01-24"),
        ("victim_recognised", "2022-02-01"),
        ("interrupted", "2022-04-01"),
        ("resumed", "2022-05-01"),
    ] {
        record::step(v, case, step(code, date)).unwrap();
    }
    record::step(
        v,
        case,
        Step {
            ground: Some("no_elements".into()),
            deadline: Some("2023-03-10".into()),
            ..step("terminated", "2022-11-10")
        },
    )
    .unwrap();
    record::step(v, case, step("complaint_to_judge", "2022-11-15")).unwrap();
    if i.is_multiple_of(2) {
        record::step(v, case, step("complaint_to_prosecutor", "2022-11-16")).unwrap();
    } else {
        record::step(
            v,
            case,
            Step {
                outcome: Some("refused".into()),
                ..step("complaint_decided", "2022-11-25")
            },
        )
        .unwrap();
    }
    for p in 0..6 {
        record::petition(
            v,
            case,
            Petition {
                kind: "cctv_seizure".into(),
                asked: format!("изъять записи камеры {p}"),
                filed: format!("2023-02-{:02}", 20 + p),
                ..Petition::default()
            },
        )
        .unwrap();
    }
    for e in 0..4 {
        record::evidence(
            v,
            case,
            Evidence {
                kind: "cctv".into(),
                what: format!("камера {e}"),
                deadline: Some(format!("2023-03-{:02}", 1 + e)),
                ..Evidence::default()
            },
        )
        .unwrap();
    }
    for c in 0..3 {
        record::circumstance(v, case, &format!("обстоятельство {c}")).unwrap();
    }
    for n in 0..3 {
        record::note(
            v,
            case,
            Note {
                text: format!("заметка {n} {}", "текст ".repeat(50)),
                ..Note::default()
            },
        )
        .unwrap();
    }
}
