//! Counting each survivor once: the review queue, two records compared, a reviewer's
//! decisions, persons. Linkage lives in the session (in memory, dropped on lock) and is
//! rebuilt after every decision, since a decision moves the vault's change mark.

use super::blocking;
use crate::error::IpcError;
use kua_analysis::persons::{PairView, Person, PersonView};
use kua_core::{Decision, Verdict};
use tauri::AppHandle;

/// The pairs waiting for a reviewer, best first.
#[tauri::command]
pub async fn persons_queue(app: AppHandle) -> Result<Vec<PairView>, IpcError> {
    blocking(app, |s| s.with_linkage(|l| Ok(l.queue()))).await
}

/// Any two records compared, with the decision in force on them.
#[tauri::command]
pub async fn persons_pair(app: AppHandle, a: String, b: String) -> Result<PairView, IpcError> {
    blocking(app, move |s| s.with_linkage(|l| Ok(l.compare(&a, &b)?))).await
}

/// Records a reviewer's decision on two records.
#[tauri::command]
pub async fn persons_decide(
    app: AppHandle,
    a: String,
    b: String,
    verdict: Verdict,
    note: Option<String>,
) -> Result<Decision, IpcError> {
    blocking(app, move |s| {
        s.with_linkage(|l| Ok(l.check_pair(&a, &b)?))?;
        s.with_vault(|v| v.decide_link(&a, &b, verdict, note.as_deref()))
    })
    .await
}

/// Takes a decision back (a new decision; nothing is erased).
#[tauri::command]
pub async fn persons_undo(
    app: AppHandle,
    decision: String,
    note: Option<String>,
) -> Result<Decision, IpcError> {
    blocking(app, move |s| {
        s.with_vault(|v| v.undo_link_decision(&decision, note.as_deref()))
    })
    .await
}

/// Every person, in the order of their earliest record.
#[tauri::command]
pub async fn persons_list(app: AppHandle) -> Result<Vec<Person>, IpcError> {
    blocking(app, |s| s.with_linkage(|l| Ok(l.persons.clone()))).await
}

/// One person, by person id or the id of any of its records.
#[tauri::command]
pub async fn person_show(app: AppHandle, id: String) -> Result<PersonView, IpcError> {
    blocking(app, move |s| s.with_linkage(|l| Ok(l.view_person(&id)?))).await
}
