//! The manifest parser and the minisign parsers must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kua_bundle::Manifest::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(key) = kua_bundle::minisign::parse_public_key(text) {
            let _ = kua_bundle::minisign::verify(&key, data, text);
        }
    }
});
