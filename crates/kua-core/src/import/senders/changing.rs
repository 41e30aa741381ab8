//! Every sender's state as an import changes and stores it, with each state kept
//! serialised as the stored row holds it, so that an import serialises again only the
//! state it changed.

use super::{KeptSenders, SenderState, Senders, SENDERS};
use crate::error::Result;
use crate::vault::Ctx;
use std::collections::BTreeMap;
use std::io::Write;
use zeroize::Zeroizing;

/// Each sender's state as serialised in the stored row, by the same key. The row is
/// `{"key":state,...}`, exactly what `serde_json::to_vec` of the whole map writes.
/// Serialising every state at every import was a third of writing the setting back,
/// which grows with every bundle imported (docs/benchmarks.md, "Coordinator scale",
/// ninth session).
pub(in crate::import) type Serialised = BTreeMap<String, Zeroizing<Vec<u8>>>;

/// Every sender's state, read by an import to change and store. The only way to change
/// a state is `state`, which also forgets that state's serialised piece: so `store`
/// reuses a piece only for a state that was not handed out, and writes exactly the
/// states held.
pub(in crate::import) struct Changing {
    senders: Senders,
    /// The revision of the row the states were read from (none while no sender is
    /// known), which the write replaces.
    stored: Option<u32>,
    /// The states as that row holds them, where known; never one handed out.
    serialised: Serialised,
}

impl Changing {
    pub(super) fn new(senders: Senders, stored: Option<u32>, serialised: Serialised) -> Changing {
        Changing {
            senders,
            stored,
            serialised,
        }
    }

    /// The revision of the row the states were read from.
    #[cfg(test)]
    pub(super) fn stored(&self) -> Option<u32> {
        self.stored
    }

    /// One sender's state, to change (a new sender's, empty).
    pub(in crate::import) fn state(&mut self, sender: &str) -> &mut SenderState {
        self.serialised.remove(sender);
        self.senders.entry(sender.to_string()).or_default()
    }

    /// Writes every sender's state and logs it, in the caller's transaction, over the
    /// row the states were read from; returns what to keep once the transaction
    /// commits (`KeptSenders`).
    pub(in crate::import) fn store(
        self,
        ctx: &mut Ctx<'_>,
        tx: &rusqlite::Connection,
        tail: &mut crate::custody::Tail,
    ) -> Result<KeptSenders> {
        let (bytes, serialised) = serialise(&self.senders, self.serialised)?;
        let (state, sealed) = ctx.write_secret_after(tx, SENDERS, &bytes, self.stored)?;
        ctx.log(
            tx,
            tail,
            crate::custody::Event::SettingChanged,
            state.change(Some(SENDERS.to_string())),
        )?;
        Ok(KeptSenders::new(sealed, state, self.senders, serialised))
    }
}

/// Serialises into a buffer sized first, so that no copy of the plaintext is left
/// behind in freed memory by a reallocation.
fn to_sized<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<Zeroizing<Vec<u8>>> {
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, value)?;
    let mut out = Zeroizing::new(Vec::with_capacity(counter.0));
    serde_json::to_writer(&mut *out, value)?;
    Ok(out)
}

