//! What a report reads of a record's media: a recording's duration and an image to
//! show in the evidence annex. Both are read from the vault into memory only.

use crate::error::Result;
use crate::values::Identifying;
use kua_core::model::AttachmentInfo;
use kua_core::{MediaRef, Vault};
use typst::foundations::Bytes;
use typst::visualize::{ExchangeFormat, RasterImage};

/// Images larger than this are listed with their hash but not drawn: the PDF would
/// grow by the image's size, and the original is in the disclosure package.
const IMAGE_MAX: u64 = 16 << 20;

pub(crate) enum ImageFile {
    Shown(&'static str, Vec<u8>),
    Withheld,
    TooLarge,
    NotAnImage,
}

/// The image to draw for an attachment, if it is one typst can draw. Photographs are
/// not drawn in an anonymous report: a face or a tattoo names a person as well as a
/// name does.
pub(crate) fn image_file(
    vault: &mut Vault,
    media: &MediaRef,
    a: &AttachmentInfo,
    identifying: Identifying,
) -> Result<ImageFile> {
    let ext = match a.media_type.as_str() {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => return Ok(ImageFile::NotAnImage),
    };
    if identifying == Identifying::Withheld {
        return Ok(ImageFile::Withheld);
    }
    if a.size > IMAGE_MAX {
        return Ok(ImageFile::TooLarge);
    }
    let bytes = vault.read_media(media, 0, a.size as usize)?;
    // An image typst cannot decode would fail the whole report: such a file is
    // listed with its hash and no picture. (typst's decoder is the one that checks.)
    let format = match ext {
        "png" => ExchangeFormat::Png,
        "jpg" => ExchangeFormat::Jpg,
        "gif" => ExchangeFormat::Gif,
        _ => ExchangeFormat::Webp,
    };
    if RasterImage::plain(Bytes::new(bytes.to_vec()), format).is_err() {
        return Ok(ImageFile::NotAnImage);
    }
    Ok(ImageFile::Shown(ext, bytes.to_vec()))
}

/// A recording's duration as h:mm:ss, from the granule position of its last Ogg page
/// (48 kHz for Opus, less the pre-skip the Opus header declares). Other audio formats
/// and damaged files give "—".
pub(crate) fn duration(vault: &mut Vault, media: &MediaRef, a: &AttachmentInfo) -> Result<String> {
    if a.media_type != "audio/ogg" || a.size < 64 {
        return Ok("—".into());
    }
    let head = vault.read_media(media, 0, 4096)?;
    let tail_len = a.size.min(65_536);
    let tail = vault.read_media(media, a.size - tail_len, tail_len as usize)?;
    Ok(match ogg_opus_ms(&head, &tail) {
        Some(ms) => crate::testimony::clock(ms),
        None => "—".into(),
    })
}

/// The duration in milliseconds of an Ogg Opus stream, from its first bytes (the
/// OpusHead packet's pre-skip) and its last ones (the last page's granule position).
fn ogg_opus_ms(head: &[u8], tail: &[u8]) -> Option<u64> {
    let pre_skip = find(head, b"OpusHead")
        .and_then(|i| head.get(i + 10..i + 12))
        .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
        .unwrap_or(0);
    let granule = rfind(tail, b"OggS")
        .and_then(|i| tail.get(i + 6..i + 14))
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_le_bytes)?;
    // All ones: a page on which no packet ends.
    (granule != u64::MAX).then(|| granule.saturating_sub(pre_skip) * 1000 / 48_000)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::ogg_opus_ms;

    fn page(granule: u64) -> Vec<u8> {
        let mut p = b"OggS\0\x04".to_vec();
        p.extend_from_slice(&granule.to_le_bytes());
        p.extend_from_slice(&[0; 13]);
        p
    }

    #[test]
    fn the_duration_is_the_last_granule_less_the_pre_skip() {
        let mut head = page(0);
        head.extend_from_slice(b"OpusHead\x01\x01");
        head.extend_from_slice(&312u16.to_le_bytes());
        let mut tail = page(48_000 * 59);
        tail.extend(page(48_000 * 3_600 + 312));
        assert_eq!(ogg_opus_ms(&head, &tail), Some(3_600_000));
        assert_eq!(ogg_opus_ms(&head, &page(u64::MAX)), None);
        assert_eq!(ogg_opus_ms(&head, b"no pages here"), None);
    }
}
