//! A take: the microphone feeding the recorder, with pause, a level meter and the
//! moments the front end must hand bytes to the vault. Both front ends (`kua record`
//! and the desktop app) drive one of these in a loop:
//!
//! ```text
//! loop { let step = take.step(wait)?; vault.append(step.bytes);
//!        if step.flush { vault.flush(markers); take.flushed(); } }
//! ```
//!
//! A `Take` owns the capture stream, which the audio back end ties to the thread that
//! opened it, so a take lives and dies on one thread.

use crate::capture::Capture;
use crate::error::{Error, Result};
use crate::recorder::Recorder;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the microphone may send nothing, while not paused, before the take is
/// considered dead (unplugged, or taken by another program).
pub const SILENT_DEVICE: Duration = Duration::from_secs(5);

/// What one step produced.
#[derive(Debug, Default)]
pub struct Step {
    /// Encoded bytes (whole Ogg pages) to append to the recording.
    pub bytes: Vec<u8>,
    /// Whether to make everything appended so far durable now.
    pub flush: bool,
}

#[derive(Debug)]
pub struct Take {
    capture: Capture,
    blocks: Receiver<Vec<i16>>,
    recorder: Recorder,
    paused: bool,
    last_audio: Instant,
    /// The loudest sample since the meter was last read, 0..=32767.
    peak: u16,
}

impl Take {
    /// Opens the named input (or the default one) and starts encoding.
    pub fn start(device: Option<&str>, serial: u32) -> Result<Take> {
        let (sink, blocks) = sync_channel(256);
        let capture = Capture::start(device, sink)?;
        Ok(Take {
            capture,
            blocks,
            recorder: Recorder::new(serial)?,
            paused: false,
            last_audio: Instant::now(),
            peak: 0,
        })
    }

    /// Waits up to `wait` for audio, encodes all that has arrived, and returns the bytes
    /// for the vault. Fails when the microphone stopped sending (see `SILENT_DEVICE`);
    /// what was recorded until then is still the caller's to finish.
    pub fn step(&mut self, wait: Duration) -> Result<Step> {
        let mut got = match self.blocks.recv_timeout(wait) {
            Ok(block) => Some(block),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Err(Error::DeviceGone),
        };
        while let Some(block) = got {
            self.last_audio = Instant::now();
            if !self.paused {
                // Blocks already in the channel when the pause came are dropped, so
                // nothing said after "pause" is recorded.
                self.peak = block
                    .iter()
                    .map(|s| s.unsigned_abs())
                    .fold(self.peak, u16::max);
                self.recorder.push(&block)?;
            }
            got = self.blocks.try_recv().ok();
        }
        if self.paused {
            // A paused stream sends nothing; that is not a dead device.
            self.last_audio = Instant::now();
        } else if self.last_audio.elapsed() > SILENT_DEVICE {
            return Err(Error::DeviceGone);
        }
        Ok(Step {
            bytes: self.recorder.take(),
            flush: self.recorder.flush_due(),
        })
    }

    /// The caller made what `step` gave it durable.
    pub fn flushed(&mut self) {
        self.recorder.flushed();
    }

    pub fn pause(&mut self) -> Result<()> {
        self.capture.set_paused(true)?;
        self.paused = true;
        Ok(())
    }

    pub fn resume(&mut self) -> Result<()> {
        self.capture.set_paused(false)?;
        self.paused = false;
        self.last_audio = Instant::now();
        Ok(())
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Milliseconds of audio recorded (pauses excluded): the time markers carry.
    pub fn elapsed_ms(&self) -> u64 {
        self.recorder.elapsed_ms()
    }

    /// The peak level since the last call, in dBFS (-90 for silence), and resets it.
    pub fn read_level(&mut self) -> f32 {
        let peak = std::mem::take(&mut self.peak);
        level_dbfs(peak)
    }

    /// Stops the microphone and ends the stream; returns the last bytes to append.
    pub fn finish(self) -> Result<Vec<u8>> {
        drop(self.capture);
        self.recorder.finish()
    }
}

/// A sample's magnitude in dB relative to full scale, floored at -90.
pub fn level_dbfs(peak: u16) -> f32 {
    if peak == 0 {
        return -90.0;
    }
    (20.0 * (f32::from(peak) / 32_767.0).log10()).max(-90.0)
}

#[cfg(test)]
mod tests {
    use super::level_dbfs;

    #[test]
    fn levels_are_in_dbfs() {
        assert_eq!(level_dbfs(0), -90.0);
        assert!((level_dbfs(32_767)).abs() < 0.01);
        assert!((level_dbfs(16_384) + 6.02).abs() < 0.05);
        // One step above silence is -90.3 dB: floored.
        assert_eq!(level_dbfs(1), -90.0);
        assert!((level_dbfs(33) + 59.9).abs() < 0.1);
    }
}
