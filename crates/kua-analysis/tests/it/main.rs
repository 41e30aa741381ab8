//! The analysis over real vaults: a coordinator's own testimonies and records received
//! from two senders, of a composition known in advance, counted and exported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod counts;
mod dataset;
mod fixture;
mod persons;
