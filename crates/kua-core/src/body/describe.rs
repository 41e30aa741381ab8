//! A mark in words, in one of the interface languages: how the CLI prints it and how
//! the report's table reads, so both say the same thing.

use super::{atlas, BodyMap, Mark};
use crate::template::{Choice, Field, Template};
use serde_json::Value;

/// The parts of a mark's description, each already labelled; `None` where nothing was
/// recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkWords {
    pub region: String,
    pub view: String,
    /// `None` for a mark not yet described.
    pub lesion: Option<String>,
    /// "4.5 × 2 cm", "4.5 cm".
    pub size: Option<String>,
    pub shape: Option<String>,
    pub colour: Option<String>,
    pub method: Option<String>,
    pub consistency: Option<String>,
}

fn term(options: &[Choice], id: &str, lang: &str) -> String {
    options
        .iter()
        .find(|o| o.id == id)
        .map_or_else(|| id.to_string(), |o| o.label.get(lang).to_string())
}

/// A size in centimetres as people write it: no trailing ".0", a comma as the decimal
/// sign in Russian and Kazakh.
pub fn centimetres(cm: f64, lang: &str) -> String {
    let s = format!("{}", (cm * 10.0).round() / 10.0);
    if lang == "en" {
        s
    } else {
        s.replace('.', ",")
    }
}

impl Mark {
    /// Labels every part of the mark. `field` is the body map's field of `tpl`, which
    /// names the lists its method and grade come from.
    pub fn words(&self, tpl: Option<&Template>, field: Option<&Field>, lang: &str) -> MarkWords {
        let a = atlas();
        let listed = |source: Option<&String>, id: &String| {
            let list = source.and_then(|s| tpl?.any_field(s));
            list.map_or_else(|| id.clone(), |l| term(&l.options, id, lang))
        };
        let unit = match lang {
            "ru" => "см",
            "kk" => "см",
            _ => "cm",
        };
        let size = match (self.length_cm, self.width_cm) {
            (Some(l), Some(w)) => Some(format!(
                "{} × {} {unit}",
                centimetres(l, lang),
                centimetres(w, lang)
            )),
            (Some(x), None) | (None, Some(x)) => Some(format!("{} {unit}", centimetres(x, lang))),
            (None, None) => None,
        };
        MarkWords {
            region: a.region_label(&self.region, lang).to_string(),
            view: a
                .view(&self.view)
                .map_or_else(|| self.view.clone(), |v| v.label.get(lang).to_string()),
            lesion: self.lesion.as_ref().map(|l| term(&a.lesions, l, lang)),
            size,
            shape: self.shape.as_ref().map(|s| term(&a.shapes, s, lang)),
            colour: self.colour.as_ref().map(|c| term(&a.colours, c, lang)),
            method: self
                .method
                .as_ref()
                .map(|m| listed(field.and_then(|f| f.methods_from.as_ref()), m)),
            consistency: self
                .consistency
                .as_ref()
                .map(|c| listed(field.and_then(|f| f.grades_from.as_ref()), c)),
        }
    }
}

/// A region status's label (examined, not examined, declined).
pub fn status_label(status: &str, lang: &str) -> String {
    term(&atlas().statuses, status, lang)
}

/// A figure's label (female figure, male figure).
pub fn figure_label(figure: &str, lang: &str) -> String {
    term(&atlas().figures, figure, lang)
}

/// A body map as search sees it: each mark's region and lesion by their labels in the
/// three languages, and its note (ids, numbers and positions are no words to search).
pub(crate) fn search_text(value: &Value, text: &mut String) {
    let Some(map) = BodyMap::from_value(value) else {
        return;
    };
    let atlas = atlas();
    for m in &map.marks {
        let region = atlas.region(&m.region).map(|r| &r.label);
        let lesion = atlas
            .lesions
            .iter()
            .find(|l| m.lesion.as_ref() == Some(&l.id))
            .map(|l| &l.label);
        for l in region.into_iter().chain(lesion) {
            text.push('\n');
            text.push_str(&format!("{} {} {}", l.en, l.ru, l.kk));
        }
        if let Some(note) = &m.note {
            text.push('\n');
            text.push_str(note);
        }
    }
}
