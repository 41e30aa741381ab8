//! The `kua` command's contract, as scripts see it: arguments, JSON output, exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cases;
mod faults;
mod marks;
mod microphone;
mod persons;
mod pipeline;
mod reports;
mod seizure;
mod stats;
mod storage;

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const PASS: &str = "длинная фраза-пароль";

struct Env {
    dir: tempfile::TempDir,
    vault: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("v.kua");
        Env { dir, vault }
    }

    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kua"));
        c.args(args)
            .env("KUA_VAULT", &self.vault)
            .env("KUA_PASSPHRASE", PASS)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn run_with(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    fn init(&self) -> Value {
        self.json(&["init", "--insecure-test-kdf"])
    }
}

/// A failure is one clear line on stderr, the expected exit code, and never a panic.
fn fails(out: &Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    err
}

const COMPLETE: &str = r#"{"template": "istanbul-2022", "language": "kk",
 "fields": {"interview_datetime": "2022-01-20T14:30", "interview_place": "Алматы",
  "interviewers": "Сұхбат алушы 3", "events_date": "2022-01", "incident_place": "Тергеу изоляторы",
  "methods": ["beating", "sleep_deprivation"], "detaining_authority": "national_guard"},
 "narrative": "Ұлттық ұлан әскерлері ауруханадан әкетті.",
 "consent": {"given_at": "2022-01-20", "method": "oral", "scope": ["store", "coalition"], "anonymous": false}}"#;

