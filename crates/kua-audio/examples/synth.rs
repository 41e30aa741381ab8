//! Writes SECONDS of a speech-like signal (a voiced tone whose pitch and loudness move
//! at syllable rate, with breath noise) as Ogg Opus, the way recordings are encoded:
//! `cargo run --release -p kua-audio --example synth -- OUT.opus SECONDS`. The playback
//! benchmark (docs/benchmarks.md) attaches such files to a testimony.

use kua_audio::{OggOpusWriter, SAMPLE_RATE};
use std::f64::consts::PI;
use std::io::BufWriter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(seconds)) = (args.next(), args.next()) else {
        return Err("usage: synth OUT.opus SECONDS".into());
    };
    let seconds: u64 = seconds.parse()?;
    let file = BufWriter::new(std::fs::File::create(&out)?);
    let mut writer = OggOpusWriter::new(file, 0x6b75_6121)?;
    let rate = f64::from(SAMPLE_RATE);
    let mut noise: u32 = 0x1234_5678;
    let mut phase = 0.0f64;
    let mut block = Vec::with_capacity(SAMPLE_RATE as usize);
    for s in 0..seconds {
        block.clear();
        for i in 0..SAMPLE_RATE {
            let t = s as f64 + f64::from(i) / rate;
            // Pitch glides around 140 Hz; loudness follows 4 syllables a second with a
            // pause every few seconds.
            let pitch = 140.0 + 30.0 * (2.0 * PI * 0.3 * t).sin();
            phase += 2.0 * PI * pitch / rate;
            let syllable = (2.0 * PI * 4.0 * t).sin().max(0.0);
            let phrase = if (t % 5.0) > 4.2 { 0.05 } else { 1.0 };
            let voiced: f64 = (1..=8)
                .map(|h| (phase * f64::from(h)).sin() / f64::from(h))
                .sum();
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            let breath = (f64::from(noise) / f64::from(u32::MAX) - 0.5) * 0.05;
            let v = (voiced * 0.25 * syllable * phrase + breath).clamp(-1.0, 1.0);
            block.push((v * 32_000.0) as i16);
        }
        writer.push(&block)?;
    }
    writer.finish()?;
    Ok(())
}
