//! Body diagrams (Istanbul Protocol, Annex III): the atlas of views and anatomical
//! regions, the vocabularies of a mark, and the plain types of a `body_map` field.
//!
//! The atlas and vocabularies are data (`assets/body/`), embedded at build time. Region
//! and term ids are stable: a sealed record names them, so an id is never renamed or
//! removed, only added. "Left" and "right" are always the examined person's.

mod changes;
mod check;
mod describe;

pub use changes::{changes, MarkChange};
pub(crate) use check::{check_complete, check_map, check_numbers, check_photos, key_in_path};
pub use check::{is_plain_id, MAX_MARKS};
pub(crate) use describe::search_text;
pub use describe::{centimetres, figure_label, status_label, MarkWords};

use crate::template::{Choice, Localized};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One drawing a mark can be placed on: the whole body from the front or the back
/// (drawn as a male and a female figure), or a close-up of the head, hands or feet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct View {
    pub id: String,
    /// The drawing's size in its own units; a mark's position is normalised by it.
    pub width: u32,
    pub height: u32,
    /// True when the view has a male and a female drawing (`front-male.svg`), false
    /// when one drawing serves everyone (`head.svg`).
    pub figures: bool,
    pub label: Localized,
}

/// An anatomical region, with the point of each view where it is drawn. A region
/// belongs to a view exactly when it has an anchor on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: String,
    pub label: Localized,
    pub anchors: BTreeMap<String, (f64, f64)>,
}

/// Everything the app, the reports and the analysis need to draw and name a body map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Atlas {
    pub views: Vec<View>,
    pub regions: Vec<Region>,
    pub lesions: Vec<Choice>,
    pub shapes: Vec<Choice>,
    pub colours: Vec<Choice>,
    /// Examined, not examined, declined: what was done with a region.
    pub statuses: Vec<Choice>,
    pub figures: Vec<Choice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Drawings {
    views: Vec<View>,
    regions: Vec<Region>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vocab {
    lesions: Vec<Choice>,
    shapes: Vec<Choice>,
    colours: Vec<Choice>,
    statuses: Vec<Choice>,
    figures: Vec<Choice>,
}

const DRAWINGS: &str = include_str!("../../../../assets/body/atlas.json");
const VOCAB: &str = include_str!("../../../../assets/body/vocab.json");

/// The drawings themselves, by file name, for front ends that lay out reports.
pub const SVG: &[(&str, &str)] = &[
    (
        "front-male.svg",
        include_str!("../../../../assets/body/front-male.svg"),
    ),
    (
        "front-female.svg",
        include_str!("../../../../assets/body/front-female.svg"),
    ),
    (
        "back-male.svg",
        include_str!("../../../../assets/body/back-male.svg"),
    ),
    (
        "back-female.svg",
        include_str!("../../../../assets/body/back-female.svg"),
    ),
    ("head.svg", include_str!("../../../../assets/body/head.svg")),
    (
        "hands.svg",
        include_str!("../../../../assets/body/hands.svg"),
    ),
    ("feet.svg", include_str!("../../../../assets/body/feet.svg")),
];

/// The atlas, parsed once. A file that fails to parse is a build defect caught by the
/// unit test below; at run time the atlas is then empty, and every mark is refused as
/// naming an unknown region rather than the app crashing.
pub fn atlas() -> &'static Atlas {
    static PARSED: std::sync::OnceLock<Atlas> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        let drawings: Option<Drawings> = serde_json::from_str(DRAWINGS).ok();
        let vocab: Option<Vocab> = serde_json::from_str(VOCAB).ok();
        let (views, regions) = drawings.map(|d| (d.views, d.regions)).unwrap_or_default();
        let vocab = vocab.unwrap_or(Vocab {
            lesions: Vec::new(),
            shapes: Vec::new(),
            colours: Vec::new(),
            statuses: Vec::new(),
            figures: Vec::new(),
        });
        Atlas {
            views,
            regions,
            lesions: vocab.lesions,
            shapes: vocab.shapes,
            colours: vocab.colours,
            statuses: vocab.statuses,
            figures: vocab.figures,
        }
    })
}

