//! A writer killed with SIGKILL mid-save and mid-attachment: the vault opens, verifies,
//! and holds every save that was acknowledged before the kill.
//!
//! The test binary re-runs itself as the writer (`writer_child`, active only when
//! KUA_CRASH_CHILD is set), which prints `ACK <id> <n>` after each save returns.

use crate::*;
use kua_core::model::TestimonyInput;
use kua_core::{NewAttachment, Silent, Vault};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn writer_child() {
    let Ok(mode) = std::env::var("KUA_CRASH_CHILD") else {
        return;
    };
    let path = std::env::var("KUA_CRASH_VAULT").unwrap();
    let mut v = Vault::open(std::path::Path::new(&path), seams(11)).unwrap();
    v.unlock(&pass()).unwrap();
    let id = v.add(&complete_input("начало")).unwrap();
    println!("ACK {id} 0");
    if mode == "recording" {
        // Flush every 20 KB, as a recorder flushes every second or two; say how much
        // is durable after each flush.
        let rec = v
            .begin_recording(
                &id,
                kua_core::NewRecording {
                    name: "interview.ogg".into(),
                    media_type: "audio/ogg".into(),
                },
            )
            .unwrap();
        let mut total = 0u64;
        loop {
            let piece: Vec<u8> = (total..total + 20_000)
                .map(crate::recording::pattern)
                .collect();
            v.append_recording(&rec, &piece).unwrap();
            total += piece.len() as u64;
            v.flush_recording(&rec, &[]).unwrap();
            println!("ACK {rec} {total}");
        }
    }
    if mode == "stream" {
        // An endless source: the parent kills us once it is flowing.
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0 += buf.len() as u64;
                if self.0 > 8 * 1024 * 1024 && self.0 - buf.len() as u64 <= 8 * 1024 * 1024 {
                    println!("STREAMING");
                }
                buf.fill(0x5a);
                Ok(buf.len())
            }
        }
        let _ = v.attach(
            &id,
            &mut Endless(0),
            NewAttachment {
                name: "endless.wav".into(),
                ..Default::default()
            },
            &mut Silent,
        );
        return;
    }
    for n in 1.. {
        let text = format!("сохранение {n} ").repeat(200);
        v.edit(
            &id,
            &TestimonyInput {
                narrative: Some(text),
                ..Default::default()
            },
        )
        .unwrap();
        println!("ACK {id} {n}");
    }
}

pub(crate) fn run_and_kill(fx: &Fixture, mode: &str, kill_after: &str) -> Vec<(String, u64)> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("KUA_CRASH_CHILD", mode)
        .env("KUA_CRASH_VAULT", &fx.path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acks = Vec::new();
    let out = BufReader::new(child.stdout.take().unwrap());
    for line in out.lines() {
        let line = line.unwrap();
        // libtest may print its own "test … ..." prefix on the same line.
        if let Some(rest) = line.find("ACK ").map(|at| &line[at + 4..]) {
            let (id, n) = rest.split_once(' ').unwrap();
            acks.push((id.to_string(), n.parse().unwrap()));
        }
        if line.ends_with(kill_after) || (kill_after.starts_with("ACK") && acks.len() >= 60) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    acks
}

#[test]
fn sigkill_in_the_middle_of_saves_loses_no_acknowledged_save() {
    let fx = Fixture::new();
    drop(fx.create());
    let acks = run_and_kill(&fx, "saves", "ACK");
    assert!(acks.len() >= 60, "the writer did not get going: {acks:?}");
    let (id, last) = acks.last().unwrap().clone();
    let mut v = fx.open();
    let report = v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{report:?}");
    let narrative = v.show(&id, None).unwrap().narrative;
    // The last acknowledged save is there (a later, unacknowledged one may be too).
    let n: u64 = narrative
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        n >= last,
        "save {last} was acknowledged but the vault holds save {n}"
    );
}

#[test]
fn sigkill_in_the_middle_of_an_attachment_stream_leaves_a_consistent_vault() {
    let fx = Fixture::new();
    drop(fx.create());
    let acks = run_and_kill(&fx, "stream", "STREAMING");
    let (id, _) = acks.first().unwrap().clone();
    let mut v = fx.open();
    let report = v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{report:?}");
    let t = v.show(&id, None).unwrap();
    assert_eq!(t.narrative, "начало");
    assert!(
        t.attachments.is_empty(),
        "a half-written attachment must not appear"
    );
    // The vault is still fully usable.
    let data = b"after the crash".to_vec();
    v.attach(
        &id,
        &mut data.as_slice(),
        NewAttachment {
            name: "ok.txt".into(),
            ..Default::default()
        },
        &mut Silent,
    )
    .unwrap();
    assert!(v.verify(&mut Silent).unwrap().ok);
}
