//! `kua persons candidates`: one person written in two scripts is a candidate linked
//! automatically; a namesake of the other sex is not.

use crate::{fails, testimony, Env};
use serde_json::{json, Value};

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

fn persons_of(env: &Env) -> Vec<Value> {
    env.json(&["persons", "list"]).as_array().unwrap().clone()
}

fn person_with(env: &Env, id: &str) -> Value {
    env.json(&["persons", "show", id])["person"].clone()
}

fn total(env: &Env, count: &str) -> Value {
    env.json(&["stats", "--count", count])["total"].clone()
}

#[test]
fn decisions_join_and_split_persons_and_the_counts_follow() {
    let env = Env::new();
    env.init();
    let a = testimony(
        &env,
        json!({"full_name": "Әлия Нұрланқызы", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75", "methods": ["beating"]}),
    );
    let b = testimony(
        &env,
        json!({"full_name": "Aliya Nurlanqyzy", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75", "methods": ["electric_shock"]}),
    );
    let c = testimony(
        &env,
        json!({"full_name": "Алия Нурланкызы", "birth_date": "1971-02-01", "gender": "male", "events_region": "KZ-75", "methods": ["beating"]}),
    );
    // a and b are linked automatically: two persons in three testimonies.
    assert_eq!(persons_of(&env).len(), 2);
    let p = person_with(&env, &a);
    let pid = p["id"].as_str().unwrap().to_string();
    assert!(pid.starts_with("P-"));
    assert_eq!(p["records"].as_array().unwrap().len(), 2);
    assert_eq!(person_with(&env, &b)["id"], pid.as_str());
    assert_eq!(total(&env, "testimonies"), 3);
    assert_eq!(total(&env, "persons"), 2);
    // A person with two testimonies naming different methods counts once under each.
    let methods = env.json(&["stats", "--by", "method", "--count", "persons"]);
    assert_eq!(methods["unit"], "persons");
    let count = |v: &Value, code: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["method"] == code)
            .map(|r| r["count"].clone())
            .unwrap()
    };
    assert_eq!(count(&methods, "beating"), 2);
    assert_eq!(count(&methods, "electric_shock"), 1);

    // "Different" overrides the automatic link.
    let note = env.file("note.txt", "CANARY-NOTE-7731".as_bytes());
    let d = env.json(&[
        "persons",
        "decide",
        &a,
        &b,
        "different",
        "--note-file",
        note.to_str().unwrap(),
    ]);
    assert_eq!(d["note"], "CANARY-NOTE-7731");
    std::fs::remove_file(&note).unwrap();
    assert_eq!(d["verdict"], "different");
    assert_eq!(persons_of(&env).len(), 3);
    assert_eq!(total(&env, "persons"), 3);
    // The pair shows the decision in force; it has left the queue.
    let pairs = env.json(&["persons", "candidates"]);
    let ab = pairs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            (p["a"]["id"] == a.as_str() && p["b"]["id"] == b.as_str())
                || (p["a"]["id"] == b.as_str() && p["b"]["id"] == a.as_str())
        })
        .unwrap()
        .clone();
    assert_eq!(ab["decision"]["verdict"], "different");
    assert_eq!(ab["same_person_now"], false);

    // Undo: a new decision; the automatic link is back, with the person's old id.
    let undo = env.json(&["persons", "undo", d["id"].as_str().unwrap()]);
    assert_eq!(undo["undoes"], d["id"]);
    assert_eq!(undo["verdict"], Value::Null);
    assert_eq!(total(&env, "persons"), 2);
    assert_eq!(person_with(&env, &b)["id"], pid.as_str());
    // An undo cannot be undone, nor a decision undone twice: decide again instead.
    fails(
        &env.run(&["persons", "undo", undo["id"].as_str().unwrap()]),
        6,
    );
    fails(&env.run(&["persons", "undo", d["id"].as_str().unwrap()]), 6);

    // "Same" joins even a conflicting pair, and the person is flagged for review.
    env.json(&["persons", "decide", &c, &a, "same"]);
    let p = person_with(&env, &c);
    assert_eq!(
        p["id"],
        pid.as_str(),
        "the merged person keeps the older id"
    );
    assert_eq!(p["records"].as_array().unwrap().len(), 3);
    assert!(p["flags"].as_array().unwrap().contains(&json!("weak_pair")));
    assert_eq!(total(&env, "persons"), 1);
    let flagged = env.json(&["persons", "list", "--flagged"]);
    assert_eq!(flagged.as_array().unwrap().len(), 1);

    // A new testimony of the same person joins it under the same id.
    let e = testimony(
        &env,
        json!({"full_name": "Нурланкызы Алия", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75"}),
    );
    assert_eq!(person_with(&env, &e)["id"], pid.as_str());

    // Every decision is kept, undos included, and logged.
    let all = env.json(&["persons", "decisions"]);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let log = env.json(&["log"]);
    let logged = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["event"] == "link_decided")
        .count();
    assert_eq!(logged, 3);
    // Verification reads every decision against the log.
    env.ok(&["verify"]);

    // Bad input: a clear error, nothing recorded.
    fails(&env.run(&["persons", "decide", &a, &a, "same"]), 6);
    fails(&env.run(&["persons", "decide", &a, &b, "maybe"]), 1);
    fails(
        &env.run(&[
            "persons",
            "decide",
            &a,
            "00000000-0000-4000-8000-000000000000",
            "same",
        ]),
        4,
    );
    fails(&env.run(&["persons", "show", "P-000000000000"]), 4);
    assert_eq!(
        env.json(&["persons", "decisions"])
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // No note, name or decision in plaintext on disk.
    for entry in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            for canary in ["CANARY-NOTE-7731", "Нұрлан", "Nurlan", "different"] {
                assert!(
                    !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
                    "{canary} in {}",
                    path.display()
                );
            }
        }
    }

    // One damaged decision row: every persons view still works, says so, and leaves it
    // out; verification names the damage; the next decision takes the next number.
    let damaged = all[0]["id"].as_str().unwrap().to_string();
    let db = rusqlite::Connection::open(&env.vault).unwrap();
    let changed = db
        .execute(
            "UPDATE secret SET body = zeroblob(length(body)) WHERE name = ?1",
            [format!("decision:{damaged}")],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let out = env.run(&["persons", "list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 decision(s) could not be read") && err.contains(&damaged),
        "{err}"
    );
    assert_eq!(
        env.json(&["persons", "decisions"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let stats = env.json(&["stats", "--count", "persons"]);
    assert_eq!(stats["unreadable_decisions"], 1, "{stats}");
    // Never published while a decision is missing.
    let err = fails(
        &env.run(&["stats", "--by", "sex", "--count", "persons", "--public"]),
        6,
    );
    assert!(err.contains("cannot be published"), "{err}");
    let out = env.run(&["verify"]);
    assert_eq!(out.status.code(), Some(5));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&damaged), "{said}");
    let d = env.json(&["persons", "decide", &a, &b, "unsure"]);
    assert_eq!(d["number"], 4);
}

/// Erasing a testimony erases what reviewers wrote about it: the notes of decisions
/// that name it go, the decisions stay, and the vault still verifies.
#[test]
fn erasing_a_testimony_erases_the_notes_of_decisions_on_it() {
    let env = Env::new();
    env.init();
    let a = testimony(
        &env,
        json!({"full_name": "Алия Нурланова", "gender": "female"}),
    );
    let b = testimony(
        &env,
        json!({"full_name": "Aliya Nurlanova", "gender": "female"}),
    );
    let c = testimony(
        &env,
        json!({"full_name": "Гульнара Омарова", "gender": "female"}),
    );
    let note = |text: &str| {
        let out = env.run_with(
            &[
                "persons",
                "decide",
                &a,
                &b,
                "same",
                "--note-file",
                "-",
                "--json",
            ],
            text,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    note("её сестра говорила то же самое");
    let kept = env.run_with(
        &["persons", "decide", &b, &c, "different", "--note-file", "-"],
        "другой возраст",
    );
    assert!(kept.status.success());
    env.ok(&["delete", &a, "--yes"]);
    let all = env.json(&["persons", "decisions"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2, "decisions stay: {all:?}");
    let on_a = all.iter().find(|d| d["a"] == a.as_str()).unwrap();
    assert!(on_a["note"].is_null(), "{on_a}");
    assert_eq!(on_a["verdict"], "same");
    let other = all.iter().find(|d| d["a"] == b.as_str()).unwrap();
    assert_eq!(other["note"], "другой возраст");
    env.ok(&["verify"]);
}

/// An interviewer's vault whose bundles go to the coordinator, and the coordinator
/// trusts its key.
pub(crate) fn interviewer(coord: &Env, name: &str) -> Env {
    let field = Env::new();
    field.init();
    let age = coord.json(&["identity"])["age_recipient"]
        .as_str()
        .unwrap()
        .to_string();
    field.ok(&["recipients", "add", "coalition", &age]);
    let pubfile = field.dir.path().join("field.pub");
    field.ok(&[
        "identity",
        "--minisign-pub",
        "-o",
        pubfile.to_str().unwrap(),
    ]);
    coord.ok(&["trust", "add", name, pubfile.to_str().unwrap()]);
    field
}

fn send(field: &Env, coord: &Env, redact: bool) {
    let b = field.dir.path().join("b.kua");
    let mut args = vec![
        "export",
        "--to",
        "coalition",
        "--all",
        "-o",
        b.to_str().unwrap(),
    ];
    if redact {
        args.push("--redact");
    }
    field.ok(&args);
    coord.ok(&["import", b.to_str().unwrap()]);
}

/// Four interviewer vaults into one coordinator: two plain copies of one person, a
/// namesake, and two redacted copies from two interviewers who share the coalition's
/// linkage secret (the coordinator does not hold it).
#[test]
fn one_person_across_vaults_with_redacted_copies_is_counted_once() {
    let coord = Env::new();
    coord.init();
    let (f1, f2, f3, f4) = (
        interviewer(&coord, "field-1"),
        interviewer(&coord, "field-2"),
        interviewer(&coord, "field-3"),
        interviewer(&coord, "field-4"),
    );
    // field-3 creates the secret; field-4 enters it from standard input.
    let created = f3.json(&["persons", "secret", "new"]);
    let secret = created["secret"].as_str().unwrap().to_string();
    let out = f4.run_with(&["persons", "secret", "set", "--secret-file", "-"], &secret);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key_id = f4.json(&["persons", "secret", "show"])["key_id"].clone();
    assert_eq!(key_id, created["key_id"]);
    // A mistyped secret is refused, and a second one too.
    let mut typo: Vec<char> = secret.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let err = fails(
        &f1.run_with(&["persons", "secret", "set", "--secret-file", "-"], &typo),
        6,
    );
    assert!(err.contains("typing mistake"), "{err}");
    fails(&f4.run(&["persons", "secret", "new"]), 6);

    let a = testimony(
        &f1,
        json!({"full_name": "Әлия Нұрланқызы", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75"}),
    );
    let b = testimony(
        &f2,
        json!({"full_name": "Aliya Nurlanqyzy", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75"}),
    );
    // A namesake: the same name, a man born in 1971.
    let n = testimony(
        &f2,
        json!({"full_name": "Алия Нурланкызы", "birth_date": "1971-02-01", "gender": "male", "events_region": "KZ-75"}),
    );
    let c = testimony(
        &f3,
        json!({"full_name": "Нурланкызы Алия", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75"}),
    );
    let d = testimony(
        &f4,
        json!({"full_name": "Nurlanqyzy Aliya", "birth_date": "1990-06-15", "gender": "female", "events_region": "KZ-75"}),
    );
    send(&f1, &coord, false);
    send(&f2, &coord, false);
    send(&f3, &coord, true);
    send(&f4, &coord, true);

    // The redacted copies carry no name, only match keys under the shared secret; the
    // plain copies carry none (names beside their filters would teach the coordinator
    // the key's bit positions).
    let mut match_key_ids = Vec::new();
    for (id, keyed) in [(&c, true), (&d, true), (&a, false)] {
        let shown = coord.json(&["received", "show", id]);
        let text = shown.to_string();
        if keyed {
            assert!(
                !text.contains("Нурлан")
                    && !text.contains("Алия")
                    && !text.contains("Aliya")
                    && !text.contains("1990-06-15"),
                "{text}"
            );
            let id = shown["record"]["match_keys"]["key_id"].clone();
            assert!(id.is_string(), "{text}");
            match_key_ids.push(id);
        } else {
            assert!(shown["record"].get("match_keys").is_none(), "{text}");
        }
    }

    // Made under one key (the secret's, for these recipients) by both interviewers.
    assert_eq!(match_key_ids[0], match_key_ids[1]);

    let members = |id: &str| -> Vec<String> {
        person_with(&coord, id)["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    // One person in the two plain copies from two vaults; the namesake is another.
    let plain = members(&a);
    assert!(plain.contains(&b), "{plain:?}");
    assert!(!plain.contains(&n));
    // The two redacted copies, from two vaults, link by their match keys (two spellings
    // of one name, one birth date); the coordinator never saw the name.
    let redacted = members(&c);
    assert!(redacted.contains(&d), "{redacted:?}");
    assert!(!redacted.contains(&a) && !redacted.contains(&n));
    // A redacted copy and a plain one cannot be compared by name at a coordinator
    // without the secret: their birth dates, written alike, put them in the review
    // queue, and they stay apart until a reviewer decides; the decision joins them.
    let queue = coord.json(&["persons", "queue"]);
    let queued = queue.as_array().unwrap().iter().any(|p| {
        let ids = [
            p["a"]["id"].as_str().unwrap(),
            p["b"]["id"].as_str().unwrap(),
        ];
        ids.contains(&c.as_str()) && (ids.contains(&a.as_str()) || ids.contains(&b.as_str()))
    });
    assert!(queued, "{queue}");
    assert_eq!(total(&coord, "testimonies"), 5);
    assert_eq!(total(&coord, "persons"), 3);
    coord.json(&["persons", "decide", &a, &c, "same"]);
    assert_eq!(total(&coord, "persons"), 2);
    let filter = "Нұрлан".to_string();

    // No name is on the coordinator's disk in plaintext.
    for entry in std::fs::read_dir(coord.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            for canary in ["Нурлан", "Nurlan", filter.as_str()] {
                assert!(
                    !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
                    "{canary} in {}",
                    path.display()
                );
            }
        }
    }
}
