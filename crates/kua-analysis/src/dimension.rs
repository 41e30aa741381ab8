//! The dimensions counts go by, and how each is read from a record's fields. The labels
//! of derived dimensions live in `assets/analysis/labels.json`; the codes and labels of
//! coded ones come from the template.

use crate::dates::{age_range, Span};
use kua_core::template::{self, Localized, Template};
use kua_core::{AnalysisRecord, RecordSource};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// A dimension of the counts. Multi-valued ones (a record may have several methods,
/// agencies or places) count records, not answers: a record with three methods counts
/// once under each, and never more than once in a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Region,
    PlaceRegion,
    PlaceType,
    Agency,
    DetainingAuthority,
    Method,
    Month,
    Year,
    Sex,
    AgeBand,
    Language,
    Source,
    /// The person's role: victim, witness, relative. A relative's account of the same
    /// events is a second testimony, not a second victim; filter by role to count
    /// victims.
    Role,
    /// The body regions where a mark was drawn on the body map.
    InjuryRegion,
    /// The types of lesion drawn on the body map.
    LesionType,
}

/// The number of dimensions.
pub const DIMENSIONS: usize = 15;

/// The code of a record whose body map has regions examined but no mark: "examined,
/// no injury marked" is a finding, not a missing answer.
pub const NO_MARK: &str = "no_mark";

/// Every field the dimensions read: what the vault needs to decode for the analysis set
/// (the others, long accounts included, are skipped).
pub const FIELDS: &[&str] = &[
    "events_region",
    "detention_places",
    "perpetrators",
    "detaining_authority",
    "methods",
    "gender",
    "interview_language",
    "events_date",
    "age",
    "birth_date",
    "person_role",
    "injury_map",
];

/// The body map field the injury dimensions read.
const INJURY_MAP: &str = "injury_map";

/// Where a coded dimension's values live in the template's fields.
enum Place {
    /// A top-level field: one code, or several for a multi-choice.
    Field(&'static str),
    /// A sub-field of every item of a list.
    Item(&'static str, &'static str),
    Derived,
}

impl Dimension {
    pub const ALL: [Dimension; DIMENSIONS] = [
        Dimension::Region,
        Dimension::PlaceRegion,
        Dimension::PlaceType,
        Dimension::Agency,
        Dimension::DetainingAuthority,
        Dimension::Method,
        Dimension::Month,
        Dimension::Year,
        Dimension::Sex,
        Dimension::AgeBand,
        Dimension::Language,
        Dimension::Source,
        Dimension::Role,
        Dimension::InjuryRegion,
        Dimension::LesionType,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Dimension::Region => "region",
            Dimension::PlaceRegion => "place_region",
            Dimension::PlaceType => "place_type",
            Dimension::Agency => "agency",
            Dimension::DetainingAuthority => "detaining_authority",
            Dimension::Method => "method",
            Dimension::Month => "month",
            Dimension::Year => "year",
            Dimension::Sex => "sex",
            Dimension::AgeBand => "age_band",
            Dimension::Language => "language",
            Dimension::Source => "source",
            Dimension::Role => "role",
            Dimension::InjuryRegion => "injury_region",
            Dimension::LesionType => "lesion_type",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn parse(s: &str) -> crate::Result<Dimension> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.id() == s.trim())
            .ok_or_else(|| crate::Error::UnknownDimension(s.to_string()))
    }

    fn place(self) -> Place {
        match self {
            Dimension::Region => Place::Field("events_region"),
            Dimension::PlaceRegion => Place::Item("detention_places", "place_region"),
            Dimension::PlaceType => Place::Item("detention_places", "place_type"),
            Dimension::Agency => Place::Item("perpetrators", "perp_agency"),
            Dimension::DetainingAuthority => Place::Field("detaining_authority"),
            Dimension::Method => Place::Field("methods"),
            Dimension::Sex => Place::Field("gender"),
            Dimension::Language => Place::Field("interview_language"),
            Dimension::Role => Place::Field("person_role"),
            Dimension::Month
            | Dimension::Year
            | Dimension::AgeBand
            | Dimension::Source
            | Dimension::InjuryRegion
            | Dimension::LesionType => Place::Derived,
        }
    }

