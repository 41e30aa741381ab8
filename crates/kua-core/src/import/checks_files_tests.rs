//! Unit tests of the checks of a bundle's record, case and media files, each defect
//! alone beside a file that passes: a forged file signed with the sender's own key
//! (a stolen laptop, a malicious build) must still be refused for what it is.

use super::*;
use crate::case::CaseEntry;
use crate::export::{BundledAttachment, BundledCase};
use crate::testimony::VersionBody;
use serde_json::json;

const RECORD: &str = "11111111-2222-4333-8444-555555555555";
const CASE: &str = "33333333-2222-4333-8444-555555555555";
const PHOTO: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Checks whose manifest carries the photograph as media.
fn carrying_photo() -> Checks {
    let mut checks = super::tests::signed(Vec::new());
    if let Some(m) = checks.manifest.as_mut() {
        m.files.insert(
            format!("media/{PHOTO}"),
            FileEntry {
                sha256: PHOTO.into(),
                size: 3,
            },
        );
    }
    checks
}

fn photo() -> BundledAttachment {
    BundledAttachment {
        sha256: PHOTO.into(),
        name: "photo.jpg".into(),
        media_type: "image/jpeg".into(),
        size: 3,
        captured_at: None,
        markers: Vec::new(),
    }
}

/// Version 1 of a sealed record with the photograph sealed into it.
fn record() -> BundledRecord {
    let body = VersionBody {
        id: RECORD.into(),
        version: 1,
        status: Status::Sealed,
        template: "torture-v1".into(),
        template_version: 1,
        language: "ru".into(),
        interviewer: None,
        fields: Default::default(),
        narrative: "Меня задержали 5 января.".into(),
        consent: None,
        attachments: vec![("attachment-1".into(), PHOTO.into())],
        created_at: 1,
        updated_at: 2,
        sealed_at: Some(2),
        amendment_reason: None,
    };
    BundledRecord {
        id: RECORD.into(),
        version: 1,
        content_hash: body.hash(),
        redacted: false,
        attachments: vec![photo()],
        body,
        match_keys: None,
    }
}

const RECORD_PATH: &str = "records/11111111-2222-4333-8444-555555555555/1.json";

/// What `Checks::record` makes of this record under this name: "ok" or the error code.
fn record_code(path: &str, r: &BundledRecord) -> &'static str {
    record_code_with(&mut carrying_photo(), path, r)
}

fn record_code_with(checks: &mut Checks, path: &str, r: &BundledRecord) -> &'static str {
    let bytes = serde_json::to_vec(r).expect("a record serialises");
    match checks.record(path, "f00d", &mut bytes.as_slice()) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn a_record_file_is_refused_for_each_defect_alone() {
    let mut checks = carrying_photo();
    assert_eq!(record_code_with(&mut checks, RECORD_PATH, &record()), "ok");
    assert_eq!(
        checks.records,
        vec![(
            RECORD.into(),
            1,
            record().content_hash,
            false,
            "f00d".into()
        )]
    );

    let other = "records/11111111-2222-4333-8444-555555555555/2.json";
    assert_eq!(record_code(other, &record()), "bundle_corrupt", "misnamed");

    let mut unhyphenated = record();
    unhyphenated.id = RECORD.replace('-', "");
    unhyphenated.body.id.clone_from(&unhyphenated.id);
    unhyphenated.content_hash = unhyphenated.body.hash();
    let unhyphenated_path = format!("records/{}/1.json", unhyphenated.id);
    assert_eq!(
        record_code(&unhyphenated_path, &unhyphenated),
        "bundle_corrupt",
        "not canonical"
    );

    let mut body_of_another = record();
    body_of_another.body.id = CASE.into();
    body_of_another.content_hash = body_of_another.body.hash();
    assert_eq!(
        record_code(RECORD_PATH, &body_of_another),
        "bundle_corrupt",
        "the body of another record"
    );

    let mut body_of_v2 = record();
    body_of_v2.body.version = 2;
    body_of_v2.content_hash = body_of_v2.body.hash();
    assert_eq!(
        record_code(RECORD_PATH, &body_of_v2),
        "bundle_corrupt",
        "the body of another version"
    );

    let mut draft = record();
    draft.body.status = Status::Draft;
    draft.content_hash = draft.body.hash();
    assert_eq!(
        record_code(RECORD_PATH, &draft),
        "bundle_corrupt",
        "a draft"
    );

    let mut changed = record();
    changed.body.narrative.push_str(" Нет.");
    assert_eq!(
        record_code(RECORD_PATH, &changed),
        "bundle_hash_mismatch",
        "a body that is not the sealed one"
    );

    let mut unlisted = record();
    unlisted.attachments.clear();
    assert_eq!(
        record_code(RECORD_PATH, &unlisted),
        "bundle_corrupt",
        "a sealed attachment left out of the list"
    );

    let mut uncarried = carrying_photo();
    if let Some(m) = uncarried.manifest.as_mut() {
        m.files.clear();
    }
    assert_eq!(
        record_code_with(&mut uncarried, RECORD_PATH, &record()),
        "bundle_corrupt",
        "its photograph missing from the bundle"
    );
}

fn case_entry(number: u32, kind: &str, data: serde_json::Value) -> CaseEntry {
    CaseEntry {
        id: format!("entry-{number}"),
        case: CASE.into(),
        number,
        time: "2022-01-10T09:00:00Z".into(),
        kind: kind.into(),
        privileged: false,
        data,
        salt: "00".into(),
    }
}

