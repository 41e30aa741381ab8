//! Migration of a format-1 vault to format 2, at its first unlock by this build.
//!
//! What changes: the header gains its MAC (header.rs); every row of the `secret` table
//! is sealed again at revision 1 under the revision-binding AAD, and its state logged
//! (secret.rs). Nothing else is rewritten: records, the log and format-1 attachment
//! chunks stay as they are and stay readable, so nothing sealed is lost or re-dated.
//! The whole migration is one transaction: a crash leaves the vault in format 1, and
//! the next unlock migrates it again.

use crate::crypto::{open_padded, Key, Subkeys};
use crate::custody::{Change, Event};
use crate::error::{Error, Result};
use crate::store::{self, Header, FORMAT};
use crate::vault::{Vault, SIGNING_KEY};
use rusqlite::{params, Connection};
use zeroize::Zeroizing;

/// The device signing key's seed, read as the vault's format stores it.
pub(crate) fn read_signing_key(db: &Connection, header: &Header, sub: &Subkeys) -> Result<Key> {
    let place = "the device signing key";
    let (sealed, rev): (Vec<u8>, u32) = if header.format >= 2 {
        db.query_row(
            "SELECT body, rev FROM secret WHERE name = ?1",
            params![SIGNING_KEY],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    } else {
        db.query_row(
            "SELECT body FROM secret WHERE name = ?1",
            params![SIGNING_KEY],
            |r| Ok((r.get(0)?, 0)),
        )
    }
    .map_err(|_| Error::integrity(place))?;
    let plain = if header.format >= 2 {
        open_padded(
            &sub.secrets,
            &sealed,
            &crate::secret::aad(&header.vault_id, SIGNING_KEY, rev),
            place,
        )?
    } else {
        crate::crypto::open(
            &sub.secrets,
            &sealed,
            &crate::secret::aad_v1(&header.vault_id, SIGNING_KEY),
            place,
        )?
    };
    Key::from_slice(&plain).ok_or_else(|| Error::integrity(place))
}

fn has_column(db: &Connection, table: &str, column: &str) -> Result<bool> {
    let n: i64 = db.query_row(
        "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
        params![table, column],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Brings an unlocked format-1 vault to the current format, in one transaction.
pub(crate) fn upgrade(vault: &mut Vault) -> Result<()> {
    let from = vault.header.format;
    let mut header = vault.header.clone();
    header.format = FORMAT;
    let mut ctx = vault.ctx()?;
    header.mac = crate::header::mac(&ctx.keys.sub.header, &header);
    ctx.transaction(|ctx, tx, tail| {
        if !has_column(tx, "header", "mac")? {
            tx.execute_batch("ALTER TABLE header ADD COLUMN mac BLOB")?;
        }
        if !has_column(tx, "secret", "rev")? {
            tx.execute_batch("ALTER TABLE secret ADD COLUMN rev INTEGER NOT NULL DEFAULT 0")?;
        }
        let rows: Vec<(String, Vec<u8>)> = tx
            .prepare("SELECT name, body FROM secret WHERE rev = 0 ORDER BY name")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, sealed) in rows {
            let aad = crate::secret::aad_v1(&ctx.vault, &name);
            // The signing key was sealed unpadded in format 1; everything else padded.
            let value: Zeroizing<Vec<u8>> = if name == SIGNING_KEY {
                crate::crypto::open(&ctx.keys.sub.secrets, &sealed, &aad, &name)?
            } else {
                open_padded(&ctx.keys.sub.secrets, &sealed, &aad, &name)?
            };
            let state = ctx.put_secret(tx, &name, &value, 1)?;
            ctx.log(tx, tail, Event::SettingChanged, state.change(Some(name)))?;
        }
        store::write_header(tx, &header, false)?;
        ctx.log(
            tx,
            tail,
            Event::FormatUpgraded,
            Change {
                detail: Some(format!("format {from} to {FORMAT}")),
                ..Change::default()
            },
        )
    })?;
    vault.header = header;
    Ok(())
}
