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

mod webm {
    //! The WebM remux, read back with a small EBML reader: every element's size must
    //! add up exactly, and the blocks must be the Ogg stream's packets, in order, on
    //! the sample clock.

    use kua_audio::{
        ogg_opus_to_webm, ogg_opus_to_webm_prefix, sine, OggOpusWriter, SAMPLE_RATE, TAIL,
    };
    use ogg::reading::PacketReader;
    use std::io::Cursor;

    const SEGMENT: u32 = 0x1853_8067;
    const CLUSTER: u32 = 0x1F43_B675;
    /// Elements whose content is more elements.
    const MASTERS: [u32; 6] = [0x1A45_DFA3, SEGMENT, 0x1549_A966, 0x1654_AE6B, 0xAE, 0xE1];

    #[derive(Default, Debug)]
    struct Read {
        doc_type: Vec<u8>,
        duration_ms: f64,
        codec: Vec<u8>,
        private: Vec<u8>,
        delay_ns: u64,
        channels: u64,
        rate: f64,
        /// (cluster start, absolute ms, payload)
        blocks: Vec<(u64, u64, Vec<u8>)>,
        clusters: usize,
    }

    fn vint(b: &[u8], at: &mut usize, keep_marker: bool) -> u64 {
        let first = b[*at];
        let len = first.leading_zeros() as usize + 1;
        assert!(len <= 8, "a variable-length integer of {len} bytes");
        let mut v = if keep_marker {
            u64::from(first)
        } else {
            u64::from(first) & ((1u64 << (8 - len)) - 1)
        };
        for i in 1..len {
            v = (v << 8) | u64::from(b[*at + i]);
        }
        *at += len;
        v
    }

    fn uint(d: &[u8]) -> u64 {
        d.iter().fold(0, |v, b| (v << 8) | u64::from(*b))
    }

    fn walk(b: &[u8], mut at: usize, end: usize, out: &mut Read, cluster: &mut u64) {
        while at < end {
            let id = vint(b, &mut at, true) as u32;
            let mut size = vint(b, &mut at, false) as usize;
            if size == 0x00FF_FFFF_FFFF_FFFF {
                // "Unknown": the element runs to the end of its parent (the segment).
                assert_eq!(id, SEGMENT, "only the segment's size is left unknown");
                size = end - at;
            }
            assert!(at + size <= end, "element {id:x} runs past its parent");
            let d = &b[at..at + size];
            match id {
                CLUSTER => {
                    out.clusters += 1;
                    walk(b, at, at + size, out, cluster);
                }
                _ if MASTERS.contains(&id) => walk(b, at, at + size, out, cluster),
                0xE7 => *cluster = uint(d),
                0xA3 => {
                    assert_eq!(d[0], 0x81, "track 1");
                    assert_eq!(d[3], 0x80, "a key frame");
                    let rel = i16::from_be_bytes([d[1], d[2]]);
                    assert!(rel >= 0);
                    out.blocks
                        .push((*cluster, *cluster + rel as u64, d[4..].to_vec()));
                }
                0x4282 => out.doc_type = d.to_vec(),
                0x4489 => out.duration_ms = f64::from_be_bytes(d.try_into().unwrap()),
                0x86 => out.codec = d.to_vec(),
                0x63A2 => out.private = d.to_vec(),
                0x56AA => out.delay_ns = uint(d),
                0x9F => out.channels = uint(d),
                0xB5 => out.rate = f64::from_be_bytes(d.try_into().unwrap()),
                _ => {}
            }
            at += size;
        }
        assert_eq!(at, end, "sizes add up exactly");
    }

    fn read(webm: &[u8]) -> Read {
        let mut out = Read::default();
        walk(webm, 0, webm.len(), &mut out, &mut 0);
        out
    }

    fn packets(ogg: &[u8]) -> Vec<Vec<u8>> {
        let mut r = PacketReader::new(Cursor::new(ogg));
        let mut v = Vec::new();
        while let Some(p) = r.read_packet().unwrap() {
            v.push(p.data);
        }
        v
    }

