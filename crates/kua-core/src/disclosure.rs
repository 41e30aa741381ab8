//! Plaintext that leaves the vault for a court: the device key's signature on what is
//! written, and the custody entries that record where it went. The reports and packages
//! themselves are made by the `kua-report` crate; the vault only signs and logs, so that
//! nothing leaves without a line in the log.

use crate::catalog::parse_id;
use crate::custody::{Change, Event};
use crate::error::Result;
use crate::testimony::VersionBody;
use crate::vault::Vault;
use kua_bundle::minisign;

impl Vault {
    /// One version's stored body, whose canonical JSON (`VersionBody::canonical`) is
    /// what its content hash covers: a report embeds those bytes so that `sha256sum`
    /// of the embedded file gives the hash the custody log holds. The latest version
    /// when `version` is None.
    pub fn version_body(&mut self, id: &str, version: Option<u32>) -> Result<VersionBody> {
        let id = parse_id(id)?;
        let ctx = self.ctx()?;
        let head = match version {
            Some(v) => ctx.keys.catalog.version(&id, v)?,
            None => ctx.keys.catalog.latest(&id)?,
        };
        ctx.read_version(head)
    }

    /// A minisign signature of `message` by this vault's device key (the key that
    /// `kua identity --minisign-pub` shows), which stock `minisign -V` accepts. The
    /// trusted comment is signed too.
    pub fn sign_detached(&mut self, message: &[u8], trusted_comment: &str) -> Result<String> {
        let ctx = self.ctx()?;
        Ok(minisign::sign(&ctx.keys.signing, message, trusted_comment))
    }

    /// Logs that a report of `record` (a testimony or a case) at `version` was saved
    /// at `place`; `sha256` is the PDF's hash.
    pub fn log_report_saved(
        &mut self,
        record: &str,
        version: Option<u32>,
        sha256: &str,
        place: &str,
    ) -> Result<()> {
        let record = parse_id(record)?;
        self.ctx()?.log_now(
            Event::ReportSaved,
            Change {
                record: Some(record),
                version,
                content_hash: Some(sha256.to_string()),
                detail: Some(place.to_string()),
            },
        )
    }

    /// Logs, in one transaction, one `disclosed` entry for each (testimony, version) a
    /// package at `place` carries; `sums_sha256` is the hash of its `SHA256SUMS`.
    pub fn log_disclosed(
        &mut self,
        records: &[(String, u32)],
        sums_sha256: &str,
        place: &str,
    ) -> Result<()> {
        let ids = records
            .iter()
            .map(|(id, v)| Ok((parse_id(id)?, *v)))
            .collect::<Result<Vec<_>>>()?;
        self.ctx()?.transaction(|ctx, tx, tail| {
            for (id, version) in &ids {
                ctx.log(
                    tx,
                    tail,
                    Event::Disclosed,
                    Change {
                        record: Some(*id),
                        version: Some(*version),
                        content_hash: Some(sums_sha256.to_string()),
                        detail: Some(place.to_string()),
                    },
                )?;
            }
            Ok(())
        })
    }
}
