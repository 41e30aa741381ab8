//! A body map as a report draws it: each view that has a mark, with the marks as
//! numbered circles on the bundled outline, then a table of the marks and the
//! examination status of each region. The outlines are the app's own SVG files, added
//! to the typst world under `/body/`.

use crate::labels::Labels;
use crate::values::{Identifying, Row};
use kua_core::body::{self, BodyMap};
use kua_core::template::{Field, Template};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MapOut {
    pub figure: String,
    pub views: Vec<ViewOut>,
    pub marks: Vec<MarkRow>,
    pub regions: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ViewOut {
    pub label: String,
    pub file: String,
    /// Height over width: the layout draws every view at a set width.
    pub ratio: f64,
    /// The letters for the person's right and left at the drawing's left and right
    /// edges (front: right on the left), empty for the close-ups.
    pub left_edge: String,
    pub right_edge: String,
    pub marks: Vec<Dot>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dot {
    pub n: String,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MarkRow {
    pub n: String,
    pub place: String,
    pub finding: String,
    pub method: String,
    pub photos: String,
    pub note: String,
}

/// Adds the outlines to a report's files, so that a map can draw any view.
pub(crate) fn add_drawings(job: &mut crate::world::Job) -> crate::Result<()> {
    for (name, svg) in body::SVG {
        job.file(&format!("/body/{name}"), svg.as_bytes().to_vec())?;
    }
    Ok(())
}

/// The map of a field's value; `annex` numbers the testimony's attachments as the
/// evidence annex does, so that a mark's photographs point there.
pub(crate) fn map_out(
    map: &BodyMap,
    tpl: &Template,
    field: &Field,
    labels: Labels,
    identifying: Identifying,
    annex: &BTreeMap<String, usize>,
) -> MapOut {
    let lang = labels.lang;
    let a = body::atlas();
    let figure = map.figure.as_deref();
    let views = a
        .views
        .iter()
        .filter(|v| {
            map.marks
                .iter()
                .any(|m| m.view == v.id && BodyMap::drawable(m))
        })
        .filter_map(|v| {
            let file = a.drawing(&v.id, figure)?;
            let (left_edge, right_edge) = match v.id.as_str() {
                "front" => (labels.get("side_right"), labels.get("side_left")),
                "back" => (labels.get("side_left"), labels.get("side_right")),
                _ => (String::new(), String::new()),
            };
            Some(ViewOut {
                label: v.label.get(lang).to_string(),
                file: format!("/body/{file}"),
                ratio: f64::from(v.height) / f64::from(v.width.max(1)),
                left_edge,
                right_edge,
                marks: map
                    .marks
                    .iter()
                    .filter(|m| m.view == v.id && BodyMap::drawable(m))
                    .map(|m| Dot {
                        n: m.n.to_string(),
                        x: m.x,
                        y: m.y,
                    })
                    .collect(),
            })
        })
        .collect();
    let marks = map
        .marks
        .iter()
        .map(|m| {
            let mut w = m.words(Some(tpl), Some(field), lang);
            // A received map is not validated: where identifying content is withheld,
            // an id no vocabulary knows may be text someone typed, and is not printed.
            if identifying == Identifying::Withheld {
                let guard = |id: Option<&String>, text: &mut Option<String>| {
                    if id.is_some_and(|i| !body::is_plain_id(i)) {
                        *text = Some(labels.withheld());
                    }
                };
                if !body::is_plain_id(&m.region) {
                    w.region = labels.withheld();
                }
                if !body::is_plain_id(&m.view) {
                    w.view = labels.withheld();
                }
                guard(m.lesion.as_ref(), &mut w.lesion);
                guard(m.shape.as_ref(), &mut w.shape);
                guard(m.colour.as_ref(), &mut w.colour);
                guard(m.method.as_ref(), &mut w.method);
                guard(m.consistency.as_ref(), &mut w.consistency);
            }
            let lesion = w.lesion.unwrap_or_else(|| labels.get("not_recorded"));
            let finding = [Some(lesion), w.size, w.shape, w.colour]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let method = match (w.method, w.consistency) {
                (Some(m), Some(c)) => format!("{m}: {c}"),
                (Some(m), None) => m,
                (None, Some(c)) => c,
                (None, None) => String::new(),
            };
            let photos = m
                .photos
                .iter()
                .map(|p| match annex.get(p) {
                    Some(i) => format!("№ {i}"),
                    None => labels.get("body_photo_missing"),
                })
                .collect::<Vec<_>>()
                .join(", ");
            // A note is typed during an examination and may name someone.
            let note = match (&m.note, identifying) {
                (Some(_), Identifying::Withheld) => labels.withheld(),
                (Some(n), Identifying::Shown) => n.clone(),
                (None, _) => String::new(),
            };
            MarkRow {
                n: m.n.to_string(),
                place: format!("{} ({})", w.region, w.view),
                finding,
                method,
                photos,
                note,
            }
        })
        .collect();
    let withheld = |id: &str| identifying == Identifying::Withheld && !body::is_plain_id(id);
    let regions = map
        .regions
        .iter()
        .map(|(r, s)| {
            let region = if withheld(r) {
                labels.withheld()
            } else {
                a.region_label(r, lang).to_string()
            };
            let status = if withheld(s) {
                labels.withheld()
            } else {
                body::status_label(s, lang)
            };
            Row::text(region, status)
        })
        .collect();
    MapOut {
        figure: match figure {
            Some(f) if withheld(f) => labels.withheld(),
            Some(f) => body::figure_label(f, lang),
            None => String::new(),
        },
        views,
        marks,
        regions,
    }
}

/// A change of a body map between versions, in words: "mark 3 added on the left
/// forearm".
pub(crate) fn change_text(change: &body::MarkChange, labels: Labels) -> String {
    use body::MarkChange::*;
    let lang = labels.lang;
    let region = |r: &str| body::atlas().region_label(r, lang).to_string();
    let mark = |key: &str, n: u32, r: &str| {
        labels
            .get(key)
            .replace("{n}", &n.to_string())
            .replace("{region}", &region(r))
    };
    match change {
        Added { n, region } => mark("body_change_added", *n, region),
        Removed { n, region } => mark("body_change_removed", *n, region),
        Moved { n, region } => mark("body_change_moved", *n, region),
        Described { n, region } => mark("body_change_described", *n, region),
        Examination {
            region: r,
            from,
            to,
        } => {
            let status = |s: &Option<String>| match s {
                Some(s) => body::status_label(s, lang),
                None => labels.get("not_recorded"),
            };
            format!("{}: {} → {}", region(r), status(from), status(to))
        }
    }
}
