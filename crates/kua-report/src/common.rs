//! What every report carries besides its record: who made it and when, the device
//! key, the custody lines, the vault's verification, and the page on how to check it.

use crate::error::{Error, Result};
use crate::labels::{date, time, Labels};
use crate::Options;
use kua_core::{LogLine, Vault};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub(crate) struct Common {
    pub lang: &'static str,
    pub t: BTreeMap<String, String>,
    pub title: String,
    pub author: String,
    pub made: String,
    pub footer: String,
    pub public_key_file: String,
    pub key_id: String,
    pub fingerprint: String,
    pub custody: Vec<CustodyLine>,
    pub verification: Verification,
    pub checks: Vec<Check>,
    pub qr_text: String,
    pub embedded: Vec<Embedded>,
    pub embedded_note: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct CustodyLine {
    seq: u64,
    time: String,
    event: String,
    version: String,
    content_hash: String,
    hash: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Verification {
    ok: bool,
    summary: String,
    problems: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Check {
    text: String,
    command: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Embedded {
    name: String,
    description: String,
}

impl Common {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        vault: &mut Vault,
        labels: Labels,
        options: &Options,
        title: String,
        footer: String,
        qr_text: &str,
        history: &[LogLine],
        report: &kua_core::VerifyReport,
    ) -> Result<Common> {
        let identity = vault.identity()?;
        let made_at = options.made_at.format("%Y-%m-%dT%H:%M").to_string();
        Ok(Common {
            lang: labels.lang,
            t: labels.all(),
            title,
            // The document's metadata names the program only: an author field with the
            // interviewer's name would defeat an anonymous report.
            author: "Kua".into(),
            made: labels
                .get("made_by")
                .replace("{version}", env!("CARGO_PKG_VERSION"))
                .replace("{time}", &date(labels.lang, &made_at)),
            footer,
            public_key_file: vault.minisign_public_key_file()?,
            key_id: identity.minisign_key_id,
            fingerprint: identity.fingerprint,
            custody: history
                .iter()
                .map(|l| CustodyLine {
                    seq: l.seq,
                    time: time(labels.lang, &l.time),
                    event: labels.event(l.event),
                    version: l.version.map(|v| v.to_string()).unwrap_or_default(),
                    content_hash: l.content_hash.clone().unwrap_or_default(),
                    hash: l.hash.clone(),
                })
                .collect(),
            verification: Verification {
                ok: report.ok,
                summary: labels.get(if report.ok {
                    "verify_ok"
                } else {
                    "verify_problems"
                }),
                problems: report
                    .problems
                    .iter()
                    .map(|p| format!("{} — {}: {}", p.code, p.place, p.detail))
                    .collect(),
            },
            checks: Vec::new(),
            qr_text: qr_text.to_string(),
            embedded: Vec::new(),
            embedded_note: String::new(),
        })
    }

    pub(crate) fn embed(&mut self, name: &str, description: &str) {
        self.embedded.push(Embedded {
            name: name.into(),
            description: description.into(),
        });
    }
}

/// The three checks of the last page; the second depends on what the report embeds.
pub(crate) fn checks(labels: Labels, record_text: &str, record_command: &str) -> Vec<Check> {
    vec![
        Check {
            text: labels.get("check_sig"),
            command: "minisign -Vm REPORT.pdf -p kua.pub".into(),
        },
        Check {
            text: record_text.into(),
            command: record_command.into(),
        },
        Check {
            text: labels.get("check_files"),
            command: "sha256sum FILE".into(),
        },
    ]
}

/// Whether a custody line records a report or a package made of the record rather
/// than a change to it. Reports leave those lines out, so that making (and saving) a
/// report does not change the next report of the same version: they stay in the log
/// and in `kua history`.
pub(crate) fn is_output(l: &LogLine) -> bool {
    matches!(
        l.event,
        kua_core::custody::Event::ReportSaved | kua_core::custody::Event::Disclosed
    )
}

/// The custody lines of `record` a report shows and embeds (see `is_output`).
pub(crate) fn history(vault: &mut Vault, record: &str) -> Result<Vec<LogLine>> {
    Ok(vault
        .history(record)?
        .into_iter()
        .filter(|l| !is_output(l))
        .collect())
}

/// The custody lines of a testimony up to the entry that sealed `version` (`sealed`
/// or `amended`), so that the report of a version stays the same when later versions
/// are made.
pub(crate) fn history_until(vault: &mut Vault, record: &str, version: u32) -> Result<Vec<LogLine>> {
    let lines = history(vault, record)?;
    let sealed = lines.iter().position(|l| {
        l.version == Some(version)
            && matches!(
                l.event,
                kua_core::custody::Event::Sealed | kua_core::custody::Event::Amended
            )
    });
    Ok(match sealed {
        Some(i) => lines.into_iter().take(i + 1).collect(),
        None => lines,
    })
}

/// A string as the bundled fonts can draw it: a character no font covers (an emoji, a
/// script DejaVu lacks, a control character) becomes `[U+XXXX]`. PDF/A forbids a
/// missing glyph, so without this one such character would make the report impossible;
/// the embedded record keeps the exact bytes.
pub(crate) fn drawable(s: &str) -> String {
    if s.chars().all(|c| c == '\n' || crate::world::covered(c)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c == '\n' || crate::world::covered(c) {
            out.push(c);
        } else {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        }
    }
    out
}

/// `drawable` over every string of a report's data.
pub(crate) fn make_drawable(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = drawable(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(make_drawable),
        serde_json::Value::Object(map) => map.values_mut().for_each(make_drawable),
        _ => {}
    }
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(|e| Error::Layout(e.to_string()))
}

/// The QR code of `text` as SVG.
pub(crate) fn qr_svg(text: &str) -> Result<Vec<u8>> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| Error::Layout(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build()
        .into_bytes())
}
