//! A lawyer's cases: the list, a case file, what is recorded in it, and the deadlines
//! across cases. Each command calls one `kua-case` function on the open vault. The day
//! deadlines count from is the page's local date when it gives one (so that the page
//! and its tests agree on "today"), else the shell's.

use super::blocking;
use crate::error::IpcError;
use crate::progress::{ChannelProgress, ProgressEvent};
use kua_case::entry::{
    Document, Evidence, EvidenceStatus, Examined, Note, Petition, PetitionDecision, Step,
};
use kua_case::{record, CaseFile, CaseSummary, Course, Deadline};
use kua_core::Vault;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::AppHandle;

/// Runs `f` on the open vault, on a blocking thread, mapping case errors.
async fn on_case<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut Vault) -> kua_case::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    blocking(app, move |s| {
        s.with_vault(|v| Ok(f(v)))?.map_err(IpcError::from)
    })
    .await
}

fn day(today: Option<String>) -> Result<chrono::NaiveDate, IpcError> {
    match today {
        None => Ok(kua_case::today()),
        Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| IpcError::new("bad_date", format!("{d:?} is not a date"))),
    }
}

/// A case file with its open deadlines.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct CaseShown {
    pub file: CaseFile,
    pub deadlines: Vec<Deadline>,
}

/// The course of a complaint and the case vocabularies, with their labels.
#[tauri::command]
pub fn case_course() -> Course {
    kua_case::course().clone()
}

#[tauri::command]
pub async fn cases_list(
    app: AppHandle,
    today: Option<String>,
) -> Result<Vec<CaseSummary>, IpcError> {
    let today = day(today)?;
    on_case(app, move |v| kua_case::list(v, today)).await
}

#[tauri::command]
pub async fn deadlines(app: AppHandle, today: Option<String>) -> Result<Vec<Deadline>, IpcError> {
    let today = day(today)?;
    on_case(app, move |v| kua_case::deadlines(v, today)).await
}

/// A case; the privileged notes' text only when `privileged` asks for it.
#[tauri::command]
pub async fn case_show(
    app: AppHandle,
    id: String,
    privileged: bool,
    today: Option<String>,
) -> Result<CaseShown, IpcError> {
    let today = day(today)?;
    on_case(app, move |v| {
        let file = kua_case::show(v, &id, privileged)?;
        let deadlines = kua_case::deadlines::of_case(&file, today);
        Ok(CaseShown { file, deadlines })
    })
    .await
}

#[tauri::command]
pub async fn case_open(
    app: AppHandle,
    client: String,
    title: Option<String>,
) -> Result<String, IpcError> {
    on_case(app, move |v| record::open(v, &client, title)).await
}

#[tauri::command]
pub async fn case_step(app: AppHandle, id: String, step: Step) -> Result<String, IpcError> {
    on_case(app, move |v| record::step(v, &id, step)).await
}

#[tauri::command]
pub async fn case_petition(
    app: AppHandle,
    id: String,
    petition: Petition,
) -> Result<String, IpcError> {
    on_case(app, move |v| record::petition(v, &id, petition)).await
}

#[tauri::command]
pub async fn case_decide_petition(
    app: AppHandle,
    id: String,
    decision: PetitionDecision,
) -> Result<String, IpcError> {
    on_case(app, move |v| record::decide_petition(v, &id, decision)).await
}

#[tauri::command]
pub async fn case_evidence(
    app: AppHandle,
    id: String,
    evidence: Evidence,
) -> Result<String, IpcError> {
    on_case(app, move |v| record::evidence(v, &id, evidence)).await
}

#[tauri::command]
pub async fn case_evidence_status(
    app: AppHandle,
    id: String,
    status: EvidenceStatus,
) -> Result<String, IpcError> {
    on_case(app, move |v| record::evidence_status(v, &id, status)).await
}

#[tauri::command]
pub async fn case_circumstance(
    app: AppHandle,
    id: String,
    text: String,
) -> Result<String, IpcError> {
    on_case(app, move |v| record::circumstance(v, &id, &text)).await
}

#[tauri::command]
pub async fn case_examined(
    app: AppHandle,
    id: String,
    examined: Examined,
) -> Result<String, IpcError> {
    on_case(app, move |v| record::examined(v, &id, examined)).await
}

#[tauri::command]
pub async fn case_note(app: AppHandle, id: String, note: Note) -> Result<String, IpcError> {
    on_case(app, move |v| record::note(v, &id, note)).await
}

#[tauri::command]
pub async fn case_seal_note(app: AppHandle, id: String, note: String) -> Result<String, IpcError> {
    on_case(app, move |v| record::seal_note(v, &id, &note)).await
}

#[tauri::command]
pub async fn case_link(app: AppHandle, id: String, testimony: String) -> Result<String, IpcError> {
    on_case(app, move |v| record::link(v, &id, &testimony)).await
}

/// Adds a granted file as a document of the case; returns the document's entry id.
#[tauri::command]
pub async fn case_document(
    app: AppHandle,
    id: String,
    path: PathBuf,
    document: Document,
    progress: Channel<ProgressEvent>,
) -> Result<String, IpcError> {
    blocking(app, move |s| {
        let path = s.readable(&path)?;
        let mut progress = ChannelProgress::new(progress);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut file = std::fs::File::open(&path).map_err(|e| IpcError::io(&path, e))?;
        s.with_vault(|v| {
            Ok(record::document(
                v,
                &id,
                &mut file,
                &name,
                document,
                &mut progress,
            ))
        })?
        .map(|(entry, _)| entry)
        .map_err(IpcError::from)
    })
    .await
}

/// Erases a case for good (its entries and documents; a tombstone stays in the log).
#[tauri::command]
pub async fn case_erase(app: AppHandle, id: String) -> Result<(), IpcError> {
    super::on_vault(app, move |v| v.erase_case(&id)).await
}

/// The outcomes of every complaint the vault knows (own and received), each case once:
/// for the dashboard.
#[tauri::command]
pub async fn case_outcomes(app: AppHandle) -> Result<kua_case::Outcomes, IpcError> {
    on_case(app, kua_case::outcomes).await
}
