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
/// (page 1, SQLite's header and schema, and the `header` table's root page; the row is
/// far smaller than a page, so it has no overflow). Read when a vault is opened
/// (`Vault::erase_layout`), so that an erase can proceed without SQLite while another
/// connection holds a lock, and written after the marker once the erase has begun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EraseLayout {
    page_size: u64,
    root: u64,
}

impl EraseLayout {
    fn pages(&self) -> Vec<u64> {
        let mut pages = vec![1, self.root];
        pages.dedup();
        pages
    }

    /// Reads it from an open connection to a vault.
    pub(crate) fn of(db: &Connection) -> Result<EraseLayout> {
        let page_size: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let root: Option<i64> = db
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'header'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let bad = || Error::Storage("the vault's schema has no header table".into());
        let root = root.filter(|r| *r > 0).ok_or_else(bad)?;
        let page_size = u64::try_from(page_size).map_err(|_| bad())?;
        if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(bad());
        }
        Ok(EraseLayout {
            page_size,
            root: root as u64,
        })
    }
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

/// What page 1 becomes once the erase has begun, followed by the layout (page size and
/// root page, u32 big-endian each) so that a later run can scrub again without SQLite:
/// a file that starts so is a vault whose erase was cut short, which `erase_vault`
/// finishes (and nothing else it is given without a vault's header or tables).
const MARKER: &[u8] = b"Kua vault being erased: its key slots are destroyed.\0";

/// Page 1 as the erase writes it: the marker, the layout, zeros.
fn marker_page(layout: &EraseLayout) -> Vec<u8> {
    let mut page = vec![0u8; layout.page_size as usize];
    page[..MARKER.len()].copy_from_slice(MARKER);
    let at = MARKER.len();
    page[at..at + 4].copy_from_slice(&(layout.page_size as u32).to_be_bytes());
    page[at + 4..at + 8].copy_from_slice(&(layout.root as u32).to_be_bytes());
    page
}

/// The layout a marked file carries, if it starts with the marker.
fn marked(path: &Path) -> Option<EraseLayout> {
    let mut start = vec![0u8; MARKER.len() + 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .ok()?;
    if &start[..MARKER.len()] != MARKER {
        return None;
    }
    let at = MARKER.len();
    let word = |i: usize| {
        u64::from(u32::from_be_bytes([
            start[i],
            start[i + 1],
            start[i + 2],
            start[i + 3],
        ]))
    };
    let layout = EraseLayout {
        page_size: word(at),
        root: word(at + 4),
    };
    ((512..=65_536).contains(&layout.page_size)
        && layout.page_size.is_power_of_two()
        && layout.root >= 1)
        .then_some(layout)
}

/// Reads where the header lives, after checking that the file is a vault (its header,
/// or its tables, as a vault whose header is damaged has): read-only; read-write only
/// for a vault with a hot rollback journal (a bulk append cut short), which SQLite must
/// roll back before anyone reads it. Neither connection checkpoints when it closes: that
/// would copy the log's frames into the file and delete the log, with the header's old
/// images in it, before they are overwritten.
fn layout(path: &Path) -> Result<EraseLayout> {
    let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let read_write = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if hot_journal(path) {
        read_layout(path, read_write)
    } else {
        read_layout(path, read_only)
    }
}

/// Whether SQLite refuses to read the file read-only because a hot rollback journal
/// must be rolled back first.
fn hot_journal(path: &Path) -> bool {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(db) = Connection::open_with_flags(path, flags) else {
        return false;
    };
    db.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .err()
    .is_some_and(|e| {
        e.sqlite_error()
            .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK)
    })
}

fn read_layout(path: &Path, flags: OpenFlags) -> Result<EraseLayout> {
    let not_vault = || Error::NotAVault(path.to_path_buf());
    let db = Connection::open_with_flags(path, flags).map_err(|_| not_vault())?;
    db.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    if crate::store::read_header(&db, path).is_err() {
        // Kua's tables, and a header table with key slots: a vault whose header is
        // damaged or destroyed. Anything else is refused before a byte is written.
        let ours: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'
                 AND name IN ('header', 'custody', 'secret', 'testimony', 'chunk')",
                [],
                |r| r.get(0),
            )
            .map_err(|_| not_vault())?;
        let slots: i64 = db
            .query_row(
                "SELECT count(*) FROM pragma_table_info('header')
                 WHERE name IN ('pass_slot', 'recovery_slot', 'salt')",
                [],
                |r| r.get(0),
            )
            .map_err(|_| not_vault())?;
        if ours != 5 || slots != 3 {
            return Err(not_vault());
        }
    }
    EraseLayout::of(&db).map_err(|_| not_vault())
}

/// Destroys the key slots: after this returns, Kua cannot open the vault, with the
/// passphrase or the recovery key. See `destroy_key_slots_at`.
pub fn destroy_key_slots(path: &Path) -> Result<()> {
    let path = &real(path)?;
    let layout = match marked(path) {
        Some(layout) => layout,
        None => layout(path)?,
    };
    destroy_key_slots_at(path, &layout)
}

