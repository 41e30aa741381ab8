//! `kua report` and `kua disclose`: the same options give the same bytes, nothing is
//! written but the report and its signature (no temporary file anywhere), refusals
//! are one line with their exit code, and the package checks with stock tools.

use crate::{fails, Env, COMPLETE};
use std::process::Command;

fn sealed(env: &Env, legal: bool) -> String {
    let input = if legal {
        COMPLETE.replace(
            r#""scope": ["store", "coalition"]"#,
            r#""scope": ["store", "coalition", "legal"]"#,
        )
    } else {
        COMPLETE.to_string()
    };
    let out = env.run_with(&["add", "-"], &input);
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    env.ok(&["seal", &id]);
    id
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_report_is_the_same_bytes_for_the_same_options_and_leaves_no_temporary_file() {
    let env = Env::new();
    env.init();
    let id = sealed(&env, false);
    let out = env.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let tmp = env.dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let report = |name: &str| {
        let file = out.join(name);
        let o = env
            .cmd(&[
                "report",
                &id,
                "--lang",
                "kk",
                "--made-at",
                "2026-12-03T10:15:00Z",
                "-o",
                file.to_str().unwrap(),
                "--json",
            ])
            .env("TMPDIR", &tmp)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let shown: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(shown["made_at"], "2026-12-03T10:15:00Z");
        std::fs::read(file).unwrap()
    };
    let a = report("a.pdf");
    let b = report("b.pdf");
    // Not assert_eq: a failure would print both PDFs byte by byte.
    assert!(a == b, "the same version and options give the same bytes");
    assert!(a.starts_with(b"%PDF-"));
    assert_eq!(
        files_in(&out),
        ["a.pdf", "a.pdf.minisig", "b.pdf", "b.pdf.minisig"]
    );
    assert!(files_in(&tmp).is_empty(), "nothing in TMPDIR");

    let key = env.dir.path().join("kua.pub");
    env.ok(&["identity", "--minisign-pub", "-o", key.to_str().unwrap()]);
    let ok = Command::new("minisign")
        .args(["-Vm", "a.pdf", "-p"])
        .arg(&key)
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // The save is in the testimony's custody history.
    let history = env.json(&["history", &id]);
    let events: Vec<&str> = history["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events.iter().filter(|e| **e == "report_saved").count(), 2);
}

#[test]
fn refusals_are_one_line_with_their_code() {
    let env = Env::new();
    env.init();
    let draft = env.run_with(&["add", "-"], COMPLETE);
    let draft = String::from_utf8(draft.stdout).unwrap().trim().to_string();
    let pdf = env.dir.path().join("r.pdf");
    let p = pdf.to_str().unwrap();
    let err = fails(&env.run(&["report", &draft, "-o", p]), 6);
    assert!(err.contains("seal it first"), "{err}");
    let err = fails(&env.run(&["report", &draft, "--lang", "de", "-o", p]), 6);
    assert!(err.contains("en, ru or kk"), "{err}");
    let out = env.run(&["report", &draft, "-o", p, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(json["error"]["code"], "report_not_sealed");
    assert!(!pdf.exists());

    let no_legal = sealed(&env, false);
    let dir = env.dir.path().join("pkg");
    let d = dir.to_str().unwrap();
    let err = fails(
        &env.run(&["disclose", &no_legal, "-o", d, "--confirm-plaintext"]),
        6,
    );
    assert!(err.contains("legal"), "{err}");
    let legal = sealed(&env, true);
    let err = fails(&env.run(&["disclose", &legal, "-o", d]), 6);
    assert!(err.contains("--confirm-plaintext"), "{err}");
    assert!(!dir.exists(), "nothing written");
}

#[test]
fn a_disclosure_package_checks_with_sha256sum_and_minisign() {
    let env = Env::new();
    env.init();
    let id = sealed(&env, true);
    let dir = env.dir.path().join("суд");
    let shown = env.json(&[
        "disclose",
        &id,
        "-o",
        dir.to_str().unwrap(),
        "--lang",
        "ru",
        "--confirm-plaintext",
    ]);
    assert_eq!(shown["files"], 6);
    for (program, args) in [
        ("sha256sum", vec!["-c", "SHA256SUMS"]),
        ("minisign", vec!["-Vm", "SHA256SUMS", "-p", "kua.pub"]),
    ] {
        let o = Command::new(program)
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let history = env.json(&["history", &id]);
    let last = history["log"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], "disclosed");
    assert_eq!(last["content_hash"], shown["sums_sha256"]);
}

#[test]
fn a_coordinator_reports_a_received_record_and_a_redacted_one_without_the_name() {
    let coord = Env::new();
    coord.init();
    let field = crate::persons::interviewer(&coord, "field-7");
    let id = sealed(&field, false);
    let bundle = field.dir.path().join("b.kua");
    let b = bundle.to_str().unwrap();
    field.ok(&["export", "--to", "coalition", "--redact", &id, "-o", b]);
    coord.json(&["import", b]);

    let pdf = coord.dir.path().join("received.pdf");
    let p = pdf.to_str().unwrap();
    // Without --received the id is not one of the coordinator's own testimonies.
    fails(&coord.run(&["report", &id, "-o", p]), 4);
    let shown = coord.json(&["report", &id, "--received", "--lang", "ru", "-o", p]);
    assert_eq!(shown["record"], id.as_str());
    let text = String::from_utf8(
        Command::new("pdftotext")
            .args([p, "-"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // The sender by their key; the name they are trusted under may name the
    // interviewer, and is withheld with the rest.
    let key_id = field.json(&["identity"])["minisign_key_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains(&key_id), "the sender's key is named");
    assert!(!text.contains("field-7"));
    assert!(text.contains("скрыто (обезличено отправителем)"));
    assert!(
        !text.contains("Сұхбат алушы"),
        "a redacted record's report names no one: {text}"
    );
    assert!(text.contains("Ұлттық ұлан әскерлері ауруханадан әкетті."));
    let pubkey = coord.dir.path().join("coord.pub");
    coord.ok(&["identity", "--minisign-pub", "-o", pubkey.to_str().unwrap()]);
    let verified = Command::new("minisign")
        .args(["-Vm", p, "-p", pubkey.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(verified.status.success());
    let again = coord.dir.path().join("full.pdf");
    let err = fails(
        &coord.run(&[
            "report",
            &id,
            "--received",
            "--full",
            "-o",
            again.to_str().unwrap(),
        ]),
        6,
    );
    assert!(err.contains("redacted"), "{err}");
    assert!(!again.exists());
}
