//! For a laptop that may be taken: `kua erase` destroys the vault at once, and the
//! vault's files are readable by their owner only whatever the umask.

use crate::{fails, testimony, Env};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_vault_and_its_journals_are_the_owners_alone() {
    let env = Env::new();
    env.init();
    testimony(&env, json!({"full_name": "Асель Нурланова"}));
    let mut seen = 0;
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", env.vault.display()));
        if p.exists() {
            seen += 1;
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
    assert!(seen >= 1);
    // A vault made readable by others (copied in, or an older Kua) is put right on open.
    std::fs::set_permissions(&env.vault, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.ok(&["list"]);
    assert_eq!(mode(&env.vault), 0o600);
}

#[test]
fn erase_destroys_the_vault_only_when_told_to() {
    let env = Env::new();
    env.init();
    testimony(&env, json!({"full_name": "Асель Нурланова"}));
    // Without the flag: a clear refusal, and the vault untouched.
    let err = fails(&env.run(&["erase"]), 1);
    assert!(err.contains("--yes-destroy-everything"), "{err}");
    assert_eq!(env.json(&["list"]).as_array().unwrap().len(), 1);
    // With it, and without any passphrase: gone, journals too.
    let out = env
        .cmd(&["erase", "--yes-destroy-everything"])
        .env_remove("KUA_PASSPHRASE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = format!("{}{suffix}", env.vault.display());
        assert!(!std::path::Path::new(&p).exists(), "{p} is left");
    }
    fails(&env.run(&["list"]), 4);
    // A file that is not a vault is not destroyed.
    std::fs::write(&env.vault, b"not a vault").unwrap();
    fails(&env.run(&["erase", "--yes-destroy-everything"]), 5);
    assert_eq!(std::fs::read(&env.vault).unwrap(), b"not a vault");
}

#[test]
fn erase_after_failed_unlocks_counts_across_runs() {
    let env = Env::new();
    env.init();
    testimony(&env, json!({"full_name": "Асель Нурланова"}));
    fails(&env.run(&["erase-after", "2"]), 6);
    let on = env.json(&["erase-after", "3"]);
    assert_eq!(on["erase_after"], 3);
    let wrong = |env: &Env| {
        env.cmd(&["list"])
            .env("KUA_PASSPHRASE", "not the passphrase")
            .output()
            .unwrap()
    };
    for _ in 0..2 {
        fails(&wrong(&env), 3);
    }
    assert!(env.vault.exists());
    // The third failure in a row, in another process: the vault is gone.
    fails(&wrong(&env), 3);
    assert!(!env.vault.exists());
    fails(&env.run(&["list"]), 4);
}

#[test]
fn kuas_own_data_directory_is_made_private() {
    let env = Env::new();
    let data = env.dir.path().join("data");
    let dir = data.join("kua");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = env
        .cmd(&["list"])
        .env_remove("KUA_VAULT")
        .env("XDG_DATA_HOME", &data)
        .env("HOME", env.dir.path())
        .output()
        .unwrap();
    fails(&out, 4);
    assert_eq!(mode(&dir), 0o700);
}
