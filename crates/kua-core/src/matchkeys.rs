//! Match keys of a redacted record: privacy-preserving record linkage (PPRL) for names.
//!
//! A redacted record's name is a keyed pseudonym of its exact spelling, so two
//! spellings of one name (Нұрланқызы, Nurlanqyzy) get unrelated pseudonyms. The record
//! therefore also carries a *cryptographic long-term key* (Schnell, Bachteler and Reiher
//! 2009): a 1,024-bit Bloom filter of the name's matching key (`names::name_key`: Kazakh
//! folded to Russian, one Latin transliteration, endings dropped, parts sorted). Each
//! padded bigram of each part (`_a`, `al`, …, `a_`) sets 20 bits, chosen by
//! HMAC-SHA256 under a key derived from the coalition's linkage secret (`linkage`). Two filters are compared by
//! their Dice coefficient, which follows the bigram overlap of the two names without
//! revealing them. Filters made under different keys are not comparable (`key_id` says
//! which key), and are never compared.
//!
//! What this protects against, and what not, is in docs/bundle-format.md ("Match keys").

use crate::crypto::{hex, Key};
use serde::{Deserialize, Serialize};

/// The encoding's name: a reader that does not know it ignores the keys.
pub const SCHEME: &str = "kua-clk-v1";
const BITS: usize = 1024;
/// Bits set per bigram.
const HASHES: usize = 20;

/// What a redacted record carries for linkage, in place of its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MatchKeys {
    pub scheme: String,
    /// The first 16 hex digits of HMAC(key, "kua match key id"): filters with different
    /// ids were made under different keys.
    pub key_id: String,
    /// The name's Bloom filter: 1,024 bits as 256 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    /// The year of birth as a keyed pseudonym (16 hex digits), so that a date written
    /// in full and one written as a year can still agree on the year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub birth_year: Option<String>,
    /// The date of birth as a keyed pseudonym, only when it is written to the day
    /// (YYYY-MM-DD): a year written alone is no exact date, and must not agree as one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub birth_date: Option<String>,
}

/// What a received record carried, for `encode_records`.
pub(crate) struct Carried {
    pub redacted: bool,
    pub keys: Option<MatchKeys>,
    pub recipients: Vec<String>,
}

/// A birth date as redaction pseudonymises it, tagged with its redaction key's id, so
/// that a coordinator can block and compare a redacted record's birth date with a plain
/// record's. The redaction key derives from the recipients' public keys, so this gives
/// the coordinator nothing it could not compute itself (it can try every date): it is
/// a date as exact as it was written, never a name (docs/bundle-format.md).
pub fn birth_pseudonym(redaction: &Key, date: &str) -> String {
    let tag = &hex(&redaction.mac(b"kua redaction key id"))[..8];
    format!("{tag}:{}", crate::export::pseudonym(redaction, date))
}

/// The key of match keys sent to one set of recipients: HMAC of the linkage secret over
/// the sorted recipient keys. Filters sent to two recipient sets (a coordinator, and a
/// lawyer) are then made under two keys, so the two recipients cannot join their
/// datasets on them; every interviewer of a coalition sending to its coordinator makes
/// them under one key.
pub(crate) fn recipient_key(secret: &Key, recipients: &[String]) -> Option<Key> {
    let mut sorted = recipients.to_vec();
    sorted.sort();
    Key::from_slice(&secret.mac(format!("kua clk v1 recipients\n{}", sorted.join("\n")).as_bytes()))
}

/// The key id of match keys made under a (recipient) key.
pub(crate) fn key_id(secret: &Key) -> Option<String> {
    let key = filter_key(secret)?;
    Some(hex(&key.mac(b"kua match key id"))[..16].to_string())
}

