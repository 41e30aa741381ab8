//! The app's few settings, in a small JSON file beside the vault's default place. They
//! hold no testimony content: a language, a number of minutes, a vault's path.

use crate::error::IpcError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    /// `en`, `ru` or `kk`.
    pub language: String,
    /// Lock after this many minutes without input, within `AUTO_LOCK_MINUTES`.
    pub auto_lock_minutes: u32,
    /// The vault opened last; `None` means the default place.
    #[ts(type = "string | null")]
    pub vault: Option<PathBuf>,
    /// The page's zoom in percent (text and layout together, like a browser's zoom),
    /// within `ZOOM_PERCENT`: for eyes that need larger text on a small screen.
    pub zoom_percent: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: "en".into(),
            auto_lock_minutes: 5,
            vault: None,
            zoom_percent: 100,
        }
    }
}

pub const LANGUAGES: [&str; 3] = ["en", "ru", "kk"];

/// The idle lock can be put off, never switched off: whatever the page sends or the
/// file says is brought within these minutes.
pub const AUTO_LOCK_MINUTES: std::ops::RangeInclusive<u32> = 1..=60;

/// The zooms the page can be shown at. Below half, text is unreadable; 200 % is the
/// largest every screen is laid out and tested at on a 1024×600 netbook
/// (ui/e2e/layout.e2e.ts): beyond it the lock button and a form's fields crowd out.
pub const ZOOM_PERCENT: std::ops::RangeInclusive<u32> = 50..=200;

impl Settings {
    /// Reads the settings; a missing or unreadable file gives the defaults (they are
    /// preferences, and a damaged file must not keep anyone from their vault).
    pub fn load(path: &Path) -> Settings {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Settings>(&bytes).ok())
            .unwrap_or_default()
            .clamped()
    }

    /// The same settings with the idle lock within `AUTO_LOCK_MINUTES` and the zoom
    /// within `ZOOM_PERCENT`.
    pub fn clamped(self) -> Settings {
        Settings {
            auto_lock_minutes: self
                .auto_lock_minutes
                .clamp(*AUTO_LOCK_MINUTES.start(), *AUTO_LOCK_MINUTES.end()),
            zoom_percent: self
                .zoom_percent
                .clamp(*ZOOM_PERCENT.start(), *ZOOM_PERCENT.end()),
            ..self
        }
    }

    /// The zoom as WebKit takes it (1.0 is 100 %).
    pub fn zoom(&self) -> f64 {
        f64::from(self.zoom_percent) / 100.0
    }

    /// Writes atomically: a temporary file beside it, then a rename.
    pub fn save(&self, path: &Path) -> Result<(), IpcError> {
        if !LANGUAGES.contains(&self.language.as_str()) {
            return Err(IpcError::new("bad_input", "language must be en, ru or kk"));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| IpcError::io(dir, e))?;
        }
        let tmp = path.with_extension("json.tmp");
        let bytes =
            serde_json::to_vec_pretty(self).map_err(|e| IpcError::new("storage", e.to_string()))?;
        std::fs::write(&tmp, bytes).map_err(|e| IpcError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| IpcError::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The attack: the page sends `auto_lock_minutes: 0` (or a huge number), or the
    /// settings file says so, and the vault never locks when left alone.
    #[test]
    fn the_idle_lock_cannot_be_switched_off_or_put_off_for_long() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        for (asked, kept) in [(0, 1), (1, 1), (30, 30), (60, 60), (61, 60), (u32::MAX, 60)] {
            std::fs::write(&path, format!(r#"{{"auto_lock_minutes": {asked}}}"#)).unwrap();
            assert_eq!(
                Settings::load(&path).auto_lock_minutes,
                kept,
                "file says {asked}"
            );
        }
    }

    /// A zoom of 0 would make the page vanish, a huge one would show a few letters:
    /// either, from the page or the file, is brought within `ZOOM_PERCENT`. A file
    /// written before zoom existed reads as 100 %.
    #[test]
    fn the_zoom_stays_within_what_can_be_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"language": "kk", "auto_lock_minutes": 5}"#).unwrap();
        assert_eq!(Settings::load(&path).zoom_percent, 100);
        for (asked, kept) in [
            (0, 50),
            (49, 50),
            (150, 150),
            (200, 200),
            (201, 200),
            (300, 200),
            (u32::MAX, 200),
        ] {
            std::fs::write(&path, format!(r#"{{"zoom_percent": {asked}}}"#)).unwrap();
            let s = Settings::load(&path);
            assert_eq!(s.zoom_percent, kept, "file says {asked}");
            assert!((s.zoom() - f64::from(kept) / 100.0).abs() < 1e-9);
        }
    }
}
