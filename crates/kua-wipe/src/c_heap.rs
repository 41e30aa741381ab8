//! glibc's own heap, wiped on free.
//!
//! Rust's and SQLite's allocations are wiped by this crate, but the desktop shell links C
//! libraries (GLib, GTK, WebKitGTK's UI side) that copy what passes between the page and
//! the shell into glibc's heap: a testimony shown on screen crosses it as a reply to the
//! page, and the freed copies stayed readable after lock (ui/e2e/memory.e2e.ts found
//! them). glibc fills every block it frees with a byte when the tunable
//! `glibc.malloc.perturb` is set, except blocks it keeps in its per-thread cache, which
//! `glibc.malloc.tcache_count=0` turns off. Tunables are read once, when the process
//! starts, so the program runs itself again with them set.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The tunables that make glibc fill each freed block (with 0xA5) and skip its
/// per-thread cache, which would otherwise keep freed blocks unfilled.
pub const TUNABLES: &str = "glibc.malloc.tcache_count=0:glibc.malloc.perturb=165";

/// The `GLIBC_TUNABLES` value to run with, given the current one, or None when the
/// current one already decides the filling (this run is the re-executed one, or the
/// user set it).
pub fn tunables(current: Option<&OsString>) -> Option<OsString> {
    match current {
        Some(c) if c.to_string_lossy().contains("glibc.malloc.perturb=") => None,
        Some(c) if !c.is_empty() => {
            let mut v = c.clone();
            v.push(":");
            v.push(TUNABLES);
            Some(v)
        }
        _ => Some(TUNABLES.into()),
    }
}

/// The `GLIBC_TUNABLES` value to hand on to child processes once this one runs under
/// [`TUNABLES`]: the user's own part (None: unset), or `Err` when the value is not one
/// this crate made (the user set the filling, and children keep what they set).
fn without_ours(current: &OsString) -> Result<Option<OsString>, ()> {
    let text = current.to_str().ok_or(())?;
    if text == TUNABLES {
        return Ok(None);
    }
    match text
        .strip_suffix(TUNABLES)
        .and_then(|own| own.strip_suffix(':'))
    {
        Some(own) => Ok(Some(own.into())),
        None => Err(()),
    }
}

/// Runs this program again, same arguments and environment, with glibc's malloc
/// filling freed blocks, unless it already does. Returns only when it already does
/// (`Ok`) or when running it again failed (`Err`, and the caller goes on unfilled and
/// says so). Call it first thing in `main`, before any thread exists.
///
/// Only this process fills: the re-executed run takes the tunables out of its
/// environment again (glibc has read them by then), so that the processes it starts do
/// not inherit them. WebKit's web process crashed under them (a page crash in the
/// end-to-end tests), and the shell ends that process on lock anyway.
pub fn wipe_c_heap() -> std::io::Result<()> {
    let current = std::env::var_os("GLIBC_TUNABLES");
    let Some(value) = tunables(current.as_ref()) else {
        if let Some(Ok(own)) = current.as_ref().map(without_ours) {
            // Single-threaded still (the caller's contract), so no getenv races this.
            match own {
                Some(own) => std::env::set_var("GLIBC_TUNABLES", own),
                None => std::env::remove_var("GLIBC_TUNABLES"),
            }
        }
        return Ok(());
    };
    let mut args = std::env::args_os();
    // By its path, so that the process keeps its name (ps, top, /proc/PID/comm); the
    // kernel's link to the running file where the path cannot be read.
    let exe = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    let mut command = Command::new(exe);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    Err(command.args(args).env("GLIBC_TUNABLES", value).exec())
}

#[cfg(test)]
mod tests {
    use super::{tunables, without_ours, TUNABLES};
    use std::ffi::OsString;

    #[test]
    fn the_tunables_are_added_once_and_keep_the_users_own() {
        assert_eq!(tunables(None), Some(TUNABLES.into()));
        assert_eq!(tunables(Some(&OsString::new())), Some(TUNABLES.into()));
        let own = OsString::from("glibc.malloc.arena_max=2");
        assert_eq!(
            tunables(Some(&own)),
            Some(format!("glibc.malloc.arena_max=2:{TUNABLES}").into())
        );
        // The re-executed run finds them and does not run itself again.
        assert_eq!(tunables(Some(&TUNABLES.into())), None);
        assert_eq!(
            tunables(Some(&format!("glibc.malloc.arena_max=2:{TUNABLES}").into())),
            None
        );
    }

    #[test]
    fn children_get_back_the_users_own_tunables_only() {
        assert_eq!(without_ours(&TUNABLES.into()), Ok(None));
        assert_eq!(
            without_ours(&format!("glibc.malloc.arena_max=2:{TUNABLES}").into()),
            Ok(Some("glibc.malloc.arena_max=2".into()))
        );
        // Set by the user: left as it is.
        assert_eq!(without_ours(&"glibc.malloc.perturb=7".into()), Err(()));
    }
}
