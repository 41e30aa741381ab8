//! Packets of an Ogg stream (RFC 3533), read in place: a packet within one page is a
//! slice of the input, and only a packet continued across pages is copied (into a buffer
//! wiped when dropped). The remux to WebM reads an hour of speech, 180,000 packets,
//! twice on the way to the first sound; the `ogg` crate's reader allocates every packet
//! and checks every page's CRC, which took 90 ms of that.
//!
//! Page checksums are not checked: the bytes come out of the vault, authenticated. A
//! page damaged before the file was attached reaches the decoder as it is, which plays
//! the rest; a broken page structure is an error.

use crate::error::{Error, Result};
use std::ops::Deref;
use zeroize::Zeroizing;

/// A packet's bytes: in place, or joined from the pages it spans.
pub(crate) enum Data<'a> {
    Slice(&'a [u8]),
    Joined(Zeroizing<Vec<u8>>),
}

impl Deref for Data<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Data::Slice(s) => s,
            Data::Joined(v) => v,
        }
    }
}

pub(crate) struct Packet<'a> {
    pub data: Data<'a>,
    pub serial: u32,
}

/// The page being read: its lacing values, its body, and where the next packet starts.
struct Page<'a> {
    lacing: &'a [u8],
    body: &'a [u8],
    serial: u32,
    /// The next lacing value to read, and the body offset of the packet it continues.
    segment: usize,
    start: usize,
}

pub(crate) struct Packets<'a> {
    ogg: &'a [u8],
    at: usize,
    page: Option<Page<'a>>,
    /// A packet begun on an earlier page, continued on the next.
    pending: Zeroizing<Vec<u8>>,
}

const HEADER: usize = 27;
const CONTINUED: u8 = 0x01;

impl<'a> Packets<'a> {
    pub(crate) fn new(ogg: &'a [u8]) -> Self {
        Packets {
            ogg,
            at: 0,
            page: None,
            pending: Zeroizing::new(Vec::new()),
        }
    }

    /// The next packet; None at the end of the stream, or where a page is cut short (what
    /// a crash leaves ends with whole pages, but a copy may not).
    pub(crate) fn next(&mut self) -> Result<Option<Packet<'a>>> {
        loop {
            if let Some(page) = &mut self.page {
                let mut len = 0usize;
                while page.segment < page.lacing.len() {
                    let l = usize::from(page.lacing[page.segment]);
                    page.segment += 1;
                    len += l;
                    if l < 255 {
                        let piece = &page.body[page.start..page.start + len];
                        page.start += len;
                        let data = if self.pending.is_empty() {
                            Data::Slice(piece)
                        } else {
                            let mut joined = std::mem::take(&mut self.pending);
                            extend_wiped(&mut joined, piece);
                            Data::Joined(joined)
                        };
                        let serial = page.serial;
                        return Ok(Some(Packet { data, serial }));
                    }
                }
                // The page ends inside a packet: it continues on the next page.
                extend_wiped(&mut self.pending, &page.body[page.start..page.start + len]);
                self.page = None;
            }
            let Some(page) = self.read_page()? else {
                return Ok(None);
            };
            self.page = Some(page);
        }
    }

    fn read_page(&mut self) -> Result<Option<Page<'a>>> {
        let rest = &self.ogg[self.at..];
        if rest.len() < HEADER {
            return Ok(None);
        }
        if &rest[..4] != b"OggS" || rest[4] != 0 {
            return Err(Error::Format(format!("no Ogg page at byte {}", self.at)));
        }
        let Some(Header {
            flags,
            serial,
            lacing,
            body,
            len,
            ..
        }) = header(rest)
        else {
            return Ok(None);
        };
        self.at += len;
        let continued = flags & CONTINUED != 0;
        if !continued && !self.pending.is_empty() {
            return Err(Error::Format(
                "a packet continued on no following page".into(),
            ));
        }
        let mut page = Page {
            lacing,
            body,
            serial,
            segment: 0,
            start: 0,
        };
        if continued && self.pending.is_empty() {
            // The stream starts inside a packet (a cut copy): skip its tail.
            while page.segment < lacing.len() {
                let l = usize::from(lacing[page.segment]);
                page.segment += 1;
                page.start += l;
                if l < 255 {
                    break;
                }
            }
        }
        Ok(Some(page))
    }
}

/// A page's header fields, lacing values and body.
struct Header<'a> {
    flags: u8,
    granule: u64,
    serial: u32,
    lacing: &'a [u8],
    body: &'a [u8],
    /// The whole page's length.
    len: usize,
}

/// The page at the start of `bytes` (its capture pattern is the caller's to check); None
/// where it is cut short.
fn header(bytes: &[u8]) -> Option<Header<'_>> {
    let fixed = bytes.get(..HEADER)?;
    let segments = usize::from(fixed[26]);
    let lacing = bytes.get(HEADER..HEADER + segments)?;
    let body_len: usize = lacing.iter().map(|l| usize::from(*l)).sum();
    let len = HEADER + segments + body_len;
    Some(Header {
        flags: fixed[5],
        granule: u64::from_le_bytes(fixed[6..14].try_into().ok()?),
        serial: u32::from_le_bytes(fixed[14..18].try_into().ok()?),
        lacing,
        body: bytes.get(HEADER + segments..len)?,
        len,
    })
}

/// The granule position of the last page whole in `tail` on which a packet ends (a
/// page with none carries -1): the samples decoded by the end of the stream.
pub(crate) fn last_granule(tail: &[u8]) -> Option<u64> {
    (0..tail.len().saturating_sub(HEADER - 1))
        .rev()
        .filter(|&at| tail[at..].starts_with(b"OggS"))
        .filter_map(|at| header(&tail[at..]))
        .map(|h| h.granule)
        .find(|&g| g != u64::MAX)
}

/// Appends to a buffer of plaintext without leaving a copy behind: where it must grow,
/// its bytes move to a larger buffer and the old one is wiped as it is dropped (a `Vec`
/// growing by itself frees its old buffer unwiped).
fn extend_wiped(buf: &mut Zeroizing<Vec<u8>>, more: &[u8]) {
    let need = buf.len() + more.len();
    if need > buf.capacity() {
        let mut grown = Zeroizing::new(Vec::with_capacity(need.max(buf.capacity() * 2)));
        grown.extend_from_slice(buf);
        *buf = grown;
    }
    buf.extend_from_slice(more);
}
