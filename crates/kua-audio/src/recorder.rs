//! The recording pipeline between the microphone and the vault: PCM in, Ogg Opus pages
//! out, and the moment to make them durable. The caller moves `take()`'s bytes into the
//! vault (`Vault::append_recording`) and flushes when `flush_due()` says so, so that a
//! crash loses at most `FLUSH_EVERY` of audio.

use crate::encode::{OggOpusWriter, SAMPLE_RATE};
use crate::error::Result;

/// How often to flush: every second of audio, right after the encoder ends a page, so
/// a crash loses at most a second (plus the block in flight; the requirement is two).
pub const FLUSH_EVERY_SAMPLES: u64 = SAMPLE_RATE as u64;

#[derive(Debug)]
pub struct Recorder {
    writer: OggOpusWriter<Vec<u8>>,
    flushed_at: u64,
}

impl Recorder {
    pub fn new(serial: u32) -> Result<Recorder> {
        Ok(Recorder {
            writer: OggOpusWriter::new(Vec::new(), serial)?,
            flushed_at: 0,
        })
    }

    /// Encodes mono 48 kHz samples.
    pub fn push(&mut self, pcm: &[i16]) -> Result<()> {
        self.writer.push(pcm)
    }

    /// The encoded bytes since the last call (whole Ogg pages).
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.sink())
    }

    /// Whether a second or more of audio has been encoded since the last flush.
    pub fn flush_due(&self) -> bool {
        self.writer.samples() - self.flushed_at >= FLUSH_EVERY_SAMPLES
    }

    /// The caller flushed what `take()` gave it.
    pub fn flushed(&mut self) {
        self.flushed_at = self.writer.samples();
    }

    /// Milliseconds of audio encoded so far (marker times use it).
    pub fn elapsed_ms(&self) -> u64 {
        self.writer.samples() * 1000 / u64::from(SAMPLE_RATE)
    }

    /// Ends the stream; returns the last bytes.
    pub fn finish(self) -> Result<Vec<u8>> {
        self.writer.finish()
    }
}
