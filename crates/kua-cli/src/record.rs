//! `kua devices` and `kua record`: headless capture into a testimony.

use crate::args::Global;
use crate::commands::unlock;
use crate::output::emit;
use anyhow::{bail, Result};
use kua_audio::{Capture, Recorder};
use kua_core::{Marker, NewRecording};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::mpsc::{channel, sync_channel, RecvTimeoutError};
use std::time::{Duration, Instant};

pub fn devices(g: &Global) -> Result<ExitCode> {
    let list = kua_audio::input_devices()?;
    let json: Vec<_> = list
        .iter()
        .map(|d| serde_json::json!({"name": d.name, "default": d.default}))
        .collect();
    emit(g.json, &json, || {
        for d in &list {
            println!("{}{}", d.name, if d.default { "  (default)" } else { "" });
        }
    })
}

/// A marker typed during the recording: `#section note` or just a note.
fn marker(line: &str, at_ms: u64) -> Marker {
    let line = line.trim();
    match line.strip_prefix('#') {
        Some(rest) => {
            let (section, note) = rest.split_once(' ').unwrap_or((rest, ""));
            Marker {
                at_ms,
                section: Some(section.to_string()),
                note: (!note.trim().is_empty()).then(|| note.trim().to_string()),
            }
        }
        None => Marker {
            at_ms,
            note: Some(line.to_string()),
            section: None,
        },
    }
}

pub fn record(
    g: &Global,
    id: &str,
    device: Option<&str>,
    duration: Option<f64>,
) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    let started = time::OffsetDateTime::now_utc();
    let name = format!(
        "recording-{:04}{:02}{:02}-{:02}{:02}{:02}.opus",
        started.year(),
        u8::from(started.month()),
        started.day(),
        started.hour(),
        started.minute(),
        started.second()
    );
    let rec = vault.begin_recording(
        id,
        NewRecording {
            name,
            media_type: "audio/ogg".into(),
        },
    )?;
    let (blocks, received) = sync_channel(256);
    let capture = Capture::start(device, blocks)?;
    // Markers and the stop come from standard input, read on their own thread.
    let (lines, typed) = channel::<Option<String>>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if lines.send(Some(line)).is_err() {
                return;
            }
        }
        let _ = lines.send(None);
    });
    let serial = (started.unix_timestamp_nanos() & 0xffff_ffff) as u32;
    let mut recorder = Recorder::new(serial)?;
    let mut markers: Vec<Marker> = Vec::new();
    let mut last_audio = Instant::now();
    let mut last_status = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    if terminal {
        eprintln!("recording into {rec}; type a note and Enter for a marker, Enter alone to stop");
    }
    loop {
        match received.recv_timeout(Duration::from_millis(100)) {
            Ok(block) => {
                recorder.push(&block)?;
                last_audio = Instant::now();
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => bail!("the microphone stopped"),
        }
        let bytes = recorder.take();
        if !bytes.is_empty() {
            vault.append_recording(&rec, &bytes)?;
        }
        if recorder.flush_due() {
            vault.flush_recording(&rec, &markers)?;
            recorder.flushed();
        }
        let mut stop = false;
        while let Ok(line) = typed.try_recv() {
            match line {
                Some(l) if !l.trim().is_empty() => markers.push(marker(&l, recorder.elapsed_ms())),
                // An empty line stops; so does the end of input when no duration is set.
                Some(_) => stop = true,
                None => stop = duration.is_none(),
            }
        }
        // The duration is of recorded audio, not of wall-clock time (the microphone
        // takes a moment to start).
        if duration.is_some_and(|d| recorder.elapsed_ms() as f64 >= d * 1000.0) {
            stop = true;
        }
        if last_audio.elapsed() > Duration::from_secs(5) {
            // What was captured stays: the open recording is finished below.
            eprintln!("kua: the microphone has sent no audio for 5 seconds; stopping");
            stop = true;
        }
        if terminal && last_status.elapsed() >= Duration::from_secs(1) {
            let s = recorder.elapsed_ms() / 1000;
            eprint!(
                "\r{:02}:{:02}:{:02} recorded",
                s / 3600,
                s / 60 % 60,
                s % 60
            );
            last_status = Instant::now();
        }
        if stop {
            break;
        }
    }
    drop(capture);
    if terminal {
        eprintln!();
    }
    let last = recorder.finish()?;
    vault.append_recording(&rec, &last)?;
    let info = vault.finish_recording(&rec, &markers)?;
    emit(g.json, &info, || {
        println!(
            "{}  {}  {} bytes  sha256:{}  {} markers",
            info.id,
            info.name,
            info.size,
            info.sha256,
            info.markers.len()
        )
    })
}
