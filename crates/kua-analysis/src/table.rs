//! Counting: a selection of records (filters, a date range), then a table by one
//! dimension or a cross-tab by two. Every count is of records, and every category,
//! "not recorded" included, appears even when its count is zero.

use crate::dates::{Day, Span};
use crate::dimension::{age_bands, labels, Dimension};
use crate::error::{Error, Result};
use crate::set::{AnalysisSet, Row, SetNotes};
use crate::suppress::withhold;
use kua_core::model::Status;
use kua_core::template;
use kua_core::RecordSource;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The code a filter or a cell uses for "not recorded" on the command line.
pub const NOT_RECORDED: &str = "not_recorded";

/// One filter: the records whose dimension has any of these codes (`None`: not recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Filter {
    pub dimension: Dimension,
    pub codes: Vec<Option<String>>,
}

/// What to count. Filters on different dimensions all apply; codes of one filter are
/// alternatives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Query {
    pub by: Vec<Dimension>,
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the events on or after its first day.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub from: Option<String>,
    /// The events on or before its last day.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub to: Option<String>,
    /// Withhold counts under five, with their complements.
    #[serde(default)]
    pub public: bool,
}

impl Query {
    /// Parses `DIM=CODE` as the CLI takes it, adding it to this query's filters.
    pub fn add_filter(&mut self, arg: &str) -> Result<()> {
        let (dim, code) = arg
            .split_once('=')
            .ok_or_else(|| Error::BadFilter(arg.to_string()))?;
        let dimension = Dimension::parse(dim)?;
        let code = code.trim();
        let code = (code != NOT_RECORDED).then(|| code.to_string());
        match self.filters.iter_mut().find(|f| f.dimension == dimension) {
            Some(f) => f.codes.push(code),
            None => self.filters.push(Filter {
                dimension,
                codes: vec![code],
            }),
        }
        Ok(())
    }
}

/// A category of a dimension, with its label and how many selected records have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Category {
    /// `None` for "not recorded".
    pub code: Option<String>,
    pub label: String,
    /// The records of the selection in this category; `None` when withheld.
    pub count: Option<u64>,
    /// Why the count is withheld, when it is.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Suppressed>,
}

/// Why a published count is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Suppressed {
    /// Under five: it could point at a person.
    Small,
    /// Any size: withheld so that a small one cannot be worked out from the totals.
    Complement,
}

/// One cell: a category of each `by` dimension and the records in all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Cell {
    pub codes: Vec<Option<String>>,
    /// `None` when withheld.
    pub count: Option<u64>,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Suppressed>,
}

/// Records a date range had to leave out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DateExclusions {
    /// No date of the events recorded.
    pub no_date: u64,
    /// A date too approximate to tell whether it lies in the range (a year, a month
    /// across the range's edge).
    pub imprecise: u64,
    /// Left out of published figures: the person's consent covers neither the
    /// coalition nor anonymised publication.
    pub consent: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Table {
    pub by: Vec<Dimension>,
    /// Records in the selection; `None` when withheld.
    pub total: Option<u64>,
    /// Per `by` dimension, its categories in order, with their margins.
    pub axes: Vec<Vec<Category>>,
    /// Every combination of categories, the first dimension varying slowest.
    pub cells: Vec<Cell>,
    pub excluded: DateExclusions,
    pub notes: SetNotes,
    pub public: bool,
}

/// A record as a drill-down lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordRef {
    pub id: String,
    pub version: u32,
    pub source: RecordSource,
    pub draft: bool,
}

/// The first and the last day of a date range.
type Range = (Day, Day);

/// A category on an axis: its code (None: not recorded), label, and interned code.
type AxisEntry = (Option<String>, String, Option<u32>);

/// A compiled filter: interned codes, and whether "not recorded" matches.
struct Match {
    dim: usize,
    codes: Vec<u32>,
    none: bool,
}

