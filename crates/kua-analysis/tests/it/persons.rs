//! Counting persons over a real vault: a reviewer's decision joins two testimonies, the
//! counts follow, and a cell's drill-down lists the persons' testimonies.

use crate::fixture::world;
use kua_analysis::persons::link;
use kua_analysis::{AnalysisSet, Dimension, Query, Unit};
use kua_core::Verdict;

fn by_method(unit: Unit) -> Query {
    Query {
        by: vec![Dimension::Method],
        count: Some(unit),
        ..Query::default()
    }
}

fn count(set: &AnalysisSet, q: &Query, code: &str) -> u64 {
    let t = set.table(q, "en").unwrap();
    t.cells
        .iter()
        .find(|c| c.codes[0].as_deref() == Some(code))
        .and_then(|c| c.count)
        .unwrap()
}

#[test]
fn a_persons_cell_lists_every_testimony_of_the_persons_it_counts() {
    let mut w = world();
    let o1 = w.own[0].clone();
    // a3 (field-a, KZ-10, electric_shock only) is the only record of region KZ-10.
    let plain = AnalysisSet::build(
        w.coord
            .v
            .analysis_records(false, Some(kua_analysis::FIELDS))
            .unwrap(),
    );
    let a3 = plain
        .records(
            &Query {
                by: vec![Dimension::Region],
                ..Query::default()
            },
            &[Some("KZ-10".into())],
        )
        .unwrap()[0]
        .id
        .clone();
    w.coord
        .v
        .decide_link(&o1, &a3, Verdict::Same, None)
        .unwrap();

    let linkage = link(&mut w.coord.v).unwrap();
    assert!(linkage.unreadable_decisions.is_empty());
    let mut set = AnalysisSet::build(
        w.coord
            .v
            .analysis_records(false, Some(kua_analysis::FIELDS))
            .unwrap(),
    );
    set.link_persons(&linkage);

    // By testimony, "beating" holds o1 but not a3, which names only electric shock.
    let by_testimony = by_method(Unit::Testimonies);
    let refs = set
        .records(&by_testimony, &[Some("beating".into())])
        .unwrap();
    assert!(refs.iter().any(|r| r.id == o1));
    assert!(refs.iter().all(|r| r.id != a3 && r.person.is_none()));
    // By person, o1 and a3 are one person counted once under each method either names;
    // the drill-down of "beating" lists both of that person's testimonies, with its id.
    let by_person = by_method(Unit::Persons);
    let shock = set
        .records(&by_testimony, &[Some("electric_shock".into())])
        .unwrap()
        .len() as u64;
    assert_eq!(count(&set, &by_person, "electric_shock"), shock - 1);
    let refs = set.records(&by_person, &[Some("beating".into())]).unwrap();
    let o1_ref = refs.iter().find(|r| r.id == o1).expect("o1 listed");
    let a3_ref = refs
        .iter()
        .find(|r| r.id == a3)
        .expect("a3 listed with its person");
    let person = linkage.person_of(&o1).unwrap().id.clone();
    assert_eq!(o1_ref.person.as_deref(), Some(person.as_str()));
    assert_eq!(a3_ref.person, o1_ref.person);
    // As many persons listed as the cell counts.
    let persons: std::collections::BTreeSet<_> = refs.iter().map(|r| r.person.clone()).collect();
    assert_eq!(persons.len() as u64, count(&set, &by_person, "beating"));
    assert!(persons.iter().all(Option::is_some));
    // "Not recorded" and a code no record has work as cells too.
    let none = set.records(&by_person, &[None]).unwrap();
    assert!(none.iter().all(|r| r.id != o1 && r.id != a3));
    assert!(set
        .records(&by_person, &[Some("asphyxiation_wet".into())])
        .unwrap()
        .is_empty());
    assert!(set
        .records(&by_person, &[Some("no-such-method".into())])
        .is_err());
}
