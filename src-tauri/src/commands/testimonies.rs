//! Testimonies: templates, list, search, and the lifecycle draft → seal → amend.

use super::on_vault;
use crate::error::IpcError;
use kua_core::model::{
    Consent, ListPage, ListQuery, ListRow, SearchHit, Testimony, TestimonyInput, VersionInfo,
};
use kua_core::template::Template;
use tauri::AppHandle;

#[tauri::command]
pub fn templates() -> Vec<Template> {
    kua_core::template::builtin().to_vec()
}

/// The views, regions and vocabularies of body maps (the drawings ship with the page).
#[tauri::command]
pub fn body_atlas() -> kua_core::body::Atlas {
    kua_core::body::atlas().clone()
}

/// Every testimony, for the screens that pick among them (a case, an export).
#[tauri::command]
pub async fn list(app: AppHandle) -> Result<Vec<ListRow>, IpcError> {
    on_vault(app, |v| {
        Ok(v.list()?.into_iter().map(ListRow::from).collect())
    })
    .await
}

/// A window that read this many testimonies anew frees enough to trim the heap after.
const READ_MANY: u32 = 1_000;

/// The rows of the testimony list the page shows (filtered, sorted, one window).
#[tauri::command]
pub async fn list_window(app: AppHandle, query: ListQuery) -> Result<ListPage, IpcError> {
    on_vault(app, move |v| {
        let page = v.list_window(&query)?;
        // The first window after unlock reads every testimony once; what that freed
        // goes back to the system rather than staying resident (kua-wipe trim). Other
        // windows read few or none and are not followed by a trim, which walks every
        // heap.
        if page.read >= READ_MANY {
            kua_wipe::trim();
        }
        Ok(page)
    })
    .await
}

#[tauri::command]
pub async fn search(app: AppHandle, query: String) -> Result<Vec<SearchHit>, IpcError> {
    on_vault(app, move |v| v.search(&query, 200)).await
}

#[tauri::command]
pub async fn add(app: AppHandle, input: TestimonyInput) -> Result<String, IpcError> {
    on_vault(app, move |v| v.add(&input)).await
}

#[tauri::command]
pub async fn show(app: AppHandle, id: String, version: Option<u32>) -> Result<Testimony, IpcError> {
    on_vault(app, move |v| v.show(&id, version)).await
}

/// Autosave: replaces the present keys of a draft (a no-op when nothing changed).
#[tauri::command]
pub async fn edit(app: AppHandle, id: String, input: TestimonyInput) -> Result<(), IpcError> {
    on_vault(app, move |v| v.edit(&id, &input)).await
}

#[tauri::command]
pub async fn set_consent(app: AppHandle, id: String, consent: Consent) -> Result<(), IpcError> {
    on_vault(app, move |v| v.set_consent(&id, &consent)).await
}

/// Returns the sealed version's content hash.
#[tauri::command]
pub async fn seal(app: AppHandle, id: String) -> Result<String, IpcError> {
    on_vault(app, move |v| v.seal(&id)).await
}

/// Returns the new version's number.
#[tauri::command]
pub async fn amend(app: AppHandle, id: String, input: TestimonyInput) -> Result<u32, IpcError> {
    on_vault(app, move |v| v.amend(&id, &input)).await
}

#[tauri::command]
pub async fn versions(app: AppHandle, id: String) -> Result<Vec<VersionInfo>, IpcError> {
    on_vault(app, move |v| v.versions(&id)).await
}
