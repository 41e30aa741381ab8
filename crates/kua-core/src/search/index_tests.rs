//! The index's unit tests: replacements in the contentless table, the best hits in
//! FTS5's rank order, and the shards (every match once, each shard's best merged by
//! rank, failures).

use super::tests::doc;
use super::*;

#[test]
fn a_replaced_or_removed_document_is_no_longer_found() {
    // The table keeps no text of its own (contentless), so a replacement must take
    // the old words out of the index, not only add the new ones. A replacement gets a
    // new row id: with two shards, doc 1 moves from row 1 (shard 1) to row 4 (shard 0),
    // and its old words must leave the shard they were in. Rows held per shard after
    // the build, the replacement and the removal:
    for (shards, held) in [
        (1, [[3], [3], [2]].map(|r| r.to_vec())),
        (2, [[1, 2], [2, 1], [1, 1]].map(|r| r.to_vec())),
    ] {
        let mut index = SearchIndex::build_in(
            [
                doc(1, "Задержан в Алматы"),
                doc(2, "Алматы"),
                doc(3, "Караганда"),
            ]
            .into_iter(),
            shards,
        )
        .unwrap();
        let ids = |index: &SearchIndex, q: &str| -> Vec<u8> {
            let mut v: Vec<u8> = index
                .query(&terms(q), 10)
                .unwrap()
                .iter()
                .map(|h| h.id.as_bytes()[0])
                .collect();
            v.sort();
            v
        };
        // What the FTS5 tables themselves still match, whatever the id map says.
        let in_table = |index: &SearchIndex, word: &str| -> i64 {
            index
                .shard_tables()
                .iter()
                .map(|db| {
                    db.query_row(
                        "SELECT count(*) FROM doc WHERE doc MATCH ?1",
                        [format!("\"{word}\"*")],
                        |r| r.get::<_, i64>(0),
                    )
                    .unwrap()
                })
                .sum()
        };
        let rows = |index: &SearchIndex| -> Vec<i64> {
            index
                .shard_tables()
                .iter()
                .map(|db| {
                    db.query_row("SELECT count(*) FROM doc", [], |r| r.get(0))
                        .unwrap()
                })
                .collect()
        };
        assert_eq!(rows(&index), held[0], "{shards} shards");
        assert_eq!(ids(&index, "задержан"), vec![1]);
        assert_eq!(in_table(&index, "задержан"), 1);
        index
            .upsert(doc(1, "Освобождён в Караганде").unwrap())
            .unwrap();
        assert_eq!(rows(&index), held[1], "{shards} shards");
        assert!(ids(&index, "задержан").is_empty());
        assert_eq!(
            in_table(&index, "задержан"),
            0,
            "the old words left the index ({shards} shards)"
        );
        assert_eq!(in_table(&index, "алматы"), 1);
        assert_eq!(ids(&index, "освобожден"), vec![1]);
        assert_eq!(ids(&index, "караганд"), vec![1, 3]);
        assert_eq!(ids(&index, "алматы"), vec![2]);
        index.remove(&Uuid::from_bytes([2; 16])).unwrap();
        assert_eq!(rows(&index), held[2], "{shards} shards");
        assert!(ids(&index, "алматы").is_empty());
        assert_eq!(in_table(&index, "алматы"), 0);
        assert_eq!(index.len(), 2);
    }
}

#[test]
fn the_best_hits_are_picked_in_rank_order_as_fts5_sorts_them() {
    // Documents that match "арест" more or less often, several of them alike (equal
    // ranks), built in an order unrelated to their rank.
    let texts: Vec<String> = (0..60u8)
        .map(|i| {
            let times = usize::from(i % 7) + 1;
            let filler = usize::from(i % 5) * 3;
            format!(
                "{} {}",
                "арест ".repeat(times),
                "камера ночью ".repeat(filler)
            )
        })
        .collect();
    let index = index_of(&texts, 1);
    let query = terms("арест");
    // What SQLite's sort of FTS5's rank gives, with ties broken by the order of indexing.
    let sorted: Vec<Uuid> = index.shard_tables()[0]
        .prepare("SELECT rowid FROM doc WHERE doc MATCH ?1 ORDER BY rank, rowid")
        .unwrap()
        .query_map([fts_query(&query)], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|r| index.id_of(r.unwrap()))
        .collect();
    assert_eq!(sorted.len(), 60);
    // A limit far beyond the index (a caller's `--limit`) allocates for the index only.
    for limit in [0, 1, 7, 30, 59, 60, 100, usize::MAX] {
        let picked: Vec<Uuid> = index
            .query(&query, limit)
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(picked, sorted[..limit.min(60)], "limit {limit}");
    }
}

