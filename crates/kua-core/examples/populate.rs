//! Creates a vault full of synthetic testimonies, for the desktop benchmarks
//! (docs/benchmarks.md): `cargo run --release -p kua-core --example populate -- PATH N`
//! with the passphrase in `KUA_PASSPHRASE`. The key derivation is calibrated as for a
//! real vault, so unlocking it costs what unlocking a real one costs.

use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, Seams, Vault};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::time::Duration;

const WORDS: &[&str] = &[
    "меня",
    "задержали",
    "возле",
    "дома",
    "январе",
    "били",
    "дубинками",
    "в",
    "автозаке",
    "потом",
    "ИВС",
    "трое",
    "суток",
    "без",
    "врача",
    "мені",
    "қаңтарда",
    "ұстады",
    "ұрды",
    "тергеу",
    "изоляторында",
    "дәрігер",
    "болмады",
    "сотрудники",
    "в",
    "масках",
    "требовали",
    "назвать",
    "организаторов",
    "анам",
    "іздеді",
    "больница",
    "палата",
    "ночью",
    "камера",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: populate PATH N")?;
    let n: usize = args.next().ok_or("usage: populate PATH N")?.parse()?;
    let pass = SecretString::from(std::env::var("KUA_PASSPHRASE")?);
    let kdf = kua_core::crypto::calibrate(Duration::from_secs(1))?;
    let options = CreateOptions {
        kdf,
        allow_weak_kdf: false,
    };
    let (mut vault, _) = Vault::create(path.as_ref(), &pass, options, Seams::system())?;
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let consent = Consent {
        given_at: "2022-02-03T10:45".into(),
        method: ConsentMethod::Oral,
        recorded_by: None,
        scope: [ConsentScope::Store, ConsentScope::Coalition].into(),
        anonymous: false,
        conditions: None,
        withdrawn_at: None,
    };
    for batch in 0..n.div_ceil(1000) {
        let inputs: Vec<TestimonyInput> = (batch * 1000..n.min((batch + 1) * 1000))
            .map(|i| {
                let narrative: Vec<&str> = (0..300)
                    .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
                    .collect();
                let mut fields = BTreeMap::new();
                fields.insert("interview_place".into(), format!("Алматы, офис {i}").into());
                fields.insert("events_date".into(), "2022-01".into());
                // Coded fields for the coordinator's dashboard: a region (one in ten
                // not recorded), one or two methods, sex.
                const REGIONS: [&str; 5] = ["KZ-75", "KZ-71", "KZ-19", "KZ-35", "KZ-79"];
                const METHODS: [&str; 4] =
                    ["beating", "electric_shock", "positional", "threats_to_self"];
                if i % 10 != 0 {
                    fields.insert("events_region".into(), REGIONS[i % REGIONS.len()].into());
                }
                let methods: Vec<serde_json::Value> = (0..1 + i % 2)
                    .map(|k| METHODS[(i + k) % METHODS.len()].into())
                    .collect();
                fields.insert("methods".into(), methods.into());
                fields.insert(
                    "gender".into(),
                    if i % 2 == 0 { "female" } else { "male" }.into(),
                );
                TestimonyInput {
                    language: Some(if i % 3 == 0 { "kk" } else { "ru" }.into()),
                    fields: Some(fields),
                    narrative: Some(narrative.join(" ")),
                    consent: Some(consent.clone()),
                    ..Default::default()
                }
            })
            .collect();
        vault.add_many(&inputs)?;
    }
    vault.lock()?;
    println!("{path}: {n} testimonies");
    Ok(())
}
