//! Storage that fails under `kua`: a disk that fills during attach, record, export and
//! import, a vault directory that turns read-only, and an export target taken away
//! mid-write (the pulled USB stick). Each runs on a real small file system, a
//! size-limited tmpfs mounted for the test (and resized or remounted read-only with
//! `mount -o remount`), not on an injected error: this needs root, as CI has.
//!
//! After each fault: one clear line naming the fault, the exit code of an I/O error (7),
//! nothing acknowledged lost, no partial bundle, and the vault verifies.

use crate::{fails, Env, COMPLETE};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A tmpfs of a given size, unmounted (lazily, so a test that failed while a file was
/// open does not leave it behind) when dropped.
struct Tmpfs {
    _dir: tempfile::TempDir,
    point: PathBuf,
    mounted: bool,
}

impl Tmpfs {
    fn new(size_kib: u64) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let point = dir.path().join("fs");
        std::fs::create_dir(&point).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={size_kib}k,mode=0700"))
            .arg("tmpfs")
            .arg(&point)
            .status()
            .expect("mount (util-linux)");
        assert!(
            status.success(),
            "mounting a {size_kib} KiB tmpfs failed: these tests need root (CI runs as root)"
        );
        Tmpfs {
            _dir: dir,
            point,
            mounted: true,
        }
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.point)
            .status()
            .unwrap();
        assert!(status.success(), "remount {options}");
    }

    /// Takes the file system away as a pulled stick does: detached at once (open
    /// files keep working on a tree no path reaches), and its mount point removed.
    fn pull(&mut self) {
        let status = Command::new("umount")
            .arg("-l")
            .arg(&self.point)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::remove_dir(&self.point).unwrap();
        self.mounted = false;
    }

    /// Fills the file system until about `left` bytes are free: writes until it is full,
    /// then gives `left` back.
    fn fill(&self, left: u64) -> PathBuf {
        use std::io::Write;
        let filler = self.point.join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 << 10];
        let mut written = 0u64;
        loop {
            match f.write(&block) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.raw_os_error() == Some(28) => break,
                Err(e) => panic!("filling: {e}"),
            }
        }
        f.set_len(written.saturating_sub(left)).unwrap();
        f.sync_all().unwrap();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg("-l").arg(&self.point).status();
        }
    }
}

/// An Env whose vault lives on `fs`.
fn vault_on(fs: &Tmpfs) -> Env {
    let mut env = Env::new();
    env.vault = fs.point.join("v.kua");
    env.init();
    env
}

fn add(env: &Env) -> String {
    let out = env.run_with(&["add", "-"], COMPLETE);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn noise(n: usize, seed: u32) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect()
}

fn hashes(env: &Env, id: &str) -> Vec<String> {
    env.json(&["show", id])["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sha256"].as_str().unwrap().to_string())
        .collect()
}

