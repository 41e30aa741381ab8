//! Cases in bundles: whole to a legal colleague (notes only when asked for), only the
//! course to a coalition; verified and imported with provenance; outcomes counted at
//! the coordinator, each complaint once.

use crate::fixture::{party, step, Lawyer, CANARY};
use kua_case::entry::{Document, Note, Petition, Step};
use kua_case::{outcomes, record, show, Notes};
use kua_core::kua_bundle::age;
use kua_core::{ExportRequest, Selection, Silent};
use secrecy::ExposeSecret;
use std::io::Read;
use std::str::FromStr;

/// The plaintext of a bundle, as its recipient decrypts it.
fn plaintext(bundle: &std::path::Path, to: &mut Lawyer) -> Vec<u8> {
    let id = age::x25519::Identity::from_str(to.v.export_age_identity().unwrap().expose_secret())
        .unwrap();
    let bytes = std::fs::read(bundle).unwrap();
    let d = age::Decryptor::new(bytes.as_slice()).unwrap();
    let mut plain = Vec::new();
    d.decrypt(std::iter::once(&id as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    plain
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn send(from: &mut Lawyer, to: &str, case: &str, notes: bool, file: &str) -> std::path::PathBuf {
    let path = from.dir.path().join(file);
    let req = ExportRequest {
        to: vec![to.into()],
        selection: Selection::Ids(Vec::new()),
        redact: false,
        cases: vec![case.into()],
        case_notes: notes,
    };
    let report = from.v.export(&req, &path, &mut Silent).unwrap();
    assert_eq!(report.cases, [case.to_string()]);
    path
}

#[test]
fn a_case_travels_whole_to_counsel_and_as_its_course_to_a_coalition() {
    let mut lawyer = party(11);
    let mut counsel = party(12);
    let mut coalition = party(13);
    let case = record::open(
        &mut lawyer.v,
        &lawyer.client,
        Some(format!("{CANARY} title")),
    )
    .unwrap();
    let v = &mut lawyer.v;
    record::step(v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    // The step's details name people and a criminal file: never to a coalition.
    record::step(
        v,
        &case,
        Step {
            body: Some(format!("{CANARY} body")),
            number: Some("CANARY-ERDR-225500031".into()),
            note: Some(format!("{CANARY} remark")),
            ..step("registered", "2022-01-24")
        },
    )
    .unwrap();
    record::step(
        v,
        &case,
        Step {
            ground: Some("no_elements".into()),
            ..step("terminated", "2022-06-01")
        },
    )
    .unwrap();
    record::note(
        v,
        &case,
        Note {
            text: format!("{CANARY} privileged"),
            ..Note::default()
        },
    )
    .unwrap();
    record::petition(
        v,
        &case,
        Petition {
            kind: "cctv_seizure".into(),
            asked: format!("{CANARY} cameras"),
            filed: "2022-01-25".into(),
            ..Petition::default()
        },
    )
    .unwrap();
    let doc = b"POSTANOVLENIE".to_vec();
    record::document(
        v,
        &case,
        &mut doc.as_slice(),
        "decision.txt",
        Document {
            kind: "decision".into(),
            ..Document::default()
        },
        &mut Silent,
    )
    .unwrap();
    let counsel_key = counsel.v.identity().unwrap().age_recipient;
    let coalition_key = coalition.v.identity().unwrap().age_recipient;
    lawyer
        .v
        .add_recipient("counsel", &counsel_key, true)
        .unwrap();
    lawyer
        .v
        .add_recipient("coalition", &coalition_key, false)
        .unwrap();
    let pubkey = lawyer.v.minisign_public_key_file().unwrap();
    counsel.v.trust("lawyer", &pubkey).unwrap();
    coalition.v.trust("lawyer", &pubkey).unwrap();

    // Notes never go to a coalition, even when asked for.
    let refused = ExportRequest {
        to: vec!["coalition".into()],
        selection: Selection::Ids(Vec::new()),
        redact: false,
        cases: vec![case.clone()],
        case_notes: true,
    };
    let path = lawyer.dir.path().join("refused.kua");
    assert_eq!(
        lawyer
            .v
            .export(&refused, &path, &mut Silent)
            .unwrap_err()
            .code(),
        "bad_input"
    );
    assert!(!path.exists());

    // To the coalition: the course only. The canary (in the title, the note and the
    // petition) is nowhere in the bundle's plaintext.
    let b = send(&mut lawyer, "coalition", &case, false, "coalition.kua");
    let plain = plaintext(&b, &mut coalition);
    assert!(
        !contains(&plain, CANARY),
        "the coalition's bundle carries privileged text"
    );
    assert!(!contains(&plain, "POSTANOVLENIE"));
    assert!(!contains(&plain, "CANARY-ERDR"));
    // Nor does the carried log give away what else the case holds: only the steps'
    // entries travel in full.
    assert!(!contains(&plain, "attachment_added"));
    assert!(contains(&plain, "no_elements"));
    let imported = coalition.v.import(&b, false, &mut Silent).unwrap();
    assert_eq!(imported.new_cases, 1);
    let f = show(&mut coalition.v, &case, true).unwrap();
    assert_eq!(f.state, "terminated");
    assert_eq!(f.client, lawyer.client);
    assert_eq!(f.notes, Notes::Shown(Vec::new()));
    assert!(f.petitions.is_empty() && f.documents.is_empty() && f.title.is_none());
    let report = coalition.v.verify_quietly().unwrap();
    assert!(report.ok, "{:?}", report.problems);
    // Again: nothing new.
    assert_eq!(
        coalition
            .v
            .import(&b, false, &mut Silent)
            .unwrap()
            .new_cases,
        0
    );

    // To counsel without notes, then with them.
    let b = send(&mut lawyer, "counsel", &case, false, "counsel.kua");
    let plain = plaintext(&b, &mut counsel);
    assert!(contains(&plain, &format!("{CANARY} cameras")));
    assert!(!contains(&plain, &format!("{CANARY} privileged")));
    assert!(
        contains(&plain, "POSTANOVLENIE"),
        "the documents travel to counsel"
    );
    assert!(
        contains(&plain, "CANARY-ERDR-225500031"),
        "the details travel to counsel"
    );
    counsel.v.import(&b, false, &mut Silent).unwrap();
    let f = show(&mut counsel.v, &case, true).unwrap();
    assert_eq!((f.petitions.len(), f.documents.len()), (1, 1));
    assert_eq!(f.notes, Notes::Shown(Vec::new()));
    let b = send(&mut lawyer, "counsel", &case, true, "counsel-notes.kua");
    assert!(contains(
        &plaintext(&b, &mut counsel),
        &format!("{CANARY} privileged")
    ));
    assert_eq!(
        counsel.v.import(&b, false, &mut Silent).unwrap().new_cases,
        1
    );
    let Notes::Shown(notes) = show(&mut counsel.v, &case, true).unwrap().notes else {
        panic!("notes asked for");
    };
    assert_eq!(notes.len(), 1);
    assert!(counsel.v.verify_quietly().unwrap().ok);
    let listed = kua_case::list(&mut counsel.v, crate::fixture::day("2022-07-01")).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].from.as_deref(), Some("lawyer"));

    // The coordinator counts the outcome: one complaint, registered, terminated for
    // want of the elements of a crime, none in court.
    let o = outcomes(&mut coalition.v).unwrap();
    assert_eq!((o.cases, o.own, o.received), (1, 0, 1));
    let count = |rows: &[kua_case::outcomes::CountRow], code: &str| {
        rows.iter().find(|r| r.code == code).unwrap().count
    };
    assert_eq!(count(&o.by_state, "terminated"), 1);
    assert_eq!(count(&o.ever, "registered"), 1);
    assert_eq!(count(&o.ever, "sent_to_court"), 0);
    assert_eq!(count(&o.by_ground, "no_elements"), 1);
    assert_eq!(count(&o.by_ground, "not_recorded"), 0);
    // Counted at the lawyer too, where the case is its own: once, not twice, even with
    // a copy received back.
    let o = outcomes(&mut lawyer.v).unwrap();
    assert_eq!((o.cases, o.own), (1, 1));
    // Counsel may erase the copy received (notes and all); the log keeps a tombstone
    // and verify accepts the copy gone.
    counsel.v.erase_case(&case).unwrap();
    assert!(counsel.v.received_cases().unwrap().is_empty());
    let report = counsel.v.verify_quietly().unwrap();
    assert!(report.ok, "{:?}", report.problems);
}

/// A case entry altered in the bundle no longer matches the sender's log: refused.
#[test]
fn a_case_entry_changed_in_transit_is_refused() {
    let mut lawyer = party(21);
    let mut coalition = party(22);
    let case = record::open(&mut lawyer.v, &lawyer.client, None).unwrap();
    record::step(&mut lawyer.v, &case, step("complaint_filed", "2022-01-21")).unwrap();
    let key = coalition.v.identity().unwrap().age_recipient;
    lawyer.v.add_recipient("coalition", &key, false).unwrap();
    let pubkey = lawyer.v.minisign_public_key_file().unwrap();
    coalition.v.trust("lawyer", &pubkey).unwrap();
    let b = send(&mut lawyer, "coalition", &case, false, "c.kua");
    // The file is signed: an attacker with the coalition's key can re-encrypt but not
    // re-sign, so a changed case fails on its hash; here the bytes are swapped in place
    // to show the reader refuses them.
    let plain = plaintext(&b, &mut coalition);
    let changed = String::from_utf8_lossy(&plain).replace("complaint_filed", "complaint_filex");
    assert_ne!(changed.as_bytes(), plain.as_slice());
    let to: age::x25519::Recipient = key.parse().unwrap();
    let e = age::Encryptor::with_recipients(std::iter::once(&to as &dyn age::Recipient)).unwrap();
    let mut again = Vec::new();
    let mut w = e.wrap_output(&mut again).unwrap();
    std::io::Write::write_all(&mut w, changed.as_bytes()).unwrap();
    w.finish().unwrap();
    std::fs::write(&b, again).unwrap();
    let err = coalition.v.import(&b, false, &mut Silent).unwrap_err();
    assert_eq!(err.class(), kua_core::ErrorClass::Integrity, "{err}");
    assert!(coalition.v.received_cases().unwrap().is_empty());
}
