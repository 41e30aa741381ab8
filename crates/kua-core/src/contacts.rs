//! The address book: recipients bundles are sent to, and senders whose bundles are
//! trusted. Both are sealed settings; every change is logged.

use crate::custody::Event;
use crate::error::{Error, Result};
use crate::identity::fingerprint;
use crate::vault::{Ctx, Vault};
use kua_bundle::{age, minisign};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub(crate) const RECIPIENTS: &str = "recipients";
pub(crate) const TRUSTED: &str = "trusted-senders";

/// Someone bundles are encrypted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Recipient {
    pub name: String,
    /// `age1…`
    pub age: String,
    /// A lawyer or court: consent scope `legal` applies instead of `coalition`.
    #[serde(default)]
    pub legal: bool,
}

/// A device whose bundles this vault accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrustedSender {
    pub name: String,
    /// Minisign public key line.
    pub public_key: String,
    pub key_id: String,
    pub fingerprint: String,
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.starts_with("age1") {
        return Err(Error::BadInput(
            "give the entry a name (not an age1… key)".into(),
        ));
    }
    Ok(())
}

impl Ctx<'_> {
    pub(crate) fn recipients(&self) -> Result<Vec<Recipient>> {
        self.read_setting(RECIPIENTS)
    }

    pub(crate) fn trusted(&self) -> Result<Vec<TrustedSender>> {
        self.read_setting(TRUSTED)
    }

    /// Stores a changed list and logs it, in one transaction.
    pub(crate) fn store_list<T: Serialize>(
        &mut self,
        name: &str,
        list: &[T],
        event: Event,
        detail: &str,
    ) -> Result<()> {
        let bytes = serde_json::to_vec(list).map_err(|e| Error::Storage(e.to_string()))?;
        self.transaction(|ctx, tx, tail| {
            let state = ctx.write_secret(tx, name, &bytes)?;
            ctx.log(tx, tail, event, state.change(Some(detail.to_string())))
        })
    }
}

impl Ctx<'_> {
    /// Trusts a sender inside the caller's transaction (an import with --trust-new).
    pub(crate) fn trust_within(
        &mut self,
        tx: &rusqlite::Connection,
        tail: &mut crate::custody::Tail,
        key: &ed25519_dalek::VerifyingKey,
    ) -> Result<String> {
        let mut list = self.trusted()?;
        let name = format!("sender-{}", minisign::key_id_hex(key));
        list.push(TrustedSender {
            name: name.clone(),
            public_key: minisign::public_key_line(key),
            key_id: minisign::key_id_hex(key),
            fingerprint: fingerprint(key),
        });
        let bytes = serde_json::to_vec(&list).map_err(|e| Error::Storage(e.to_string()))?;
        let state = self.write_secret(tx, TRUSTED, &bytes)?;
        self.log(
            tx,
            tail,
            Event::TrustChanged,
            state.change(Some(format!(
                "trusted {name} {} on import",
                fingerprint(key)
            ))),
        )?;
        Ok(name)
    }
}

impl Vault {
    pub fn recipients(&mut self) -> Result<Vec<Recipient>> {
        self.ctx()?.recipients()
    }

    pub fn add_recipient(&mut self, name: &str, age_key: &str, legal: bool) -> Result<Recipient> {
        check_name(name)?;
        age::x25519::Recipient::from_str(age_key.trim())
            .map_err(|_| Error::BadInput("that is not an age recipient (age1…)".into()))?;
        let mut ctx = self.ctx()?;
        let mut list = ctx.recipients()?;
        if list.iter().any(|r| r.name == name) {
            return Err(Error::BadInput(format!(
                "a recipient named {name} exists; remove it first"
            )));
        }
        let r = Recipient {
            name: name.into(),
            age: age_key.trim().into(),
            legal,
        };
        list.push(r.clone());
        ctx.store_list(
            RECIPIENTS,
            &list,
            Event::RecipientsChanged,
            &format!("added {name}"),
        )?;
        Ok(r)
    }

    pub fn remove_recipient(&mut self, name: &str) -> Result<()> {
        let mut ctx = self.ctx()?;
        let mut list = ctx.recipients()?;
        let before = list.len();
        list.retain(|r| r.name != name);
        if list.len() == before {
            return Err(Error::BadInput(format!("no recipient named {name}")));
        }
        ctx.store_list(
            RECIPIENTS,
            &list,
            Event::RecipientsChanged,
            &format!("removed {name}"),
        )
    }

    pub fn trusted_senders(&mut self) -> Result<Vec<TrustedSender>> {
        self.ctx()?.trusted()
    }

    /// Trusts a sender's signing key, given as minisign writes it (line or file).
    pub fn trust(&mut self, name: &str, public_key: &str) -> Result<TrustedSender> {
        check_name(name)?;
        let key = minisign::parse_public_key(public_key)
            .map_err(|_| Error::BadInput("that is not a minisign public key".into()))?;
        let mut ctx = self.ctx()?;
        let mut list = ctx.trusted()?;
        let line = minisign::public_key_line(&key);
        if let Some(t) = list.iter().find(|t| t.name == name || t.public_key == line) {
            return Err(Error::BadInput(format!("already trusted as {}", t.name)));
        }
        let t = TrustedSender {
            name: name.into(),
            public_key: line,
            key_id: minisign::key_id_hex(&key),
            fingerprint: fingerprint(&key),
        };
        list.push(t.clone());
        ctx.store_list(
            TRUSTED,
            &list,
            Event::TrustChanged,
            &format!("trusted {name} {}", t.fingerprint),
        )?;
        Ok(t)
    }

    pub fn distrust(&mut self, name: &str) -> Result<()> {
        let mut ctx = self.ctx()?;
        let mut list = ctx.trusted()?;
        let before = list.len();
        list.retain(|t| t.name != name);
        if list.len() == before {
            return Err(Error::BadInput(format!("no trusted sender named {name}")));
        }
        ctx.store_list(
            TRUSTED,
            &list,
            Event::TrustChanged,
            &format!("removed {name}"),
        )
    }
}
