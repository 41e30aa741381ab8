//! `kua persons candidates`: one person written in two scripts is a candidate linked
//! automatically; a namesake of the other sex is not.

use crate::{Env, COMPLETE};
use serde_json::{json, Value};

fn testimony(env: &Env, fields: Value) -> String {
    let mut t: Value = serde_json::from_str(COMPLETE).unwrap();
    for (k, v) in fields.as_object().unwrap() {
        t["fields"][k] = v.clone();
    }
    let out = env.run_with(&["add", "-"], &t.to_string());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    env.ok(&["seal", &id]);
    id
}

#[test]
fn the_same_person_in_two_scripts_is_linked_and_a_namesake_is_not() {
    let env = Env::new();
    env.init();
    let a = testimony(
        &env,
        json!({"full_name": "Әлия Нұрланқызы", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75"}),
    );
    let b = testimony(
        &env,
        json!({"full_name": "Aliya Nurlanqyzy", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75"}),
    );
    let c = testimony(
        &env,
        json!({"full_name": "Алия Нурланкызы", "birth_date": "1971-02-01", "gender": "male", "events_region": "KZ-75"}),
    );
    let all = env.json(&["persons", "candidates"]);
    let pairs = all.as_array().unwrap();
    let of = |x: &str, y: &str| {
        pairs.iter().find(|p| {
            let (pa, pb) = (
                p["a"]["id"].as_str().unwrap(),
                p["b"]["id"].as_str().unwrap(),
            );
            (pa == x && pb == y) || (pa == y && pb == x)
        })
    };
    let ab = of(&a, &b).expect("the same person is a candidate");
    assert_eq!(ab["band"], "auto");
    assert!(ab["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["feature"] == "name" && r["level"] == "exact"));
    if let Some(ac) = of(&a, &c) {
        assert_ne!(ac["band"], "auto");
        assert_eq!(ac["hard_conflict"], true);
    }
    // Names are compared in memory; none is printed.
    let text = env.ok(&["persons", "candidates"]);
    assert!(
        !text.contains("Нұрлан") && !text.contains("Nurlan"),
        "{text}"
    );
    let auto = env.json(&["persons", "candidates", "--band", "auto"]);
    assert!(auto.as_array().unwrap().iter().all(|p| p["band"] == "auto"));
}
