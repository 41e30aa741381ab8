//! `kua report` and `kua disclose`: court reports and disclosure packages over
//! `kua-report`.

use crate::output::emit;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use kua_core::Vault;
use std::path::Path;
use std::process::ExitCode;

pub struct ReportArgs {
    pub id: String,
    pub case: bool,
    pub received: bool,
    pub sender: Option<String>,
    pub version: Option<u32>,
    pub lang: String,
    pub full: bool,
    pub made_at: Option<String>,
}

/// `--made-at`, or now to the second.
fn made_at(given: Option<&str>) -> Result<DateTime<Utc>> {
    match given {
        Some(s) => Ok(DateTime::parse_from_rfc3339(s)
            .map_err(|_| {
                kua_core::Error::BadInput(format!(
                    "--made-at {s:?} is not a time; write it as 2026-12-03T10:15:00Z"
                ))
            })?
            .with_timezone(&Utc)),
        None => {
            let now = Utc::now();
            Ok(DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now))
        }
    }
}

pub fn report(vault: &mut Vault, a: &ReportArgs, out: &Path, json: bool) -> Result<ExitCode> {
    if a.case && (a.version.is_some() || a.full) {
        return Err(kua_core::Error::BadInput(
            "--version and --full are for testimonies; a case report shows the whole case".into(),
        )
        .into());
    }
    let options = kua_report::Options {
        lang: a.lang.clone(),
        version: a.version,
        full: a.full,
        made_at: made_at(a.made_at.as_deref())?,
    };
    let report = if a.case {
        kua_report::case(vault, &a.id, &options)?
    } else if a.received {
        kua_report::received(vault, &a.id, a.sender.as_deref(), &options)?
    } else {
        kua_report::testimony(vault, &a.id, &options)?
    };
    kua_report::save(vault, &report, out)?;
    let signature = kua_report::signature_path(out);
    let shown = serde_json::json!({
        "file": out,
        "signature": signature,
        "sha256": report.sha256,
        "record": report.record,
        "version": report.version,
        "made_at": options.made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    emit(json, &shown, || {
        println!("report written to {}", out.display());
        println!("signature:  {}", signature.display());
        println!("sha256:     {}", report.sha256);
        println!(
            "check it:   kua identity --minisign-pub -o kua.pub && minisign -Vm {} -p kua.pub",
            out.display()
        );
    })
}

#[allow(clippy::too_many_arguments)]
pub fn disclose(
    vault: &mut Vault,
    ids: &[String],
    out: &Path,
    lang: &str,
    full: bool,
    made: Option<&str>,
    confirmed: bool,
    json: bool,
) -> Result<ExitCode> {
    let options = kua_report::DiscloseOptions {
        lang: lang.to_string(),
        full,
        made_at: made_at(made)?,
        confirmed,
    };
    let d = kua_report::disclose(vault, ids, &options, out).with_context(|| {
        if confirmed {
            format!("no disclosure package was written to {}", out.display())
        } else {
            "add --confirm-plaintext if that is what you mean".to_string()
        }
    })?;
    let shown = serde_json::json!({
        "dir": d.dir,
        "testimonies": d.testimonies,
        "files": d.files,
        "sums_sha256": d.sums_sha256,
    });
    emit(json, &shown, || {
        println!(
            "disclosure package of {} testimonies written to {} ({} files)",
            d.testimonies.len(),
            d.dir.display(),
            d.files
        );
        println!("check it there: sha256sum -c SHA256SUMS && minisign -Vm SHA256SUMS -p kua.pub");
    })
}
