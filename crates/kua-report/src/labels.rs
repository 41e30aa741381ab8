//! The reports' own words, in en, ru and kk (`assets/reports/labels.json`); the labels
//! of a record's fields come from its template, and those of a case from the course.

use crate::error::{Error, Result};
use kua_core::template::Localized;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const LABELS: &str = include_str!("../../../assets/reports/labels.json");

/// The languages a report can be written in.
pub const LANGUAGES: &[&str] = &["en", "ru", "kk"];

fn table() -> &'static BTreeMap<String, Localized> {
    static TABLE: OnceLock<BTreeMap<String, Localized>> = OnceLock::new();
    // A label file that fails to parse is a build defect, caught by the unit test
    // below; at run time it leaves the keys themselves showing rather than crashing.
    TABLE.get_or_init(|| serde_json::from_str(LABELS).unwrap_or_default())
}

/// The labels of one language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Labels {
    pub(crate) lang: &'static str,
    /// Whether what is withheld was withheld by a sender's redaction (a received
    /// record) rather than by this report for an anonymous person.
    redacted: bool,
}

impl Labels {
    pub(crate) fn new(lang: &str) -> Result<Labels> {
        LANGUAGES
            .iter()
            .find(|l| **l == lang)
            .map(|l| Labels {
                lang: l,
                redacted: false,
            })
            .ok_or_else(|| Error::UnknownLanguage(lang.to_string()))
    }

    pub(crate) fn get(&self, key: &str) -> String {
        table()
            .get(key)
            .map(|l| l.get(self.lang).to_string())
            .unwrap_or_else(|| key.to_string())
    }

    /// The labels of a report on a record received redacted.
    pub(crate) fn redacted(self) -> Labels {
        Labels {
            redacted: true,
            ..self
        }
    }

    /// What a withheld value reads as, saying why it is withheld.
    pub(crate) fn withheld(&self) -> String {
        self.get(if self.redacted {
            "withheld_redacted"
        } else {
            "withheld"
        })
    }

    /// What stands in place of a photograph that is not shown.
    pub(crate) fn image_withheld(&self) -> String {
        self.get(if self.redacted {
            "image_withheld_redacted"
        } else {
            "image_withheld"
        })
    }

    /// A custody event's name, as the app shows it.
    pub(crate) fn event(&self, event: kua_core::custody::Event) -> String {
        let code = serde_json::to_value(event)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let key = format!("event_{code}");
        if table().contains_key(&key) {
            self.get(&key)
        } else {
            code
        }
    }

    /// Every label, for the template.
    pub(crate) fn all(&self) -> BTreeMap<String, String> {
        table()
            .iter()
            .map(|(k, v)| (k.clone(), v.get(self.lang).to_string()))
            .collect()
    }

    pub(crate) fn yes_no(&self, b: bool) -> String {
        self.get(if b { "yes" } else { "no" })
    }
}

/// A date or time as the language writes it: dd.mm.yyyy for ru and kk, yyyy-mm-dd for
/// en; anything that is not an ISO date (an approximate date, free text) as it is.
pub(crate) fn date(lang: &str, s: &str) -> String {
    let b = s.as_bytes();
    let iso = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|i| b[*i].is_ascii_digit());
    if !iso || lang == "en" {
        return s.replacen('T', " ", 1);
    }
    let rest = s[10..].replacen('T', " ", 1);
    format!("{}.{}.{}{}", &s[8..10], &s[5..7], &s[0..4], rest)
}

/// A time the vault recorded (RFC 3339, UTC) to the second, in the language's order.
pub(crate) fn time(lang: &str, s: &str) -> String {
    match s.get(..19) {
        Some(head) if s.ends_with('Z') => format!("{} UTC", date(lang, head)),
        _ => date(lang, s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_parses_in_three_languages() {
        let parsed: BTreeMap<String, Localized> =
            serde_json::from_str(LABELS).expect("labels.json parses");
        for (key, l) in &parsed {
            for text in [&l.en, &l.ru, &l.kk] {
                assert!(!text.trim().is_empty(), "{key} has an empty label");
            }
        }
        assert_eq!(parsed.len(), table().len());
    }

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(date("ru", "2022-01-06"), "06.01.2022");
        assert_eq!(date("kk", "2022-01-06T11:00"), "06.01.2022 11:00");
        assert_eq!(date("en", "2022-01-06T11:00"), "2022-01-06 11:00");
        assert_eq!(date("ru", "январь 2022"), "январь 2022");
        assert_eq!(date("ru", "2022-01"), "2022-01");
        assert_eq!(
            time("kk", "2022-01-08T00:00:01.250Z"),
            "08.01.2022 00:00:01 UTC"
        );
        assert_eq!(
            time("en", "2022-01-08T00:00:01Z"),
            "2022-01-08 00:00:01 UTC"
        );
    }
}
