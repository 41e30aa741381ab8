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
}

/// One cell: a category of each `by` dimension and the records in all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Cell {
    pub codes: Vec<Option<String>>,
    /// `None` when withheld.
    pub count: Option<u64>,
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
            Dimension::Month | Dimension::Year => {
                let mut codes: Vec<&String> = seen.iter().collect();
                codes.sort();
                if dim == Dimension::Month {
                    // A timeline shows the months nobody reported too.
                    if let (Some(first), Some(last)) = (codes.first(), codes.last()) {
                        let mut m = parse_month(first);
                        let end = parse_month(last);
                        while let (Some(cur), Some(end)) = (m, end) {
                            if cur > end {
                                break;
                            }
                            let code = format!("{:04}-{:02}", cur.0, cur.1);
                            out.push((Some(code.clone()), code));
                            m = Some(if cur.1 == 12 {
                                (cur.0 + 1, 1)
                            } else {
                                (cur.0, cur.1 + 1)
                            });
                        }
                    }
                } else {
                    out.extend(codes.into_iter().map(|c| (Some(c.clone()), c.clone())));
                }
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

    /// Counts the records a query selects, by its dimensions (none: the total only).
    pub fn table(&self, query: &Query, lang: &str) -> Result<Table> {
        if query.by.len() > 2 {
            return Err(Error::TooManyDimensions);
        }
        if query.by.len() == 2 && query.by[0] == query.by[1] {
            return Err(Error::RepeatedDimension);
        }
        let (rows, excluded) = self.select(query)?;
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
        let positions = |row: &Row, axis: usize| -> BTreeSet<usize> {
            let d = query.by[axis];
            let codes = &row.codes[d.index()];
            if codes.is_empty() {
                // "Not recorded" is always the last category.
                BTreeSet::from([axes[axis].len() - 1])
            } else {
                codes
                    .iter()
                    .filter_map(|&c| lookup[axis][c as usize])
                    .collect()
            }
        };
        let mut margins: Vec<Vec<u64>> = axes.iter().map(|a| vec![0; a.len()]).collect();
        let width = axes.get(1).map_or(1, Vec::len);
        let mut grid = vec![0u64; axes.first().map_or(0, Vec::len) * width];
        for row in &rows {
            let p: Vec<BTreeSet<usize>> = (0..axes.len()).map(|a| positions(row, a)).collect();
            for (a, set) in p.iter().enumerate() {
                for &i in set {
                    margins[a][i] += 1;
                }
            }
            match p.as_slice() {
                [x] => x.iter().for_each(|&i| grid[i] += 1),
                [x, y] => {
                    for &i in x {
                        for &j in y {
                            grid[i * width + j] += 1;
                        }
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
        let shown = |i: usize, v: u64| match &hidden {
            Some(h) if h[i] => None,
            _ => Some(v),
        };
        let mut cells = Vec::new();
        if axes.len() == 1 {
            for (i, (code, _, _)) in axes[0].iter().enumerate() {
                cells.push(Cell {
                    codes: vec![code.clone()],
                    count: shown(i, grid[i]),
                });
            }
        } else if axes.len() == 2 {
            for (i, (c1, _, _)) in axes[0].iter().enumerate() {
                for (j, (c2, _, _)) in axes[1].iter().enumerate() {
                    let k = i * width + j;
                    cells.push(Cell {
                        codes: vec![c1.clone(), c2.clone()],
                        count: shown(k, grid[k]),
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
                cats.push(Category {
                    code: code.clone(),
                    label: label.clone(),
                    count: shown(idx, margins[a][i]),
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
            total: shown(total_idx, total),
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
        let mut q = query.clone();
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
