//! What a locked process still holds: read as root through /proc/PID/mem, as someone
//! who takes a running laptop could. A child process runs the core as the `kua`
//! command does (hardened first, then unlock, a testimony added, shown, listed and
//! searched, its search index in two tables), and the parent reads every readable
//! mapping of it twice: unlocked, where the vault key, its subkeys and the canary text
//! must be found (or the reading proves nothing), and after lock, where none of them
//! may be.
//!
//! The vault key is known to the parent because the vault is created with the seeded
//! RNG of the test seams: it is the first 32 bytes that RNG gives.

use crate::*;
use kua_core::crypto::{Key, Subkeys};
use rand_core::{RngCore, SeedableRng};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::process::{Command, Stdio};

/// The canary is put together at run time: as one literal it would sit in this
/// binary's read-only data, mapped into the child, and always be found.
fn canary() -> String {
    format!("{}-КАНАРЕЙКА-ҚҰСЫ", word())
}

/// The canary's Latin word, which the search index holds as it is.
fn word() -> String {
    format!("pamyat{:x}", 0x7f3a9c_u32 * 7)
}

#[test]
fn memory_child() {
    if std::env::var_os("KUA_MEMORY_CHILD").is_none() {
        return;
    }
    // As `kua` starts: SQLite's freed memory wiped (Rust's is, by this binary's
    // global allocator), then the process hardened.
    kua_wipe::sqlite().expect("SQLite took the wiping memory methods");
    for note in kua_core::harden_process()
        .into_iter()
        .chain(kua_core::lock_memory())
    {
        eprintln!("{note}");
    }
    // Where the limit allows it, every page is locked in RAM (kua-core hygiene).
    let allowed = kua_core::may_lock_all_memory();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let locked_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmLck:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    println!("MEMLOCK allowed={allowed} locked_kib={locked_kib}");
    let path = std::env::var("KUA_MEMORY_VAULT").unwrap();
    let mut v = Vault::open(std::path::Path::new(&path), seams(3)).unwrap();
    v.unlock(&pass()).unwrap();
    let id = v
        .add(&complete_input(&format!("Рассказ {} конец", canary())))
        .unwrap();
    let shown = v.show(&id, None).unwrap();
    assert!(shown.narrative.contains(&canary()));
    assert_eq!(v.list().unwrap().len(), 1);
    // Two tables, so that the search also runs on a thread of its own, as it does in a
    // vault of 20,000 testimonies or more (search/index.rs): the second table is
    // searched there, and its FTS5 parses the query's word on that thread (the one
    // testimony, row 1, is in that table too).
    assert_eq!(v.build_search_index_in(2).unwrap(), 1);
    assert!(!v.search(&word(), 10).unwrap().is_empty());
    let mut lines = std::io::stdin().lock().lines();
    println!("UNLOCKED");
    std::io::stdout().flush().unwrap();
    let _ = lines.next();
    // What a front end shows is dropped when it locks.
    drop(shown);
    v.lock().unwrap();
    println!("LOCKED");
    std::io::stdout().flush().unwrap();
    // Held until the parent has read this process and closes our input.
    let _ = lines.next();
}

