//! The identification header that starts every Ogg Opus stream (RFC 7845 §5.1), read by
//! the decoder and the remux alike.

use crate::error::{Error, Result};

pub(crate) struct OpusHead {
    pub channels: u8,
    /// Samples the decoder drops at the start (the encoder's look-ahead).
    pub pre_skip: u64,
}

impl OpusHead {
    pub(crate) fn parse(packet: &[u8]) -> Result<Self> {
        if packet.len() < 19 || &packet[..8] != b"OpusHead" {
            return Err(Error::Format("not Opus (no OpusHead)".into()));
        }
        Ok(OpusHead {
            channels: packet[9],
            pre_skip: u64::from(u16::from_le_bytes([packet[10], packet[11]])),
        })
    }
}
