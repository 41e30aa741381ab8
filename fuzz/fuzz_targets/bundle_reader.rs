//! The bundle reader on arbitrary input, decrypting with a fixed identity: it must
//! return an error or a verified bundle, never panic or allocate without bound. The
//! input is also wrapped as an age payload for that identity, so the fuzzer reaches the
//! tar and manifest handling behind the age layer.
#![no_main]

use kua_bundle::age;
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::str::FromStr;

struct Accept;

impl kua_bundle::Visitor for Accept {
    fn manifest(&mut self, _: &kua_bundle::Manifest, _: &kua_bundle::VerifyingKey) -> kua_bundle::Result<()> {
        Ok(())
    }
    fn file(&mut self, _: &str, _: &kua_bundle::FileEntry, data: &mut dyn std::io::Read) -> kua_bundle::Result<()> {
        std::io::copy(data, &mut std::io::sink())?;
        Ok(())
    }
}

// A test key; it protects nothing.
const KEY: &str = "AGE-SECRET-KEY-14L66WQ0TCDMS30TNR38P629VQ70HAEMZKCJ24RJHGVAZDSGPK46SZDJCR0";

fuzz_target!(|data: &[u8]| {
    let Ok(id) = age::x25519::Identity::from_str(KEY) else { return };
    // As a whole file.
    let _ = kua_bundle::read(data, std::slice::from_ref(&id), &mut Accept);
    // As the plaintext inside a well-formed age file to us.
    let recipient = id.to_public();
    let Ok(enc) = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)) else { return };
    let mut wrapped = Vec::new();
    if let Ok(mut w) = enc.wrap_output(&mut wrapped) {
        if w.write_all(data).is_ok() && w.finish().is_ok() {
            let _ = kua_bundle::read(wrapped.as_slice(), std::slice::from_ref(&id), &mut Accept);
        }
    }
});