    fn tone(seconds: f64, serial: u32) -> Vec<u8> {
        let mut w = OggOpusWriter::new(Vec::new(), serial).unwrap();
        for block in sine(500.0, SAMPLE_RATE, seconds).chunks(4_800) {
            w.push(block).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn a_recording_becomes_webm_packet_for_packet() {
        let ogg = tone(12.0, 3);
        let webm = ogg_opus_to_webm(&ogg).unwrap();
        let r = read(&webm);
        let ogg_packets = packets(&ogg);
        assert_eq!(r.doc_type, b"webm");
        assert_eq!(r.codec, b"A_OPUS");
        assert_eq!(r.private, ogg_packets[0], "CodecPrivate is the OpusHead");
        assert_eq!(r.delay_ns, 312 * 1_000_000_000 / 48_000, "the pre-skip");
        assert_eq!((r.channels, r.rate), (1, 48_000.0));
        assert!((r.duration_ms - 12_000.0).abs() < 25.0, "{}", r.duration_ms);
        // Every audio packet, unchanged and in order; the two header packets are not blocks.
        let payloads: Vec<&Vec<u8>> = r.blocks.iter().map(|b| &b.2).collect();
        assert_eq!(payloads, ogg_packets[2..].iter().collect::<Vec<_>>());
        // 20 ms frames: block i starts at 20·i ms, within a cluster of at most 5 s.
        for (i, (cluster, ms, _)) in r.blocks.iter().enumerate() {
            assert_eq!(*ms, 20 * i as u64);
            assert!(ms - cluster < 5_000);
        }
        assert_eq!(r.clusters, 3, "12 s in clusters of 5 s");
        // The container adds little: a few bytes a block against Ogg's page headers.
        assert!(
            webm.len() < ogg.len() + ogg.len() / 10,
            "{} vs {}",
            webm.len(),
            ogg.len()
        );
        // Written into an allocation of exactly its size: never moved to a larger one,
        // which would leave a copy of the plaintext behind.
        assert_eq!(webm.capacity(), webm.len());
    }

    #[test]
    fn the_start_of_a_recording_remuxes_to_the_first_bytes_of_the_whole() {
        let ogg = tone(12.0, 6);
        let whole = ogg_opus_to_webm(&ogg).unwrap();
        let tail = &ogg[ogg.len().saturating_sub(TAIL)..];
        let mut clusters = Vec::new();
        for cut in [200, 4_000, 20_000, 30_000, ogg.len() - 1] {
            let prefix = ogg_opus_to_webm_prefix(&ogg[..cut], tail).unwrap();
            assert!(whole.starts_with(&prefix), "cut at {cut}");
            // It ends where a cluster starts (or the whole ends): no cluster cut short.
            let next = &whole[prefix.len()..];
            assert!(
                next.is_empty() || next.starts_with(&[0x1F, 0x43, 0xB6, 0x75]),
                "cut at {cut}"
            );
            assert_eq!(prefix.capacity(), prefix.len());
            clusters.push(read(&prefix).clusters);
        }
        // More of the start, more whole clusters (of 5 s, about 15 KB): one byte short of
        // the whole, all but the last.
        assert_eq!(clusters, [0, 0, 1, 1, 2]);
    }

    /// An Ogg Opus stream whose audio packets are the given bytes, on pages of `per_page`.
    fn crafted(packets: &[&[u8]], per_page: usize) -> Vec<u8> {
        use ogg::writing::{PacketWriteEndInfo as End, PacketWriter};
        let mut out = Vec::new();
        let mut w = PacketWriter::new(&mut out);
        let head = b"OpusHead\x01\x01\x38\x01\x80\xbb\0\0\0\0\0".to_vec();
        w.write_packet(head, 1, End::EndPage, 0).unwrap();
        let tags = b"OpusTags\x03\0\0\0kua\0\0\0\0".to_vec();
        let end_tags = if packets.is_empty() {
            End::EndStream
        } else {
            End::EndPage
        };
        w.write_packet(tags, 1, end_tags, 0).unwrap();
        for (i, p) in packets.iter().enumerate() {
            let end = if i + 1 == packets.len() {
                End::EndStream
            } else if (i + 1) % per_page == 0 {
                End::EndPage
            } else {
                End::NormalPacket
            };
            w.write_packet(p.to_vec(), 1, end, 960 * (i as u64 + 1))
                .unwrap();
        }
        drop(w);
        out
    }

    #[test]
    fn a_file_of_tiny_packets_is_refused_before_anything_large_is_allocated() {
        // One-byte packets (a CELT 20 ms TOC byte each) cost Ogg about 1 byte and WebM 7:
        // the remux would be several times the file, so it is refused and the original
        // plays instead.
        let tiny = [31u8 << 3];
        let ogg = crafted(&vec![&tiny[..]; 100_000], 250);
        let err = ogg_opus_to_webm(&ogg).unwrap_err();
        assert_eq!(err.code(), "audio_format");
        assert!(err.to_string().contains("small packets"), "{err}");
        // The same count of packets of a speech-like size remuxes.
        let speech = [vec![31u8 << 3], vec![0x55; 59]].concat();
        let ogg = crafted(&vec![&speech[..]; 100_000], 50);
        assert_eq!(read(&ogg_opus_to_webm(&ogg).unwrap()).blocks.len(), 100_000);
    }

    #[test]
    fn packets_spanning_pages_come_out_whole() {
        // A packet longer than a page holds (255 segments of 255 bytes) continues on the
        // next page, and one of exactly 255 bytes ends with a zero lacing value.
        let big: Vec<u8> = [vec![31u8 << 3], (0..100_000u32).map(|i| i as u8).collect()].concat();
        let edge = [vec![31u8 << 3], vec![7; 254]].concat();
        let small = [31u8 << 3, 1, 2, 3];
        let list: Vec<&[u8]> = vec![&small, &big, &edge, &small, &big, &small];
        let ogg = crafted(&list, 2);
        let r = read(&ogg_opus_to_webm(&ogg).unwrap());
        let payloads: Vec<&[u8]> = r.blocks.iter().map(|b| b.2.as_slice()).collect();
        assert_eq!(payloads, list);
        // As the ogg crate reads them.
        assert_eq!(
            packets(&ogg)[2..]
                .iter()
                .map(Vec::as_slice)
                .collect::<Vec<_>>(),
            list
        );
    }

    #[test]
    fn a_stream_without_audio_is_refused() {
        let ogg = crafted(&[], 1);
        let err = ogg_opus_to_webm(&ogg).unwrap_err();
        assert!(err.to_string().contains("no audio"), "{err}");
    }

    #[test]
    fn what_a_crash_leaves_remuxes_as_far_as_it_goes() {
        // A stream whose writer never finished: its pages so far, no end-of-stream page.
        let mut w = OggOpusWriter::new(Vec::new(), 5).unwrap();
        for block in sine(500.0, SAMPLE_RATE, 3.0).chunks(4_800) {
            w.push(block).unwrap();
        }
        let prefix = w.sink().clone();
        let r = read(&ogg_opus_to_webm(&prefix).unwrap());
        assert_eq!(r.blocks.len(), packets(&prefix).len() - 2);
        assert!(
            r.duration_ms > 2_000.0 && r.duration_ms <= 3_000.0,
            "{}",
            r.duration_ms
        );
    }

    #[test]
    fn other_streams_are_refused_so_the_original_plays_instead() {
        let code = |b: &[u8]| ogg_opus_to_webm(b).unwrap_err().code();
        assert_eq!(code(b"not an ogg stream at all"), "audio_format");
        assert_eq!(code(b""), "audio_format");
        // Two recordings one after the other (a chained stream): two serial numbers.
        let mut chained = tone(1.0, 1);
        chained.extend_from_slice(&tone(1.0, 2));
        assert_eq!(code(&chained), "audio_format");
        // An Ogg stream of another codec.
        let mut other = Vec::new();
        {
            let mut w = ogg::writing::PacketWriter::new(&mut other);
            let head = b"\x01vorbis\0\0\0\0\x01\x80\xbb\0\0".to_vec();
            w.write_packet(head, 9, ogg::writing::PacketWriteEndInfo::EndStream, 0)
                .unwrap();
        }
        assert_eq!(code(&other), "audio_format");
        // A damaged page structure: the second page's capture pattern broken.
        let mut damaged = tone(1.0, 4);
        let second = damaged
            .windows(4)
            .skip(1)
            .position(|w| w == b"OggS")
            .unwrap()
            + 1;
        damaged[second] = b'X';
        assert_eq!(code(&damaged), "audio_format");
    }

    /// Received recordings come from other people's machines: whatever their bytes,
    /// the remux answers with WebM or a format error, never a panic, and never more
    /// than its bound. Bytes, lengths and page fields of a real recording are damaged
    /// at positions drawn from a fixed seed, so every run tries the same 3,000 files.
    #[test]
    fn damaged_recordings_are_refused_or_remuxed_never_a_panic() {
        let ogg = tone(2.0, 9);
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            // xorshift64*: fixed seed, no dependency, the same sequence on every run.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let (mut remuxed, mut refused) = (0, 0);
        for round in 0..3_000 {
            let mut bad = ogg.clone();
            for _ in 0..1 + round % 4 {
                let at = (next() % bad.len() as u64) as usize;
                bad[at] = match next() % 4 {
                    0 => 0,
                    1 => 0xFF,
                    _ => next() as u8,
                };
            }
            if round % 5 == 0 {
                bad.truncate((next() % bad.len() as u64) as usize);
            }
            for result in [
                ogg_opus_to_webm(&bad),
                ogg_opus_to_webm_prefix(
                    &bad[..bad.len().min(4_096)],
                    &bad[bad.len().saturating_sub(TAIL)..],
                ),
            ] {
                match result {
                    Ok(webm) => {
                        assert!(webm.len() <= bad.len() * 2 + 64 * 1024, "round {round}");
                        remuxed += 1;
                    }
                    Err(e) => {
                        assert_eq!(e.code(), "audio_format", "round {round}: {e}");
                        refused += 1;
                    }
                }
            }
        }
        // Both answers occur: the damage is neither always fatal nor always harmless.
        assert!(
            remuxed > 100 && refused > 100,
            "{remuxed} remuxed, {refused} refused"
        );
    }
}