/// A writer that only counts.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The setting's bytes, `serde_json::to_vec(senders)`, from the pieces in `serialised`
/// and the states it lacks serialised now; with the pieces of exactly `senders`.
pub(super) fn serialise(
    senders: &Senders,
    mut serialised: Serialised,
) -> Result<(Zeroizing<Vec<u8>>, Serialised)> {
    let json = |e: serde_json::Error| crate::Error::Storage(e.to_string());
    serialised.retain(|key, _| senders.contains_key(key));
    for (key, state) in senders {
        if !serialised.contains_key(key) {
            serialised.insert(key.clone(), to_sized(state).map_err(json)?);
        }
    }
    // `serialised` now has exactly the keys of `senders`, in the same order.
    let keys = serialised
        .keys()
        .map(|key| serde_json::to_vec(key).map_err(json))
        .collect::<Result<Vec<_>>>()?;
    let size = 2 + keys
        .iter()
        .zip(serialised.values())
        .map(|(key, state)| key.len() + 1 + state.len() + 1)
        .sum::<usize>();
    let mut bytes = Zeroizing::new(Vec::with_capacity(size));
    bytes.push(b'{');
    for (i, (key, state)) in keys.iter().zip(serialised.values()).enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(key);
        bytes.push(b':');
        bytes.extend_from_slice(state);
    }
    bytes.push(b'}');
    debug_assert_eq!(
        Some(bytes.as_slice()),
        serde_json::to_vec(senders).ok().as_deref(),
        "a state changed after it was serialised"
    );
    Ok((bytes, serialised))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kua_bundle::minisign;

    fn key(seed: u8) -> String {
        minisign::public_key_line(
            &ed25519_dalek::SigningKey::from_bytes(&[seed; 32]).verifying_key(),
        )
    }

    fn state(name: &str, bundles: &[&str]) -> SenderState {
        SenderState {
            name: name.into(),
            bundles: bundles.iter().map(|b| b.to_string()).collect(),
            ..SenderState::default()
        }
    }

    fn whole(senders: &Senders) -> Vec<u8> {
        serde_json::to_vec(senders).unwrap()
    }

    /// The row is what `serde_json::to_vec` writes of every state, whether each state
    /// is serialised now or its piece reused: from nothing, after one sender was
    /// changed through `state`, after a new sender was added, with a piece of a
    /// sender no longer held, and with no sender at all.
    #[test]
    fn the_row_from_reused_pieces_is_the_row_serialised_whole() {
        let senders: Senders = [
            (key(1), state("Алматы \"field\"", &["b1"])),
            (key(2), state("Шымкент", &["c1", "c2"])),
        ]
        .into();
        let (bytes, pieces) = serialise(&senders, Serialised::new()).unwrap();
        assert_eq!(*bytes, whole(&senders));
        assert_eq!(
            pieces.keys().collect::<Vec<_>>(),
            senders.keys().collect::<Vec<_>>()
        );

        let mut changing = Changing::new(senders, Some(3), pieces);
        changing.state(&key(2)).bundles.push("c3".into());
        changing.state(&key(3)).name = "Тараз".into();
        let (bytes, pieces) = serialise(&changing.senders, changing.serialised).unwrap();
        assert_eq!(*bytes, whole(&changing.senders));
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains("c3") && text.contains("Тараз"));
        assert_eq!(pieces.len(), 3);

        let mut stale = pieces.clone();
        stale.insert(key(9), Zeroizing::new(b"{}".to_vec()));
        let (bytes, pieces) = serialise(&changing.senders, stale).unwrap();
        assert_eq!(*bytes, whole(&changing.senders));
        assert!(!pieces.contains_key(&key(9)));

        let (bytes, pieces) = serialise(&Senders::new(), pieces).unwrap();
        assert_eq!(*bytes, b"{}");
        assert!(pieces.is_empty());
    }

    /// A piece that no longer matches its state (a state changed other than through
    /// `Changing::state`) is caught in the tests' builds.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "a state changed after it was serialised")]
    fn a_state_changed_behind_its_piece_fails_the_debug_check() {
        let mut senders: Senders = [(key(1), state("a", &["b1"]))].into();
        let (_, pieces) = serialise(&senders, Serialised::new()).unwrap();
        senders.get_mut(&key(1)).unwrap().bundles.push("b2".into());
        let _ = serialise(&senders, pieces);
    }

    /// The sized serialisation is serde_json's, byte for byte, in a buffer of the size
    /// counted first.
    #[test]
    fn a_sized_serialisation_is_serde_jsons() {
        let value = state("Қарағанды\n", &["x"; 40]);
        let sized = to_sized(&value).unwrap();
        assert_eq!(*sized, serde_json::to_vec(&value).unwrap());
        // The size counted first is the size written, so the buffer never grew.
        let mut counted = Counter(0);
        serde_json::to_writer(&mut counted, &value).unwrap();
        assert_eq!(counted.0, sized.len());
    }
}
