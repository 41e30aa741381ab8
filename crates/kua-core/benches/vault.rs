//! Kua vault benchmarks, each side by side with a reference measured in the same run.
//!
//!     cargo bench -p kua-core --bench vault            # everything (about 5 minutes)
//!     cargo bench -p kua-core --bench vault -- save    # one group: save | ingest | search | unlock | bundle | erase
//!     cargo bench -p kua-core --bench vault -- search-sort    # not in "everything": how search picks its best hits (vault/search_sort.rs)
//!
//! KUA_BENCH_INGEST_MIB sets the attachment size (default 1024); KUA_BENCH_SEARCH sets the
//! corpus sizes (default "10000,100000"); KUA_BENCH_ERASE_GIB the vault size the erase is
//! timed on (default 1; the figure in docs/benchmarks.md is of 10). Figures and their reading: docs/benchmarks.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "vault/search_sort.rs"]
mod search_sort;
use common::*;

use kua_core::model::{ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, NewAttachment, Silent, Vault};
use rand_core::{RngCore, SeedableRng};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("ingest-child") {
        return ingest_child(Path::new(&args[1]), Path::new(&args[2]));
    }
    if args.first().map(String::as_str) == Some("export-child") {
        return export_child(Path::new(&args[1]), Path::new(&args[2]));
    }
    if args.first().map(String::as_str) == Some("import-child") {
        return import_child(Path::new(&args[1]), Path::new(&args[2]));
    }
    let only = args.first().cloned();
    let want = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let dir = tempfile::Builder::new()
        .prefix("kua-bench")
        .tempdir_in(target_dir())
        .unwrap();
    println!(
        "kua vault benchmarks ({} cores); working in {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        dir.path().display()
    );
    if want("save") {
        save(dir.path());
    }
    if want("ingest") {
        ingest(dir.path());
    }
    if want("search") {
        search(dir.path());
    }
    if only.as_deref() == Some("search-sort") {
        search_sort::run();
    }
    if want("unlock") {
        unlock(dir.path());
    }
    if want("bundle") {
        bundle(dir.path());
    }
    if want("erase") {
        erase(dir.path());
    }
}

/// Random bytes, `left` of them, without a source file.
struct Noise {
    rng: rand_chacha::ChaCha20Rng,
    left: u64,
}

impl std::io::Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        self.rng.fill_bytes(&mut buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

/// Quick erase of a vault holding one large attachment: the time until no key opens
/// the vault (its key slots gone, `destroy_key_slots`), beside the reference of
/// overwriting the whole file, which the full erase then does (`erase_vault`).
fn erase(dir: &Path) {
    let gib: u64 = std::env::var("KUA_BENCH_ERASE_GIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let path = dir.join("erase.kua");
    let (mut v, _) = Vault::create(&path, &pass(), fast(), seams(9)).unwrap();
    let id = v.add(&TestimonyInput::default()).unwrap();
    let built = Instant::now();
    v.attach(
        &id,
        &mut Noise {
            rng: rand_chacha::ChaCha20Rng::seed_from_u64(9),
            left: gib << 30,
        },
        NewAttachment {
            name: "big.bin".into(),
            ..Default::default()
        },
        &mut Silent,
    )
    .unwrap();
    drop(v);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "\n== quick erase of a {:.2} GiB vault (built in {})",
        size as f64 / f64::from(1u32 << 30),
        ms(built.elapsed())
    );
    let start = Instant::now();
    kua_core::destroy_key_slots(&path).unwrap();
    let slots = start.elapsed();
    println!("  no key opens it (key slots gone, synced): {}", ms(slots));
    // The rest of the erase needs a vault to start from: the same steps, timed on the
    // file as the first step left it.
    let start = Instant::now();
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    let zeros = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        std::io::Write::write_all(&mut f, &zeros[..n]).unwrap();
        left -= n as u64;
    }
    f.sync_all().unwrap();
    f.set_len(0).unwrap();
    drop(f);
    std::fs::remove_file(&path).unwrap();
    println!(
        "  reference, overwriting the whole file (what the full erase does next): {}",
        ms(start.elapsed())
    );
}

