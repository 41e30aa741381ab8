//! Counting each survivor once (issue #12): name matching keys (`key.rs`), the model
//! that scores whether two records are one person (`score.rs`), candidate pairs by
//! blocking (`candidates.rs`), persons from automatic links and reviewers' decisions
//! (`people.rs`), and the generated population with the truth known that measures it
//! all (`population.rs`, `quality.rs`).

pub mod candidates;
pub mod key;
mod people;
pub mod population;
pub mod quality;
mod review;
pub mod score;

pub use people::{
    fields_with_linkage, in_force, link, link_records, Flag, Linkage, Member, Person, LINK_FIELDS,
};
pub use review::{PairView, PersonView};
pub use score::{Band, Comparison, Feature, Reason};
