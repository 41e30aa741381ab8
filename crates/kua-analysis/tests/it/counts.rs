//! Counts of the known composition (see `fixture::world`), exactly.

use crate::fixture::world;
use kua_analysis::{AnalysisSet, Dimension, Query, Suppressed, Table};
use kua_core::RecordSource;

fn set(w: &mut crate::fixture::World, drafts: bool) -> AnalysisSet {
    AnalysisSet::build(
        w.coord
            .v
            .analysis_records(drafts, Some(kua_analysis::FIELDS))
            .unwrap(),
    )
}

/// `code → count` of a one-dimension table, "not recorded" as `-`, zeros left out.
fn counts(t: &Table) -> Vec<(String, u64)> {
    t.cells
        .iter()
        .filter(|c| c.count != Some(0))
        .map(|c| (c.codes[0].clone().unwrap_or("-".into()), c.count.unwrap()))
        .collect()
}

fn by(dims: &[Dimension]) -> Query {
    Query {
        by: dims.to_vec(),
        ..Query::default()
    }
}

fn pairs(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(c, n)| (c.to_string(), *n)).collect()
}

#[test]
fn every_dimension_counts_records_once_with_not_recorded_shown() {
    let mut w = world();
    let s = set(&mut w, false);
    assert_eq!(s.len(), 7);
    assert_eq!(
        (s.notes.withdrawn, s.notes.drafts, s.notes.unreadable),
        (1, 0, 0)
    );
    let t = |d| s.table(&by(&[d]), "en").unwrap();

    let region = t(Dimension::Region);
    assert_eq!(region.total, Some(7));
    assert_eq!(
        counts(&region),
        pairs(&[("KZ-10", 1), ("KZ-75", 3), ("KZ-79", 1), ("-", 2)])
    );
    // Every code of the vocabulary is a category, zero or not, and "not recorded" last.
    assert_eq!(region.cells.len(), 23);
    assert_eq!(region.axes[0].last().unwrap().label, "Not recorded");
    // Multi-valued: a record with three methods counts once under each; the total is of
    // records (7), not of answers (11).
    let method = t(Dimension::Method);
    assert_eq!(method.total, Some(7));
    assert_eq!(
        counts(&method),
        pairs(&[
            ("beating", 4),
            ("electric_shock", 4),
            ("sexual_violence", 1),
            ("burns", 2)
        ])
    );
    // Two police officers in one record count that record once.
    assert_eq!(
        counts(&t(Dimension::Agency)),
        pairs(&[("police", 1), ("knb", 2), ("-", 5)])
    );
    assert_eq!(
        counts(&t(Dimension::PlaceType)),
        pairs(&[
            ("ivs_temporary_detention", 1),
            ("sizo_pretrial", 1),
            ("-", 6)
        ])
    );
    assert_eq!(
        counts(&t(Dimension::PlaceRegion)),
        pairs(&[("KZ-75", 2), ("-", 5)])
    );
    assert_eq!(
        counts(&t(Dimension::Sex)),
        pairs(&[("female", 2), ("male", 3), ("-", 2)])
    );
    // o2's band comes from a birth date and a month of the events (31 either way).
    assert_eq!(
        counts(&t(Dimension::AgeBand)),
        pairs(&[("18-24", 1), ("25-34", 2), ("35-44", 1), ("-", 3)])
    );
    // Dates known to the year only are in the year's "month not known", not missing.
    let month = t(Dimension::Month);
    assert_eq!(
        counts(&month),
        pairs(&[("2022", 2), ("2022-01", 4), ("2022-02", 1)])
    );
    assert_eq!(month.axes[0][0].label, "2022, month not known");
    let source = t(Dimension::Source);
    assert_eq!(source.axes[0][0].code.as_deref(), Some("own"));
    assert_eq!(source.axes[0][1].label, "@field-b");
    assert_eq!(source.axes[0][2].label, "field-a");
    let n: Vec<u64> = source.cells.iter().map(|c| c.count.unwrap()).collect();
    assert_eq!(n, [3, 1, 3, 0]);
}