/// Gives every record its encodings: a redacted record the match keys it carried; and,
/// when this vault holds the coalition's linkage secret itself, every plain record (own,
/// or received unredacted) its name and birth date encoded under that secret, in memory
/// only, so that a plain copy meets a redacted one by name.
///
/// A plain record never gets its keys from a bundle: a coordinator holding many names
/// beside their filters could work out each bigram's bit positions from them and then
/// read redacted names (docs/bundle-format.md). So a coordinator without the secret
/// compares redacted records with each other by name, and with plain ones by birth date
/// (`birth_pseudonyms`: the plain date pseudonymised under each redaction key a
/// redacted record was made with) and the other features.
pub(crate) fn encode_records(
    records: &mut [crate::AnalysisRecord],
    carried: Vec<(usize, Carried)>,
    secret: Option<&crate::linkage::LinkageSecret>,
) -> crate::Result<()> {
    let mut redacted = std::collections::HashSet::new();
    // By recipient list: the redaction key, its tag, and (with the secret) the match
    // key, each derived once however many records a bundle brought.
    let mut sets: std::collections::BTreeMap<Vec<String>, (String, Key, Option<Key>)> =
        Default::default();
    for (i, c) in carried {
        if !c.redacted {
            continue;
        }
        redacted.insert(i);
        if let Some(k) = c.keys {
            records[i].encodings.push(k);
        }
        if c.recipients.is_empty() {
            continue;
        }
        let mut recipients = c.recipients;
        recipients.sort();
        if !sets.contains_key(&recipients) {
            let key = crate::export::redaction_key(&recipients)?;
            let tag = hex(&key.mac(b"kua redaction key id"))[..8].to_string();
            let matching = secret.and_then(|s| recipient_key(s.key(), &recipients));
            sets.insert(recipients.clone(), (tag, key, matching));
        }
        // A person who asked to stay anonymous is not put beside named records by the
        // birth date either: the redacted copy meets no plain one but by a reviewer's
        // own search.
        let anonymous = records[i].consent.as_ref().is_some_and(|c| c.anonymous);
        let birth = records[i]
            .fields
            .get("birth_date")
            .and_then(serde_json::Value::as_str)
            .filter(|b| b.starts_with('~'))
            .map(String::from);
        if let (Some(b), false, Some((tag, _, _))) = (birth, anonymous, sets.get(&recipients)) {
            records[i].birth_pseudonyms.push(format!("{tag}:{b}"));
        }
    }
    for (i, record) in records.iter_mut().enumerate() {
        if redacted.contains(&i) {
            continue;
        }
        let text = |id: &str| {
            record
                .fields
                .get(id)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let (name, birth) = (text("full_name"), text("birth_date"));
        for (_, key, matching) in sets.values() {
            if let Some(b) = &birth {
                record.birth_pseudonyms.push(birth_pseudonym(key, b));
            }
            if let Some(m) = matching {
                if let Some(k) = encode(m, name.as_deref(), birth.as_deref()) {
                    record.encodings.push(k);
                }
            }
        }
    }
    Ok(())
}

/// The filter key: separate from the secret it derives from, so that the secret is
/// never used directly.
fn filter_key(secret: &Key) -> Option<Key> {
    Key::from_slice(&secret.mac(b"kua clk v1 key"))
}

/// Whether a birth date is written to the day: `YYYY-MM-DD`.
fn full_date(b: &str) -> bool {
    let bytes = b.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The match keys of a name and a birth date under a key (`recipient_key` of the
/// linkage secret); None when there is neither.
pub fn encode(secret: &Key, name: Option<&str>, birth: Option<&str>) -> Option<MatchKeys> {
    let key = filter_key(secret)?;
    let name = name.and_then(|n| name_filter(&key, n));
    let birth = birth.map(str::trim);
    let pseudonym = |text: String| hex(&key.mac(text.as_bytes()))[..16].to_string();
    let birth_year = birth
        .and_then(|b| b.get(..4))
        .filter(|y| y.chars().all(|c| c.is_ascii_digit()))
        .map(|y| pseudonym(format!("birth year {y}")));
    let birth_date = birth
        .filter(|b| full_date(b))
        .map(|d| pseudonym(format!("birth date {d}")));
    if name.is_none() && birth_year.is_none() {
        return None;
    }
    Some(MatchKeys {
        scheme: SCHEME.into(),
        key_id: key_id(secret)?,
        name,
        birth_year,
        birth_date,
    })
}

/// A name's filter: the bigrams of its matching key without the patronymic (written in
/// one record and not in another, it would pull the two filters apart; the plain
/// comparison matches part by part instead, which a single filter cannot).
fn name_filter(key: &Key, name: &str) -> Option<String> {
    // The first six parts, each cut to 40 characters: a pasted page is not a name.
    let bounded: Vec<String> = name
        .split_whitespace()
        .take(6)
        .map(|t| t.chars().take(40).collect())
        .collect();
    let folded = crate::names::name_key_without_patronymic(&bounded.join(" "));
    if folded.is_empty() {
        return None;
    }
    let mut bits = [0u8; BITS / 8];
    for token in folded.split(' ') {
        let padded: Vec<char> = std::iter::once('_')
            .chain(token.chars())
            .chain(std::iter::once('_'))
            .collect();
        for pair in padded.windows(2) {
            let bigram: String = pair.iter().collect();
            let mac = key.mac(bigram.as_bytes());
            // 20 positions of 10 bits each from one 256-bit MAC (200 bits used).
            for i in 0..HASHES {
                let bit = i * 10;
                let (byte, shift) = (bit / 8, bit % 8);
                let word = u16::from_be_bytes([mac[byte], mac[byte + 1]]);
                let pos = usize::from((word >> (6 - shift)) & 0x3ff);
                bits[pos / 8] |= 1 << (pos % 8);
            }
        }
    }
    Some(hex(&bits))
}

/// The bits of a name's filter (None: no name, an unknown scheme, a damaged filter).
pub fn name_bits(k: &MatchKeys) -> Option<Vec<u8>> {
    let name = k.name.as_ref()?;
    if k.scheme != SCHEME || name.len() != BITS / 4 {
        return None;
    }
    (0..name.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(name.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The Dice coefficient of two names' filters (1.0: the same bigrams), or None when
/// they cannot be compared (other keys, an unknown scheme, a damaged filter).
pub fn dice(a: &MatchKeys, b: &MatchKeys) -> Option<f64> {
    if a.key_id != b.key_id {
        return None;
    }
    let (x, y) = (name_bits(a)?, name_bits(b)?);
    let ones = |v: &[u8]| v.iter().map(|b| b.count_ones()).sum::<u32>();
    let both: u32 = x.iter().zip(&y).map(|(p, q)| (p & q).count_ones()).sum();
    let total = ones(&x) + ones(&y);
    (total > 0).then(|| 2.0 * f64::from(both) / f64::from(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Key {
        Key::from_slice(&[b; 32]).unwrap()
    }

    #[test]
    fn spellings_of_one_name_are_near_and_other_names_far() {
        let k = key(7);
        let e = |n: &str| encode(&k, Some(n), Some("1990-06-15")).unwrap();
        let a = e("Әлия Нұрланқызы Асанова");
        let b = e("Aliya Asanova");
        let typo = e("Алия Асанва");
        let other = e("Ерлан Жаксыбеков");
        assert_eq!(
            dice(&a, &b),
            Some(1.0),
            "a patronymic written once is left out"
        );
        let near = dice(&a, &typo).unwrap();
        let far = dice(&a, &other).unwrap();
        assert!(
            near > 0.75,
            "one letter dropped is still \"similar\": {near}"
        );
        assert!(far < 0.5, "{far}");
        // No name in the keys: only hex digits of the filter and the key id.
        let bits = a.name.clone().unwrap();
        assert!(bits.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(bits.len(), 256);
        // The year of a full date and of a year alone agree; another year does not.
        let year = encode(&k, None, Some("1990")).unwrap();
        assert_eq!(year.birth_year, a.birth_year);
        assert_eq!(year.name, None);
        // Only a date written to the day has a date pseudonym: two years alone are not
        // an exact date.
        assert_eq!(year.birth_date, None);
        assert!(a.birth_date.is_some());
        assert_eq!(encode(&k, None, Some("1990-06")).unwrap().birth_date, None);
        assert_eq!(
            encode(&k, None, Some(" 1990-06-15 ")).unwrap().birth_date,
            a.birth_date
        );
        assert_ne!(
            encode(&k, None, Some("1990-06-16")).unwrap().birth_date,
            a.birth_date
        );
        assert_ne!(
            encode(&k, None, Some("1991")).unwrap().birth_year,
            a.birth_year
        );
        // Another key: another id, and never compared.
        let c = encode(&key(8), Some("Әлия Нұрланқызы Асанова"), None).unwrap();
        assert_ne!(c.key_id, a.key_id);
        assert_ne!(c.name, a.name);
        assert_eq!(dice(&a, &c), None);
        assert_eq!(encode(&k, Some("  "), None), None);
        // A damaged filter is not compared.
        let mut bad = a.clone();
        bad.name.as_mut().unwrap().truncate(10);
        assert_eq!(dice(&a, &bad), None);
    }
}