#[test]
fn the_whole_contract_round_trips() {
    let env = Env::new();
    let init = env.init();
    assert_eq!(init["recovery_key"].as_str().unwrap().len(), 39);

    let id = env.run_with(&["add", "-"], COMPLETE);
    assert!(
        id.status.success(),
        "{}",
        String::from_utf8_lossy(&id.stderr)
    );
    let id = String::from_utf8(id.stdout).unwrap().trim().to_string();
    assert_eq!(id.len(), 36);

    let photo: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let photo_path = env.file("жарақат.jpg", &photo);
    let attached = env.json(&["attach", &id, photo_path.to_str().unwrap()]);
    let att = attached[0]["id"].as_str().unwrap().to_string();

    let seal = env.json(&["seal", &id]);
    assert_eq!(seal["content_hash"].as_str().unwrap().len(), 64);

    let amend = env.file("amend.json", r#"{"narrative": "Ұлттық ұлан әскерлері ауруханадан әкетті, содан кейін СИЗО.", "reason": "толықтыру"}"#.as_bytes());
    assert_eq!(env.ok(&["amend", &id, amend.to_str().unwrap()]).trim(), "2");

    let show = env.json(&["show", &id]);
    for key in [
        "id",
        "status",
        "version",
        "narrative",
        "fields",
        "consent",
        "attachments",
    ] {
        assert!(show.get(key).is_some(), "show --json lacks {key}");
    }
    assert_eq!(show["status"], "sealed");
    assert_eq!(show["version"], 2);
    assert_eq!(show["fields"]["detaining_authority"], "national_guard");
    let a = &show["attachments"][0];
    assert_eq!(
        (
            a["id"].as_str().unwrap(),
            a["name"].as_str().unwrap(),
            a["size"].as_u64().unwrap()
        ),
        (att.as_str(), "жарақат.jpg", 200_000)
    );
    assert_eq!(a["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(env.json(&["show", &id, "--version", "1"])["version"], 1);

    let list = env.json(&["list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());

    let hits = env.json(&["search", "ауруханадан"]);
    assert_eq!(hits[0]["id"], id.as_str());
    assert!(env
        .json(&["search", "несуществующее"])
        .as_array()
        .unwrap()
        .is_empty());

    let out = env.dir.path().join("out.jpg");
    env.ok(&["extract", &id, &att, "-o", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), photo);
    let piped = env.run(&["extract", &id, &att, "-o", "-"]);
    assert_eq!(piped.stdout, photo);

    let history = env.json(&["history", &id]);
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
    let events: Vec<&str> = history["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "created",
            "consent_changed",
            "attachment_added",
            "sealed",
            "amended"
        ]
    );
    assert!(env.json(&["log"]).as_array().unwrap().len() >= 6);
    assert_eq!(env.json(&["verify"])["ok"], true);

    let templates = env.json(&["template", "list"]);
    assert_eq!(templates[0]["id"], "istanbul-2022");
    let kk = env.ok(&["template", "show", "istanbul-2022", "--lang", "kk"]);
    assert!(kk.contains("Ұлттық ұлан"), "{kk}");

    env.ok(&["delete", &id, "--yes"]);
    assert!(env.json(&["list"]).as_array().unwrap().is_empty());
    fails(&env.run(&["show", &id]), 4);
}

#[test]
fn passwd_and_recover_from_files() {
    let env = Env::new();
    let recovery = env.init()["recovery_key"].as_str().unwrap().to_string();
    let id = env.ok(&[
        "add",
        env.file("a.json", COMPLETE.as_bytes()).to_str().unwrap(),
    ]);
    let new = env.file("new.txt", "новая длинная фраза\n".as_bytes());
    env.ok(&["passwd", "--new-passphrase-file", new.to_str().unwrap()]);
    fails(&env.run(&["list"]), 3);
    let list = env
        .cmd(&["list", "--passphrase-file", new.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains(id.trim()));

    let rk = env.file("rk.txt", recovery.as_bytes());
    env.ok(&[
        "recover",
        "--recovery-key-file",
        rk.to_str().unwrap(),
        "--new-passphrase-file",
        env.file("p.txt", PASS.as_bytes()).to_str().unwrap(),
    ]);
    assert!(env.ok(&["list"]).contains(id.trim()));
    let wrong = env.file("wrong.txt", b"AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA");
    fails(
        &env.run(&[
            "recover",
            "--recovery-key-file",
            wrong.to_str().unwrap(),
            "--new-passphrase-file",
            new.to_str().unwrap(),
        ]),
        3,
    );
    let short = env.file("short.txt", b"short");
    let err = fails(
        &env.run(&["passwd", "--new-passphrase-file", short.to_str().unwrap()]),
        1,
    );
    assert!(err.contains("at least 10"), "{err}");
}

#[test]
fn every_error_class_has_its_exit_code_and_one_line() {
    let env = Env::new();
    // No vault yet.
    fails(&env.run(&["list"]), 4);
    env.init();
    // Creating twice.
    fails(&env.run(&["init", "--insecure-test-kdf"]), 6);
    // Wrong passphrase.
    let err = fails(
        &env.cmd(&["list"])
            .env("KUA_PASSPHRASE", "nope")
            .output()
            .unwrap(),
        3,
    );
    assert!(err.contains("passphrase"), "{err}");
    // Not found.
    fails(
        &env.run(&["show", "00000000-0000-4000-8000-000000000000"]),
        4,
    );
    fails(&env.run(&["show", "not-an-id"]), 4);
    // Invalid input: malformed JSON, unknown key, unknown field, wrong type, seal incomplete.
    fails(&env.run_with(&["add", "-"], "{not json"), 6);
    fails(&env.run_with(&["add", "-"], r#"{"titel": "x"}"#), 6);
    fails(
        &env.run_with(&["add", "-"], r#"{"fields": {"favourite_colour": "red"}}"#),
        6,
    );
    let err = fails(
        &env.run_with(&["add", "-"], r#"{"fields": {"events_date": "yesterday"}}"#),
        6,
    );
    assert!(err.contains("events_date"), "{err}");
    let id = String::from_utf8(
        env.run_with(&["add", "-"], r#"{"narrative": "черновик"}"#)
            .stdout,
    )
    .unwrap();
    let err = fails(&env.run(&["seal", id.trim()]), 6);
    assert!(err.contains("consent"), "{err}");
    // JSON errors on stderr carry the stable code.
    let out = env.run(&["show", "not-an-id", "--json"]);
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "testimony_not_found");
    // I/O: a file that does not exist.
    fails(&env.run(&["attach", id.trim(), "/nonexistent/file.jpg"]), 7);
    // No passphrase and no terminal.
    let out = env
        .cmd(&["list"])
        .env_remove("KUA_PASSPHRASE")
        .output()
        .unwrap();
    let err = fails(&out, 1);
    assert!(err.contains("--passphrase-file"), "{err}");
    // Refuses to erase without confirmation when nobody can confirm.
    fails(&env.run(&["delete", id.trim()]), 1);
}

#[test]
fn verify_fails_with_the_integrity_code_on_a_tampered_vault() {
    let env = Env::new();
    env.init();
    env.run_with(&["add", "-"], COMPLETE);
    assert_eq!(env.json(&["verify"])["ok"], true);
    let db = rusqlite::Connection::open(&env.vault).unwrap();
    let mut body: Vec<u8> = db
        .query_row("SELECT body FROM testimony", [], |r| r.get(0))
        .unwrap();
    body[40] ^= 0x01;
    db.execute("UPDATE testimony SET body = ?1", [body])
        .unwrap();
    drop(db);
    let out = env.run(&["verify", "--json"]);
    assert_eq!(out.status.code(), Some(5));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["problems"][0]["code"], "record_unreadable");
    // Reading the damaged record is an integrity error too.
    fails(&env.run(&["list"]), 5);
}

#[test]
fn bundles_move_from_an_interviewer_to_a_coordinator() {
    let field = Env::new();
    let coord = Env::new();
    field.init();
    coord.init();
    let age = coord.json(&["identity"])["age_recipient"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(age.starts_with("age1"));
    field.ok(&["recipients", "add", "coalition", &age]);
    let pubfile = field.dir.path().join("field.pub");
    field.ok(&[
        "identity",
        "--minisign-pub",
        "-o",
        pubfile.to_str().unwrap(),
    ]);
    let trusted = coord.json(&["trust", "add", "field-7", pubfile.to_str().unwrap()]);
    assert_eq!(
        trusted["fingerprint"],
        field.json(&["identity"])["fingerprint"]
    );

    let id = String::from_utf8(field.run_with(&["add", "-"], COMPLETE).stdout)
        .unwrap()
        .trim()
        .to_string();
    field.ok(&["seal", &id]);
    let bundle = field.dir.path().join("b.kua");
    let b = bundle.to_str().unwrap();
    // One of --all, --since-last or ids is required.
    assert_eq!(
        field
            .run(&["export", "--to", "coalition", "-o", b])
            .status
            .code(),
        Some(2)
    );
    let exported = field.json(&["export", "--to", "coalition", "--all", "-o", b]);
    assert_eq!(exported["records"][0][0], id.as_str());

    let checked = coord.json(&["bundle", "verify", b]);
    assert_eq!(checked["continuity"]["status"], "first");
    assert_eq!(checked["sender"]["trusted_as"], "field-7");
    // Escrow export needs an explicit acknowledgement; then a vault-less check works.
    let key = coord.dir.path().join("escrow.txt");
    fails(
        &coord.run(&["identity", "export-age", "-o", key.to_str().unwrap()]),
        1,
    );
    coord.ok(&[
        "identity",
        "export-age",
        "--i-understand-the-risk",
        "-o",
        key.to_str().unwrap(),
    ]);
    let vaultless = coord.json(&["bundle", "verify", b, "--identity", key.to_str().unwrap()]);
    assert_eq!(vaultless["continuity"]["status"], "unknown");

    let imported = coord.json(&["import", b]);
    assert_eq!(imported[0]["outcome"], "imported");
    assert_eq!(imported[0]["new_records"], 1);
    let again = coord.ok(&["import", b]);
    assert!(again.contains("already imported"), "{again}");
    let received = coord.json(&["received"]);
    assert_eq!(received.as_array().unwrap().len(), 1);
    assert_eq!(received[0]["sender"], "field-7");
    let shown = coord.json(&["received", "show", &id]);
    assert_eq!(
        shown["record"]["body"]["fields"]["detaining_authority"],
        "national_guard"
    );

    // A vault the bundle is not addressed to cannot read it.
    let other = Env::new();
    other.init();
    let err = fails(&other.run(&["import", b]), 5);
    assert!(err.contains("not addressed"), "{err}");
}

/// Adds the complete testimony with `fields` replaced or added, seals it, and gives its id.
pub(crate) fn testimony(env: &Env, fields: serde_json::Value) -> String {
    let mut t: serde_json::Value = serde_json::from_str(COMPLETE).unwrap();
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

/// `kua add` with an array stores every testimony in one transaction, or none of them.
#[test]
fn add_takes_an_array_of_testimonies_all_or_none() {
    let env = Env::new();
    env.init();
    let many = format!("[{COMPLETE}, {{\"language\": \"ru\", \"narrative\": \"Второе\"}}]");
    let out = env.run_with(&["add", "-"], &many);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(ids.len(), 2);
    let listed = env.json(&["list"]);
    let mut listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    listed.sort_unstable();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(listed, expected);

    // One bad element (a field the template does not know) refuses the whole array.
    let bad = format!("[{COMPLETE}, {{\"fields\": {{\"no_such_field\": 1}}}}]");
    let err = fails(&env.run_with(&["add", "-"], &bad), 6);
    assert!(err.contains("no_such_field"), "{err}");
    assert_eq!(
        env.json(&["list"]).as_array().unwrap().len(),
        2,
        "nothing of it stored"
    );

    // An empty array is refused, not a silent success.
    let err = fails(&env.run_with(&["add", "-"], " [ ] "), 6);
    assert!(err.contains("no testimony"), "{err}");

    // An array that is not JSON says where.
    let err = fails(&env.run_with(&["add", "-"], "[{\"narrative\": }]"), 6);
    assert!(err.contains("line 1"), "{err}");
}