/// Every readable mapping of `pid`, and every unreadable one with resident pages (an
/// allocator's protected memory still holds what was written to it, and root reads it
/// all the same), concatenated with a separator. Anonymous memory, a heap or a stack
/// that cannot be read whole fails the test, so that nothing is passed over in silence.
fn memory_of(pid: u32) -> Vec<u8> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap();
    let mut maps: Vec<(&str, u64)> = Vec::new();
    for line in smaps.lines() {
        let header = line
            .split_once(' ')
            .is_some_and(|(range, _)| range.contains('-') && !range.ends_with(':'));
        if header {
            maps.push((line, 0));
        } else if let (Some(rss), Some(last)) = (line.strip_prefix("Rss:"), maps.last_mut()) {
            last.1 = rss.trim().trim_end_matches("kB").trim().parse().unwrap();
        }
    }
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut all = Vec::new();
    for (line, rss) in maps {
        let mut parts = line.split_whitespace();
        let (Some(range), Some(perms)) = (parts.next(), parts.next()) else {
            continue;
        };
        let wanted = perms.starts_with('r') || rss > 0;
        if !wanted || line.contains("[vvar") || line.contains("[vsyscall]") {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let start = u64::from_str_radix(start, 16).unwrap();
        let end = u64::from_str_radix(end, 16).unwrap();
        let mut buf = vec![0u8; (end - start) as usize];
        let read = mem
            .seek(SeekFrom::Start(start))
            .and_then(|_| mem.read_exact(&mut buf));
        let path = line.split_whitespace().nth(5).unwrap_or("");
        let volatile = path.is_empty() || path.starts_with("[heap") || path.starts_with("[stack");
        if let Err(e) = read {
            assert!(!volatile, "could not read {line} of the child: {e}");
            continue;
        }
        if std::env::var_os("KUA_MEMORY_DEBUG").is_some() {
            let mut at = 0;
            while let Some(p) = buf[at..]
                .windows(word().len())
                .position(|w| w == word().as_bytes())
            {
                let hit = at + p;
                let lo = hit.saturating_sub(48);
                let hi = (hit + 60).min(buf.len());
                eprintln!(
                    "HIT {line} +{hit:#x}: {:?}",
                    String::from_utf8_lossy(&buf[lo..hi])
                );
                at = hit + 1;
            }
        }
        all.extend_from_slice(&buf);
        all.extend_from_slice(&[0xff; 64]);
    }
    all
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The secrets to look for, by name.
fn needles() -> Vec<(String, Vec<u8>)> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let mut vault_key = [0u8; 32];
    rng.fill_bytes(&mut vault_key);
    let key = Key::from_slice(&vault_key).unwrap();
    let sub = Subkeys::derive(&key);
    let mut out = vec![
        ("the vault key".to_string(), vault_key.to_vec()),
        ("the record-wrap key".into(), sub.wrap.expose().to_vec()),
        ("the custody key".into(), sub.custody.expose().to_vec()),
        ("the secrets key".into(), sub.secrets.expose().to_vec()),
        ("the chunk-id key".into(), sub.chunk_ids.expose().to_vec()),
    ];
    out.push(("the canary".into(), canary().into_bytes()));
    // The search index holds folded text: its Latin word is the same there.
    out.push(("the canary's Latin word".into(), word().into_bytes()));
    out
}

#[test]
fn a_locked_process_holds_no_key_and_no_testimony_text() {
    let fx = Fixture::new();
    drop(fx.create());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "memory::memory_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("KUA_MEMORY_CHILD", "1")
        .env("KUA_MEMORY_VAULT", &fx.path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut input = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut wait_for = |word: &str| loop {
        let line = out.next().expect("the child ended").unwrap();
        if line.contains(word) {
            break line;
        }
    };
    let needles = needles();

    let limits = wait_for("MEMLOCK ");
    // With CAP_IPC_LOCK (root, as in CI) or no limit, the process's pages are locked.
    eprintln!("{limits}");
    if limits.contains("allowed=true") {
        assert!(!limits.contains("locked_kib=0"), "{limits}");
    }
    wait_for("UNLOCKED");
    let unlocked = memory_of(pid);
    for (what, bytes) in &needles {
        assert!(
            find(&unlocked, bytes),
            "{what} is not in the unlocked process: the reading proves nothing"
        );
    }
    writeln!(input).unwrap();
    wait_for("LOCKED");
    let locked = memory_of(pid);
    let left: Vec<&str> = needles
        .iter()
        .filter(|(_, bytes)| find(&locked, bytes))
        .map(|(what, _)| what.as_str())
        .collect();
    drop(input);
    let status = child.wait().unwrap();
    assert!(
        left.is_empty(),
        "after lock the process still holds {left:?}"
    );
    assert!(status.success());
}
