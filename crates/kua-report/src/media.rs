//! What a report reads of a record's media: a recording's duration and an image to
//! show in the evidence annex. Both are read from the vault into memory only.

use crate::error::Result;
use crate::values::Identifying;
use kua_core::model::AttachmentInfo;
use kua_core::{MediaRef, Vault};

/// Images larger than this are listed with their hash but not drawn; the original is
/// in the disclosure package.
const IMAGE_MAX: u64 = 64 << 20;

/// The longest side of a drawn photograph, in pixels: sharp at the annex's size and
/// when zoomed, and bounded in memory whatever the original.
const DRAWN_MAX_SIDE: u32 = 1600;

pub(crate) enum ImageFile {
    /// A JPEG made for the report.
    Shown(Vec<u8>),
    Withheld,
    TooLarge,
    NotAnImage,
}

/// The picture to draw for an attachment. Photographs are not drawn in an anonymous
/// report: a face or a tattoo names a person as well as a name does. A drawn one is
/// decoded, turned upright, scaled down and re-encoded, so that what the PDF carries is
/// pixels only: no EXIF (a photograph's GPS position, the camera's serial number, an
/// uncropped thumbnail), no colour profile typst would refuse, and no original of any
/// size held in memory by the layout.
pub(crate) fn image_file(
    vault: &mut Vault,
    media: &MediaRef,
    a: &AttachmentInfo,
    identifying: Identifying,
) -> Result<ImageFile> {
    if !matches!(
        a.media_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    ) {
        return Ok(ImageFile::NotAnImage);
    }
    if identifying == Identifying::Withheld {
        return Ok(ImageFile::Withheld);
    }
    if a.size > IMAGE_MAX {
        return Ok(ImageFile::TooLarge);
    }
    let bytes = vault.read_media(media, 0, a.size as usize)?;
    // A file that does not decode is listed with its hash and no picture.
    Ok(match redraw(&bytes) {
        Some(jpeg) => ImageFile::Shown(jpeg),
        None => ImageFile::NotAnImage,
    })
}

/// The most memory a picture's pixels may take once decoded (a 64-megapixel RGBA
/// photograph). A file's header names its size before any pixel is read, so a
/// 100-byte GIF could otherwise ask for gigabytes.
const DECODED_MAX: u64 = 256 << 20;

/// Why a picture is not drawn.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Undrawn {
    /// Not an image the decoders read, or damaged.
    Unreadable,
    /// Its header names more pixels than `DECODED_MAX` holds.
    TooManyPixels,
}

/// Decodes an image (within `DECODED_MAX`), applies its EXIF orientation, scales it to
/// fit `DRAWN_MAX_SIDE` and encodes it as an RGB JPEG. The bytes are a received
/// photograph, outside data: None for whatever does not decode or is too large, never
/// a panic (the `report_image` fuzz target feeds it).
pub fn redraw(bytes: &[u8]) -> Option<Vec<u8>> {
    drawn(bytes).ok()
}

pub(crate) fn drawn(bytes: &[u8]) -> std::result::Result<Vec<u8>, Undrawn> {
    use image::{ImageDecoder, ImageReader};
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(DECODED_MAX);
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Undrawn::Unreadable)?;
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Undrawn::Unreadable)?;
    // `into_decoder` applies only the limits on width and height, and the pixels are
    // decoded into one buffer sized from the header: it is bounded here.
    if decoder.total_bytes() > DECODED_MAX {
        return Err(Undrawn::TooManyPixels);
    }
    let orientation = decoder.orientation().ok();
    let mut picture =
        image::DynamicImage::from_decoder(decoder).map_err(|_| Undrawn::Unreadable)?;
    if let Some(o) = orientation {
        picture.apply_orientation(o);
    }
    if picture.width().max(picture.height()) > DRAWN_MAX_SIDE {
        picture = picture.thumbnail(DRAWN_MAX_SIDE, DRAWN_MAX_SIDE);
    }
    let rgb = picture.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(|_| Undrawn::Unreadable)?;
    Ok(out)
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
        Some(ms) => crate::render::clock(ms),
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
    (granule != u64::MAX).then(|| granule.saturating_sub(pre_skip) / 48)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::ogg_opus_ms;

    fn page(granule: u64) -> Vec<u8> {
        let mut p = b"OggS\0\x04".to_vec();
        p.extend_from_slice(&granule.to_le_bytes());
        p.extend_from_slice(&[0; 13]);
        p
    }

    #[test]
    fn a_photograph_is_redrawn_without_its_exif() {
        let mut jpeg = Vec::new();
        let pixels = image::RgbImage::from_pixel(32, 24, image::Rgb([200, 30, 30]));
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&pixels)
            .unwrap();
        let exif = b"Exif\0\0GPS-CANARY";
        let mut tagged = jpeg[..2].to_vec();
        tagged.extend_from_slice(&[0xFF, 0xE1]);
        tagged.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        tagged.extend_from_slice(exif);
        tagged.extend_from_slice(&jpeg[2..]);
        let out = super::redraw(&tagged);
        assert!(
            out.is_some(),
            "{:?}",
            image::load_from_memory(&tagged).err()
        );
    }

    /// Found by the `report_image` fuzz target: 101 bytes of GIF whose header names
    /// 33,296 × 33,410 pixels, 4.4 GB as RGBA, which were allocated before a pixel was
    /// read.
    #[test]
    fn a_picture_whose_header_names_gigabytes_of_pixels_is_not_decoded() {
        let gif = b"\x47\x49\x46\x38\x39\x61\x10\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x00\x10\x00\xf0\x01\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x00\x00\x00\x00\x00\x21\xff\x0b\x4e\x45\x54\xad\xbc\xbe\xaf\xba\xcd\xd1\xcf\x03\x01\x00\x00\x00\x2c\x00\x00\x00\x00\x10\x00\x10\x9c\x92\x51\x6a\x6f\x5d\x7a\x9a\xb3\x64\x0e\xab\x3e\x05\x8b\x00\x2b";
        assert_eq!(super::drawn(gif), Err(super::Undrawn::TooManyPixels));
        // A picture within the bound is drawn.
        let mut png = Vec::new();
        image::RgbImage::from_pixel(2000, 1000, image::Rgb([9, 9, 9]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(super::drawn(&png).is_ok());
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