#[test]
fn a_cross_tab_filters_and_a_date_range_count_exactly() {
    let mut w = world();
    let s = set(&mut w, false);
    let t = s
        .table(&by(&[Dimension::Region, Dimension::Sex]), "kk")
        .unwrap();
    let cell = |r: Option<&str>, x: Option<&str>| {
        t.cells
            .iter()
            .find(|c| c.codes[0].as_deref() == r && c.codes[1].as_deref() == x)
            .unwrap()
            .count
            .unwrap()
    };
    assert_eq!(cell(Some("KZ-75"), Some("male")), 2);
    assert_eq!(cell(Some("KZ-75"), Some("female")), 1);
    assert_eq!(cell(Some("KZ-79"), Some("female")), 1);
    assert_eq!(cell(Some("KZ-10"), Some("male")), 1);
    assert_eq!(cell(None, None), 2);
    assert_eq!(t.cells.iter().map(|c| c.count.unwrap()).sum::<u64>(), 7);
    assert_eq!(
        t.axes[0]
            .iter()
            .find(|c| c.code.as_deref() == Some("KZ-75"))
            .unwrap()
            .label,
        "Алматы қаласы"
    );

    let mut q = by(&[Dimension::Method]);
    q.add_filter("source=own").unwrap();
    q.add_filter("region=KZ-75").unwrap();
    q.add_filter("region=not_recorded").unwrap();
    let t = s.table(&q, "en").unwrap();
    assert_eq!(t.total, Some(2)); // o1 and o5
    assert_eq!(
        counts(&t),
        pairs(&[("beating", 1), ("electric_shock", 1), ("burns", 1)])
    );

    let q = Query {
        by: vec![Dimension::Region],
        from: Some("2022-01-01".into()),
        to: Some("2022-01".into()),
        ..Query::default()
    };
    let t = s.table(&q, "en").unwrap();
    // o1, o2 (January), a1, b1 in; a2 (February) out; o5 and a3 (only "2022") cannot be
    // placed and are reported, not counted.
    assert_eq!(t.total, Some(4));
    assert_eq!((t.excluded.imprecise, t.excluded.no_date), (2, 0));

    let mut q = by(&[]);
    assert!(q.add_filter("region=KZ-99").is_ok());
    assert_eq!(s.table(&q, "en").unwrap_err().code(), "unknown_code");
    assert_eq!(
        q.add_filter("nowhere=1").unwrap_err().code(),
        "unknown_dimension"
    );
    assert_eq!(q.add_filter("region").unwrap_err().code(), "bad_filter");
    let q = Query {
        from: Some("2022-13".into()),
        ..Query::default()
    };
    assert_eq!(s.table(&q, "en").unwrap_err().code(), "bad_date");
}

#[test]
fn drafts_on_request_and_drill_down_to_the_right_records() {
    let mut w = world();
    let s = set(&mut w, true);
    assert_eq!((s.len(), s.notes.drafts), (8, 1));
    let t = s.table(&by(&[Dimension::Region]), "en").unwrap();
    assert_eq!(counts(&t)[1], ("KZ-75".to_string(), 4));
    let q = Query {
        from: Some("2022".into()),
        ..by(&[])
    };
    assert_eq!(s.table(&q, "en").unwrap().excluded.no_date, 1);

    let s = set(&mut w, false);
    let refs = s
        .records(&by(&[Dimension::Region]), &[Some("KZ-75".into())])
        .unwrap();
    assert_eq!(refs.len(), 3);
    assert!(refs
        .iter()
        .any(|r| r.id == w.own[0] && r.source == RecordSource::Own && r.version == 1));
    assert_eq!(
        refs.iter()
            .filter(|r| matches!(r.source, RecordSource::Received { .. }))
            .count(),
        2
    );
    // The amended record counts at its latest sealed version, under its new region.
    let refs = s
        .records(&by(&[Dimension::Region]), &[Some("KZ-79".into())])
        .unwrap();
    assert_eq!(
        (refs[0].id.as_str(), refs[0].version),
        (w.own[1].as_str(), 2)
    );
    let refs = s
        .records(&by(&[Dimension::Region, Dimension::Sex]), &[None, None])
        .unwrap();
    assert_eq!(refs.len(), 2);
    // The withdrawn testimony is in no cell.
    for c in s.table(&by(&[Dimension::Source]), "en").unwrap().cells {
        for r in s.records(&by(&[Dimension::Source]), &c.codes).unwrap() {
            assert_ne!(r.id, w.own[3]);
        }
    }
}

