//! A testimony's JSON input (`kua add` and `kua edit` read it from files others may have
//! written) and the template validation it goes through, body maps included, must
//! never panic, whatever the bytes: a refusal is an error value. The same bytes read as
//! two body maps exercise the lenient reader of received maps and the change list.
#![no_main]

use kua_core::body::{self, BodyMap};
use kua_core::model::TestimonyInput;
use kua_core::template;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = serde_json::from_slice::<TestimonyInput>(data) {
        if let Some(fields) = &input.fields {
            for tpl in template::builtin().iter().chain(template::history()) {
                let _ = tpl.validate(fields, false);
                let _ = tpl.validate(fields, true);
                let _ = tpl.missing(fields);
            }
        }
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let half = value.get("marks").cloned();
        let _ = BodyMap::from_value(&value);
        let _ = body::changes(Some(&value), half.as_ref());
        let _ = body::changes(half.as_ref(), Some(&value));
        if let Some(map) = BodyMap::from_value(&value) {
            for m in &map.marks {
                let _ = m.words(template::find(template::DEFAULT_TEMPLATE), None, "kk");
            }
        }
    }
});
