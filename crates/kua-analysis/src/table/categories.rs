//! The categories of a dimension, in the order tables and charts show them.

use super::*;

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
            Dimension::InjuryRegion | Dimension::LesionType => {
                // Every region or lesion type is listed, zeros included, in the
                // atlas's order: a table that left out the regions nobody was hurt on
                // would hide that they were examined and found clean.
                let a = kua_core::body::atlas();
                let terms: Vec<(&String, &template::Localized)> = if dim == Dimension::InjuryRegion
                {
                    a.regions.iter().map(|r| (&r.id, &r.label)).collect()
                } else {
                    a.lesions.iter().map(|l| (&l.id, &l.label)).collect()
                };
                out.extend(
                    terms
                        .into_iter()
                        .map(|(id, l)| (Some(id.clone()), l.get(lang).to_string())),
                );
                out.push((
                    Some(crate::dimension::NO_MARK.to_string()),
                    labels().no_mark.get(lang).to_string(),
                ));
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
}

fn parse_month(s: &str) -> Option<(i32, u8)> {
    let (y, m) = s.split_once('-')?;
    Some((y.parse().ok()?, m.parse().ok()?))
}
