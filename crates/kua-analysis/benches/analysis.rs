//! The coordinator analysis at 10k and 100k testimonies, each figure beside a reference
//! measured in the same run: the same counts by GROUP BY queries on a plaintext SQLite
//! database of the same rows.
//!
//!     cargo bench -p kua-analysis --bench analysis        # 10k and 100k (about 6 minutes)
//!
//! KUA_BENCH_ANALYSIS sets the sizes (default "10000,100000"). Figures and their reading:
//! docs/benchmarks.md, "Coordinator analysis".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kua_analysis::{export_dataset, AnalysisSet, DatasetFormat, Dimension, Filter, Query};
use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, KdfParams, Seams, Vault};
use rand_core::{RngCore, SeedableRng};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const REGIONS: &[&str] = &[
    "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39",
    "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79",
];
const METHODS: &[&str] = &[
    "beating",
    "kicking",
    "blunt_objects",
    "positional",
    "suspension",
    "electric_shock",
    "asphyxiation_dry",
    "sexual_violence",
    "threats_to_self",
    "humiliation",
    "sleep_deprivation",
    "forced_confession",
];
const AGENCIES: &[&str] = &["police", "national_guard", "knb", "military", "unknown"];
const SEXES: &[&str] = &["female", "male", "other", "not_stated"];

/// A reference row: region, sex, age band, month.
type Row4 = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn main() {
    let sizes: Vec<usize> = std::env::var("KUA_BENCH_ANALYSIS")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = tempfile::Builder::new()
        .prefix("kua-bench-analysis")
        .tempdir_in(target_dir())
        .unwrap();
    println!(
        "kua analysis benchmarks ({} cores); working in {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        dir.path().display()
    );
    if std::env::var_os("KUA_BENCH_ONLY_PERSONS").is_none() {
        for n in sizes {
            run(dir.path(), n);
        }
    }
    persons();
}

/// Person linkage (issue #12, in progress): quality on a generated population of 2,000
/// persons, and the time to produce candidates at about 10k and 100k records.
fn persons() {
    use kua_analysis::persons::{candidates::candidates, population::Population, quality::measure};
    let pop = Population::generate(2000, 11);
    let t = Instant::now();
    let q = measure(&pop);
    println!(
        "\n== persons: {} records of 2,000 persons ({} true pairs): automatic links {} precision {:.3}, recall with review {:.3}, review queue {}; exact names precision {:.3} recall {:.3} ({})",
        q.records, q.true_pairs, q.auto_links, q.precision, q.recall, q.review_queue, q.baseline_precision, q.baseline_recall, ms(t.elapsed())
    );
    let key = kua_core::crypto::Key::from_slice(&[9; 32]).expect("key");
    let t = Instant::now();
    let q = measure(&pop.redacted(&key));
    println!(
        "  the same records redacted (names as match keys, birth dates as pseudonyms): automatic links {} precision {:.3}, recall with review {:.3}, review queue {}; exact pseudonyms precision {:.3} recall {:.3} ({})",
        q.auto_links, q.precision, q.recall, q.review_queue, q.baseline_precision, q.baseline_recall, ms(t.elapsed())
    );
    for (held, who) in [(true, "holds"), (false, "does not hold")] {
        let t = Instant::now();
        let q = measure(&pop.partly_redacted(&key, 33, held));
        println!(
            "  a third of them redacted, the rest plain, at a coordinator who {who} the linkage secret: automatic links {} precision {:.3}, recall with review {:.3}, review queue {} ({})",
            q.auto_links, q.precision, q.recall, q.review_queue, ms(t.elapsed())
        );
    }
    for persons in [6_700, 67_000] {
        let pop = Population::generate(persons, 12);
        let before = reset_peak();
        let t = Instant::now();
        let c = candidates(&pop.facts);
        let took = t.elapsed();
        let peak = peak_mib();
        let q = measure(&pop);
        println!(
            "  candidates for {} records: {} pairs in {} (peak memory {:.0} MiB, of which {:.0} MiB held before); precision {:.3}, recall with review {:.3}, review queue {}",
            pop.facts.len(),
            c.len(),
            ms(took),
            peak,
            before,
            q.precision,
            q.recall,
            q.review_queue
        );
    }
}

/// Resets the process's peak resident size (Linux: `5` to /proc/self/clear_refs) and
/// returns the resident size now, in MiB.
fn reset_peak() -> f64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_mib("VmRSS:")
}

/// The peak resident size since the last reset, in MiB.
fn peak_mib() -> f64 {
    status_mib("VmHWM:")
}

fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KUA_BENCH_DIR") {
        return PathBuf::from(dir);
    }
    std::env::current_exe()
        .unwrap()
        .ancestors()
        .nth(3)
        .unwrap()
        .to_path_buf()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn p95(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn pick<'a>(rng: &mut impl RngCore, from: &[&'a str]) -> &'a str {
    from[(rng.next_u32() as usize) % from.len()]
}

