//! Candidate pairs: which records to compare, and how they compare. Comparing every
//! pair is 50 million comparisons at 10,000 records, so records are compared only
//! within blocks they share: the first three letters of a name token, a year of birth,
//! or a region with a month of the events. A pair of one person that shares no block
//! has a different name, birth year and region or month all at once; the quality
//! figures measure what blocking loses.

use super::key::name_key;
use super::score::{band, compare, Band, Comparison, Facts};
use crate::dates::Span;
use kua_core::AnalysisRecord;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// What a record says of its person.
pub fn facts_of(record: &AnalysisRecord) -> Facts {
    let text = |k: &str| {
        record
            .fields
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    Facts {
        // A redacted record's name is a keyed pseudonym (`~` and hex): not a name.
        name: text("full_name")
            .filter(|n| !n.starts_with('~'))
            .map(name_key)
            .filter(|k| !k.is_empty()),
        birth: text("birth_date").and_then(Span::parse),
        age: record
            .fields
            .get("age")
            .and_then(Value::as_f64)
            .filter(|a| (0.0..=120.0).contains(a)),
        sex: text("gender").map(String::from),
        region: text("events_region").map(String::from),
        events: text("events_date").and_then(Span::parse),
        code: text("person_code").map(String::from),
    }
}

/// One pair of records (indices into the facts given) worth a look.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub a: usize,
    pub b: usize,
    pub comparison: Comparison,
    pub band: Band,
}

fn blocks(f: &Facts) -> Vec<String> {
    // Each block joins a name part with something else a person keeps: names alone
    // make blocks of thousands (a few dozen first names and surnames cover most of a
    // caseload), so a token's first four letters go with the birth year, or with the
    // region and month of the events.
    let mut out = Vec::new();
    let prefixes: Vec<String> = f
        .name
        .iter()
        .flat_map(|n| n.split(' '))
        .map(|t| t.chars().take(4).collect::<String>())
        .filter(|p| p.chars().count() >= 3)
        .collect();
    if let Some(name) = &f.name {
        out.push(format!("k:{name}"));
    }
    for p in &prefixes {
        if let Some(b) = &f.birth {
            out.push(format!("y:{p}:{}", b.first.0));
        }
        if let (Some(r), Some(e)) = (&f.region, &f.events) {
            out.push(format!("r:{p}:{r}:{}-{}", e.first.0, e.first.1));
        }
    }
    if let Some(c) = &f.code {
        out.push(format!("c:{c}"));
    }
    out
}

/// Every pair that shares a block and scores at least into the review band, best first.
pub fn candidates(facts: &[Facts]) -> Vec<Candidate> {
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in facts.iter().enumerate() {
        let mut own = blocks(f);
        // Two tokens of one name may share a prefix: a record sits in a block once.
        own.sort();
        own.dedup();
        for b in own {
            index.entry(b).or_default().push(i);
        }
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for members in index.values() {
        for (k, &a) in members.iter().enumerate() {
            for &b in &members[k + 1..] {
                pairs.insert((a.min(b), a.max(b)));
            }
        }
    }
    let mut out: Vec<Candidate> = pairs
        .into_iter()
        .filter_map(|(a, b)| {
            let comparison = compare(&facts[a], &facts[b]);
            let band = band(&comparison);
            (band != Band::NotLinked).then_some(Candidate {
                a,
                b,
                comparison,
                band,
            })
        })
        .collect();
    out.sort_by(|x, y| {
        y.comparison
            .score
            .total_cmp(&x.comparison.score)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, birth: &str, sex: &str) -> Facts {
        Facts {
            name: Some(name_key(name)),
            birth: Span::parse(birth),
            sex: Some(sex.into()),
            region: Some("KZ-75".into()),
            events: Span::parse("2022-01-06"),
            ..Facts::default()
        }
    }

    #[test]
    fn the_same_person_in_three_spellings_is_found_and_a_namesake_is_not_linked() {
        let facts = vec![
            f("Ерлан Серікұлы Жақсыбеков", "1988-04-02", "male"),
            f("Жаксыбеков Ерлан Серикович", "1988-04-02", "male"),
            f("Yerlan Zhaksybekov", "1988-04-02", "male"),
            f("Асель Нурланова", "1990-06-15", "female"),
            // Namesake: same names, a woman born in 1971.
            f("Ерлан Жаксыбеков", "1971-09-30", "female"),
        ];
        let c = candidates(&facts);
        // "Жақсыбеков" and "Жаксыбеков" share a block twice over: no record pairs with itself.
        assert!(c.iter().all(|c| c.a < c.b));
        let linked: Vec<(usize, usize)> = c
            .iter()
            .filter(|c| c.band == Band::Auto)
            .map(|c| (c.a, c.b))
            .collect();
        assert!(linked.contains(&(0, 1)), "{c:#?}");
        assert!(
            !linked.iter().any(|&(a, b)| a == 4 || b == 4),
            "namesake linked: {linked:?}"
        );
        assert!(
            !c.iter().any(|c| c.a == 3 || c.b == 3),
            "a stranger is a candidate"
        );
    }
}
