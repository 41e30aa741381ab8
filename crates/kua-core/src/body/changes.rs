//! What changed in a body map between two versions, mark by mark, so that a history
//! can say "mark 3 added on the left forearm" rather than "injury map changed".

use super::{BodyMap, Mark};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MarkChange {
    Added {
        n: u32,
        region: String,
    },
    Removed {
        n: u32,
        region: String,
    },
    /// Placed elsewhere: another view, region or position.
    Moved {
        n: u32,
        region: String,
    },
    /// Its description changed: lesion, size, shape, colour, note, photos, method or
    /// grade.
    Described {
        n: u32,
        region: String,
    },
    /// A region's examination status changed (`None`: not recorded).
    Examination {
        region: String,
        from: Option<String>,
        to: Option<String>,
    },
}

/// The changes from `old` to `new`, marks by number, then regions by id. A value that
/// does not read as a body map counts as empty.
pub fn changes(old: Option<&Value>, new: Option<&Value>) -> Vec<MarkChange> {
    let read = |v: Option<&Value>| v.and_then(BodyMap::from_value).unwrap_or_default();
    let (old, new) = (read(old), read(new));
    let find = |map: &BodyMap, n: u32| map.marks.iter().find(|m| m.n == n).cloned();
    let mut numbers: Vec<u32> = old.marks.iter().chain(&new.marks).map(|m| m.n).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut out = Vec::new();
    for n in numbers {
        match (find(&old, n), find(&new, n)) {
            (None, Some(m)) => out.push(MarkChange::Added {
                n,
                region: m.region,
            }),
            (Some(m), None) => out.push(MarkChange::Removed {
                n,
                region: m.region,
            }),
            (Some(a), Some(b)) => {
                if placed(&a) != placed(&b) {
                    out.push(MarkChange::Moved {
                        n,
                        region: b.region.clone(),
                    });
                }
                if described(&a) != described(&b) {
                    out.push(MarkChange::Described {
                        n,
                        region: b.region,
                    });
                }
            }
            (None, None) => {}
        }
    }
    let mut regions: Vec<&String> = old.regions.keys().chain(new.regions.keys()).collect();
    regions.sort();
    regions.dedup();
    for region in regions {
        let (from, to) = (old.regions.get(region), new.regions.get(region));
        if from != to {
            out.push(MarkChange::Examination {
                region: region.clone(),
                from: from.cloned(),
                to: to.cloned(),
            });
        }
    }
    out
}

fn placed(m: &Mark) -> (&str, &str, u64, u64) {
    (&m.view, &m.region, m.x.to_bits(), m.y.to_bits())
}

fn described(m: &Mark) -> Mark {
    Mark {
        view: String::new(),
        region: String::new(),
        x: 0.0,
        y: 0.0,
        ..m.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_each_mark_and_region() {
        let old = json!({"marks": [
            {"n": 1, "view": "front", "region": "chest_left", "x": 0.6, "y": 0.3, "lesion": "bruise"},
            {"n": 2, "view": "back", "region": "upper_back_left", "x": 0.4, "y": 0.3, "lesion": "scar"},
            {"n": 3, "view": "front", "region": "knee_left", "x": 0.6, "y": 0.7, "lesion": "abrasion"}
        ], "regions": {"groin": "declined"}});
        let new = json!({"marks": [
            {"n": 1, "view": "front", "region": "chest_left", "x": 0.62, "y": 0.3, "lesion": "bruise"},
            {"n": 3, "view": "front", "region": "knee_left", "x": 0.6, "y": 0.7, "lesion": "abrasion", "length_cm": 2},
            {"n": 4, "view": "front", "region": "forearm_left", "x": 0.8, "y": 0.47, "lesion": "burn"}
        ], "regions": {"groin": "declined", "chest_left": "examined"}});
        let r = |s: &str| s.to_string();
        assert_eq!(
            changes(Some(&old), Some(&new)),
            [
                MarkChange::Moved {
                    n: 1,
                    region: r("chest_left")
                },
                MarkChange::Removed {
                    n: 2,
                    region: r("upper_back_left")
                },
                MarkChange::Described {
                    n: 3,
                    region: r("knee_left")
                },
                MarkChange::Added {
                    n: 4,
                    region: r("forearm_left")
                },
                MarkChange::Examination {
                    region: r("chest_left"),
                    from: None,
                    to: Some(r("examined"))
                },
            ]
        );
        assert!(changes(Some(&new), Some(&new)).is_empty());
        assert_eq!(
            changes(None, Some(&new)).len(),
            5,
            "three marks and two regions"
        );
    }
}
