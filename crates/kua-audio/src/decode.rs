//! Decoding an Ogg Opus stream back to PCM, for checks and tests (playback in the app
//! is the webview's).

use crate::encode::SAMPLE_RATE;
use crate::error::{Error, Result};
use crate::head::OpusHead;
use ogg::reading::PacketReader;
use opus::{Channels, Decoder};
use std::io::Cursor;

/// Decoded mono audio at 48 kHz.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub samples: Vec<i16>,
    pub sample_rate: u32,
}

impl Decoded {
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate)
    }
}

pub fn decode_ogg_opus(bytes: &[u8]) -> Result<Decoded> {
    let mut reader = PacketReader::new(Cursor::new(bytes));
    let mut decoder = Decoder::new(SAMPLE_RATE, Channels::Mono)?;
    let mut samples = Vec::new();
    let mut pre_skip = 0usize;
    let mut index = 0usize;
    let mut last_granule = 0u64;
    let mut buf = vec![0i16; 5760];
    while let Some(packet) = reader
        .read_packet()
        .map_err(|e| Error::Format(e.to_string()))?
    {
        match index {
            0 => {
                let head = OpusHead::parse(&packet.data)?;
                pre_skip = usize::try_from(head.pre_skip).unwrap_or(usize::MAX);
            }
            1 => {
                if !packet.data.starts_with(b"OpusTags") {
                    return Err(Error::Format("no OpusTags".into()));
                }
            }
            _ => {
                let n = decoder.decode(&packet.data, &mut buf, false)?;
                samples.extend_from_slice(&buf[..n]);
                last_granule = packet.absgp_page();
            }
        }
        index += 1;
    }
    if index < 2 {
        return Err(Error::Format("the stream has no headers".into()));
    }
    // The final granule position says how many samples are real (RFC 7845 §4).
    let end = usize::try_from(last_granule)
        .unwrap_or(usize::MAX)
        .min(samples.len());
    let start = pre_skip.min(end);
    Ok(Decoded {
        samples: samples[start..end].to_vec(),
        sample_rate: SAMPLE_RATE,
    })
}
