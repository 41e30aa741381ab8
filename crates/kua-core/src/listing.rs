//! The testimony list in windows: a front end asks for the rows it shows (filtered,
//! sorted, from an offset), not for the whole list, so that 100,000 testimonies cost
//! the page and the IPC no more than the rows on screen.
//!
//! Filtering and sorting need a few fields of every testimony's latest version. They are
//! read once per version into `Listing`, which lives in memory only, beside the catalog,
//! and goes with it at lock. Invariant: an entry describes the version the catalog holds
//! as latest. A new version changes the version number, which `refresh` notices; an
//! autosave rewrites a draft in place, so every write of a testimony calls `forget` (in
//! `Vault::reindex`, which every such write already calls for the search index).

use crate::error::{Error, Result};
use crate::model::{ListPage, ListQuery, ListRow, ListSort, Status, LIST_WINDOW_MAX};
use crate::seams::format_time;
use crate::vault::{Ctx, Vault};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// How many characters of the narrative a row shows.
const EXCERPT_CHARS: usize = 120;

/// What the list filters and sorts by, for one testimony's latest version. Small and
/// without allocations of its own (names are interned in `Listing::names`), since a
/// coordinator's vault holds 100,000 of them.
#[derive(Debug, Clone, Copy)]
struct Entry {
    version: u32,
    status: Status,
    template: u32,
    language: u32,
    /// Milliseconds since the epoch, UTC.
    created: i64,
    updated: i64,
}

/// The entries of every testimony read so far while the vault is unlocked.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    entries: HashMap<Uuid, Entry>,
    /// Template ids and language codes, each once; entries hold their positions.
    names: Vec<String>,
}

impl Listing {
    /// Drops what was read of a testimony that has just been written.
    pub(crate) fn forget(&mut self, id: &Uuid) {
        self.entries.remove(id);
    }

    fn intern(&mut self, name: String) -> u32 {
        match self.names.iter().position(|n| *n == name) {
            Some(i) => i as u32,
            None => {
                self.names.push(name);
                (self.names.len() - 1) as u32
            }
        }
    }

    fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", String::as_str)
    }

    /// The position of a name, or None when no entry has it (then nothing matches).
    fn find(&self, name: &str) -> Option<u32> {
        self.names.iter().position(|n| n == name).map(|i| i as u32)
    }
}

/// The first millisecond of a day (YYYY-MM-DD, UTC).
fn day_start(day: &str) -> Result<i64> {
    let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map_err(|_| Error::BadInput(format!("{day:?} is not a date (YYYY-MM-DD)")))?;
    Ok(date
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp_millis())
}

impl Ctx<'_> {
    /// Reads the entries of testimonies not read yet or changed since, and drops those
    /// of testimonies that are gone. Returns how many it read.
    fn refresh_listing(&mut self) -> Result<u32> {
        let stale: Vec<Uuid> = self
            .keys
            .catalog
            .testimonies
            .iter()
            .filter_map(|(id, versions)| {
                let latest = versions.last()?.version;
                let current = self.keys.listing.entries.get(id);
                (current.map(|e| e.version) != Some(latest)).then_some(*id)
            })
            .collect();
        let read = stale.len() as u32;
        for id in stale {
            let head = self.keys.catalog.latest(&id)?;
            let version = head.version;
            let body = self.read_version(head)?;
            let listing = &mut self.keys.listing;
            let entry = Entry {
                // The catalog's number, which `refresh_listing` compares with.
                version,
                status: body.status,
                template: listing.intern(body.template),
                language: listing.intern(body.language),
                created: body.created_at,
                updated: body.updated_at,
            };
            listing.entries.insert(id, entry);
        }
        let catalog = &self.keys.catalog.testimonies;
        if self.keys.listing.entries.len() > catalog.len() {
            self.keys
                .listing
                .entries
                .retain(|id, _| catalog.contains_key(id));
        }
        Ok(read)
    }
}