/// Benchmarks write beside the build, on the same disk as a real vault would be, unless
/// KUA_BENCH_DIR names another place (a tmpfs, to separate CPU from disk).
/// Durable save of a 5 KB testimony vs a plain rusqlite insert of the same bytes, both in
/// WAL mode with synchronous=FULL, one transaction (one fsync) per save.
fn save(dir: &Path) {
    const N: usize = 300;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let texts: Vec<String> = (0..N).map(|_| narrative(&mut rng, 5 * 1024)).collect();

    let plain_path = dir.join("plain.sqlite");
    let db = rusqlite::Connection::open(&plain_path).unwrap();
    db.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (id TEXT PRIMARY KEY, body BLOB NOT NULL);").unwrap();
    let mut plain = Vec::with_capacity(N);
    for (i, t) in texts.iter().enumerate() {
        let start = Instant::now();
        db.execute(
            "INSERT INTO t (id, body) VALUES (?1, ?2)",
            rusqlite::params![format!("{i:036}"), t.as_bytes()],
        )
        .unwrap();
        plain.push(start.elapsed());
    }
    let mut plain_update = Vec::with_capacity(N);
    for t in &texts {
        let start = Instant::now();
        db.execute(
            "UPDATE t SET body = ?1 WHERE id = ?2",
            rusqlite::params![t.as_bytes(), format!("{:036}", 0)],
        )
        .unwrap();
        plain_update.push(start.elapsed());
    }

    let (mut v, _) = Vault::create(&dir.join("save.kua"), &pass(), fast(), seams(2)).unwrap();
    let mut add = Vec::with_capacity(N);
    let mut ids = Vec::with_capacity(N);
    for t in &texts {
        let input = TestimonyInput {
            narrative: Some(t.clone()),
            consent: Some(consent()),
            ..Default::default()
        };
        let start = Instant::now();
        ids.push(v.add(&input).unwrap());
        add.push(start.elapsed());
    }
    let mut edit = Vec::with_capacity(N);
    for t in &texts {
        let input = TestimonyInput {
            narrative: Some(format!("{t}!")),
            ..Default::default()
        };
        let start = Instant::now();
        v.edit(&ids[0], &input).unwrap();
        edit.push(start.elapsed());
    }
    let (pa, pa95, _) = stats(plain);
    let (pu, pu95, _) = stats(plain_update);
    let (ka, ka95, _) = stats(add);
    let (ke, ke95, _) = stats(edit);
    println!("\n== durable save of a 5 KB testimony ({N} saves each; median, p95)");
    println!("  plain rusqlite INSERT        {} {}", ms(pa), ms(pa95));
    println!(
        "  kua add (new testimony)      {} {}   ratio {:.2}",
        ms(ka),
        ms(ka95),
        ka.as_secs_f64() / pa.as_secs_f64()
    );
    println!("  plain rusqlite UPDATE        {} {}", ms(pu), ms(pu95));
    println!(
        "  kua edit (autosave a draft)  {} {}   ratio {:.2}",
        ms(ke),
        ms(ke95),
        ke.as_secs_f64() / pu.as_secs_f64()
    );
}

