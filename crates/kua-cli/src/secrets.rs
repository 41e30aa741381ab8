//! Getting secrets from the user: a no-echo prompt, a file, or the environment. Secrets
//! stay in zeroizing types and are never echoed or logged.

use anyhow::{bail, Context, Result};
use secrecy::{ExposeSecret, SecretString};
use std::io::IsTerminal;
use std::path::Path;
use zeroize::Zeroizing;

/// Reads a secret from a file, dropping one trailing newline.
pub fn from_file(path: &Path) -> Result<SecretString> {
    let raw = Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
    );
    let trimmed = raw.strip_suffix('\n').unwrap_or(&raw);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    Ok(SecretString::from(trimmed.to_string()))
}

fn prompt(label: &str) -> Result<SecretString> {
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: give --passphrase-file or KUA_PASSPHRASE, or run in a terminal");
    }
    typed(label)
}

/// A secret typed at the terminal, not echoed.
pub fn typed(label: &str) -> Result<SecretString> {
    if !std::io::stdin().is_terminal() {
        bail!("nothing typed: give the file option, or run in a terminal");
    }
    let typed = rpassword::prompt_password(label).context("cannot read from the terminal")?;
    Ok(SecretString::from(typed))
}

/// The passphrase of an existing vault.
pub fn passphrase(file: Option<&Path>) -> Result<SecretString> {
    if let Some(f) = file {
        return from_file(f);
    }
    if let Ok(p) = std::env::var("KUA_PASSPHRASE") {
        return Ok(SecretString::from(p));
    }
    prompt("Passphrase: ")
}

/// A new passphrase: from a file, the environment (init only), or typed twice.
pub fn new_passphrase(file: Option<&Path>, env: bool, weak_ok: bool) -> Result<SecretString> {
    let pass = if let Some(f) = file {
        from_file(f)?
    } else if let (true, Ok(p)) = (env, std::env::var("KUA_PASSPHRASE")) {
        SecretString::from(p)
    } else {
        let first = prompt("New passphrase: ")?;
        let second = prompt("Repeat it: ")?;
        if first.expose_secret() != second.expose_secret() {
            bail!("the two passphrases differ; nothing was changed");
        }
        first
    };
    let len = pass.expose_secret().chars().count();
    if !weak_ok && len < 10 {
        bail!("the passphrase has {len} characters; use at least 10 (several words are easiest to remember)");
    }
    Ok(pass)
}

/// The recovery key, from a file or typed.
pub fn recovery_key(file: Option<&Path>) -> Result<kua_core::RecoveryKey> {
    let typed = match file {
        Some(f) => from_file(f)?,
        None => prompt("Recovery key: ")?,
    };
    Ok(kua_core::RecoveryKey::parse(typed.expose_secret())?)
}
