//! Interviewer → coordinator through bundles: consent, redaction, attachments,
//! continuity (replay, gap, late arrival, fork), tampering, and stock tools.

use crate::*;
use kua_core::model::{ConsentScope, TestimonyInput};
use kua_core::{
    Continuity, Error, ExportRequest, ImportOutcome, MediaRef, NewAttachment, Selection, Silent,
    Vault,
};
use serde_json::json;
use std::path::{Path, PathBuf};

pub(crate) struct Party {
    pub(crate) fx: Fixture,
    pub(crate) v: Vault,
}

pub(crate) fn party(seed: u64) -> Party {
    let fx = Fixture::new();
    let (v, _) = Vault::create(&fx.path, &pass(), weak(), seams(seed)).unwrap();
    Party { fx, v }
}

fn with_scope(narrative: &str, scope: &[ConsentScope], name: &str) -> TestimonyInput {
    let mut input = complete_input(narrative);
    let mut c = consent();
    c.scope = scope.iter().copied().collect();
    c.anonymous = false;
    input.consent = Some(c);
    let mut fields = input.fields.take().unwrap();
    fields.insert("full_name".into(), json!(name));
    fields.insert(
        "witnesses".into(),
        json!([{"witness_name": name, "what_they_saw": "всё"}]),
    );
    input.fields = Some(fields);
    input
}

fn out(p: &Party, name: &str) -> PathBuf {
    p.fx.dir.path().join(name)
}

pub(crate) fn export(
    p: &mut Party,
    to: &[&str],
    selection: Selection,
    redact: bool,
    name: &str,
) -> (PathBuf, kua_core::ExportReport) {
    let path = out(p, name);
    let req = ExportRequest {
        to: to.iter().map(|s| s.to_string()).collect(),
        selection,
        redact,
        cases: Vec::new(),
        case_notes: false,
    };
    let report = p.v.export(&req, &path, &mut Silent).unwrap();
    (path, report)
}

use ConsentScope::{Coalition, Legal, Store};

