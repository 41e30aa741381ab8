//! Encrypted records: a row with a *head* and a *body*.
//!
//! The head is `seal(wrap subkey, record key || record id || version || parent, AAD =
//! (vault, "head", table, row id))`: a fixed-size blob that gives the record its identity
//! and its own random key. The body is `seal_padded(record key, content, AAD = (vault,
//! "body", table, record id, version))`. Unlock unwraps only heads (small, fast); bodies
//! are opened on demand. Crypto-erase deletes the head, and with it the only copy of the
//! record key.

use crate::crypto::{open_padded, seal, seal_padded, Aad, Key, Subkeys};
use crate::error::{Error, Result};
use crate::seams::Seams;
use crate::store::Table;
use rusqlite::{params, Connection};
use uuid::Uuid;
use zeroize::Zeroizing;

mod region;
pub(crate) use region::RowRegion;

/// The identity of one stored record, known after its head is unwrapped.
#[derive(Debug)]
pub struct Head {
    pub row: Uuid,
    pub key: Key,
    pub id: Uuid,
    pub version: u32,
    /// The testimony an attachment or consent belongs to; nil for testimonies.
    pub parent: Uuid,
}

const HEAD_LEN: usize = 32 + 16 + 4 + 16;

fn head_aad(vault: &Uuid, table: Table, row: &Uuid) -> Aad {
    Aad::new(vault, "head")
        .with(table.name().as_bytes())
        .with(row.as_bytes())
}

pub fn body_aad(vault: &Uuid, table: Table, id: &Uuid, version: u32) -> Aad {
    Aad::new(vault, "body")
        .with(table.name().as_bytes())
        .with(id.as_bytes())
        .with_u64(u64::from(version))
}

impl Head {
    pub fn new(seams: &mut Seams, id: Uuid, version: u32, parent: Uuid) -> Head {
        Head {
            row: seams.uuid(),
            key: Key::random(seams),
            id,
            version,
            parent,
        }
    }

    /// Seals a body for this record, bound to its table, id and version.
    fn seal_body(
        &self,
        seams: &mut Seams,
        vault: &Uuid,
        table: Table,
        content: &[u8],
    ) -> Result<Vec<u8>> {
        seal_padded(
            seams,
            &self.key,
            content,
            &body_aad(vault, table, &self.id, self.version),
        )
    }

    fn seal(
        &self,
        seams: &mut Seams,
        vault: &Uuid,
        sub: &Subkeys,
        table: Table,
    ) -> Result<Vec<u8>> {
        let mut plain = Zeroizing::new(Vec::with_capacity(HEAD_LEN));
        plain.extend_from_slice(self.key.expose());
        plain.extend_from_slice(self.id.as_bytes());
        plain.extend_from_slice(&self.version.to_be_bytes());
        plain.extend_from_slice(self.parent.as_bytes());
        seal(seams, &sub.wrap, &plain, &head_aad(vault, table, &self.row))
    }

    fn open(vault: &Uuid, sub: &Subkeys, table: Table, row: Uuid, sealed: &[u8]) -> Result<Head> {
        // Named only when it fails: an unlock opens every head.
        let place = || format!("{} row {row} (head)", table.name());
        let plain =
            crate::crypto::open_raw(&sub.wrap, sealed, head_aad(vault, table, &row).bytes())
                .ok_or_else(|| Error::integrity(place()))?;
        if plain.len() != HEAD_LEN {
            return Err(Error::integrity(place()));
        }
        let key = Key::from_slice(&plain[..32]).ok_or_else(|| Error::integrity(place()))?;
        let uuid_at = |at: usize| {
            let mut b = [0u8; 16];
            b.copy_from_slice(&plain[at..at + 16]);
            Uuid::from_bytes(b)
        };
        let mut v = [0u8; 4];
        v.copy_from_slice(&plain[48..52]);
        Ok(Head {
            row,
            key,
            id: uuid_at(32),
            version: u32::from_be_bytes(v),
            parent: uuid_at(52),
        })
    }
}

