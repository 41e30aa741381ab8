use super::*;
use serde_json::json;
use std::path::Path;

fn list() -> Allowed {
    Allowed::parse(ALLOWED_JS).expect("allowed.js parses")
}

fn body(v: Value) -> InvokeBody {
    InvokeBody::Json(v)
}

fn code(r: Result<(), IpcError>) -> String {
    r.err().map(|e| e.code).unwrap_or_else(|| "passed".into())
}

/// The commands `commands::handler()` registers, read from its source.
fn registered() -> Vec<String> {
    let src =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands/mod.rs"))
            .expect("commands/mod.rs");
    let start = src.find("generate_handler![").expect("the handler's list");
    let end = start + src[start..].find(']').expect("its end");
    src[start + "generate_handler![".len()..end]
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<String>()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap_or(s).to_owned())
        .collect()
}

/// Every `#[tauri::command]` in src/commands/: its name and the arguments the page sends
/// (camelCase, as Tauri reads them), with their Rust types. The shell's own parameters
/// (the app handle, state, window) are not sent.
fn signatures() -> BTreeMap<String, Vec<(String, String)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("commands dir") {
        let src = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        // Arguments are read as Tauri's default names them (camelCase); a renaming
        // attribute would make this test read the wrong names.
        assert!(
            !src.contains("tauri::command("),
            "a command with attributes"
        );
        for part in src.split("#[tauri::command]").skip(1) {
            let after = &part[part.find("fn ").expect("fn") + 3..];
            let open = after.find('(').expect("(");
            let name = after[..open].trim().to_owned();
            let mut depth = 0;
            let mut params = Vec::new();
            let mut current = String::new();
            for c in after[open + 1..].chars() {
                match c {
                    '(' | '<' => depth += 1,
                    ')' if depth == 0 => break,
                    ')' | '>' => depth -= 1,
                    ',' if depth == 0 => {
                        params.push(std::mem::take(&mut current));
                        continue;
                    }
                    _ => {}
                }
                current.push(c);
            }
            params.push(current);
            let args = params
                .iter()
                .filter_map(|p| p.split_once(':'))
                .map(|(n, t)| {
                    (
                        n.trim().to_owned(),
                        t.split_whitespace().collect::<String>(),
                    )
                })
                .filter(|(_, t)| {
                    !["AppHandle", "State<", "Window", "Webview"]
                        .iter()
                        .any(|s| t.contains(s))
                })
                .map(|(n, t)| (camel(&n), t))
                .collect();
            assert!(
                out.insert(name.clone(), args).is_none(),
                "two commands named {name}"
            );
        }
    }
    out
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the allow-list's type for a parameter lets through only what its Rust type
/// takes.
fn fits(rust: &str, kind: &str) -> bool {
    let (inner, optional) = match rust.strip_prefix("Option<") {
        Some(rest) => (rest.strip_suffix('>').unwrap_or(rest), true),
        None => (rust, false),
    };
    // The list may be stricter than Rust (a string where Rust would take null too),
    // never looser.
    if kind.ends_with('?') && !optional {
        return false;
    }
    let kind = kind.trim_end_matches('?');
    match inner {
        "String" | "SecretString" | "PathBuf" => kind == "string",
        "bool" => kind == "boolean",
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "f64" => kind == "number",
        t if t.starts_with("Vec<") => kind == "array",
        t if t.starts_with("Channel<") => kind == "channel",
        // A type of ours: the page sees it as its generated binding, a string for an
        // enum of unit variants, else an object.
        name => kind == binding_kind(name),
    }
}

/// What JSON a Rust type of ours is sent as, from its ts-rs binding.
fn binding_kind(rust: &str) -> &'static str {
    let name = rust.rsplit("::").next().unwrap_or(rust);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/src/lib/bindings")
        .join(format!("{name}.ts"));
    let ts = std::fs::read_to_string(&path)
        .map_err(|e| format!("{name}: {e}"))
        .expect("a binding for every argument type");
    let body = ts
        .split(&format!("export type {name} = "))
        .nth(1)
        .expect("the binding's type");
    if body.trim_start().starts_with('"') {
        "string"
    } else {
        "object"
    }
}

#[test]
fn the_allow_list_names_every_registered_command_with_its_arguments() {
    let allowed = list();
    let registered = registered();
    assert!(registered.len() > 80, "read {} commands", registered.len());
    let ours: Vec<&str> = allowed
        .0
        .keys()
        .map(String::as_str)
        .filter(|c| !c.starts_with("plugin:"))
        .collect();
    let mut want: Vec<&str> = registered.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(
        ours, want,
        "allowed.js and commands::handler() list other commands"
    );
    let plugins: Vec<&str> = allowed
        .0
        .keys()
        .map(String::as_str)
        .filter(|c| c.starts_with("plugin:"))
        .collect();
    assert_eq!(
        plugins,
        [
            "plugin:__TAURI_CHANNEL__|fetch",
            "plugin:event|listen",
            "plugin:event|unlisten"
        ]
    );

    let signatures = signatures();
    for command in &registered {
        let args = signatures
            .get(command)
            .expect("a #[tauri::command] fn of that name");
        let listed = allowed.0[command.as_str()].as_ref().expect("arguments");
        let names: Vec<&str> = args.iter().map(|(n, _)| n.as_str()).collect();
        let mut names_sorted = names.clone();
        names_sorted.sort_unstable();
        let listed_names: Vec<&str> = listed.keys().map(String::as_str).collect();
        assert_eq!(listed_names, names_sorted, "{command}: arguments");
        for (name, rust) in args {
            assert!(
                fits(rust, &listed[name]),
                "{command}: {name} is {rust}, listed as {}",
                listed[name]
            );
        }
    }
}

