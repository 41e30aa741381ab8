//! The microphone inside the app. A recording runs on its own thread, because the
//! capture stream must stay on the thread that opened it: a `kua_audio::Take` feeds
//! the vault's recording API (`append_recording`, `flush_recording` every second,
//! `finish_recording`), and the page steers it through a channel of controls and
//! watches it through a channel of status events.
//!
//! Invariants: at most one recording runs at a time; the keys are never dropped under
//! a running recording (locking stops it first, see `Session::lock`); whatever ends a
//! recording (stop, lock, a dead microphone, a full disk) finishes or leaves it
//! recoverable, never lost.

use crate::error::IpcError;
use crate::session::Session;
use kua_audio::Take;
use kua_core::model::AttachmentInfo;
use kua_core::{Marker, NewRecording};
use serde::Serialize;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use ts_rs::TS;
use zeroize::Zeroizing;

/// How often the page hears the level and the elapsed time.
const STATUS_EVERY: Duration = Duration::from_millis(100);

/// What the page sees of a running recording.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordingEvent {
    Status {
        #[ts(type = "number")]
        elapsed_ms: u64,
        /// Peak level since the last status, dBFS (-90 silence … 0 full scale).
        level_db: f32,
        paused: bool,
        /// Free space on the vault's disk, and how many hours of speech it holds.
        #[ts(type = "number")]
        free_bytes: u64,
        hours_left: f64,
    },
    /// The recording ended: as an attachment, or with an error (what was flushed is
    /// recovered at the next unlock).
    Ended {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional, as = "Option<AttachmentInfo>")]
        attachment: Option<Box<AttachmentInfo>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional, as = "Option<IpcError>")]
        error: Option<Box<IpcError>>,
    },
}

/// The recording running now, as the page asks for it after navigating back.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RecordingState {
    pub testimony: String,
    pub recording: String,
    pub device: Option<String>,
    pub paused: bool,
    pub markers: Vec<Marker>,
}

enum Control {
    Pause,
    Resume,
    Marker(Option<String>, Option<String>, Sender<Marker>),
    Stop,
}

/// The shell's handle on the recording thread.
pub struct Recording {
    controls: Sender<Control>,
    thread: JoinHandle<Result<AttachmentInfo, IpcError>>,
    state: Arc<Mutex<RecordingState>>,
    watcher: Arc<Mutex<Option<Channel<RecordingEvent>>>>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opus at 24 kbit/s: 10.8 MB an hour (docs/benchmarks.md measures 11.1 with framing).
const BYTES_PER_HOUR: f64 = kua_audio::BITRATE as f64 / 8.0 * 3600.0 * 1.03;

impl Recording {
    /// Opens the microphone and starts recording into `testimony`. Fails (and records
    /// nothing) when the device cannot be opened or the testimony cannot take it.
    pub fn start(
        app: AppHandle,
        testimony: String,
        device: Option<String>,
        watcher: Channel<RecordingEvent>,
    ) -> Result<Recording, IpcError> {
        let (controls, inbox) = channel();
        let (ready, started) = channel::<Result<String, IpcError>>();
        let watcher = Arc::new(Mutex::new(Some(watcher)));
        let state = Arc::new(Mutex::new(RecordingState {
            testimony: testimony.clone(),
            recording: String::new(),
            device: device.clone(),
            paused: false,
            markers: Vec::new(),
        }));
        let (w, st) = (watcher.clone(), state.clone());
        let thread = std::thread::Builder::new()
            .name("kua-recording".into())
            .spawn(move || run(&app, &testimony, device.as_deref(), &inbox, &ready, &w, &st))
            .map_err(|e| IpcError::new("internal", e.to_string()))?;
        let id = started
            .recv()
            .map_err(|_| IpcError::new("internal", "the recording thread stopped"))??;
        lock(&state).recording = id;
        Ok(Recording {
            controls,
            thread,
            state,
            watcher,
        })
    }

    pub fn state(&self) -> RecordingState {
        lock(&self.state).clone()
    }

    /// Sends the status events to a new page (after a reload or navigation).
    pub fn watch(&self, channel: Channel<RecordingEvent>) {
        *lock(&self.watcher) = Some(channel);
    }

    /// Sends the status events to no page (a lock or an erase cleared it).
    pub fn unwatch(&self) {
        *lock(&self.watcher) = None;
    }

    pub fn pause(&self, paused: bool) {
        let _ = self.controls.send(if paused {
            Control::Pause
        } else {
            Control::Resume
        });
    }

