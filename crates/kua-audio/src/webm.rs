//! Ogg Opus to WebM, packet for packet: the same Opus packets, no re-encoding, in the
//! container that WebKitGTK's Media Source Extensions accept (they take WebM and MP4,
//! not Ogg). The player can then start on the first seconds of an hour-long recording
//! while the rest is still arriving, instead of waiting for the whole file and reading
//! all of it to learn its duration.
//!
//! The output follows the Matroska codec mapping for Opus: `A_OPUS`, the stream's
//! `OpusHead` as CodecPrivate, its pre-skip as CodecDelay and 80 ms of SeekPreRoll. Every
//! packet becomes one SimpleBlock, stamped in milliseconds with the samples of all the
//! packets before it (counted from their TOC bytes, RFC 6716 §3.1), so that timestamps
//! never depend on how the Ogg stream was paged. Every Opus packet can start decoding,
//! so every block is a key frame and a player may seek to any of them.

use crate::encode::SAMPLE_RATE;
use crate::error::{Error, Result};
use crate::head::OpusHead;
use crate::pages::{last_granule, Packet, Packets};
use zeroize::Zeroize;

/// A new cluster starts every this many milliseconds: small enough that a player holds
/// little it cannot yet use, far below the ±32 s a block's relative timestamp can reach.
const CLUSTER_MS: u64 = 5_000;

/// Matroska's default TimecodeScale: timestamps count milliseconds.
const TIMECODE_SCALE_NS: u64 = 1_000_000;

/// The media type of what [`ogg_opus_to_webm`] writes, as Media Source Extensions name it.
pub const WEBM_OPUS: &str = "audio/webm; codecs=\"opus\"";

/// How much of the end of a recording [`ogg_opus_to_webm_prefix`] needs: its last page,
/// whose granule position gives the duration.
pub const TAIL: usize = 64 * 1024;

/// Rewrites an Ogg Opus stream (one logical stream, RFC 7845) as WebM. Refuses, with
/// [`Error::Format`], anything else: another codec, a chained or multiplexed stream, a
/// packet whose duration cannot be read, a stream with no audio, or one of packets so
/// small that its WebM would be more than twice its size (real speech is 60 bytes a
/// packet; a crafted file of one-byte packets must not make the shell allocate gigabytes).
/// The caller then plays the original instead.
///
/// The stream is read twice, keeping no packet: once to count the output's size, once
/// to write into an allocation of exactly that size. The output is the recording's
/// plaintext, so it is never moved to a larger allocation, which would leave a copy
/// behind in freed memory.
pub fn ogg_opus_to_webm(ogg: &[u8]) -> Result<Vec<u8>> {
    let tail = &ogg[ogg.len().saturating_sub(TAIL)..];
    write(ogg, duration_ms(ogg, tail)?, true)
}

/// The first bytes of what [`ogg_opus_to_webm`] makes of the whole recording, from its
/// first bytes (`start`) and its last [`TAIL`] bytes: the header and every cluster that
/// `start` holds whole. They are exactly the whole remux's first bytes (the segment's
/// size is left unknown, as streaming WebM allows, so that nothing in them depends on
/// the rest), and a player can start on them while the rest is remuxed.
pub fn ogg_opus_to_webm_prefix(start: &[u8], tail: &[u8]) -> Result<Vec<u8>> {
    write(start, duration_ms(start, tail)?, false)
}

fn write(ogg: &[u8], duration_ms: f64, whole: bool) -> Result<Vec<u8>> {
    let mut size = Count(0);
    remux(ogg, &mut size, duration_ms, whole)?;
    if size.0 > ogg.len().saturating_mul(2).saturating_add(64 * 1024) {
        return Err(Error::Format("too many small packets".into()));
    }
    let mut out = Buffer {
        bytes: Vec::with_capacity(size.0),
        overflowed: false,
    };
    remux(ogg, &mut out, duration_ms, whole)?;
    // Both passes read the same bytes the same way; only a prefix drops what would not
    // fit (its open cluster).
    if out.bytes.len() != size.0 || (whole && out.overflowed) {
        out.bytes.zeroize();
        return Err(Error::Format(
            "the remux did not come to its counted size".into(),
        ));
    }
    Ok(out.bytes)
}

