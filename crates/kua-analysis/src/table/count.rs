//! Counting a selection by one dimension or two, and withholding small counts.

use super::*;
use crate::dimension::NO_MARK;

impl AnalysisSet {
    /// Counts the records a query selects, by its dimensions (none: the total only).
    pub fn table(&self, query: &Query, lang: &str) -> Result<Table> {
        // `tables` gives one table per query.
        let mut one = self.tables(std::slice::from_ref(query), lang)?;
        one.pop().ok_or(Error::TooManyDimensions)
    }

    /// Several tables at once (a dashboard): queries that select the same records (the
    /// same filters, dates and publication rule) share one pass over the set.
    pub fn tables(&self, queries: &[Query], lang: &str) -> Result<Vec<Table>> {
        let mut out = Vec::with_capacity(queries.len());
        let mut last: Option<(&Query, Vec<&Row>, DateExclusions)> = None;
        for q in queries {
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
        let merged: Vec<Row>;
        let merged_refs: Vec<&Row>;
        let rows: &[&Row] = match query.unit() {
            Unit::Testimonies => rows,
            Unit::Persons => {
                merged = self.by_person(rows)?;
                merged_refs = merged.iter().collect();
                &merged_refs
            }
        };
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
            unit: query.unit(),
        })
    }

    /// One row per person of the selection: the union of the codes of its selected
    /// testimonies on every dimension, so that a person counts once in each category
    /// any of them names, and "not recorded" only when none of them records it.
    pub(super) fn by_person(&self, rows: &[&Row]) -> Result<Vec<Row>> {
        if !self.persons_linked {
            return Err(Error::PersonsNotLinked);
        }
        let mut at: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        let mut out: Vec<Row> = Vec::new();
        for row in rows {
            let person = row.person.ok_or(Error::PersonsNotLinked)?;
            match at.get(&person) {
                None => {
                    at.insert(person, out.len());
                    out.push((*row).clone());
                }
                Some(&k) => {
                    let merged = &mut out[k];
                    for (mine, theirs) in merged.codes.iter_mut().zip(&row.codes) {
                        mine.extend(theirs);
                    }
                }
            }
        }
        // "Examined, no injury marked" in one testimony is no finding once another of the
        // same person's testimonies marks an injury.
        let no_mark: Vec<(usize, Option<u32>)> = [Dimension::InjuryRegion, Dimension::LesionType]
            .into_iter()
            .map(|d| {
                let code = self.dict[d.index()].iter().position(|c| c == NO_MARK);
                (d.index(), code.and_then(|c| u32::try_from(c).ok()))
            })
            .collect();
        for row in &mut out {
            for codes in &mut row.codes {
                codes.sort_unstable();
                codes.dedup();
            }
            for &(dim, code) in &no_mark {
                if let (Some(code), Some(codes)) = (code, row.codes.get_mut(dim)) {
                    if codes.len() > 1 {
                        codes.retain(|c| *c != code);
                    }
                }
            }
        }
        Ok(out)
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
