//! Full-text search over an index that exists only in memory while the vault is
//! unlocked: an in-memory SQLite database with an FTS5 table, temp storage in memory.
//! Nothing of it is ever written to disk, and locking drops it.
//!
//! Text is lower-cased before it is indexed and before it is queried (Cyrillic and
//! ASCII by arithmetic, the rest by Rust's Unicode case mapping), so Cyrillic and the Kazakh letters (ә ғ қ ң ө ұ ү һ і) match
//! whatever their case, independently of the tokenizer's own folding tables.
//!
//! Search also finds what people type rather than what the testimony says (`fold.rs`):
//! е for ё, Kazakh words typed on a Russian layout, names in Latin letters. The index
//! holds the folded text (one column, so it costs what plain FTS5 costs), and a query
//! word matches in any of its folded readings. Of the best twice-as-many-as-shown hits
//! by FTS5's rank, those with every query word in the letters as typed come first
//! (`exact_first`), each group in rank order; the decision needs the original text,
//! decrypted as for the snippets, and stops as soon as as many hits as are shown hold
//! the query as typed (no hit ranked lower could then be shown).
//!
//! The FTS5 table is contentless: it keeps the index of the folded words (and each
//! document's length, for the ranking) but not the text itself. Snippets are cut from
//! the decrypted original, so a copy of every testimony's text would only cost memory
//! and insert time, and would be one more plaintext copy held while the vault is open.

mod fold;
mod rank;

use crate::error::Result;
use crate::model::SearchHit;
use crate::model::Status;
use crate::template::{Field, FieldType};
use crate::testimony::VersionBody;
use crate::vault::{Ctx, Vault};
use rusqlite::{params, Connection};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug)]
pub struct SearchIndex {
    db: Connection,
    rowids: HashMap<Uuid, i64>,
    ids: HashMap<i64, (Uuid, u32, Status)>,
    next: i64,
}

/// A document to index: a testimony's latest version.
#[derive(Debug)]
pub struct Doc {
    pub id: Uuid,
    pub version: u32,
    pub status: Status,
    pub text: String,
}

/// A raw hit before the vault turns it into a `SearchHit`.
#[derive(Debug)]
pub struct Hit {
    pub id: Uuid,
    pub version: u32,
    pub status: Status,
}

impl SearchIndex {
    pub fn new() -> Result<Self> {
        let db = Connection::open_in_memory()?;
        db.execute_batch(
            "PRAGMA temp_store = MEMORY;
             CREATE VIRTUAL TABLE doc USING fts5(body, content = '', contentless_delete = 1,
                 tokenize = 'unicode61 remove_diacritics 0');",
        )?;
        Ok(SearchIndex {
            db,
            rowids: HashMap::new(),
            ids: HashMap::new(),
            next: 1,
        })
    }

