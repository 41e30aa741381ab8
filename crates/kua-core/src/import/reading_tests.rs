use super::*;

fn outcome(read: kua_bundle::Error, failed_in: Option<usize>, gone: bool) -> Outcome {
    Outcome {
        read: Err(read),
        finished: Ok(()),
        checks: Checks::default(),
        failed_in,
        gone,
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
fn the_readers_failure_about_the_importers_file_or_an_earlier_one_is_the_cause_reported() {
    let stop = || Some((2, kua_bundle::Error::Io(std::io::Error::other("disk"))));
    // The file the importer stopped at (its second) was altered: the reader found that
    // before it began the third.
    assert_eq!(
        code(outcome(hash_mismatch(), Some(2), false).checked(stop())),
        "bundle_hash_mismatch"
    );
    // ... even when the importer had gone by then (the reader still checked that file).
    assert_eq!(
        code(outcome(hash_mismatch(), Some(2), true).checked(stop())),
        "bundle_hash_mismatch"
    );
    assert_eq!(
        code(outcome(hash_mismatch(), Some(1), false).checked(stop())),
        "bundle_hash_mismatch"
    );
    // The reader failed on a later file, or between files (a header, trailing data),
    // which a single pass would never have reached: the importer's reason stands.
    assert_eq!(
        code(outcome(hash_mismatch(), Some(3), false).checked(stop())),
        "io"
    );
    let trailing = || kua_bundle::Error::TrailingData;
    assert_eq!(code(outcome(trailing(), None, false).checked(stop())), "io");
    // The reader stopped because the importer was gone: never the cause.
    assert_eq!(code(outcome(gone(), Some(2), true).checked(stop())), "io");
    // The importer did not stop: the reader's outcome is the bundle's.
    assert_eq!(
        code(outcome(hash_mismatch(), Some(9), false).checked(None)),
        "bundle_hash_mismatch"
    );
    assert_eq!(
        code(outcome(trailing(), None, false).checked(None)),
        "bundle_trailing_data"
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
        failed_in: None,
        gone: false,
    };
    assert_eq!(code(done(Ok(())).checked(None)), "ok");
    let corrupt = kua_bundle::Error::Corrupt("custody log".into());
    assert_eq!(code(done(Err(corrupt)).checked(None)), "bundle_corrupt");
}

#[test]
fn the_bound_admits_a_large_hand_over_alone_and_a_closed_flow_stops_the_sender() {
    use flow::{fits, LIMIT};
    assert!(fits(0, LIMIT + 1), "a large file passes alone");
    assert!(!fits(1, LIMIT), "but not beside anything");
    assert!(fits(LIMIT - 10, 10));
    assert!(!fits(LIMIT - 10, 11));
    let flow = Arc::new(Flow::default());
    assert!(flow.take(LIMIT));
    // A sender waiting when the importer goes is let go, and told.
    let waiting = {
        let flow = Arc::clone(&flow);
        std::thread::spawn(move || flow.take(LIMIT))
    };
    flow.close(None);
    assert!(!waiting.join().unwrap());
    assert!(!flow.take(0));
}

#[test]
fn the_bundle_is_cut_short_only_when_nothing_it_holds_would_be_reported() {
    let read_one = |flow: &Arc<Flow>| {
        let mut cut = Cut {
            inner: &b"bundle"[..],
            flow: Arc::clone(flow),
        };
        cut.read(&mut [0u8; 3]).is_ok()
    };
    let flow = Arc::new(Flow::default());
    flow.begin_file();
    flow.begin_file();
    assert!(read_one(&flow), "open: read on");
    // The importer stopped at the second file, which the reader is in: its hash is
    // still wanted.
    flow.close(Some(2));
    assert!(read_one(&flow));
    // Past it, nothing more would be reported.
    flow.begin_file();
    assert!(!read_one(&flow));
    // Dropped (or stopped at the manifest): nothing is wanted.
    let flow = Arc::new(Flow::default());
    flow.close(Some(0));
    assert!(!read_one(&flow));
    // Ended without a stop: nothing is cut.
    let flow = Arc::new(Flow::default());
    flow.begin_file();
    flow.close(None);
    assert!(read_one(&flow));
}

fn reading_of(events: Vec<Event>) -> Reading {
    let (send, receive) = std::sync::mpsc::channel();
    let flow = Arc::new(Flow::default());
    for e in events {
        assert!(flow.take(1));
        send.send((1, e)).unwrap();
    }
    Reading {
        receive: Some(receive),
        flow,
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