    /// Drops a marker at the current time; returns it with that time.
    pub fn marker(
        &self,
        note: Option<String>,
        section: Option<String>,
    ) -> Result<Marker, IpcError> {
        let (reply, marker) = channel();
        self.controls
            .send(Control::Marker(note, section, reply))
            .map_err(|_| ended())?;
        marker
            .recv_timeout(Duration::from_secs(2))
            .map_err(|_| ended())
    }

    pub fn finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Stops and waits for the recording to become an attachment, `limit` at most
    /// (`STOP_WAIT` outside tests). A thread that has not ended by then (a hung audio
    /// driver) goes on alone; what it flushed is recovered at the next unlock if it
    /// never ends. This is the only way to stop a recording: whoever stops it holds the
    /// recording's slot meanwhile, and a lock waits for that slot, so an unbounded wait
    /// here would keep the keys in memory for good.
    pub fn stop(self, limit: Duration) -> Result<AttachmentInfo, IpcError> {
        let _ = self.controls.send(Control::Stop);
        let deadline = Instant::now() + limit;
        while !self.thread.is_finished() {
            if Instant::now() >= deadline {
                return Err(IpcError::new(
                    "recording_stuck",
                    "the microphone did not stop in time; the recording is finished at the next unlock",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.thread
            .join()
            .map_err(|_| IpcError::new("internal", "the recording thread stopped"))?
    }
}

/// How long a stop (the button, a lock, a closing window) waits for a recording to
/// finish.
pub const STOP_WAIT: Duration = Duration::from_secs(10);

fn ended() -> IpcError {
    IpcError::new("recording_ended", "the recording has already ended")
}

fn run(
    app: &AppHandle,
    testimony: &str,
    device: Option<&str>,
    inbox: &Receiver<Control>,
    ready: &Sender<Result<String, IpcError>>,
    watcher: &Mutex<Option<Channel<RecordingEvent>>>,
    state: &Mutex<RecordingState>,
) -> Result<AttachmentInfo, IpcError> {
    let session = app.state::<Session>();
    let serial = rand_serial();
    let opened = Take::start(device, serial)
        .map_err(audio_error)
        .and_then(|take| {
            // `with_vault`, not the recording variant: a start that races a lock
            // must not begin a recording the lock would then have to finish.
            let id = session.with_vault(|v| {
                v.begin_recording(
                    testimony,
                    NewRecording {
                        name: String::new(),
                        media_type: "audio/ogg".into(),
                    },
                )
            })?;
            Ok((take, id))
        });
    let (mut take, id) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            let _ = ready.send(Err(e.clone()));
            return Err(e);
        }
    };
    let _ = ready.send(Ok(id.clone()));
    // Reserved up front so that it does not grow (a grown Vec leaves its old buffer
    // unwiped): 64 KiB is 20 s of speech, far more than a turn of the loop holds.
    let mut pending = Zeroizing::new(Vec::with_capacity(64 * 1024));
    let outcome = capture(
        &session,
        &mut take,
        &id,
        inbox,
        watcher,
        state,
        &mut pending,
    );
    // Finish in every case: after an error what was flushed is still worth keeping,
    // and if finishing fails too the next unlock recovers it. The pages the loop still
    // held go in first, so the stream has no hole.
    let markers = lock(state).markers.clone();
    let last = take.finish().map_err(audio_error);
    let finished = session.with_recording_vault(|v| {
        if !pending.is_empty() {
            v.append_recording(&id, &pending)?;
        }
        if let Ok(bytes) = &last {
            v.append_recording(&id, bytes)?;
        }
        v.finish_recording(&id, &markers)
    });
    let result = match (outcome, finished) {
        (Ok(()), Ok(info)) => Ok(info),
        (Err(e), _) | (Ok(()), Err(e)) => Err(e),
    };
    if let Some(w) = lock(watcher).as_ref() {
        let _ = w.send(match &result {
            Ok(info) => RecordingEvent::Ended {
                attachment: Some(Box::new(info.clone())),
                error: None,
            },
            Err(e) => RecordingEvent::Ended {
                attachment: None,
                error: Some(Box::new(e.clone())),
            },
        });
    }
    result
}

/// Below this much free space on the vault's disk a recording stops, while finishing
/// it (and recovering it at the next unlock) still fits.
const DISK_RESERVE: u64 = 50 * 1024 * 1024;

/// The loop: audio into the vault, flushed every second; controls; status events.
///
/// The loop never waits for the vault: while another operation holds it (a large
/// attachment, an export), the encoded pages wait in `pending`, in memory, and go in
/// at the next turn; the microphone is read on all the while, so no audio is lost.
/// Whatever is still pending when the loop ends is the caller's to write first.
fn capture(
    session: &Session,
    take: &mut Take,
    id: &str,
    inbox: &Receiver<Control>,
    watcher: &Mutex<Option<Channel<RecordingEvent>>>,
    state: &Mutex<RecordingState>,
    pending: &mut Vec<u8>,
) -> Result<(), IpcError> {
    let mut last_status = Instant::now();
    let mut free_bytes = session.with_recording_vault(|v| v.free_space())?;
    let mut last_free = Instant::now();
    let mut flush_due = false;
    loop {
        let step = take.step(Duration::from_millis(20)).map_err(audio_error)?;
        if !step.bytes.is_empty() {
            // Audio being recorded is activity: the idle lock does not cut an
            // interview short (a paused one sends nothing, and may lock), up to
            // `session::UNATTENDED` after the last real input.
            session.heard();
            pending.extend_from_slice(&step.bytes);
        }
        flush_due |= step.flush;
        if !pending.is_empty() || flush_due {
            let markers = flush_due.then(|| lock(state).markers.clone());
            let wrote = session.try_with_recording_vault(|v| {
                v.append_recording(id, pending)?;
                if let Some(markers) = &markers {
                    v.flush_recording(id, markers)?;
                }
                Ok(())
            })?;
            if wrote.is_some() {
                pending.clear();
                if std::mem::take(&mut flush_due) {
                    take.flushed();
                }
            }
        }
        while let Ok(control) = inbox.try_recv() {
            match control {
                Control::Pause => take.pause().map_err(audio_error)?,
                Control::Resume => take.resume().map_err(audio_error)?,
                Control::Marker(note, section, reply) => {
                    let marker = Marker {
                        at_ms: take.elapsed_ms(),
                        note: note.filter(|n| !n.trim().is_empty()),
                        section: section.filter(|s| !s.trim().is_empty()),
                    };
                    lock(state).markers.push(marker.clone());
                    let _ = reply.send(marker);
                }
                Control::Stop => return Ok(()),
            }
            lock(state).paused = take.paused();
        }
        if last_free.elapsed() >= Duration::from_secs(5) {
            // A failed or busy look keeps the last figure rather than ending the take.
            if let Ok(Some(Ok(free))) = session.try_with_recording_vault(|v| Ok(v.free_space())) {
                free_bytes = free;
            }
            last_free = Instant::now();
            if free_bytes < DISK_RESERVE {
                return Err(IpcError::new(
                    "disk_low",
                    "the disk is almost full; the recording was stopped and saved",
                ));
            }
        }
        if last_status.elapsed() >= STATUS_EVERY {
            last_status = Instant::now();
            if let Some(w) = lock(watcher).as_ref() {
                let _ = w.send(RecordingEvent::Status {
                    elapsed_ms: take.elapsed_ms(),
                    level_db: take.read_level(),
                    paused: take.paused(),
                    free_bytes,
                    hours_left: free_bytes as f64 / BYTES_PER_HOUR,
                });
            }
        }
    }
}

fn audio_error(e: kua_audio::Error) -> IpcError {
    IpcError::new(e.code(), e.to_string())
}

/// The Ogg stream's serial number: any value, distinct between recordings.
fn rand_serial() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id().rotate_left(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The attack (or accident): the audio driver hangs, the page presses Stop, and a
    /// lock pressed after it waits behind the stop forever with the keys in memory.
    #[test]
    fn a_hung_audio_driver_cannot_make_stop_wait_forever() {
        let (controls, _inbox) = channel::<Control>();
        let (release, hung) = channel::<()>();
        // A recording thread stuck in the driver: it ignores Stop until released.
        let thread = std::thread::spawn(move || {
            let _ = hung.recv();
            Err(IpcError::new("audio_device", "released"))
        });
        let recording = Recording {
            controls,
            thread,
            state: Arc::new(Mutex::new(RecordingState {
                testimony: String::new(),
                recording: String::new(),
                device: None,
                paused: false,
                markers: Vec::new(),
            })),
            watcher: Arc::new(Mutex::new(None)),
        };
        let stopped = recording.stop(Duration::from_millis(50));
        assert_eq!(stopped.expect_err("not stopped").code, "recording_stuck");
        let _ = release.send(());
    }
}
