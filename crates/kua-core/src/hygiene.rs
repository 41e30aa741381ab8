//! What a process holding vault keys sets before anything else: files only its owner can
//! read, and no memory written out on a crash.
//!
//! - The file mode creation mask becomes 0077, so the vault, its write-ahead log and
//!   shared memory, exports in progress and settings are created 0600 (directories 0700)
//!   whatever the user's umask: on a shared laptop another account must not be able to
//!   copy the vault for an offline guessing attack.
//! - No core dump (RLIMIT_CORE 0), and the process is not dumpable (PR_SET_DUMPABLE 0):
//!   a crash while unlocked writes no keys or testimony text to disk, and other
//!   processes of the same user cannot attach to it or read its memory through /proc.
//! - In the `kua` command (`lock_memory`), memory locked in RAM (`mlockall`, each page as it is first touched) where the
//!   system allows a process to lock all it uses, so that keys and plaintext never go
//!   to swap. Linux allows it with CAP_IPC_LOCK (root) or when RLIMIT_MEMLOCK is
//!   unlimited (an administrator's `memlock unlimited` in limits.conf); under the usual limit of
//!   8 MiB nothing is locked, since a process that locks all future memory and then
//!   passes the limit cannot allocate at all. There the protection is encrypted swap
//!   (and no hibernation to an unencrypted disk), as the README says.

/// Applies both; what the system refuses is returned as a note for the caller to show
/// (the process goes on: refusing to start would help no one).
pub fn harden_process() -> Vec<String> {
    use rustix::process::{setrlimit, Resource, Rlimit};
    let mut notes = Vec::new();
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    if let Err(e) = setrlimit(Resource::Core, none) {
        notes.push(format!("core dumps could not be switched off: {e}"));
    }
    if let Err(e) =
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
    {
        notes.push(format!("the process could not be made undumpable: {e}"));
    }
    notes
}

/// Locks every page this process touches in RAM, where it may lock all it uses. For
/// the `kua` command, a short process of modest size. Not for the desktop shell: locked
/// memory cannot be handed back to the system (WebKit's and glibc's heaps would only
/// grow to their peak), and the page's own process, which holds most of what is shown,
/// would not be locked anyway (locks are not inherited).
pub fn lock_memory() -> Vec<String> {
    let mut notes = Vec::new();
    if may_lock_all_memory() {
        use rustix::mm::{mlockall, MlockAllFlags};
        let flags = MlockAllFlags::CURRENT | MlockAllFlags::FUTURE | MlockAllFlags::ONFAULT;
        if let Err(e) = mlockall(flags) {
            notes.push(format!("memory could not be locked in RAM: {e}"));
        }
    }
    notes
}

/// Whether this process may lock all the memory it will ever use: it holds
/// CAP_IPC_LOCK, or its RLIMIT_MEMLOCK is unlimited.
pub fn may_lock_all_memory() -> bool {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Memlock);
    if limit.current.is_none() {
        return true;
    }
    const CAP_IPC_LOCK: u32 = 14;
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
            u64::from_str_radix(hex.trim(), 16).ok()
        })
        .is_some_and(|caps| caps & (1 << CAP_IPC_LOCK) != 0)
}

/// Makes a vault's files readable by their owner only (files written before the mask,
/// or by another program), leaving any that do not exist.
pub(crate) fn owner_only(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = std::path::PathBuf::from(p);
        if let Ok(meta) = std::fs::metadata(&p) {
            if meta.permissions().mode() & 0o077 != 0 {
                let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
}

/// Makes one of Kua's own directories (the data or settings directory) its owner's
/// alone, if it exists and is not: one made by an earlier version under a permissive
/// umask would let other accounts see the vault's name, size and times.
pub fn owner_only_dir(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(dir) {
        if meta.is_dir() && meta.permissions().mode() & 0o077 != 0 {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
}
