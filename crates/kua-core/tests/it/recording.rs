//! Recordings written while they are captured: flushed bytes survive a crash, are
//! recovered at the next unlock (and logged as recovered), and a finished recording is
//! an attachment like any other, with its markers and evidence hash.

use crate::*;
use kua_core::custody::Event;
use kua_core::{Marker, NewRecording, Silent};
use sha2::{Digest, Sha256};

/// The byte at position `i` of a test recording.
pub fn pattern(i: u64) -> u8 {
    (i % 251) as u8 ^ (i / 65_536) as u8
}

fn hexs(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn stream(from: u64, len: u64) -> Vec<u8> {
    (from..from + len).map(pattern).collect()
}

fn new_recording() -> NewRecording {
    NewRecording {
        name: "interview.ogg".into(),
        media_type: "audio/ogg".into(),
    }
}

fn extract(v: &mut kua_core::Vault, id: &str, attachment: &str) -> Vec<u8> {
    let mut out = Vec::new();
    v.extract(id, attachment, &mut out, &mut Silent).unwrap();
    out
}

#[test]
fn a_finished_recording_is_an_attachment_with_markers_and_its_hash() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("интервью")).unwrap();
    let rec = v.begin_recording(&id, new_recording()).unwrap();
    // 200 KB in uneven pieces, flushed now and then: chunks fill and the tail moves on.
    let mut total = 0u64;
    for (n, len) in [1u64, 40_000, 70_000, 5, 65_536, 24_459]
        .into_iter()
        .enumerate()
    {
        v.append_recording(&rec, &stream(total, len)).unwrap();
        total += len;
        if n % 2 == 1 {
            v.flush_recording(&rec, &[]).unwrap();
        }
    }
    let markers = vec![
        Marker {
            at_ms: 1_500,
            note: Some("задержание".into()),
            section: Some("detention".into()),
        },
        Marker {
            at_ms: 61_000,
            note: None,
            section: Some("injuries".into()),
        },
    ];
    let info = v.finish_recording(&rec, &markers).unwrap();
    let data = stream(0, total);
    assert_eq!(info.size, total);
    assert_eq!(info.sha256, hexs(&Sha256::digest(&data)));
    assert_eq!(info.markers, markers);
    assert_eq!(info.media_type, "audio/ogg");
    assert_eq!(extract(&mut v, &id, &rec), data);
    let shown = v.show(&id, None).unwrap();
    assert_eq!(shown.attachments.len(), 1);
    assert_eq!(shown.attachments[0].markers, markers);
    let events: Vec<Event> = v
        .history(&id)
        .unwrap()
        .into_iter()
        .map(|l| l.event)
        .collect();
    let started = events
        .iter()
        .position(|e| *e == Event::RecordingStarted)
        .unwrap();
    let added = events
        .iter()
        .position(|e| *e == Event::AttachmentAdded)
        .unwrap();
    assert!(started < added, "{events:?}");
    assert!(!events.contains(&Event::RecordingRecovered));
    let report = v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{report:?}");
    // Nothing of it is left open: a later recovery finds nothing.
    assert!(v.recover_recordings().unwrap().is_empty());
}

#[test]
fn an_empty_recording_is_an_empty_attachment() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("тишина")).unwrap();
    let rec = v.begin_recording(&id, new_recording()).unwrap();
    let info = v.finish_recording(&rec, &[]).unwrap();
    assert_eq!(info.size, 0);
    assert_eq!(info.sha256, hexs(&Sha256::digest(b"")));
    assert!(extract(&mut v, &id, &rec).is_empty());
    assert!(v.verify(&mut Silent).unwrap().ok);
}

/// Found by the random-kill harness (kua-cli `faults`): `kua record` killed between
/// starting a recording and its first flush left an open record without a chunk, which
/// recovery took for damage, so every later unlock warned and verify failed.
#[test]
fn a_recording_cut_short_before_its_first_flush_is_recovered_empty() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("сразу")).unwrap();
    let rec = v.begin_recording(&id, new_recording()).unwrap();
    v.append_recording(&rec, &stream(0, 4_000)).unwrap();
    drop(v);

    let mut v = fx.open();
    let report = v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{report:?}");
    let recovered = v.recover_recordings().unwrap();
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].size, 0);
    assert_eq!(recovered[0].sha256, hexs(&Sha256::digest(b"")));
    assert!(extract(&mut v, &id, &rec).is_empty());
    let events: Vec<Event> = v.history(&id).unwrap().iter().map(|l| l.event).collect();
    assert!(events.contains(&Event::RecordingRecovered), "{events:?}");
    assert!(v.verify(&mut Silent).unwrap().ok);
    assert!(v.recover_recordings().unwrap().is_empty());

    // A flushed recording whose only chunk is gone is still damage, not an empty one.
    let chunk_ids = |path: &std::path::Path| -> Vec<i64> {
        let db = rusqlite::Connection::open(path).unwrap();
        let mut q = db.prepare("SELECT id FROM chunk").unwrap();
        let ids = q.query_map([], |r| r.get(0)).unwrap();
        ids.collect::<rusqlite::Result<_>>().unwrap()
    };
    drop(v);
    let before = chunk_ids(&fx.path);
    let mut v = fx.open();
    let rec = v.begin_recording(&id, new_recording()).unwrap();
    v.append_recording(&rec, &stream(0, 4_000)).unwrap();
    v.flush_recording(&rec, &[]).unwrap();
    drop(v);
    let new: Vec<i64> = chunk_ids(&fx.path)
        .into_iter()
        .filter(|c| !before.contains(c))
        .collect();
    assert_eq!(new.len(), 1, "one tail chunk was flushed");
    rusqlite::Connection::open(&fx.path)
        .unwrap()
        .execute("DELETE FROM chunk WHERE id = ?1", [new[0]])
        .unwrap();
    let mut v = fx.open();
    assert!(!v.verify(&mut Silent).unwrap().ok);
    assert!(v.recover_recordings().is_err());
}