/// Checks that no published line of a table has exactly one withheld figure, so none
/// can be worked out by subtraction.
fn assert_unrecoverable(t: &Table) {
    let hidden = |c: Option<u64>| c.is_none() as usize;
    match t.by.len() {
        1 => {
            let n: usize = t.cells.iter().map(|c| hidden(c.count)).sum::<usize>() + hidden(t.total);
            assert_ne!(n, 1, "one withheld figure on the table's line");
        }
        2 => {
            let (rows, cols) = (t.axes[0].len(), t.axes[1].len());
            for i in 0..rows {
                let n: usize = (0..cols)
                    .map(|j| hidden(t.cells[i * cols + j].count))
                    .sum::<usize>()
                    + hidden(t.axes[0][i].count);
                assert_ne!(n, 1, "row {i}");
            }
            for j in 0..cols {
                let n: usize = (0..rows)
                    .map(|i| hidden(t.cells[i * cols + j].count))
                    .sum::<usize>()
                    + hidden(t.axes[1][j].count);
                assert_ne!(n, 1, "column {j}");
            }
            for a in &t.axes {
                let n: usize = a.iter().map(|c| hidden(c.count)).sum::<usize>() + hidden(t.total);
                assert_ne!(n, 1, "margins");
            }
        }
        _ => {}
    }
}

#[test]
fn published_counts_withhold_small_cells_so_that_totals_do_not_give_them_back() {
    let mut w = world();
    let s = set(&mut w, false);
    for dims in [
        vec![Dimension::Region],
        vec![Dimension::Method],
        vec![Dimension::Month],
        vec![Dimension::Sex],
    ] {
        let q = Query {
            public: true,
            ..by(&dims)
        };
        let t = s.table(&q, "ru").unwrap();
        for c in &t.cells {
            assert!(c.count.is_none_or(|n| n == 0 || n >= 5), "{dims:?}: {c:?}");
        }
        assert_unrecoverable(&t);
        // o5's consent covers storing only: it is in no published figure.
        assert_eq!(t.excluded.consent, 1);
    }
    // Region: 3, 1, 1, 1 of 6 publishable records: every non-zero count is under five.
    let t = s
        .table(
            &Query {
                public: true,
                ..by(&[Dimension::Region])
            },
            "en",
        )
        .unwrap();
    assert_eq!(t.total, Some(6));
    assert_eq!(
        t.cells
            .iter()
            .filter(|c| c.withheld == Some(Suppressed::Small))
            .count(),
        4
    );
    // Without public nothing is withheld, and o5 counts.
    let t = s.table(&by(&[Dimension::Region]), "en").unwrap();
    assert!(t.cells.iter().all(|c| c.count.is_some()) && t.total == Some(7));

    // What a published figure may not be: filtered, dated, by sender, a cross-tab, with
    // drafts; any could be set beside another table and differenced.
    let mut filtered = Query {
        public: true,
        ..by(&[Dimension::Region])
    };
    filtered.add_filter("sex=male").unwrap();
    let dated = Query {
        public: true,
        from: Some("2022".into()),
        ..by(&[Dimension::Region])
    };
    let cross = Query {
        public: true,
        ..by(&[Dimension::Region, Dimension::Sex])
    };
    let sender = Query {
        public: true,
        ..by(&[Dimension::Source])
    };
    // A year is the sum of its months: beside the month table it would give one back.
    let year = Query {
        public: true,
        ..by(&[Dimension::Year])
    };
    for q in [filtered, dated, cross, sender, year] {
        assert_eq!(
            s.table(&q, "en").unwrap_err().code(),
            "public_selection",
            "{q:?}"
        );
    }
    let drafts = set(&mut w, true);
    let q = Query {
        public: true,
        ..by(&[Dimension::Region])
    };
    assert_eq!(
        drafts.table(&q, "en").unwrap_err().code(),
        "public_selection"
    );
}

