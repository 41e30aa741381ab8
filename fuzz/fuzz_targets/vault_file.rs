//! A vault file damaged anywhere (its header, its key slots, the SQLite pages of
//! records, attachments and the custody log), opened and unlocked with the passphrase
//! and then read whole: every testimony, every attachment, the log's verification,
//! search and the recovery of open recordings. It must give an error or the data,
//! never panic, hang or allocate without bound.
//!
//! Seeds are small real vaults (`fuzz/seeds/vault_file/`, made by
//! `scripts/fuzz-seeds.sh` with the test KDF). Record and chunk bodies are
//! authenticated: a mutation there reaches the AEAD's refusal, and the decoding behind
//! it only with the key; what the fuzzer reaches is everything up to that line and
//! SQLite's handling of a damaged file.
//!
//! One bound is kept out of the input space: a header whose KDF costs more than the
//! test KDF is opened but not unlocked, since the KDF runs before the header can be
//! authenticated (by design: its bounds are checked in kua-core's `header` and tested
//! there), and a 2 GiB Argon2 run per input would only measure Argon2.
#![no_main]

use kua_core::{KdfParams, Seams, Silent, Vault};
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

const PASSPHRASE: &str = "длинная фраза-пароль";

fuzz_target!(|data: &[u8]| {
    let dir = std::path::Path::new("/dev/shm").join(format!("kua-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("v.kua");
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(mut v) = Vault::open(&path, Seams::system()) else { return };
    let kdf = v.kdf_params();
    let cheap = KdfParams::INSECURE_FOR_TESTS;
    if kdf.m_kib > cheap.m_kib.saturating_mul(4) || kdf.t > cheap.t.saturating_mul(2) || kdf.p > cheap.p.saturating_mul(2) {
        return;
    }
    if v.unlock(&SecretString::from(PASSPHRASE.to_string())).is_err() {
        return;
    }
    let _ = v.recover_recordings();
    let _ = v.header_damage();
    if let Ok(list) = v.list() {
        for t in list.iter().take(20) {
            let Ok(shown) = v.show(&t.id, None) else { continue };
            let _ = v.history(&t.id);
            for a in shown.attachments.iter().take(4) {
                let _ = v.extract(&t.id, &a.id, &mut std::io::sink(), &mut Silent);
            }
        }
    }
    let _ = v.search("жазба", 10);
    let _ = v.verify(&mut Silent);
    let _ = v.lock();
});
