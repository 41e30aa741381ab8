//! glibc's own heap, wiped on free.
//!
//! Rust's and SQLite's allocations are wiped by this crate, but the desktop shell links C
//! libraries (GLib, GTK, WebKitGTK's UI side) that copy what passes between the page and
//! the shell into glibc's heap: a testimony shown on screen crosses it as a reply to the
//! page, and the freed copies stayed readable after lock (ui/e2e/memory.e2e.ts found
//! them). glibc fills each block it frees with a byte when the tunable
//! `glibc.malloc.perturb` is set (but for its last 8 bytes: see [`TUNABLES`]), except
//! blocks it keeps in its per-thread cache, which `glibc.malloc.tcache_count=0` turns
//! off. Tunables are read once, when the process starts, so the program runs itself
//! again with them set.

use std::ffi::OsString;

/// The tunables that make glibc fill each freed block (with 0xA5) and skip its
/// per-thread cache, which would otherwise keep freed blocks unfilled, and its fast bins
/// (blocks up to 128 bytes), where the last 8 bytes of a block are never overwritten.
/// glibc fills a freed block but for its last 8 bytes, which hold the next block's size
/// field and are overwritten with the block's size when it goes to a bin; a block merged
/// into a free neighbour or the heap's top keeps those 8 bytes.
pub const TUNABLES: &str =
    "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0:glibc.malloc.perturb=165";

/// Set in the environment of the run started again, so that it never starts itself a
/// third time (glibc drops the tunables of a process started with raised privileges).
const AGAIN: &str = "KUA_WIPE_STARTED_AGAIN";

/// Whether glibc fills what this process frees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filling {
    /// It does, under [`TUNABLES`].
    On,
    /// `GLIBC_TUNABLES` already set the filling, and it is left as the user set it.
    SetByUser,
    /// The run started again without the tunables (glibc dropped them).
    Refused,
    /// Not glibc on Linux: there are no such tunables.
    Unsupported,
}

/// The `GLIBC_TUNABLES` value to run with, given the current one, or None when the
/// current one already decides the filling (the user set it).
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
/// [`TUNABLES`]: the user's own part (None: unset), or `Err` when the value does not
/// end with ours (glibc dropped or changed them).
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
/// filling freed blocks, unless it already does or cannot. Returns in the run started
/// again (`Ok(Filling::On)`), when the filling is the user's or unavailable, or when
/// running again failed (`Err`); the caller says so when it is not `On`. Call it first
/// thing in `main`, before any thread exists.
///
/// Only this process fills: the run started again takes the tunables out of its
/// environment (glibc has read them by then), so that the processes it starts do not
/// inherit them. WebKit's web process crashed under them (a page crash in the
/// end-to-end tests).
pub fn wipe_c_heap() -> std::io::Result<Filling> {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return Ok(Filling::Unsupported);
    }
    let current = std::env::var_os("GLIBC_TUNABLES");
    // Single-threaded still (the caller's contract), so no getenv races these.
    if std::env::var_os(AGAIN).is_some() {
        std::env::remove_var(AGAIN);
        return Ok(match current.as_ref().map(without_ours) {
            Some(Ok(own)) => {
                match own {
                    Some(own) => std::env::set_var("GLIBC_TUNABLES", own),
                    None => std::env::remove_var("GLIBC_TUNABLES"),
                }
                Filling::On
            }
            _ => Filling::Refused,
        });
    }
    match tunables(current.as_ref()) {
        None => Ok(Filling::SetByUser),
        Some(value) => Err(start_again(value)),
    }
}

#[cfg(unix)]
fn start_again(value: OsString) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let mut args = std::env::args_os();
    // By its path, so that the process keeps its name (ps, top, /proc/PID/comm); the
    // kernel's link to the running file where the path cannot be read.
    let exe = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    let mut command = std::process::Command::new(exe);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    command
        .args(args)
        .env("GLIBC_TUNABLES", value)
        .env(AGAIN, "1")
        .exec()
}

#[cfg(not(unix))]
fn start_again(_: OsString) -> std::io::Error {
    std::io::Error::from(std::io::ErrorKind::Unsupported)
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
