//! Draft → seal → amend, consent, attachments, search, history: round trips.

use crate::*;
use kua_core::model::{Status, TestimonyInput};
use kua_core::{Error, NewAttachment, Silent};
use serde_json::json;

#[test]
fn draft_seal_amend_round_trip_keeps_every_version() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&TestimonyInput::default()).unwrap();
    let t = v.show(&id, None).unwrap();
    assert_eq!((t.status, t.version, t.versions), (Status::Draft, 1, 1));
    assert!(t.consent.is_none());

    // Sealing needs consent first, then the required fields.
    assert!(matches!(v.seal(&id), Err(Error::ConsentMissing(_))));
    v.edit(
        &id,
        &TestimonyInput {
            consent: Some(consent()),
            ..Default::default()
        },
    )
    .unwrap();
    let Err(Error::Invalid(errors)) = v.seal(&id) else {
        panic!("sealed an incomplete record")
    };
    assert!(errors.0.iter().any(|e| e.field == "methods"));

    v.edit(&id, &complete_input("Меня забрали из больницы."))
        .unwrap();
    let hash = v.seal(&id).unwrap();
    let sealed = v.show(&id, None).unwrap();
    assert_eq!(sealed.status, Status::Sealed);
    assert_eq!(sealed.content_hash, hash);
    assert_eq!(sealed.sealed_consent, Some(consent()));

    // Sealed versions never change.
    let change = TestimonyInput {
        narrative: Some("изменено".into()),
        ..Default::default()
    };
    assert!(matches!(v.edit(&id, &change), Err(Error::Sealed(_))));
    assert!(matches!(v.seal(&id), Err(Error::Sealed(_))));

    let amendment = TestimonyInput {
        narrative: Some("Меня забрали из больницы 6 января.".into()),
        fields: Some(
            serde_json::from_value(json!({"methods": ["beating"], "removed_from_hospital": true}))
                .unwrap(),
        ),
        reason: Some("the survivor corrected the date".into()),
        ..Default::default()
    };
    assert_eq!(v.amend(&id, &amendment).unwrap(), 2);
    drop(v);

    // Everything survives closing and reopening.
    let mut v = fx.open();
    let v1 = v.show(&id, Some(1)).unwrap();
    let v2 = v.show(&id, None).unwrap();
    assert_eq!(v1.narrative, "Меня забрали из больницы.");
    assert_eq!(v1.content_hash, hash);
    assert_eq!(v2.version, 2);
    assert_eq!(
        v2.amendment_reason.as_deref(),
        Some("the survivor corrected the date")
    );
    let history = v.versions(&id).unwrap();
    assert_eq!(
        history[1].changed,
        vec!["methods", "removed_from_hospital", "narrative"]
    );
    let events: Vec<String> = v
        .history(&id)
        .unwrap()
        .iter()
        .map(|l| format!("{:?}", l.event))
        .collect();
    assert_eq!(
        events,
        ["Created", "ConsentChanged", "Edited", "Sealed", "Amended"]
    );
    assert!(v.verify(&mut Silent).unwrap().ok);
    assert!(matches!(
        v.show(&id, Some(3)),
        Err(Error::VersionNotFound { .. })
    ));
}

#[test]
fn validation_names_every_problem() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let bad = TestimonyInput {
        fields: Some(
            serde_json::from_value(json!({
                "no_such_field": 1,
                "methods": ["beating", "flying"],
                "events_date": "6 января",
                "interview_place": 12,
                "perpetrators": [{"perp_agency": "knb", "perp_name": 5}]
            }))
            .unwrap(),
        ),
        ..Default::default()
    };
    let Err(Error::Invalid(errors)) = v.add(&bad) else {
        panic!("accepted bad content")
    };
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "events_date",
            "interview_place",
            "methods",
            "no_such_field",
            "perpetrators[0].perp_name"
        ]
    );
    assert!(
        v.list().unwrap().is_empty(),
        "a rejected add stored nothing"
    );
    assert!(matches!(
        v.add(&TestimonyInput {
            template: Some("nope".into()),
            ..Default::default()
        }),
        Err(Error::TemplateNotFound(_))
    ));
}

