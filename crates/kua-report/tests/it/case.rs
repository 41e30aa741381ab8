//! The report of a case: its course, never its privileged notes.

use crate::fixture::*;
use crate::testimony::{options, pdf_text};
use kua_case::entry::{Note, Step};

#[test]
fn a_case_report_shows_the_course_and_not_the_notes() {
    let mut d = desk();
    let client = d.testimony("ru", RU_ACCOUNT, consent(false, ALL));
    let case = kua_case::record::open(&mut d.v, &client, Some("Дело Н.".into())).unwrap();
    kua_case::record::step(
        &mut d.v,
        &case,
        Step {
            step: "complaint_filed".into(),
            date: "2022-02-10".into(),
            body: Some("Прокуратура г. Алматы".into()),
            article: Some("146".into()),
            ..Step::default()
        },
    )
    .unwrap();
    let secret = "Привилегированная-Заметка-Канарейка";
    kua_case::record::note(
        &mut d.v,
        &case,
        Note {
            text: secret.into(),
            revises: None,
            seal: false,
        },
    )
    .unwrap();
    let report = kua_report::case(&mut d.v, &case, &options("ru")).unwrap();
    let dir = d.dir.path();
    std::fs::write(dir.join("case.pdf"), &report.pdf).unwrap();
    let text = pdf_text(dir, "case.pdf");
    assert!(text.contains("Отчёт по делу"));
    assert!(text.contains(&case));
    assert!(text.contains("Прокуратура г. Алматы"));
    assert!(text.contains("10.02.2022"));
    assert!(!text.contains(secret), "privileged notes stay out");
    run(
        "pdfdetach",
        &["-saveall", "-o", dir.to_str().unwrap(), "case.pdf"],
        dir,
    );
    let embedded = std::fs::read_to_string(dir.join("case.json")).unwrap();
    assert!(!embedded.contains(secret));
    std::fs::write(dir.join("kua.pub"), d.v.minisign_public_key_file().unwrap()).unwrap();
    std::fs::write(dir.join("case.pdf.minisig"), &report.minisig).unwrap();
    run("minisign", &["-Vm", "case.pdf", "-p", "kua.pub"], dir);
}
