//! How the best search hits are picked, on plain FTS5 tables (issue #17, 2026-12-05):
//! the same 100,000 texts as the search benchmark's reference, and its 200 queries, run
//! in turn on each table, three rounds. It found why Kua's index, which keeps SQLite's
//! temporary storage in memory, ranked more slowly than the reference: FTS5 sorts every
//! match for `ORDER BY rank`, and SQLite's sorter allocates each row on its own when
//! temporary storage is in memory. Kua picks the best in a heap instead
//! (`search/rank.rs`); the last table does the same here.
//!
//!     cargo bench -p kua-core --bench vault -- search-sort

use crate::common::*;
use rand_core::{RngCore, SeedableRng};
use std::time::{Duration, Instant};

#[path = "../../src/search/rank.rs"]
#[allow(dead_code)]
mod rank;

const LIMIT: usize = 100;

pub fn run() {
    let n = 100_000;
    // The search benchmark's reference texts: the narrative, the interview place and the
    // method's label in three languages, lower-cased.
    let beating = crate::beating_labels();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
    let texts: Vec<String> = (0..n)
        .map(|_| format!("{}\nАлматы\n{beating}", narrative(&mut rng, 1536)).to_lowercase())
        .collect();
    let table = |options: &str, pragmas: &str| {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(&format!(
            "{pragmas} CREATE VIRTUAL TABLE doc USING fts5(body{options}, tokenize = 'unicode61 remove_diacritics 0');"
        ))
        .unwrap();
        let tx = c.unchecked_transaction().unwrap();
        for (i, t) in texts.iter().enumerate() {
            tx.execute(
                "INSERT INTO doc (rowid, body) VALUES (?1, ?2)",
                rusqlite::params![i as i64 + 1, t],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        c
    };
    let kua = ", content = '', contentless_delete = 1";
    let in_memory = "PRAGMA temp_store = MEMORY;";
    // (name, table, picked in a heap rather than by ORDER BY rank)
    let tables = [
        ("plain table, ORDER BY rank", table("", ""), false),
        (
            "Kua's table, temporary files, ORDER BY rank",
            table(kua, ""),
            false,
        ),
        (
            "Kua's table, temp_store = MEMORY, ORDER BY rank",
            table(kua, in_memory),
            false,
        ),
        (
            "Kua's table, temp_store = MEMORY, heap (Kua)",
            table(kua, in_memory),
            true,
        ),
    ];
    let vocab: Vec<&str> = WORDS_RU
        .iter()
        .chain(WORDS_KK)
        .chain(WORDS_EN)
        .copied()
        .collect();
    let mut qrng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    let queries: Vec<String> = (0..200)
        .map(|i| {
            let a = vocab[(qrng.next_u32() as usize) % vocab.len()];
            let b = vocab[(qrng.next_u32() as usize) % vocab.len()];
            let q = if i % 2 == 0 {
                a.to_string()
            } else {
                format!("{a} {b}")
            };
            q.to_lowercase()
                .split_whitespace()
                .map(|w| format!("(\"{w}\"*)"))
                .collect::<Vec<_>>()
                .join(" AND ")
        })
        .collect();
    drop(texts);
    println!("\n== picking the best {LIMIT} of FTS5's matches, 100,000 texts, 200 queries per table and round");
    let mut differ = 0;
    for round in 0..3 {
        let mut lat: Vec<Vec<Duration>> = vec![Vec::new(); tables.len()];
        for (i, q) in queries.iter().enumerate() {
            let mut sets = vec![Vec::new(); tables.len()];
            // Each query starts at another table, so that none always runs first.
            for step in 0..tables.len() {
                let k = (i + step) % tables.len();
                let (_, c, heap) = &tables[k];
                let start = Instant::now();
                let rows = if *heap { best(c, q) } else { sorted(c, q) };
                lat[k].push(start.elapsed());
                let mut set = rows;
                set.sort_unstable();
                sets[k] = set;
            }
            differ += usize::from(sets.iter().any(|s| *s != sets[0]));
        }
        for (k, (name, _, _)) in tables.iter().enumerate() {
            let total: Duration = lat[k].iter().sum();
            let (p50, p95, _) = stats(lat[k].clone());
            println!(
                "  round {round} {name:<50} p50 {} p95 {} total {}",
                ms(p50),
                ms(p95),
                ms(total)
            );
        }
    }
    println!("  queries whose {LIMIT} hits differed between the tables: {differ} (of 600)");
}

fn sorted(c: &rusqlite::Connection, q: &str) -> Vec<i64> {
    let mut stmt = c
        .prepare_cached("SELECT rowid FROM doc WHERE doc MATCH ?1 ORDER BY rank LIMIT ?2")
        .unwrap();
    stmt.query_map(rusqlite::params![q, LIMIT as i64], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// As Kua picks them: `SELECT rowid, rank` unsorted, the best kept by `rank::best`.
fn best(c: &rusqlite::Connection, q: &str) -> Vec<i64> {
    let mut stmt = c
        .prepare_cached("SELECT rowid, rank FROM doc WHERE doc MATCH ?1")
        .unwrap();
    let rows = stmt
        .query_map([q], |r| Ok((r.get::<_, f64>(1)?, r.get::<_, i64>(0)?)))
        .unwrap();
    rank::best(rows, LIMIT)
        .unwrap()
        .into_iter()
        .map(|(_, rowid)| rowid)
        .collect()
}