impl AnalysisSet {
    /// The categories of a dimension in display order, "not recorded" last.
    pub fn categories(&self, dim: Dimension, lang: &str) -> Vec<(Option<String>, String)> {
        let mut out: Vec<(Option<String>, String)> = Vec::new();
        let seen = self.seen(dim);
        match dim {
            Dimension::Month => {
                // A timeline shows the months nobody reported too (over 20 years at
                // most: a mistyped year must not make a table of thousands of months).
                // Each year with dates known to the year only has its "month not
                // known" category, before its months.
                let months: BTreeSet<(i32, u8)> =
                    seen.iter().filter_map(|c| parse_month(c)).collect();
                let years: BTreeSet<i32> = seen
                    .iter()
                    .filter(|c| c.len() == 4)
                    .filter_map(|c| c.parse().ok())
                    .collect();
                let mut all = months.clone();
                if let (Some(&first), Some(&last)) = (months.first(), months.last()) {
                    let span = (last.0 - first.0) * 12 + i32::from(last.1) - i32::from(first.1);
                    if span < 240 {
                        let mut cur = first;
                        while cur < last {
                            cur = if cur.1 == 12 {
                                (cur.0 + 1, 1)
                            } else {
                                (cur.0, cur.1 + 1)
                            };
                            all.insert(cur);
                        }
                    }
                }
                let unknown = &labels().month_unknown;
                let mut keyed: Vec<((i32, u8), String, String)> = all
                    .into_iter()
                    .map(|m| {
                        let code = format!("{:04}-{:02}", m.0, m.1);
                        (m, code.clone(), code)
                    })
                    .collect();
                keyed.extend(years.into_iter().map(|y| {
                    (
                        (y, 0),
                        format!("{y:04}"),
                        unknown.get(lang).replace("{year}", &format!("{y:04}")),
                    )
                }));
                keyed.sort();
                out.extend(
                    keyed
                        .into_iter()
                        .map(|(_, code, label)| (Some(code), label)),
                );
            }
            Dimension::Year => {
                let mut codes: Vec<&String> = seen.iter().collect();
                codes.sort();
                out.extend(codes.into_iter().map(|c| (Some(c.clone()), c.clone())));
            }
            Dimension::AgeBand => {
                out.extend(
                    age_bands().map(|(id, l)| (Some(id.to_string()), l.get(lang).to_string())),
                );
            }
            Dimension::Source => {
                out.push((Some("own".into()), labels().own.get(lang).to_string()));
                let mut senders: Vec<(&String, &String)> = self.senders.iter().collect();
                senders.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
                out.extend(
                    senders
                        .into_iter()
                        .map(|(k, n)| (Some(k.clone()), n.clone())),
                );
            }
            _ => {
                if let Some(field) =
                    template::find(template::DEFAULT_TEMPLATE).and_then(|t| dim.field(t))
                {
                    out.extend(
                        field
                            .options
                            .iter()
                            .map(|o| (Some(o.id.clone()), o.label.get(lang).to_string())),
                    );
                }
            }
        }
        // Codes in records that the list above lacks (a newer template of a sender).
        for code in seen {
            if !out.iter().any(|(c, _)| c.as_deref() == Some(code)) {
                out.push((Some(code.clone()), code.clone()));
            }
        }
        out.push((None, labels().not_recorded.get(lang).to_string()));
        out
    }

    fn compile(&self, query: &Query) -> Result<(Vec<Match>, Option<Range>)> {
        let mut matches = Vec::new();
        for f in &query.filters {
            let known = self.categories(f.dimension, "en");
            let mut m = Match {
                dim: f.dimension.index(),
                codes: Vec::new(),
                none: false,
            };
            for code in &f.codes {
                match code {
                    None => m.none = true,
                    Some(c) => {
                        if !known.iter().any(|(k, _)| k.as_deref() == Some(c)) {
                            return Err(Error::UnknownCode {
                                dimension: f.dimension.id().to_string(),
                                code: c.clone(),
                            });
                        }
                        // A valid code no record has matches nothing.
                        if let Some(i) = self.code_index(f.dimension, c) {
                            m.codes.push(i);
                        }
                    }
                }
            }
            matches.push(m);
        }
        let range = match (&query.from, &query.to) {
            (None, None) => None,
            (from, to) => {
                let first = match from {
                    Some(f) => Span::bound(f)?.first,
                    None => (i32::MIN, 1, 1),
                };
                let last = match to {
                    Some(t) => Span::bound(t)?.last,
                    None => (i32::MAX, 12, 31),
                };
                Some((first, last))
            }
        };
        Ok((matches, range))
    }

