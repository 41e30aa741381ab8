//! `kua record` from a fake microphone: a PulseAudio null sink whose monitor is remapped
//! as a source (scripts/fake-mic.sh, which starts PulseAudio when none runs), fed a
//! 500 Hz tone with `pacat`. The recording must decode to the tone's frequency and to
//! about the recorded length; killed mid-recording, it is recovered at the next unlock
//! with everything but the last two seconds.

use crate::Env;
use kua_audio::{decode_ogg_opus, dominant_frequency};
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const TONE: f64 = 500.0;

/// The tone player; stopped (and reaped) when dropped, whatever the test's outcome.
pub(crate) struct Tone(Child);

impl Drop for Tone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Makes sure PulseAudio runs with the fake microphone as its default source
/// (scripts/fake-mic.sh, which the desktop tests use too), and plays the tone into it
/// until the returned player is dropped.
pub(crate) fn fake_microphone(dir: &std::path::Path) -> Tone {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fake-mic.sh");
    let up = Command::new("bash")
        .arg(&script)
        .arg("up")
        .status()
        .expect("bash");
    assert!(up.success(), "scripts/fake-mic.sh up failed");
    // 60 s of the tone, 44.1 kHz stereo: the capture side resamples and downmixes.
    let rate = 44_100;
    let mut raw = Vec::with_capacity(rate * 60 * 4);
    for i in 0..rate * 60 {
        let v =
            ((2.0 * std::f64::consts::PI * TONE * i as f64 / rate as f64).sin() * 10_000.0) as i16;
        raw.extend_from_slice(&v.to_le_bytes());
        raw.extend_from_slice(&v.to_le_bytes());
    }
    let file = dir.join("tone.raw");
    std::fs::write(&file, raw).unwrap();
    let child = Command::new("pacat")
        .args([
            "--device=kua-fake-sink",
            "--format=s16le",
            "--rate=44100",
            "--channels=2",
        ])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pacat (pulseaudio-utils)");
    std::thread::sleep(Duration::from_millis(500));
    Tone(child)
}

fn recording(env: &Env, id: &str) -> (Value, Vec<u8>) {
    let shown = env.json(&["show", id]);
    let att = shown["attachments"][0].clone();
    let out = env.dir.path().join("out.opus");
    env.ok(&[
        "extract",
        id,
        att["id"].as_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    (att, std::fs::read(out).unwrap())
}

fn testimony(env: &Env) -> String {
    env.init();
    let out = env.run_with(&["add", "-"], r#"{"narrative": "запись интервью"}"#);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn records_a_tone_from_a_fake_microphone_and_survives_a_kill() {
    let env = Env::new();
    let _tone = fake_microphone(env.dir.path());
    let id = testimony(&env);

    // A three-second recording with a marker typed on standard input.
    let out = env.run_with(
        &["record", &id, "--duration", "3", "--json"],
        "#detention задержание\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["media_type"], "audio/ogg");
    assert_eq!(info["markers"][0]["section"], "detention");
    let (att, bytes) = recording(&env, &id);
    assert_eq!(att["sha256"], info["sha256"]);
    let decoded = decode_ogg_opus(&bytes).unwrap();
    assert!(
        (2.0..3.6).contains(&decoded.seconds()),
        "{} s",
        decoded.seconds()
    );
    assert_eq!(
        dominant_frequency(&decoded.samples, decoded.sample_rate),
        Some(TONE)
    );

    // Killed after about four seconds: the next unlock recovers what was flushed.
    let env2 = Env::new();
    let id2 = testimony(&env2);
    let mut recorder = env2
        .cmd(&["record", &id2, "--duration", "60"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(4_000));
    recorder.kill().unwrap();
    recorder.wait().unwrap();
    let log = env2.run(&["list"]);
    assert!(
        String::from_utf8_lossy(&log.stderr).contains("recovered an interrupted recording"),
        "{}",
        String::from_utf8_lossy(&log.stderr)
    );
    let (_, bytes) = recording(&env2, &id2);
    let decoded = decode_ogg_opus(&bytes).unwrap();
    // About four seconds ran (start-up included); at most two may be lost.
    assert!(decoded.seconds() >= 1.5, "{} s", decoded.seconds());
    assert_eq!(
        dominant_frequency(&decoded.samples, decoded.sample_rate),
        Some(TONE)
    );
    let history = env2.json(&["history", &id2]);
    let events: Vec<&str> = history["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["event"].as_str())
        .collect();
    assert!(events.contains(&"recording_started"), "{events:?}");
    assert!(events.contains(&"recording_recovered"), "{events:?}");
}