#[test]
fn a_marked_well_formed_message_passes() {
    let allowed = list();
    let ok = |cmd: &str, v: Value| code(screen(&allowed, cmd, &body(v)));
    assert_eq!(ok("lock", json!({"__kua_cmd": "lock"})), "passed");
    assert_eq!(
        ok(
            "erase_vault",
            json!({"__kua_cmd": "erase_vault", "confirm": "ERASE"})
        ),
        "passed"
    );
    assert_eq!(
        ok(
            "show",
            json!({"__kua_cmd": "show", "id": "T-1", "version": null})
        ),
        "passed"
    );
    assert_eq!(
        ok(
            "show",
            json!({"__kua_cmd": "show", "id": "T-1", "version": 3})
        ),
        "passed"
    );
    assert_eq!(
        ok(
            "verify",
            json!({"__kua_cmd": "verify", "progress": "__CHANNEL__:12"})
        ),
        "passed"
    );
}

#[test]
fn what_did_not_come_through_the_frame_or_does_not_fit_is_refused() {
    let allowed = list();
    let refused = |cmd: &str, payload: InvokeBody| {
        let e = screen(&allowed, cmd, &payload).expect_err(cmd);
        assert_eq!(e.code, "ipc_refused");
        e.message
    };
    // An empty body, which Tauri passes on without decrypting.
    refused("lock", InvokeBody::default());
    refused("erase_vault", body(Value::Null));
    refused(
        "lock",
        InvokeBody::Raw(b"{\"__kua_cmd\":\"lock\"}".to_vec()),
    );
    // No mark, or another command's (a ciphertext sent again under another name).
    refused("lock", body(json!({})));
    let m = refused(
        "erase_vault",
        body(json!({"__kua_cmd": "search", "query": "x"})),
    );
    assert!(m.contains("mark"), "{m}");
    // Not a command of ours, or a plugin's sent here.
    refused(
        "plugin:fs|read_file",
        body(json!({"__kua_cmd": "plugin:fs|read_file"})),
    );
    refused("debug_dump", body(json!({"__kua_cmd": "debug_dump"})));
    // An argument the command does not take, one missing, one of another type.
    let m = refused(
        "erase_vault",
        body(json!({"__kua_cmd": "erase_vault", "confirm": "ERASE", "path": "/"})),
    );
    assert!(m.contains("does not take path"), "{m}");
    refused("erase_vault", body(json!({"__kua_cmd": "erase_vault"})));
    refused(
        "erase_vault",
        body(json!({"__kua_cmd": "erase_vault", "confirm": 1})),
    );
    refused(
        "show",
        body(json!({"__kua_cmd": "show", "id": null, "version": null})),
    );
    refused(
        "verify",
        body(json!({"__kua_cmd": "verify", "progress": "__CHANNEL__:"})),
    );
    refused(
        "verify",
        body(json!({"__kua_cmd": "verify", "progress": "7"})),
    );
    refused("add", body(json!({"__kua_cmd": "add", "input": []})));
    // What the frame refused arrives as ipc_refused and says why.
    let m = refused(
        REFUSED,
        body(
            json!({"__kua_cmd": REFUSED, "refused": "plugin:shell|open", "why": "not one of Kua's commands"}),
        ),
    );
    assert!(
        m.contains("plugin:shell|open: not one of Kua's commands"),
        "{m}"
    );
}

#[test]
fn a_broken_allow_list_is_an_error_not_a_panic() {
    assert!(Allowed::parse("no braces here").is_err());
    assert!(Allowed::parse("x = { \"lock\": 3 };").is_err());
    let empty = Allowed::parse("x = {};").expect("empty");
    let e = screen(&empty, "lock", &body(json!({"__kua_cmd": "lock"}))).expect_err("empty list");
    assert_eq!(e.code, "ipc_refused");
}

#[test]
fn tauri_s_own_commands_are_bounded_by_the_capability_file_alone() {
    // Plugin commands go to the plugins, not through `screened`: around the frame, the
    // capability file is all that limits them. It grants event listening and nothing
    // else (the channel fetch needs no permission).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let files: Vec<_> = std::fs::read_dir(&path)
        .expect("capabilities")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "one capability file: {files:?}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).expect("read")).expect("json");
    assert_eq!(json["windows"], json!(["main"]));
    assert_eq!(
        json["permissions"],
        json!(["core:event:allow-listen", "core:event:allow-unlisten"])
    );
    assert!(json.get("remote").is_none(), "no remote origin may call");
}