/// An index of `shards` tables over `texts`, the n-th (from 1) with id n.
fn index_of(texts: &[String], shards: usize) -> SearchIndex {
    SearchIndex::build_in(
        texts.iter().enumerate().map(|(i, t)| doc(i as u8 + 1, t)),
        shards,
    )
    .unwrap()
}

/// The ids of a query's hits.
fn hits(index: &SearchIndex, q: &str, limit: usize) -> Vec<Uuid> {
    index
        .query(&terms(q), limit)
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn two_shards_find_every_match_once_in_the_order_of_each_shards_rank() {
    // "побои" only in documents with an odd row id (one shard), more of them than the
    // smaller limits, so that each shard must give its best `limit`, not a share.
    let texts: Vec<String> = (0..150u8)
        .map(|i| {
            let mut t = "камера ".repeat(usize::from(i % 4) + 1);
            if i % 3 != 0 {
                t.push_str(&"арест ".repeat(usize::from(i % 5) + 1));
            }
            if i % 2 == 0 {
                t.push_str(&"побои ".repeat(usize::from(i % 7) + 1));
            }
            if i % 5 == 1 {
                t.push_str("суд ");
            }
            t
        })
        .collect();
    let (one, two) = (index_of(&texts, 1), index_of(&texts, 2));
    // What the two tables' own ranks give, taken together, ties in indexing order.
    let expected = |q: &str, limit: usize| -> Vec<Uuid> {
        let mut all: Vec<(f64, i64)> = Vec::new();
        for db in two.shard_tables() {
            let mut stmt = db
                .prepare("SELECT rank, rowid FROM doc WHERE doc MATCH ?1")
                .unwrap();
            all.extend(
                stmt.query_map([fts_query(&terms(q))], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .map(|r| r.unwrap()),
            );
        }
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.iter()
            .take(limit)
            .map(|&(_, rowid)| two.id_of(rowid))
            .collect()
    };
    for q in [
        "арест",
        "побои",
        "арест побои",
        "камера",
        "арест суд",
        "суд",
    ] {
        let all = hits(&two, q, usize::MAX);
        let mut found = all.clone();
        found.sort();
        let mut in_one = hits(&one, q, usize::MAX);
        in_one.sort();
        assert_eq!(found, in_one, "{q}: the same documents as one table");
        found.dedup();
        assert_eq!(found.len(), all.len(), "{q}: each once");
        for limit in [1, 3, 10, 40, usize::MAX] {
            assert_eq!(
                hits(&two, q, limit),
                expected(q, limit),
                "{q}, limit {limit}"
            );
        }
    }
    let beaten = hits(&two, "побои", usize::MAX);
    assert_eq!(beaten.len(), 75);
    assert!(
        beaten.iter().all(|id| id.as_bytes()[0] % 2 == 1),
        "one shard"
    );
}

#[test]
fn with_the_same_texts_in_both_shards_one_word_ranks_as_in_one_table() {
    // Documents in identical pairs, indexed one after the other, so that each shard
    // holds the same texts. For a query of one word with one folded reading (one FTS5
    // phrase), bm25 then differs between one table and a shard only by the word's
    // weight, the same for every document of both shards: the order, ties in indexing
    // order, must be the one table's. A Latin word, searched in several readings, and
    // queries of several words need not keep it: their weights do not scale alike.
    let texts: Vec<String> = (0..120u8)
        .map(|i| {
            let i = i / 2;
            let filler = "камера ночью ".repeat(usize::from(i % 5) * 3);
            if i % 6 == 5 {
                format!("освобождён {filler}")
            } else {
                let times = usize::from(i % 7) + 1;
                format!(
                    "{} {filler} {}",
                    "арест ".repeat(times),
                    "суд ".repeat(usize::from(i % 3))
                )
            }
        })
        .collect();
    let (one, two) = (index_of(&texts, 1), index_of(&texts, 2));
    for q in ["арест", "камера", "освобожден", "суд"] {
        assert!(!hits(&one, q, usize::MAX).is_empty(), "{q}");
        for limit in [1, 5, 17, 40, 100, usize::MAX] {
            assert_eq!(
                hits(&two, q, limit),
                hits(&one, q, limit),
                "{q}, limit {limit}"
            );
        }
    }
}

#[test]
fn a_build_that_cannot_read_a_document_reports_why() {
    for shards in [1, 2] {
        let docs = (1..=5u8).map(|n| {
            if n == 4 {
                Err(crate::Error::Storage("version 4 does not open".into()))
            } else {
                doc(n, "Задержан в Алматы")
            }
        });
        let err = SearchIndex::build_in(docs, shards).unwrap_err();
        assert!(
            matches!(&err, crate::Error::Storage(why) if why == "version 4 does not open"),
            "{shards} shards: {err:?}"
        );
    }
}

#[test]
fn documents_sent_in_batches_are_each_indexed_once_in_their_shard() {
    // At least three full batches per shard and a part of one (one table: six and 5
    // documents; two: three and 3 or 2): every document is in the table its row id
    // picks and found by its own word; the last, partial batches too. (A document sent
    // twice to one table would not show here: FTS5 keeps one row per row id. The test
    // of `feed` below sees that.)
    let n = u8::try_from(6 * index::BATCH + 5).expect("the documents' ids are one byte");
    for shards in [1, 2] {
        let docs = (1..=n).map(|i| doc(i, &format!("Алматы слово{i}я")));
        let index = SearchIndex::build_in(docs, shards).unwrap();
        assert_eq!(index.len(), usize::from(n));
        let held: Vec<i64> = index
            .shard_tables()
            .iter()
            .map(|db| {
                db.query_row("SELECT count(*) FROM doc", [], |r| r.get(0))
                    .unwrap()
            })
            .collect();
        let expected: Vec<i64> = (0..shards)
            .map(|s| {
                (1..=i64::from(n))
                    .filter(|r| index::shard_of(*r, shards) == s)
                    .count() as i64
            })
            .collect();
        assert_eq!(held, expected, "{shards} shards");
        for i in 1..=n {
            assert_eq!(
                hits(&index, &format!("слово{i}я"), 10),
                vec![Uuid::from_bytes([i; 16])],
                "{shards} shards, document {i}"
            );
        }
        assert_eq!(hits(&index, "алматы", 1_000).len(), usize::from(n));
    }
}

#[test]
fn feed_sends_each_document_once_in_batches_to_its_shard() {
    let n = 6 * index::BATCH + 5;
    for shards in [1usize, 2] {
        let (senders, receivers): (Vec<_>, Vec<_>) = (0..shards)
            .map(|_| std::sync::mpsc::sync_channel::<index::Batch>(n))
            .unzip();
        let mut fed = SearchIndex::empty();
        let docs = (1..=n).map(|i| doc(i as u8, "Алматы"));
        assert!(index::feed(&mut fed, docs, &senders).is_none());
        drop(senders);
        let mut seen = Vec::new();
        for (at, receiver) in receivers.into_iter().enumerate() {
            let batches: Vec<index::Batch> = receiver.into_iter().collect();
            let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
            let held = (1..=n)
                .filter(|r| index::shard_of(*r as i64, shards) == at)
                .count();
            let mut expected = vec![index::BATCH; held / index::BATCH];
            expected.push(held % index::BATCH);
            assert_eq!(sizes, expected, "{shards} shards, shard {at}");
            let rowids: Vec<i64> = batches.into_iter().flatten().map(|(r, _)| r).collect();
            assert!(
                rowids.windows(2).all(|w| w[0] < w[1]),
                "in order, each once"
            );
            assert!(rowids.iter().all(|r| index::shard_of(*r, shards) == at));
            seen.extend(rowids);
        }
        seen.sort_unstable();
        assert_eq!(seen, (1..=n as i64).collect::<Vec<_>>(), "{shards} shards");
        assert_eq!(fed.len(), n);
    }
}

#[test]
fn a_large_index_is_split_only_on_more_than_one_core() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(SearchIndex::shards_for(0), 1);
    assert_eq!(SearchIndex::shards_for(index::SHARDED_FROM - 1), 1);
    assert_eq!(SearchIndex::shards_for(index::SHARDED_FROM), cores.min(2));
}

#[test]
fn a_shard_left_by_a_failed_thread_fails_the_search_with_a_clear_error() {
    let index = SearchIndex::build_in(
        [doc(1, "Задержан в Алматы"), doc(2, "Алматы")].into_iter(),
        2,
    )
    .unwrap();
    assert_eq!(hits(&index, "алматы", 10).len(), 2);
    index.poison(1);
    let err = index.query(&terms("алматы"), 10).unwrap_err();
    assert!(
        matches!(&err, crate::Error::Storage(why) if why.contains("unusable")),
        "{err:?}"
    );
}
