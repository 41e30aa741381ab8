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
//!
//! An Ogg Opus recording is also served as WebM, at `kua-media://localhost/<token>/webm`:
//! the same packets in the container Media Source Extensions take, so that the page can
//! start playing the first range of an hour's recording while it fetches the rest. The
//! first request is answered from the remux of the recording's start alone; the whole
//! remux is made in memory on the next request (decrypting the whole recording), kept
//! by the session in a zeroizing buffer for the ranges after it (two remuxes at most)
//! and wiped on lock and erase; nothing is written anywhere.

use crate::session::Session;
use kua_core::MediaRef;
use std::sync::Arc;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};
use zeroize::Zeroizing;

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

/// The WebM remux of one granted recording, kept by the session while the page streams
/// it: two at most (a third player's remux replaces the oldest), dropped and wiped on
/// lock, on an erase and when another vault opens.
#[derive(Debug)]
pub struct Remux {
    pub token: String,
    pub webm: Arc<Zeroizing<Vec<u8>>>,
}

/// The largest recording remuxed (as the page streams at most): more than ten hours of
/// speech. Larger media play from a Blob.
const MAX_REMUX: u64 = 64 * 1024 * 1024;

/// The path suffix under which a grant's recording is served as WebM.
const WEBM_PATH: &str = "/webm";

/// The token in a handle's URL (`kua-media://localhost/<token>`): its last segment.
pub fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or_default()
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
    let path = request.uri().path().trim_start_matches('/');
    let (token, as_webm) = match path.strip_suffix(WEBM_PATH) {
        Some(token) => (token, true),
        None => (path, false),
    };
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
    let webm = if as_webm {
        match remuxed(session, token, &grant, info.size, range) {
            Some(webm) => Some(webm),
            // Not a recording the remux takes: the page falls back to the original.
            None => return status(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        }
    } else {
        None
    };
    let size = webm.as_ref().map_or(info.size, |w| w.len() as u64);
    // The start of a remux does not know the whole's size: RFC 9110's "*".
    let known = !matches!(webm, Some(Webm::Start(_)));
    let total = if known { size.to_string() } else { "*".into() };
    let (start, end) = match parse_range(range, size) {
        Some(r) => r,
        None => {
            let mut r = status(StatusCode::RANGE_NOT_SATISFIABLE);
            if let Ok(v) = format!("bytes */{size}").parse() {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    let want = usize::try_from(end - start)
        .unwrap_or(MAX_RANGE)
        .min(MAX_RANGE);
    let read = match &webm {
        // Under the vault's lock, which refuses once a lock has begun, and only while the
        // vault is unlocked and the grant stands (a remux finished after a lock is not
        // served): kept in memory, it is served no more freely than the vault's chunks.
        Some(w) => session.with_vault(|v| {
            if !v.is_unlocked() || session.media_grant(token).is_none() {
                return Err(kua_core::Error::Locked);
            }
            // In range: parse_range keeps start < end <= size.
            let from = usize::try_from(start).unwrap_or(w.len()).min(w.len());
            Ok(Zeroizing::new(
                w[from..from + want.min(w.len() - from)].to_vec(),
            ))
        }),
        None => session.with_vault(|v| v.read_media(&grant.media, start, want)),
    };
    let mut bytes = match read {
        Ok(b) => b,
        // A damaged chunk or a locked vault: the player shows an error, nothing more.
        Err(_) => return status(StatusCode::INTERNAL_SERVER_ERROR),
    };
    let whole = range.is_none() && bytes.len() as u64 == size && known;
    let last = start + bytes.len() as u64;
    let media_type = if webm.is_some() {
        kua_audio::WEBM_OPUS
    } else {
        &grant.media_type
    };
    let mut builder = Response::builder()
        .status(if whole {
            StatusCode::OK
        } else {
            StatusCode::PARTIAL_CONTENT
        })
        .header(header::CONTENT_TYPE, media_type)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, bytes.len())
        // Nothing of it may be kept by a cache.
        .header(header::CACHE_CONTROL, "no-store")
        .header("X-Content-Type-Options", "nosniff")
        // Only the app's own page may read it (`fetch` from tauri://localhost).
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "tauri://localhost")
        // The page learns the WebM's size from the first range's Content-Range.
        .header(header::ACCESS_CONTROL_EXPOSE_HEADERS, "Content-Range");
    if !whole {
        builder = builder.header(
            header::CONTENT_RANGE,
            format!(
                "bytes {start}-{}/{total}",
                last.saturating_sub(1).max(start)
            ),
        );
    }
    // Moved out, not copied: the response owns the one copy of the range.
    builder
        .body(std::mem::take(&mut *bytes))
        .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR))
}

