//! Which records a query selects, and which queries are refused.

use super::*;

impl AnalysisSet {
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
    pub(super) fn select(&self, query: &Query) -> Result<(Vec<&Row>, DateExclusions)> {
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
    pub(super) fn check(&self, query: &Query) -> Result<()> {
        if query.by.len() > 2 {
            return Err(Error::TooManyDimensions);
        }
        if query.by.len() == 2 && query.by[0] == query.by[1] {
            return Err(Error::RepeatedDimension);
        }
        // Places' regions and types are counted per record, not per place: together
        // they would pair the region of one place with the type of another.
        let dims: BTreeSet<Dimension> = query
            .by
            .iter()
            .copied()
            .chain(query.filters.iter().map(|f| f.dimension))
            .collect();
        let paired = |a, b| dims.contains(&a) && dims.contains(&b);
        if paired(Dimension::PlaceRegion, Dimension::PlaceType)
            || paired(Dimension::InjuryRegion, Dimension::LesionType)
        {
            return Err(Error::SameList);
        }
        if let (Some(from), Some(to)) = (&query.from, &query.to) {
            if Span::bound(from)?.first > Span::bound(to)?.last {
                return Err(Error::BadRange);
            }
        }
        if query.public
            && query.unit() == Unit::Persons
            && self.notes.unreadable_decisions + self.notes.ambiguous_records > 0
        {
            // Persons joined or split otherwise than reviewers decided: fine for the
            // coordinator's own view, which says so, never for a published figure.
            return Err(Error::PersonsIncomplete);
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

    /// The records of one cell of a query's table (`codes`: one per `by` dimension,
    /// `None` for not recorded), to list and open them. Counting persons, they are the
    /// selected testimonies of every person the cell counts, which is more than the
    /// cell's testimonies: a person counts under a method if any of their testimonies
    /// names it, and all of them are listed.
    pub fn records(&self, query: &Query, codes: &[Option<String>]) -> Result<Vec<RecordRef>> {
        // Listing records is for the coordinator's own eyes, never published.
        let mut q = Query {
            public: false,
            ..query.clone()
        };
        if query.unit() == Unit::Persons {
            return self.person_records(&q, codes);
        }
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
            .map(|r| self.record_ref(r, false))
            .collect())
    }

    fn record_ref(&self, r: &Row, with_person: bool) -> RecordRef {
        RecordRef {
            id: r.id.clone(),
            version: r.version,
            source: r.source.clone(),
            draft: r.status == Status::Draft,
            person: r
                .person
                .filter(|_| with_person)
                .and_then(|p| self.person_ids.get(p as usize))
                .cloned(),
        }
    }

    /// The persons' records behind a cell counted by person: the persons are found as
    /// `count` finds them (the union of their selected testimonies' codes).
    fn person_records(&self, query: &Query, codes: &[Option<String>]) -> Result<Vec<RecordRef>> {
        // An unknown code is refused as a filter would refuse it.
        let mut wanted: Vec<(usize, Option<u32>, bool)> = Vec::new();
        for (d, code) in query.by.iter().zip(codes) {
            let probe = Query {
                filters: vec![Filter {
                    dimension: *d,
                    codes: vec![code.clone()],
                }],
                ..Query::default()
            };
            self.compile(&probe)?;
            let index = code.as_deref().and_then(|c| self.code_index(*d, c));
            // A valid code no record has: no person is in the cell.
            let absent = code.is_some() && index.is_none();
            wanted.push((d.index(), index, absent));
        }
        if wanted.iter().any(|w| w.2) {
            return Ok(Vec::new());
        }
        let (rows, _) = self.select(query)?;
        let merged = self.by_person(&rows)?;
        let counted: BTreeSet<u32> = merged
            .iter()
            .filter(|m| {
                wanted.iter().all(|&(dim, index, _)| match index {
                    None => m.codes[dim].is_empty(),
                    Some(i) => m.codes[dim].contains(&i),
                })
            })
            .filter_map(|m| m.person)
            .collect();
        let mut out: Vec<&Row> = rows
            .into_iter()
            .filter(|r| r.person.is_some_and(|p| counted.contains(&p)))
            .collect();
        // Each person's records together.
        out.sort_by_key(|r| r.person);
        Ok(out.into_iter().map(|r| self.record_ref(r, true)).collect())
    }
}
