//! `kua devices` and `kua record`: headless capture into a testimony.

use crate::args::Global;
use crate::commands::unlock;
use crate::output::emit;
use anyhow::Result;
use kua_audio::Take;
use kua_core::{Marker, NewRecording};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::mpsc::channel;
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
    let started = chrono::Utc::now();
    let rec = vault.begin_recording(
        id,
        NewRecording {
            name: String::new(),
            media_type: "audio/ogg".into(),
        },
    )?;
    let serial = started.timestamp_subsec_nanos() ^ started.timestamp() as u32; // Ogg stream id
    let mut take = Take::start(device, serial)?;
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
    let mut markers: Vec<Marker> = Vec::new();
    let mut last_status = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    if terminal {
        eprintln!("recording into {rec}; type a note and Enter for a marker, Enter alone to stop");
    }
    loop {
        let step = match take.step(Duration::from_millis(100)) {
            Ok(step) => step,
            Err(e @ kua_audio::Error::DeviceGone) => {
                // What was captured stays: the open recording is finished below.
                eprintln!("kua: {e}; stopping");
                break;
            }
            Err(e) => return Err(e.into()),
        };
        if !step.bytes.is_empty() {
            vault.append_recording(&rec, &step.bytes)?;
        }
        if step.flush {
            vault.flush_recording(&rec, &markers)?;
            take.flushed();
        }
        let mut stop = false;
        while let Ok(line) = typed.try_recv() {
            match line {
                Some(l) if !l.trim().is_empty() => markers.push(marker(&l, take.elapsed_ms())),
                // An empty line stops; so does the end of input when no duration is set.
                Some(_) => stop = true,
                None => stop = duration.is_none(),
            }
        }
        // The duration is of recorded audio, not of wall-clock time (the microphone
        // takes a moment to start).
        if duration.is_some_and(|d| take.elapsed_ms() as f64 >= d * 1000.0) {
            stop = true;
        }
        if terminal && last_status.elapsed() >= Duration::from_secs(1) {
            let s = take.elapsed_ms() / 1000;
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
    if terminal {
        eprintln!();
    }
    let last = take.finish()?;
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
