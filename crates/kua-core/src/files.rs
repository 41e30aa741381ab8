//! Attachments to and from files on disk: the one place both front ends go through, so
//! that a file added from the CLI and one dropped on the desktop app are named, streamed
//! and written back the same way.

use crate::error::{Error, Result};
use crate::model::AttachmentInfo;
use crate::progress::Progress;
use crate::{NewAttachment, Vault};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Reports the file's size once, then forwards byte counts (the core streams without
/// knowing sizes).
struct Sized<'a> {
    inner: &'a mut dyn Progress,
}

impl Progress for Sized<'_> {
    fn advance(&mut self, bytes: u64) {
        self.inner.advance(bytes);
    }
}

impl Vault {
    /// Adds the file at `path` to a testimony, named by its file name.
    pub fn attach_file(
        &mut self,
        testimony: &str,
        path: &Path,
        captured_at: Option<String>,
        progress: &mut dyn Progress,
    ) -> Result<AttachmentInfo> {
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let total = file.metadata().ok().map(|m| m.len());
        progress.begin(total);
        let new = NewAttachment {
            name,
            media_type: None,
            captured_at,
        };
        let out = self.attach(testimony, &mut file, new, &mut Sized { inner: progress });
        progress.end();
        out
    }

    /// Writes an attachment to `out`, and to no other path (see `write_file`); the
    /// evidence hash is checked before the file is complete.
    pub fn extract_to_file(
        &mut self,
        testimony: &str,
        attachment: &str,
        out: &Path,
        progress: &mut dyn Progress,
    ) -> Result<AttachmentInfo> {
        write_file(out, |w| self.extract(testimony, attachment, w, progress))
    }
}

/// Writes the file `out` through `write`, creating, truncating or removing no other
/// path: a front end may be allowed to write `out` and nothing beside it (the desktop
/// shell grants single paths), so no temporary name may be invented next to it.
///
/// Where the file system offers it (ext4, btrfs, xfs, tmpfs) the bytes go to an unnamed
/// file in `out`'s directory (`O_TMPFILE`), linked in as `out` only after `write`
/// succeeded and the data is on disk: a failed or interrupted write leaves nothing that
/// looks complete, and an existing `out` stays as it was until then. Elsewhere (FAT and
/// exFAT sticks, mostly) the bytes go to `out` itself, removed again if writing fails; a
/// stick pulled mid-write there leaves a truncated file, which an attachment's evidence
/// hash or a bundle's authentication exposes.
pub(crate) fn write_file<T>(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<T>,
) -> Result<T> {
    if out.file_name().is_none() {
        return Err(Error::BadInput("the output needs a file name".into()));
    }
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match unnamed_file_in(dir) {
        Some(file) => {
            let mut w = BufWriter::with_capacity(WRITE_BUFFER, file);
            // On any error the unnamed file is dropped and vanishes with its bytes.
            let value = write(&mut w)?;
            let file = w.into_inner().map_err(|e| Error::io(out, e.into_error()))?;
            file.sync_all().map_err(|e| Error::io(out, e))?;
            link_into_place(file, out)?;
            // Make the new name itself durable.
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| Error::io(dir, e))?;
            Ok(value)
        }
        None => {
            let file = create_private(out).map_err(|e| Error::io(out, e))?;
            let result = (|| {
                let mut w = BufWriter::with_capacity(WRITE_BUFFER, file);
                let value = write(&mut w)?;
                w.flush().map_err(|e| Error::io(out, e))?;
                w.get_ref().sync_all().map_err(|e| Error::io(out, e))?;
                Ok(value)
            })();
            if result.is_err() {
                let _ = std::fs::remove_file(out);
            }
            result
        }
    }
}

/// Writes `bytes` to `out` the way `write_file` does: owner-only, and nothing under
/// `out` that looks complete until all of it is on disk. For files a front end makes
/// from what it shows (a chart, a dataset's tables).
pub fn save_file(out: &Path, bytes: &[u8]) -> Result<()> {
    write_file(out, |w| {
        std::io::Write::write_all(w, bytes).map_err(|e| Error::io(out, e))
    })
}

