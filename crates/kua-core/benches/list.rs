//! The testimony list in windows (issue #17) at 10k and 100k testimonies, beside the
//! whole list the app used to fetch (`Vault::list`) in the same run.
//!
//!     cargo bench -p kua-core --bench list        # about 2 minutes
//!
//! KUA_BENCH_LIST sets the sizes (default "10000,100000"). Figures and their reading:
//! docs/benchmarks.md, "Desktop app".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::*;

use kua_core::model::{ListQuery, ListSort, Status, TestimonyInput};
use kua_core::Vault;
use rand_core::SeedableRng;
use std::time::{Duration, Instant};

fn main() {
    let sizes: Vec<usize> = std::env::var("KUA_BENCH_LIST")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = tempfile::Builder::new()
        .prefix("kua-bench-list")
        .tempdir_in(target_dir())
        .unwrap();
    println!("\n== the testimony list: windows of 100 rows vs the whole list (1.5 KB narratives)");
    for n in sizes {
        let path = dir.path().join(format!("list{n}.kua"));
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(60);
        let (mut v, _) = Vault::create(&path, &pass(), fast(), seams(61)).unwrap();
        let languages = ["ru", "kk", "en"];
        for start in (0..n).step_by(5000) {
            let inputs: Vec<TestimonyInput> = (start..n.min(start + 5000))
                .map(|i| TestimonyInput {
                    language: Some(languages[i % 3].into()),
                    narrative: Some(narrative(&mut rng, 1536)),
                    ..Default::default()
                })
                .collect();
            v.add_many(&inputs).unwrap();
        }
        drop(v);

        // Reference: the whole list, as the page fetched it before windows.
        let mut v = Vault::open(&path, seams(62)).unwrap();
        v.unlock(&pass()).unwrap();
        let start = Instant::now();
        assert_eq!(v.list().unwrap().len(), n);
        let whole = start.elapsed();
        drop(v);

        // The first window after unlock reads every testimony once.
        let mut v = Vault::open(&path, seams(63)).unwrap();
        v.unlock(&pass()).unwrap();
        let first = ListQuery {
            limit: 100,
            ..Default::default()
        };
        let start = Instant::now();
        let page = v.list_window(&first).unwrap();
        let cold = start.elapsed();
        assert_eq!((page.rows.len(), page.total as usize), (100, n));

        // Then what a user does: filters, orders, pages further.
        let mut samples: Vec<Duration> = Vec::new();
        for i in 0..60u32 {
            let query = ListQuery {
                language: (i % 3 == 1).then(|| languages[(i as usize / 3) % 3].to_string()),
                status: (i % 5 == 2).then_some(Status::Draft),
                sort: [ListSort::Updated, ListSort::Created, ListSort::CreatedAsc][i as usize % 3],
                from: (i % 7 == 3).then(|| "2020-01-01".to_string()),
                offset: (i % 4) * 500,
                limit: if i % 4 == 0 { 100 } else { 500 },
                ..Default::default()
            };
            let start = Instant::now();
            let page = v.list_window(&query).unwrap();
            samples.push(start.elapsed());
            assert!(page.matching as usize <= n);
        }
        let (median, p95, _) = stats(samples);
        println!(
            "  {n:>6} testimonies: whole list {}   first window {}   later windows (100 or 500 rows, filtered, sorted) median {} p95 {}",
            ms(whole),
            ms(cold),
            ms(median),
            ms(p95)
        );
    }
}
