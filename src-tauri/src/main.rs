//! Kua's desktop shell: a Tauri window over `kua-core`. Each command in `commands/` takes
//! the session, calls one core function and maps its error; everything else (storage,
//! crypto, custody, bundles) is the core's.

#![forbid(unsafe_code)]
// Tests may unwrap, as in kua-core: a failed unwrap there is a failed test.
#![cfg_attr(test, allow(clippy::unwrap_used))]
// Tauri's release builds on Windows would otherwise open a console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod autolock;
mod bindings;
mod chooser;
mod commands;
mod error;
mod grants;
mod home;
mod input;
mod isolation;
mod media;
mod progress;
mod recorder;
mod session;
mod settings;
mod stderr;
mod window;

use session::Session;
use tauri::{Manager, WindowEvent};

/// Every block Rust frees is wiped (kua-wipe): plaintext dropped on lock does not stay
/// in the heap.
#[global_allocator]
static ALLOCATOR: kua_wipe::Allocator = kua_wipe::ALLOCATOR;

/// glibc's heap, where GTK and WebKit copy what the page is sent, is filled on free: the
/// process runs itself again under the tunables that do so (kua-wipe c_heap). WebKit's
/// own allocator (libpas) keeps freed blocks as they were; `Malloc=1` makes WebKit
/// allocate from glibc's heap instead, so that the filling covers its copies too
/// (ui/e2e/memory.e2e.ts found the search word in a freed libpas block of this process
/// after lock without it). WebKit's processes inherit it, which turns off libpas's
/// isolated heaps and Gigacage there (ARCHITECTURE.md, "Known limits"). GLib before 2.76
/// (Debian 12 has 2.74) keeps freed slices in its own magazines; `G_SLICE=always-malloc`
/// hands them to glibc's heap. Called first, while this is the only thread.
fn fill_freed_c_memory() {
    for (name, value) in [("Malloc", "1"), ("G_SLICE", "always-malloc")] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    let kept = "text shown before a lock may stay in memory until reused";
    match kua_wipe::wipe_c_heap() {
        Ok(kua_wipe::Filling::On) => {}
        Ok(kua_wipe::Filling::SetByUser) => eprintln!("kua-desktop: warning: GLIBC_TUNABLES already sets glibc.malloc.perturb; it is left as set, and freed C memory is filled only if it says so"),
        Ok(kua_wipe::Filling::Refused) => eprintln!("kua-desktop: warning: glibc did not take the tunables that fill freed memory; {kept}"),
        Ok(kua_wipe::Filling::Unsupported) => eprintln!("kua-desktop: warning: this system's C library cannot fill freed memory; {kept}"),
        Err(e) => eprintln!("kua-desktop: warning: could not run with glibc's freed memory filled ({e}); {kept}"),
    }
}

fn main() {
    // Environment first, while this is the only thread (the re-run below inherits it).
    window::prepare_webkit();
    fill_freed_c_memory();
    // After the re-run above (the gate's thread would not survive it), before anything
    // that may print what it handles.
    if let Err(e) = stderr::gate() {
        eprintln!("kua-desktop: warning: standard error could not be gated ({e}); libraries' messages reach it unfiltered");
    }
    // Before any file or key exists: SQLite's freed memory wiped (Rust's is, by the
    // global allocator), owner-only files, no core dumps (kua-core hygiene).
    if let Err(code) = kua_wipe::sqlite() {
        eprintln!("kua-desktop: warning: SQLite refused the wiping memory methods (code {code}); freed memory may keep plaintext until reused");
    }
    for note in kua_core::harden_process() {
        eprintln!("kua-desktop: warning: {note}");
    }
    let home = match home::Home::from_args(std::env::args().skip(1)) {
        Ok(home) => home,
        Err(message) => {
            eprintln!("kua-desktop: {message}");
            std::process::exit(2);
        }
    };
    let session = Session::new(home.clone());
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(session)
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, media::handle)
        .setup(move |app| {
            let zoom = app.state::<Session>().settings().zoom();
            window::open(app, &home, zoom)?;
            input::watch(app.handle());
            autolock::watch(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Dropped files become paths the page may read (name in `attach`); nothing
            // else the page sends is read from disk (see grants.rs).
            match event {
                WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) => {
                    let session = window.state::<Session>();
                    let epoch = session.grant_epoch();
                    session.grant(epoch, grants::Access::Read, paths.iter().cloned());
                }
                // Closing the window finishes a running recording rather than leaving
                // it to the next unlock's recovery.
                WindowEvent::CloseRequested { .. } => {
                    window.state::<Session>().stop_recording("close");
                }
                _ => {}
            }
        })
        .invoke_handler(isolation::screened(commands::handler()))
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("kua-desktop: the window could not start: {e}");
        std::process::exit(1);
    }
}