    /// A record may hold several values of this dimension.
    pub fn multi(self) -> bool {
        matches!(
            self,
            Dimension::PlaceRegion
                | Dimension::PlaceType
                | Dimension::Agency
                | Dimension::Method
                | Dimension::InjuryRegion
                | Dimension::LesionType
        )
    }

    /// The template field whose options are this dimension's codes, if it is coded.
    pub fn field(self, template: &Template) -> Option<&template::Field> {
        match self.place() {
            Place::Field(id) => template.field(id),
            Place::Item(list, sub) => template
                .field(list)
                .and_then(|l| l.fields.iter().find(|f| f.id == sub)),
            Place::Derived => None,
        }
    }
}

#[derive(Debug, Deserialize)]
struct AgeBand {
    id: String,
    max: i32,
    label: Localized,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Labels {
    pub not_recorded: Localized,
    pub own: Localized,
    /// "{year}, month not known", with `{year}` replaced.
    pub month_unknown: Localized,
    /// The label of [`NO_MARK`].
    pub no_mark: Localized,
    pub dimensions: std::collections::BTreeMap<String, Localized>,
    age_bands: Vec<AgeBand>,
}

/// The labels of `assets/analysis/labels.json`, parsed once. The file is part of the
/// build; a unit test holds that it parses and names every dimension.
pub(crate) fn labels() -> &'static Labels {
    static PARSED: std::sync::OnceLock<Labels> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        serde_json::from_str(include_str!("../../../assets/analysis/labels.json")).unwrap_or(
            Labels {
                not_recorded: Localized {
                    en: "Not recorded".into(),
                    ru: "Нет сведений".into(),
                    kk: "Мәлімет жоқ".into(),
                },
                own: Localized {
                    en: "Own".into(),
                    ru: "Own".into(),
                    kk: "Own".into(),
                },
                month_unknown: Localized {
                    en: "{year}".into(),
                    ru: "{year}".into(),
                    kk: "{year}".into(),
                },
                no_mark: Localized {
                    en: NO_MARK.into(),
                    ru: NO_MARK.into(),
                    kk: NO_MARK.into(),
                },
                dimensions: Default::default(),
                age_bands: Vec::new(),
            },
        )
    })
}

/// The age bands' codes and labels, youngest first.
pub fn age_bands() -> impl Iterator<Item = (&'static str, &'static Localized)> {
    labels().age_bands.iter().map(|b| (b.id.as_str(), &b.label))
}

fn band_of(age: i32) -> Option<&'static str> {
    if age < 0 {
        return None;
    }
    labels()
        .age_bands
        .iter()
        .find(|b| age <= b.max)
        .map(|b| b.id.as_str())
}

/// The code of a record's source: `own`, or the sender's key id.
pub fn source_code(source: &RecordSource) -> &str {
    match source {
        RecordSource::Own => "own",
        RecordSource::Received { sender_key_id, .. } => sender_key_id,
    }
}

/// The date of the events as a span, when it is recorded and well-formed.
pub fn events_date(record: &AnalysisRecord) -> Option<Span> {
    record
        .fields
        .get("events_date")
        .and_then(Value::as_str)
        .and_then(Span::parse)
}

