//! A disclosure package: a directory a court that cannot open age files checks with
//! `sha256sum -c` and `minisign -V` alone. For each testimony: its report (and the
//! report's signature), its sealed record as the exact bytes its content hash covers,
//! its custody entries, and its sealed attachments as the original files. Beside them
//! the vault's public key, a README in the report's language, `SHA256SUMS` of every
//! file and the device key's signature of `SHA256SUMS`.
//!
//! Invariants: nothing is written unless every testimony named may go (sealed, consent
//! covering `legal`, not withdrawn, and an anonymous one only as a full disclosure); a
//! package that fails midway is removed; each testimony is logged `disclosed` only
//! after the whole package is written.

use crate::error::{Error, Result};
use crate::labels::Labels;
use crate::{Options, Report};
use chrono::{DateTime, Utc};
use kua_core::model::ConsentScope;
use kua_core::{Silent, Vault};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DiscloseOptions {
    pub lang: String,
    /// Anonymous testimonies go only when this is set: their sealed records name the
    /// person (their consent must also cover `legal`).
    pub full: bool,
    pub made_at: DateTime<Utc>,
    /// The user confirmed that the testimonies leave the vault in plaintext.
    pub confirmed: bool,
}

/// What a package holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub dir: PathBuf,
    /// (testimony, sealed version) of each testimony in the package.
    pub testimonies: Vec<(String, u32)>,
    /// Files listed in `SHA256SUMS`.
    pub files: usize,
    /// SHA-256 of `SHA256SUMS`, as logged.
    pub sums_sha256: String,
}

/// Writes the package of `ids` into `dir` (which must be absent or empty).
pub fn disclose(
    vault: &mut Vault,
    ids: &[String],
    options: &DiscloseOptions,
    dir: &Path,
) -> Result<Disclosure> {
    let labels = Labels::new(&options.lang)?;
    if ids.is_empty() {
        return Err(Error::NothingToDisclose);
    }
    if !options.confirmed {
        return Err(Error::NotConfirmed);
    }
    // Every testimony is checked, and every report made in memory, before anything is
    // written. Each goes at its latest sealed version, and is judged by that version:
    // an amendment still in draft is not disclosed, and neither is its consent read.
    let verification = vault.verify_quietly()?;
    let mut reports: Vec<Report> = Vec::new();
    for id in ids {
        let version = crate::testimony::latest_sealed(vault, id)?;
        let t = vault.show(id, Some(version))?;
        if reports.iter().any(|r| r.record == t.id) {
            continue; // Named twice: disclosed once.
        }
        let consent = t.consent.as_ref();
        if consent.is_some_and(|c| c.is_withdrawn()) {
            return Err(Error::ConsentWithdrawn(t.id));
        }
        if !consent.is_some_and(|c| c.allows(ConsentScope::Legal)) {
            return Err(Error::NoLegalConsent(t.id));
        }
        if crate::testimony::anonymous(&t) && !options.full {
            return Err(Error::AnonymousNeedsFull(t.id));
        }
        let report = crate::testimony::testimony_verified(
            vault,
            &t.id,
            &Options {
                lang: options.lang.clone(),
                version: Some(version),
                full: options.full,
                made_at: options.made_at,
            },
            &verification,
        )?;
        reports.push(report);
    }
    let created = prepare(dir)?;
    match write(vault, &reports, labels, dir) {
        Ok(d) => Ok(d),
        Err(e) => {
            // No partial package: what was written goes, and the directory too when
            // this call created it.
            if created {
                let _ = std::fs::remove_dir_all(dir);
            } else if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let _ = std::fs::remove_dir_all(entry.path())
                        .or_else(|_| std::fs::remove_file(entry.path()));
                }
            }
            Err(e)
        }
    }
}

/// Makes sure `dir` exists, is empty and is the owner's only; true when created here.
/// An existing directory is taken only if it is a real directory (not a link) that no
/// other account may write in: a package is plaintext, and a directory another account
/// controls could have its contents swapped or read while it is written.
fn prepare(dir: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| kua_core::Error::io(parent, e))?;
            }
            std::fs::create_dir(dir).map_err(|e| kua_core::Error::io(dir, e))?;
            kua_core::owner_only_dir(dir);
            Ok(true)
        }
        Err(e) => Err(kua_core::Error::io(dir, e).into()),
        Ok(meta) => {
            use std::os::unix::fs::PermissionsExt;
            let not_empty = std::fs::read_dir(dir)
                .map_err(|e| kua_core::Error::io(dir, e))?
                .next()
                .is_some();
            if !meta.is_dir() || not_empty || meta.permissions().mode() & 0o022 != 0 {
                return Err(Error::TargetNotEmpty(dir.display().to_string()));
            }
            kua_core::owner_only_dir(dir);
            Ok(false)
        }
    }
}

