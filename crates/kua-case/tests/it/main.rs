//! Case files over a real vault: the whole course of a complaint, the steps the course
//! refuses, petitions, evidence, notes, documents and deadlines; verification and a
//! scan of the vault file for what was written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod course;
mod exchange;
mod fixture;
mod records;