/// A recording as WebM: the whole remux, or only its first bytes (see `remuxed`).
enum Webm {
    Whole(Arc<Zeroizing<Vec<u8>>>),
    Start(Zeroizing<Vec<u8>>),
}

impl std::ops::Deref for Webm {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Webm::Whole(w) => w,
            Webm::Start(w) => w,
        }
    }
}

/// How much of a recording's start is remuxed to answer the first request: 192 KiB of
/// Ogg, about a minute of speech, which holds the first 64 KiB the page asks for.
const START: u64 = 192 * 1024;

/// The grant's recording as WebM. The first request (from byte 0) is answered from the
/// remux of the recording's start and end alone (two or three of the vault's chunks to
/// open, not an hour's 160), so that the player can begin at once; later requests from
/// the whole remux, made on the first of them and kept by the session (two at most).
/// None when it is not an Ogg Opus recording the remux takes, is too large to stream,
/// or cannot be read whole.
fn remuxed(
    session: &Session,
    token: &str,
    grant: &Grant,
    size: u64,
    range: Option<&str>,
) -> Option<Webm> {
    let t = grant.media_type.to_ascii_lowercase();
    if !(t.starts_with("audio/ogg") || t.starts_with("audio/opus")) || size > MAX_REMUX {
        return None;
    }
    if let Some(webm) = session.remux(token) {
        return Some(Webm::Whole(webm));
    }
    let read = |from: u64, len: u64| -> Option<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(Vec::with_capacity(usize::try_from(len).ok()?));
        while (out.len() as u64) < len {
            let at = from + out.len() as u64;
            let part = session
                .with_vault(|v| v.read_media(&grant.media, at, MAX_RANGE))
                .ok()?;
            if part.is_empty() {
                return None;
            }
            let keep = part.len().min(usize::try_from(len).ok()? - out.len());
            out.extend_from_slice(&part[..keep]);
        }
        Some(out)
    };
    let from_start = range.is_some_and(|r| parse_range(Some(r), size).is_some_and(|(a, _)| a == 0));
    if from_start && size > START {
        let tail_len = kua_audio::TAIL as u64;
        let start = read(0, START)?;
        let tail = read(size - tail_len.min(size), tail_len.min(size))?;
        // Not a recording the remux takes (another codec, say): refused now, before the
        // whole is decrypted for nothing. A recording whose headers run past the start
        // (cover art) is refused too, and plays from a Blob.
        let webm = Zeroizing::new(kua_audio::ogg_opus_to_webm_prefix(&start, &tail).ok()?);
        // No whole cluster in it (packets over 3 KiB): the whole remux answers.
        if webm.len() > 1024 {
            return Some(Webm::Start(webm));
        }
    }
    // Ranges asked for side by side wait here for one remux.
    let _building = session.remux_build();
    if let Some(webm) = session.remux(token) {
        return Some(Webm::Whole(webm));
    }
    let ogg = read(0, size)?;
    let webm = Arc::new(Zeroizing::new(kua_audio::ogg_opus_to_webm(&ogg).ok()?));
    session.keep_remux(Remux {
        token: token.to_owned(),
        webm: Arc::clone(&webm),
    });
    Some(Webm::Whole(webm))
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
    use super::{parse_range, token_of};

    #[test]
    fn a_handle_url_names_its_token() {
        assert_eq!(token_of("kua-media://localhost/0f1e2d"), "0f1e2d");
        assert_eq!(token_of("0f1e2d"), "0f1e2d");
        assert_eq!(token_of("kua-media://localhost/"), "");
    }

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
