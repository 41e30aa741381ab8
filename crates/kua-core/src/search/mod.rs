//! Full-text search over an index that exists only in memory while the vault is
//! unlocked: in-memory SQLite databases with an FTS5 table, temp storage in memory
//! (index.rs; a large index is split in two, searched on both cores). Nothing of it is
//! ever written to disk, and locking drops it.
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
mod index;
mod rank;

use index::Doc;
pub use index::SearchIndex;

use crate::error::Result;
use crate::model::SearchHit;
use crate::template::{Field, FieldType};
use crate::testimony::VersionBody;
use crate::vault::{Ctx, Vault};
use serde_json::Value;
use uuid::Uuid;

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
        let testimonies = self.ctx()?.keys.catalog.testimonies.len();
        self.build_search_index_in(SearchIndex::shards_for(testimonies))
    }

    /// Builds the index now in `shards` tables (one or two), whatever the vault holds; a
    /// later rebuild goes back to `build_search_index`'s choice. For tests that
    /// need the sharded search on a small vault (tests/it/memory.rs), which
    /// `build_search_index` builds only from `index::SHARDED_FROM` testimonies.
    #[doc(hidden)]
    pub fn build_search_index_in(&mut self, shards: usize) -> Result<usize> {
        let ctx = self.ctx()?;
        let ids: Vec<Uuid> = ctx.keys.catalog.testimonies.keys().copied().collect();
        let index = SearchIndex::build_in(ids.iter().map(|id| ctx.doc(id)), shards)?;
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
        let candidates = match index.query(&terms, limit.saturating_mul(2)) {
            Ok(candidates) => candidates,
            Err(e) => {
                // Every word of a query is quoted (`fts_query`), so a failure is the
                // index's, not the words': a shard left by a thread that panicked
                // (index.rs) or an SQLite error would fail every search the same way.
                // The next search builds the index again instead.
                ctx.keys.search = None;
                return Err(e);
            }
        };
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
mod index_tests;
#[cfg(test)]
mod tests;