/// A count withheld only as a complement says so: it is no small number.
#[test]
fn a_complement_is_marked_as_withheld_for_the_others_sake() {
    use kua_core::model::{ConsentScope, Status};
    use kua_core::{AnalysisRecord, AnalysisRecords};
    let consent = crate::fixture::consent(&[ConsentScope::Store, ConsentScope::Coalition]);
    let record = |i: usize, sex: Option<&str>| AnalysisRecord {
        id: format!("r{i}"),
        version: 1,
        source: RecordSource::Own,
        status: Status::Sealed,
        template: "istanbul-2022".into(),
        template_version: 2,
        language: "ru".into(),
        consent: Some(consent.clone()),
        fields: sex
            .map(|s| {
                [("gender".to_string(), serde_json::json!(s))]
                    .into_iter()
                    .collect()
            })
            .unwrap_or_default(),
        encodings: Vec::new(),
        birth_pseudonyms: Vec::new(),
    };
    let mut records = Vec::new();
    records.extend((0..12).map(|i| record(i, Some("female"))));
    records.extend((12..52).map(|i| record(i, Some("male"))));
    records.extend((52..55).map(|i| record(i, None)));
    let s = AnalysisSet::build(AnalysisRecords {
        records,
        ..Default::default()
    });
    let t = s
        .table(
            &Query {
                public: true,
                ..by(&[Dimension::Sex])
            },
            "en",
        )
        .unwrap();
    let of = |code: Option<&str>| {
        t.cells
            .iter()
            .find(|c| c.codes[0].as_deref() == code)
            .unwrap()
    };
    assert_eq!(
        (of(None).count, of(None).withheld),
        (None, Some(Suppressed::Small))
    );
    // Female (12) is the smallest other count: withheld with it, and marked as such.
    assert_eq!(
        (of(Some("female")).count, of(Some("female")).withheld),
        (None, Some(Suppressed::Complement))
    );
    assert_eq!(of(Some("male")).count, Some(40));
    assert_eq!(t.total, Some(55));
    assert_unrecoverable(&t);
}

#[test]
fn places_regions_and_types_are_not_paired_and_ranges_run_forward() {
    let mut w = world();
    let s = set(&mut w, false);
    let cross = by(&[Dimension::PlaceRegion, Dimension::PlaceType]);
    assert_eq!(s.table(&cross, "en").unwrap_err().code(), "same_list");
    let mut q = by(&[Dimension::PlaceType]);
    q.add_filter("place_region=KZ-75").unwrap();
    assert_eq!(s.table(&q, "en").unwrap_err().code(), "same_list");
    let q = Query {
        from: Some("2022-02".into()),
        to: Some("2022-01".into()),
        ..by(&[])
    };
    assert_eq!(s.table(&q, "en").unwrap_err().code(), "bad_range");
}

/// Building the analysis set and counting put nothing readable on disk: the vault, its
/// WAL and shared memory hold no name, code or label of a record afterwards.
#[test]
fn counting_leaves_no_plaintext_on_disk() {
    let mut w = world();
    let s = set(&mut w, true);
    for d in Dimension::ALL {
        s.table(&by(&[d]), "kk").unwrap();
    }
    let path = w.coord.dir.path().join("vault.kua");
    let mut seen = 0;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let Ok(bytes) = std::fs::read(format!("{}{suffix}", path.display())) else {
            continue;
        };
        seen += 1;
        for needle in [
            crate::fixture::CANARY,
            "KZ-75",
            "electric_shock",
            "sexual_violence",
            "2022-01-06",
        ] {
            for form in [
                needle.as_bytes().to_vec(),
                needle.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            ] {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form.as_slice()),
                    "{needle} in vault{suffix}"
                );
            }
        }
    }
    assert!(seen >= 1);
    // Nothing else was written beside the vault.
    let names: Vec<String> = std::fs::read_dir(w.coord.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("vault.kua") || n == "out.kua"),
        "{names:?}"
    );
}