/// The audio's duration: the last page's granule position (the samples decoded by its
/// end, RFC 7845 §4) less the pre-skip. The last page is the last one whole in `tail`.
fn duration_ms(start: &[u8], tail: &[u8]) -> Result<f64> {
    let head = Packets::new(start)
        .next()?
        .ok_or_else(|| Error::Format("the stream is empty".into()))?;
    let pre_skip = OpusHead::parse(&head.data)?.pre_skip;
    let real = last_granule(tail).unwrap_or(0).saturating_sub(pre_skip);
    if real == 0 {
        return Err(Error::Format("the stream holds no audio".into()));
    }
    Ok(real as f64 * 1000.0 / f64::from(SAMPLE_RATE))
}

/// Where the remux writes: a buffer, or a count of what would be written.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
    fn len(&self) -> usize;
    /// Overwrites bytes already put (a size filled in once its element is written).
    fn patch(&mut self, at: usize, bytes: &[u8]);
    /// Drops what was put from `len` on.
    fn truncate(&mut self, len: usize);
}

/// The output: a buffer that never grows past the capacity it was given (the size
/// counted beforehand). What a prefix's last cluster would put past it is dropped as it
/// comes, not written and cut off later, which would have moved the buffer to a larger
/// allocation; anything else put past it is a fault the caller sees (`overflowed`).
struct Buffer {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl Sink for Buffer {
    fn put(&mut self, bytes: &[u8]) {
        let room = self.bytes.capacity() - self.bytes.len();
        self.overflowed |= bytes.len() > room;
        self.bytes
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
    fn len(&self) -> usize {
        self.bytes.len()
    }
    fn patch(&mut self, at: usize, bytes: &[u8]) {
        match self.bytes.get_mut(at..at + bytes.len()) {
            Some(to) => to.copy_from_slice(bytes),
            None => self.overflowed = true,
        }
    }
    fn truncate(&mut self, len: usize) {
        self.bytes.truncate(len);
    }
}

struct Count(usize);

impl Sink for Count {
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
    fn len(&self) -> usize {
        self.0
    }
    fn patch(&mut self, _: usize, _: &[u8]) {}
    fn truncate(&mut self, len: usize) {
        self.0 = self.0.min(len);
    }
}

/// Writes the WebM of `ogg` to `out`, stating `duration_ms` in its header. Unless `whole`,
/// `ogg` is the start of a recording and its last cluster, which may go on past it, is
/// left out.
fn remux(ogg: &[u8], out: &mut impl Sink, duration_ms: f64, whole: bool) -> Result<()> {
    let mut packets = Packets::new(ogg);
    let bad = |what: &str| Error::Format(what.to_owned());
    let head = packets.next()?.ok_or_else(|| bad("the stream is empty"))?;
    let serial = head.serial;
    let OpusHead { channels, pre_skip } = OpusHead::parse(&head.data)?;
    let tags = packets.next()?.ok_or_else(|| bad("no OpusTags"))?;
    if tags.serial != serial || !tags.data.starts_with(b"OpusTags") {
        return Err(bad("no OpusTags"));
    }

    ebml_header(out);
    // The segment's size is "unknown" (all ones), so that the header does not depend
    // on the rest of the recording; its clusters have their sizes.
    out.put(&[
        0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ]);
    info(out, duration_ms);
    tracks(out, &head.data, channels, pre_skip);
    let mut samples = 0u64;
    // The open cluster: where it begins, where its size goes, and its time.
    let mut cluster: Option<(usize, usize, u64)> = None;
    while let Some(Packet {
        data,
        serial: packet_serial,
    }) = packets.next()?
    {
        if packet_serial != serial {
            return Err(bad("more than one logical stream"));
        }
        let ms = samples * 1000 / u64::from(SAMPLE_RATE);
        samples += packet_samples(&data).ok_or_else(|| bad("an Opus packet has no duration"))?;
        let start = match cluster {
            Some((_, _, start)) if ms < start + CLUSTER_MS => start,
            _ => {
                if let Some((_, pos, _)) = cluster {
                    close(out, pos);
                }
                let begin = out.len();
                let pos = open(out, &[0x1F, 0x43, 0xB6, 0x75]);
                uint(out, &[0xE7], ms);
                cluster = Some((begin, pos, ms));
                ms
            }
        };
        // In range by construction: `ms - start` is below CLUSTER_MS.
        let relative = i16::try_from(ms - start).map_err(|_| bad("a block's time"))?;
        element_header(out, &[0xA3], 4 + data.len() as u64);
        out.put(&[0x81]); // track 1
        out.put(&relative.to_be_bytes());
        out.put(&[0x80]); // key frame
        out.put(&data);
    }
    if let Some((begin, pos, _)) = cluster {
        if whole {
            close(out, pos);
        } else {
            out.truncate(begin);
        }
    }
    Ok(())
}

/// Samples at 48 kHz in one Opus packet, from its TOC byte and frame count (RFC 6716
/// §3.1); None for an empty or malformed packet.
pub(crate) fn packet_samples(packet: &[u8]) -> Option<u64> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    let frame: u64 = match config {
        // SILK: 10, 20, 40, 60 ms.
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)],
        // Hybrid: 10, 20 ms.
        12..=15 => [480, 960][usize::from(config % 2)],
        // CELT: 2.5, 5, 10, 20 ms.
        _ => [120, 240, 480, 960][usize::from(config % 4)],
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*packet.get(1)? & 0x3F),
    };
    // A packet holds at most 120 ms (RFC 6716 §3.2.5).
    (frames > 0 && frame * frames <= 5760).then_some(frame * frames)
}

