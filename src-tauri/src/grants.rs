//! The files the user has given the page, and what for. A path reaches a command only
//! as a grant made by a dialog the shell opened or a drop on the window, so a
//! compromised page cannot name any other file; and a grant allows only the use it was
//! made for:
//!
//! - a file picked to be read (an attachment, a bundle, a key) or dropped is only read;
//! - a place picked to be written (an extracted attachment, a bundle, a new vault) is
//!   written once, then the grant is gone;
//! - a vault picked to be opened is only opened, once;
//! - the vault the app works with (and its journal files) is never written, whatever
//!   was granted;
//! - grants belong to one session: locking, unlocking and opening another vault end
//!   them, and a dialog answered after that grants nothing.

use crate::error::IpcError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    /// Single use.
    Write,
    /// Single use.
    OpenVault,
}

/// The grants of the current session. `epoch` counts sessions: a dialog notes it when
/// it opens, and its answer is granted only if no lock or unlock came in between.
#[derive(Debug, Default)]
pub struct Grants {
    epoch: u64,
    paths: HashSet<(PathBuf, Access)>,
}

impl Grants {
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Ends the session: every grant is dropped, and so is any made later under the
    /// old epoch.
    pub fn end_session(&mut self) {
        self.paths.clear();
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// Grants `paths` for `access`, unless the session they were chosen in has ended.
    pub fn grant(&mut self, epoch: u64, access: Access, paths: impl IntoIterator<Item = PathBuf>) {
        if epoch == self.epoch {
            self.paths.extend(paths.into_iter().map(|p| (p, access)));
        }
    }

    /// The path, if it was granted for reading.
    pub fn read(&self, path: &Path) -> Result<PathBuf, IpcError> {
        if self.paths.contains(&(path.to_path_buf(), Access::Read)) {
            Ok(path.to_path_buf())
        } else {
            Err(IpcError::not_granted())
        }
    }

    /// Uses up the grant to write `path` once. `protected` are the vault files, which
    /// are refused even when granted (a dialog can be steered to them).
    pub fn write(&mut self, path: &Path, protected: &[PathBuf]) -> Result<PathBuf, IpcError> {
        if protected.iter().any(|p| is_vault_file(path, p)) {
            self.paths.remove(&(path.to_path_buf(), Access::Write));
            return Err(IpcError::new(
                "vault_not_writable",
                "the vault itself cannot be written over; choose another file",
            ));
        }
        self.take(path, Access::Write)
    }

    /// Uses up the grant to open `path` as a vault.
    pub fn open_vault(&mut self, path: &Path) -> Result<PathBuf, IpcError> {
        self.take(path, Access::OpenVault)
    }

    fn take(&mut self, path: &Path, access: Access) -> Result<PathBuf, IpcError> {
        if self.paths.remove(&(path.to_path_buf(), access)) {
            Ok(path.to_path_buf())
        } else {
            Err(IpcError::not_granted())
        }
    }
}

/// Whether writing `path` would write the vault `vault` or one of SQLite's files beside
/// it (`-wal`, `-shm`, `-journal`): the same name once directories are resolved, or the
/// same file reached by another name (a hard or symbolic link).
pub(crate) fn is_vault_file(path: &Path, vault: &Path) -> bool {
    let mut files = vec![vault.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = vault.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
        .iter()
        .any(|f| resolved(path) == resolved(f) || same_file(path, f))
}

/// The path with its directory resolved (symbolic links, `.`, `..`); as given when the
/// directory does not exist.
fn resolved(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            dir.canonicalize()
                .map(|d| d.join(name))
                .unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_a: &Path, _b: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(r: Result<T, IpcError>) -> String {
        r.expect_err("refused").code
    }

    #[test]
    fn a_file_picked_for_reading_cannot_be_overwritten() {
        let mut g = Grants::default();
        let p = PathBuf::from("/tmp/evidence.jpg");
        g.grant(g.epoch(), Access::Read, [p.clone()]);
        assert_eq!(g.read(&p).unwrap(), p);
        assert_eq!(code(g.write(&p, &[])), "not_granted");
        assert_eq!(code(g.open_vault(&p)), "not_granted");
        // Reading does not use the grant up.
        assert_eq!(g.read(&p).unwrap(), p);
    }

    #[test]
    fn a_place_picked_for_writing_is_written_once_and_never_read() {
        let mut g = Grants::default();
        let p = PathBuf::from("/tmp/out.kua");
        g.grant(g.epoch(), Access::Write, [p.clone()]);
        assert_eq!(code(g.read(&p)), "not_granted");
        assert_eq!(g.write(&p, &[]).unwrap(), p);
        assert_eq!(code(g.write(&p, &[])), "not_granted");
    }

    #[test]
    fn a_vault_picked_to_open_is_not_readable_or_writable() {
        let mut g = Grants::default();
        let p = PathBuf::from("/tmp/other.kua");
        g.grant(g.epoch(), Access::OpenVault, [p.clone()]);
        assert_eq!(code(g.read(&p)), "not_granted");
        assert_eq!(code(g.write(&p, &[])), "not_granted");
        assert_eq!(g.open_vault(&p).unwrap(), p);
        assert_eq!(code(g.open_vault(&p)), "not_granted");
    }

    #[test]
    fn the_open_vault_is_never_written_even_when_granted() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.kua");
        std::fs::write(&vault, "vault").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let hard = dir.path().join("hard-link.kua");
        std::fs::hard_link(&vault, &hard).unwrap();
        let soft = dir.path().join("soft-link.kua");
        std::os::unix::fs::symlink(&vault, &soft).unwrap();
        let attempts = [
            vault.clone(),
            dir.path().join("sub/../vault.kua"),
            dir.path().join("vault.kua-wal"),
            dir.path().join("vault.kua-shm"),
            dir.path().join("vault.kua-journal"),
            hard,
            soft,
        ];
        let mut g = Grants::default();
        for p in &attempts {
            g.grant(g.epoch(), Access::Write, [p.clone()]);
            assert_eq!(
                code(g.write(p, std::slice::from_ref(&vault))),
                "vault_not_writable",
                "{p:?}"
            );
        }
        let other = dir.path().join("bundle.kua");
        g.grant(g.epoch(), Access::Write, [other.clone()]);
        assert_eq!(g.write(&other, &[vault]).unwrap(), other);
    }

    #[test]
    fn grants_end_with_the_session() {
        let mut g = Grants::default();
        let p = PathBuf::from("/tmp/a.txt");
        g.grant(g.epoch(), Access::Read, [p.clone()]);
        g.end_session();
        assert_eq!(code(g.read(&p)), "not_granted");
    }

    #[test]
    fn a_dialog_answered_after_a_lock_grants_nothing() {
        let mut g = Grants::default();
        let p = PathBuf::from("/tmp/out.kua");
        // The dialog opened in one session, the vault was locked meanwhile.
        let opened_in = g.epoch();
        g.end_session();
        g.grant(opened_in, Access::Write, [p.clone()]);
        assert_eq!(code(g.write(&p, &[])), "not_granted");
    }
}
