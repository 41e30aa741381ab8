//! A coordinator's scale (issue #17): 50 senders' bundles, 1,000 of them, with 100,000
//! sealed testimonies and 2 GiB of media, imported one after another into one
//! coordinator vault, beside the stock tools doing the same work on the same bundles
//! (`age -d | tar -x` and `sha256sum -c` of each bundle's SHA256SUMS, then sync); then
//! the unlock of that vault beside the key derivation alone.
//!
//!     cargo bench -p kua-core --bench coordinator        # about 15 minutes, 8 GiB of disk
//!
//! KUA_BENCH_COORDINATOR="senders,bundles per sender,testimonies per bundle,KiB of media
//! per bundle" scales it (default "50,20,100,2048"); KUA_BENCH_DIR sets the working folder;
//! KUA_BENCH_KEEP=1 keeps it, and `cargo bench -p kua-core --bench coordinator -- unlock
//! DIR/coordinator.kua` then measures the unlock of that vault again; it also keeps
//! DIR/coordinator-fresh.kua, the coordinator's vault before the import, so that the
//! import alone can be run again on a copy of it (`cp DIR/coordinator-fresh.kua
//! DIR/t.kua`, then the bench binary with `import-all DIR/t.kua DIR/bundles`; it prints
//! seconds, peak RSS in KiB, records and media). KUA_BENCH_ONE_BY_ONE=1 imports each
//! bundle on its own instead of in one batch.
//! Figures and their reading: docs/benchmarks.md, "Coordinator scale".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::*;

use kua_core::model::{ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, ExportRequest, NewAttachment, Selection, Silent, Vault};
use rand_core::{RngCore, SeedableRng};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Scale {
    senders: usize,
    rounds: usize,
    per_bundle: usize,
    media_kib: usize,
}

fn scale() -> Scale {
    let v: Vec<usize> = std::env::var("KUA_BENCH_COORDINATOR")
        .unwrap_or_else(|_| "50,20,100,2048".into())
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    Scale {
        senders: v[0],
        rounds: v[1],
        per_bundle: v[2],
        media_kib: v[3],
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("import-all") => return import_all(Path::new(&args[1]), Path::new(&args[2])),
        // The unlock alone, of a coordinator's vault kept by KUA_BENCH_KEEP=1.
        Some("unlock") => return unlock(Path::new(&args[1])),
        _ => {}
    }
    let dir = tempfile::Builder::new()
        .prefix("kua-bench-coordinator")
        .tempdir_in(target_dir())
        .unwrap();
    let s = scale();
    println!(
        "kua coordinator benchmark ({} cores); working in {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        dir.path().display()
    );
    let started = Instant::now();
    let (coord, bundles) = make_bundles(dir.path(), &s);
    if std::env::var_os("KUA_BENCH_KEEP").is_some() {
        // The coordinator's vault before the import, to import again from a copy.
        std::fs::copy(&coord, dir.path().join("coordinator-fresh.kua")).unwrap();
    }
    println!(
        "\n== {} bundles from {} senders: {} sealed testimonies, {} MiB of media (made in {:.0} s)",
        bundles.len(),
        s.senders,
        s.senders * s.rounds * s.per_bundle,
        (s.senders * s.rounds * s.media_kib) / 1024,
        started.elapsed().as_secs_f64()
    );
    let on_disk: u64 = bundles
        .iter()
        .map(|b| std::fs::metadata(b).unwrap().len())
        .sum();
    println!("  bundles on disk: {} MiB", on_disk >> 20);

    // Kua: every bundle verified and imported, in one process, as a coordinator would.
    let start = Instant::now();
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("import-all")
        .arg(&coord)
        .arg(dir.path().join("bundles"))
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success());
    let wall = start.elapsed();
    let line = String::from_utf8(out.stdout).unwrap();
    let mut p = line.split_whitespace();
    let secs: f64 = p.next().unwrap().parse().unwrap();
    let rss_kib: u64 = p.next().unwrap().parse().unwrap();
    let records: usize = p.next().unwrap().parse().unwrap();
    let media: usize = p.next().unwrap().parse().unwrap();
    assert_eq!(records, s.senders * s.rounds * s.per_bundle);
    assert_eq!(
        media,
        if s.media_kib > 0 {
            s.senders * s.rounds
        } else {
            0
        }
    );

    // The reference: the same bundles, decrypted, extracted and checked by the stock
    // tools, in the same order, then made durable.
    let reference = shell(
        dir.path(),
        "set -e; for b in $(ls bundles); do mkdir -p tree/$b; age -d -i key.txt bundles/$b | tar -x -C tree/$b; \
         (cd tree/$b && sha256sum --quiet -c SHA256SUMS); done; sync",
    );
    println!(
        "  import:  kua verify+import {secs:.1} s (process {:.1} s; peak RSS {} MiB)   \
         age -d | tar -x + sha256sum -c + sync: {:.1} s   ratio {:.2} (goal <= 1.2; RSS goal <= 128 MiB)",
        wall.as_secs_f64(),
        rss_kib / 1024,
        reference.as_secs_f64(),
        secs / reference.as_secs_f64()
    );
    std::fs::remove_dir_all(dir.path().join("tree")).unwrap();
    unlock(&coord);
    if std::env::var_os("KUA_BENCH_KEEP").is_some() {
        println!("  kept: {}", dir.keep().display());
    }
}

