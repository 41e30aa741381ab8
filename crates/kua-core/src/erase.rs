//! Quick erase: destroying a vault in a second, for a laptop about to be taken.
//!
//! The vault key exists on disk only wrapped in the header's two key slots (passphrase
//! and recovery). So the erase destroys those first, by overwriting in place the page
//! of the file that holds the header row, and every copy of that page the write-ahead
//! log or a rollback journal holds, and syncs: from that moment nothing opens the vault,
//! with the passphrase or the recovery key, whatever its size (one page and the log's
//! frame headers are touched, not the whole file). The SQLite header (its magic) goes
//! with the first page. Then, at leisure, the whole file is overwritten with zeros,
//! truncated and removed, with its journals. An interruption at any point after the
//! first sync leaves only ciphertext whose key is gone.
//!
//! The erase needs no passphrase, so that it works on a locked vault under duress; it
//! refuses a file that is not a Kua vault, so that a mistyped path destroys nothing
//! else.

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// SQLite's WAL file header and frame header sizes.
const WAL_HEADER: u64 = 32;
const FRAME_HEADER: u64 = 24;

/// Where the key slots are: the file's page size and the pages that hold the header
/// table (its root page; the row is far smaller than a page, so it has no overflow).
struct Layout {
    page_size: u64,
    pages: Vec<u64>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::File {
        path: path.to_path_buf(),
        source,
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Reads where the header lives, read-only, after checking that the file is a vault.
fn layout(path: &Path) -> Result<Layout> {
    crate::store::probe(path)?;
    let not_vault = || Error::NotAVault(path.to_path_buf());
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(path, flags).map_err(|_| not_vault())?;
    let page_size: i64 = db
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .map_err(|_| not_vault())?;
    let root: Option<i64> = db
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'header'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|_| not_vault())?;
    let root = root.filter(|r| *r > 0).ok_or_else(not_vault)?;
    let page_size = u64::try_from(page_size).map_err(|_| not_vault())?;
    // Page 1 (SQLite's header and the schema) and the header table's page.
    let mut pages = vec![1, root as u64];
    pages.dedup();
    Ok(Layout { page_size, pages })
}

/// Destroys the key slots: after this returns, the vault cannot be opened by anyone.
/// The file stays (overwritten in two pages); `erase_vault` removes it.
pub fn destroy_key_slots(path: &Path) -> Result<()> {
    let layout = layout(path)?;
    let zeros = vec![0u8; layout.page_size as usize];
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io(path))?;
    for page in &layout.pages {
        file.write_all_at(&zeros, (page - 1) * layout.page_size)
            .map_err(io(path))?;
    }
    file.sync_all().map_err(io(path))?;
    // Copies of those pages in the write-ahead log (written before a checkpoint, or
    // older images of the header from before a passphrase change).
    let wal = sidecar(path, "-wal");
    if wal.exists() {
        erase_wal_frames(&wal, &layout.pages)?;
    }
    // A rollback journal holds page images from before a bulk append: all of it goes.
    let journal = sidecar(path, "-journal");
    if journal.exists() {
        overwrite(&journal)?;
    }
    Ok(())
}

/// Overwrites every frame of the log that holds one of `pages`, reading frame headers
/// only.
fn erase_wal_frames(wal: &Path, pages: &[u64]) -> Result<()> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(wal)
        .map_err(io(wal))?;
    let len = file.metadata().map_err(io(wal))?.len();
    if len < WAL_HEADER {
        return overwrite(wal);
    }
    let mut header = [0u8; WAL_HEADER as usize];
    file.read_exact(&mut header).map_err(io(wal))?;
    let page_size = u64::from(u32::from_be_bytes([
        header[8], header[9], header[10], header[11],
    ]));
    // SQLite writes 1 for a 65,536-byte page; anything not a power of two from 512 up is
    // a damaged log, which is then overwritten whole.
    let page_size = if page_size == 1 { 65_536 } else { page_size };
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
        return overwrite(wal);
    }
    let frame = FRAME_HEADER + page_size;
    let zeros = vec![0u8; page_size as usize];
    let mut at = WAL_HEADER;
    while at + frame <= len {
        let mut number = [0u8; 4];
        file.seek(SeekFrom::Start(at)).map_err(io(wal))?;
        file.read_exact(&mut number).map_err(io(wal))?;
        if pages.contains(&u64::from(u32::from_be_bytes(number))) {
            file.write_all_at(&zeros, at + FRAME_HEADER)
                .map_err(io(wal))?;
        }
        at += frame;
    }
    file.sync_all().map_err(io(wal))
}

/// Overwrites a whole file with zeros and syncs it.
fn overwrite(path: &Path) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io(path))?;
    let len = file.metadata().map_err(io(path))?.len();
    let zeros = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n]).map_err(io(path))?;
        left -= n as u64;
    }
    file.sync_all().map_err(io(path))
}

/// Erases a vault: the key slots first (`destroy_key_slots`), then the file and its
/// journals overwritten, truncated and removed.
pub fn erase_vault(path: &Path) -> Result<()> {
    destroy_key_slots(path)?;
    // The shared-memory file holds only the log's index (page numbers and checksums),
    // and another process that has the vault open maps it: overwriting or truncating it
    // under that mapping would crash that process, so it is only unlinked.
    let shm = sidecar(path, "-shm");
    if shm.exists() {
        std::fs::remove_file(&shm).map_err(io(&shm))?;
    }
    for p in [
        path.to_path_buf(),
        sidecar(path, "-wal"),
        sidecar(path, "-journal"),
    ] {
        if !p.exists() {
            continue;
        }
        overwrite(&p)?;
        let file = OpenOptions::new().write(true).open(&p).map_err(io(&p))?;
        file.set_len(0).map_err(io(&p))?;
        file.sync_all().map_err(io(&p))?;
        drop(file);
        std::fs::remove_file(&p).map_err(io(&p))?;
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
