//! A body map in the court report: its views drawn with numbered marks, a table of the
//! marks whose photographs point into the evidence annex, and each region's status.

use crate::fixture::*;
use crate::testimony::{options, pdf_text};
use kua_core::model::TestimonyInput;

fn mapped(d: &mut Desk, anonymous: bool) -> String {
    let id = d.testimony("kk", KK_ACCOUNT, consent(anonymous, ALL));
    let photo = d.v.show(&id, None).unwrap().attachments[0].id.clone();
    let map = serde_json::json!({
        "figure": "female",
        "marks": [
            {"n": 1, "view": "front", "region": "forearm_left", "x": 0.8, "y": 0.47,
             "lesion": "bruise", "length_cm": 4.5, "width_cm": 2, "shape": "linear",
             "photos": [photo], "method": "beating", "consistency": "highly_consistent",
             "note": "Серікбаеваның айтуынша, таяқпен ұрған"},
            {"n": 2, "view": "feet", "region": "sole_right", "x": 0.6, "y": 0.5, "lesion": "swelling"}
        ],
        "regions": {"groin": "declined", "forearm_left": "examined"}
    });
    d.v.amend(
        &id,
        &TestimonyInput {
            fields: Some([("injury_map".to_string(), map)].into_iter().collect()),
            reason: Some("body map".into()),
            ..Default::default()
        },
    )
    .unwrap();
    id
}

#[test]
fn a_body_map_is_drawn_and_tabled_with_photographs_pointing_into_the_annex() {
    let mut d = desk();
    let id = mapped(&mut d, false);
    let report = kua_report::testimony(&mut d.v, &id, &options("kk")).unwrap();
    let dir = d.dir.path();
    std::fs::write(dir.join("map.pdf"), &report.pdf).unwrap();
    if let Ok(keep) = std::env::var("KUA_KEEP_PDF") {
        std::fs::write(keep, &report.pdf).unwrap();
    }
    let text = pdf_text(dir, "map.pdf");
    let a = kua_core::body::atlas();
    let region = |r: &str| a.region(r).unwrap().label.kk.clone();
    let view = |v: &str| a.view(v).unwrap().label.kk.clone();
    for expected in [
        "Дене сызбасындағы жарақаттар".to_string(),
        "әйел денесі".into(),
        format!("{} ({})", region("forearm_left"), view("front")),
        "көгерген жер, 4,5 × 2 см, сызықты".into(),
        "Серікбаеваның айтуынша, таяқпен ұрған".into(),
        format!("{} ({})", region("sole_right"), view("feet")),
        "О және С — адамның оң және сол жағы.".into(),
        // The amendment that drew the map, mark by mark.
        format!("1-белгі қосылды: {}", region("forearm_left")),
        format!("{}: мәлімет жоқ → тексеруден бас тартты", region("groin")),
    ] {
        assert!(text.contains(&expected), "{expected:?} not in the report");
    }
    // Each region's status reads on the region's line.
    let layout = run("pdftotext", &["-layout", "map.pdf", "-"], dir);
    let layout = layout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(layout.contains(&format!("{} тексеруден бас тартты", region("groin"))));
    assert!(layout.contains(&format!("{} тексерілді", region("forearm_left"))));
    // The photograph is the evidence annex's first file (pdftotext drops the narrow
    // space after the sign).
    assert!(
        text.contains("№1") || text.contains("№ 1"),
        "the photograph's annex number"
    );
    // Only the views with marks are drawn, each labelled under its drawing.
    assert!(
        !text.contains(&view("hands")),
        "a view without marks is drawn"
    );
}

#[test]
fn an_anonymous_report_keeps_the_map_but_withholds_the_marks_notes() {
    let mut d = desk_seeded(12);
    let id = mapped(&mut d, true);
    let report = kua_report::testimony(&mut d.v, &id, &options("ru")).unwrap();
    let dir = d.dir.path();
    std::fs::write(dir.join("anon.pdf"), &report.pdf).unwrap();
    let text = pdf_text(dir, "anon.pdf");
    assert!(text.contains("кровоподтёк, 4,5 × 2 см, линейная"), "{text}");
    assert!(!text.contains("Серікбаева"), "a note may name someone");
}

#[test]
fn a_received_body_map_links_its_photographs_and_a_redacted_one_keeps_no_note() {
    let mut field = desk();
    let id = mapped(&mut field, false);
    let mut report_of = |redact: bool, seed: u64| {
        let mut coord = desk_seeded(seed);
        let age = coord.v.identity().unwrap().age_recipient;
        field
            .v
            .add_recipient(&format!("coalition-{seed}"), &age, false)
            .unwrap();
        let key = field.v.minisign_public_key_file().unwrap();
        coord.v.trust("field", &key).unwrap();
        let path = field.dir.path().join(format!("{seed}.kua"));
        let request = kua_core::ExportRequest {
            to: vec![format!("coalition-{seed}")],
            selection: kua_core::Selection::All,
            redact,
            cases: Vec::new(),
            case_notes: false,
        };
        field
            .v
            .export(&request, &path, &mut kua_core::Silent)
            .unwrap();
        coord.v.import(&path, false, &mut kua_core::Silent).unwrap();
        let report = kua_report::received(&mut coord.v, &id, None, &options("kk")).unwrap();
        std::fs::write(coord.dir.path().join("r.pdf"), &report.pdf).unwrap();
        pdf_text(coord.dir.path(), "r.pdf")
    };
    let whole = report_of(false, 21);
    // The sender's attachment id resolves to the evidence annex's first file.
    assert!(whole.contains("№1") || whole.contains("№ 1"));
    assert!(
        !whole.contains("бұл нұсқада жоқ"),
        "a photograph not found in the annex"
    );
    assert!(whole.contains("Серікбаеваның айтуынша, таяқпен ұрған"));
    let redacted = report_of(true, 22);
    let region = kua_core::body::atlas().region("forearm_left").unwrap();
    assert!(redacted.contains(&region.label.kk), "the map travels");
    assert!(redacted.contains("көгерген жер, 4,5 × 2 см"));
    assert!(!redacted.contains("Серікбаева"), "the note does not");
}