/// A whole case: opened for the record's client, a step with its details, a privileged
/// note, and a document.
fn whole() -> BundledCase {
    let mut note = case_entry(3, "note", json!({ "text": "Клиент боится." }));
    note.privileged = true;
    BundledCase {
        id: CASE.into(),
        client: RECORD.into(),
        whole: true,
        notes: true,
        entries: vec![
            case_entry(1, "opened", json!({ "client": RECORD })),
            case_entry(
                2,
                "step",
                json!({ "step": "complaint_filed", "number": "ЕРДР 221" }),
            ),
            note,
        ],
        documents: vec![("attachment-9".into(), photo())],
    }
}

/// The same case's course, as a coalition receives it: its steps, without details.
fn course() -> BundledCase {
    BundledCase {
        id: CASE.into(),
        client: RECORD.into(),
        whole: false,
        notes: false,
        entries: vec![case_entry(
            2,
            "step",
            json!({ "step": "complaint_filed", "number": null }),
        )],
        documents: Vec::new(),
    }
}

const CASE_PATH: &str = "cases/33333333-2222-4333-8444-555555555555.json";

fn case_code(path: &str, c: &BundledCase) -> &'static str {
    let bytes = serde_json::to_vec(c).expect("a case serialises");
    match carrying_photo().case(path, "f00d", &mut bytes.as_slice()) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn a_whole_case_passes_and_each_defect_alone_is_refused() {
    let mut checks = carrying_photo();
    let bytes = serde_json::to_vec(&whole()).expect("a case serialises");
    checks
        .case(CASE_PATH, "f00d", &mut bytes.as_slice())
        .expect("a whole case passes");
    assert_eq!(checks.cases.len(), 1);
    assert_eq!(checks.cases[0].1.len(), 3, "every entry's hash kept");
    assert_eq!(
        checks.case_documents,
        vec![(CASE.into(), "attachment-9".into(), PHOTO.into())]
    );

    let misnamed = "cases/33333333-2222-4333-8444-555555555556.json";
    assert_eq!(case_code(misnamed, &whole()), "bundle_corrupt");

    let mut unhyphenated = whole();
    unhyphenated.id = CASE.replace('-', "");
    for e in &mut unhyphenated.entries {
        e.case.clone_from(&unhyphenated.id);
    }
    let unhyphenated_path = format!("cases/{}.json", unhyphenated.id);
    assert_eq!(
        case_code(&unhyphenated_path, &unhyphenated),
        "bundle_corrupt",
        "not canonical"
    );

    let mut foreign = whole();
    foreign.entries[1].case = RECORD.into();
    assert_eq!(
        case_code(CASE_PATH, &foreign),
        "bundle_corrupt",
        "an entry of another case"
    );

    let mut repeated = whole();
    repeated.entries[1].number = 1;
    assert_eq!(
        case_code(CASE_PATH, &repeated),
        "bundle_corrupt",
        "an entry twice"
    );

    let mut undeclared = whole();
    undeclared.notes = false;
    assert_eq!(
        case_code(CASE_PATH, &undeclared),
        "bundle_corrupt",
        "privileged entries it does not declare"
    );

    let mut other_client = whole();
    other_client.client = CASE.into();
    assert_eq!(
        case_code(CASE_PATH, &other_client),
        "bundle_corrupt",
        "a client its opening does not name"
    );

    let mut uncarried = whole();
    uncarried.documents[0].1.sha256 = "ab".repeat(32);
    assert_eq!(
        case_code(CASE_PATH, &uncarried),
        "bundle_corrupt",
        "a document missing from the bundle"
    );
}

#[test]
fn a_course_carries_bare_steps_alone() {
    assert_eq!(case_code(CASE_PATH, &course()), "ok");

    let mut with_note = course();
    with_note.entries[0].kind = "note".into();
    assert_eq!(case_code(CASE_PATH, &with_note), "bundle_corrupt", "a note");

    let mut privileged = course();
    privileged.notes = true;
    privileged.entries[0].privileged = true;
    assert_eq!(
        case_code(CASE_PATH, &privileged),
        "bundle_corrupt",
        "a privileged step"
    );

    for detail in ["body", "number", "document", "note"] {
        let mut detailed = course();
        detailed.entries[0].data[detail] = json!("x");
        assert_eq!(
            case_code(CASE_PATH, &detailed),
            "bundle_corrupt",
            "a step's {detail}"
        );
    }

    let mut with_documents = course();
    with_documents.documents = vec![("attachment-9".into(), photo())];
    assert_eq!(
        case_code(CASE_PATH, &with_documents),
        "bundle_corrupt",
        "documents"
    );
}

#[test]
fn media_files_are_counted_one_by_one() {
    let mut checks = carrying_photo();
    for (path, size) in [("media/aa", 3), ("media/bb", 5)] {
        let entry = FileEntry {
            sha256: "00".into(),
            size,
        };
        let seen = checks
            .file(path, &entry, &mut std::io::empty())
            .expect("a media file");
        assert!(matches!(seen, Seen::Media(_)));
    }
    assert_eq!((checks.media, checks.media_bytes), (2, 8));
    let entry = FileEntry {
        sha256: "00".into(),
        size: 1,
    };
    assert!(checks
        .file("notes/x", &entry, &mut std::io::empty())
        .is_err());
}
