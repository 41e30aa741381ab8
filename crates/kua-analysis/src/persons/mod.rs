//! Counting each survivor once (issue #12): over kua-core's name matching keys
//! (`kua_core::names`) and redacted match keys (`kua_core::matchkeys`), the model
//! that scores whether two records are one person (`score.rs`), candidate pairs by
//! blocking (`candidates.rs`), persons from automatic links and reviewers' decisions
//! (`people.rs`), and the generated population with the truth known that measures it
//! all (`population.rs`, `quality.rs`).

pub mod candidates;
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
