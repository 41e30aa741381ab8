//! Court reports and disclosure packages. A preview is made in memory and handed to
//! the page as bytes (an ArrayBuffer, never a temporary file); saving makes the same
//! report again from the same options (the same bytes, by construction) and writes it
//! with its signature to the path the user picked. Each command calls one
//! `kua-report` function on the open vault.

use super::blocking;
use crate::error::IpcError;
use chrono::{DateTime, Utc};
use kua_core::Vault;
use kua_report::{DiscloseOptions, Options, Report};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::ipc::Response;
use tauri::AppHandle;
use ts_rs::TS;

impl From<kua_report::Error> for IpcError {
    fn from(e: kua_report::Error) -> Self {
        match e {
            kua_report::Error::Core(core) => core.into(),
            kua_report::Error::Case(case) => case.into(),
            e => IpcError::new(e.code(), e.to_string()),
        }
    }
}

/// What the page asks a report of. `made_at` (RFC 3339) is printed on the report and
/// fixes its bytes: the preview and the saved file give it the same value.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ReportRequest {
    /// A testimony, or with `case` set, a case.
    pub id: String,
    #[serde(default)]
    pub case: bool,
    /// A record received in a bundle, from the sender with this key id
    /// (`ReceivedSummary::sender_key_id`), instead of one of this vault's testimonies.
    #[serde(default)]
    #[ts(optional)]
    pub received_from: Option<String>,
    pub version: Option<u32>,
    pub lang: String,
    #[serde(default)]
    pub full: bool,
    pub made_at: String,
}

/// What was saved.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReportSaved {
    pub path: String,
    pub signature: String,
    pub sha256: String,
}

/// What a disclosure package holds, for the page to confirm.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DisclosureDone {
    pub dir: String,
    pub testimonies: Vec<(String, u32)>,
    pub files: usize,
    pub sums_sha256: String,
}

fn made_at(s: &str) -> Result<DateTime<Utc>, IpcError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| IpcError::new("bad_date", format!("{s:?} is not a time")))
}

fn make(v: &mut Vault, r: &ReportRequest) -> Result<Report, IpcError> {
    let options = Options {
        lang: r.lang.clone(),
        version: r.version,
        full: r.full,
        made_at: made_at(&r.made_at)?,
    };
    Ok(if r.case {
        kua_report::case(v, &r.id, &options)?
    } else if let Some(sender) = &r.received_from {
        kua_report::received(v, &r.id, Some(sender), &options)?
    } else {
        kua_report::testimony(v, &r.id, &options)?
    })
}

/// The report's PDF, as bytes for the page's viewer.
#[tauri::command]
pub async fn report_preview(app: AppHandle, request: ReportRequest) -> Result<Response, IpcError> {
    blocking(app, move |s| {
        let report = s.with_vault(|v| Ok(make(v, &request)))??;
        Ok(Response::new(report.pdf))
    })
    .await
}

/// Makes the report and writes it, with `FILE.minisig` beside it, to a path the user
/// picked; logged `report_saved`.
#[tauri::command]
pub async fn report_save(
    app: AppHandle,
    request: ReportRequest,
    path: PathBuf,
) -> Result<ReportSaved, IpcError> {
    blocking(app, move |s| {
        let path = s.writable_signed(&path)?;
        s.with_vault(|v| {
            Ok(make(v, &request).and_then(|report| {
                kua_report::save(v, &report, &path)?;
                Ok(ReportSaved {
                    signature: kua_report::signature_path(&path).display().to_string(),
                    path: path.display().to_string(),
                    sha256: report.sha256,
                })
            }))
        })?
    })
    .await
}

/// Writes a disclosure package of `ids` into a new folder the user picked.
#[tauri::command]
pub async fn disclose(
    app: AppHandle,
    ids: Vec<String>,
    lang: String,
    full: bool,
    made_at_time: String,
    confirmed: bool,
    path: PathBuf,
) -> Result<DisclosureDone, IpcError> {
    blocking(app, move |s| {
        let path = s.writable(&path)?;
        let options = DiscloseOptions {
            lang,
            full,
            made_at: made_at(&made_at_time)?,
            confirmed,
        };
        let d = s.with_vault(|v| Ok(kua_report::disclose(v, &ids, &options, &path)))??;
        Ok(DisclosureDone {
            dir: d.dir.display().to_string(),
            testimonies: d.testimonies,
            files: d.files,
            sums_sha256: d.sums_sha256,
        })
    })
    .await
}