/// Destroys the key slots of the vault at `path` whose layout is known, without
/// SQLite (so that a lock another connection holds does not stop it). The log's copies
/// of the header's pages go first (page 1's copies become the marker page, so that a
/// checkpoint can only ever write the marker back), then the pages in the file, each
/// step synced; the pages are read back, and overwritten again if another process's
/// checkpoint wrote them back meanwhile. The file stays; `erase_vault` removes it.
///
/// What this cannot reach: copies the file system or the drive keep of blocks written
/// earlier (a log checkpointed and deleted long ago, an SSD's remapped blocks, a
/// copy-on-write file system's old extents, snapshots). Against a laboratory reading the
/// raw disk, only full-disk encryption helps (docs/vault-format.md, "Quick erase").
pub fn destroy_key_slots_at(path: &Path, layout: &EraseLayout) -> Result<()> {
    let path = &real(path)?;
    let marker = marker_page(layout);
    let zeros = vec![0u8; layout.page_size as usize];
    let image = |page: u64| if page == 1 { &marker } else { &zeros };
    for _ in 0..3 {
        // A rollback journal holds page images from before a bulk append: all of it
        // goes. Then every copy of the header's pages in the log.
        let journal = sidecar(path, "-journal");
        if journal.exists() {
            overwrite(&journal)?;
        }
        let wal = sidecar(path, "-wal");
        if wal.exists() {
            erase_wal_frames(&wal, layout, &image)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io(path))?;
        for page in layout.pages() {
            file.write_all_at(image(page), (page - 1) * layout.page_size)
                .map_err(io(path))?;
        }
        file.sync_all().map_err(io(path))?;
        // Read back: a checkpoint of another process may have copied a frame of the
        // header's page into the file between the two steps.
        let mut clean = true;
        for page in layout.pages() {
            let mut now = vec![0u8; layout.page_size as usize];
            file.read_exact_at(&mut now, (page - 1) * layout.page_size)
                .map_err(io(path))?;
            clean &= now == *image(page);
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

/// Overwrites every frame of the log that holds one of the header's pages with its
/// erased image, reading frame headers only; a log whose page size is not the file's,
/// or that is too short for its own header, is overwritten whole, and so is a torn
/// last frame.
fn erase_wal_frames<'a>(
    wal: &Path,
    layout: &EraseLayout,
    image: &dyn Fn(u64) -> &'a Vec<u8>,
) -> Result<()> {
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
    let pages = layout.pages();
    let frame = FRAME_HEADER + page_size;
    let mut at = WAL_HEADER;
    while at + frame <= len {
        let mut number = [0u8; 4];
        file.seek(SeekFrom::Start(at)).map_err(io(wal))?;
        file.read_exact(&mut number).map_err(io(wal))?;
        let page = u64::from(u32::from_be_bytes(number));
        if pages.contains(&page) {
            file.write_all_at(image(page), at + FRAME_HEADER)
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

/// Overwrites a file with zeros from `from` to its end and syncs it.
fn overwrite_from(path: &Path, from: u64) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io(path))?;
    let len = file.metadata().map_err(io(path))?.len();
    file.seek(SeekFrom::Start(from.min(len)))
        .map_err(io(path))?;
    let zeros = vec![0u8; 1 << 20];
    let mut left = len.saturating_sub(from);
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n]).map_err(io(path))?;
        left -= n as u64;
    }
    file.sync_all().map_err(io(path))
}

/// Overwrites a whole file with zeros and syncs it.
fn overwrite(path: &Path) -> Result<()> {
    overwrite_from(path, 0)
}

/// Overwrites, empties and removes a file.
fn remove(path: &Path, keep: u64) -> Result<()> {
    overwrite_from(path, keep)?;
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io(path))?;
    file.set_len(keep).map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    drop(file);
    std::fs::remove_file(path).map_err(io(path))
}

/// Erases a vault: the key slots first (`destroy_key_slots`), then the file and its
/// journals overwritten, truncated and removed. The file's first page (the marker) goes
/// last, with the file, so that an erase cut short at any point is finished by running
/// it again.
pub fn erase_vault(path: &Path) -> Result<()> {
    let link = path.to_path_buf();
    let path = &real(path)?;
    destroy_key_slots(path)?;
    let layout = marked(path).ok_or_else(|| Error::NotAVault(path.to_path_buf()))?;
    // The shared-memory file holds only the log's index (page numbers and checksums),
    // and another process that has the vault open maps it: overwriting or truncating it
    // under that mapping would crash that process, so it is only unlinked.
    let shm = sidecar(path, "-shm");
    if shm.exists() {
        std::fs::remove_file(&shm).map_err(io(&shm))?;
    }
    for journal in [sidecar(path, "-wal"), sidecar(path, "-journal")] {
        if journal.exists() {
            remove(&journal, 0)?;
        }
    }
    // Everything but the marker page, then the file.
    remove(path, layout.page_size)?;
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

impl crate::vault::Vault {
    /// Where this vault's key slots are in its file (`destroy_key_slots_at`).
    pub fn erase_layout(&self) -> Option<EraseLayout> {
        self.erase_layout
    }

    /// Closes the connection to the file for an erase (after `destroy_key_slots`), and
    /// drops the keys: no checkpoint on close, which would copy the log's frames (some
    /// zeroed by the erase) over the file's first page and delete the log unerased. An
    /// empty connection in memory takes its place, so every later call fails instead of
    /// reading a file being overwritten.
    pub fn close_for_erase(&mut self) -> Result<()> {
        self.keys = None;
        self.forget_header_slots();
        let empty = rusqlite::Connection::open_in_memory()?;
        let old = std::mem::replace(&mut self.db, empty);
        old.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        old.close().map_err(|(_, e)| Error::from(e))
    }

    /// After an erase: the key slots read at open are dropped from memory too.
    pub(crate) fn forget_header_slots(&mut self) {
        use zeroize::Zeroize;
        // Zeroes the bytes and leaves the slots empty.
        self.header.pass_slot.zeroize();
        self.header.recovery_slot.zeroize();
    }
}