/// A dashboard's tables at once are the tables one by one.
#[test]
fn tables_at_once_equal_tables_one_by_one() {
    let mut w = world();
    let s = set(&mut w, false);
    let mut queries: Vec<Query> = Dimension::ALL
        .into_iter()
        .filter(|d| *d != Dimension::PlaceType)
        .map(|d| {
            let mut q = by(&[d]);
            q.add_filter("region=KZ-75").unwrap();
            q
        })
        .collect();
    queries.push(by(&[Dimension::Region, Dimension::Sex]));
    queries.push(Query {
        public: true,
        ..by(&[Dimension::Method])
    });
    let at_once = s.tables(&queries, "ru").unwrap();
    for (q, t) in queries.iter().zip(&at_once) {
        assert_eq!(&s.table(q, "ru").unwrap(), t, "{q:?}");
    }
    assert_eq!(at_once.len(), queries.len());
}

/// Consent rows that no longer open (damaged, or put back from elsewhere) take their
/// testimonies out of the counts: a withdrawal may be among them. Each is reported
/// once.
#[test]
fn testimonies_whose_consent_does_not_open_are_left_out_and_reported_once() {
    let mut w = world();
    w.coord.v.lock().unwrap();
    let path = w.coord.dir.path().join("vault.kua");
    let db = rusqlite::Connection::open(&path).unwrap();
    let n = db
        .execute("UPDATE consent SET head = randomblob(length(head))", [])
        .unwrap();
    assert_eq!(n, 5); // o1 to o5, the draft's included
    drop(db);
    w.coord
        .v
        .unlock(&secrecy::SecretString::from("pass phrase"))
        .unwrap();
    let s = set(&mut w, false);
    // Only the four received records are left; the five rows are named once each.
    assert_eq!(s.len(), 4);
    assert_eq!(s.notes.unreadable, 5);
    let t = s.table(&by(&[Dimension::Source]), "en").unwrap();
    assert_eq!(
        t.cells[0].count,
        Some(0),
        "own testimonies counted without their consent"
    );
}