/// Two bundles to the coalition: the first with every testimony it may have, the second
/// with only `t3`, amended in between.
pub(crate) fn two_bundles(field: &mut Party, t3: &str) -> (PathBuf, PathBuf) {
    let (b1, _) = export(field, &["coalition"], Selection::All, false, "b1.kua");
    field
        .v
        .amend(
            t3,
            &TestimonyInput {
                narrative: Some("третий, ещё раз".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let (b2, _) = export(field, &["coalition"], Selection::SinceLast, false, "b2.kua");
    (b1, b2)
}

/// An interviewer with three sealed testimonies of different consent, and a coordinator
/// and a lawyer who know each other's keys.
pub(crate) fn setup() -> (Party, Party, Party, [String; 3]) {
    let mut field = party(10);
    let mut coord = party(20);
    let mut lawyer = party(30);
    let c_key = coord.v.identity().unwrap().age_recipient;
    let l_key = lawyer.v.identity().unwrap().age_recipient;
    field.v.add_recipient("coalition", &c_key, false).unwrap();
    field.v.add_recipient("lawyer", &l_key, true).unwrap();
    let pubkey = field.v.minisign_public_key_file().unwrap();
    coord.v.trust("field-7", &pubkey).unwrap();
    lawyer.v.trust("field-7", &pubkey).unwrap();
    let t1 = field
        .v
        .add(&with_scope(
            "первый: всё разрешено",
            &[Store, Coalition, Legal],
            "Асель Нурланова",
        ))
        .unwrap();
    let photo: Vec<u8> = (0..150_000u32).map(|i| (i % 249) as u8).collect();
    field
        .v
        .attach(
            &t1,
            &mut photo.as_slice(),
            NewAttachment {
                name: "спина.jpg".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    let t2 = field
        .v
        .add(&with_scope("второй: только хранить", &[Store], "Ерлан"))
        .unwrap();
    let t3 = field
        .v
        .add(&with_scope(
            "третий: коалиция",
            &[Store, Coalition],
            "асель  НУРЛАНОВА",
        ))
        .unwrap();
    for t in [&t1, &t2, &t3] {
        field.v.seal(t).unwrap();
    }
    field
        .v
        .amend(
            &t3,
            &TestimonyInput {
                narrative: Some("третий, уточнено".into()),
                ..Default::default()
            },
        )
        .unwrap();
    (field, coord, lawyer, [t1, t2, t3])
}

#[test]
fn consent_decides_what_travels_and_the_coordinator_imports_with_provenance() {
    let (mut field, mut coord, mut lawyer, [t1, t2, t3]) = setup();
    let (b1, r1) = export(&mut field, &["coalition"], Selection::All, false, "b1.kua");
    let mut sent = r1.records.clone();
    sent.sort();
    let mut want = vec![(t1.clone(), 1), (t3.clone(), 1), (t3.clone(), 2)];
    want.sort();
    assert_eq!(sent, want);
    assert_eq!(r1.withheld.len(), 1);
    assert_eq!(
        (r1.withheld[0].id.as_str(), r1.withheld[0].reason.as_str()),
        (t2.as_str(), "consent_scope")
    );
    assert_eq!(r1.media, 1);
    // Only the bundle is left behind: no partial file.
    let names: Vec<String> = std::fs::read_dir(field.fx.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("partial")), "{names:?}");

    let imported = coord.v.import(&b1, false, &mut Silent).unwrap();
    assert_eq!(imported.outcome, ImportOutcome::Imported);
    assert_eq!(imported.report.continuity, Continuity::First);
    assert_eq!(
        imported.report.sender.trusted_as.as_deref(),
        Some("field-7")
    );
    assert_eq!((imported.new_records, imported.new_media), (3, 1));
    // The withheld record's log entries travel as hashes only.
    assert!(imported.report.log_hashes_only > 0);
    let received = coord.v.received().unwrap();
    assert_eq!(received.len(), 3);
    assert!(received
        .iter()
        .all(|r| r.sender == "field-7" && !r.pending && r.bundle_id == r1.bundle_id));
    // The coordinator plays a received file straight from its vault, by range.
    let rec = coord.v.show_received(&t1, Some(1), None).unwrap();
    let sha = rec.record.attachments[0].sha256.clone();
    let r = MediaRef::Received {
        record: t1.clone(),
        version: 1,
        sha256: sha.clone(),
        sender: None,
    };
    let info = coord.v.open_media(&r).unwrap();
    assert_eq!(
        (info.media_type.as_str(), info.size),
        ("image/jpeg", 150_000)
    );
    let photo: Vec<u8> = (0..150_000u32).map(|i| (i % 249) as u8).collect();
    assert_eq!(
        &coord.v.read_media(&r, 70_000, 1000).unwrap()[..],
        &photo[70_000..71_000]
    );
    // A record that did not carry that file cannot name it.
    let other = MediaRef::Received {
        record: t3.clone(),
        version: 1,
        sha256: sha,
        sender: None,
    };
    assert!(matches!(
        coord.v.open_media(&other),
        Err(Error::AttachmentNotFound { .. })
    ));
    assert!(!received.iter().any(|r| r.id == t2));
    let shown = coord.v.show_received(&t3, None, None).unwrap();
    assert_eq!(shown.record.version, 2);
    assert_eq!(shown.record.body.narrative, "третий, уточнено");
    assert_eq!(shown.record.body.fields["full_name"], "асель  НУРЛАНОВА");
    // Provenance is in the coordinator's own custody history of the record.
    let history = coord.v.history(&t1).unwrap();
    assert!(history.iter().any(|l| l
        .detail
        .as_deref()
        .is_some_and(|d| d.contains(&r1.bundle_id) && d.contains("field-7"))));
    assert!(coord.v.verify(&mut Silent).unwrap().ok);

    // Importing the same bundle again changes nothing.
    let log_before = coord.v.log().unwrap().len();
    let again = coord.v.import(&b1, false, &mut Silent).unwrap();
    assert_eq!(again.outcome, ImportOutcome::AlreadyImported);
    assert_eq!(again.report.continuity, Continuity::Replay);
    assert_eq!(coord.v.log().unwrap().len(), log_before);
    assert_eq!(coord.v.received().unwrap().len(), 3);

    // To the coordinator and a lawyer at once: consent must cover both classes.
    let (b2, r2) = export(
        &mut field,
        &["coalition", "lawyer"],
        Selection::All,
        false,
        "b2.kua",
    );
    assert_eq!(r2.records, vec![(t1.clone(), 1)]);
    let mut reasons: Vec<&str> = r2.withheld.iter().map(|w| w.reason.as_str()).collect();
    reasons.sort();
    assert_eq!(reasons, ["consent_scope", "consent_scope"]);
    let l = lawyer.v.import(&b2, false, &mut Silent).unwrap();
    assert_eq!(l.new_records, 1);
    // The coordinator can read it too, and already has the media.
    let c2 = coord.v.import(&b2, false, &mut Silent).unwrap();
    assert_eq!((c2.new_records, c2.new_media), (0, 0));
    assert_eq!(c2.report.continuity, Continuity::Extends);

    // Since-last exports only what this recipient has not had yet.
    field
        .v
        .amend(
            &t1,
            &TestimonyInput {
                narrative: Some("первый, дополнено".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let (_, r3) = export(
        &mut field,
        &["coalition"],
        Selection::SinceLast,
        false,
        "b3.kua",
    );
    assert_eq!(r3.records, vec![(t1.clone(), 2)]);
    // Withdrawn consent stops the next export.
    let mut withdrawn = consent();
    withdrawn.scope = [Store, Coalition, Legal].into_iter().collect();
    withdrawn.withdrawn_at = Some("2022-05-01".into());
    field.v.set_consent(&t1, &withdrawn).unwrap();
    let req = ExportRequest {
        to: vec!["lawyer".into()],
        selection: Selection::Ids(vec![t1.clone()]),
        redact: false,
        cases: Vec::new(),
        case_notes: false,
    };
    let err = field
        .v
        .export(&req, &out(&field, "b4.kua"), &mut Silent)
        .unwrap_err();
    assert!(matches!(err, Error::BadInput(_)), "{err}");
    assert!(!out(&field, "b4.kua").exists());
}

#[test]
fn redaction_pseudonymises_identifying_fields_stably_per_coordinator() {
    let (mut field, mut coord, _, [t1, _, t3]) = setup();
    let (b, _) = export(&mut field, &["coalition"], Selection::All, true, "r.kua");
    coord.v.import(&b, false, &mut Silent).unwrap();
    let a = coord.v.show_received(&t1, None, None).unwrap();
    let c = coord.v.show_received(&t3, None, None).unwrap();
    assert!(a.record.redacted);
    let name_a = a.record.body.fields["full_name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        name_a.starts_with('~') && !name_a.contains("Асель"),
        "{name_a}"
    );
    // The same person, typed differently, gets the same pseudonym.
    assert_eq!(c.record.body.fields["full_name"].as_str().unwrap(), name_a);
    assert_eq!(
        a.record.body.fields["witnesses"][0]["witness_name"]
            .as_str()
            .unwrap(),
        name_a
    );
    // Non-identifying fields and the narrative are untouched; attachment names hidden.
    assert_eq!(a.record.body.fields["detaining_authority"], "knb");
    assert!(!a.record.attachments[0].name.contains("спина"));
    // Redacted records still match their sender's log entry by the original hash.
    assert_eq!(a.record.content_hash.len(), 64);
}

#[test]
fn an_untrusted_sender_is_refused_with_its_fingerprint_unless_trusted_now() {
    let (mut field, _, _, [t1, _, _]) = setup();
    let mut stranger = party(40);
    let key = stranger.v.identity().unwrap().age_recipient;
    field.v.add_recipient("stranger", &key, false).unwrap();
    let (b, _) = export(&mut field, &["stranger"], Selection::All, false, "s.kua");
    let fp = field.v.identity().unwrap().fingerprint;
    match stranger.v.import(&b, false, &mut Silent) {
        Err(Error::UntrustedSender { fingerprint }) => assert_eq!(fingerprint, fp),
        other => panic!("{other:?}"),
    }
    assert!(stranger.v.received().unwrap().is_empty());
    let r = stranger.v.import(&b, true, &mut Silent).unwrap();
    assert_eq!(r.outcome, ImportOutcome::Imported);
    assert_eq!(r.report.sender.fingerprint, fp);
    // Accepting it once trusts it from then on, under a name that says which key.
    let trusted = stranger.v.trusted_senders().unwrap();
    assert_eq!(trusted.len(), 1);
    assert_eq!(trusted[0].fingerprint, fp);
    assert!(stranger
        .v
        .received()
        .unwrap()
        .iter()
        .all(|r| r.sender == trusted[0].name));
    field
        .v
        .amend(
            &t1,
            &TestimonyInput {
                narrative: Some("later".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let (b2, r2) = export(
        &mut field,
        &["stranger"],
        Selection::SinceLast,
        false,
        "s2.kua",
    );
    assert_eq!(r2.records, vec![(t1.clone(), 2)]);
    let r = stranger.v.import(&b2, false, &mut Silent).unwrap();
    assert_eq!(
        (r.outcome, r.report.continuity),
        (ImportOutcome::Imported, Continuity::Extends)
    );
}

#[test]
fn a_gap_holds_bundles_pending_until_the_missing_one_arrives() {
    let (mut field, mut coord, _, [t1, t2, _]) = setup();
    let (b1, r1) = export(&mut field, &["coalition"], Selection::All, false, "g1.kua");
    let mut c = consent();
    c.scope = [Store, Coalition].into_iter().collect();
    field.v.set_consent(&t2, &c).unwrap();
    let (b2, r2) = export(
        &mut field,
        &["coalition"],
        Selection::SinceLast,
        false,
        "g2.kua",
    );
    field
        .v
        .amend(
            &t1,
            &TestimonyInput {
                narrative: Some("ещё".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let (b3, _) = export(
        &mut field,
        &["coalition"],
        Selection::SinceLast,
        false,
        "g3.kua",
    );

    let r = coord.v.import(&b3, false, &mut Silent).unwrap();
    assert_eq!(r.outcome, ImportOutcome::Pending);
    assert_eq!(
        r.report.continuity,
        Continuity::Gap {
            missing: vec![r1.bundle_id.clone(), r2.bundle_id.clone()]
        }
    );
    assert!(coord.v.received().unwrap().iter().all(|x| x.pending));
    let r = coord.v.import(&b1, false, &mut Silent).unwrap();
    assert_eq!(r.report.continuity, Continuity::Late);
    assert!(r.released.is_empty());
    let r = coord.v.import(&b2, false, &mut Silent).unwrap();
    assert_eq!(r.report.continuity, Continuity::Late);
    assert_eq!(r.released.len(), 1);
    assert!(coord.v.received().unwrap().iter().all(|x| !x.pending));
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn two_histories_of_one_device_are_a_fork_and_nothing_is_imported() {
    let (mut field, mut coord, _, [t1, _, _]) = setup();
    // A copy of the vault file (same keys) that goes its own way.
    drop(std::mem::replace(
        &mut field.v,
        Vault::open(&field.fx.path, seams(11)).unwrap(),
    ));
    field.v.unlock(&pass()).unwrap();
    let copy = field.fx.dir.path().join("copy.kua");
    field.v.lock().unwrap();
    std::fs::copy(&field.fx.path, &copy).unwrap();
    field.v.unlock(&pass()).unwrap();
    let mut twin = Vault::open(&copy, seams(12)).unwrap();
    twin.unlock(&pass()).unwrap();
    field
        .v
        .amend(
            &t1,
            &TestimonyInput {
                narrative: Some("ветка А".into()),
                ..Default::default()
            },
        )
        .unwrap();
    twin.amend(
        &t1,
        &TestimonyInput {
            narrative: Some("ветка Б".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let (a, _) = export(&mut field, &["coalition"], Selection::All, false, "a.kua");
    let b = field.fx.dir.path().join("b.kua");
    twin.export(
        &ExportRequest {
            to: vec!["coalition".into()],
            selection: Selection::All,
            redact: false,
            cases: Vec::new(),
            case_notes: false,
        },
        &b,
        &mut Silent,
    )
    .unwrap();
    coord.v.import(&a, false, &mut Silent).unwrap();
    let before = coord.v.received().unwrap().len();
    match coord.v.import(&b, false, &mut Silent) {
        Err(e) => assert_eq!(e.code(), "bundle_fork", "{e}"),
        Ok(r) => panic!("{r:?}"),
    }
    assert_eq!(coord.v.received().unwrap().len(), before);
}

#[test]
fn a_damaged_bundle_changes_nothing_in_the_coordinators_vault() {
    let (mut field, mut coord, _, _) = setup();
    let (b, _) = export(&mut field, &["coalition"], Selection::All, false, "d.kua");
    let pristine = std::fs::read(&b).unwrap();
    let log_before = coord.v.log().unwrap().len();
    for at in [pristine.len() / 3, pristine.len() / 2, pristine.len() - 40] {
        let mut bad = pristine.clone();
        bad[at] ^= 0x20;
        std::fs::write(&b, &bad).unwrap();
        let err = coord.v.import(&b, false, &mut Silent).unwrap_err();
        assert_eq!(err.code(), "bundle_corrupt", "{err}");
    }
    std::fs::write(&b, &pristine[..pristine.len() - 1000]).unwrap();
    assert!(coord.v.import(&b, false, &mut Silent).is_err());
    assert!(coord.v.received().unwrap().is_empty());
    assert_eq!(coord.v.log().unwrap().len(), log_before);
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
    std::fs::write(&b, &pristine).unwrap();
    assert_eq!(
        coord.v.import(&b, false, &mut Silent).unwrap().new_records,
        3
    );
}

fn sh(dir: &Path, cmd: &str) -> String {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_third_party_checks_a_kua_bundle_with_stock_tools() {
    use secrecy::ExposeSecret;
    let (mut field, mut coord, _, _) = setup();
    let (b, report) = export(&mut field, &["coalition"], Selection::All, false, "t.kua");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(&b, d.join("b.kua")).unwrap();
    std::fs::write(
        d.join("key.txt"),
        coord.v.export_age_identity().unwrap().expose_secret(),
    )
    .unwrap();
    std::fs::write(
        d.join("sender.pub"),
        field.v.minisign_public_key_file().unwrap(),
    )
    .unwrap();
    sh(d, "age -d -i key.txt b.kua | tar -x");
    assert!(sh(d, "minisign -Vm manifest.json -p sender.pub").contains(&report.bundle_id));
    let sums = sh(d, "sha256sum -c SHA256SUMS");
    assert!(
        sums.lines().count() >= 5 && sums.lines().all(|l| l.ends_with(": OK")),
        "{sums}"
    );
    // And Kua's own vault-less check agrees.
    let id = kua_core::kua_bundle::age::x25519::Identity::from_str(
        coord.v.export_age_identity().unwrap().expose_secret(),
    )
    .unwrap();
    let checked = kua_core::check_bundle(std::fs::File::open(&b).unwrap(), &[id]).unwrap();
    assert_eq!(checked.bundle_id, report.bundle_id);
    assert_eq!(
        checked.sender.fingerprint,
        field.v.identity().unwrap().fingerprint
    );
}

use std::str::FromStr;

#[test]
fn consent_asking_for_anonymity_is_honoured_without_redact() {
    let (mut field, mut coord, _, [t1, _, t3]) = setup();
    let mut anonymous = consent();
    anonymous.scope = [Store, Coalition, Legal].into_iter().collect();
    anonymous.anonymous = true;
    field.v.set_consent(&t1, &anonymous).unwrap();
    let (b, _) = export(
        &mut field,
        &["coalition"],
        Selection::All,
        false,
        "anon.kua",
    );
    coord.v.import(&b, false, &mut Silent).unwrap();
    let a = coord.v.show_received(&t1, None, None).unwrap();
    assert!(a.record.redacted);
    assert!(a.record.body.fields["full_name"]
        .as_str()
        .unwrap()
        .starts_with('~'));
    assert!(
        a.record.body.interviewer.is_none()
            || !a
                .record
                .body
                .interviewer
                .as_deref()
                .unwrap_or("")
                .contains("Интервьюер")
    );
    // A record without that wish travels as it is.
    let c = coord.v.show_received(&t3, None, None).unwrap();
    assert!(!c.record.redacted);
    assert_eq!(c.record.body.fields["full_name"], "асель  НУРЛАНОВА");
}

/// A bundle the field vault made for the lawyer only, which the lawyer decrypted and
/// re-encrypted to the coordinator: signed and whole, but not addressed to it.
pub(crate) fn readdressed(field: &mut Party, coord: &mut Party, lawyer: &mut Party) -> PathBuf {
    use secrecy::ExposeSecret;
    use std::io::{Read, Write};
    let (b, _) = export(field, &["lawyer"], Selection::All, false, "l.kua");
    let lawyer_id = kua_core::kua_bundle::age::x25519::Identity::from_str(
        lawyer.v.export_age_identity().unwrap().expose_secret(),
    )
    .unwrap();
    let bytes = std::fs::read(&b).unwrap();
    let d = kua_core::kua_bundle::age::Decryptor::new(bytes.as_slice()).unwrap();
    let mut plain = Vec::new();
    d.decrypt(std::iter::once(
        &lawyer_id as &dyn kua_core::kua_bundle::age::Identity,
    ))
    .unwrap()
    .read_to_end(&mut plain)
    .unwrap();
    let to: kua_core::kua_bundle::age::x25519::Recipient =
        coord.v.identity().unwrap().age_recipient.parse().unwrap();
    let e = kua_core::kua_bundle::age::Encryptor::with_recipients(std::iter::once(
        &to as &dyn kua_core::kua_bundle::age::Recipient,
    ))
    .unwrap();
    let mut again = Vec::new();
    let mut w = e.wrap_output(&mut again).unwrap();
    w.write_all(&plain).unwrap();
    w.finish().unwrap();
    std::fs::write(&b, again).unwrap();
    b
}

#[test]
fn a_bundle_re_encrypted_by_another_recipient_is_refused() {
    let (mut field, mut coord, mut lawyer, _) = setup();
    // A bundle for the lawyer only; the lawyer passes it on to the coordinator.
    let b = readdressed(&mut field, &mut coord, &mut lawyer);
    let err = coord.v.import(&b, false, &mut Silent).unwrap_err();
    assert_eq!(err.code(), "bundle_readdressed", "{err}");
    assert!(coord.v.received().unwrap().is_empty());
}

#[test]
fn match_keys_travel_only_under_the_linkage_secret_and_never_for_anonymity() {
    use secrecy::ExposeSecret;
    let (mut field, mut coord, mut lawyer, [t1, _, t3]) = setup();
    let mut all = consent();
    all.scope = [Store, Coalition, Legal].into_iter().collect();
    all.anonymous = false;
    field.v.set_consent(&t3, &all).unwrap();
    let mut anonymous = all.clone();
    anonymous.anonymous = true;
    field.v.set_consent(&t1, &anonymous).unwrap();

    // Without a linkage secret, a redacted record carries no match keys: the only other
    // key is the redaction key, which every recipient derives.
    let (b, _) = export(
        &mut field,
        &["coalition"],
        Selection::All,
        true,
        "no-secret.kua",
    );
    coord.v.import(&b, false, &mut Silent).unwrap();
    for id in [&t1, &t3] {
        let r = coord.v.show_received(id, None, None).unwrap();
        assert!(r.record.redacted);
        assert_eq!(r.record.match_keys, None, "{id}");
    }
    // Without match keys the name's pseudonym is under the redaction key, which the
    // recipient computes from its own public key (docs/bundle-format.md).
    let coord_key = coord.v.identity().unwrap().age_recipient;
    let r = coord.v.show_received(&t3, None, None).unwrap();
    assert_eq!(
        r.record.body.fields["full_name"],
        redaction_pseudonym(&[&coord_key], "асель  НУРЛАНОВА")
    );

    // Under the coalition's secret, a redacted record carries them; a person who asked
    // to stay anonymous still gets none.
    let secret = field.v.create_linkage_secret().unwrap();
    assert!(
        field.v.create_linkage_secret().is_err(),
        "never replaced silently"
    );
    let (b, _) = export(&mut field, &["lawyer"], Selection::All, true, "secret.kua");
    lawyer.v.import(&b, false, &mut Silent).unwrap();
    let r = lawyer.v.show_received(&t3, None, None).unwrap();
    let keys = r
        .record
        .match_keys
        .clone()
        .expect("match keys under the secret");
    assert!(keys.name.is_some());
    // Beside a filter, the name's pseudonym is not one the recipient can compute: it
    // would pair names the recipient knows with their filters.
    let lawyer_key = lawyer.v.identity().unwrap().age_recipient;
    let name = r.record.body.fields["full_name"].as_str().unwrap();
    assert!(name.starts_with('~'));
    assert_ne!(
        name,
        redaction_pseudonym(&[&lawyer_key], "асель  НУРЛАНОВА")
    );
    let text = serde_json::to_string(&r.record).unwrap();
    assert!(
        !text.contains("Асель") && !text.contains("Нурланова"),
        "{text}"
    );
    let anon = lawyer.v.show_received(&t1, None, None).unwrap();
    assert!(anon.record.redacted);
    assert_eq!(anon.record.match_keys, None);

    // The secret's text form, entered in another vault, gives the same key id; a vault
    // that already has one refuses another, and forgetting it stops the keys.
    let shown = secret.display();
    let typed = kua_core::LinkageSecret::parse(shown.expose_secret()).unwrap();
    assert_eq!(typed.key_id(), secret.key_id());
    assert!(field.v.set_linkage_secret(&typed).is_err());
    field.v.forget_linkage_secret().unwrap();
    assert!(field.v.linkage_secret().unwrap().is_none());
    assert!(field.v.forget_linkage_secret().is_err());
    field.v.set_linkage_secret(&typed).unwrap();
    assert_eq!(
        field.v.linkage_secret().unwrap().unwrap().key_id(),
        secret.key_id()
    );
    // Every change of the secret is a logged setting: the vault still verifies.
    let report = field.v.verify_quietly().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

/// A value's pseudonym under the redaction key of `recipients`, computed as any
/// recipient can: SHA-256 of `kua redact v1\n` and the sorted keys, then HMAC-SHA256 of
/// the value, white space collapsed and lower-cased.
fn redaction_pseudonym(recipients: &[&str], value: &str) -> String {
    use hmac::Mac;
    use sha2::Digest;
    let mut sorted = recipients.to_vec();
    sorted.sort();
    let key = sha2::Sha256::digest(format!("kua redact v1\n{}", sorted.join("\n")).as_bytes());
    let normal = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(normal.as_bytes());
    let hex = data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes());
    format!("~{}", &hex[..16])
}

#[test]
fn a_batch_of_bundles_imports_each_on_its_own_and_the_vault_returns_to_its_wal() {
    let (mut field, mut coord, _, [t1, _, t3]) = setup();
    let (b1, b2) = two_bundles(&mut field, &t3);
    // A damaged copy of the second, in the middle of the batch.
    let bad = out(&field, "bad.kua");
    let mut bytes = std::fs::read(&b2).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x20;
    std::fs::write(&bad, &bytes).unwrap();
    let log_before = coord.v.log().unwrap().len();
    let path = coord.fx.path.clone();
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let journal = PathBuf::from(format!("{}-journal", path.display()));
    let (results, logged, wal_between) = coord
        .v
        .import_batch(|v| {
            let mut results = Vec::new();
            let mut logged = Vec::new();
            let mut wal_between = Vec::new();
            for b in [&b1, &bad, &b2, &b1] {
                results.push(v.import(b, false, &mut Silent));
                logged.push(v.log().unwrap().len());
                // Within the batch the vault stays in its rollback-journal mode: no WAL
                // file, and no journal left between two imports.
                wal_between.push(wal.exists() || journal.exists());
            }
            (results, logged, wal_between)
        })
        .unwrap();
    assert_eq!(wal_between, [false; 4]);
    let mut results = results.into_iter();
    let first = results.next().unwrap().unwrap();
    assert_eq!((first.new_records, first.new_media), (3, 1));
    let damaged = results.next().unwrap().unwrap_err();
    assert_eq!(damaged.code(), "bundle_corrupt", "{damaged}");
    assert_eq!(results.next().unwrap().unwrap().new_records, 1);
    assert_eq!(
        results.next().unwrap().unwrap().outcome,
        ImportOutcome::AlreadyImported
    );
    // Each bundle is logged as it is imported; the damaged one left nothing, and the
    // replay nothing either.
    assert!(logged[0] > log_before);
    assert_eq!(logged[1], logged[0]);
    assert!(logged[2] > logged[1]);
    assert_eq!(logged[3], logged[2]);
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
    // The media went through the two-thread store: every byte reads back.
    let sha = coord
        .v
        .show_received(&t1, Some(1), None)
        .unwrap()
        .record
        .attachments[0]
        .sha256
        .clone();
    let r = MediaRef::Received {
        record: t1.clone(),
        version: 1,
        sha256: sha,
        sender: None,
    };
    let photo: Vec<u8> = (0..150_000u32).map(|i| (i % 249) as u8).collect();
    assert_eq!(&coord.v.read_media(&r, 0, 150_000).unwrap()[..], &photo[..]);
    // After the batch the vault writes through its WAL again (a rollback journal
    // leaves no -wal file), and no journal is left behind.
    coord.v.add(&complete_input("после пакета")).unwrap();
    assert!(wal.exists(), "the vault is back in WAL mode");
    assert!(!journal.exists());
    // A lock inside a batch: the imports after it are refused as locked, and the batch
    // still ends in WAL mode.
    let after_lock = coord
        .v
        .import_batch(|v| {
            assert!(!wal.exists(), "the second batch left the WAL too");
            v.lock().unwrap();
            v.import(&b2, false, &mut Silent)
        })
        .unwrap();
    assert!(matches!(after_lock, Err(Error::Locked)));
    coord.v.unlock(&pass()).unwrap();
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
    coord.v.add(&complete_input("после блокировки")).unwrap();
    assert!(
        wal.exists(),
        "the vault is back in WAL mode after a lock in a batch"
    );
}