#[test]
fn consent_can_be_withdrawn_after_sealing_and_then_blocks_amendments() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("текст")).unwrap();
    v.seal(&id).unwrap();
    let mut withdrawn = consent();
    withdrawn.withdrawn_at = Some("2022-03-01".into());
    v.set_consent(&id, &withdrawn).unwrap();
    let t = v.show(&id, None).unwrap();
    assert_eq!(t.consent, Some(withdrawn));
    assert_eq!(
        t.sealed_consent,
        Some(consent()),
        "the sealed version keeps its consent"
    );
    assert!(!t.readiness.consent_recorded);
    assert!(matches!(
        v.amend(&id, &TestimonyInput::default()),
        Err(Error::ConsentWithdrawn(_))
    ));
    assert!(v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn attachments_stream_in_and_out_with_their_evidence_hash() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("фото побоев")).unwrap();
    // Sizes around the chunk boundary, and empty.
    for size in [
        0usize,
        1,
        kua_core::CHUNK - 1,
        kua_core::CHUNK,
        kua_core::CHUNK + 1,
        3 * kua_core::CHUNK + 17,
    ] {
        let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        let info = v
            .attach(
                &id,
                &mut data.as_slice(),
                NewAttachment {
                    name: format!("снимок-{size}.jpg"),
                    ..Default::default()
                },
                &mut Silent,
            )
            .unwrap();
        assert_eq!(info.size, size as u64);
        assert_eq!(info.media_type, "image/jpeg");
        assert_eq!(info.sha256, kua_core::crypto::sha256_hex(&data));
        let mut out = Vec::new();
        v.extract(&id, &info.id, &mut out, &mut Silent).unwrap();
        assert_eq!(out, data);
    }
    assert_eq!(v.show(&id, None).unwrap().attachments.len(), 6);
    // Sealing snapshots the attachments into the version.
    v.seal(&id).unwrap();
    assert!(v.versions(&id).unwrap()[0].content_hash.len() == 64);
    assert!(v.verify(&mut Silent).unwrap().ok);
    let missing = v.extract(
        &id,
        "00000000-0000-4000-8000-000000000000",
        &mut Vec::new(),
        &mut Silent,
    );
    assert!(matches!(missing, Err(Error::AttachmentNotFound { .. })));
}

#[test]
fn a_ten_megabyte_narrative_and_kazakh_and_russian_text_round_trip() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let kk = "Қаңтар оқиғалары: ұлттық ұлан әскерлері ауруханадан әкетті. Ғимарат, өмір, үміт, һәм, із. ";
    let ru = "Задержанного избивали в СИЗО, требовали подписать признание. Ёлка, щётка. ";
    let mut narrative = String::new();
    while narrative.len() < 10 * 1024 * 1024 {
        narrative.push_str(kk);
        narrative.push_str(ru);
    }
    let mut input = complete_input(&narrative);
    input.language = Some("kk".into());
    let id = v.add(&input).unwrap();
    v.seal(&id).unwrap();
    drop(v);
    let mut v = fx.open();
    let t = v.show(&id, None).unwrap();
    assert_eq!(t.narrative, narrative);
    assert_eq!(
        t.fields["incident_place"],
        "Городская больница №7, затем СИЗО"
    );
    assert_eq!(v.search("ҚАҢТАР ОҚИҒАЛАРЫ", 10).unwrap().len(), 1);
}

#[test]
fn search_finds_text_in_every_language_and_follows_changes() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let a = v
        .add(&complete_input("Ұлттық ұлан әскерлері ұрып-соқты"))
        .unwrap();
    let b = v.add(&complete_input("Сотрудники КНБ в масках")).unwrap();
    let ids = |v: &mut Vault, q: &str| -> Vec<String> {
        v.search(q, 10).unwrap().into_iter().map(|h| h.id).collect()
    };
    assert_eq!(ids(&mut v, "ҰЛТТЫҚ ҰЛАН ӘСКЕРЛЕРІ"), vec![a.clone()]);
    // Typed on a Russian layout, or in Latin letters, it is found all the same, and the
    // snippet shows the testimony's own letters.
    let hits = v.search("Улттык улан", 10).unwrap();
    assert_eq!(hits.iter().map(|h| &h.id).collect::<Vec<_>>(), vec![&a]);
    assert!(
        hits[0].snippet.contains("[Ұлттық] [ұлан]"),
        "{}",
        hits[0].snippet
    );
    assert_eq!(ids(&mut v, "ulttyk askerleri"), vec![a.clone()]);
    // Coded answers are found by their labels in every language.
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    let mut found = ids(&mut v, "электротоком");
    found.sort();
    assert_eq!(found, both);
    assert_eq!(ids(&mut v, "кнб маск"), vec![b.clone()]);
    // Edits and deletions reach the live index.
    v.edit(
        &a,
        &TestimonyInput {
            narrative: Some("другой текст".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(ids(&mut v, "ұлан").is_empty());
    assert_eq!(ids(&mut v, "ДРУГОЙ"), vec![a.clone()]);
    v.delete(&b).unwrap();
    assert!(ids(&mut v, "маск").is_empty());
    // Field values are searchable too (a place typed in the form).
    assert_eq!(ids(&mut v, "больница"), vec![a]);
}

#[test]
fn autosaving_unchanged_content_logs_nothing() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("текст")).unwrap();
    let before = v.log().unwrap().len();
    for _ in 0..5 {
        v.edit(&id, &complete_input("текст")).unwrap();
    }
    assert_eq!(v.log().unwrap().len(), before);
}

#[test]
fn a_locked_vault_refuses_everything() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("x")).unwrap();
    v.lock().unwrap();
    assert!(!v.is_unlocked());
    assert!(matches!(v.show(&id, None), Err(Error::Locked)));
    assert!(matches!(v.search("x", 1), Err(Error::Locked)));
    v.unlock(&pass()).unwrap();
    assert_eq!(v.show(&id, None).unwrap().narrative, "x");
}
