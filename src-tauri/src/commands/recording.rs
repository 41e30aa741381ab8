//! Recording from a microphone into a testimony, and playing media in the window.

use super::{blocking, on_vault};
use crate::error::IpcError;
use crate::media::{self, Grant};
use crate::recorder::{Recording, RecordingEvent, RecordingState, STOP_WAIT};
use kua_core::model::AttachmentInfo;
use kua_core::{Marker, MediaRef};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::AppHandle;
use ts_rs::TS;

/// An input device the page can offer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct InputDevice {
    pub name: String,
    pub default: bool,
}

#[tauri::command]
pub async fn input_devices(app: AppHandle) -> Result<Vec<InputDevice>, IpcError> {
    blocking(app, |_| {
        let list =
            kua_audio::input_devices().map_err(|e| IpcError::new(e.code(), e.to_string()))?;
        Ok(list
            .into_iter()
            .map(|d| InputDevice {
                name: d.name,
                default: d.default,
            })
            .collect())
    })
    .await
}

fn busy() -> IpcError {
    IpcError::new(
        "recording_running",
        "a recording is already running; stop it first",
    )
}

fn none_running() -> IpcError {
    IpcError::new("recording_ended", "no recording is running")
}

/// Starts recording into a testimony; the status arrives on `events`.
#[tauri::command]
pub async fn record_start(
    app: AppHandle,
    testimony: String,
    device: Option<String>,
    events: Channel<RecordingEvent>,
) -> Result<RecordingState, IpcError> {
    let handle = app.clone();
    blocking(app, move |s| {
        s.recording(|slot| {
            if slot.as_ref().is_some_and(|r| !r.finished()) {
                return Err(busy());
            }
            let recording = Recording::start(handle, testimony, device, events)?;
            let state = recording.state();
            *slot = Some(recording);
            Ok(state)
        })
    })
    .await
}

/// The running recording, if any; its status now goes to `events`.
#[tauri::command]
pub async fn record_watch(
    app: AppHandle,
    events: Channel<RecordingEvent>,
) -> Result<Option<RecordingState>, IpcError> {
    blocking(app, move |s| {
        // A locked or locking app shows no recording: its markers' notes are testimony.
        if s.vault_status() != Some(true) {
            return Ok(None);
        }
        Ok(s.recording(|slot| {
            let r = slot.as_ref().filter(|r| !r.finished())?;
            r.watch(events);
            Some(r.state())
        }))
    })
    .await
}

#[tauri::command]
pub async fn record_pause(app: AppHandle, paused: bool) -> Result<(), IpcError> {
    blocking(app, move |s| {
        s.recording(|slot| {
            slot.as_ref()
                .map(|r| r.pause(paused))
                .ok_or_else(none_running)
        })
    })
    .await
}

#[tauri::command]
pub async fn record_marker(
    app: AppHandle,
    note: Option<String>,
    section: Option<String>,
) -> Result<Marker, IpcError> {
    blocking(app, move |s| {
        s.recording(|slot| {
            slot.as_ref()
                .ok_or_else(none_running)?
                .marker(note, section)
        })
    })
    .await
}

/// Stops the recording; it becomes an attachment with its evidence hash.
#[tauri::command]
pub async fn record_stop(app: AppHandle) -> Result<AttachmentInfo, IpcError> {
    blocking(app, move |s| {
        // Stopped with the slot held, so a lock pressed meanwhile waits for the finish
        // instead of dropping the keys under it; never longer than a lock would wait.
        s.recording(|slot| slot.take().ok_or_else(none_running)?.stop(STOP_WAIT))
    })
    .await
}

/// What the page loads in an `<audio>` or `<video>` element.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MediaHandle {
    pub url: String,
    pub media_type: String,
    #[ts(type = "number")]
    pub size: u64,
}

#[tauri::command]
pub async fn open_media(app: AppHandle, media: MediaRef) -> Result<MediaHandle, IpcError> {
    let info = on_vault(app.clone(), {
        let media = media.clone();
        move |v| v.open_media(&media)
    })
    .await?;
    if !media::playable(&info.media_type) {
        return Err(IpcError::new(
            "not_playable",
            "only audio and video play in the app; save a copy to open other files",
        ));
    }
    if info.size > media::MAX_PLAYABLE {
        return Err(IpcError::new(
            "too_large_to_play",
            "this file is too large to play in the app; save a copy to play it elsewhere",
        ));
    }
    blocking(app, move |s| {
        // Granted under the vault's lock, which a lock holds while it clears the
        // grants: no token outlives the lock that should have cleared it.
        let token = s.with_vault(|v| {
            if !v.is_unlocked() {
                return Err(kua_core::Error::Locked);
            }
            Ok(s.grant_media(Grant {
                media,
                media_type: info.media_type.clone(),
            }))
        })?;
        Ok(MediaHandle {
            url: format!("{}://localhost/{token}", media::SCHEME),
            media_type: info.media_type,
            size: info.size,
        })
    })
    .await
}

/// The player showing `url` (a handle of `open_media`) closed: its grant ends, and the
/// decrypted remux kept for it, if any, is wiped at once rather than at the next lock.
#[tauri::command]
pub async fn close_media(app: AppHandle, url: String) -> Result<(), IpcError> {
    blocking(app, move |s| {
        s.release_media(media::token_of(&url));
        Ok(())
    })
    .await
}
