//! Synthetic tones and the check that a decoded recording has the tone's frequency.

/// `seconds` of a sine at `freq` Hz, mono, amplitude one third of full scale.
pub fn sine(freq: f64, rate: u32, seconds: f64) -> Vec<i16> {
    let n = (f64::from(rate) * seconds) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            ((2.0 * std::f64::consts::PI * freq * t).sin() * 10_000.0) as i16
        })
        .collect()
}

/// The power of `samples` at `freq` (Goertzel).
fn power(samples: &[i16], rate: u32, freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// The strongest frequency between 50 Hz and 4 kHz, in 5 Hz steps, over the middle of
/// the signal (up to one second of it).
pub fn dominant_frequency(samples: &[i16], rate: u32) -> Option<f64> {
    let len = samples.len().min(rate as usize);
    let start = (samples.len() - len) / 2;
    let window = &samples[start..start + len];
    if window.is_empty() {
        return None;
    }
    (10..=800)
        .map(|k| f64::from(k) * 5.0)
        .map(|f| (f, power(window, rate, f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(f, _)| f)
}
