//! How alike two records' people are: a Fellegi–Sunter model. Each feature compares at
//! one of a few levels; each level has a weight log2(m/u), where m is how often the
//! level occurs when the two records are the same person and u how often it occurs when
//! they are not. Weights add up with the prior odds of a match; the score is the
//! resulting probability. Every comparison says which features agreed or disagreed and
//! by how much, so a reviewer sees why.
//!
//! The m and u values are set from the linkage literature (Splink's defaults for names
//! and dates) and the composition of Kazakhstan's 2022 caseload (about half of those
//! detained were men under 35 from Almaty): they are documented here, and the quality
//! figures in docs/benchmarks.md come from a generated population with the truth known.

use crate::dates::Span;
use serde::Serialize;

/// What is known of the person behind one record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// `key::name_key` of the full name, when the record has one.
    pub name: Option<String>,
    pub birth: Option<Span>,
    pub age: Option<f64>,
    pub sex: Option<String>,
    pub region: Option<String>,
    pub events: Option<Span>,
    /// The person code an interviewer gave, if any, with the source that gave it
    /// (`own` or the sender's key id): codes are compared within one source only.
    pub code: Option<String>,
    pub source: String,
    /// The name and birth date as match keys (`kua_core::matchkeys`): a redacted
    /// record's only view of them. Two records compare through keys made under the same
    /// linkage secret, when either lacks the plain value.
    pub encodings: Vec<kua_core::MatchKeys>,
    /// The birth date as redaction pseudonymises it, tagged by redaction key
    /// (`kua_core::matchkeys::birth_pseudonym`): a redacted record's own, a plain
    /// record's under each key a redacted record was made with.
    pub birth_pseudonyms: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Feature {
    Name,
    BirthDate,
    Age,
    Sex,
    Region,
    EventsDate,
    PersonCode,
}

/// One feature's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reason {
    pub feature: Feature,
    /// The level, a stable code front ends translate: `exact`, `close`, `similar`,
    /// `loosely_similar`, `differ`, `compatible`, `within_a_year`, `years_apart`,
    /// `within_three_years`, `same`, `within_a_month`, `months_apart`.
    pub level: &'static str,
    /// Its weight in bits: positive for, negative against.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Comparison {
    /// The probability that the two records are the same person, in [0, 1].
    pub score: f64,
    /// A feature disagrees in a way one person cannot (different sex, birth dates
    /// years apart): never linked automatically.
    pub hard_conflict: bool,
    pub reasons: Vec<Reason>,
}

/// log2(m / u).
fn w(m: f64, u: f64) -> f64 {
    (m / u).log2()
}

/// The prior probability that two records picked at random are one person: a few
/// records per person in a caseload of thousands.
const PRIOR: f64 = 1.0 / 2000.0;

/// Jaro-Winkler thresholds for names (Splink's levels).
const NAME_EXACT: f64 = 0.999;
const NAME_CLOSE: f64 = 0.92;
const NAME_NEAR: f64 = 0.88;
const NAME_LOOSE: f64 = 0.70;

/// How alike two name keys are: for each token of the shorter name, its best
/// Jaro-Winkler match in the other, averaged. A name written once with and once
/// without a patronymic, or with a typo in one part, stays close; the whole string's
/// similarity would fall with the missing part.
fn name_similarity(x: &str, y: &str) -> f64 {
    // Compared in place, without collecting tokens: this runs millions of times.
    let (nx, ny) = (x.split(' ').count(), y.split(' ').count());
    let (short, long, n) = if nx <= ny { (x, y, nx) } else { (y, x, ny) };
    if short.is_empty() {
        return 0.0;
    }
    let best: f64 = short
        .split(' ')
        .map(|t| {
            long.split(' ')
                .map(|u| strsim::jaro_winkler(t, u))
                .fold(0.0, f64::max)
        })
        .sum();
    // A single shared first name is weak evidence: one token counts as "near" at most.
    let sim = best / n as f64;
    if n < 2 {
        sim.min(NAME_NEAR)
    } else {
        sim.min(0.998)
    }
}

/// Dice levels of redacted names (bigram Bloom filters).
const DICE_CLOSE: f64 = 0.85;
const DICE_NEAR: f64 = 0.75;
const DICE_LOOSE: f64 = 0.55;

/// The first pair of encodings of two records made under one key.
fn common<'a>(
    a: &'a Facts,
    b: &'a Facts,
) -> Option<(&'a kua_core::MatchKeys, &'a kua_core::MatchKeys)> {
    a.encodings.iter().find_map(|x| {
        b.encodings
            .iter()
            .find(|y| y.key_id == x.key_id)
            .map(|y| (x, y))
    })
}

/// Whether two records share a birth date pseudonym (one plain, one redacted).
fn shared_pseudonym(a: &Facts, b: &Facts) -> bool {
    a.birth_pseudonyms
        .iter()
        .any(|p| b.birth_pseudonyms.contains(p))
}

/// The Dice coefficient of two names through their encodings, when one lacks a plain name.
fn redacted_names(a: &Facts, b: &Facts) -> Option<f64> {
    let (x, y) = common(a, b)?;
    kua_core::dice(x, y)
}