/// A testimony whose records do not fit together (here both ways: an old consent
/// record put back beside the withdrawal that replaced it, and its middle version
/// removed) is left out of every count and of the dataset, and named once as such: not
/// as unreadable, and not as withdrawn either, since which of its two consents stands
/// is what is in doubt.
#[test]
fn a_testimony_whose_records_do_not_fit_together_is_left_out_and_named_apart() {
    let mut w = world();
    let o1 = w.own[0].clone();
    let path = w.coord.dir.path().join("vault.kua");
    let rows = |table: &str| -> Vec<(String, Vec<u8>, Vec<u8>)> {
        let db = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = db
            .prepare(&format!("SELECT id, head, body FROM {table}"))
            .unwrap();
        let out = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        out
    };
    let new_in = |before: &[(String, Vec<u8>, Vec<u8>)], after: &[(String, Vec<u8>, Vec<u8>)]| {
        after
            .iter()
            .filter(|(id, ..)| !before.iter().any(|(b, ..)| b == id))
            .cloned()
            .collect::<Vec<_>>()
    };
    let pass = secrecy::SecretString::from("pass phrase");
    let amend = |w: &mut crate::fixture::World, text: &str| {
        w.coord
            .v
            .amend(
                &o1,
                &kua_core::model::TestimonyInput {
                    narrative: Some(text.into()),
                    reason: Some("уточнение".into()),
                    ..Default::default()
                },
            )
            .unwrap();
    };
    w.coord.v.lock().unwrap();
    let consents_before = rows("consent");
    let versions_before = rows("testimony");
    w.coord.v.unlock(&pass).unwrap();
    amend(&mut w, "версия 2");
    w.coord.v.lock().unwrap();
    let second = new_in(&versions_before, &rows("testimony"));
    assert_eq!(second.len(), 1, "one amendment, one version row");
    w.coord.v.unlock(&pass).unwrap();
    amend(&mut w, "версия 3");
    // Withdrawn last: an amendment is refused once consent is withdrawn.
    let mut withdrawn = w.coord.v.show(&o1, None).unwrap().consent.unwrap();
    withdrawn.withdrawn_at = Some("2022-03-01".into());
    w.coord.v.set_consent(&o1, &withdrawn).unwrap();
    w.coord.v.lock().unwrap();
    // The row the consent change replaced: in the file before, gone after.
    let put_back = new_in(&rows("consent"), &consents_before);
    assert_eq!(put_back.len(), 1, "the consent change replaced one row");
    let db = rusqlite::Connection::open(&path).unwrap();
    for (id, head, body) in &put_back {
        db.execute(
            "INSERT INTO consent (id, head, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![id, head, body],
        )
        .unwrap();
    }
    let removed = db
        .execute("DELETE FROM testimony WHERE id = ?1", [&second[0].0])
        .unwrap();
    assert_eq!(removed, 1);
    drop(db);
    w.coord.v.unlock(&pass).unwrap();

    let records = w
        .coord
        .v
        .analysis_records(false, Some(kua_analysis::FIELDS))
        .unwrap();
    assert_eq!(records.unreadable, Vec::<String>::new());
    assert_eq!(records.inconsistent.len(), 1, "{:?}", records.inconsistent);
    // One line for the testimony, with both things wrong with it.
    let line = &records.inconsistent[0];
    assert!(line.starts_with(&format!("testimony {o1}: ")), "{line}");
    assert!(line.contains("two consent records"), "{line}");
    assert!(line.contains("versions are not 1..n"), "{line}");
    assert!(!records.records.iter().any(|r| r.id == o1));
    let out = tempfile::tempdir().unwrap();
    let report = kua_analysis::export_dataset(
        &records,
        &out.path().join("ds"),
        kua_analysis::DatasetFormat::Csv,
        "en",
    )
    .unwrap();
    assert_eq!(
        (report.records, report.unreadable, report.inconsistent),
        (5, 0, 1),
        "o1 left the six exported records"
    );
    let s = AnalysisSet::build(records);
    // Seven records without it are six; o4 stays the one withdrawal.
    assert_eq!(s.len(), 6);
    assert_eq!(
        (
            s.notes.withdrawn,
            s.notes.unreadable,
            s.notes.inconsistent,
            s.notes.drafts
        ),
        (1, 0, 1, 0)
    );
    assert_eq!(
        s.table(&by(&[Dimension::Region]), "en").unwrap().total,
        Some(6)
    );
}

