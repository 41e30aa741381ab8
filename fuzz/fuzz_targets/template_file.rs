//! A template file (data, parsed at build time today, and the form a coalition would
//! exchange) and validation against whatever template it describes must never panic.
#![no_main]

use kua_core::template::Template;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    if let Ok(tpl) = serde_json::from_slice::<Template>(data) {
        let _ = tpl.fields().count();
        for f in tpl.fields() {
            let _ = tpl.any_field(&f.id);
        }
        // Validate the template's own ids as values of each other.
        let mut values = BTreeMap::new();
        for f in tpl.fields() {
            values.insert(f.id.clone(), serde_json::Value::String(f.id.clone()));
        }
        let _ = tpl.validate(&values, true);
    }
});
