//! Audio for Kua's interview recordings: capture from a microphone (cpal over ALSA and
//! PulseAudio), encoding to Opus in an Ogg stream (RFC 7845), and the decoding and
//! tone analysis that tests and checks need, and the remux of a recording to WebM for
//! players that stream only that. It knows nothing of vaults: the encoder
//! writes to any `Write`, and a [`Take`] tells the front end when to move its bytes
//! into the vault's recording API (every second of audio).

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod capture;
mod decode;
mod encode;
mod error;
mod head;
mod pages;
mod recorder;
mod take;
mod tone;
mod webm;

pub use capture::{input_devices, Capture, InputDevice};
pub use decode::{decode_ogg_opus, Decoded};
pub use encode::{OggOpusWriter, BITRATE, SAMPLE_RATE};
pub use error::{Error, Result};
pub use recorder::{Recorder, FLUSH_EVERY_SAMPLES};
pub use take::{level_dbfs, Step, Take, SILENT_DEVICE};
pub use tone::{dominant_frequency, sine};
pub use webm::{ogg_opus_to_webm, ogg_opus_to_webm_prefix, TAIL, WEBM_OPUS};
