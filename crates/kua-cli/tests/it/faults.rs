//! Faults at random moments: `kua` killed with SIGKILL at a random instant of add, edit,
//! seal, amend, attach, record, export, import and passphrase change, hundreds of times
//! over one interviewer's vault and one coordinator's. After every kill:
//!
//! - the vault opens (with the old passphrase or the new one, never neither) and
//!   `kua verify` passes;
//! - everything acknowledged before the kill is there, and an operation that was not
//!   acknowledged either happened whole or not at all (a draft holds its old text or its
//!   new text, a testimony is sealed or still a draft, never something in between);
//! - no file exists under an export's name unless it is a whole, valid bundle (a kill
//!   after the bundle was linked in and before `kua` said so leaves a finished one).
//!
//! The moments are drawn from a seeded generator, so a failing run can be repeated:
//! `KUA_FAULT_SEED` (default 2026), `KUA_FAULT_ROUNDS` (default 240, about 2 minutes).
//! Each operation's kill instant is uniform from the end of `kua`'s start-up to 1.3
//! times the operation's measured length, so most land inside its work; kills during
//! start-up (none, drawn so) are counted apart. The longer run, with its command, is in
//! docs/testing.md.

use crate::{Env, COMPLETE, PASS};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// SplitMix64: small, seeded, and enough to spread kill instants; not for keys.
struct Moments(u64);

impl Moments {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Add,
    Edit,
    Seal,
    Amend,
    Attach,
    Record,
    Export,
    Import,
    Passwd,
}

const OPS: [Op; 9] = [
    Op::Add,
    Op::Edit,
    Op::Seal,
    Op::Amend,
    Op::Attach,
    Op::Record,
    Op::Export,
    Op::Import,
    Op::Passwd,
];

/// What the interviewer's vault must hold: every acknowledged fact, and for a testimony
/// touched by an unacknowledged operation, the states it may be in.
#[derive(Default)]
struct Model {
    /// Testimony id → (status, version, narrative) as last acknowledged or observed.
    testimonies: BTreeMap<String, (String, u64, String)>,
    /// Testimony id → evidence hashes of its acknowledged attachments.
    attachments: BTreeMap<String, Vec<String>>,
    /// Bundles whose export was acknowledged, with the versions they carry.
    bundles: Vec<(PathBuf, Vec<(String, u64)>)>,
    /// How many of those the coordinator acknowledged importing, in order.
    imported: usize,
    /// Records the coordinator acknowledged importing (id, version).
    received: Vec<(String, u64)>,
}

struct Harness {
    env: Env,
    coord: Env,
    /// The two passphrases the vault switches between, and which one is current.
    passphrases: [PathBuf; 2],
    current: usize,
    model: Model,
    moments: Moments,
    /// Each operation's measured length when it ran to its end.
    lengths: BTreeMap<Op, Duration>,
    media: PathBuf,
    /// How long `kua` takes to start and exit doing nothing (`kua --version`, median of
    /// five): a kill sooner cannot have reached the operation's work.
    start_up: Duration,
    killed: BTreeMap<Op, Counts>,
    serial: u32,
}

/// Per operation: kills that landed inside it (after start-up, before the
/// acknowledgement), kills during start-up, and runs that finished first.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    inside: u32,
    start_up: u32,
    finished: u32,
}

/// The outcome of one run of `kua`: acknowledged (exit 0, with its stdout), refused, or
/// killed before it said anything.
enum Outcome {
    Acked(String),
    Killed,
}