/// Creates (or truncates) `out` readable and writable by its owner only.
fn create_private(out: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(out)
}

/// Large writes keep the disk busy without a system call per chunk.
const WRITE_BUFFER: usize = 1 << 20;

/// An unnamed file in `dir`, or None where the system or file system has none.
#[cfg(target_os = "linux")]
fn unnamed_file_in(dir: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDWR | OFlags::TMPFILE | OFlags::CLOEXEC;
    // Owner-only: an extracted photo is plaintext, not for other accounts on the laptop.
    rustix::fs::openat(rustix::fs::CWD, dir, flags, Mode::from_raw_mode(0o600))
        .ok()
        .map(File::from)
}

#[cfg(not(target_os = "linux"))]
fn unnamed_file_in(_dir: &Path) -> Option<File> {
    None
}

/// Gives the unnamed `file` the name `out`, replacing what was there (the user chose to
/// overwrite it). Without `/proc` to link through, the finished bytes are copied into
/// `out` instead.
#[cfg(target_os = "linux")]
fn link_into_place(mut file: File, out: &Path) -> Result<()> {
    use rustix::fs::{linkat, AtFlags, CWD};
    use std::os::fd::AsRawFd;
    let source = format!("/proc/self/fd/{}", file.as_raw_fd());
    let link = || linkat(CWD, source.as_str(), CWD, out, AtFlags::SYMLINK_FOLLOW);
    match link() {
        Ok(()) => return Ok(()),
        Err(rustix::io::Errno::EXIST) => {
            std::fs::remove_file(out).map_err(|e| Error::io(out, e))?;
            if link().is_ok() {
                return Ok(());
            }
        }
        Err(_) => {}
    }
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(out, e))?;
    let mut copy = create_private(out).map_err(|e| Error::io(out, e))?;
    let copied = std::io::copy(&mut file, &mut copy).and_then(|_| copy.sync_all());
    if let Err(e) = copied {
        let _ = std::fs::remove_file(out);
        return Err(Error::io(out, e));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn link_into_place(_file: File, _out: &Path) -> Result<()> {
    Err(Error::BadInput("no unnamed files on this system".into()))
}

impl Vault {
    /// Bytes free for this vault on its file system (what an unprivileged process may
    /// still write), so a recording can say how long it can go on.
    pub fn free_space(&self) -> Result<u64> {
        let dir = self
            .path()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let stat = rustix::fs::statvfs(dir).map_err(|e| Error::io(dir, e.into()))?;
        Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
    }
}

#[cfg(test)]
mod tests {
    use super::write_file;
    use crate::error::Error;
    use std::io::Write;

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// The attack: a page granted `report.txt` had `report.partial` (or a dot-file)
    /// beside it created, truncated, renamed or removed. Only `out` may change.
    #[test]
    fn writing_touches_no_path_beside_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report.txt");
        let bystanders = ["report.partial", ".report.txt.partial", "other"];
        for name in bystanders {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        std::fs::write(&out, "old").unwrap();
        write_file(&out, |w| w.write_all(b"new").map_err(Error::from)).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        let failed: Result<(), Error> = write_file(&out, |w| {
            w.write_all(b"half").map_err(Error::from)?;
            Err(Error::BadInput("stopped".into()))
        });
        assert!(failed.is_err());
        for name in bystanders {
            assert_eq!(
                std::fs::read(dir.path().join(name)).unwrap(),
                name.as_bytes()
            );
        }
        let mut expected: Vec<String> = bystanders.iter().map(|s| s.to_string()).collect();
        // Where unnamed files exist, a failed write leaves the earlier file untouched.
        if std::fs::read(&out).is_ok() {
            assert_eq!(std::fs::read(&out).unwrap(), b"new");
            expected.push("report.txt".into());
        }
        expected.sort();
        assert_eq!(names(dir.path()), expected);
    }
}
