//! Vault secrets and settings: small named values sealed under the secrets subkey with
//! AAD (vault, "secret", name): the device signing key, the age identity, the address
//! book, what is known of each sender.

use crate::crypto::{open_padded, seal_padded, Aad};
use crate::error::{Error, Result};
use crate::vault::Ctx;
use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

fn aad(vault: &uuid::Uuid, name: &str) -> Aad {
    Aad::new(vault, "secret").with(name.as_bytes())
}

impl Ctx<'_> {
    pub(crate) fn read_secret(&self, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let sealed: Option<Vec<u8>> = self
            .db
            .query_row(
                "SELECT body FROM secret WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        sealed
            .map(|s| open_padded(&self.keys.sub.secrets, &s, &aad(&self.vault, name), name))
            .transpose()
    }

    pub(crate) fn write_secret(&mut self, tx: &Connection, name: &str, value: &[u8]) -> Result<()> {
        let sealed = seal_padded(
            self.seams,
            &self.keys.sub.secrets,
            value,
            &aad(&self.vault, name),
        )?;
        tx.execute(
            "INSERT INTO secret (name, body) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            params![name, sealed],
        )?;
        Ok(())
    }

    /// A JSON setting, or its default when not set yet.
    pub(crate) fn read_setting<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T> {
        match self.read_secret(name)? {
            None => Ok(T::default()),
            Some(bytes) => {
                serde_json::from_slice(&bytes).map_err(|_| Error::integrity(name.to_string()))
            }
        }
    }
}
