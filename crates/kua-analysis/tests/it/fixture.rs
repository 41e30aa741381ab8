//! Three vaults (a coordinator and two interviewers) holding a known composition.

use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{
    CreateOptions, ExportRequest, KdfParams, Seams, Selection, Silent, SteppingClock, Vault,
};
use rand_core::SeedableRng;
use secrecy::SecretString;
use serde_json::{json, Value};

/// Words of a narrative, which no dataset carries.
pub const NARRATIVE: &str = "меня держали в подвале трое суток";

/// A name no export may ever carry.
pub const CANARY: &str = "Канарейка Жұмабаевна";

pub struct Party {
    pub dir: tempfile::TempDir,
    pub v: Vault,
}

pub fn party(seed: u64) -> Party {
    let dir = tempfile::tempdir().unwrap();
    let seams = Seams::new(
        Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
    );
    let opts = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let (v, _) = Vault::create(
        &dir.path().join("vault.kua"),
        &SecretString::from("pass phrase"),
        opts,
        seams,
    )
    .unwrap();
    Party { dir, v }
}

pub fn consent(scope: &[ConsentScope]) -> Consent {
    Consent {
        given_at: "2022-01-20".into(),
        method: ConsentMethod::Oral,
        recorded_by: None,
        scope: scope.iter().copied().collect(),
        anonymous: false,
        conditions: None,
        withdrawn_at: None,
    }
}

/// A sealable testimony with these extra fields (null removes a field).
pub fn input(extra: Value, scope: &[ConsentScope]) -> TestimonyInput {
    let mut fields = json!({
        "interview_datetime": "2022-01-20T14:30",
        "interview_place": "Алматы",
        "interviewers": "Интервьюер 7",
        "full_name": CANARY,
        "events_date": "2022-01-06",
        "incident_place": "СИЗО",
        "methods": ["beating"],
        "detaining_authority": "police"
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            fields.as_object_mut().unwrap().remove(k);
        } else {
            fields[k] = v.clone();
        }
    }
    TestimonyInput {
        language: Some("ru".into()),
        narrative: Some(format!("{CANARY}: {NARRATIVE}")),
        fields: Some(serde_json::from_value(fields).unwrap()),
        consent: Some(consent(scope)),
        ..TestimonyInput::default()
    }
}

use ConsentScope::{Coalition, Store};
pub const SHARE: &[ConsentScope] = &[Store, Coalition];

pub fn sealed(p: &mut Party, extra: Value, scope: &[ConsentScope]) -> String {
    let id = p.v.add(&input(extra, scope)).unwrap();
    p.v.seal(&id).unwrap();
    id
}

/// Sends everything `from` has sealed to `to`, which trusts it under `name`.
pub fn send(from: &mut Party, to: &mut Party, name: &str) {
    let key = to.v.identity().unwrap().age_recipient;
    from.v.add_recipient("coalition", &key, false).unwrap();
    let pubkey = from.v.minisign_public_key_file().unwrap();
    to.v.trust(name, &pubkey).unwrap();
    let path = from.dir.path().join("out.kua");
    let req = ExportRequest {
        to: vec!["coalition".into()],
        selection: Selection::All,
        redact: false,
        cases: Vec::new(),
        case_notes: false,
    };
    from.v.export(&req, &path, &mut Silent).unwrap();
    to.v.import(&path, false, &mut Silent).unwrap();
}

/// The coordinator with the composition every test counts:
///
/// | record | source | region | methods | sex | age | events | notes |
/// |---|---|---|---|---|---|---|---|
/// | o1 | own | KZ-75 | beating, electric_shock | male | 30 | 2022-01-06 | perpetrators police, police, knb; places ivs KZ-75, sizo KZ-75 |
/// | o2 | own | KZ-79 (amended from not recorded) | beating | female | born 1990-06-15 | 2022-01 | |
/// | o3 | own, draft | KZ-75 | beating | | | none | never sealed |
/// | o4 | own | KZ-75 | beating | | | 2022-01-06 | consent withdrawn |
/// | o5 | own, store only | not recorded | burns | | | 2022 | |
/// | a1 | field-a | KZ-75 | beating, sexual_violence | female | 19 | 2022-01-05 | |
/// | a2 | field-a | not recorded | beating, electric_shock, burns | | | 2022-02 | place of unknown type |
/// | a3 | field-a | KZ-10 | electric_shock | male | 40 | 2022 | |
/// | b1 | @field-b | KZ-75 | electric_shock | male | | 2022-01-07 | perpetrator knb |
/// | b2 | field-b, store only | KZ-75 | beating | | | | never leaves field-b |
pub struct World {
    pub coord: Party,
    pub own: Vec<String>,
    _senders: Vec<Party>,
}

pub fn world() -> World {
    let mut coord = party(1);
    let mut a = party(2);
    let mut b = party(3);
    let o1 = sealed(
        &mut coord,
        json!({
            "events_region": "KZ-75", "methods": ["beating", "electric_shock"], "gender": "male", "age": 30,
            "perpetrators": [{"perp_agency": "police"}, {"perp_agency": "police", "perp_name": CANARY}, {"perp_agency": "knb"}],
            "detention_places": [
                {"place_type": "ivs_temporary_detention", "place_region": "KZ-75", "place_name": CANARY, "date_from": "2022-01-06"},
                {"place_type": "sizo_pretrial", "place_region": "KZ-75", "date_from": "2022-01-08", "date_to": "2022-02"}
            ]
        }),
        SHARE,
    );
    let o2 = sealed(
        &mut coord,
        json!({"gender": "female", "birth_date": "1990-06-15", "events_date": "2022-01"}),
        SHARE,
    );
    coord
        .v
        .amend(
            &o2,
            &TestimonyInput {
                fields: Some(serde_json::from_value(json!({"events_region": "KZ-79"})).unwrap()),
                reason: Some("region clarified".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let o3 = coord
        .v
        .add(&input(
            json!({"events_region": "KZ-75", "events_date": null}),
            SHARE,
        ))
        .unwrap();
    let o4 = sealed(&mut coord, json!({"events_region": "KZ-75"}), SHARE);
    let mut withdrawn = consent(SHARE);
    withdrawn.withdrawn_at = Some("2022-03-01".into());
    coord.v.set_consent(&o4, &withdrawn).unwrap();
    let o5 = sealed(
        &mut coord,
        json!({"methods": ["burns"], "events_date": "2022"}),
        &[Store],
    );

    sealed(
        &mut a,
        json!({"events_region": "KZ-75", "methods": ["beating", "sexual_violence"], "gender": "female", "age": 19, "events_date": "2022-01-05"}),
        SHARE,
    );
    sealed(
        &mut a,
        json!({"methods": ["beating", "electric_shock", "burns"], "events_date": "2022-02", "detention_places": [{"place_region": "KZ-75"}]}),
        SHARE,
    );
    sealed(
        &mut a,
        json!({"events_region": "KZ-10", "methods": ["electric_shock"], "gender": "male", "age": 40, "events_date": "2022"}),
        SHARE,
    );
    sealed(
        &mut b,
        json!({"events_region": "KZ-75", "methods": ["electric_shock"], "gender": "male", "events_date": "2022-01-07", "perpetrators": [{"perp_agency": "knb"}]}),
        SHARE,
    );
    sealed(&mut b, json!({"events_region": "KZ-75"}), &[Store]);
    send(&mut a, &mut coord, "field-a");
    // A name a spreadsheet would run as a formula, were it not neutralised.
    send(&mut b, &mut coord, "@field-b");
    World {
        coord,
        own: vec![o1, o2, o3, o4, o5],
        _senders: vec![a, b],
    }
}