impl Harness {
    fn new(seed: u64) -> Harness {
        let env = Env::new();
        env.init();
        let coord = Env::new();
        coord.init();
        let passphrases = [
            env.file("pass-a.txt", PASS.as_bytes()),
            env.file("pass-b.txt", "другая длинная фраза-пароль".as_bytes()),
        ];
        // Export to the coordinator, who trusts this interviewer.
        let age = coord.json(&["identity"])["age_recipient"]
            .as_str()
            .unwrap()
            .to_string();
        env.ok(&["recipients", "add", "coalition", &age]);
        let pubfile = env.dir.path().join("interviewer.pub");
        env.ok(&[
            "identity",
            "--minisign-pub",
            "-o",
            pubfile.to_str().unwrap(),
        ]);
        coord.ok(&["trust", "add", "interviewer", pubfile.to_str().unwrap()]);
        // A photograph of seven chunks: kills land mid-stream in a debug build.
        let photo: Vec<u8> = (0..420_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let media = env.file("фото.jpg", &photo);
        let mut start_ups: Vec<Duration> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let out = env.cmd(&["--version"]).output().unwrap();
                assert!(out.status.success());
                started.elapsed()
            })
            .collect();
        start_ups.sort();
        Harness {
            env,
            coord,
            passphrases,
            current: 0,
            model: Model::default(),
            moments: Moments(seed),
            lengths: BTreeMap::new(),
            media,
            start_up: start_ups[2],
            killed: BTreeMap::new(),
            serial: 0,
        }
    }

    /// `kua ARGS` on the interviewer's vault with the current passphrase.
    fn kua(&self, args: &[&str]) -> Command {
        let mut c = self.env.cmd(args);
        c.env_remove("KUA_PASSPHRASE")
            .arg("--passphrase-file")
            .arg(&self.passphrases[self.current]);
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.kua(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Runs `command` (its standard input fed `stdin`), killed with SIGKILL at a random
    /// instant between start-up and 1.3 times the operation's measured length, or run to
    /// its end when `kill` is false (to measure that length).
    fn run(&mut self, op: Op, mut command: Command, stdin: &str, kill: bool) -> Outcome {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut early = false;
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        // A kill before the input is written makes the pipe break: that is no failure.
        let _ = input.write_all(stdin.as_bytes());
        drop(input);
        if kill {
            // Drawn past start-up, where a kill can meet the operation's work (a first
            // run drew from zero, and 68 of 240 kills landed before any of it).
            let span = self.lengths[&op].as_micros() as u64 * 13 / 10;
            let from = (self.start_up.as_micros() as u64).min(span);
            let at = Duration::from_micros(from + self.moments.below(span - from + 1));
            early = at < self.start_up;
            let elapsed = started.elapsed();
            if at > elapsed {
                std::thread::sleep(at - elapsed);
            }
            let _ = child.kill();
        }
        let out = child.wait_with_output().unwrap();
        if !kill {
            self.lengths.insert(op, started.elapsed());
        }
        let entry = self.killed.entry(op).or_default();
        if out.status.success() {
            entry.finished += 1;
            Outcome::Acked(String::from_utf8(out.stdout).unwrap())
        } else if was_killed(out.status) {
            if early {
                entry.start_up += 1;
            } else {
                entry.inside += 1;
            }
            Outcome::Killed
        } else {
            panic!(
                "{op:?} failed without a kill: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    fn drafts(&self) -> Vec<String> {
        self.ids_with("draft")
    }

    fn ids_with(&self, status: &str) -> Vec<String> {
        self.model
            .testimonies
            .iter()
            .filter(|(_, (s, _, _))| s == status)
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn pick(&mut self, ids: &[String]) -> Option<String> {
        (!ids.is_empty()).then(|| ids[self.moments.below(ids.len() as u64) as usize].clone())
    }

    /// One operation, killed (or measured, the first time), then every check.
    fn round(&mut self, op: Op) {
        let kill = self.lengths.contains_key(&op);
        self.serial += 1;
        let n = self.serial;
        match op {
            Op::Add => {
                let input = COMPLETE.replace("Ұлттық ұлан", &format!("Жазба {n}: Ұлттық ұлан"));
                let outcome = self.run(op, self.kua(&["add", "-"]), &input, kill);
                if let Outcome::Acked(id) = outcome {
                    let id = id.trim().to_string();
                    self.model
                        .testimonies
                        .insert(id, ("draft".into(), 1, narrative_of(&input)));
                }
                // An unacknowledged add may have stored the testimony: adopted below.
            }
            Op::Edit => {
                let Some(id) = self.pick(&self.drafts()) else {
                    return self.round(Op::Add);
                };
                let narrative = format!("Правка {n}: ").repeat(50) + "Ұлттық ұлан әскерлері.";
                let input = serde_json::json!({ "narrative": narrative }).to_string();
                let outcome = self.run(op, self.kua(&["edit", &id, "-"]), &input, kill);
                self.settle(&id, outcome.acked(), |t| t.2 = narrative.clone());
            }
            Op::Seal => {
                let Some(id) = self.pick(&self.drafts()) else {
                    return self.round(Op::Add);
                };
                let outcome = self.run(op, self.kua(&["seal", &id]), "", kill);
                self.settle(&id, outcome.acked(), |t| t.0 = "sealed".into());
            }
            Op::Amend => {
                let Some(id) = self.pick(&self.ids_with("sealed")) else {
                    return self.round(Op::Seal);
                };
                let narrative = format!("Толықтыру {n}: Ұлттық ұлан әскерлері.");
                let input = serde_json::json!({ "narrative": narrative, "reason": "толықтыру" })
                    .to_string();
                let outcome = self.run(op, self.kua(&["amend", &id, "-"]), &input, kill);
                self.settle(&id, outcome.acked(), |t| {
                    t.1 += 1;
                    t.2 = narrative.clone();
                });
            }
            Op::Attach => {
                let Some(id) = self.pick(&self.drafts()) else {
                    return self.round(Op::Add);
                };
                let media = self.media.to_str().unwrap().to_string();
                let outcome = self.run(op, self.kua(&["attach", &id, &media, "--json"]), "", kill);
                if let Outcome::Acked(out) = outcome {
                    let info: Value = serde_json::from_str(&out).unwrap();
                    let sha = info[0]["sha256"].as_str().unwrap().to_string();
                    self.model.attachments.entry(id).or_default().push(sha);
                }
            }
            Op::Record => {
                let Some(id) = self.pick(&self.drafts()) else {
                    return self.round(Op::Add);
                };
                let command = self.kua(&["record", &id, "--duration", "1", "--json"]);
                if let Outcome::Acked(out) = self.run(op, command, "", kill) {
                    let info: Value = serde_json::from_str(&out).unwrap();
                    let sha = info["sha256"].as_str().unwrap().to_string();
                    self.model.attachments.entry(id).or_default().push(sha);
                }
            }
            Op::Export => {
                if self.ids_with("sealed").is_empty() {
                    return self.round(Op::Seal);
                }
                let out = self.env.dir.path().join(format!("bundle-{n}.kua"));
                let o = out.to_str().unwrap().to_string();
                let command =
                    self.kua(&["export", "--to", "coalition", "--all", "-o", &o, "--json"]);
                match self.run(op, command, "", kill) {
                    Outcome::Acked(report) => {
                        let report: Value = serde_json::from_str(&report).unwrap();
                        let versions: Vec<(String, u64)> = report["records"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_u64().unwrap()))
                            .collect();
                        assert!(!versions.is_empty(), "{report}");
                        self.model.bundles.push((out, versions));
                    }
                    Outcome::Killed => self.unacknowledged_bundle(&out),
                }
            }
            Op::Import => {
                // Every acknowledged bundle not yet imported, in the order they were
                // made (a later one alone would wait for the earlier ones as pending).
                let waiting = self.model.bundles[self.model.imported..].to_vec();
                if waiting.is_empty() {
                    // No export was acknowledged since the last import: exports grow
                    // with the vault, so kills drawn from the length measured at the
                    // start can keep landing inside them and starve the import. The
                    // export runs to its end instead, which measures it again.
                    self.lengths.remove(&Op::Export);
                    return self.round(Op::Export);
                }
                let mut args = vec!["import".to_string()];
                args.extend(waiting.iter().map(|(b, _)| b.to_str().unwrap().to_string()));
                args.push("--json".into());
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                if let Outcome::Acked(out) = self.run(op, self.coord.cmd(&args), "", kill) {
                    let reports: Value = serde_json::from_str(&out).unwrap();
                    assert_eq!(
                        reports.as_array().unwrap().len(),
                        waiting.len(),
                        "{reports}"
                    );
                    for (_, versions) in waiting {
                        self.model.received.extend(versions);
                    }
                    self.model.imported = self.model.bundles.len();
                }
                self.check_coordinator();
            }
            Op::Passwd => {
                let next = 1 - self.current;
                let new = self.passphrases[next].to_str().unwrap().to_string();
                let mut args = vec!["passwd", "--new-passphrase-file", new.as_str()];
                // Every other change also replaces the vault key and the recovery key,
                // which re-wraps the key slots and re-keys the search index.
                if n.is_multiple_of(2) {
                    args.push("--rotate-key");
                }
                match self.run(op, self.kua(&args), "", kill) {
                    Outcome::Acked(_) => self.current = next,
                    Outcome::Killed => self.find_passphrase(),
                }
            }
        }
        self.check(op, n);
    }

    /// After an unacknowledged passphrase change exactly one of the two opens the vault.
    fn find_passphrase(&mut self) {
        let opens = |h: &Harness, which: usize| {
            let mut c = h.env.cmd(&["list"]);
            c.env_remove("KUA_PASSPHRASE")
                .arg("--passphrase-file")
                .arg(&h.passphrases[which]);
            let out = c.output().unwrap();
            match out.status.code() {
                Some(0) => true,
                Some(3) => false,
                _ => panic!("list: {}", String::from_utf8_lossy(&out.stderr)),
            }
        };
        let (old, new) = (opens(self, self.current), opens(self, 1 - self.current));
        assert!(old != new, "old opens: {old}, new opens: {new}");
        if new {
            self.current = 1 - self.current;
        }
    }

    /// A testimony after `op`: when acknowledged, it must show `change` applied; when
    /// not, the state before or after it, and the model follows what is there.
    fn settle(&mut self, id: &str, acked: bool, change: impl Fn(&mut (String, u64, String))) {
        let before = self.model.testimonies[id].clone();
        let mut after = before.clone();
        change(&mut after);
        let seen = self.state_of(id);
        if acked {
            assert_eq!(seen, after, "acknowledged change of {id} is not there");
        } else {
            assert!(
                seen == before || seen == after,
                "{id} is neither before nor after: {seen:?}"
            );
        }
        self.model.testimonies.insert(id.to_string(), seen);
    }

    fn state_of(&self, id: &str) -> (String, u64, String) {
        let shown = self.json(&["show", id]);
        (
            shown["status"].as_str().unwrap().to_string(),
            shown["version"].as_u64().unwrap(),
            shown["narrative"].as_str().unwrap().to_string(),
        )
    }

    /// A killed export leaves no file under its name, or a finished one.
    fn unacknowledged_bundle(&mut self, out: &Path) {
        if out.exists() {
            let o = out.to_str().unwrap();
            let verified = self.coord.run(&["bundle", "verify", o]);
            assert!(
                verified.status.success(),
                "an unacknowledged export left a file that is not a bundle: {}",
                String::from_utf8_lossy(&verified.stderr)
            );
        }
        // Nothing else of it: no partial file beside it.
        for entry in std::fs::read_dir(self.env.dir.path()).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                !name.contains(".partial") && !name.starts_with(".tmp"),
                "a leftover {name}"
            );
        }
    }

    /// The vault opens and verifies, and holds everything acknowledged.
    fn check(&mut self, op: Op, n: u32) {
        let verified = self.kua(&["verify"]).output().unwrap();
        assert!(
            verified.status.success(),
            "round {n} ({op:?}): verify failed: {}",
            String::from_utf8_lossy(&verified.stderr)
        );
        let list = self.json(&["list"]);
        let listed: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        for id in self.model.testimonies.keys() {
            assert!(listed.contains(id), "round {n} ({op:?}): {id} is gone");
        }
        // Adopt a testimony an unacknowledged add stored: it must be whole.
        for id in listed {
            if !self.model.testimonies.contains_key(&id) {
                assert_eq!(op, Op::Add, "round {n}: {id} appeared after {op:?}");
                let state = self.state_of(&id);
                assert_eq!(state.0, "draft");
                assert!(state.2.starts_with(&format!("Жазба {n}: ")), "{state:?}");
                self.model.testimonies.insert(id, state);
            }
        }
        // Every acknowledged attachment, by its evidence hash.
        for (id, hashes) in &self.model.attachments {
            let shown = self.json(&["show", id]);
            let held: Vec<&str> = shown["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["sha256"].as_str().unwrap())
                .collect();
            for h in hashes {
                assert!(
                    held.contains(&h.as_str()),
                    "round {n}: attachment {h} of {id} is gone"
                );
            }
        }
    }

    /// The coordinator's vault verifies and holds every acknowledged import.
    fn check_coordinator(&self) {
        let verified = self.coord.run(&["verify"]);
        assert!(
            verified.status.success(),
            "coordinator verify failed: {}",
            String::from_utf8_lossy(&verified.stderr)
        );
        let received = self.coord.json(&["received"]);
        let held: Vec<(String, u64)> = received
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["version"].as_u64().unwrap(),
                )
            })
            .collect();
        for (id, version) in &self.model.received {
            assert!(
                held.iter().any(|(i, v)| i == id && v >= version),
                "received {id} v{version} is gone: {held:?}"
            );
        }
    }
}

