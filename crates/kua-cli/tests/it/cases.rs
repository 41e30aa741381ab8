//! `kua case` and `kua deadlines`: the course of a complaint through the command line,
//! the JSON contract of `case show`, refused steps with their exit code, and the
//! privileged note kept out of anything printed without --privileged.

use crate::{fails, Env, COMPLETE};

fn entry(env: &Env, args: &[&str]) -> String {
    env.json(args)["entry"].as_str().unwrap().to_string()
}

#[test]
fn a_complaint_runs_its_course_through_the_cli() {
    let env = Env::new();
    env.init();
    let client = env.run_with(&["add", "-"], COMPLETE);
    let client = String::from_utf8(client.stdout).unwrap().trim().to_string();
    let case = env.json(&["case", "new", "--client", &client, "--title", "Дело Ж."]);
    let case = case["id"].as_str().unwrap().to_string();
    let c = case.as_str();

    env.ok(&["case", "step", c, "complaint_filed", "--date", "2022-01-21"]);
    let decision = env.file(
        "postanovlenie.txt",
        "ПОСТАНОВЛЕНИЕ о регистрации".as_bytes(),
    );
    env.ok(&[
        "case",
        "step",
        c,
        "registered",
        "--date",
        "2022-01-24",
        "--number",
        "225500031000123",
        "--article",
        "146",
        "--document",
        decision.to_str().unwrap(),
    ]);
    env.ok(&[
        "case",
        "step",
        c,
        "victim_recognised",
        "--date",
        "2022-02-01",
    ]);
    // An impossible step: refused with the input exit code and what the course allows.
    let out = env.run(&[
        "case",
        "step",
        c,
        "verdict",
        "--date",
        "2022-02-02",
        "--outcome",
        "conviction",
    ]);
    let err = fails(&out, 6);
    assert!(
        err.contains("interrupted") && err.contains("sent_to_court"),
        "{err}"
    );
    // Refused with a document: the document is not stored either.
    let d = decision.to_str().unwrap();
    let out = env.run(&[
        "case",
        "step",
        c,
        "trial_started",
        "--date",
        "2022-02-02",
        "--document",
        d,
    ]);
    fails(&out, 6);
    let out = env.run(&[
        "case",
        "petition",
        c,
        "prayer",
        "--asked",
        "x",
        "--document",
        d,
    ]);
    fails(&out, 6);
    assert_eq!(
        env.json(&["case", "show", c])["documents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.ok(&[
        "case",
        "step",
        c,
        "terminated",
        "--date",
        "2022-11-10",
        "--ground",
        "no_elements",
        "--deadline",
        "2022-11-20",
    ]);
    env.ok(&[
        "case",
        "step",
        c,
        "complaint_to_judge",
        "--date",
        "2022-11-15",
    ]);
    env.ok(&[
        "case",
        "step",
        c,
        "complaint_decided",
        "--date",
        "2022-11-25",
        "--outcome",
        "granted",
    ]);
    env.ok(&["case", "step", c, "reinstated", "--date", "2022-11-28"]);
    env.ok(&["case", "step", c, "sent_to_court", "--date", "2023-03-01"]);

    let p = entry(
        &env,
        &[
            "case",
            "petition",
            c,
            "cctv_seizure",
            "--asked",
            "записи камер ИВС",
            "--filed",
            "2023-03-02",
        ],
    );
    let cam = entry(
        &env,
        &[
            "case",
            "evidence",
            c,
            "cctv",
            "--what",
            "камера у входа",
            "--from",
            "2022-01-06T18:00",
            "--to",
            "2022-01-08T12:00",
            "--deadline",
            "2023-03-05",
        ],
    );
    env.ok(&[
        "case",
        "preserve",
        c,
        &cam,
        "requested",
        "--date",
        "2023-03-02",
        "--petition",
        &p,
    ]);
    let added = env.run_with(&["case", "circumstance", c, "-"], "следы наручников");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let note = env.run_with(
        &["case", "note", c, "-"],
        "ПРИВИЛЕГИЯ: клиент узнал оперативника",
    );
    assert!(
        note.status.success(),
        "{}",
        String::from_utf8_lossy(&note.stderr)
    );

    let shown = env.json(&["case", "show", c, "--today", "2023-03-04"]);
    assert_eq!(shown["id"], case.as_str());
    assert_eq!(shown["client"], client.as_str());
    assert_eq!(shown["state"], "sent_to_court");
    assert_eq!(shown["steps"].as_array().unwrap().len(), 8);
    assert_eq!(shown["petitions"].as_array().unwrap().len(), 1);
    assert_eq!(shown["evidence"][0]["status"], "requested");
    assert_eq!(
        shown["notes"], 1,
        "notes are counted unless privileged content is asked for"
    );
    assert_eq!(shown["documents"][0]["kind"], "decision");
    let registered = &shown["steps"][1];
    assert_eq!(registered["number"], "225500031000123");
    assert_eq!(registered["document"], shown["documents"][0]["attachment"]);
    let plain = env.ok(&["case", "show", c]);
    assert!(!plain.contains("ПРИВИЛЕГИЯ"), "{plain}");
    let privileged = env.json(&["case", "show", c, "--privileged"]);
    assert!(privileged["notes"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("ПРИВИЛЕГИЯ"));

    // Deadlines across cases: the petition's decision (due 2023-03-05, 3 days after
    // filing); the camera was requested in time (by 2023-03-05), and the termination's
    // deadline was followed by later steps.
    let due = env.json(&["deadlines", "--today", "2023-03-06"]);
    let due = due.as_array().unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0]["kind"], "petition");
    assert!(due
        .iter()
        .all(|d| d["status"] == "overdue" && d["days"] == -1));
    let human = env.ok(&["deadlines", "--today", "2023-03-06"]);
    assert!(human.contains("overdue 1d"), "{human}");

    let list = env.json(&["case", "list", "--today", "2023-03-06"]);
    assert_eq!(list[0]["state"], "sent_to_court");
    assert_eq!(list[0]["overdue"], 1);
    assert!(env.json(&["verify"])["ok"].as_bool().unwrap());

    // Unknown case and unknown entry: the not-found exit code.
    fails(
        &env.run(&["case", "show", "8c1f2c52-0000-4000-8000-000000000000"]),
        4,
    );
    fails(
        &env.run(&["case", "preserve", c, "no-such-item", "obtained"]),
        4,
    );
    // A note's text never comes from an argument: there is no such option.
    assert_eq!(
        env.run(&["case", "note", c, "--text", "x"]).status.code(),
        Some(2)
    );
    let course = env.ok(&["case", "course", "--lang", "kk"]);
    assert!(course.contains("СДТБТ-да тіркелді"), "{course}");
    // The course to a coalition: the coordinator counts the outcome, and the note's
    // text is in none of the coordinator's output.
    let coord = Env::new();
    coord.init();
    let age = coord.json(&["identity"])["age_recipient"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&["recipients", "add", "coalition", &age]);
    let pubfile = env.dir.path().join("lawyer.pub");
    env.ok(&[
        "identity",
        "--minisign-pub",
        "-o",
        pubfile.to_str().unwrap(),
    ]);
    coord.ok(&["trust", "add", "lawyer", pubfile.to_str().unwrap()]);
    let bundle = env.dir.path().join("case.kua");
    let b = bundle.to_str().unwrap();
    let refused = env.run(&[
        "export",
        "--to",
        "coalition",
        "--case",
        c,
        "--case-notes",
        "-o",
        b,
    ]);
    fails(&refused, 6);
    let sent = env.json(&["export", "--to", "coalition", "--case", c, "-o", b]);
    assert_eq!(sent["cases"][0], case.as_str());
    assert_eq!(
        sent["records"].as_array().unwrap().len(),
        0,
        "the case alone was named"
    );
    let imported = coord.json(&["import", b]);
    assert_eq!(imported[0]["new_cases"], 1);
    let stats = coord.json(&["stats", "--by", "case_state"]);
    assert_eq!(stats["cases"], 1);
    let row = |s: &serde_json::Value, code: &str| {
        s["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(row(&stats, "sent_to_court"), 1);
    assert_eq!(row(&stats, "terminated"), 0);
    let reached = coord.json(&["stats", "--by", "case_reached"]);
    assert_eq!(row(&reached, "registered"), 1);
    assert_eq!(
        row(&reached, "terminated"),
        1,
        "it was terminated once, then reinstated"
    );
    let kk = coord.ok(&["stats", "--by", "termination_ground", "--lang", "kk"]);
    assert!(kk.contains("Мәлімет жоқ"), "{kk}");
    let shown = coord.ok(&["case", "show", c, "--privileged"]);
    assert!(
        !shown.contains("ПРИВИЛЕГИЯ") && shown.contains("Sent to court"),
        "{shown}"
    );
    assert!(coord.json(&["verify"])["ok"].as_bool().unwrap());
    fails(&coord.run(&["stats", "--by", "case_state", "--public"]), 1);

    env.ok(&["case", "erase", c, "--yes"]);
    assert_eq!(env.json(&["case", "list"]).as_array().unwrap().len(), 0);
}