impl Atlas {
    pub fn view(&self, id: &str) -> Option<&View> {
        self.views.iter().find(|v| v.id == id)
    }

    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// The label of a region, or its id when the atlas does not know it (a record from
    /// a newer Kua).
    pub fn region_label<'a>(&'a self, id: &'a str, lang: &str) -> &'a str {
        self.region(id).map_or(id, |r| r.label.get(lang))
    }

    /// The file of a view's drawing for a figure.
    pub fn drawing(&self, view: &str, figure: Option<&str>) -> Option<&'static str> {
        let v = self.view(view)?;
        let name = if v.figures {
            format!("{view}-{}.svg", figure.unwrap_or("male"))
        } else {
            format!("{view}.svg")
        };
        SVG.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
    }
}

/// The value of a `body_map` field: the marks, and what was done with each region.
/// Regions absent from `regions` were not recorded either way.
///
/// Reading is lenient (unknown keys are ignored, a null list is empty): a received
/// record is not validated on import, and a record from a newer Kua may carry more.
/// Validation (`check.rs`) is what refuses unknown keys in this vault's own records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BodyMap {
    /// The figure drawn for the front and back views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub figure: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub marks: Vec<Mark>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub regions: BTreeMap<String, String>,
    /// The highest number ever given to a mark of this map, so that a removed mark's
    /// number is never given to another finding (the history and the report name marks
    /// by number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last: Option<u32>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One finding drawn on a view. `n` numbers it for good: it is how the diagram, the
/// table of a report and the changes between versions refer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mark {
    pub n: u32,
    pub view: String,
    pub region: String,
    /// The position on the view's drawing, from 0 (left, top) to 1 (right, bottom).
    pub x: f64,
    pub y: f64,
    /// The type of lesion; a mark placed but not yet described has none (it must have
    /// one before the testimony is sealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub lesion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub length_cm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub width_cm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub shape: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub colour: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub note: Option<String>,
    /// Attachment ids of photographs of this finding, attached to the same testimony.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub photos: Vec<String>,
    /// The method the person alleges caused it, from the template's methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub method: Option<String>,
    /// The Istanbul Protocol's grade of consistency with that method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub consistency: Option<String>,
}

impl BodyMap {
    /// Reads a field's value. Only a value that passed validation is sure to read; any
    /// other gives `None`, and callers show it as not recorded.
    pub fn from_value(value: &Value) -> Option<BodyMap> {
        if value.is_null() {
            return None;
        }
        serde_json::from_value(value.clone()).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.marks.is_empty() && self.regions.is_empty()
    }