fn ebml_header(out: &mut impl Sink) {
    let pos = open(out, &[0x1A, 0x45, 0xDF, 0xA3]);
    uint(out, &[0x42, 0x86], 1); // EBMLVersion
    uint(out, &[0x42, 0xF7], 1); // EBMLReadVersion
    uint(out, &[0x42, 0xF2], 4); // EBMLMaxIDLength
    uint(out, &[0x42, 0xF3], 8); // EBMLMaxSizeLength
    bytes(out, &[0x42, 0x82], b"webm"); // DocType
    uint(out, &[0x42, 0x87], 4); // DocTypeVersion
    uint(out, &[0x42, 0x85], 2); // DocTypeReadVersion
    close(out, pos);
}

fn info(out: &mut impl Sink, duration_ms: f64) {
    let pos = open(out, &[0x15, 0x49, 0xA9, 0x66]);
    uint(out, &[0x2A, 0xD7, 0xB1], TIMECODE_SCALE_NS);
    bytes(out, &[0x4D, 0x80], b"kua"); // MuxingApp
    bytes(out, &[0x57, 0x41], b"kua"); // WritingApp
    bytes(out, &[0x44, 0x89], &duration_ms.to_be_bytes()); // Duration
    close(out, pos);
}

fn tracks(out: &mut impl Sink, opus_head: &[u8], channels: u8, pre_skip: u64) {
    let pos = open(out, &[0x16, 0x54, 0xAE, 0x6B]);
    let entry = open(out, &[0xAE]);
    uint(out, &[0xD7], 1); // TrackNumber
    uint(out, &[0x73, 0xC5], 1); // TrackUID
    uint(out, &[0x83], 2); // TrackType: audio
    bytes(out, &[0x86], b"A_OPUS"); // CodecID
    bytes(out, &[0x63, 0xA2], opus_head); // CodecPrivate
    uint(
        out,
        &[0x56, 0xAA],
        pre_skip * 1_000_000_000 / u64::from(SAMPLE_RATE),
    ); // CodecDelay, ns
    uint(out, &[0x56, 0xBB], 80_000_000); // SeekPreRoll, ns
    let audio = open(out, &[0xE1]);
    bytes(out, &[0xB5], &f64::from(SAMPLE_RATE).to_be_bytes()); // SamplingFrequency
    uint(out, &[0x9F], u64::from(channels)); // Channels
    close(out, audio);
    close(out, entry);
    close(out, pos);
}