#[test]
fn injuries_count_each_record_once_per_region_and_type_with_no_mark_apart_from_not_recorded() {
    use crate::fixture::{party, sealed, SHARE};
    use serde_json::json;
    let mut p = party(7);
    let mark = |n: u32, region: &str, lesion: &str| json!({"n": n, "view": "front", "region": region, "x": 0.5, "y": 0.3, "lesion": lesion});
    // Three marks, two on one forearm and two bruises: one record under each.
    let t1 = sealed(
        &mut p,
        json!({"injury_map": {"marks": [
            mark(1, "forearm_left", "bruise"), mark(2, "chest_left", "bruise"),
            mark(3, "forearm_left", "abrasion")]}}),
        SHARE,
    );
    // Examined and nothing found: a finding.
    let t2 = sealed(
        &mut p,
        json!({"injury_map": {"regions": {"chest_left": "examined", "groin": "declined"}}}),
        SHARE,
    );
    // No map; and a map where the only region was declined: not recorded, both.
    sealed(&mut p, json!({}), SHARE);
    sealed(
        &mut p,
        json!({"injury_map": {"regions": {"groin": "declined"}}}),
        SHARE,
    );
    let s = AnalysisSet::build(
        p.v.analysis_records(false, Some(kua_analysis::FIELDS))
            .unwrap(),
    );
    let region = s.table(&by(&[Dimension::InjuryRegion]), "ru").unwrap();
    assert_eq!(region.total, Some(4));
    assert_eq!(
        counts(&region),
        pairs(&[
            ("chest_left", 1),
            ("forearm_left", 1),
            ("no_mark", 1),
            ("-", 2)
        ])
    );
    // Every region of the atlas is a category, with zeros, then "no mark", then
    // "not recorded".
    let atlas = kua_core::body::atlas();
    assert_eq!(region.cells.len(), atlas.regions.len() + 2);
    let labels: Vec<&str> = region.axes[0].iter().map(|c| c.label.as_str()).collect();
    assert!(labels.contains(&"левое предплечье"), "{labels:?}");
    assert_eq!(
        labels[labels.len() - 2],
        "Осмотрен(а), повреждений не отмечено"
    );
    let lesion = s.table(&by(&[Dimension::LesionType]), "en").unwrap();
    assert_eq!(
        counts(&lesion),
        pairs(&[("bruise", 1), ("abrasion", 1), ("no_mark", 1), ("-", 2)])
    );
    assert_eq!(lesion.cells.len(), atlas.lesions.len() + 2);
    // A draft's mark placed but not yet described is an injury marked, of a type not
    // recorded: never "examined, no injury marked".
    let draft = crate::fixture::input(
        json!({"injury_map": {"marks": [{"n": 1, "view": "front", "region": "knee_left", "x": 0.58, "y": 0.7}],
               "regions": {"knee_left": "examined"}}}),
        SHARE,
    );
    p.v.add(&draft).unwrap();
    let with_drafts = AnalysisSet::build(
        p.v.analysis_records(true, Some(kua_analysis::FIELDS))
            .unwrap(),
    );
    let lesion = with_drafts
        .table(&by(&[Dimension::LesionType]), "en")
        .unwrap();
    assert_eq!(
        counts(&lesion),
        pairs(&[("bruise", 1), ("abrasion", 1), ("no_mark", 1), ("-", 3)])
    );
    let region = with_drafts
        .table(&by(&[Dimension::InjuryRegion]), "en")
        .unwrap();
    assert_eq!(
        counts(&region),
        pairs(&[
            ("chest_left", 1),
            ("forearm_left", 1),
            ("knee_left", 1),
            ("no_mark", 1),
            ("-", 2)
        ])
    );
    // One record's regions and another's lesion types are never paired, in a cross-tab
    // or through a filter.
    let paired = s.table(&by(&[Dimension::InjuryRegion, Dimension::LesionType]), "en");
    assert!(
        matches!(paired, Err(kua_analysis::Error::SameList)),
        "{paired:?}"
    );
    let filtered = Query {
        by: vec![Dimension::InjuryRegion],
        filters: vec![kua_analysis::Filter {
            dimension: Dimension::LesionType,
            codes: vec![Some("bruise".into())],
        }],
        ..Query::default()
    };
    assert!(matches!(
        s.table(&filtered, "en"),
        Err(kua_analysis::Error::SameList)
    ));

    // The same person, examined once with injuries and once without: injured, counted
    // once, and not also "examined, no injury marked".
    p.v.decide_link(&t1, &t2, kua_core::Verdict::Same, None)
        .unwrap();
    let linkage = kua_analysis::persons::link(&mut p.v).unwrap();
    let mut s = AnalysisSet::build(
        p.v.analysis_records(false, Some(kua_analysis::FIELDS))
            .unwrap(),
    );
    s.link_persons(&linkage);
    let persons = Query {
        by: vec![Dimension::InjuryRegion],
        count: Some(kua_analysis::Unit::Persons),
        ..Query::default()
    };
    let region = s.table(&persons, "en").unwrap();
    assert_eq!(region.total, Some(3));
    assert_eq!(
        counts(&region),
        pairs(&[("chest_left", 1), ("forearm_left", 1), ("-", 2)])
    );
}