fn verifies(env: &Env) {
    let out = env.run(&["verify"]);
    assert!(
        out.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn disk_full(err: &str) {
    assert!(
        err.to_lowercase().contains("disk") && err.to_lowercase().contains("full"),
        "not a disk-full message: {err}"
    );
}

#[test]
fn a_full_disk_under_attach_and_import_loses_nothing_and_says_so() {
    let fs = Tmpfs::new(4096);
    let env = vault_on(&fs);
    let id = add(&env);
    let small = env.file("фото-1.jpg", &noise(300_000, 1));
    env.ok(&["attach", &id, small.to_str().unwrap()]);
    let before = hashes(&env, &id);

    // Attach: 6 MB into a disk with about 1 MB left.
    let filler = fs.fill(1 << 20);
    let big = env.file("видео.mp4", &noise(6_000_000, 2));
    let err = fails(&env.run(&["attach", &id, big.to_str().unwrap()]), 7);
    disk_full(&err);
    assert_eq!(
        hashes(&env, &id),
        before,
        "the failed attach left something"
    );
    verifies(&env);
    // Saving a draft still works in what is left, and nothing is in an odd state.
    let edit = env.file("e.json", r#"{"narrative": "да"}"#.as_bytes());
    env.ok(&["edit", &id, edit.to_str().unwrap()]);

    // Import: a bundle with a 3 MB photograph, from a sender on the ordinary disk.
    let sender = Env::new();
    sender.init();
    let sid = add(&sender);
    let photo = sender.file("фото-2.jpg", &noise(3_000_000, 3));
    sender.ok(&["attach", &sid, photo.to_str().unwrap()]);
    sender.ok(&["seal", &sid]);
    let age = env.json(&["identity"])["age_recipient"]
        .as_str()
        .unwrap()
        .to_string();
    sender.ok(&["recipients", "add", "coalition", &age]);
    let bundle = sender.dir.path().join("b.kua");
    sender.ok(&[
        "export",
        "--to",
        "coalition",
        "--all",
        "-o",
        bundle.to_str().unwrap(),
    ]);
    let err = fails(
        &env.run(&["import", bundle.to_str().unwrap(), "--trust-new"]),
        7,
    );
    disk_full(&err);
    let received = env.json(&["received"]);
    assert!(received.as_array().unwrap().is_empty(), "{received}");
    verifies(&env);

    // Room again: the same bundle imports whole, and everything is there.
    std::fs::remove_file(filler).unwrap();
    fs.remount("size=16m");
    let imported = env.json(&["import", bundle.to_str().unwrap(), "--trust-new"]);
    assert_eq!(imported[0]["outcome"], "imported", "{imported}");
    assert_eq!(env.json(&["received"]).as_array().unwrap().len(), 1);
    env.ok(&["attach", &id, big.to_str().unwrap()]);
    assert_eq!(hashes(&env, &id).len(), 2);
    verifies(&env);
}

#[test]
fn a_full_export_target_or_a_pulled_stick_leaves_no_bundle() {
    let env = Env::new();
    env.init();
    let id = add(&env);
    let photo = env.file("фото.jpg", &noise(4_000_000, 4));
    env.ok(&["attach", &id, photo.to_str().unwrap()]);
    env.ok(&["seal", &id]);
    let coord = Env::new();
    coord.init();
    let age = coord.json(&["identity"])["age_recipient"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&["recipients", "add", "coalition", &age]);

    // A stick with 1 MiB for a 4 MB bundle.
    let stick = Tmpfs::new(1024);
    let out = stick.point.join("bundle.kua");
    let o = out.to_str().unwrap();
    let err = fails(
        &env.run(&["export", "--to", "coalition", "--since-last", "-o", o]),
        7,
    );
    disk_full(&err);
    assert_eq!(
        names(&stick.point),
        Vec::<String>::new(),
        "something was left"
    );
    verifies(&env);

    // The stick pulled while the bundle is being written.
    let mut stick = Tmpfs::new(65536);
    let out = stick.point.join("bundle.kua");
    let o = out.to_str().unwrap().to_string();
    let mut child = env
        .cmd(&["export", "--to", "coalition", "--since-last", "-o", &o])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the export ended before the pull"
    );
    stick.pull();
    let done = child.wait_with_output().unwrap();
    let err = fails(&done, 7);
    assert!(!out.exists(), "{err}");
    verifies(&env);

    // Neither failure counted as sent: the next export carries the version.
    let good = env.dir.path().join("good.kua");
    let sent = env.json(&[
        "export",
        "--to",
        "coalition",
        "--since-last",
        "-o",
        good.to_str().unwrap(),
    ]);
    assert_eq!(sent["records"][0][0], id.as_str(), "{sent}");
    let pubfile = env.dir.path().join("i.pub");
    env.ok(&[
        "identity",
        "--minisign-pub",
        "-o",
        pubfile.to_str().unwrap(),
    ]);
    coord.ok(&["trust", "add", "interviewer", pubfile.to_str().unwrap()]);
    coord.ok(&["bundle", "verify", good.to_str().unwrap()]);
}

#[test]
fn a_vault_directory_turned_read_only_refuses_writes_and_loses_nothing() {
    let fs = Tmpfs::new(8192);
    let env = vault_on(&fs);
    let id = add(&env);
    let photo = env.file("фото.jpg", &noise(200_000, 5));
    env.ok(&["attach", &id, photo.to_str().unwrap()]);
    let shown = env.json(&["show", &id]);

    fs.remount("ro");
    let edit = env.file("e.json", br#"{"narrative": "other"}"#);
    let out = env.run(&["edit", &id, edit.to_str().unwrap()]);
    let err = fails(&out, 7);
    assert!(
        err.to_lowercase().contains("read-only") || err.to_lowercase().contains("read only"),
        "{err}"
    );
    let err = fails(&env.run(&["attach", &id, photo.to_str().unwrap()]), 7);
    assert!(err.to_lowercase().contains("read"), "{err}");

    fs.remount("rw");
    assert_eq!(env.json(&["show", &id]), shown);
    verifies(&env);
    env.ok(&["edit", &id, edit.to_str().unwrap()]);
    verifies(&env);
}

#[test]
fn a_recording_that_fills_the_disk_keeps_what_was_saved() {
    let fs = Tmpfs::new(4096);
    let env = vault_on(&fs);
    let _tone = crate::microphone::fake_microphone(env.dir.path());
    let id = add(&env);
    // Room for a few seconds of flushes (each rewrites the 64 KiB tail in the journal).
    let filler = fs.fill(400 << 10);
    let out = env.run(&["record", &id, "--duration", "60"]);
    let err = fails(&out, 7);
    disk_full(&err);
    // While the disk is full the recording cannot be finished, and the next command
    // says so and why; nothing of it is gone.
    let listed = env.run(&["list"]);
    assert!(listed.status.success());
    let warning = String::from_utf8_lossy(&listed.stderr).to_lowercase();
    assert!(
        warning.contains("recording") && warning.contains("full"),
        "{warning}"
    );
    verifies(&env);
    // With room again, the next unlock finishes it from what was flushed.
    std::fs::remove_file(filler).unwrap();
    let shown = env.json(&["show", &id]);
    let recorded = shown["attachments"].as_array().unwrap();
    assert_eq!(recorded.len(), 1, "{shown}");
    assert!(recorded[0]["size"].as_u64().unwrap() > 1_000, "{shown}");
    verifies(&env);
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "lost+found")
        .collect();
    v.sort();
    v
}