impl Outcome {
    fn acked(&self) -> bool {
        matches!(self, Outcome::Acked(_))
    }
}

fn narrative_of(input: &str) -> String {
    let v: Value = serde_json::from_str(input).unwrap();
    v["narrative"].as_str().unwrap().to_string()
}

fn was_killed(status: ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(9)
}

#[test]
fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let seed = std::env::var("KUA_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2026);
    let rounds: u32 = std::env::var("KUA_FAULT_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(240);
    // Vaults are replaced every EPOCH rounds: verify reads every byte, and one vault
    // through hundreds of rounds would make the run quadratic.
    const EPOCH: u32 = 40;
    let mut moments = Moments(seed);
    let mut killed: BTreeMap<Op, Counts> = BTreeMap::new();
    let tone_dir = tempfile::tempdir().unwrap();
    let _tone = crate::microphone::fake_microphone(tone_dir.path());
    let mut done = 0;
    while done < rounds {
        let mut h = Harness::new(moments.next());
        // Each operation once to its end first: its length sets the span of kill
        // instants, and every later operation has something to act on.
        for op in OPS {
            h.round(op);
        }
        h.killed.clear();
        for _ in 0..EPOCH.min(rounds - done) {
            let op = OPS[h.moments.below(OPS.len() as u64) as usize];
            h.round(op);
            done += 1;
        }
        for (op, c) in h.killed {
            let e = killed.entry(op).or_default();
            e.inside += c.inside;
            e.start_up += c.start_up;
            e.finished += c.finished;
        }
        moments = Moments(h.moments.next());
    }
    let total: u32 = killed.values().map(|c| c.inside).sum();
    eprintln!("seed {seed}, {rounds} rounds: {killed:?}");
    // Kills must mostly land inside operations, past start-up, or the harness tests
    // nothing.
    assert!(
        total >= rounds / 2,
        "only {total} of {rounds} kills landed inside an operation"
    );
    for op in OPS {
        assert!(
            killed.get(&op).is_some_and(|c| c.inside > 0),
            "no kill landed inside {op:?}: {killed:?}"
        );
    }
}