    /// The selected rows, and what the date range left out.
    fn select(&self, query: &Query) -> Result<(Vec<&Row>, DateExclusions)> {
        let (matches, range) = self.compile(query)?;
        let mut excluded = DateExclusions::default();
        let mut out = Vec::new();
        'rows: for row in &self.rows {
            if query.public && !row.publishable {
                excluded.consent += 1;
                continue;
            }
            for m in &matches {
                let codes = &row.codes[m.dim];
                let hit = if codes.is_empty() {
                    m.none
                } else {
                    codes.iter().any(|c| m.codes.contains(c))
                };
                if !hit {
                    continue 'rows;
                }
            }
            if let Some((from, to)) = &range {
                match &row.date {
                    None => {
                        excluded.no_date += 1;
                        continue;
                    }
                    Some(d) => {
                        if d.first >= *from && d.last <= *to {
                            // Inside.
                        } else if d.last < *from || d.first > *to {
                            continue;
                        } else {
                            excluded.imprecise += 1;
                            continue;
                        }
                    }
                }
            }
            out.push(row);
        }
        Ok((out, excluded))
    }

    /// Refuses what would count wrongly or let published figures be worked back.
    fn check(&self, query: &Query) -> Result<()> {
        // Places' regions and types are counted per record, not per place: together
        // they would pair the region of one place with the type of another.
        let dims: BTreeSet<Dimension> = query
            .by
            .iter()
            .copied()
            .chain(query.filters.iter().map(|f| f.dimension))
            .collect();
        if dims.contains(&Dimension::PlaceRegion) && dims.contains(&Dimension::PlaceType) {
            return Err(Error::SameList);
        }
        if let (Some(from), Some(to)) = (&query.from, &query.to) {
            if Span::bound(from)?.first > Span::bound(to)?.last {
                return Err(Error::BadRange);
            }
        }
        if query.public {
            // A published table is of the whole vault by one dimension: a filtered
            // table, a date range, drafts or a cross-tab could be set beside another
            // and a withheld count worked out by difference; counts by sender name
            // the people who sent them.
            let narrowed = !query.filters.is_empty()
                || query.from.is_some()
                || query.to.is_some()
                || self.notes.drafts > 0;
            // A year is the sum of its months: published beside the month table it
            // would give back what that table withholds. The month table already
            // holds each year's records whose month is not known.
            let refused = [Dimension::Source, Dimension::Year];
            if narrowed || query.by.len() > 1 || query.by.iter().any(|d| refused.contains(d)) {
                return Err(Error::PublicSelection);
            }
        }
        Ok(())
    }

    /// Counts the records a query selects, by its dimensions (none: the total only).
    pub fn table(&self, query: &Query, lang: &str) -> Result<Table> {
        if query.by.len() > 2 {
            return Err(Error::TooManyDimensions);
        }
        if query.by.len() == 2 && query.by[0] == query.by[1] {
            return Err(Error::RepeatedDimension);
        }
        self.check(query)?;
        let (rows, excluded) = self.select(query)?;
        self.count(query, lang, &rows, excluded)
    }

    /// Several tables at once (a dashboard): queries that select the same records (the
    /// same filters, dates and publication rule) share one pass over the set.
    pub fn tables(&self, queries: &[Query], lang: &str) -> Result<Vec<Table>> {
        let mut out = Vec::with_capacity(queries.len());
        let mut last: Option<(&Query, Vec<&Row>, DateExclusions)> = None;
        for q in queries {
            if q.by.len() > 2 {
                return Err(Error::TooManyDimensions);
            }
            if q.by.len() == 2 && q.by[0] == q.by[1] {
                return Err(Error::RepeatedDimension);
            }
            self.check(q)?;
            let same = last.as_ref().is_some_and(|(p, _, _)| {
                p.filters == q.filters && p.from == q.from && p.to == q.to && p.public == q.public
            });
            if !same {
                let (rows, excluded) = self.select(q)?;
                last = Some((q, rows, excluded));
            }
            if let Some((_, rows, excluded)) = &last {
                out.push(self.count(q, lang, rows, *excluded)?);
            }
        }
        Ok(out)
    }

    /// Counts `rows` (a query's selection) by the query's dimensions.
    fn count(
        &self,
        query: &Query,
        lang: &str,
        rows: &[&Row],
        excluded: DateExclusions,
    ) -> Result<Table> {
        let total = rows.len() as u64;
        // Per axis: categories and, for each, the interned code (None: not recorded).
        let axes: Vec<Vec<AxisEntry>> = query
            .by
            .iter()
            .map(|&d| {
                self.categories(d, lang)
                    .into_iter()
                    .map(|(code, label)| {
                        let idx = code.as_deref().and_then(|c| self.code_index(d, c));
                        (code, label, idx)
                    })
                    .collect()
            })
            .collect();
        // Position of a category in its axis for each interned code.
        let lookup: Vec<Vec<Option<usize>>> = query
            .by
            .iter()
            .zip(&axes)
            .map(|(&d, axis)| {
                let mut v = vec![None; self.seen(d).len()];
                for (pos, (_, _, idx)) in axis.iter().enumerate() {
                    if let Some(i) = idx {
                        v[*i as usize] = Some(pos);
                    }
                }
                v
            })
            .collect();
        // A row's categories on an axis. Its codes are distinct (dimension::codes) and
        // distinct codes have distinct categories, so each counts once.
        let positions = |row: &Row, axis: usize, out: &mut Vec<usize>| {
            out.clear();
            let codes = &row.codes[query.by[axis].index()];
            if codes.is_empty() {
                // "Not recorded" is always the last category.
                out.push(axes[axis].len() - 1);
            } else {
                out.extend(codes.iter().filter_map(|&c| lookup[axis][c as usize]));
            }
        };
        let mut margins: Vec<Vec<u64>> = axes.iter().map(|a| vec![0; a.len()]).collect();
        let width = axes.get(1).map_or(1, Vec::len);
        let mut grid = vec![0u64; axes.first().map_or(0, Vec::len) * width];
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for row in rows {
            match axes.len() {
                1 => {
                    positions(row, 0, &mut xs);
                    for &i in &xs {
                        margins[0][i] += 1;
                        grid[i] += 1;
                    }
                }
                2 => {
                    positions(row, 0, &mut xs);
                    positions(row, 1, &mut ys);
                    for &i in &xs {
                        margins[0][i] += 1;
                        for &j in &ys {
                            grid[i * width + j] += 1;
                        }
                    }
                    for &j in &ys {
                        margins[1][j] += 1;
                    }
                }
                _ => {}
            }
        }
        // Figures as published: cells, then each axis's margins, then the total.
        let hidden = if query.public {
            Some(published_withheld(&grid, &margins, total, axes.len()))
        } else {
            None
        };
        let shown = |i: usize, v: u64| -> (Option<u64>, Option<Suppressed>) {
            match &hidden {
                Some(h) if h[i] => {
                    let small = (1..crate::suppress::THRESHOLD).contains(&v);
                    (
                        None,
                        Some(if small {
                            Suppressed::Small
                        } else {
                            Suppressed::Complement
                        }),
                    )
                }
                _ => (Some(v), None),
            }
        };
        let mut cells = Vec::new();
        if axes.len() == 1 {
            for (i, (code, _, _)) in axes[0].iter().enumerate() {
                let (count, withheld) = shown(i, grid[i]);
                cells.push(Cell {
                    codes: vec![code.clone()],
                    count,
                    withheld,
                });
            }
        } else if axes.len() == 2 {
            for (i, (c1, _, _)) in axes[0].iter().enumerate() {
                for (j, (c2, _, _)) in axes[1].iter().enumerate() {
                    let k = i * width + j;
                    let (count, withheld) = shown(k, grid[k]);
                    cells.push(Cell {
                        codes: vec![c1.clone(), c2.clone()],
                        count,
                        withheld,
                    });
                }
            }
        }
        let mut offset = grid.len();
        let mut out_axes = Vec::new();
        for (a, axis) in axes.iter().enumerate() {
            let mut cats = Vec::new();
            for (i, (code, label, _)) in axis.iter().enumerate() {
                // With one dimension its margins are its cells.
                let idx = if axes.len() == 1 { i } else { offset + i };
                let (count, withheld) = shown(idx, margins[a][i]);
                cats.push(Category {
                    code: code.clone(),
                    label: label.clone(),
                    count,
                    withheld,
                });
            }
            if axes.len() > 1 {
                offset += axis.len();
            }
            out_axes.push(cats);
        }
        let total_idx = if axes.len() == 2 { offset } else { grid.len() };
        Ok(Table {
            by: query.by.clone(),
            total: shown(total_idx, total).0,
            axes: out_axes,
            cells,
            excluded,
            notes: self.notes,
            public: query.public,
        })
    }

    /// The records of one cell of a query's table (`codes`: one per `by` dimension,
    /// `None` for not recorded), to list and open them.
    pub fn records(&self, query: &Query, codes: &[Option<String>]) -> Result<Vec<RecordRef>> {
        // Listing records is for the coordinator's own eyes, never published.
        let mut q = Query {
            public: false,
            ..query.clone()
        };
        for (d, code) in query.by.iter().zip(codes) {
            q.filters.retain(|f| f.dimension != *d);
            q.filters.push(Filter {
                dimension: *d,
                codes: vec![code.clone()],
            });
        }
        let (rows, _) = self.select(&q)?;
        Ok(rows
            .into_iter()
            .map(|r| RecordRef {
                id: r.id.clone(),
                version: r.version,
                source: r.source.clone(),
                draft: r.status == Status::Draft,
            })
            .collect())
    }
}