/// One synthetic record's coded fields (some left out: "not recorded" is common).
fn fields(rng: &mut impl RngCore) -> Value {
    let mut f = serde_json::Map::new();
    if !rng.next_u32().is_multiple_of(10) {
        f.insert("events_region".into(), json!(pick(rng, REGIONS)));
    }
    let k = 1 + rng.next_u32() % 4;
    let mut methods: Vec<&str> = (0..k).map(|_| pick(rng, METHODS)).collect();
    methods.dedup();
    f.insert("methods".into(), json!(methods));
    if !rng.next_u32().is_multiple_of(8) {
        f.insert("gender".into(), json!(pick(rng, SEXES)));
    }
    if !rng.next_u32().is_multiple_of(3) {
        f.insert("age".into(), json!(16 + rng.next_u32() % 60));
    }
    let month = 1 + rng.next_u32() % 12;
    let date = match rng.next_u32() % 6 {
        0 => "2022".to_string(),
        1 => format!("2022-{month:02}"),
        _ => format!("2022-{month:02}-{:02}", 1 + rng.next_u32() % 28),
    };
    f.insert("events_date".into(), json!(date));
    let perps: Vec<Value> = (0..rng.next_u32() % 4)
        .map(|_| json!({"perp_agency": pick(rng, AGENCIES)}))
        .collect();
    f.insert("perpetrators".into(), json!(perps));
    f.insert("interview_place".into(), json!("Алматы"));
    Value::Object(f)
}

fn narrative(rng: &mut impl RngCore) -> String {
    const WORDS: &[&str] = &[
        "задержан",
        "больница",
        "избивали",
        "изолятор",
        "следователь",
        "ұсталды",
        "аурухана",
        "тергеуші",
        "камера",
        "ночью",
    ];
    let mut s = String::new();
    while s.len() < 1536 {
        s.push_str(pick(rng, WORDS));
        s.push(' ');
    }
    s
}

