//! Opus in Ogg through encoding and decoding: duration and frequency survive, the
//! stream is whole after every page, and a long recording takes constant memory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kua_audio::{decode_ogg_opus, dominant_frequency, sine, OggOpusWriter, SAMPLE_RATE};

#[test]
fn a_tone_keeps_its_frequency_and_duration() {
    for freq in [440.0, 1_000.0] {
        let pcm = sine(freq, SAMPLE_RATE, 3.0);
        let mut w = OggOpusWriter::new(Vec::new(), 7).unwrap();
        for block in pcm.chunks(1_234) {
            w.push(block).unwrap();
        }
        let bytes = w.finish().unwrap();
        let decoded = decode_ogg_opus(&bytes).unwrap();
        assert!(
            (decoded.seconds() - 3.0).abs() < 0.03,
            "{}",
            decoded.seconds()
        );
        assert_eq!(
            dominant_frequency(&decoded.samples, SAMPLE_RATE),
            Some(freq)
        );
        // 24 kbit/s: about 9 KB for 3 s, headers and page overhead included.
        assert!(bytes.len() < 14_000, "{}", bytes.len());
    }
}

#[test]
fn every_prefix_cut_at_a_page_boundary_decodes() {
    // What a crash leaves is a prefix of the stream: it must decode as far as it goes.
    let pcm = sine(700.0, SAMPLE_RATE, 5.0);
    let mut w = OggOpusWriter::new(Vec::new(), 9).unwrap();
    let mut cuts = Vec::new();
    for block in pcm.chunks(4_800) {
        w.push(block).unwrap();
        cuts.push(w.sink().len());
    }
    // Pages end on whole seconds: after 1.0 s of audio the first second is out.
    assert!(cuts[9] > cuts[8], "{cuts:?}");
    let bytes = w.finish().unwrap();
    for cut in cuts.into_iter().filter(|&c| c > 200) {
        let decoded = decode_ogg_opus(&bytes[..cut]).unwrap();
        assert!(decoded.seconds() > 0.0);
        assert_eq!(
            dominant_frequency(&decoded.samples, SAMPLE_RATE),
            Some(700.0)
        );
    }
}

#[test]
fn garbage_is_refused_with_a_format_error() {
    let err = decode_ogg_opus(b"not an ogg stream at all").unwrap_err();
    assert_eq!(err.code(), "audio_format");
}
