//! The report of a record a coordinator received in a bundle: it names the sender and
//! the bundle, embeds the record as sealed, and a redacted record's report names no one.

use crate::fixture::*;
use crate::testimony::{options, pdf_text};
use kua_core::{ExportRequest, Selection, Silent};

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Sends testimony `id` from `field` to `coord` in a bundle, redacted or not.
fn send(
    field: &mut Desk,
    coord: &mut Desk,
    (id, version): (&str, u32),
    redact: bool,
    name: &str,
) -> String {
    // Only what this coordinator has not had yet: a version sent again would be
    // refused as differing from the one sent before once its redaction changes.
    let selection = if version == 1 {
        Selection::Ids(vec![id.to_string()])
    } else {
        Selection::SinceLast
    };
    let path = field.dir.path().join(name);
    let request = ExportRequest {
        to: vec!["coalition".into()],
        selection,
        redact,
        cases: Vec::new(),
        case_notes: false,
    };
    let sent = field.v.export(&request, &path, &mut Silent).unwrap();
    assert_eq!(sent.records, vec![(id.to_string(), version)]);
    coord.v.import(&path, false, &mut Silent).unwrap();
    sent.bundle_id
}

#[test]
fn a_received_record_is_reported_with_its_sender_and_a_redacted_one_names_no_one() {
    let mut field = desk();
    let mut coord = desk_seeded(12);
    let age = coord.v.identity().unwrap().age_recipient;
    field.v.add_recipient("coalition", &age, false).unwrap();
    let field_key = field.v.minisign_public_key_file().unwrap();
    coord.v.trust("Интервьюер из Алматы", &field_key).unwrap();
    let field_id = field.v.identity().unwrap().minisign_key_id;

    // Sent whole: the report names the person, the sender and the bundle, and embeds
    // the record exactly as the interviewer sealed it.
    let named = field.testimony("ru", RU_ACCOUNT, consent(false, ALL));
    let sealed = field.v.show(&named, None).unwrap();
    let bundle = send(&mut field, &mut coord, (&named, 1), false, "b1.kua");
    let report = kua_report::received(&mut coord.v, &named, None, &options("ru")).unwrap();
    let dir = &coord.dir.path().to_path_buf();
    let out = dir.join("received.pdf");
    kua_report::save(&mut coord.v, &report, &out).unwrap();
    let text = pdf_text(dir, "received.pdf");
    assert!(text.contains("Отчёт о полученном свидетельском показании"));
    assert!(text.contains(&one_line(RU_ACCOUNT)));
    assert!(text.contains(NAME), "an unredacted record names the person");
    assert!(text.contains("Интервьюер из Алматы"), "the sender's name");
    assert!(text.contains(&field_id), "the sender's key id");
    assert!(text.contains(&bundle), "the bundle");
    assert!(
        text.contains(&sealed.content_hash),
        "the sender's content hash"
    );
    assert!(text.contains(&sealed.attachments[0].sha256));
    assert!(
        text.contains("фото-предплечье.png"),
        "files keep their names"
    );
    run(
        "pdfdetach",
        &["-saveall", "-o", dir.to_str().unwrap(), "received.pdf"],
        dir,
    );
    let record = std::fs::read(dir.join("record.json")).unwrap();
    assert_eq!(
        sha256_hex(&record),
        sealed.content_hash,
        "the embedded record is the one the interviewer sealed"
    );
    let custody: Vec<kua_core::LogLine> =
        serde_json::from_slice(&std::fs::read(dir.join("custody.json")).unwrap()).unwrap();
    assert_eq!(
        custody.len(),
        1,
        "the coordinator's import of it: {custody:?}"
    );
    assert_eq!(custody[0].event, kua_core::custody::Event::Imported);
    // Signed by the coordinator's vault, which attests what it received.
    std::fs::write(
        dir.join("coord.pub"),
        coord.v.minisign_public_key_file().unwrap(),
    )
    .unwrap();
    let verified = run("minisign", &["-Vm", "received.pdf", "-p", "coord.pub"], dir);
    assert!(
        verified.contains(&field_id),
        "the trusted comment names the sender"
    );
    std::fs::write(dir.join("field.pub"), &field_key).unwrap();
    assert!(
        !passes("minisign", &["-Vm", "received.pdf", "-p", "field.pub"], dir),
        "the sender did not sign this report"
    );
    let again = kua_report::received(&mut coord.v, &named, None, &options("ru")).unwrap();
    assert_eq!(
        again.pdf, report.pdf,
        "saving it changed nothing in the next one"
    );

    // Sent redacted: nothing that names the person or the interviewer, the fields say
    // who withheld them, and no full report can be made of it.
    let redacted = field.testimony("kk", KK_ACCOUNT, consent(false, ALL));
    send(&mut field, &mut coord, (&redacted, 1), true, "b2.kua");
    let report = kua_report::received(&mut coord.v, &redacted, None, &options("kk")).unwrap();
    std::fs::write(dir.join("redacted.pdf"), &report.pdf).unwrap();
    let text = pdf_text(dir, "redacted.pdf");
    assert!(text.contains(&one_line(KK_ACCOUNT)), "the account is kept");
    for canary in [NAME, "Нұрланқызы", "Интервьюер 3", "фото-предплечье"]
    {
        assert!(!text.contains(canary), "{canary} printed");
    }
    assert!(text.contains("жасырылған (жіберуші иесіздендірген)"));
    assert!(text.contains("Сурет көрсетілмеді: жазба иесіздендірілген күйде алынды."));
    let list = run("pdfdetach", &["-list", "redacted.pdf"], dir);
    assert!(!list.contains("record.json"), "{list}");
    let detached = dir.join("redacted");
    std::fs::create_dir(&detached).unwrap();
    run(
        "pdfdetach",
        &["-saveall", "-o", detached.to_str().unwrap(), "redacted.pdf"],
        dir,
    );
    let custody = std::fs::read_to_string(detached.join("custody.json")).unwrap();
    assert!(custody.contains("[withheld]"), "{custody}");
    assert!(!custody.contains("Интервьюер из Алматы"), "{custody}");
    let full = kua_report::Options {
        full: true,
        ..options("kk")
    };
    let err = kua_report::received(&mut coord.v, &redacted, None, &full).unwrap_err();
    assert_eq!(err.code(), "report_full_redacted");

    // A record this vault never received.
    // The person later asks for anonymity: the sender amends the consent and the new
    // version travels redacted. The report of the first version, which came whole,
    // names them no more, and says what it can compare.
    field.v.set_consent(&named, &consent(true, ALL)).unwrap();
    field
        .v
        .amend(
            &named,
            &kua_core::model::TestimonyInput {
                narrative: Some(format!("{RU_ACCOUNT} Уточнено.")),
                reason: Some("the person asked for anonymity".into()),
                ..Default::default()
            },
        )
        .unwrap();
    send(&mut field, &mut coord, (&named, 2), false, "b3.kua");
    let v1 = kua_report::Options {
        version: Some(1),
        ..options("ru")
    };
    let report = kua_report::received(&mut coord.v, &named, None, &v1).unwrap();
    std::fs::write(dir.join("v1-now.pdf"), &report.pdf).unwrap();
    let text = pdf_text(dir, "v1-now.pdf");
    assert!(
        !text.contains(NAME),
        "the later anonymity holds for v1: {text}"
    );
    assert!(text.contains(&one_line(RU_ACCOUNT)));
    let full = kua_report::Options { full: true, ..v1 };
    let report = kua_report::received(&mut coord.v, &named, None, &full).unwrap();
    std::fs::write(dir.join("v1-full.pdf"), &report.pdf).unwrap();
    assert!(
        pdf_text(dir, "v1-full.pdf").contains(NAME),
        "its consent covers courts, so the full report may name them"
    );
    let report = kua_report::received(&mut coord.v, &named, None, &options("en")).unwrap();
    assert_eq!(report.version, Some(2));
    std::fs::write(dir.join("v2.pdf"), &report.pdf).unwrap();
    let text = pdf_text(dir, "v2.pdf");
    assert!(
        text.contains("not comparable with the version before"),
        "v1 came whole and v2 redacted: {text}"
    );

    let stranger = "00000000-0000-4000-8000-000000000000";
    let err = kua_report::received(&mut coord.v, stranger, None, &options("kk")).unwrap_err();
    assert_eq!(err.code(), "testimony_not_found");
}