/// Reads and unwraps every head of `table`. Heads that do not open are returned as the
/// names of their rows, so one damaged row never makes the whole vault unreadable.
///
/// This is most of an unlock's work past the key derivation (a coordinator's vault
/// holds a hundred thousand received records), so the heads are unwrapped on other
/// threads, batch by batch, while this one reads the table; the result is in the
/// table's order all the same.
pub fn load_heads(
    db: &Connection,
    vault: &Uuid,
    sub: &Subkeys,
    table: Table,
) -> Result<(Vec<Head>, Vec<String>)> {
    type Batch = (usize, Vec<(String, Vec<u8>)>);
    const BATCH: usize = 2048;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(workers * 2);
    let receive = std::sync::Mutex::new(receive);
    let open_batch = |rows: Vec<(String, Vec<u8>)>| {
        let mut heads = Vec::with_capacity(rows.len());
        let mut damaged = Vec::new();
        for (row_id, sealed) in rows {
            match Uuid::parse_str(&row_id) {
                Ok(row) => match Head::open(vault, sub, table, row, &sealed) {
                    Ok(head) => heads.push(head),
                    Err(_) => damaged.push(format!("{} row {row}", table.name())),
                },
                Err(_) => damaged.push(format!("{} row {row_id:?}", table.name())),
            }
        }
        (heads, damaged)
    };
    let (read, mut opened) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        // A poisoned lock means another worker panicked; its batch is
                        // lost, and the join below reports the panic.
                        let next = match receive.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok((n, rows)) = next else { break };
                        out.push((n, open_batch(rows)));
                    }
                    out
                })
            })
            .collect();
        let read = (|| -> Result<()> {
            let mut stmt = db.prepare(&format!("SELECT id, head FROM {}", table.name()))?;
            let mut rows = stmt.query([])?;
            let (mut n, mut batch) = (0, Vec::with_capacity(BATCH));
            while let Some(row) = rows.next()? {
                batch.push((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?));
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if send.send((n, full)).is_err() {
                        break;
                    }
                    n += 1;
                }
            }
            if !batch.is_empty() {
                let _ = send.send((n, batch));
            }
            Ok(())
        })();
        drop(send);
        let mut opened = Vec::new();
        let mut lost = false;
        for handle in handles {
            match handle.join() {
                Ok(batches) => opened.extend(batches),
                Err(_) => lost = true,
            }
        }
        (
            read.and(if lost {
                Err(Error::Storage(format!(
                    "reading the {} table stopped: a thread unwrapping its rows failed",
                    table.name()
                )))
            } else {
                Ok(())
            }),
            opened,
        )
    });
    read?;
    opened.sort_by_key(|(n, _)| *n);
    let mut heads = Vec::new();
    let mut damaged = Vec::new();
    for (_, (h, d)) in opened {
        heads.extend(h);
        damaged.extend(d);
    }
    Ok((heads, damaged))
}

/// Inserts a new record row. The rowid is random so row order tells nothing.
pub fn insert(
    db: &Connection,
    seams: &mut Seams,
    vault: &Uuid,
    sub: &Subkeys,
    table: Table,
    head: &Head,
    content: &[u8],
) -> Result<()> {
    insert_with(db, seams, (vault, sub), table, head, content, |seams| {
        Ok((u64::from_le_bytes(seams.bytes::<8>()) >> 1) as i64)
    })
}

/// Inserts a new record row at the row id `rowid` draws once the row is sealed (a
/// random one, or one of an import's `RowRegion`).
pub(crate) fn insert_with(
    db: &Connection,
    seams: &mut Seams,
    (vault, sub): (&Uuid, &Subkeys),
    table: Table,
    head: &Head,
    content: &[u8],
    rowid: impl FnOnce(&mut Seams) -> Result<i64>,
) -> Result<()> {
    let sealed_head = head.seal(seams, vault, sub, table)?;
    let body = head.seal_body(seams, vault, table, content)?;
    let rowid = rowid(seams)?;
    db.prepare_cached(&format!(
        "INSERT INTO {} (rowid, id, head, body) VALUES (?1, ?2, ?3, ?4)",
        table.name()
    ))?
    .execute(params![rowid, head.row.to_string(), sealed_head, body])?;
    Ok(())
}

