//! `kua show` of a body map: each mark on a line, numbered as on the diagram, then
//! what was done with each region.

use kua_core::body::{self, BodyMap};
use kua_core::template::{Field, Template};
use serde_json::Value;

pub fn print(label: &str, value: &Value, tpl: Option<&Template>, field: Option<&Field>) {
    let Some(map) = BodyMap::from_value(value) else {
        println!("{label}: {value}");
        return;
    };
    match &map.figure {
        Some(f) => println!("{label} ({}):", body::figure_label(f, "en")),
        None => println!("{label}:"),
    }
    if map.marks.is_empty() {
        println!("  no marks");
    }
    for m in &map.marks {
        let w = m.words(tpl, field, "en");
        let mut line = format!(
            "  {}. {} ({} view, at {:.2}, {:.2}): {}",
            m.n,
            w.region,
            w.view,
            m.x,
            m.y,
            w.lesion.as_deref().unwrap_or("not described yet")
        );
        for part in [&w.size, &w.shape, &w.colour].into_iter().flatten() {
            line.push_str(", ");
            line.push_str(part);
        }
        if let Some(method) = &w.method {
            line.push_str(&format!("; alleged method: {method}"));
        }
        if let Some(grade) = &w.consistency {
            line.push_str(&format!("; {grade}"));
        }
        println!("{line}");
        if !m.photos.is_empty() {
            println!("     photographs: {}", m.photos.join(", "));
        }
        if let Some(note) = &m.note {
            println!("     note: {note}");
        }
    }
    for (region, status) in &map.regions {
        println!(
            "  {}: {}",
            body::atlas().region_label(region, "en"),
            body::status_label(status, "en")
        );
    }
}
