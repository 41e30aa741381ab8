//! The commands the page may call. Each takes the session, calls one core function and
//! maps the error. Work that can take more than a frame (key derivation, files, bundles,
//! anything touching the disk) runs on a blocking thread, never on the UI thread.

pub mod analysis;
pub mod cases;
pub mod custody;
pub mod exchange;
pub mod files;
pub mod persons;
pub mod recording;
pub mod reports;
pub mod testimonies;
pub mod vault;

use crate::error::IpcError;
use crate::grants::Access;
use crate::progress::{ChannelProgress, ProgressEvent};
use crate::session::Session;
use kua_core::Vault;
use std::path::{Path, PathBuf};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        vault::app_state,
        vault::create_vault,
        vault::open_vault,
        vault::unlock,
        vault::recover,
        vault::lock,
        vault::change_passphrase,
        vault::new_recovery_key,
        vault::set_settings,
        testimonies::templates,
        testimonies::body_atlas,
        testimonies::list,
        testimonies::list_window,
        testimonies::search,
        testimonies::add,
        testimonies::show,
        testimonies::edit,
        testimonies::set_consent,
        testimonies::seal,
        testimonies::amend,
        testimonies::versions,
        files::pick,
        files::attach,
        files::extract,
        recording::input_devices,
        recording::record_start,
        recording::record_watch,
        recording::record_pause,
        recording::record_marker,
        recording::record_stop,
        recording::open_media,
        recording::close_media,
        custody::log,
        custody::history,
        custody::verify,
        exchange::identity,
        exchange::recipients,
        exchange::add_recipient,
        exchange::remove_recipient,
        exchange::trusted_senders,
        exchange::trust,
        exchange::distrust,
        exchange::export_plan,
        exchange::export,
        exchange::verify_bundle,
        exchange::import,
        exchange::received,
        exchange::show_received,
        analysis::dashboard,
        analysis::cell_records,
        analysis::save_chart,
        analysis::export_analysis_dataset,
        persons::persons_queue,
        persons::persons_pair,
        persons::persons_decide,
        persons::persons_undo,
        persons::persons_list,
        persons::person_show,
        persons::linkage_secret,
        persons::linkage_secret_create,
        persons::linkage_secret_set,
        persons::linkage_secret_manage,
        vault::erase_vault,
        vault::erase_after,
        vault::set_erase_after,
        cases::case_course,
        cases::cases_list,
        cases::deadlines,
        cases::case_show,
        cases::case_open,
        cases::case_step,
        cases::case_petition,
        cases::case_decide_petition,
        cases::case_evidence,
        cases::case_evidence_status,
        cases::case_circumstance,
        cases::case_examined,
        cases::case_note,
        cases::case_seal_note,
        cases::case_link,
        cases::case_document,
        cases::case_erase,
        cases::case_outcomes,
        reports::report_preview,
        reports::report_save,
        reports::disclose,
    ]
}

/// Runs `f` on a blocking thread with the session.
pub async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&Session) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<Session>()))
        .await
        .map_err(|_| IpcError::new("internal", "the operation stopped unexpectedly"))?
}

/// Runs `f` on the open vault, on a blocking thread.
pub async fn on_vault<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut Vault) -> kua_core::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    blocking(app, move |s| s.with_vault(f)).await
}

/// Runs `f` on the open vault with a file the user granted for this use and a progress
/// channel: the shape of every command that reads or writes a file (extract, export,
/// verify, import).
pub async fn on_vault_file<T: Send + 'static>(
    app: AppHandle,
    (path, access): (PathBuf, Access),
    progress: Channel<ProgressEvent>,
    f: impl FnOnce(&mut Vault, &Path, &mut ChannelProgress) -> kua_core::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    blocking(app, move |s| {
        let path = s.granted(&path, access)?;
        let mut progress = ChannelProgress::new(progress);
        s.with_vault(|v| f(v, &path, &mut progress))
    })
    .await
}