/// Replaces the body of an existing row (a draft being edited), under the same key.
pub fn update_body(
    db: &Connection,
    seams: &mut Seams,
    vault: &Uuid,
    table: Table,
    head: &Head,
    content: &[u8],
) -> Result<()> {
    let body = head.seal_body(seams, vault, table, content)?;
    let n = db
        .prepare_cached(&format!(
            "UPDATE {} SET body = ?1 WHERE id = ?2",
            table.name()
        ))?
        .execute(params![body, head.row.to_string()])?;
    if n != 1 {
        return Err(Error::integrity(format!(
            "{} row {} vanished",
            table.name(),
            head.row
        )));
    }
    Ok(())
}

/// Reads and opens a record's body.
pub fn read_body(
    db: &Connection,
    vault: &Uuid,
    table: Table,
    head: &Head,
) -> Result<Zeroizing<Vec<u8>>> {
    let sealed: Vec<u8> = db
        .prepare_cached(&format!("SELECT body FROM {} WHERE id = ?1", table.name()))?
        .query_row(params![head.row.to_string()], |r| r.get(0))
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                Error::integrity(format!("{} row {} missing", table.name(), head.row))
            }
            e => e.into(),
        })?;
    open_body(vault, table, head, &sealed)
}

/// Opens a body read from `head`'s row.
pub fn open_body(
    vault: &Uuid,
    table: Table,
    head: &Head,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let place = format!("{} {} version {}", table.name(), head.id, head.version);
    open_padded(
        &head.key,
        sealed,
        &body_aad(vault, table, &head.id, head.version),
        &place,
    )
}

/// The sealed bodies of the rows `wanted` names (row id → head), read in one pass over
/// the table: reading thousands of records one lookup at a time costs several times
/// more. Rows of `wanted` missing from the table are left out (the caller, which knows
/// what it asked for, reports them).
pub fn scan_bodies<'h>(
    db: &Connection,
    table: Table,
    wanted: &std::collections::HashMap<Uuid, &'h Head>,
) -> Result<Vec<(&'h Head, Vec<u8>)>> {
    let mut stmt = db.prepare(&format!("SELECT id, body FROM {}", table.name()))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::with_capacity(wanted.len());
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let Ok(id) = Uuid::parse_str(&id) else {
            continue;
        };
        if let Some(head) = wanted.get(&id) {
            out.push((*head, row.get(1)?));
        }
    }
    Ok(out)
}

/// Deletes a row; with `secure_delete` its pages are zeroed.
pub fn delete(db: &Connection, table: Table, row: &Uuid) -> Result<()> {
    db.execute(
        &format!("DELETE FROM {} WHERE id = ?1", table.name()),
        params![row.to_string()],
    )?;
    Ok(())
}

/// Seals every head of `table` again under a new wrap key (key rotation), and gives the
/// rows that `rekey` selects a fresh record key with their body sealed again under it.
/// Heads that do not open are left as they are (verify keeps naming them).
pub fn rewrap_table(
    tx: &Connection,
    seams: &mut Seams,
    vault: &Uuid,
    (old, new): (&Subkeys, &Subkeys),
    table: Table,
    rekey: &dyn Fn(&Head) -> bool,
) -> Result<()> {
    let (heads, _) = load_heads(tx, vault, old, table)?;
    for mut head in heads {
        if rekey(&head) {
            let content = read_body(tx, vault, table, &head)?;
            head.key = Key::random(seams);
            let body = head.seal_body(seams, vault, table, &content)?;
            tx.execute(
                &format!("UPDATE {} SET body = ?1 WHERE id = ?2", table.name()),
                params![body, head.row.to_string()],
            )?;
        }
        let sealed = head.seal(seams, vault, new, table)?;
        tx.execute(
            &format!("UPDATE {} SET head = ?1 WHERE id = ?2", table.name()),
            params![sealed, head.row.to_string()],
        )?;
    }
    Ok(())
}
