//! The shell's half of Tauri's isolation pattern. Every message the page sends passes the
//! screen in `ui/isolation/` (a sandboxed frame of another origin), which lets through
//! only Kua's commands with the arguments they take, marks each with its command's name
//! (`__kua_cmd`) and encrypts it with a key the page never holds. Tauri decrypts it here.
//!
//! The frame alone is not a boundary: a page that goes around it can send an empty body,
//! which Tauri passes on without decrypting, and a ciphertext it saw can be sent again
//! under another command's name (the name travels in the clear). So this side checks
//! again, from the same allow-list: a message reaches a command only if the decrypted
//! payload names that very command and holds exactly its arguments, each of its type.
//! Only the frame can produce such a payload. Tauri's own commands (plugins) do not come
//! here; the capability file limits them to event listeners.

use crate::error::IpcError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tauri::ipc::{Invoke, InvokeBody};

/// The allow-list, shared with the frame.
const ALLOWED_JS: &str = include_str!("../../ui/isolation/allowed.js");

/// The command the frame turns a refused message into.
pub const REFUSED: &str = "ipc_refused";
const MARK: &str = "__kua_cmd";

/// Each command's arguments and their types (`None`: a plugin's command that takes no
/// arguments).
pub struct Allowed(BTreeMap<String, Option<BTreeMap<String, String>>>);

impl Allowed {
    /// Reads the JSON between the outer braces of allowed.js.
    pub fn parse(js: &str) -> Result<Allowed, String> {
        let start = js.find('{').ok_or("allowed.js holds no object")?;
        let end = js.rfind('}').ok_or("allowed.js holds no object")?;
        serde_json::from_str(&js[start..=end])
            .map(Allowed)
            .map_err(|e| format!("allowed.js is not JSON between its braces: {e}"))
    }
}

fn allowed() -> &'static Allowed {
    static ALLOWED: OnceLock<Allowed> = OnceLock::new();
    // The file is compiled in and checked by a test, so it always parses; an empty list
    // (everything refused) would be the safe failure.
    ALLOWED.get_or_init(|| Allowed::parse(ALLOWED_JS).unwrap_or(Allowed(BTreeMap::new())))
}

fn type_fits(kind: &str, value: &Value) -> bool {
    let (base, nullable) = match kind.strip_suffix('?') {
        Some(base) => (base, true),
        None => (kind, false),
    };
    match value {
        Value::Null => nullable,
        Value::String(s) if base == "channel" => s
            .strip_prefix("__CHANNEL__:")
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())),
        Value::String(_) => base == "string",
        Value::Number(_) => base == "number",
        Value::Bool(_) => base == "boolean",
        Value::Object(_) => base == "object",
        Value::Array(_) => base == "array",
    }
}

fn refused(why: String) -> IpcError {
    IpcError::new(
        "ipc_refused",
        format!("Kua refused a message from its window: {why}"),
    )
}

/// Whether `payload` may go to `command`: marked by the frame with that command, and
/// holding exactly the arguments the allow-list gives it.
pub fn screen(allowed: &Allowed, command: &str, payload: &InvokeBody) -> Result<(), IpcError> {
    let Some(args) = payload_object(payload) else {
        return Err(refused(format!(
            "{command} came without the isolation frame's mark"
        )));
    };
    if command == REFUSED {
        let what = |k: &str| {
            args.get(k)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        };
        return Err(refused(format!("{}: {}", what("refused"), what("why"))));
    }
    if args.get(MARK).and_then(Value::as_str) != Some(command) {
        return Err(refused(format!(
            "{command} came without the isolation frame's mark"
        )));
    }
    let Some(Some(want)) = allowed.0.get(command) else {
        return Err(refused(format!("{command} is not one of Kua's commands")));
    };
    for (key, value) in args {
        if key == MARK {
            continue;
        }
        match want.get(key) {
            None => return Err(refused(format!("{command} does not take {key}"))),
            Some(kind) if !type_fits(kind, value) => {
                return Err(refused(format!("{command}: {key} is not {kind}")))
            }
            Some(_) => {}
        }
    }
    if let Some(key) = want.keys().find(|k| !args.contains_key(*k)) {
        return Err(refused(format!("{command}: no {key}")));
    }
    Ok(())
}

fn payload_object(payload: &InvokeBody) -> Option<&Map<String, Value>> {
    match payload {
        InvokeBody::Json(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// `handler` behind the screen: a refused message is answered with `ipc_refused` and
/// never reaches a command.
pub fn screened(
    handler: impl Fn(Invoke) -> bool + Send + Sync + 'static,
) -> impl Fn(Invoke) -> bool + Send + Sync + 'static {
    move |invoke: Invoke| {
        match screen(
            allowed(),
            invoke.message.command(),
            invoke.message.payload(),
        ) {
            Ok(()) => handler(invoke),
            Err(e) => {
                // Nothing of the message itself: its names and arguments are the page's.
                eprintln!(
                    "kua-desktop: refused an IPC message that did not pass the isolation screen"
                );
                invoke.resolver.reject(e);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests;
