//! A third party checks a bundle with stock tools only (Debian packages age, minisign,
//! tar, coreutils), exactly as docs/bundle-format.md shows.

use crate::*;
use std::process::Command;

fn run(dir: &std::path::Path, cmd: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn age_tar_minisign_and_sha256sum_check_a_bundle() {
    let p = parties();
    let (bundle, manifest) = sample(&p);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("b.kua"), &bundle).unwrap();
    use age::secrecy::ExposeSecret;
    std::fs::write(
        d.join("key.txt"),
        format!("{}\n", p.coordinator.to_string().expose_secret()),
    )
    .unwrap();
    std::fs::write(
        d.join("sender.pub"),
        kua_bundle::minisign::public_key_file(&p.signer.verifying_key()),
    )
    .unwrap();

    run(d, "age -d -i key.txt b.kua | tar -x");
    let verified = run(d, "minisign -Vm manifest.json -p sender.pub");
    assert!(verified.contains(&manifest.bundle_id), "{verified}");
    let sums = run(d, "sha256sum -c SHA256SUMS");
    assert_eq!(
        sums.lines().filter(|l| l.ends_with(": OK")).count(),
        manifest.files.len() - 1
    );
    // And the stock tools notice tampering too.
    run(d, "printf x >> records/a/1.json");
    let out = Command::new("sh")
        .arg("-c")
        .arg("sha256sum -c SHA256SUMS")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!out.status.success());
    run(d, "sed -i 's/2022/2023/' manifest.json");
    let out = Command::new("sh")
        .arg("-c")
        .arg("minisign -Vm manifest.json -p sender.pub")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!out.status.success());
}
