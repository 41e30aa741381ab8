//! The resident memory of an unlocked vault, step by step, for docs/benchmarks.md:
//! `cargo run --release -p kua-core --example unlocked_memory -- PATH` with the
//! passphrase in `KUA_PASSPHRASE` (a vault made by the `populate` example). The process
//! runs as the desktop shell's does: the wiping allocators, glibc's free pages given back
//! after each step (`kua_wipe::trim`). The reference in the same run is the vault open
//! and locked, and again after the lock.

use kua_core::model::ListQuery;
use kua_core::{Seams, Vault};
use secrecy::SecretString;

#[global_allocator]
static ALLOCATOR: kua_wipe::Allocator = kua_wipe::ALLOCATOR;

fn rss_mib() -> Result<f64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .ok_or("no VmRSS in /proc/self/status")?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kib / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    kua_wipe::sqlite().map_err(|code| format!("SQLite refused the memory methods: {code}"))?;
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: unlocked_memory PATH")?;
    let pass = SecretString::from(std::env::var("KUA_PASSPHRASE")?);
    let mut vault = Vault::open(path.as_ref(), Seams::system())?;
    let step = |label: &str| -> Result<(), Box<dyn std::error::Error>> {
        kua_wipe::trim();
        println!("{label:<28} {:>7.1} MiB RSS", rss_mib()?);
        Ok(())
    };
    step("open, locked")?;
    vault.unlock(&pass)?;
    step("unlocked (catalog)")?;
    let query: ListQuery = serde_json::from_str(r#"{"limit":100}"#)?;
    let page = vault.list_window(&query)?;
    step(&format!("first window of {}", page.total))?;
    drop(page);
    vault.lock()?;
    step("locked again")?;
    Ok(())
}
