//! Quick erase: destroying a vault in a second, for a laptop about to be taken.
//!
//! The vault key exists in the vault only wrapped in the header's two key slots
//! (passphrase and recovery). So the erase destroys those first: every copy of the page
//! holding the header row in the write-ahead log or a rollback journal, then the page
//! in the file itself, each synced; from that moment Kua cannot open the vault, with
//! the passphrase or the recovery key, whatever its size (two pages and the log's frame
//! headers are touched, not the whole file). The SQLite header (its magic) goes with the
//! first page, which then says the erase is under way. Then the whole file is
//! overwritten with zeros, truncated and removed, with its journals; an erase cut short
//! is finished by running it again.
//!
//! Its limit, stated in docs/vault-format.md ("Quick erase"): blocks the file system or
//! the drive freed earlier may still hold older copies of the header's page (a log
//! checkpointed and deleted at an earlier lock, an SSD's remapped blocks, copy-on-write
//! extents, snapshots). Kua cannot reach those; full-disk encryption is what defeats a
//! laboratory reading the raw disk.
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

/// What page 1 becomes once the key slots are gone: a file that starts so is a vault
/// whose erase was cut short, which `erase_vault` finishes (and nothing else it is
/// given without a vault's header).
const MARKER: &[u8] = b"Kua vault being erased: its key slots are destroyed.\0";

fn marked(path: &Path) -> bool {
    let mut start = vec![0u8; MARKER.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| start == MARKER)
}

/// Reads where the header lives, after checking that the file is a vault (its header, or
/// its tables): read-only,
/// or, for a vault with a hot rollback journal (a bulk append cut short), read-write,
/// which rolls the journal back as any open does. Neither connection checkpoints when it
/// closes: that would copy the log's frames into the file and delete the log, with the
/// header's old images in it, before they are overwritten.
fn layout(path: &Path) -> Result<Layout> {
    let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let read_write = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    read_layout(path, read_only).or_else(|_| read_layout(path, read_write))
}

fn read_layout(path: &Path, flags: OpenFlags) -> Result<Layout> {
    let not_vault = || Error::NotAVault(path.to_path_buf());
    let db = Connection::open_with_flags(path, flags).map_err(|_| not_vault())?;
    db.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    // A vault: its header reads, or (a header damaged, or destroyed by an erase whose
    // first page another connection then wrote back) its tables are Kua's. Anything
    // else is refused before a byte is written.
    if crate::store::read_header(&db, path).is_err() {
        let ours: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'
                 AND name IN ('header', 'custody', 'secret', 'testimony', 'chunk')",
                [],
                |r| r.get(0),
            )
            .map_err(|_| not_vault())?;
        if ours != 5 {
            return Err(not_vault());
        }
    }
    let page_size: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let root: Option<i64> = db
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'header'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let root = root.filter(|r| *r > 0).ok_or_else(not_vault)?;
    let page_size = u64::try_from(page_size).map_err(|_| not_vault())?;
    // Page 1 (SQLite's header and the schema) and the header table's page.
    let mut pages = vec![1, root as u64];
    pages.dedup();
    Ok(Layout { page_size, pages })
}

/// Destroys the key slots: after this returns, Kua cannot open the vault, with the
/// passphrase or the recovery key. The log's copies of the header's pages go first,
/// then the pages in the file (page 1 becomes `MARKER`), each step synced; the pages
/// are read back, and overwritten again if another process's checkpoint wrote them
/// back meanwhile. The file stays; `erase_vault` removes it.
///
/// What this cannot reach: copies the file system or the drive keep of blocks written
/// earlier (a log checkpointed and deleted long ago, an SSD's remapped blocks, a
/// copy-on-write file system's old extents, snapshots). Against a laboratory reading the
/// raw disk, only full-disk encryption helps (docs/vault-format.md, "Quick erase").
pub fn destroy_key_slots(path: &Path) -> Result<()> {
    let path = &real(path)?;
    if marked(path) {
        return Ok(());
    }
    let layout = layout(path)?;
    for _ in 0..3 {
        // A rollback journal holds page images from before a bulk append: all of it
        // goes. Then every copy of the header's pages in the log.
        let journal = sidecar(path, "-journal");
        if journal.exists() {
            overwrite(&journal)?;
        }
        let wal = sidecar(path, "-wal");
        if wal.exists() {
            erase_wal_frames(&wal, &layout)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io(path))?;
        for page in &layout.pages {
            let mut blank = vec![0u8; layout.page_size as usize];
            if *page == 1 {
                blank[..MARKER.len()].copy_from_slice(MARKER);
            }
            file.write_all_at(&blank, (page - 1) * layout.page_size)
                .map_err(io(path))?;
        }
        file.sync_all().map_err(io(path))?;
        // Read back: a checkpoint of another process may have copied a frame of the
        // header's page into the file between the two steps.
        let mut clean = true;
        for page in &layout.pages {
            let mut now = vec![0u8; layout.page_size as usize];
            file.read_exact_at(&mut now, (page - 1) * layout.page_size)
                .map_err(io(path))?;
            let body = if *page == 1 {
                &now[MARKER.len()..]
            } else {
                &now[..]
            };
            clean &= body.iter().all(|b| *b == 0);
        }
        if clean {
            return Ok(());
        }
    }
    Err(Error::Storage(
        "another program keeps writing the vault's header back; close Kua everywhere and erase again".into(),
    ))
}

/// The file a path names, symbolic links resolved: SQLite keeps the journals beside
/// the real file.
fn real(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).map_err(|_| Error::NotAVault(path.to_path_buf()))
}

/// Overwrites every frame of the log that holds one of the header's pages, reading
/// frame headers only; a log whose page size is not the file's, or that is too short
/// for its own header, is overwritten whole, and so is a torn last frame.
fn erase_wal_frames(wal: &Path, layout: &Layout) -> Result<()> {
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
    // SQLite writes 1 for a 65,536-byte page.
    let page_size = if page_size == 1 { 65_536 } else { page_size };
    if page_size != layout.page_size {
        return overwrite(wal);
    }
    let frame = FRAME_HEADER + page_size;
    let zeros = vec![0u8; page_size as usize];
    let mut at = WAL_HEADER;
    while at + frame <= len {
        let mut number = [0u8; 4];
        file.seek(SeekFrom::Start(at)).map_err(io(wal))?;
        file.read_exact(&mut number).map_err(io(wal))?;
        if layout
            .pages
            .contains(&u64::from(u32::from_be_bytes(number)))
        {
            file.write_all_at(&zeros, at + FRAME_HEADER)
                .map_err(io(wal))?;
        }
        at += frame;
    }
    if at < len {
        let tail = vec![0u8; (len - at) as usize];
        file.write_all_at(&tail, at).map_err(io(wal))?;
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
/// journals overwritten, truncated and removed. An erase cut short after the first step
/// is finished by running it again.
pub fn erase_vault(path: &Path) -> Result<()> {
    let link = path.to_path_buf();
    let path = &real(path)?;
    destroy_key_slots(path)?;
    // The shared-memory file holds only the log's index (page numbers and checksums),
    // and another process that has the vault open maps it: overwriting or truncating it
    // under that mapping would crash that process, so it is only unlinked.
    let shm = sidecar(path, "-shm");
    if shm.exists() {
        std::fs::remove_file(&shm).map_err(io(&shm))?;
    }
    for p in [
        sidecar(path, "-wal"),
        sidecar(path, "-journal"),
        path.to_path_buf(),
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
    if &link != path && link.is_symlink() {
        std::fs::remove_file(&link).map_err(io(&link))?;
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
