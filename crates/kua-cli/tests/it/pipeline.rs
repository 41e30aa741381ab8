//! Three hours of synthetic audio through the recording pipeline a recorder runs
//! (encode → append → flush every second → finish), much faster than real time, in
//! constant memory; the stream that comes out of the vault decodes to the full length
//! at the tone's frequency.

use kua_audio::{decode_ogg_opus, dominant_frequency, sine, Recorder, SAMPLE_RATE};
use kua_core::model::TestimonyInput;
use kua_core::{CreateOptions, KdfParams, NewRecording, Seams, Silent, Vault};
use secrecy::SecretString;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

/// RSS is the whole process's, and the other tests of this binary run beside this one
/// and allocate: the pipeline runs in a child process of its own (this binary again,
/// this test alone, with KUA_PIPELINE_CHILD set), so the memory it measures is its own.
#[test]
fn three_hours_of_audio_go_through_encode_encrypt_store_in_flat_memory() {
    if std::env::var_os("KUA_PIPELINE_CHILD").is_some() {
        return three_hours_in_this_process();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "pipeline::three_hours_of_audio_go_through_encode_encrypt_store_in_flat_memory",
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("KUA_PIPELINE_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn three_hours_in_this_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.kua");
    let options = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let (mut v, _) = Vault::create(
        &path,
        &SecretString::from("three hours of testimony"),
        options,
        Seams::system(),
    )
    .unwrap();
    let id = v.add(&TestimonyInput::default()).unwrap();
    let rec = v
        .begin_recording(
            &id,
            NewRecording {
                name: "long.opus".into(),
                media_type: "audio/ogg".into(),
            },
        )
        .unwrap();
    let second = sine(440.0, SAMPLE_RATE, 1.0);
    let mut recorder = Recorder::new(3).unwrap();
    let hours = 3;
    let mut rss_early = 0;
    for s in 0..hours * 3600 {
        recorder.push(&second).unwrap();
        v.append_recording(&rec, &recorder.take()).unwrap();
        if recorder.flush_due() {
            v.flush_recording(&rec, &[]).unwrap();
            recorder.flushed();
        }
        if s == 600 {
            rss_early = rss_kib();
        }
    }
    let rss_late = rss_kib();
    let last = recorder.finish().unwrap();
    v.append_recording(&rec, &last).unwrap();
    let info = v.finish_recording(&rec, &[]).unwrap();
    // Memory after ten minutes and after three hours: the pipeline holds no more than
    // a chunk and a frame, whatever the length.
    assert!(
        rss_late < rss_early + 8 * 1024,
        "RSS grew from {rss_early} KiB to {rss_late} KiB"
    );
    // 24 kbit/s is about 10.8 MB an hour, and a pure tone costs less than speech.
    assert!(info.size < 11 * 1024 * 1024 * hours, "{}", info.size);
    let mut bytes = Vec::new();
    v.extract(&id, &rec, &mut bytes, &mut Silent).unwrap();
    assert_eq!(bytes.len() as u64, info.size);
    let decoded = decode_ogg_opus(&bytes).unwrap();
    assert!(
        (decoded.seconds() - (hours * 3600) as f64).abs() < 0.05,
        "{} s",
        decoded.seconds()
    );
    let tail = &decoded.samples[decoded.samples.len() - SAMPLE_RATE as usize * 2..];
    assert_eq!(dominant_frequency(tail, SAMPLE_RATE), Some(440.0));
    assert!(v.verify(&mut Silent).unwrap().ok);
}
