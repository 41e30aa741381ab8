//! The coalition's linkage secret: the key of the match keys a redacted record carries.
//!
//! Match keys (`matchkeys`) let a coordinator tell that two redacted spellings of one
//! name are probably one person. Whoever holds their key can read the name back from
//! them (by testing each bigram's positions), so the key must be one the coordinator
//! does not hold: a secret the coalition's interviewers share among themselves, created
//! in one vault (`create_linkage_secret`), passed on by hand (read out, or on paper),
//! and entered in the others (`set_linkage_secret`). A vault without it sends no match
//! keys. docs/bundle-format.md ("Match keys") gives the threat analysis.
//!
//! The secret is a sealed setting (`linkage_secret`), logged like every setting, so a
//! secret put back from an older copy of the vault is refused. Its text form carries a
//! check, so a mistyped secret is refused rather than silently keying filters nobody
//! else can compare with.

use crate::crypto::Key;
use crate::custody::Event;
use crate::error::{Error, Result};
use crate::vault::Vault;
use secrecy::SecretString;
use sha2::Digest;
use zeroize::Zeroizing;

const SETTING: &str = "linkage_secret";
/// Bytes of check appended to the 32-byte secret in its text form: 35 bytes are 56
/// base32 letters, 14 groups of 4.
const CHECK: usize = 3;

/// The coalition's linkage secret.
pub struct LinkageSecret(Key);

impl LinkageSecret {
    /// The key match keys are made under.
    pub(crate) fn key(&self) -> &Key {
        &self.0
    }

    /// The secret's fingerprint, for two interviewers to check that they entered the
    /// same secret without reading it out. (Match keys carry another id, that of the key
    /// derived for their recipients: `matchkeys::recipient_key`.)
    pub fn key_id(&self) -> String {
        crate::crypto::hex(&self.0.mac(b"kua linkage secret id"))[..16].to_string()
    }

    /// The key match keys sent to `recipients` are made under.
    pub(crate) fn for_recipients(&self, recipients: &[String]) -> Option<Key> {
        crate::matchkeys::recipient_key(&self.0, recipients)
    }

    fn check(bytes: &[u8]) -> [u8; CHECK] {
        let digest = sha2::Sha256::digest([b"kua linkage secret v1".as_slice(), bytes].concat());
        let mut out = [0u8; CHECK];
        out.copy_from_slice(&digest[..CHECK]);
        out
    }

    /// The text form: 56 letters and digits in groups of four.
    pub fn display(&self) -> SecretString {
        let mut bytes = Zeroizing::new(Vec::with_capacity(32 + CHECK));
        bytes.extend_from_slice(self.0.expose());
        bytes.extend_from_slice(&Self::check(self.0.expose()));
        crate::crypto::base32_grouped(&bytes)
    }

    /// Parses the text form, as a recovery key is parsed.
    pub fn parse(typed: &str) -> Result<Self> {
        let cleaned = crate::crypto::base32_typed(typed);
        let bytes = Zeroizing::new(
            data_encoding::BASE32_NOPAD
                .decode(cleaned.as_bytes())
                .map_err(|_| bad_secret())?,
        );
        if bytes.len() != 32 + CHECK {
            return Err(bad_secret());
        }
        let (secret, check) = bytes.split_at(32);
        if check != Self::check(secret) {
            return Err(Error::LinkageSecretInvalid(
                "that linkage secret has a typing mistake (its check does not match); compare it letter by letter with the one you were given".into(),
            ));
        }
        Key::from_slice(secret).map(Self).ok_or_else(bad_secret)
    }
}

impl std::fmt::Debug for LinkageSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkageSecret(..)")
    }
}

fn bad_secret() -> Error {
    Error::LinkageSecretInvalid(
        "that is not a linkage secret: it has 56 letters and digits in 14 groups of 4 (ABCD-EFGH-…)"
            .into(),
    )
}

impl crate::vault::Ctx<'_> {
    /// The vault's linkage secret, if it has one.
    pub(crate) fn linkage_secret(&self) -> Result<Option<LinkageSecret>> {
        let Some(bytes) = self.read_secret(SETTING)? else {
            return Ok(None);
        };
        // An empty row is a secret forgotten.
        if bytes.is_empty() {
            return Ok(None);
        }
        Key::from_slice(&bytes)
            .map(|k| Some(LinkageSecret(k)))
            .ok_or_else(|| Error::integrity(SETTING))
    }
}

impl Vault {
    /// The vault's linkage secret, if it has one.
    pub fn linkage_secret(&mut self) -> Result<Option<LinkageSecret>> {
        self.ctx()?.linkage_secret()
    }

    /// Creates a new linkage secret for a coalition, to be given to its other
    /// interviewers. Refused when the vault already has one: replacing it would make
    /// this vault's match keys incomparable with the rest of the coalition's.
    pub fn create_linkage_secret(&mut self) -> Result<LinkageSecret> {
        self.refuse_replacing()?;
        let secret = {
            let ctx = self.ctx()?;
            LinkageSecret(Key::random(ctx.seams))
        };
        self.store_linkage_secret(secret.0.expose())?;
        Ok(secret)
    }

    /// Enters the linkage secret another interviewer of the coalition created.
    pub fn set_linkage_secret(&mut self, secret: &LinkageSecret) -> Result<()> {
        self.refuse_replacing()?;
        self.store_linkage_secret(secret.0.expose())
    }

    /// Forgets the linkage secret: bundles from now on carry no match keys. Nothing
    /// already sent changes.
    pub fn forget_linkage_secret(&mut self) -> Result<()> {
        if self.linkage_secret()?.is_none() {
            return Err(Error::BadInput("this vault has no linkage secret".into()));
        }
        self.store_linkage_secret(&[])
    }

    fn refuse_replacing(&mut self) -> Result<()> {
        if self.linkage_secret()?.is_some() {
            return Err(Error::LinkageSecretExists);
        }
        Ok(())
    }

    fn store_linkage_secret(&mut self, bytes: &[u8]) -> Result<()> {
        let mut ctx = self.ctx()?;
        ctx.transaction(|ctx, tx, tail| {
            let state = ctx.write_secret(tx, SETTING, bytes)?;
            ctx.log(
                tx,
                tail,
                Event::SettingChanged,
                state.change(Some(SETTING.into())),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_round_trips_and_catches_typos() {
        let secret = LinkageSecret(Key::from_slice(&[42; 32]).unwrap());
        let text = secret.display();
        use secrecy::ExposeSecret;
        let shown = text.expose_secret().to_string();
        assert_eq!(shown.len(), 56 + 13);
        let back = LinkageSecret::parse(&shown.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(back.0.expose(), secret.0.expose());
        assert_eq!(back.key_id(), secret.key_id());
        // One letter changed: the check catches it.
        let mut typo: Vec<char> = shown.chars().collect();
        typo[5] = if typo[5] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert!(
            matches!(LinkageSecret::parse(&typo), Err(Error::LinkageSecretInvalid(m)) if m.contains("typing mistake"))
        );
        assert!(LinkageSecret::parse("ABCD-EFGH").is_err());
    }
}