/// Runs in a child process so that its peak RSS is its own.
fn ingest_child(vault: &Path, file: &Path) {
    let mut v = Vault::open(vault, seams(4)).unwrap();
    v.unlock(&pass()).unwrap();
    let id = v.list().unwrap()[0].id.clone();
    let mut f = std::fs::File::open(file).unwrap();
    let start = Instant::now();
    let info = v
        .attach(
            &id,
            &mut f,
            NewAttachment {
                name: "big.bin".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    let took = start.elapsed();
    println!("{} {} {}", took.as_secs_f64(), vm_hwm_kib(), info.sha256);
}

/// Attachment ingest (read, SHA-256, encrypt, store durably) vs `age -r` on the same file.
fn ingest(dir: &Path) {
    let mib: u64 = std::env::var("KUA_BENCH_INGEST_MIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let file = dir.join("big.bin");
    {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let mut buf = vec![0u8; 1 << 20];
        for _ in 0..mib {
            rng.fill_bytes(&mut buf);
            std::io::Write::write_all(&mut f, &buf).unwrap();
        }
        // On disk before either contender runs, as a user's file is: otherwise the
        // kernel writes it back during their runs, and an early sync (Kua syncs the
        // filesystem while it stores) would write it on Kua's time.
        f.into_inner().unwrap().sync_all().unwrap();
    }
    // Warm the page cache for both contenders.
    std::io::copy(
        &mut std::fs::File::open(&file).unwrap(),
        &mut std::io::sink(),
    )
    .unwrap();
    println!("\n== attachment ingest of {mib} MiB (best of 3)");
    let age_ok = Command::new("age-keygen")
        .arg("-o")
        .arg(dir.join("key.txt"))
        .output()
        .is_ok_and(|o| o.status.success());
    let mut age_best = None;
    let mut age_durable = None;
    if age_ok {
        let key = std::fs::read_to_string(dir.join("key.txt")).unwrap();
        let recipient = key
            .lines()
            .find_map(|l| l.strip_prefix("# public key: "))
            .unwrap()
            .to_string();
        for _ in 0..3 {
            let out = dir.join("big.age");
            let start = Instant::now();
            let st = Command::new("age")
                .args(["-r", &recipient, "-o"])
                .arg(&out)
                .arg(&file)
                .status()
                .unwrap();
            let took = start.elapsed();
            assert!(st.success());
            std::fs::remove_file(&out).unwrap();
            age_best = Some(age_best.map_or(took, |b: Duration| b.min(took)));
        }
        let t = age_best.unwrap();
        println!(
            "  age -r (no fsync)            {:.2} s  {:.0} MiB/s",
            t.as_secs_f64(),
            mib as f64 / t.as_secs_f64()
        );
        // The same, made durable like a vault save: age, then fsync of its output.
        let mut synced = None;
        for _ in 0..3 {
            let out = dir.join("big.age");
            let start = Instant::now();
            let st = Command::new("age")
                .args(["-r", &recipient, "-o"])
                .arg(&out)
                .arg(&file)
                .status()
                .unwrap();
            std::fs::File::open(&out).unwrap().sync_all().unwrap();
            let took = start.elapsed();
            assert!(st.success());
            std::fs::remove_file(&out).unwrap();
            synced = Some(synced.map_or(took, |b: Duration| b.min(took)));
        }
        let s = synced.unwrap();
        println!(
            "  age -r + fsync (durable)     {:.2} s  {:.0} MiB/s",
            s.as_secs_f64(),
            mib as f64 / s.as_secs_f64()
        );
        age_durable = Some(s);
    } else {
        println!("  age: not installed (apt-get install age); reference skipped");
    }
    let mut best: Option<(f64, u64)> = None;
    for round in 0..3 {
        let vault = dir.join(format!("ingest{round}.kua"));
        let (mut v, _) = Vault::create(&vault, &pass(), fast(), seams(5)).unwrap();
        v.add(&TestimonyInput::default()).unwrap();
        drop(v);
        let (secs, rss, _) = child(&["ingest-child".as_ref(), vault.as_os_str(), file.as_os_str()]);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", vault.display()));
        }
        best = Some(best.map_or((secs, rss), |(s, r)| (s.min(secs), r.max(rss))));
    }
    let (secs, rss) = best.unwrap();
    print!(
        "  kua attach (durable)         {secs:.2} s  {:.0} MiB/s  peak RSS {} MiB",
        mib as f64 / secs,
        rss / 1024
    );
    match (age_best, age_durable) {
        (Some(a), Some(d)) => println!(
            "\n  speed ratio kua/age {:.2}, kua/(age + fsync) {:.2} (>= 1.0 is as fast or faster)",
            a.as_secs_f64() / secs,
            d.as_secs_f64() / secs
        ),
        _ => println!(),
    }
    std::fs::remove_file(&file).unwrap();
}

/// Index build after unlock and query latency, vs plain FTS5 over the same plaintext.
fn search(dir: &Path) {
    let sizes: Vec<usize> = std::env::var("KUA_BENCH_SEARCH")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!("\n== search over synthetic ru/kk/en testimonies (1.5 KB narratives + fields)");
    for n in sizes {
        let path = dir.join(format!("search{n}.kua"));
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
        let texts: Vec<String> = (0..n).map(|_| narrative(&mut rng, 1536)).collect();
        let (mut v, _) = Vault::create(&path, &pass(), fast(), seams(7)).unwrap();
        for chunk in texts.chunks(5000) {
            let inputs: Vec<TestimonyInput> = chunk
                .iter()
                .map(|t| TestimonyInput {
                    narrative: Some(t.clone()),
                    fields: Some(serde_json::from_value(serde_json::json!({"interview_place": "Алматы", "methods": ["beating"]})).unwrap()),
                    ..Default::default()
                })
                .collect();
            v.add_many(&inputs).unwrap();
        }
        drop(v);
        let mut v = Vault::open(&path, seams(8)).unwrap();
        let start = Instant::now();
        v.unlock(&pass()).unwrap();
        let unlock = start.elapsed();
        let start = Instant::now();
        assert_eq!(v.build_search_index().unwrap(), n);
        let build = start.elapsed();

        // Reference: the same plaintext into a plain in-memory FTS5 table: what Kua's
        // index is given for each testimony (the narrative, the interview place, and the
        // chosen method's label in en, ru and kk), lower-cased but not folded. Before
        // 2026-12-05 the reference held the narrative alone, so a word of the fields
        // ("Алматы", in every record) ranked every document in Kua and few in it.
        let beating = beating_labels();
        let reference = rusqlite::Connection::open_in_memory().unwrap();
        reference.execute_batch("CREATE VIRTUAL TABLE doc USING fts5(body, tokenize = 'unicode61 remove_diacritics 0');").unwrap();
        let start = Instant::now();
        let tx = reference.unchecked_transaction().unwrap();
        for t in &texts {
            let body = format!("{t}\nАлматы\n{beating}").to_lowercase();
            tx.execute("INSERT INTO doc (body) VALUES (?1)", [body])
                .unwrap();
        }
        tx.commit().unwrap();
        let ref_build = start.elapsed();

        let vocab: Vec<&str> = WORDS_RU
            .iter()
            .chain(WORDS_KK)
            .chain(WORDS_EN)
            .copied()
            .collect();
        // The same 200 queries twice: as written, then as typed on a Russian layout
        // (Kazakh letters and ё replaced by the Russian letters people type for them).
        for typed in [false, true] {
            let mut qrng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
            let mut lat = Vec::new();
            let mut ref_lat = Vec::new();
            for i in 0..200 {
                let a = vocab[(qrng.next_u32() as usize) % vocab.len()];
                let b = vocab[(qrng.next_u32() as usize) % vocab.len()];
                let q = if i % 2 == 0 {
                    a.to_string()
                } else {
                    format!("{a} {b}")
                };
                let q = if typed { russian_layout(&q) } else { q };
                let start = Instant::now();
                let hits = v.search(&q, 50).unwrap();
                lat.push(start.elapsed());
                std::hint::black_box(hits);
                let fts = q
                    .to_lowercase()
                    .split_whitespace()
                    .map(|w| format!("\"{w}\"*"))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let start = Instant::now();
                let mut stmt = reference.prepare_cached("SELECT rowid, snippet(doc, 0, '[', ']', '…', 16) FROM doc WHERE doc MATCH ?1 ORDER BY rank LIMIT 50").unwrap();
                let rows: Vec<(i64, String)> = stmt
                    .query_map([fts], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                ref_lat.push(start.elapsed());
                std::hint::black_box(rows);
            }
            let (p50, p95, _) = stats(lat);
            let (r50, r95, _) = stats(ref_lat);
            let kind = if typed {
                "as typed on a Russian layout"
            } else {
                "as written"
            };
            println!("  {n:>6} testimonies: unlock (fast test KDF) {}, index build {} (plain FTS5 {}); queries {kind}: p50 {} p95 {} (plain FTS5 p50 {} p95 {})",
            ms(unlock), ms(build), ms(ref_build), ms(p50), ms(p95), ms(r50), ms(r95));
        }
        drop(v);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

/// The labels of the method every synthetic record has ("beating"), in en, ru and kk, as
/// Kua's index holds a chosen option: what the reference indexes beside the narrative.
fn beating_labels() -> String {
    let template = kua_core::template::find(kua_core::template::DEFAULT_TEMPLATE).unwrap();
    template
        .field("methods")
        .and_then(|f| f.options.iter().find(|o| o.id == "beating"))
        .map(|o| format!("{} {} {}", o.label.en, o.label.ru, o.label.kk))
        .unwrap()
}

/// A query as someone without a Kazakh layout types it.
fn russian_layout(q: &str) -> String {
    q.chars()
        .map(|c| match c {
            'ә' => 'а',
            'ғ' => 'г',
            'қ' => 'к',
            'ң' => 'н',
            'ө' => 'о',
            'ұ' | 'ү' => 'у',
            'һ' => 'х',
            'і' => 'и',
            'ё' => 'е',
            c => c,
        })
        .collect()
}

/// Unlock with the default (calibrated, ~1 s) KDF, empty and with 10k testimonies.
fn unlock(dir: &Path) {
    let params = kua_core::crypto::calibrate(Duration::from_secs(1)).unwrap();
    println!(
        "\n== unlock with default KDF parameters (calibrated: m={} MiB, t={}, p={}; best of 3)",
        params.m_kib / 1024,
        params.t,
        params.p
    );
    let opts = CreateOptions {
        kdf: params,
        allow_weak_kdf: false,
    };
    let kdf_alone = kdf_alone(&params);
    let measure = |path: &Path| {
        (0..3)
            .map(|_| {
                let mut v = Vault::open(path, seams(10)).unwrap();
                let s = Instant::now();
                v.unlock(&pass()).unwrap();
                s.elapsed()
            })
            .min()
            .unwrap()
    };
    let empty = dir.join("unlock-empty.kua");
    drop(Vault::create(&empty, &pass(), opts, seams(11)).unwrap());
    let t_empty = measure(&empty);
    let full = dir.join("unlock-10k.kua");
    let (mut v, _) = Vault::create(&full, &pass(), opts, seams(12)).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
    let inputs: Vec<TestimonyInput> = (0..10_000)
        .map(|_| TestimonyInput {
            narrative: Some(narrative(&mut rng, 5 * 1024)),
            consent: Some(consent()),
            ..Default::default()
        })
        .collect();
    v.add_many(&inputs).unwrap();
    drop(v);
    let t_full = measure(&full);
    println!("  Argon2id alone (reference)   {}", ms(kdf_alone));
    println!("  unlock, empty vault          {}", ms(t_empty));
    println!(
        "  unlock, 10k testimonies      {}   extra {}",
        ms(t_full),
        ms(t_full.saturating_sub(t_empty))
    );
}

fn export_child(vault: &Path, out: &Path) {
    let mut v = Vault::open(vault, seams(20)).unwrap();
    v.unlock(&pass()).unwrap();
    let req = kua_core::ExportRequest {
        to: vec!["coordinator".into()],
        selection: kua_core::Selection::All,
        redact: false,
        cases: Vec::new(),
        case_notes: false,
    };
    let start = Instant::now();
    let report = v.export(&req, out, &mut Silent).unwrap();
    println!(
        "{} {} {}",
        start.elapsed().as_secs_f64(),
        vm_hwm_kib(),
        report.records.len()
    );
}

fn import_child(vault: &Path, bundle: &Path) {
    let mut v = Vault::open(vault, seams(21)).unwrap();
    v.unlock(&pass()).unwrap();
    let start = Instant::now();
    let report = v.import(bundle, false, &mut Silent).unwrap();
    println!(
        "{} {} {}",
        start.elapsed().as_secs_f64(),
        vm_hwm_kib(),
        report.new_records
    );
}

/// Export of N testimonies plus media, and its verify + import, each beside the stock
/// pipeline over the very same plaintext (the bundle's own content, extracted).
fn bundle(dir: &Path) {
    use secrecy::ExposeSecret;
    let n: usize = std::env::var("KUA_BENCH_BUNDLE_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let mib: u64 = std::env::var("KUA_BENCH_INGEST_MIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let sender = dir.join("sender.kua");
    let coord = dir.join("coord.kua");
    let (mut s, _) = Vault::create(&sender, &pass(), fast(), seams(22)).unwrap();
    let (mut c, _) = Vault::create(&coord, &pass(), fast(), seams(23)).unwrap();
    let age_key = c.export_age_identity().unwrap();
    std::fs::write(dir.join("key.txt"), age_key.expose_secret()).unwrap();
    let recipient = c.identity().unwrap().age_recipient;
    s.add_recipient("coordinator", &recipient, false).unwrap();
    c.trust("sender", &s.minisign_public_key_file().unwrap())
        .unwrap();
    drop(c);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(24);
    let mut consent = consent();
    consent.scope.insert(ConsentScope::Coalition);
    let fields = serde_json::json!({
        "interview_datetime": "2022-01-20T14:30", "interview_place": "Алматы", "interviewers": "И. 3",
        "events_date": "2022-01", "incident_place": "СИЗО", "methods": ["beating"], "detaining_authority": "police"
    });
    let mut ids = Vec::new();
    for chunk in 0..n.div_ceil(2000) {
        let inputs: Vec<TestimonyInput> = (0..2000.min(n - chunk * 2000))
            .map(|_| TestimonyInput {
                narrative: Some(narrative(&mut rng, 2048)),
                fields: Some(serde_json::from_value(fields.clone()).unwrap()),
                consent: Some(consent.clone()),
                ..Default::default()
            })
            .collect();
        ids.extend(s.add_many(&inputs).unwrap());
    }
    let files = 16u64;
    let mut buf = vec![0u8; (mib << 20) as usize / files as usize];
    for id in ids.iter().take(files as usize) {
        rng.fill_bytes(&mut buf);
        s.attach(
            id,
            &mut buf.as_slice(),
            NewAttachment {
                name: "media.bin".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    }
    drop(buf);
    for id in &ids {
        s.seal(id).unwrap();
    }
    drop(s);
    println!("\n== bundle: {n} sealed testimonies + {mib} MiB of media in {files} files (one run each, child processes)");

    let out = dir.join("b.kua");
    let (export_s, export_rss, count) =
        child(&["export-child".as_ref(), sender.as_os_str(), out.as_os_str()]);
    assert_eq!(count, n.to_string());
    // The reference works on exactly the bundle's plaintext.
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    shell(dir, "age -d -i key.txt b.kua | tar -x -C tree");
    let ref_export = shell(
        dir,
        &format!("tar -c -C tree . | age -r {recipient} > ref.age && sync ref.age"),
    );
    let ref_export_nosync = shell(
        dir,
        &format!("tar -c -C tree . | age -r {recipient} > ref.age"),
    );
    println!("  export:  kua {:.2} s (peak RSS {} MiB)   tar -c | age -r: {:.2} s, with fsync {:.2} s   ratio {:.2} (goal <= 1.2)",
        export_s, export_rss / 1024, ref_export_nosync.as_secs_f64(), ref_export.as_secs_f64(), export_s / ref_export.as_secs_f64());
    let (import_s, import_rss, imported) =
        child(&["import-child".as_ref(), coord.as_os_str(), out.as_os_str()]);
    assert_eq!(imported, n.to_string());
    std::fs::remove_dir_all(&tree).unwrap();
    std::fs::create_dir_all(&tree).unwrap();
    let ref_import = shell(dir, "age -d -i key.txt ref.age | tar -x -C tree && cd tree && sha256sum --quiet -c SHA256SUMS && sync");
    println!("  import:  kua verify+import {:.2} s (peak RSS {} MiB)   age -d | tar -x + sha256sum -c: {:.2} s   ratio {:.2} (goal <= 1.5)",
        import_s, import_rss / 1024, ref_import.as_secs_f64(), import_s / ref_import.as_secs_f64());
    std::fs::remove_dir_all(&tree).unwrap();
}