    /// Builds the index from many documents in one transaction. Reading the documents
    /// (decrypting, decoding, lower-casing, folding: the caller's iterator and
    /// `fold_text`) runs on this thread while a second one feeds the FTS5 table, so that
    /// on two cores the build takes about as long as the FTS5 inserts alone. The text
    /// passes between them in memory only.
    pub fn build(docs: impl Iterator<Item = Result<Doc>>) -> Result<Self> {
        // Enough to keep both threads busy, few enough to hold little plaintext.
        const QUEUE: usize = 256;
        let index = SearchIndex::new()?;
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<(Hit, String)>(QUEUE);
            let inserter = scope.spawn(move || -> Result<SearchIndex> {
                let mut index = index;
                let tx = index.db.unchecked_transaction()?;
                for (doc, body) in receive {
                    let Hit {
                        id,
                        version,
                        status,
                    } = doc;
                    let rowid = index.next;
                    index.next += 1;
                    tx.prepare_cached("INSERT INTO doc (rowid, body) VALUES (?1, ?2)")?
                        .execute(params![rowid, body])?;
                    index.rowids.insert(id, rowid);
                    index.ids.insert(rowid, (id, version, status));
                }
                tx.commit()?;
                Ok(index)
            });
            let mut failed = None;
            for doc in docs {
                match doc {
                    Ok(doc) => {
                        let body = fold::fold_text(&doc.text);
                        let hit = Hit {
                            id: doc.id,
                            version: doc.version,
                            status: doc.status,
                        };
                        // The inserter stops only on an error, which join reports.
                        if send.send((hit, body)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            drop(send);
            let built = inserter
                .join()
                .map_err(|_| crate::Error::Storage("the search index could not be built".into()))?;
            match failed {
                Some(e) => Err(e),
                None => built,
            }
        })
    }

    /// Adds or replaces one document.
    pub fn upsert(&mut self, doc: Doc) -> Result<()> {
        self.remove(&doc.id)?;
        let rowid = self.next;
        self.next += 1;
        self.db
            .prepare_cached("INSERT INTO doc (rowid, body) VALUES (?1, ?2)")?
            .execute(params![rowid, fold::fold_text(&doc.text)])?;
        self.rowids.insert(doc.id, rowid);
        self.ids.insert(rowid, (doc.id, doc.version, doc.status));
        Ok(())
    }

    pub fn remove(&mut self, id: &Uuid) -> Result<()> {
        if let Some(rowid) = self.rowids.remove(id) {
            self.ids.remove(&rowid);
            self.db
                .prepare_cached("DELETE FROM doc WHERE rowid = ?1")?
                .execute(params![rowid])?;
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Every document containing all the words of a query (each as a prefix, in any of
    /// its folded readings), best first, at most `limit` (`rank::best`).
    fn query(&self, terms: &[Term], limit: usize) -> Result<Vec<Hit>> {
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .db
            .prepare_cached("SELECT rowid, rank FROM doc WHERE doc MATCH ?1")?;
        let matches = stmt.query_map(params![fts_query(terms)], |row| {
            Ok((row.get::<_, f64>(1)?, row.get::<_, i64>(0)?))
        })?;
        // No more rows were ever indexed than `next` counts, whatever was removed since
        // (a row whose removal failed is still in FTS5, and dropped below).
        let indexed = usize::try_from(self.next).unwrap_or(usize::MAX);
        let best = rank::best(matches, limit.min(indexed))?;
        Ok(best
            .into_iter()
            .filter_map(|rowid| {
                self.ids.get(&rowid).map(|&(id, version, status)| Hit {
                    id,
                    version,
                    status,
                })
            })
            .collect())
    }
}

/// The words of a text as the tokenizer sees them (runs of letters and digits).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !fold::is_word_char(c))
        .filter(|w| !w.is_empty())
}

/// Where each word of `text` starts and ends, in bytes.
fn spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (fold::is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// One word of a query: as typed (lower-cased), and the folded forms it may stand for.
#[derive(Debug)]
struct Term {
    exact: String,
    folded: Vec<String>,
}

fn terms(query: &str) -> Vec<Term> {
    words(&fold::lower(query))
        .filter_map(|w| {
            let mut folded = vec![fold::fold(w).into_owned()];
            for reading in fold::latin_to_cyrillic(w) {
                if !folded.contains(&reading) {
                    folded.push(reading);
                }
            }
            // A word of signs alone (ь) folds to nothing: it would match every word.
            folded.retain(|f| !f.is_empty());
            (!folded.is_empty()).then(|| Term {
                exact: w.to_string(),
                folded,
            })
        })
        .collect()
}

/// A word as an FTS5 prefix phrase: quoted, so no FTS5 syntax from the user is
/// interpreted.
fn phrase(word: &str) -> String {
    format!("\"{}\"*", word.replace('"', "\"\""))
}

/// Every word, in any of its folded readings.
fn fts_query(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|t| {
            let any: Vec<String> = t.folded.iter().map(|f| phrase(f)).collect();
            format!("({})", any.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Whether `text` holds every word of the query in the letters as typed (each as the
/// start of a word, whatever the case). It reads the text once, and stops at the word
/// that completes the query.
fn exact(text: &str, terms: &[Term]) -> bool {
    let mut missing: Vec<&str> = terms.iter().map(|t| t.exact.as_str()).collect();
    let mut lower = String::new();
    for word in words(text) {
        lower.clear();
        fold::lower_into(word, &mut lower);
        missing.retain(|t| !lower.starts_with(t));
        if missing.is_empty() {
            return true;
        }
    }
    missing.is_empty()
}

/// Puts the hits whose text holds the query as typed before those that match only
/// folded, keeping FTS5's rank order within each group.
fn exact_first<T>(found: &mut [(bool, T)]) {
    found.sort_by_key(|(exact, _)| !*exact);
}

/// The hits shown, from candidates in rank order, each read (decrypted) only when
/// needed and marked whether it holds the query as typed: those first, then the ones
/// that match only folded, `limit` in all. Reading stops at the `limit`-th hit as
/// typed, since no candidate after it could be shown.
fn shown<T>(candidates: impl Iterator<Item = Result<(bool, T)>>, limit: usize) -> Result<Vec<T>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut exactly = 0;
    for candidate in candidates {
        let (as_typed, hit) = candidate?;
        exactly += usize::from(as_typed);
        found.push((as_typed, hit));
        if exactly == limit {
            break;
        }
    }
    exact_first(&mut found);
    found.truncate(limit);
    Ok(found.into_iter().map(|(_, hit)| hit).collect())
}

/// The text of a version that search sees: the narrative, every text value, and the
/// labels (in en, ru and kk) of every chosen option, so a search for "избиение" finds a
/// record whose methods include `beating`.
fn doc_text(body: &VersionBody) -> String {
    let template = crate::template::find(&body.template);
    let mut text = body.narrative.clone();
    for (id, value) in &body.fields {
        let field = template.as_ref().and_then(|t| t.field(id));
        push_value(&mut text, field, value);
    }
    text
}

fn push_value(text: &mut String, field: Option<&Field>, value: &Value) {
    if field.is_some_and(|f| f.kind == FieldType::BodyMap) {
        crate::body::search_text(value, text);
        return;
    }
    let label_of = |opt: &str| {
        field
            .filter(|f| matches!(f.kind, FieldType::Choice | FieldType::MultiChoice))
            .and_then(|f| f.options.iter().find(|o| o.id == opt))
            .map(|o| format!("{} {} {}", o.label.en, o.label.ru, o.label.kk))
    };
    match value {
        Value::String(s) => {
            text.push('\n');
            text.push_str(&label_of(s).unwrap_or_else(|| s.clone()));
        }
        Value::Number(n) => {
            text.push('\n');
            text.push_str(&n.to_string());
        }
        Value::Array(items) => {
            for item in items {
                push_value(text, field, item);
            }
        }
        Value::Object(obj) => {
            for (k, v) in obj {
                let sub = field.and_then(|f| f.fields.iter().find(|s| &s.id == k));
                push_value(text, sub, v);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

impl Ctx<'_> {
    fn doc(&self, id: &Uuid) -> Result<Doc> {
        let head = self.keys.catalog.latest(id)?;
        let body = self.read_version(head)?;
        Ok(Doc {
            id: *id,
            version: body.version,
            status: body.status,
            text: doc_text(&body),
        })
    }
}

impl Vault {
    /// Builds the in-memory search index now (it is otherwise built on first search).
    /// Returns the number of testimonies indexed.
    pub fn build_search_index(&mut self) -> Result<usize> {
        let ctx = self.ctx()?;
        let ids: Vec<Uuid> = ctx.keys.catalog.testimonies.keys().copied().collect();
        let index = SearchIndex::build(ids.iter().map(|id| ctx.doc(id)))?;
        let n = index.len();
        self.ctx()?.keys.search = Some(index);
        Ok(n)
    }

    /// Full-text search over narratives and fields of every testimony's latest version.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        if self.ctx()?.keys.search.is_none() {
            self.build_search_index()?;
        }
        let ctx = self.ctx()?;
        let Some(index) = ctx.keys.search.as_ref() else {
            return Ok(Vec::new());
        };
        // The index holds folded text; snippets come from the original, decrypted
        // for the hits that may be shown only.
        // Exact letters first is decided among twice as many candidates as are shown,
        // so that a hit as typed that FTS5 ranks a little lower is not cut for a
        // folded one (the decision needs the decrypted text). The candidates are read
        // in rank order, and reading stops once `limit` of them hold the query as
        // typed: those are then the hits shown, whatever the rest hold.
        let terms = terms(query);
        let candidates = index.query(&terms, limit.saturating_mul(2))?;
        let shown = shown(
            candidates.into_iter().map(|h| {
                let text = ctx.doc(&h.id)?.text;
                Ok((exact(&text, &terms), (h, text)))
            }),
            limit,
        )?;
        Ok(shown
            .into_iter()
            .map(|(h, text)| SearchHit {
                id: h.id.to_string(),
                version: h.version,
                status: h.status,
                snippet: snippet(&text, &terms),
            })
            .collect())
    }

    /// Brings one testimony's entry up to date, if the index exists, and drops what the
    /// list had read of it (listing.rs). It runs after a change has committed, so it
    /// cannot fail the change: if the entry cannot be updated, the index is dropped and
    /// rebuilt on the next search.
    pub(crate) fn reindex(&mut self, id: &Uuid) {
        let Ok(ctx) = self.ctx() else { return };
        ctx.keys.listing.forget(id);
        if ctx.keys.search.is_none() {
            return;
        }
        let updated = ctx.doc(id).and_then(|doc| match ctx.keys.search.as_mut() {
            Some(index) => index.upsert(doc),
            None => Ok(()),
        });
        if updated.is_err() {
            ctx.keys.search = None;
        }
    }
}

/// A few words around the first match of any query word, in the original case and
/// letters, with each matching word (as typed or folded) in [brackets].
fn snippet(text: &str, terms: &[Term]) -> String {
    const CONTEXT: usize = 8;
    let words = spans(text);
    let exactly = |&(a, b): &(usize, usize)| {
        let w = fold::lower(&text[a..b]);
        terms.iter().any(|t| w.starts_with(t.exact.as_str()))
    };
    let matches = |&(a, b): &(usize, usize)| {
        let w = fold::lower(&text[a..b]);
        let folded = fold::fold(&w);
        terms.iter().any(|t| {
            w.starts_with(t.exact.as_str())
                || t.folded.iter().any(|f| folded.starts_with(f.as_str()))
        })
    };
    // Around the first word as typed, or else the first that matches folded.
    let first = words
        .iter()
        .position(exactly)
        .or_else(|| words.iter().position(matches))
        .unwrap_or(0);
    let from = first.saturating_sub(CONTEXT);
    let to = (first + CONTEXT + 1).min(words.len());
    let Some(&(window_start, _)) = words.get(from) else {
        return String::new();
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = window_start;
    for w in &words[from..to] {
        out.push_str(&text[at..w.0]);
        if matches(w) {
            out.push('[');
            out.push_str(&text[w.0..w.1]);
            out.push(']');
        } else {
            out.push_str(&text[w.0..w.1]);
        }
        at = w.1;
    }
    if to < words.len() {
        out.push('…');
    } else {
        out.push_str(&text[at..]);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