#[test]
fn what_was_flushed_before_a_crash_is_recovered_and_logged_as_recovered() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("обрыв")).unwrap();
    let rec = v.begin_recording(&id, new_recording()).unwrap();
    v.append_recording(&rec, &stream(0, 150_000)).unwrap();
    let marker = Marker {
        at_ms: 900,
        note: Some("ИВС".into()),
        section: None,
    };
    v.flush_recording(&rec, std::slice::from_ref(&marker))
        .unwrap();
    // Appended but never flushed: what a crash takes.
    v.append_recording(&rec, &stream(150_000, 30_000)).unwrap();
    drop(v);

    let mut v = fx.open();
    // An open recording is not damage: verification accounts for its chunks.
    let report = v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{report:?}");
    let recovered = v.recover_recordings().unwrap();
    assert_eq!(recovered.len(), 1);
    let info = &recovered[0];
    assert_eq!(info.id, rec);
    assert_eq!(info.size, 150_000);
    assert_eq!(info.markers, vec![marker]);
    let data = stream(0, 150_000);
    assert_eq!(info.sha256, hexs(&Sha256::digest(&data)));
    assert_eq!(extract(&mut v, &id, &rec), data);
    let history = v.history(&id).unwrap();
    let recovered_entry = history
        .iter()
        .find(|l| l.event == Event::RecordingRecovered)
        .expect("a recovery entry");
    assert_eq!(
        recovered_entry.content_hash.as_deref(),
        Some(info.sha256.as_str())
    );
    assert!(v.verify(&mut Silent).unwrap().ok);
    assert!(v.recover_recordings().unwrap().is_empty());
}

#[test]
fn sigkill_mid_recording_loses_nothing_that_was_flushed() {
    let fx = Fixture::new();
    drop(fx.create());
    let acks = crate::crash::run_and_kill(&fx, "recording", "ACK");
    assert!(acks.len() >= 60, "the recorder did not get going: {acks:?}");
    let (rec, flushed) = acks.last().unwrap().clone();
    let mut v = fx.open();
    assert!(v.verify(&mut Silent).unwrap().ok);
    let recovered = v.recover_recordings().unwrap();
    assert_eq!(recovered.len(), 1);
    let info = &recovered[0];
    assert_eq!(info.id, rec);
    // Everything acknowledged is there (a flush that committed just before the kill, but
    // was not yet acknowledged, may add one more piece).
    assert!(
        info.size == flushed || info.size == flushed + 20_000,
        "{} vs {flushed}",
        info.size
    );
    let testimony = v.list().unwrap()[0].id.clone();
    let data = extract(&mut v, &testimony, &rec);
    assert_eq!(data, stream(0, info.size));
    assert!(v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn deleting_a_testimony_erases_its_open_recording() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("удалить")).unwrap();
    let rec = v.begin_recording(&id, new_recording()).unwrap();
    v.append_recording(&rec, &stream(0, 100_000)).unwrap();
    v.flush_recording(&rec, &[]).unwrap();
    v.delete(&id).unwrap();
    assert!(v.append_recording(&rec, b"more").is_err());
    drop(v);
    let mut v = fx.open();
    assert!(v.recover_recordings().unwrap().is_empty());
    let report = v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn an_unnamed_recording_is_named_by_its_start_time() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("интервью")).unwrap();
    let rec = v
        .begin_recording(
            &id,
            NewRecording {
                name: " ".into(),
                media_type: "audio/ogg".into(),
            },
        )
        .unwrap();
    v.append_recording(&rec, b"OggS").unwrap();
    let info = v.finish_recording(&rec, &[]).unwrap();
    // The stepping clock starts at 2022-01-08T00:00:00Z and moves a second a call.
    assert!(
        info.name.starts_with("recording-20220108-0000") && info.name.ends_with(".opus"),
        "{}",
        info.name
    );
    assert_eq!(info.name.len(), "recording-20220108-000000.opus".len());
}