    /// Whether a mark can be drawn: a map read from a received record may hold
    /// positions outside 0..=1 (or not finite); such marks are listed but not drawn.
    pub fn drawable(m: &Mark) -> bool {
        m.x.is_finite()
            && m.y.is_finite()
            && (0.0..=1.0).contains(&m.x)
            && (0.0..=1.0).contains(&m.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_atlas_parses_and_every_region_is_well_placed() {
        let a = atlas();
        assert_eq!(a.views.len(), 5, "the drawings do not parse");
        assert!(!a.lesions.is_empty(), "the vocabularies do not parse");
        assert!(a.regions.len() >= 60, "{} regions", a.regions.len());
        let mut ids = std::collections::BTreeSet::new();
        for r in &a.regions {
            assert!(ids.insert(&r.id), "duplicate region {}", r.id);
            assert!(!r.anchors.is_empty(), "{} is on no view", r.id);
            for l in [&r.label.en, &r.label.ru, &r.label.kk] {
                assert!(!l.is_empty(), "label of {}", r.id);
            }
            for (view, (x, y)) in &r.anchors {
                assert!(a.view(view).is_some(), "{}: unknown view {view}", r.id);
                assert!(
                    (0.0..=1.0).contains(x) && (0.0..=1.0).contains(y),
                    "{}",
                    r.id
                );
            }
        }
        for v in &a.views {
            let figures: Vec<Option<&str>> = if v.figures {
                a.figures.iter().map(|f| Some(f.id.as_str())).collect()
            } else {
                vec![None]
            };
            for f in figures {
                let file = a.drawing(&v.id, f).expect("a drawing for every view");
                let svg = SVG.iter().find(|(n, _)| *n == file).unwrap().1;
                let view_box = format!("viewBox=\"0 0 {} {}\"", v.width, v.height);
                assert!(svg.contains(&view_box), "{file} is not {view_box}");
                // The drawings are shown in the page and laid out in reports: nothing
                // in them may run, fetch or style. Only these elements and attributes.
                assert_plain_svg(file, svg);
            }
        }
        // The person's right is on the viewer's left on the front view, and on the
        // viewer's right on the back view.
        let fr = a.region("forearm_right").unwrap();
        assert!(fr.anchors["front"].0 < 0.5 && fr.anchors["back"].0 > 0.5);
    }

    fn assert_plain_svg(file: &str, svg: &str) {
        const ELEMENTS: &[&str] = &[
            "svg", "g", "path", "circle", "ellipse", "line", "polyline", "polygon", "rect",
        ];
        const ATTRIBUTES: &[&str] = &[
            "xmlns",
            "version",
            "viewBox",
            "width",
            "height",
            "d",
            "fill",
            "stroke",
            "stroke-width",
            "stroke-linecap",
            "stroke-linejoin",
            "stroke-dasharray",
            "cx",
            "cy",
            "r",
            "rx",
            "ry",
            "x1",
            "y1",
            "x2",
            "y2",
            "points",
            "x",
            "y",
        ];
        let mut rest = svg;
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            if let Some(comment) = rest.strip_prefix("!--") {
                let end = comment.find("-->").expect("a closed comment");
                rest = &comment[end + 3..];
                continue;
            }
            // The tag ends at the first '>' outside quotes.
            let mut quoted = false;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    if c == '"' {
                        quoted = !quoted;
                    }
                    c == '>' && !quoted
                })
                .map(|(i, _)| i)
                .expect("a closed tag");
            let tag = rest[..end].trim_start_matches('/').trim_end_matches('/');
            let mut parts = tag.split_whitespace();
            let name = parts.next().unwrap_or_default();
            if name.starts_with('?') {
                rest = &rest[end..];
                continue;
            }
            assert!(ELEMENTS.contains(&name), "{file}: element <{name}>");
            for attr in tag[name.len()..].split('"').step_by(2) {
                let attr = attr.trim().trim_end_matches('=');
                if !attr.is_empty() {
                    assert!(
                        ATTRIBUTES.contains(&attr),
                        "{file}: attribute {attr} of <{name}>"
                    );
                }
            }
            for value in tag.split('"').skip(1).step_by(2) {
                assert!(
                    !value.contains(':') || value.starts_with("http://www.w3.org/2000/svg"),
                    "{file}: a value that names a scheme: {value}"
                );
            }
            rest = &rest[end..];
        }
    }

    #[test]
    fn the_svg_check_refuses_what_could_run_or_fetch() {
        for bad in [
            r#"<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>"#,
            r#"<svg viewBox="0 0 1 1" onload="alert(1)"></svg>"#,
            r#"<svg viewBox="0 0 1 1"><use href="x.svg#a"/></svg>"#,
            r#"<svg viewBox="0 0 1 1"><path d="M0 0" fill="url(http://x/#a)"/></svg>"#,
            r#"<svg viewBox="0 0 1 1"><style>@import "x";</style></svg>"#,
            r#"<svg viewBox="0 0 1 1"><path d=">" onload="alert(1)"/></svg>"#,
        ] {
            assert!(
                std::panic::catch_unwind(|| assert_plain_svg("test", bad)).is_err(),
                "{bad}"
            );
        }
        assert_plain_svg(
            "test",
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><!-- a note --><g><path d="M0 0 L1 1" stroke="#222"/></g></svg>"##,
        );
    }

    #[test]
    fn a_valid_value_reads_as_a_body_map() {
        let v = serde_json::json!({
            "figure": "female",
            "marks": [{"n": 1, "view": "front", "region": "forearm_left", "x": 0.8,
                       "y": 0.47, "lesion": "bruise", "length_cm": 3.5}],
            "regions": {"forearm_left": "examined"}
        });
        let m = BodyMap::from_value(&v).unwrap();
        assert_eq!(m.marks[0].length_cm, Some(3.5));
        assert_eq!(atlas().region_label("forearm_left", "en"), "left forearm");
        assert!(BodyMap::from_value(&Value::Null).is_none());
    }
}
