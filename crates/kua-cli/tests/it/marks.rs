//! Body maps through the command line: JSON in with `add` and `edit`, marks printed by
//! `kua show`, the same JSON back with `--json`, and bad marks refused by name.

use crate::*;

fn with_map(map: &str) -> String {
    COMPLETE.replace(
        r#""detaining_authority": "national_guard"}"#,
        &format!(r#""detaining_authority": "national_guard", "injury_map": {map}}}"#),
    )
}

#[test]
fn marks_go_in_as_json_and_show_as_lines() {
    let env = Env::new();
    env.init();
    let first = r#"{"figure": "female", "marks": [{"n": 1, "view": "front", "region": "forearm_left", "x": 0.8, "y": 0.47, "lesion": "bruise"}]}"#;
    let out = env.run_with(&["add", "-"], &with_map(first));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let photo = env.file("білек.jpg", b"a photograph of the forearm");
    let att = env.json(&["attach", &id, photo.to_str().unwrap()])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let map = serde_json::json!({
        "figure": "female",
        "marks": [
            {"n": 1, "view": "front", "region": "forearm_left", "x": 0.8, "y": 0.47,
             "lesion": "bruise", "length_cm": 4.5, "width_cm": 2, "shape": "linear",
             "colour": "purple_blue", "photos": [att], "method": "beating",
             "consistency": "highly_consistent", "note": "таяқтың ізі"},
            {"n": 2, "view": "feet", "region": "sole_right", "x": 0.6, "y": 0.5, "lesion": "swelling"}
        ],
        "regions": {"groin": "declined", "forearm_left": "examined"}
    });
    let edit = env.file(
        "edit.json",
        serde_json::json!({"fields": {"injury_map": map}})
            .to_string()
            .as_bytes(),
    );
    env.ok(&["edit", &id, edit.to_str().unwrap()]);
    let shown = env.json(&["show", &id]);
    assert_eq!(shown["fields"]["injury_map"], map);
    let text = env.ok(&["show", &id]);
    for line in [
        "Injuries on body diagrams (female figure):",
        "  1. left forearm (Front view, at 0.80, 0.47): bruise, 4.5 × 2 cm, linear, purple or blue; alleged method: Beating (fists, slaps); Highly consistent",
        &format!("     photographs: {att}"),
        "     note: таяқтың ізі",
        "  2. right sole (Feet view, at 0.60, 0.50): swelling",
        "  groin: examination declined",
        "  left forearm: examined",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
    }
    env.json(&["seal", &id]);
    assert_eq!(env.json(&["verify"])["ok"], true);
}

#[test]
fn a_bad_mark_is_refused_by_its_path_and_nothing_is_stored() {
    let env = Env::new();
    env.init();
    let bad = r#"{"marks": [{"n": 1, "view": "front", "region": "sole_left", "x": 1.2, "y": 0.5, "lesion": "bruise"}]}"#;
    let err = fails(&env.run_with(&["add", "-"], &with_map(bad)), 6);
    for part in [
        "injury_map.marks[0].region: the region is not drawn on that view",
        "injury_map.marks[0].x: the position lies outside the drawing (0 to 1)",
    ] {
        assert!(err.contains(part), "{part:?} not in {err}");
    }
    assert!(env.json(&["list"]).as_array().unwrap().is_empty());
}