/// The senders' vaults, each exporting its rounds as they come (sealed since the last
/// bundle), and the coordinator's vault, with a calibrated key derivation as a real one.
fn make_bundles(dir: &Path, s: &Scale) -> (PathBuf, Vec<PathBuf>) {
    let coord = dir.join("coordinator.kua");
    let kdf = kua_core::crypto::calibrate(Duration::from_secs(1)).unwrap();
    let options = CreateOptions {
        kdf,
        allow_weak_kdf: false,
    };
    let (mut c, _) = Vault::create(&coord, &pass(), options, seams(40)).unwrap();
    std::fs::write(
        dir.join("key.txt"),
        c.export_age_identity().unwrap().expose_secret(),
    )
    .unwrap();
    let recipient = c.identity().unwrap().age_recipient;
    let bundles = dir.join("bundles");
    std::fs::create_dir_all(&bundles).unwrap();
    let mut consent = consent();
    consent.scope.insert(ConsentScope::Coalition);
    let fields = serde_json::json!({
        "interview_datetime": "2022-01-20T14:30", "interview_place": "Алматы", "interviewers": "И. 3",
        "events_date": "2022-01", "incident_place": "СИЗО", "methods": ["beating"], "detaining_authority": "police"
    });
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(41);
    let mut media = vec![0u8; s.media_kib << 10];
    let mut out = Vec::new();
    for sender in 0..s.senders {
        let path = dir.join(format!("sender{sender}.kua"));
        let (mut v, _) = Vault::create(&path, &pass(), fast(), seams(100 + sender as u64)).unwrap();
        v.add_recipient("coordinator", &recipient, false).unwrap();
        c.trust(
            &format!("sender{sender}"),
            &v.minisign_public_key_file().unwrap(),
        )
        .unwrap();
        for round in 0..s.rounds {
            let inputs: Vec<TestimonyInput> = (0..s.per_bundle)
                .map(|_| TestimonyInput {
                    narrative: Some(narrative(&mut rng, 2048)),
                    fields: Some(serde_json::from_value(fields.clone()).unwrap()),
                    consent: Some(consent.clone()),
                    ..Default::default()
                })
                .collect();
            let ids = v.add_many(&inputs).unwrap();
            if !media.is_empty() {
                rng.fill_bytes(&mut media);
                v.attach(
                    &ids[0],
                    &mut media.as_slice(),
                    NewAttachment {
                        name: "interview.ogg".into(),
                        ..Default::default()
                    },
                    &mut Silent,
                )
                .unwrap();
            }
            for id in &ids {
                v.seal(id).unwrap();
            }
            // Named so that the listing's order is round by round, every sender's in turn.
            let file = bundles.join(format!("r{round:03}-s{sender:03}.kua"));
            let request = ExportRequest {
                to: vec!["coordinator".into()],
                selection: Selection::SinceLast,
                redact: false,
                cases: Vec::new(),
                case_notes: false,
            };
            let report = v.export(&request, &file, &mut Silent).unwrap();
            assert_eq!(report.records.len(), s.per_bundle);
            out.push(file);
        }
        drop(v);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    out.sort();
    (coord, out)
}

/// In a child process, so that its peak RSS is its own: unlock, then import every bundle
/// of the folder in name order, the peak RSS counted from the first import. Prints seconds, peak RSS (KiB), new records, new media.
fn import_all(vault: &Path, bundles: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(bundles)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut v = Vault::open(vault, seams(42)).unwrap();
    v.unlock(&pass()).unwrap();
    // The peak counted from here: the unlock's key derivation (hundreds of MiB, freed
    // before the first import) is the unlock's cost, measured below on its own.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let start = Instant::now();
    let (mut records, mut media) = (0, 0);
    let tenth = files.len().div_ceil(10).max(1);
    // One batch, as `kua import FOLDER/*` runs it; KUA_BENCH_ONE_BY_ONE=1 imports
    // each bundle on its own, as the desktop app's import screen does.
    let one_by_one = std::env::var_os("KUA_BENCH_ONE_BY_ONE").is_some();
    let mut import_each = |v: &mut Vault, read_next: bool| {
        for (done, file) in files.iter().enumerate() {
            // In a batch the next bundle is read while this one commits, as `kua import`
            // does; one by one, as the desktop imports, it is not.
            let next = files.get(done + 1).filter(|_| read_next);
            let report = v
                .import_reading_next(file, next.map(|p| p.as_path()), false, &mut Silent)
                .unwrap();
            records += report.new_records;
            media += report.new_media;
            if (done + 1).is_multiple_of(tenth) {
                eprintln!(
                    "  imported {} of {} bundles ({:.1} s)",
                    done + 1,
                    files.len(),
                    start.elapsed().as_secs_f64()
                );
            }
        }
    };
    if one_by_one {
        import_each(&mut v, false);
    } else {
        v.import_batch(|v| import_each(v, true)).unwrap();
    }
    println!(
        "{} {} {records} {media}",
        start.elapsed().as_secs_f64(),
        vm_hwm_kib()
    );
}

/// Unlock of the coordinator's vault (best of 3) beside the key derivation alone.
fn unlock(coord: &Path) {
    let kdf = Vault::open(coord, seams(43)).unwrap().kdf_params();
    let kdf_alone = kdf_alone(&kdf);
    let unlock = (0..3)
        .map(|i| {
            let mut v = Vault::open(coord, seams(44 + i)).unwrap();
            let s = Instant::now();
            v.unlock(&pass()).unwrap();
            s.elapsed()
        })
        .min()
        .unwrap();
    println!(
        "  unlock of the coordinator's vault: {}   Argon2id alone {}   extra {} (goal <= 500 ms)",
        ms(unlock),
        ms(kdf_alone),
        ms(unlock.saturating_sub(kdf_alone))
    );
}
