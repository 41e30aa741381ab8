//! A media file's bytes on the importer's side of the import's two stages.

use super::{Event, Reading};
use std::io::Read;
use zeroize::Zeroizing;

/// A media file's bytes as the first stage hands them over, until `MediaEnd`. Any
/// other end (the stage stopped on a damaged bundle) is an error, never an end.
pub(crate) struct MediaBytes<'r> {
    reading: &'r mut Reading,
    piece: Zeroizing<Vec<u8>>,
    at: usize,
    ended: bool,
}

impl<'r> MediaBytes<'r> {
    pub(crate) fn new(reading: &'r mut Reading) -> MediaBytes<'r> {
        MediaBytes {
            reading,
            piece: Zeroizing::new(Vec::new()),
            at: 0,
            ended: false,
        }
    }

    /// Reads and drops what the importer left unread of this file.
    pub(crate) fn skip(&mut self) -> std::io::Result<()> {
        std::io::copy(self, &mut std::io::sink()).map(|_| ())
    }
}

impl Read for MediaBytes<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() {
            if self.ended || buf.is_empty() {
                return Ok(0);
            }
            match self.reading.next() {
                Some(Event::Bytes(piece)) => {
                    self.piece = piece;
                    self.at = 0;
                }
                Some(Event::MediaEnd) => self.ended = true,
                _ => {
                    return Err(std::io::Error::other(
                        "the bundle's reading stopped in the middle of a media file",
                    ))
                }
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
