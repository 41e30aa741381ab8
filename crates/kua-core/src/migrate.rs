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
    let sealed: Vec<u8> = db
        .query_row(
            "SELECT body FROM secret WHERE name = ?1",
            params![SIGNING_KEY],
            |r| r.get(0),
        )
        .map_err(|_| Error::integrity(place))?;
    let plain = if header.format >= 2 {
        crate::secret::open_row(&sub.secrets, &header.vault_id, SIGNING_KEY, &sealed)?.0
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

/// Brings an unlocked format-1 vault to the current format, in one transaction.
///
/// A vault that was migrated once is never migrated again: a header rewritten to say
/// format 1 (with its MAC removed, and settings put back from a format-1 copy) would
/// otherwise have those old settings sealed and logged as current. The custody log,
/// which cannot be rewritten without the vault key, says whether it happened.
pub(crate) fn upgrade(vault: &mut Vault) -> Result<()> {
    let from = vault.header.format;
    let mut header = vault.header.clone();
    header.format = FORMAT;
    let mut ctx = vault.ctx()?;
    let (entries, _) = crate::custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, None)?;
    if entries.iter().any(|e| e.event == Event::FormatUpgraded) {
        return Err(Error::HeaderDamaged { part: "format" });
    }
    header.mac = crate::header::mac(&ctx.keys.sub.header, &header);
    ctx.transaction(|ctx, tx, tail| {
        if !store::has_column(tx, "header", "mac")? {
            tx.execute_batch("ALTER TABLE header ADD COLUMN mac BLOB")?;
        }
        let rows: Vec<(String, Vec<u8>)> = tx
            .prepare("SELECT name, body FROM secret ORDER BY name")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, sealed) in rows {
            let aad = crate::secret::aad_v1(&ctx.vault, &name);
            // The signing key was sealed unpadded in format 1; everything else padded.
            // A row that does not open is left as it is: verify names it, and the rest
            // of the vault stays usable, as it was in format 1.
            let value: Option<Zeroizing<Vec<u8>>> = if name == SIGNING_KEY {
                crate::crypto::open(&ctx.keys.sub.secrets, &sealed, &aad, &name).ok()
            } else {
                open_padded(&ctx.keys.sub.secrets, &sealed, &aad, &name).ok()
            };
            if let Some(value) = value {
                let state = ctx.put_secret(tx, &name, &value, 1)?;
                ctx.log(tx, tail, Event::SettingChanged, state.change(Some(name)))?;
            }
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