pub fn compare(a: &Facts, b: &Facts) -> Comparison {
    let mut reasons = Vec::new();
    let mut hard = false;
    let mut push = |feature, level, weight| {
        reasons.push(Reason {
            feature,
            level,
            weight,
        })
    };
    if let (Some(x), Some(y)) = (&a.name, &b.name) {
        if !x.is_empty() && !y.is_empty() {
            let s = if x == y { 1.0 } else { name_similarity(x, y) };
            let (level, weight) = if s >= NAME_EXACT {
                ("exact", w(0.85, 0.001))
            } else if s >= NAME_CLOSE {
                ("close", w(0.08, 0.002))
            } else if s >= NAME_NEAR {
                ("similar", w(0.03, 0.005))
            } else if s >= NAME_LOOSE {
                ("loosely_similar", w(0.02, 0.05))
            } else {
                ("differ", w(0.02, 0.943))
            };
            push(Feature::Name, level, weight);
        }
    } else if let Some(d) = redacted_names(a, b) {
        // Dice coefficients of bigram filters run lower than Jaro-Winkler for one typo;
        // the levels are set on the generated population (docs/benchmarks.md).
        let (level, weight) = if d >= 0.999 {
            ("exact", w(0.85, 0.001))
        } else if d >= DICE_CLOSE {
            ("close", w(0.08, 0.002))
        } else if d >= DICE_NEAR {
            ("similar", w(0.03, 0.005))
        } else if d >= DICE_LOOSE {
            ("loosely_similar", w(0.02, 0.05))
        } else {
            ("differ", w(0.02, 0.943))
        };
        push(Feature::Name, level, weight);
    }
    let pseudonymous =
        common(a, b).filter(|(x, y)| x.birth_year.is_some() && y.birth_year.is_some());
    match (&a.birth, &b.birth, pseudonymous) {
        (Some(x), Some(y), _) => {
            let years = (x.first.0 - y.first.0).abs();
            let (level, weight) = if x == y && x.precision == crate::Precision::Day {
                ("exact", w(0.80, 0.0003))
            } else if x.first <= y.last && y.first <= x.last {
                ("compatible", w(0.10, 0.01))
            } else if years <= 1 {
                ("within_a_year", w(0.07, 0.03))
            } else {
                hard = years >= 3;
                ("years_apart", w(0.03, 0.96))
            };
            push(Feature::BirthDate, level, weight);
        }
        (_, _, Some((x, y))) => {
            // Birth dates through pseudonyms under one key: the same day (only dates
            // written to the day have a day pseudonym), the same year, or not.
            if x.birth_date.is_some() && x.birth_date == y.birth_date {
                push(Feature::BirthDate, "exact", w(0.80, 0.0003));
            } else if x.birth_year == y.birth_year {
                // The same year, written in full in one and not the other, or a typo
                // in the day or month: what "compatible" is for plain dates.
                push(Feature::BirthDate, "compatible", w(0.15, 0.01));
            } else {
                // Another year, or a day and month swapped: no hard conflict, since
                // how far apart the dates are cannot be seen.
                push(Feature::BirthDate, "differ", w(0.08, 0.97));
            }
        }
        _ if a.birth.is_some() != b.birth.is_some() && shared_pseudonym(a, b) => {
            // A plain date and a redacted one, written alike: as exact as the plain one.
            let plain = a.birth.as_ref().or(b.birth.as_ref());
            if plain.is_some_and(|p| p.precision == crate::Precision::Day) {
                push(Feature::BirthDate, "exact", w(0.80, 0.0003));
            } else {
                push(Feature::BirthDate, "compatible", w(0.10, 0.01));
            }
        }
        _ => {
            if let (Some(x), Some(y)) = (a.age, b.age) {
                let d = (x - y).abs();
                let (level, weight) = if d <= 1.0 {
                    ("within_a_year", w(0.85, 0.08))
                } else if d <= 3.0 {
                    ("within_three_years", w(0.10, 0.10))
                } else {
                    ("differ", w(0.05, 0.82))
                };
                push(Feature::Age, level, weight);
            }
        }
    }
    if let (Some(x), Some(y)) = (&a.sex, &b.sex) {
        let known = |s: &str| s == "female" || s == "male";
        if known(x) && known(y) {
            if x == y {
                push(Feature::Sex, "same", w(0.98, 0.5));
            } else {
                hard = true;
                push(Feature::Sex, "differ", w(0.02, 0.5));
            }
        }
    }
    if let (Some(x), Some(y)) = (&a.region, &b.region) {
        if x == y {
            push(Feature::Region, "same", w(0.90, 0.30));
        } else {
            push(Feature::Region, "differ", w(0.10, 0.70));
        }
    }
    if let (Some(x), Some(y)) = (&a.events, &b.events) {
        let days = |d: (i32, u8, u8)| i64::from(d.0) * 372 + i64::from(d.1) * 31 + i64::from(d.2);
        let gap = (days(x.first) - days(y.last))
            .max(days(y.first) - days(x.last))
            .max(0);
        if gap <= 31 {
            push(Feature::EventsDate, "within_a_month", w(0.85, 0.30));
        } else {
            push(Feature::EventsDate, "months_apart", w(0.15, 0.70));
        }
    }
    if let (Some(x), Some(y)) = (&a.code, &b.code) {
        // Codes are given by each organisation: equal codes of one source say much;
        // two sources' numberings ("1", "A") say nothing of each other.
        if a.source == b.source && !x.is_empty() && x == y {
            push(Feature::PersonCode, "same", w(0.95, 0.0005));
        }
    }
    let bits: f64 = reasons.iter().map(|r| r.weight).sum::<f64>() + (PRIOR / (1.0 - PRIOR)).log2();
    let score = 1.0 / (1.0 + (-bits).exp2());
    Comparison {
        score,
        hard_conflict: hard,
        reasons,
    }
}

