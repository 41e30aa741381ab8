//! Counting each survivor once (issue #12, in progress): name matching keys and the
//! model that scores whether two records are one person. Candidate pairs, decisions and
//! persons build on these.

pub mod candidates;
pub mod key;
pub mod population;
pub mod quality;
pub mod score;