/// Every code a record has for a dimension; empty means "not recorded". Codes repeat
/// at most once: a record with two places of the same type counts once under it.
pub fn codes<'r>(
    record: &'r AnalysisRecord,
    dim: Dimension,
    date: Option<&Span>,
) -> Vec<Cow<'r, str>> {
    let mut out: Vec<Cow<'r, str>> = Vec::new();
    let mut push = |s: Cow<'r, str>| {
        let trimmed = s.trim();
        if trimmed.is_empty() || out.iter().any(|o| o == trimmed) {
            return;
        }
        out.push(if trimmed.len() == s.len() {
            s
        } else {
            Cow::Owned(trimmed.to_string())
        });
    };
    match dim.place() {
        Place::Field(id) => match record.fields.get(id) {
            Some(Value::String(s)) => push(Cow::Borrowed(s)),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .for_each(|s| push(Cow::Borrowed(s))),
            _ => {}
        },
        Place::Item(list, sub) => {
            if let Some(Value::Array(items)) = record.fields.get(list) {
                for item in items {
                    if let Some(s) = item.get(sub).and_then(Value::as_str) {
                        push(Cow::Borrowed(s));
                    }
                }
            }
        }
        Place::Derived => match dim {
            Dimension::Month => {
                // A date known to the year only is in its year's "month unknown"
                // category (code `YYYY`), not among records without a date.
                if let Some(d) = date {
                    push(Cow::Owned(d.month().unwrap_or_else(|| d.year())));
                }
            }
            Dimension::Year => {
                if let Some(d) = date {
                    push(Cow::Owned(d.year()));
                }
            }
            Dimension::AgeBand => {
                if let Some(b) = age_band(record, date) {
                    push(Cow::Borrowed(b));
                }
            }
            Dimension::Source => push(Cow::Borrowed(source_code(&record.source))),
            Dimension::InjuryRegion | Dimension::LesionType => {
                let Some(map) = record.fields.get(INJURY_MAP) else {
                    return out;
                };
                let marks = map.get("marks").and_then(Value::as_array);
                let key = if dim == Dimension::InjuryRegion {
                    "region"
                } else {
                    "lesion"
                };
                // A mark not yet described is still an injury marked: never "no mark".
                let marked = marks.is_some_and(|m| !m.is_empty());
                for mark in marks.into_iter().flatten() {
                    if let Some(code) = mark.get(key).and_then(Value::as_str) {
                        push(Cow::Borrowed(code));
                    }
                }
                let examined = map
                    .get("regions")
                    .and_then(Value::as_object)
                    .is_some_and(|r| r.values().any(|s| s == "examined"));
                if !marked && examined {
                    push(Cow::Borrowed(NO_MARK));
                }
            }
            _ => {}
        },
    }
    out
}

/// The age band at the events: from the recorded age, or else from the birth date and
/// the date of the events when the band is certain whatever days approximate dates
/// stand for.
fn age_band(record: &AnalysisRecord, date: Option<&Span>) -> Option<&'static str> {
    // An age outside 0..=120 is a slip (or "-1" for unknown): the birth date decides.
    if let Some(age) = record.fields.get("age").and_then(Value::as_f64) {
        if age.is_finite() && (0.0..=120.0).contains(&age) {
            return band_of(age.floor() as i32);
        }
    }
    let birth = record
        .fields
        .get("birth_date")
        .and_then(Value::as_str)
        .and_then(Span::parse)?;
    let (least, most) = age_range(&birth, date?);
    let band = band_of(least)?;
    (band_of(most) == Some(band)).then_some(band)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labels_file_names_every_dimension_in_three_languages() {
        let l = labels();
        assert!(!l.age_bands.is_empty(), "labels.json does not parse");
        for d in Dimension::ALL {
            let label = l.dimensions.get(d.id());
            assert!(label.is_some(), "no label for {}", d.id());
            let label = label.unwrap();
            assert!(!label.en.is_empty() && !label.ru.is_empty() && !label.kk.is_empty());
        }
        assert_eq!(band_of(17), Some("0-17"));
        assert_eq!(band_of(18), Some("18-24"));
        assert_eq!(band_of(80), Some("65+"));
        assert_eq!(Dimension::ALL.len(), DIMENSIONS);
        for (i, d) in Dimension::ALL.iter().enumerate() {
            assert_eq!(d.index(), i);
        }
    }
}
