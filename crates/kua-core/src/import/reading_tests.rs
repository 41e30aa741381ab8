use super::*;

fn outcome(read: kua_bundle::Error, files_begun: usize) -> Outcome {
    Outcome {
        read: Err(read),
        finished: Ok(()),
        checks: Checks::default(),
        files_begun,
    }
}

fn hash_mismatch() -> kua_bundle::Error {
    kua_bundle::Error::HashMismatch {
        path: "media/x".into(),
    }
}

fn code(r: kua_bundle::Result<Checks>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn the_readers_failure_at_or_before_the_importers_stop_is_the_cause_reported() {
    let stop = || Some((2, kua_bundle::Error::Io(std::io::Error::other("disk"))));
    // The file the importer stopped at (its second) was altered: the reader found that
    // before it began the third.
    assert_eq!(
        code(outcome(hash_mismatch(), 2).checked(stop())),
        "bundle_hash_mismatch"
    );
    assert_eq!(
        code(outcome(hash_mismatch(), 1).checked(stop())),
        "bundle_hash_mismatch"
    );
    // The reader failed on a later file, which a single pass would never have reached:
    // the importer's reason stands.
    assert_eq!(code(outcome(hash_mismatch(), 3).checked(stop())), "io");
    // The reader stopped because the importer was gone: never the cause.
    assert_eq!(code(outcome(gone(), 2).checked(stop())), "io");
    // The importer did not stop: the reader's outcome is the bundle's.
    assert_eq!(
        code(outcome(hash_mismatch(), 9).checked(None)),
        "bundle_hash_mismatch"
    );
}

#[test]
fn the_checks_after_the_read_decide_when_the_read_succeeded() {
    let manifest: Manifest = serde_json::from_value(serde_json::json!({
        "format": 1,
        "bundle_id": "b",
        "created": "2026-01-01T00:00:00Z",
        "sender": {"key_id": "k", "public_key": "p", "vault_id": "v"},
        "recipients": [],
        "log": {"from": 0, "size": 0, "head": "", "checkpoint_sig": ""},
        "files": {}
    }))
    .unwrap();
    let done = |finished| Outcome {
        read: Ok(manifest.clone()),
        finished,
        checks: Checks::default(),
        files_begun: 0,
    };
    assert_eq!(code(done(Ok(())).checked(None)), "ok");
    let corrupt = kua_bundle::Error::Corrupt("custody log".into());
    assert_eq!(code(done(Err(corrupt)).checked(None)), "bundle_corrupt");
}

#[test]
fn the_budget_waits_for_room_and_a_closed_budget_stops_the_sender() {
    let budget = Arc::new(Budget::default());
    // One hand-over larger than the bound goes when nothing is in flight.
    assert!(budget.take(LIMIT + 1));
    // The next waits until the importer takes the first.
    let waiting = {
        let budget = Arc::clone(&budget);
        std::thread::spawn(move || budget.take(1))
    };
    budget.give(LIMIT + 1);
    assert!(waiting.join().unwrap());
    budget.give(1);
    // A sender waiting when the importer goes is let go, and told.
    assert!(budget.take(LIMIT));
    let waiting = {
        let budget = Arc::clone(&budget);
        std::thread::spawn(move || budget.take(LIMIT))
    };
    budget.close();
    assert!(!waiting.join().unwrap());
    assert!(!budget.take(0));
}

fn reading_of(events: Vec<Event>) -> Reading {
    let (send, receive) = std::sync::mpsc::channel();
    let budget = Arc::new(Budget::default());
    for e in events {
        assert!(budget.take(e.weight()));
        send.send(e).unwrap();
    }
    Reading {
        receive: Some(receive),
        budget,
        thread: None,
    }
}

fn read_all(bytes: &mut MediaBytes<'_>) -> (Vec<u8>, Option<std::io::Error>) {
    let mut out = Vec::new();
    let mut buf = [0u8; 7];
    loop {
        match bytes.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Some(e)),
        }
    }
}

#[test]
fn a_media_files_bytes_end_at_its_end_and_a_stopped_stage_is_an_error() {
    let piece = |b: &[u8]| Event::Bytes(Zeroizing::new(b.to_vec()));
    let mut reading = reading_of(vec![
        piece(b"first piece, "),
        piece(b"second"),
        Event::MediaEnd,
        Event::Log {
            entry: FileEntry {
                size: 0,
                sha256: String::new(),
            },
        },
    ]);
    let (out, error) = read_all(&mut MediaBytes::new(&mut reading));
    assert_eq!(out, b"first piece, second");
    assert!(error.is_none());
    // The file's end is its own: the event after it is still there.
    assert!(matches!(reading.next(), Some(Event::Log { .. })));
    assert!(reading.next().is_none());

    // The stage stopped in the middle of a file (the bundle was damaged there): what
    // arrived is read, then an error, never an end.
    let mut reading = reading_of(vec![piece(b"half")]);
    let mut bytes = MediaBytes::new(&mut reading);
    let (out, error) = read_all(&mut bytes);
    assert_eq!(out, b"half");
    assert!(error.is_some());
    assert!(bytes.skip().is_err());
}
