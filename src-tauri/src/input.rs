//! Real input, as the shell sees it before the page does. Key presses, clicks, scrolling
//! and touches count as activity for the idle lock, and the panic shortcut (Ctrl+Shift+L)
//! locks from here.
//!
//! GDK hands every event of this process's windows (the app's window and a file dialog
//! the shell opened) to one handler, which GTK installs; the shell puts its own in front
//! of it and passes each event on. This runs in the UI process, so a page that hangs or
//! was compromised sees the shortcut only after the shell did (in fact never: it is
//! consumed), cannot keep it from locking, and cannot fake input: a command the page
//! calls is not input and keeps no vault open (see autolock.rs).

use crate::commands::vault::lock_and_clear;
use crate::session::Session;
use tauri::{AppHandle, Manager};

/// Installs the watch. Call once, on the main thread, after the window exists.
#[cfg(target_os = "linux")]
pub fn watch(app: &AppHandle) {
    use gdk::EventType;
    let app = app.clone();
    gdk::Event::set_handler(Some(move |event: &mut gdk::Event| {
        let kind = event.event_type();
        if matches!(
            kind,
            EventType::KeyPress
                | EventType::ButtonPress
                | EventType::Scroll
                | EventType::TouchBegin
        ) {
            app.state::<Session>().touch();
        }
        if kind == EventType::KeyPress && is_panic_key(event) {
            panic(&app);
            return;
        }
        gtk::main_do_event(event);
    }));
}

#[cfg(not(target_os = "linux"))]
pub fn watch(_app: &AppHandle) {}

/// Locks at once and closes any file dialog (its list of files can name people). The
/// dialog's late answer grants nothing (grants.rs). Never waits: the vault may be held
/// by a long operation, and this runs on the UI thread.
#[cfg(target_os = "linux")]
fn panic(app: &AppHandle) {
    use gtk::prelude::*;
    if !app.state::<Session>().is_locking() {
        lock_and_clear(app);
    }
    for window in gtk::Window::list_toplevels() {
        if let Ok(dialog) = window.downcast::<gtk::Dialog>() {
            if dialog.is_visible() {
                dialog.response(gtk::ResponseType::Cancel);
            }
        }
    }
}

/// Ctrl+Shift and the L key, in whichever keyboard layout is active: with a Russian or
/// Kazakh layout the key gives a Cyrillic letter, so the physical key is matched too.
#[cfg(target_os = "linux")]
fn is_panic_key(event: &gdk::Event) -> bool {
    use gdk::keys::constants as key;
    use gdk::ModifierType;
    let (Some(state), Some(keyval)) = (event.state(), event.keyval()) else {
        return false;
    };
    if !state.contains(ModifierType::CONTROL_MASK | ModifierType::SHIFT_MASK) {
        return false;
    }
    if gdk::keys::Key::from(keyval).to_lower() == key::l {
        return true;
    }
    let Some(code) = event.keycode() else {
        return false;
    };
    gdk::Display::default()
        .and_then(|d| gdk::Keymap::for_display(&d))
        .is_some_and(|map| {
            map.entries_for_keyval(*key::l)
                .iter()
                .any(|k| k.keycode() == u32::from(code))
        })
}