impl Vault {
    /// A window of the testimony list: the testimonies that match `query`, in its
    /// order, from `offset`, at most `limit` (and at most `LIST_WINDOW_MAX`) rows.
    /// Equal times are ordered by id, so windows of one query never overlap or skip.
    pub fn list_window(&mut self, query: &ListQuery) -> Result<ListPage> {
        let mut ctx = self.ctx()?;
        let read = ctx.refresh_listing()?;
        let listing = &ctx.keys.listing;
        // Ids that do not parse match nothing, as an unknown id would.
        let only: Option<HashSet<Uuid>> = query.ids.as_ref().map(|ids| {
            ids.iter()
                .filter_map(|s| Uuid::parse_str(s.trim()).ok())
                .collect()
        });
        // A name no testimony has matches nothing (u32::MAX is no name's position).
        let wanted =
            |name: &Option<String>| name.as_deref().map(|n| listing.find(n).unwrap_or(u32::MAX));
        let (language, template) = (wanted(&query.language), wanted(&query.template));
        let from = query.from.as_deref().map(day_start).transpose()?;
        // Up to the end of that day: before the start of the next.
        let until = match query.to.as_deref() {
            Some(day) => Some(day_start(day)? + 86_400_000),
            None => None,
        };
        let mut matching: Vec<(&Uuid, &Entry)> = listing
            .entries
            .iter()
            .filter(|(id, e)| {
                only.as_ref().is_none_or(|o| o.contains(id))
                    && query.status.is_none_or(|s| s == e.status)
                    && language.is_none_or(|l| l == e.language)
                    && template.is_none_or(|t| t == e.template)
                    && from.is_none_or(|f| e.created >= f)
                    && until.is_none_or(|u| e.created < u)
            })
            .collect();
        matching.sort_unstable_by(|(a_id, a), (b_id, b)| {
            let by_time = match query.sort {
                ListSort::Updated => b.updated.cmp(&a.updated),
                ListSort::Created => b.created.cmp(&a.created),
                ListSort::CreatedAsc => a.created.cmp(&b.created),
            };
            by_time.then_with(|| a_id.cmp(b_id))
        });
        let languages: BTreeSet<&str> = listing
            .entries
            .values()
            .map(|e| listing.name(e.language))
            .collect();
        let limit = query.limit.min(LIST_WINDOW_MAX) as usize;
        let window: Vec<(Uuid, Entry)> = matching
            .iter()
            .skip(query.offset as usize)
            .take(limit)
            .map(|(id, e)| (**id, **e))
            .collect();
        let page = ListPage {
            matching: matching.len() as u32,
            total: listing.entries.len() as u32,
            languages: languages.into_iter().map(str::to_owned).collect(),
            rows: Vec::with_capacity(window.len()),
            read,
        };
        window.into_iter().try_fold(page, |mut page, (id, entry)| {
            page.rows.push(ctx.row(&id, entry)?);
            Ok(page)
        })
    }
}

impl Ctx<'_> {
    /// One row: the entry, the start of the narrative (decrypted for the rows shown
    /// only) and the number of attachments (from the catalog, without decrypting).
    fn row(&self, id: &Uuid, entry: Entry) -> Result<ListRow> {
        let body = self.read_version(self.keys.catalog.latest(id)?)?;
        let attachments = self
            .keys
            .catalog
            .attachments
            .get(id)
            .map_or(0, |a| a.len() as u32);
        let listing = &self.keys.listing;
        Ok(ListRow {
            id: id.to_string(),
            status: entry.status,
            version: entry.version,
            template: listing.name(entry.template).to_owned(),
            language: listing.name(entry.language).to_owned(),
            created_at: format_time(entry.created),
            updated_at: format_time(entry.updated),
            excerpt: body.narrative.chars().take(EXCERPT_CHARS).collect(),
            attachments,
        })
    }
}
