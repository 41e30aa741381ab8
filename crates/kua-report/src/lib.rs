//! Court-ready reports and disclosure packages.
//!
//! A report is a PDF/A-3b document laid out by typst from the vault's plain data: the
//! sealed record, its custody lines and the vault's verification, in en, ru or kk,
//! signed by the vault's device key (a `.minisig` stock `minisign -V` accepts). It
//! embeds the sealed record's exact bytes, so a machine can re-check what a person
//! reads. A disclosure package is a directory a court can check with `sha256sum` and
//! `minisign` alone. Only this crate depends on the layout engine.
//!
//! Invariants: record content reaches typst only as JSON data, never as template
//! source; nothing is written to disk except by [`save`] and [`disclose`], which log
//! what left the vault; the same record and [`Options`] give the same bytes.

#![forbid(unsafe_code)]

mod bodymap;
mod case;
mod common;
mod disclose;
mod error;
mod labels;
mod media;
mod received;
mod render;
mod testimony;
mod values;
mod world;

pub use case::case;
pub use disclose::{disclose, DiscloseOptions, Disclosure};
pub use error::{Error, Result};
pub use labels::LANGUAGES;
pub use media::redraw;
pub use received::received;
pub use testimony::testimony;

use chrono::{DateTime, Utc};
use kua_core::Vault;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a report is made of besides its record. `made_at` is printed on the report
/// and is its PDF date: given the same value, the same record gives the same bytes.
#[derive(Debug, Clone)]
pub struct Options {
    /// `en`, `ru` or `kk`.
    pub lang: String,
    /// The testimony version to report; the latest sealed one when None.
    pub version: Option<u32>,
    /// For an anonymous testimony: include identifying fields (needs `legal` consent).
    pub full: bool,
    pub made_at: DateTime<Utc>,
}

/// A report made in memory: nothing of it is on disk until [`save`].
#[derive(Clone)]
pub struct Report {
    pub pdf: Vec<u8>,
    /// The device key's minisign signature of `pdf`.
    pub minisig: String,
    /// The testimony or case reported.
    pub record: String,
    pub version: Option<u32>,
    /// SHA-256 of `pdf`, hex.
    pub sha256: String,
    /// A file name to suggest, without the directory: `kua-report-ID-vN.pdf`.
    pub file_name: String,
}

impl std::fmt::Debug for Report {
    // The PDF is plaintext of the record: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("record", &self.record)
            .field("version", &self.version)
            .field("sha256", &self.sha256)
            .field("bytes", &self.pdf.len())
            .finish()
    }
}

/// Lays out `data` with the job's template, then signs the PDF.
#[allow(clippy::too_many_arguments)]
fn finish<T: Serialize>(
    vault: &mut Vault,
    mut job: world::Job,
    data: &T,
    qr_text: &str,
    name: &str,
    trusted_comment: &str,
    record: String,
    version: Option<u32>,
) -> Result<Report> {
    let mut value = serde_json::to_value(data).map_err(|e| Error::Layout(e.to_string()))?;
    common::make_drawable(&mut value);
    job.file("/data.json", common::to_json(&value)?)?;
    job.file("/qr.svg", common::qr_svg(qr_text)?)?;
    let pdf = job.pdf(name, &format!("Kua {}", env!("CARGO_PKG_VERSION")))?;
    let sha256 = hex(&Sha256::digest(&pdf));
    let minisig = vault.sign_detached(&pdf, trusted_comment)?;
    Ok(Report {
        pdf,
        minisig,
        record,
        version,
        sha256,
        file_name: format!("{name}.pdf"),
    })
}

/// Clears typst's memoisation caches when dropped. typst keeps layouts and decoded
/// images for the next compilation; a report's are plaintext of a record, so every
/// report holds one of these from its start, and they go however it ends.
pub(crate) struct Evict;

impl Drop for Evict {
    fn drop(&mut self) {
        typst::comemo::evict(0);
    }
}

/// Writes a report and its signature (`FILE.minisig`) and logs `report_saved`. Each
/// file is complete or absent: a write cut short (a pulled USB stick, a full disk)
/// leaves nothing under its name, and then nothing is logged.
pub fn save(vault: &mut Vault, report: &Report, out: &Path) -> Result<()> {
    kua_core::save_file(out, &report.pdf)?;
    let sig = signature_path(out);
    if let Err(e) = kua_core::save_file(&sig, report.minisig.as_bytes()) {
        let _ = std::fs::remove_file(out);
        return Err(e.into());
    }
    // Nothing leaves the vault unlogged: if the log cannot be written, the files go.
    if let Err(e) = vault.log_report_saved(
        &report.record,
        report.version,
        &report.sha256,
        &out.display().to_string(),
    ) {
        let _ = std::fs::remove_file(&sig);
        let _ = std::fs::remove_file(out);
        return Err(e.into());
    }
    Ok(())
}

/// `FILE.pdf` → `FILE.pdf.minisig`, as minisign names signatures.
pub fn signature_path(out: &Path) -> std::path::PathBuf {
    let mut name = out.as_os_str().to_os_string();
    name.push(".minisig");
    name.into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