fn write(vault: &mut Vault, reports: &[Report], labels: Labels, dir: &Path) -> Result<Disclosure> {
    let mut sums: Vec<(String, String)> = Vec::new();
    let put = |sums: &mut Vec<(String, String)>, rel: String, bytes: &[u8]| -> Result<()> {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| kua_core::Error::io(parent, e))?;
        }
        kua_core::save_file(&path, bytes)?;
        sums.push((crate::hex(&Sha256::digest(bytes)), rel));
        Ok(())
    };
    let mut testimonies = Vec::new();
    for r in reports {
        let version = r.version.unwrap_or(1);
        let base = format!("{}-v{}", r.record, version);
        put(&mut sums, format!("{base}/report.pdf"), &r.pdf)?;
        put(
            &mut sums,
            format!("{base}/report.pdf.minisig"),
            r.minisig.as_bytes(),
        )?;
        let body = vault.version_body(&r.record, Some(version))?;
        put(&mut sums, format!("{base}/record.json"), &body.canonical())?;
        let history = crate::common::history(vault, &r.record)?;
        put(
            &mut sums,
            format!("{base}/custody.json"),
            &crate::common::to_json(&history)?,
        )?;
        let t = vault.show(&r.record, Some(version))?;
        for (i, a) in t.attachments.iter().filter(|a| a.sealed).enumerate() {
            let rel = format!("{base}/attachments/{:02}-{}", i + 1, safe_name(&a.name));
            let path = dir.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| kua_core::Error::io(parent, e))?;
            }
            // Streamed out and checked against the evidence hash on the way.
            let info = vault.extract_to_file(&r.record, &a.id, &path, &mut Silent)?;
            sums.push((info.sha256, rel));
        }
        testimonies.push((r.record.clone(), version));
    }
    let public_key = vault.minisign_public_key_file()?;
    put(&mut sums, "kua.pub".into(), public_key.as_bytes())?;
    put(
        &mut sums,
        "README.txt".into(),
        readme(labels, &testimonies, &public_key).as_bytes(),
    )?;
    sums.sort_by(|a, b| a.1.cmp(&b.1));
    let files = sums.len();
    let text: String = sums
        .iter()
        .map(|(hash, rel)| format!("{hash}  {rel}\n"))
        .collect();
    let sums_sha256 = crate::hex(&Sha256::digest(text.as_bytes()));
    kua_core::save_file(&dir.join("SHA256SUMS"), text.as_bytes())?;
    let signature = vault.sign_detached(
        text.as_bytes(),
        &format!("kua disclosure package SHA256SUMS sha256 {sums_sha256}"),
    )?;
    kua_core::save_file(&dir.join("SHA256SUMS.minisig"), signature.as_bytes())?;
    vault.log_disclosed(&testimonies, &sums_sha256, &dir.display().to_string())?;
    Ok(Disclosure {
        dir: dir.to_path_buf(),
        testimonies,
        files,
        sums_sha256,
    })
}

/// A file name that `sha256sum -c` reads back as written, that stays inside its
/// directory, and that FAT, exFAT and NTFS sticks accept: no separators, no control or
/// bidirectional-override characters (which can disguise an extension), none of
/// `:*?"<>|` or backslash (which `sha256sum` would escape), no leading or trailing dot
/// or space, at most 200 bytes (with the `NN-` prefix, under every file system's 255).
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut out = String::new();
    for c in cleaned
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .chars()
    {
        if out.len() + c.len_utf8() > 200 {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if out.is_empty() {
        "file".into()
    } else {
        out.to_string()
    }
}

fn readme(labels: Labels, testimonies: &[(String, u32)], public_key: &str) -> String {
    let list: String = testimonies
        .iter()
        .map(|(id, v)| format!("  {id}-v{v}/\n"))
        .collect();
    format!(
        "{title}\n\n{intro}\n\n{list}\n{contents}\n\n{check}\n\n  sha256sum -c SHA256SUMS\n  minisign -Vm SHA256SUMS -p kua.pub\n  minisign -Vm {first}-v{first_v}/report.pdf -p kua.pub\n\n{key_title}\n\n{public_key}\n",
        title = labels.get("package_title"),
        intro = labels.get("package_intro"),
        contents = labels.get("package_contents"),
        check = labels.get("package_check"),
        first = testimonies.first().map(|t| t.0.as_str()).unwrap_or(""),
        first_v = testimonies.first().map(|t| t.1).unwrap_or(1),
        key_title = labels.get("public_key"),
    )
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn names_stay_inside_their_directory_and_read_back() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("фото\nлицо.jpg"), "фото_лицо.jpg");
        assert_eq!(safe_name("a\\b"), "a_b");
        assert_eq!(safe_name(".."), "file");
        assert_eq!(safe_name("Қарағанды.png"), "Қарағанды.png");
        assert_eq!(safe_name("фото\u{202e}gpj.exe"), "фото_gpj.exe");
        assert_eq!(safe_name("a:b?.jpg. "), "a_b_.jpg");
        let long = "ж".repeat(300);
        assert!(safe_name(&long).len() <= 200);
        assert!(safe_name(&long).chars().all(|c| c == 'ж'));
    }
}
