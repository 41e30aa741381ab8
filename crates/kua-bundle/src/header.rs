//! The age header, read and bounded before age sees it.
//!
//! age 0.12 parses its header by re-parsing everything read so far after every read
//! (upstream rage issue #368), so the work grows with the square of the header's size: a
//! crafted header of about 1 MB costs minutes. A bundle's header holds one short stanza
//! per recipient, so this reader accepts at most `MAX_AGE_HEADER` bytes in at most
//! `MAX_AGE_HEADER_LINES` lines, and hands age the header it read followed by the rest
//! of the stream. Within these bounds age's re-parsing costs milliseconds.

use crate::error::{Error, Result};
use std::io::{BufRead, Read};

/// The largest age header accepted, in bytes. An X25519 stanza takes about 100 bytes,
/// so this leaves room for hundreds of recipients.
pub const MAX_AGE_HEADER: usize = 64 * 1024;

/// The most lines an age header may have. Bounding the lines, and not only the bytes,
/// bounds the number of times age re-parses the header.
pub const MAX_AGE_HEADER_LINES: usize = 1024;

/// Reads the header up to and including its MAC line (`--- …` and its newline). A
/// stream that ends first is returned as it is, for age to report as truncated.
fn read_header(input: &mut impl BufRead) -> Result<Vec<u8>> {
    let mut header = Vec::new();
    for _ in 0..MAX_AGE_HEADER_LINES {
        let start = header.len();
        // One byte past the cap is enough to know that the cap was passed.
        let room = (MAX_AGE_HEADER + 1 - start) as u64;
        let n = Read::take(&mut *input, room)
            .read_until(b'\n', &mut header)
            .map_err(crate::read::io_error)?;
        if header.len() > MAX_AGE_HEADER {
            return Err(Error::HeaderTooLarge);
        }
        if n == 0 || !header.ends_with(b"\n") {
            return Ok(header);
        }
        if header[start..].starts_with(b"---") {
            return Ok(header);
        }
    }
    Err(Error::HeaderTooLarge)
}

/// The stream age reads: the header already read, then the rest.
pub(crate) type Bounded<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, std::io::BufReader<R>>;

/// Reads and bounds the header, and returns the whole stream again for age.
pub(crate) fn bounded<R: Read>(input: R) -> Result<Bounded<R>> {
    let mut input = std::io::BufReader::new(input);
    let header = read_header(&mut input)?;
    Ok(std::io::Cursor::new(header).chain(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(bytes: &[u8]) -> &'static str {
        match bounded(bytes) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn a_header_is_bounded_in_bytes_and_in_lines() {
        let ok = b"age-encryption.org/v1\n-> X25519 abc\nAAAA\n--- mac\npayload";
        let mut all = Vec::new();
        bounded(&ok[..]).unwrap().read_to_end(&mut all).unwrap();
        assert_eq!(all, ok, "what was read is handed on, byte for byte");
        assert_eq!(
            code(b"age-encryption.org/v1\n-> X"),
            "ok",
            "truncation is age's to report"
        );

        let mut long_line = b"age-encryption.org/v1\n-> ".to_vec();
        long_line.resize(MAX_AGE_HEADER + 10, b'a');
        assert_eq!(code(&long_line), "bundle_header_too_large");

        let mut many_lines = b"age-encryption.org/v1\n".to_vec();
        for _ in 0..MAX_AGE_HEADER_LINES {
            many_lines.extend_from_slice(b"-> a\n");
        }
        many_lines.extend_from_slice(b"--- mac\n");
        assert!(many_lines.len() < MAX_AGE_HEADER);
        assert_eq!(code(&many_lines), "bundle_header_too_large");
    }

    #[test]
    fn a_header_of_exactly_the_cap_passes_and_one_byte_more_does_not() {
        let sized = |total: usize| {
            let mut h = b"age-encryption.org/v1\n-> ".to_vec();
            h.resize(total - b"\n--- mac\n".len(), b'a');
            h.extend_from_slice(b"\n--- mac\n");
            assert_eq!(h.len(), total);
            [h, b"payload".to_vec()].concat()
        };
        assert_eq!(code(&sized(MAX_AGE_HEADER)), "ok");
        assert_eq!(code(&sized(MAX_AGE_HEADER + 1)), "bundle_header_too_large");
    }

    #[test]
    fn a_stream_that_ends_after_a_whole_line_is_handed_on_for_age_to_call_truncated() {
        // Not the cap's error: the header stopped, it did not grow.
        assert_eq!(code(b"age-encryption.org/v1\n-> X25519 abc\n"), "ok");
        let mut all = Vec::new();
        bounded(&b"age-encryption.org/v1\n"[..])
            .unwrap()
            .read_to_end(&mut all)
            .unwrap();
        assert_eq!(all, b"age-encryption.org/v1\n");
    }
}
