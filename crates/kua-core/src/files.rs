//! Attachments to and from files on disk: the one place both front ends go through, so
//! that a file added from the CLI and one dropped on the desktop app are named, streamed
//! and written back the same way.

use crate::error::{Error, Result};
use crate::model::AttachmentInfo;
use crate::progress::Progress;
use crate::{NewAttachment, Vault};
use std::io::Write;
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

    /// Writes an attachment to `out`. The bytes go to a `.partial` file beside it that is
    /// renamed only once the evidence hash matched and the data is on disk, so a failed
    /// or interrupted extraction never leaves a file that looks complete.
    pub fn extract_to_file(
        &mut self,
        testimony: &str,
        attachment: &str,
        out: &Path,
        progress: &mut dyn Progress,
    ) -> Result<AttachmentInfo> {
        let partial = out.with_extension("partial");
        let result = (|| {
            let file = std::fs::File::create(&partial).map_err(|e| Error::io(&partial, e))?;
            let mut writer = std::io::BufWriter::new(file);
            let info = self.extract(testimony, attachment, &mut writer, progress)?;
            writer.flush().map_err(|e| Error::io(&partial, e))?;
            writer
                .get_ref()
                .sync_all()
                .map_err(|e| Error::io(&partial, e))?;
            std::fs::rename(&partial, out).map_err(|e| Error::io(out, e))?;
            Ok(info)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }
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