/// The plaintext reference: the same rows in SQLite, one table per entity.
fn reference(rows: &[Value]) -> rusqlite::Connection {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, region TEXT, sex TEXT, age_band TEXT, month TEXT);
         CREATE TABLE m (id INTEGER, method TEXT);
         CREATE TABLE p (id INTEGER, agency TEXT);",
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    for (i, f) in rows.iter().enumerate() {
        let s = |k: &str| f.get(k).and_then(Value::as_str).map(String::from);
        let band = f.get("age").and_then(Value::as_u64).map(|a| match a {
            0..=17 => "0-17",
            18..=24 => "18-24",
            25..=34 => "25-34",
            35..=44 => "35-44",
            45..=54 => "45-54",
            55..=64 => "55-64",
            _ => "65+",
        });
        let month = s("events_date")
            .filter(|d| d.len() >= 7)
            .map(|d| d[..7].to_string());
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![i as i64, s("events_region"), s("gender"), band, month],
        )
        .unwrap();
        for m in f["methods"].as_array().unwrap() {
            tx.execute(
                "INSERT INTO m VALUES (?1, ?2)",
                rusqlite::params![i as i64, m.as_str()],
            )
            .unwrap();
        }
        for p in f["perpetrators"].as_array().unwrap() {
            tx.execute(
                "INSERT INTO p VALUES (?1, ?2)",
                rusqlite::params![i as i64, p["perp_agency"].as_str()],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    db
}

/// The dashboard's six charts for one filter (sex = `sex`), as GROUP BY queries.
fn reference_refresh(db: &rusqlite::Connection, sex: &str) -> usize {
    let queries = [
        "SELECT region, count(*) FROM t WHERE sex = ?1 GROUP BY region",
        "SELECT sex, count(*) FROM t WHERE sex = ?1 GROUP BY sex",
        "SELECT age_band, count(*) FROM t WHERE sex = ?1 GROUP BY age_band",
        "SELECT month, count(*) FROM t WHERE sex = ?1 GROUP BY month",
        "SELECT m.method, count(DISTINCT m.id) FROM m JOIN t ON t.id = m.id WHERE t.sex = ?1 GROUP BY m.method",
        "SELECT p.agency, count(DISTINCT t.id) FROM t LEFT JOIN p ON p.id = t.id WHERE t.sex = ?1 GROUP BY p.agency",
    ];
    let mut n = 0;
    for q in queries {
        let mut stmt = db.prepare_cached(q).unwrap();
        let rows: Vec<(Option<String>, i64)> = stmt
            .query_map([sex], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        n += rows.len();
    }
    n
}

fn dashboard(sex: &str) -> Vec<Query> {
    [
        Dimension::Region,
        Dimension::Sex,
        Dimension::AgeBand,
        Dimension::Month,
        Dimension::Method,
        Dimension::Agency,
    ]
    .into_iter()
    .map(|d| Query {
        by: vec![d],
        filters: vec![Filter {
            dimension: Dimension::Sex,
            codes: vec![Some(sex.to_string())],
        }],
        ..Query::default()
    })
    .collect()
}

fn run(dir: &Path, n: usize) {
    println!("\n== {n} testimonies (1.5 KB narratives, coded fields)");
    let path = dir.join(format!("a{n}.kua"));
    let opts = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let seams = |s| {
        Seams::new(
            Box::new(kua_core::SystemClock),
            Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(s)),
        )
    };
    let pass = SecretString::from("benchmark passphrase");
    let (mut v, _) = Vault::create(&path, &pass, opts, seams(1)).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
    let consent = Consent {
        given_at: "2022-01-20".into(),
        method: ConsentMethod::Oral,
        recorded_by: None,
        scope: [ConsentScope::Store, ConsentScope::Coalition]
            .into_iter()
            .collect(),
        anonymous: false,
        conditions: None,
        withdrawn_at: None,
    };
    let mut all = Vec::with_capacity(n);
    for _ in 0..n.div_ceil(5000) {
        let inputs: Vec<TestimonyInput> = (0..5000.min(n - all.len()))
            .map(|_| {
                let f = fields(&mut rng);
                all.push(f.clone());
                TestimonyInput {
                    narrative: Some(narrative(&mut rng)),
                    fields: Some(serde_json::from_value(f).unwrap()),
                    consent: Some(consent.clone()),
                    ..Default::default()
                }
            })
            .collect();
        v.add_many(&inputs).unwrap();
    }
    drop(v);
    let db = reference(&all);

    // Build: decrypt every record's latest version and reduce it to codes. (The
    // synthetic records are drafts, so the drafts path is measured: it reads one
    // version per record, as the sealed path does for records sealed once.)
    let mut v = Vault::open(&path, seams(3)).unwrap();
    let t = Instant::now();
    v.unlock(&pass).unwrap();
    let unlock = t.elapsed();
    // Best of three (the first also warms SQLite's page cache, as an unlock does).
    let (mut read, mut build) = (Duration::MAX, Duration::MAX);
    let mut set = None;
    for _ in 0..3 {
        let t = Instant::now();
        let r = v
            .analysis_records(true, Some(kua_analysis::FIELDS))
            .unwrap();
        read = read.min(t.elapsed());
        let t = Instant::now();
        let s = AnalysisSet::build(r);
        build = build.min(t.elapsed());
        set = Some(s);
    }
    let set = set.unwrap();
    let t = Instant::now();
    let records = v.analysis_records(true, None).unwrap();
    let read_all = t.elapsed();
    let t = Instant::now();
    let mut stmt = db
        .prepare("SELECT region, sex, age_band, month FROM t")
        .unwrap();
    let loaded: Vec<Row4> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let ref_load = t.elapsed();
    std::hint::black_box(loaded);
    drop(stmt);
    println!(
        "  unlock (fast test KDF) {}; analysis set: decrypt + decode {} + reduce to codes {} = {} (reading the same rows from plaintext SQLite: {}); every field, for a dataset: {}",
        ms(unlock), ms(read), ms(build), ms(read + build), ms(ref_load), ms(read_all)
    );

    // A dashboard refresh: six charts under one filter, 200 times over the four sexes.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..200 {
        let sex = SEXES[i % SEXES.len()];
        let qs = dashboard(sex);
        let t = Instant::now();
        let tables = set.tables(&qs, "ru").unwrap();
        ours.push(t.elapsed());
        if i < SEXES.len() {
            // The same number of records on both sides.
            let total: i64 = db
                .query_row("SELECT count(*) FROM t WHERE sex = ?1", [sex], |r| r.get(0))
                .unwrap();
            assert_eq!(tables[0].total, Some(total as u64));
        }
        std::hint::black_box(tables);
        let t = Instant::now();
        std::hint::black_box(reference_refresh(&db, sex));
        theirs.push(t.elapsed());
    }
    let (o50, o95) = p95(ours);
    let (r50, r95) = p95(theirs);
    println!(
        "  dashboard refresh (6 charts, one filter): p50 {} p95 {}; plaintext SQLite GROUP BY p50 {} p95 {}; ratio p95 {:.2}",
        ms(o50), ms(o95), ms(r50), ms(r95), o95.as_secs_f64() / r95.as_secs_f64()
    );

    // A cross-tab of two multi-valued dimensions, the heaviest query.
    let q = Query {
        by: vec![Dimension::Method, Dimension::Agency],
        ..Query::default()
    };
    let t = Instant::now();
    std::hint::black_box(set.table(&q, "kk").unwrap());
    println!(
        "  cross-tab method × agency, no filter: {}",
        ms(t.elapsed())
    );

    // The synthetic records are drafts; the dataset takes sealed ones only, so they are
    // marked sealed here (the export's work is the same).
    let mut records = records;
    for r in &mut records.records {
        r.status = kua_core::model::Status::Sealed;
    }
    let out = dir.join(format!("dataset{n}"));
    let t = Instant::now();
    let report = export_dataset(&records, &out, DatasetFormat::Csv, "ru").unwrap();
    let export = t.elapsed();
    let bytes: u64 = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "  dataset export (CSV, {} files, {:.1} MB, fsync each): {}",
        report.files.len(),
        bytes as f64 / 1e6,
        ms(export)
    );
    let _ = std::fs::remove_dir_all(&out);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