/// Where a candidate pair stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Band {
    /// Linked without review: a high score and no hard conflict.
    Auto,
    /// Left to a reviewer.
    Review,
    NotLinked,
}

/// Scores at or above this link automatically (with no hard conflict).
pub const AUTO: f64 = 0.99;
/// Scores at or above this go to the review queue.
pub const REVIEW: f64 = 0.10;

pub fn band(c: &Comparison) -> Band {
    // A name alone never links: an automatic link also needs the same full birth date
    // or the same person code (namesakes are common, and a year is shared by many).
    let anchored = c.reasons.iter().any(|r| {
        (r.feature == Feature::BirthDate && r.level == "exact") || r.feature == Feature::PersonCode
    });
    // Nor does a birth date without a name: two records of which one shows no name (a
    // redacted copy beside a plain one, at a coordinator without the linkage secret)
    // go to a reviewer, however much else agrees.
    let named = c.reasons.iter().any(|r| {
        (r.feature == Feature::Name && ["exact", "close", "similar"].contains(&r.level))
            || r.feature == Feature::PersonCode
    });
    if c.score >= AUTO && !c.hard_conflict && anchored && named {
        Band::Auto
    } else if c.score >= REVIEW {
        Band::Review
    } else {
        Band::NotLinked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kua_core::names::name_key;

    fn facts(name: &str, birth: &str, sex: &str, region: &str, events: &str) -> Facts {
        Facts {
            name: (!name.is_empty()).then(|| name_key(name)),
            birth: Span::parse(birth),
            age: None,
            sex: (!sex.is_empty()).then(|| sex.to_string()),
            region: (!region.is_empty()).then(|| region.to_string()),
            events: Span::parse(events),
            code: None,
            ..Facts::default()
        }
    }

    #[test]
    fn one_person_in_two_scripts_links_and_namesakes_do_not() {
        let a = facts(
            "Әлия Нұрланқызы",
            "1990-06-15",
            "female",
            "KZ-75",
            "2022-01-06",
        );
        let b = facts(
            "Aliya Nurlanqyzy",
            "1990-06-15",
            "female",
            "KZ-75",
            "2022-01",
        );
        let c = compare(&a, &b);
        assert_eq!(band(&c), Band::Auto, "{c:?}");
        assert!(c
            .reasons
            .iter()
            .any(|r| r.feature == Feature::Name && r.level == "exact"));

        // A namesake: the same name, a man born nine years later.
        let d = facts(
            "Алия Нурланкызы",
            "1999-02-01",
            "male",
            "KZ-75",
            "2022-01-06",
        );
        let c = compare(&a, &d);
        assert!(c.hard_conflict);
        assert_ne!(band(&c), Band::Auto, "{c:?}");

        // Strangers.
        let e = facts(
            "Ерлан Серікұлы",
            "1985-03-03",
            "male",
            "KZ-79",
            "2022-05-01",
        );
        assert_eq!(band(&compare(&a, &e)), Band::NotLinked);

        // The same name and events but no birth date: for a reviewer, not automatic.
        let f = facts("Нурланкызы Алия", "", "female", "KZ-75", "2022-01-07");
        let c = compare(&a, &f);
        assert_eq!(band(&c), Band::Review, "{c:?}");
        assert!(c.score > 0.1 && c.score < AUTO);
    }

    #[test]
    fn every_weight_has_its_reason_and_the_score_is_a_probability() {
        let a = facts("Асель Нурланова", "1990", "female", "KZ-75", "2022-01");
        let b = facts(
            "Nurlanova Asel",
            "1990-06-15",
            "female",
            "KZ-19",
            "2022-03-01",
        );
        let c = compare(&a, &b);
        assert!((0.0..=1.0).contains(&c.score));
        let features: Vec<Feature> = c.reasons.iter().map(|r| r.feature).collect();
        assert_eq!(
            features,
            [
                Feature::Name,
                Feature::BirthDate,
                Feature::Sex,
                Feature::Region,
                Feature::EventsDate
            ]
        );
        assert!(
            c.reasons
                .iter()
                .find(|r| r.feature == Feature::Region)
                .unwrap()
                .weight
                < 0.0
        );
    }
}
