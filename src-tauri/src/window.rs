//! The one window, built from `tauri.conf.json` with two run-time decisions.
//!
//! Incognito: the webview keeps no storage (cookies, local storage, IndexedDB, caches)
//! on disk. WebKitGTK cannot automate an ephemeral context, so under WebDriver
//! (`TAURI_WEBVIEW_AUTOMATION=true`, set by tauri-driver) the window is persistent and
//! its data directory sits under `--home`, where the end-to-end tests search it for
//! testimony text: the page must leave nothing there even when storage is allowed.

use crate::home::Home;
use tauri::{App, WebviewWindowBuilder};

pub fn open(app: &App, home: &Home) -> tauri::Result<()> {
    let automated = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    for config in &app.config().app.windows {
        let mut builder = WebviewWindowBuilder::from_config(app, config)?.incognito(!automated);
        if let Some(dir) = &home.webview {
            builder = builder.data_directory(dir.clone());
        }
        let window = builder.build()?;
        // WebKit's default cache model is a web browser's, with large memory and page
        // caches; one local page needs the document viewer's (about half the memory).
        #[cfg(target_os = "linux")]
        window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        })?;
    }
    Ok(())
}
