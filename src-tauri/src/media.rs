//! The `kua-media:` protocol: audio and video decrypted on the fly, byte range by byte
//! range, never written anywhere.
//!
//! The page first asks `open_media` for a handle: the shell checks the reference with
//! the core and grants a random token for it (cleared on lock). The page then requests
//! `kua-media://localhost/<token>` with `Range` headers; each answer carries at most
//! `MAX_RANGE` bytes (206 Partial Content) and the page asks for the next range.
//! Only audio and video are served, so a granted file can never render as a page.
//!
//! Why the page, not the `<audio>` element, makes the requests: WebKitGTK's GStreamer
//! player loads only http(s), file, data and blob URLs, so a custom scheme cannot be an
//! element's `src` on Linux. The page fetches the ranges into a Blob in memory and
//! plays that (seeking works within it); see ARCHITECTURE.md.

use crate::session::Session;
use kua_core::MediaRef;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "kua-media";

/// The most bytes one response carries: 64 chunks of the vault, 4 MiB, so that an hour
/// of speech (11 MB) arrives in three requests.
const MAX_RANGE: usize = 64 * kua_core::CHUNK;

/// The largest media the page may load for playback: it holds all of it in memory.
pub const MAX_PLAYABLE: u64 = 512 * 1024 * 1024;

/// A granted piece of media.
#[derive(Debug, Clone)]
pub struct Grant {
    pub media: MediaRef,
    pub media_type: String,
}

/// Whether the shell plays this type (everything else is saved as a copy instead).
pub fn playable(media_type: &str) -> bool {
    let t = media_type.to_ascii_lowercase();
    t.starts_with("audio/") || t.starts_with("video/")
}

pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    // Decryption runs off the webview's thread.
    tauri::async_runtime::spawn_blocking(move || {
        responder.respond(respond(&app.state::<Session>(), &request));
    });
}

fn status(code: StatusCode) -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = code;
    r
}

fn respond(session: &Session, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let token = request.uri().path().trim_start_matches('/');
    let Some(grant) = session.media_grant(token) else {
        return status(StatusCode::NOT_FOUND);
    };
    let info = match session.with_vault(|v| v.open_media(&grant.media)) {
        Ok(info) => info,
        Err(_) => return status(StatusCode::NOT_FOUND),
    };
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    let (start, end) = match parse_range(range, info.size) {
        Some(r) => r,
        None => {
            let mut r = status(StatusCode::RANGE_NOT_SATISFIABLE);
            if let Ok(v) = format!("bytes */{}", info.size).parse() {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    let want = usize::try_from(end - start)
        .unwrap_or(MAX_RANGE)
        .min(MAX_RANGE);
    let bytes = match session.with_vault(|v| v.read_media(&grant.media, start, want)) {
        Ok(b) => b,
        // A damaged chunk or a locked vault: the player shows an error, nothing more.
        Err(_) => return status(StatusCode::INTERNAL_SERVER_ERROR),
    };
    let whole = range.is_none() && bytes.len() as u64 == info.size;
    let last = start + bytes.len() as u64;
    let mut builder = Response::builder()
        .status(if whole {
            StatusCode::OK
        } else {
            StatusCode::PARTIAL_CONTENT
        })
        .header(header::CONTENT_TYPE, &grant.media_type)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, bytes.len())
        // Nothing of it may be kept by a cache.
        .header(header::CACHE_CONTROL, "no-store")
        .header("X-Content-Type-Options", "nosniff")
        // Only the app's own page may read it (`fetch` from tauri://localhost).
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "tauri://localhost");
    if !whole {
        builder = builder.header(
            header::CONTENT_RANGE,
            format!(
                "bytes {start}-{}/{}",
                last.saturating_sub(1).max(start),
                info.size
            ),
        );
    }
    builder
        .body(bytes.to_vec())
        .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR))
}

/// The half-open byte range a `Range` header asks for (a single range: media players
/// send no other kind); the whole file without one. None when it cannot be satisfied.
fn parse_range(header: Option<&str>, size: u64) -> Option<(u64, u64)> {
    let Some(h) = header else {
        return Some((0, size));
    };
    let spec = h.trim().strip_prefix("bytes=")?;
    let spec = spec.split(',').next()?.trim();
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", "") => return None,
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (size.saturating_sub(n), size)
        }
        (a, "") => (a.parse().ok()?, size),
        (a, b) => {
            let last: u64 = b.parse().ok()?;
            (a.parse().ok()?, last.saturating_add(1).min(size))
        }
    };
    (start < end || (start == 0 && size == 0)).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range(None, 100), Some((0, 100)));
        assert_eq!(parse_range(Some("bytes=0-"), 100), Some((0, 100)));
        assert_eq!(parse_range(Some("bytes=10-19"), 100), Some((10, 20)));
        assert_eq!(parse_range(Some("bytes=90-200"), 100), Some((90, 100)));
        assert_eq!(parse_range(Some("bytes=-30"), 100), Some((70, 100)));
        assert_eq!(parse_range(Some("bytes=5-9, 20-30"), 100), Some((5, 10)));
        assert_eq!(parse_range(Some("bytes=100-"), 100), None);
        assert_eq!(parse_range(Some("bytes=20-10"), 100), None);
        assert_eq!(parse_range(Some("items=0-1"), 100), None);
        assert_eq!(parse_range(Some("bytes=x-1"), 100), None);
    }
}
