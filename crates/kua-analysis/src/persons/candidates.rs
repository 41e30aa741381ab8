//! Candidate pairs: which records to compare, and how they compare. Comparing every
//! pair is 50 million comparisons at 10,000 records, so records are compared only
//! within blocks they share: the first three letters of a name token, a year of birth,
//! or a region with a month of the events. A pair of one person that shares no block
//! has a different name, birth year and region or month all at once; the quality
//! figures measure what blocking loses.

use super::score::{band, compare, Band, Comparison, Facts};
use crate::dates::Span;
use kua_core::names::name_key;
use kua_core::AnalysisRecord;
use serde_json::Value;
use std::collections::HashMap;

/// The first six parts of a name, each cut to 40 characters.
fn bounded(name: &str) -> String {
    name.split_whitespace()
        .take(6)
        .map(|t| t.chars().take(40).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

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
        // A name is cut to its first parts: a pasted page in the name field would
        // otherwise make blocks by the million (every pair of its parts).
        name: text("full_name")
            .filter(|n| !n.starts_with('~'))
            .map(|n| name_key(&bounded(n)))
            .filter(|k| !k.is_empty()),
        birth: text("birth_date")
            .filter(|b| !b.starts_with('~'))
            .and_then(Span::parse),
        age: record
            .fields
            .get("age")
            .and_then(Value::as_f64)
            .filter(|a| (0.0..=120.0).contains(a)),
        sex: text("gender").map(String::from),
        region: text("events_region").map(String::from),
        events: text("events_date").and_then(Span::parse),
        code: text("person_code").map(String::from),
        source: match &record.source {
            kua_core::RecordSource::Own => "own".into(),
            kua_core::RecordSource::Received { sender_key_id, .. } => sender_key_id.clone(),
        },
        // A redacted record's birth date is a pseudonym: not a date.
        encodings: record.encodings.clone(),
        birth_pseudonyms: record.birth_pseudonyms.clone(),
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
    // Two parts of the name together (a first name with a surname): a record without
    // a birth date beside one without a region still meets it here.
    for (i, p) in prefixes.iter().enumerate() {
        for q in &prefixes[i + 1..] {
            let (x, y) = if p <= q { (p, q) } else { (q, p) };
            out.push(format!("n:{x}:{y}"));
        }
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
        out.push(format!("c:{}:{c}", f.source));
    }
    // Through match keys: a redacted record meets other redacted records here, and
    // plain ones when the vault holds the linkage secret and encodes them.
    for e in &f.encodings {
        if let Some(p) = &e.birth_date {
            out.push(format!("bp:{}:{p}", e.key_id));
        }
        out.extend(filter_bands(e));
    }
    // A redacted record and a plain one, at a coordinator without the linkage secret,
    // meet only here: by the birth date as written, with the sex.
    for p in &f.birth_pseudonyms {
        out.push(format!("bq:{p}:{}", f.sex.as_deref().unwrap_or("")));
    }
    out
}

/// Locality-sensitive blocks of a redacted name's filter: the filter read at 12 fixed
/// sets of 20 bit positions. Filters of one name written two ways differ in few bits, so
/// they agree on at least one set with high probability; unrelated names rarely do. A
/// set with no bit on says nothing and makes no block.
fn filter_bands(keys: &kua_core::MatchKeys) -> Vec<String> {
    const BANDS: usize = 12;
    const WIDTH: usize = 20;
    let Some(bits) = kua_core::matchkeys::name_bits(keys) else {
        return Vec::new();
    };
    let mut rng = super::population::Rng::new(0x006b_7561_5f6c_7368);
    let mut out = Vec::with_capacity(BANDS);
    for band in 0..BANDS {
        let mut value: u32 = 0;
        for _ in 0..WIDTH {
            let pos = rng.below(bits.len() * 8);
            value = (value << 1) | u32::from(bits[pos / 8] >> (pos % 8) & 1);
        }
        if value != 0 {
            out.push(format!("h{band}:{}:{value:x}", keys.key_id));
        }
    }
    out
}

/// The largest block whose pairs are compared.
pub const MAX_BLOCK: usize = 1000;

/// Every pair that shares a block and scores at least into the review band, best first.
pub fn candidates(facts: &[Facts]) -> Vec<Candidate> {
    // Blocks by number, and each record's blocks.
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut own: Vec<Vec<u32>> = Vec::with_capacity(facts.len());
    for (i, f) in facts.iter().enumerate() {
        let mut mine: Vec<u32> = blocks(f)
            .into_iter()
            .map(|b| {
                *ids.entry(b).or_insert_with(|| {
                    members.push(Vec::new());
                    (members.len() - 1) as u32
                })
            })
            .collect();
        // Two tokens of one name may share a prefix: a record sits in a block once.
        mine.sort_unstable();
        mine.dedup();
        for &b in &mine {
            members[b as usize].push(i as u32);
        }
        own.push(mine);
    }
    drop(ids);
    // Each record is paired with the later records of its blocks, de-duplicated there
    // and then, so that no list of every pair is ever held (at 100k records it would
    // be hundreds of millions). A block of more than MAX_BLOCK records (a common first
    // name and surname in one city's January) would alone cost hundreds of thousands of
    // comparisons and tells its records apart by nothing: its pairs come only through
    // the other blocks. Records are dealt to the cores in turn, for an even share.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (members, own) = (&members, &own);
    let mut out: Vec<Candidate> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut found = Vec::new();
                    let mut later: Vec<u32> = Vec::new();
                    for a in (t..facts.len()).step_by(threads) {
                        later.clear();
                        for &block in &own[a] {
                            let m = &members[block as usize];
                            if m.len() > MAX_BLOCK {
                                continue;
                            }
                            // Members are in record order.
                            let from = m.partition_point(|&x| x as usize <= a);
                            later.extend_from_slice(&m[from..]);
                        }
                        later.sort_unstable();
                        later.dedup();
                        for &b in &later {
                            let b = b as usize;
                            let comparison = compare(&facts[a], &facts[b]);
                            let band = band(&comparison);
                            if band != Band::NotLinked {
                                found.push(Candidate {
                                    a,
                                    b,
                                    comparison,
                                    band,
                                });
                            }
                        }
                    }
                    found
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
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
