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

use crate::error::Result;
use crate::model::{ListPage, ListQuery, ListRow, ListSort, Status, LIST_WINDOW_MAX};
use crate::seams::format_time;
use crate::vault::{Ctx, Vault};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// How many characters of the narrative a row shows.
const EXCERPT_CHARS: usize = 120;

/// What the list filters and sorts by, for one testimony's latest version.
#[derive(Debug, Clone)]
struct Entry {
    version: u32,
    status: Status,
    template: String,
    language: String,
    /// RFC 3339 in UTC, as the rows show them; they sort as the times do.
    created_at: String,
    updated_at: String,
}

/// The entries of every testimony read so far while the vault is unlocked.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    entries: HashMap<Uuid, Entry>,
}

impl Listing {
    /// Drops what was read of a testimony that has just been written.
    pub(crate) fn forget(&mut self, id: &Uuid) {
        self.entries.remove(id);
    }
}

impl Ctx<'_> {
    /// Reads the entries of testimonies not read yet or changed since, and drops those
    /// of testimonies that are gone.
    fn refresh_listing(&mut self) -> Result<()> {
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
        for id in stale {
            let body = self.read_version(self.keys.catalog.latest(&id)?)?;
            let entry = Entry {
                version: body.version,
                status: body.status,
                template: body.template,
                language: body.language,
                created_at: format_time(body.created_at),
                updated_at: format_time(body.updated_at),
            };
            self.keys.listing.entries.insert(id, entry);
        }
        let catalog = &self.keys.catalog.testimonies;
        if self.keys.listing.entries.len() > catalog.len() {
            self.keys
                .listing
                .entries
                .retain(|id, _| catalog.contains_key(id));
        }
        Ok(())
    }
}

impl Vault {
    /// A window of the testimony list: the testimonies that match `query`, in its
    /// order, from `offset`, at most `limit` (and at most `LIST_WINDOW_MAX`) rows.
    /// Equal times are ordered by id, so windows of one query never overlap or skip.
    pub fn list_window(&mut self, query: &ListQuery) -> Result<ListPage> {
        let mut ctx = self.ctx()?;
        ctx.refresh_listing()?;
        let entries = &ctx.keys.listing.entries;
        // Ids that do not parse match nothing, as an unknown id would.
        let only: Option<HashSet<Uuid>> = query.ids.as_ref().map(|ids| {
            ids.iter()
                .filter_map(|s| Uuid::parse_str(s.trim()).ok())
                .collect()
        });
        let day = |time: &str| time.get(..10).map(str::to_owned).unwrap_or_default();
        let mut matching: Vec<(&Uuid, &Entry)> = entries
            .iter()
            .filter(|(id, e)| {
                only.as_ref().is_none_or(|o| o.contains(id))
                    && query.status.is_none_or(|s| s == e.status)
                    && query.language.as_ref().is_none_or(|l| *l == e.language)
                    && query.template.as_ref().is_none_or(|t| *t == e.template)
                    && query.from.as_ref().is_none_or(|f| day(&e.created_at) >= *f)
                    && query.to.as_ref().is_none_or(|t| day(&e.created_at) <= *t)
            })
            .collect();
        matching.sort_unstable_by(|(a_id, a), (b_id, b)| {
            let by_time = match query.sort {
                ListSort::Updated => b.updated_at.cmp(&a.updated_at),
                ListSort::Created => b.created_at.cmp(&a.created_at),
                ListSort::CreatedAsc => a.created_at.cmp(&b.created_at),
            };
            by_time.then_with(|| a_id.cmp(b_id))
        });
        let languages: BTreeSet<&str> = entries.values().map(|e| e.language.as_str()).collect();
        let limit = query.limit.min(LIST_WINDOW_MAX) as usize;
        let window: Vec<(Uuid, Entry)> = matching
            .iter()
            .skip(query.offset as usize)
            .take(limit)
            .map(|(id, e)| (**id, (*e).clone()))
            .collect();
        let page = ListPage {
            matching: matching.len() as u32,
            total: entries.len() as u32,
            languages: languages.into_iter().map(str::to_owned).collect(),
            rows: Vec::with_capacity(window.len()),
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
        Ok(ListRow {
            id: id.to_string(),
            status: entry.status,
            version: entry.version,
            template: entry.template,
            language: entry.language,
            created_at: entry.created_at,
            updated_at: entry.updated_at,
            excerpt: body.narrative.chars().take(EXCERPT_CHARS).collect(),
            attachments,
        })
    }
}
