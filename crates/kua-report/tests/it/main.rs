//! Reports and disclosure packages over a real vault, checked with the stock tools a
//! court would use: pdftotext, pdffonts, pdfinfo and pdfdetach (poppler-utils),
//! minisign and sha256sum.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bodymap;
mod case;
mod disclose;
mod fixture;
mod received;
mod testimony;
