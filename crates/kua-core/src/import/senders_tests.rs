use super::*;

/// `KeptSenders` stands for decoding the row it was stored as: every field of a
/// state must come back from its stored form unchanged.
#[test]
fn a_stored_state_decodes_to_itself() {
    let key =
        minisign::public_key_line(&ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key());
    let records = RecordSet::of(&[("a".to_string(), 1), ("b".to_string(), 2)].into());
    let state = SenderState {
        name: "Алматы field team".into(),
        vault_id: "v".into(),
        log: vec!["h0".into(), "h1".into()],
        heads: [(3, "d3".to_string()), (9, "d9".to_string())].into(),
        bundles: vec!["b1".into(), "b2".into()],
        pending: [("b2".to_string(), vec!["b0".to_string()])].into(),
        seen: [(
            "b1".to_string(),
            SeenBundle {
                manifest: "m".into(),
                log_size: 3,
                records: records.clone(),
            },
        )]
        .into(),
        logged: [(
            "b0".to_string(),
            LoggedExport {
                log_size: 2,
                records,
            },
        )]
        .into(),
    };
    let senders: Senders = [
        (key, state),
        (canonical("not a key"), SenderState::default()),
    ]
    .into();
    let bytes = serde_json::to_vec(&senders).unwrap();
    let decoded = decode(&bytes).unwrap();
    assert_eq!(serde_json::to_vec(&decoded).unwrap(), bytes);
    assert_eq!(
        decoded.keys().collect::<Vec<_>>(),
        senders.keys().collect::<Vec<_>>()
    );
}

/// A setting an earlier build stored under two spellings of one sender's key reads
/// as one state under the canonical key; what a verify keeps of it is that state,
/// with the row it was read from and that row's state, and an import that changes
/// it writes over the row's revision.
#[test]
fn a_kept_copy_is_the_states_with_the_row_they_were_read_from() {
    let key =
        minisign::public_key_line(&ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key());
    let spelled = format!("untrusted comment: minisign public key\n{key}\n");
    let state = |bundle: &str| SenderState {
        bundles: vec![bundle.into()],
        ..SenderState::default()
    };
    let stored: Senders = [(key.clone(), state("b1")), (spelled, state("b2"))].into();
    let decoded = decode(&serde_json::to_vec(&stored).unwrap()).unwrap();
    assert_eq!(decoded.keys().collect::<Vec<_>>(), [&key]);
    assert_eq!(decoded[&key].bundles, ["b1", "b2"], "merged");
    let row = b"sealed row".to_vec();
    let row_state = SecretState {
        rev: 7,
        digest: "d7".into(),
    };
    let read = || Loaded {
        senders: decoded.clone(),
        row: Some((row.clone(), row_state.clone())),
        serialised: Serialised::new(),
    };
    let kept = read().keep_unchanged().unwrap();
    assert_eq!(kept.sealed, row);
    assert_eq!(kept.state, row_state);
    assert_eq!(kept.senders[&key].bundles, ["b1", "b2"]);
    assert_eq!(read().into_changing().stored(), Some(7));
    // No setting stored yet: nothing to keep, and a write over no row.
    let empty = || Loaded {
        senders: Senders::new(),
        row: None,
        serialised: Serialised::new(),
    };
    assert_eq!(empty().into_changing().stored(), None);
    assert!(empty().keep_unchanged().is_none());
}
