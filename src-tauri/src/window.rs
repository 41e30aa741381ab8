//! The one window, built from `tauri.conf.json` with two run-time decisions.
//!
//! Incognito: the webview keeps no storage (cookies, local storage, IndexedDB, caches)
//! on disk. WebKitGTK cannot automate an ephemeral context, so under WebDriver
//! (`TAURI_WEBVIEW_AUTOMATION=true`, set by tauri-driver) the window is persistent and
//! its data directory sits under `--home`, where the end-to-end tests search it for
//! testimony text: the page must leave nothing there even when storage is allowed.
//! Such windows also keep accelerated compositing (see below).

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
        window.with_webview(move |webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
            // Accelerated compositing buys a page of forms nothing and costs the web
            // process about 80 MB (docs/benchmarks.md). WebKitWebDriver's screenshots
            // need it, so windows under automation keep it.
            if !automated {
                if let Some(settings) = WebViewExt::settings(&view) {
                    settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                }
            }
        })?;
    }
    Ok(())
}