/// Size fields of elements written before their content is known take eight bytes.
const OPEN_SIZE: usize = 8;

/// Writes an element's id and room for its size; [`close`] fills the size in.
fn open(out: &mut impl Sink, id: &[u8]) -> usize {
    out.put(id);
    let pos = out.len();
    out.put(&[0; OPEN_SIZE]);
    pos
}

fn close(out: &mut impl Sink, pos: usize) {
    let size = (out.len() - pos - OPEN_SIZE) as u64;
    // An eight-byte size: the marker 0x01, then the value in the other seven bytes. The
    // output is capped at twice a playable file (512 MiB), far below 2^56 bytes.
    let mut field = size.to_be_bytes();
    field[0] = 0x01;
    out.patch(pos, &field);
}

fn element_header(out: &mut impl Sink, id: &[u8], size: u64) {
    out.put(id);
    // The shortest variable-length integer; a value of all ones means "unknown size"
    // and is avoided.
    let mut len = 1;
    while len < 8 && size >= (1u64 << (7 * len)) - 1 {
        len += 1;
    }
    let marked = size | (1u64 << (7 * len));
    out.put(&marked.to_be_bytes()[8 - len..]);
}

fn uint(out: &mut impl Sink, id: &[u8], value: u64) {
    let be = value.to_be_bytes();
    let skip = be.iter().take(7).take_while(|b| **b == 0).count();
    bytes(out, id, &be[skip..]);
}

fn bytes(out: &mut impl Sink, id: &[u8], data: &[u8]) {
    element_header(out, id, data.len() as u64);
    out.put(data);
}

#[cfg(test)]
mod tests {
    use super::{element_header, packet_samples};

    #[test]
    fn packet_durations_follow_the_toc_byte() {
        assert_eq!(packet_samples(&[]), None);
        // CELT 20 ms, one frame (what Kua's encoder writes).
        assert_eq!(packet_samples(&[31 << 3]), Some(960));
        // SILK 60 ms, two frames: 120 ms, the most a packet may hold.
        assert_eq!(packet_samples(&[(3 << 3) | 1]), Some(5760));
        // Hybrid 10 ms, code 3 with 4 frames.
        assert_eq!(packet_samples(&[(12 << 3) | 3, 4]), Some(1920));
        // SILK 10 ms, code 3 with 3 frames; SILK 60 ms with 3 frames is too long.
        assert_eq!(packet_samples(&[3, 3]), Some(1440));
        assert_eq!(packet_samples(&[(3 << 3) | 3, 3]), None);
        // CELT 2.5 ms, code 3 with 0 frames, or with no count byte.
        assert_eq!(packet_samples(&[(16 << 3) | 3, 0]), None);
        assert_eq!(packet_samples(&[(16 << 3) | 3]), None);
    }

    #[test]
    fn sizes_take_the_shortest_form_and_never_read_as_unknown() {
        let enc = |n: u64| {
            let mut v = super::Buffer {
                bytes: Vec::with_capacity(16),
                overflowed: false,
            };
            element_header(&mut v, &[], n);
            v.bytes
        };
        assert_eq!(enc(0), [0x80]);
        assert_eq!(enc(126), [0xFE]);
        // 127 in one byte would be all ones: "unknown".
        assert_eq!(enc(127), [0x40, 0x7F]);
        assert_eq!(enc(16_382), [0x7F, 0xFE]);
        assert_eq!(enc(16_383), [0x20, 0x3F, 0xFF]);
    }
}
