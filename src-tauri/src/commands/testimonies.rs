//! Testimonies: templates, list, search, and the lifecycle draft → seal → amend.

use super::on_vault;
use crate::error::IpcError;
use kua_core::model::{
    Consent, SearchHit, Status, Testimony, TestimonyInput, TestimonySummary, VersionInfo,
};
use kua_core::template::Template;
use serde::Serialize;
use tauri::AppHandle;
use ts_rs::TS;

#[tauri::command]
pub fn templates() -> Vec<Template> {
    kua_core::template::builtin().to_vec()
}

/// The views, regions and vocabularies of body maps (the drawings ship with the page).
#[tauri::command]
pub fn body_atlas() -> kua_core::body::Atlas {
    kua_core::body::atlas().clone()
}

/// A line of the testimony list: only what the list shows, so that 10,000 of them
/// cost the page little memory (the full summary carries consent and attachments).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ListRow {
    pub id: String,
    pub status: Status,
    pub version: u32,
    pub template: String,
    pub language: String,
    pub created_at: String,
    pub updated_at: String,
    pub excerpt: String,
    pub attachments: usize,
}

impl From<TestimonySummary> for ListRow {
    fn from(s: TestimonySummary) -> Self {
        ListRow {
            id: s.id,
            status: s.status,
            version: s.version,
            template: s.template,
            language: s.language,
            created_at: s.created_at,
            updated_at: s.updated_at,
            excerpt: s.excerpt,
            attachments: s.attachments.len(),
        }
    }
}

#[tauri::command]
pub async fn list(app: AppHandle) -> Result<Vec<ListRow>, IpcError> {
    on_vault(app, |v| {
        Ok(v.list()?.into_iter().map(ListRow::from).collect())
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
