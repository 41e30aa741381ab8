//! A photograph a report draws comes from a sender's bundle: outside data. Redrawing it
//! (decoded within memory limits, turned upright, scaled down, encoded as JPEG) must
//! return a picture or nothing, whatever the bytes; never panic or allocate without
//! bound. What it returns is a JPEG no larger than the annex draws.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(jpeg) = kua_report::redraw(data) {
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    }
});
