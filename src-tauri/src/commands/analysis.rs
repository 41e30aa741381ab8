//! The coordinator's dashboard: counts by the page's queries over the analysis set,
//! the records behind a count, a chart saved where the user chose, and a dataset for
//! analysts.

use super::blocking;
use crate::error::IpcError;
use kua_analysis::{export_dataset, DatasetFormat, DatasetReport, Query, RecordRef, Table, Unit};
use serde::Serialize;
use std::path::PathBuf;
use tauri::AppHandle;
use ts_rs::TS;

/// Every chart of the dashboard at once: one table per query.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Dashboard {
    pub tables: Vec<Table>,
}

#[tauri::command]
pub async fn dashboard(
    app: AppHandle,
    queries: Vec<Query>,
    drafts: bool,
    lang: String,
) -> Result<Dashboard, IpcError> {
    let persons = queries.iter().any(|q| q.unit() == Unit::Persons);
    blocking(app, move |s| {
        s.with_analysis(drafts, persons, |set| {
            Ok(Dashboard {
                tables: set.tables(&queries, &lang)?,
            })
        })
    })
    .await
}

/// The records of one cell (a bar, a row of a table).
#[tauri::command]
pub async fn cell_records(
    app: AppHandle,
    query: Query,
    codes: Vec<Option<String>>,
    drafts: bool,
) -> Result<Vec<RecordRef>, IpcError> {
    let persons = query.unit() == Unit::Persons;
    blocking(app, move |s| {
        s.with_analysis(drafts, persons, |set| Ok(set.records(&query, &codes)?))
    })
    .await
}

/// Writes a chart the page drew (SVG text or PNG bytes) to a path granted for writing.
#[tauri::command]
pub async fn save_chart(app: AppHandle, path: PathBuf, bytes: Vec<u8>) -> Result<(), IpcError> {
    blocking(app, move |s| {
        let path = s.writable(&path)?;
        Ok(kua_core::save_file(&path, &bytes)?)
    })
    .await
}

/// Writes the dataset into a new folder at a path granted for writing.
#[tauri::command]
pub async fn export_analysis_dataset(
    app: AppHandle,
    path: PathBuf,
    format: DatasetFormat,
    lang: String,
) -> Result<DatasetReport, IpcError> {
    blocking(app, move |s| {
        let path = s.writable(&path)?;
        let records = s.with_vault(|v| v.analysis_records(false, None))?;
        Ok(export_dataset(&records, &path, format, &lang)?)
    })
    .await
}
