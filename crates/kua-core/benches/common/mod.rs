//! What the benchmarks share: the working folder, vaults with injected randomness, the
//! synthetic testimonies, child processes and their peak memory.

// Each benchmark binary includes this module and uses only part of it.
#![allow(dead_code)]

use kua_core::model::{Consent, ConsentMethod, ConsentScope};
use kua_core::{CreateOptions, KdfParams, Seams};
use rand_core::{RngCore, SeedableRng};
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KUA_BENCH_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

pub fn pass() -> SecretString {
    SecretString::from("benchmark passphrase")
}

pub fn seams(seed: u64) -> Seams {
    Seams::new(
        Box::new(kua_core::SystemClock),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
    )
}

pub fn fast() -> CreateOptions {
    CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    }
}

pub fn stats(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (
        at(0.5),
        at(0.95),
        samples.iter().sum::<Duration>() / samples.len() as u32,
    )
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

pub const WORDS_RU: &[&str] = &[
    "задержан",
    "больница",
    "сотрудники",
    "избивали",
    "дубинками",
    "изолятор",
    "следователь",
    "требовал",
    "признание",
    "камера",
    "ночью",
    "маски",
    "гвардия",
    "адвокат",
    "врач",
    "отказали",
    "Алматы",
    "Талдыкорган",
    "январь",
    "протокол",
];
pub const WORDS_KK: &[&str] = &[
    "ұсталды",
    "аурухана",
    "қызметкерлер",
    "ұрды",
    "таяқпен",
    "изолятор",
    "тергеуші",
    "талап",
    "мойындау",
    "камера",
    "түнде",
    "бетперде",
    "ұлан",
    "адвокат",
    "дәрігер",
    "бас тартты",
    "Алматы",
    "қаңтар",
    "өтініш",
    "куә",
];
pub const WORDS_EN: &[&str] = &[
    "detained",
    "hospital",
    "officers",
    "beaten",
    "batons",
    "detention",
    "investigator",
    "demanded",
    "confession",
    "cell",
    "night",
    "balaclavas",
    "guard",
    "lawyer",
    "doctor",
    "refused",
    "Almaty",
    "January",
    "protocol",
    "witness",
];

pub fn narrative(rng: &mut impl RngCore, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 32);
    let lists = [WORDS_RU, WORDS_KK, WORDS_EN];
    let lang = lists[(rng.next_u32() % 3) as usize];
    while s.len() < bytes {
        s.push_str(lang[(rng.next_u32() as usize) % lang.len()]);
        s.push(if rng.next_u32().is_multiple_of(12) {
            '.'
        } else {
            ' '
        });
    }
    s
}

pub fn consent() -> Consent {
    Consent {
        given_at: "2022-01-20".into(),
        method: ConsentMethod::Oral,
        recorded_by: None,
        scope: [ConsentScope::Store].into_iter().collect(),
        anonymous: false,
        conditions: None,
        withdrawn_at: None,
    }
}

pub fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

pub fn child(args: &[&std::ffi::OsStr]) -> (f64, u64, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let mut p = line.split_whitespace();
    (
        p.next().unwrap().parse().unwrap(),
        p.next().unwrap().parse().unwrap(),
        p.next().unwrap_or("").to_string(),
    )
}

pub fn shell(dir: &Path, cmd: &str) -> Duration {
    let start = Instant::now();
    let st = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(st.success(), "{cmd}");
    start.elapsed()
}

/// The key derivation alone with these parameters, best of 3: the reference of unlocks.
pub fn kdf_alone(params: &kua_core::KdfParams) -> Duration {
    let salt = [7u8; 16];
    (0..3)
        .map(|_| {
            let s = Instant::now();
            params.derive(b"benchmark passphrase", &salt).unwrap();
            s.elapsed()
        })
        .min()
        .unwrap()
}