/// The withheld flags of a table's published figures, laid out as `grid`, then (for a
/// cross-tab) each axis's margins, then the total.
fn published_withheld(grid: &[u64], margins: &[Vec<u64>], total: u64, dims: usize) -> Vec<bool> {
    let mut values: Vec<u64> = grid.to_vec();
    let mut lines: Vec<Vec<usize>> = Vec::new();
    match dims {
        1 => {
            values.push(total);
            lines.push((0..values.len()).collect());
        }
        2 => {
            let (rows, cols) = (margins[0].len(), margins[1].len());
            let row_m = values.len();
            values.extend(&margins[0]);
            let col_m = values.len();
            values.extend(&margins[1]);
            let t = values.len();
            values.push(total);
            for i in 0..rows {
                let mut l: Vec<usize> = (0..cols).map(|j| i * cols + j).collect();
                l.push(row_m + i);
                lines.push(l);
            }
            for j in 0..cols {
                let mut l: Vec<usize> = (0..rows).map(|i| i * cols + j).collect();
                l.push(col_m + j);
                lines.push(l);
            }
            let mut l: Vec<usize> = (row_m..row_m + rows).collect();
            l.push(t);
            lines.push(l);
            let mut l: Vec<usize> = (col_m..col_m + cols).collect();
            l.push(t);
            lines.push(l);
        }
        _ => values.push(total),
    }
    withhold(&values, &lines)
}

fn parse_month(s: &str) -> Option<(i32, u8)> {
    let (y, m) = s.split_once('-')?;
    Some((y.parse().ok()?, m.parse().ok()?))
}
