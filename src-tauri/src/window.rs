//! The one window, built from `tauri.conf.json` with three run-time decisions.
//!
//! Size: the configured size is a maximum. On a screen smaller than it (a 1366×768
//! laptop, a 1024×600 netbook) the window opens at the size of the screen's work area,
//! less a title bar, and maximised, so that nothing of it starts below the screen's
//! edge; its minimum size is brought down to fit as well. The page's zoom comes from
//! the settings (`Settings::zoom_percent`).
//!
//! Incognito: the webview keeps no storage (cookies, local storage, IndexedDB, caches)
//! on disk. WebKitGTK cannot automate an ephemeral context, so in test builds (feature
//! `e2e`) under WebDriver (`TAURI_WEBVIEW_AUTOMATION=true`, set by tauri-driver) the
//! window is persistent and its data directory sits under `--home`, where the
//! end-to-end tests search it for testimony text: the page must leave nothing there
//! even when storage is allowed. Such windows also keep accelerated compositing (see
//! below). A packaged app is always incognito, whatever its environment says.

use crate::home::Home;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use tauri::webview::NewWindowResponse;
use tauri::{App, Url, WebviewWindowBuilder};

/// What WebKit is told through its environment, before its first process starts (each
/// is left as the user set it):
///
/// - `WEBKIT_DISABLE_DMABUF_RENDERER=1`: the window is drawn from shared memory, not
///   from DMA-BUF buffers. Without accelerated compositing (see `open`) the DMA-BUF
///   renderer draws nothing faster, yet it sets up GL buffers in both processes: on this
///   project's machine the app took about 8 MiB more idle (docs/benchmarks.md,
///   "WebKit's floor").
/// - `JSC_useDFGJIT=0`: JavaScriptCore runs the page with its interpreter and baseline
///   JIT only; its optimising compilers (DFG and FTL) do not run. A page of forms and
///   lists does not need them (typing, the list and the dashboard measured no slower
///   with both settings; the DFG alone was not timed), they took about 5 MiB, and
///   optimising JIT compilers are a common source of exploitable bugs in JavaScript
///   engines (Apple's Lockdown Mode turns the JIT off for that reason).
/// - `GDK_GL=disable` and `WEBKIT_WEB_RENDER_DEVICE_FILE` (Linux): the shell starts no
///   OpenGL. With the DMA-BUF renderer off and no compositing, nothing in the shell
///   draws with GL, yet GTK asked GLX for its visuals when it opened the display, and
///   WebKit started EGL to learn which GPU render node to name to the web process.
///   Either one loads Mesa and, through it, LLVM (a library of about 100 MB): together
///   about 25 MiB of the shell's memory (PSS) once loaded; the app as a whole holds about 18 MiB
///   less without them, since the web process, which still loads both (WebKit requires
///   EGL there), no longer shares their pages (docs/benchmarks.md, "No OpenGL in the
///   shell"). The first setting turns GTK's GL off; the second names the node, so
///   WebKit need not ask EGL. The web process would use that device for hardware
///   buffers only (the DMA-BUF renderer's, and WebGL's and video's under accelerated
///   rendering), which these settings keep off; the page draws no WebGL. Both are
///   needed: either alone left Mesa loaded. They are set only while the DMA-BUF renderer
///   is off: a user who turns it back on gets WebKit's GL as it comes.
///
/// A window under automation keeps the DMA-BUF renderer and GL, as it keeps
/// compositing: WebKitWebDriver's screenshots time out without it.
pub fn prepare_webkit() {
    let automated = is_automated(std::env::var("TAURI_WEBVIEW_AUTOMATION").ok().as_deref());
    let nodes = render_nodes(std::path::Path::new("/dev/dri"));
    let current = |name: &str| std::env::var_os(name);
    let linux = cfg!(target_os = "linux");
    for (name, value) in webkit_environment(automated, linux, &current, &nodes) {
        std::env::set_var(name, value);
    }
}

/// The variables `prepare_webkit` sets, given the environment as it is (`current`) and
/// the machine's GPU render nodes: none that the environment already sets.
fn webkit_environment(
    automated: bool,
    linux: bool,
    current: &dyn Fn(&str) -> Option<OsString>,
    render_nodes: &[PathBuf],
) -> Vec<(&'static str, OsString)> {
    let mut wanted: Vec<(&'static str, OsString)> = vec![("JSC_useDFGJIT", "0".into())];
    if !automated {
        wanted.push(("WEBKIT_DISABLE_DMABUF_RENDERER", "1".into()));
    }
    // WebKit takes any value but "0" as "off", an empty one included.
    let dmabuf_off = current("WEBKIT_DISABLE_DMABUF_RENDERER").map_or(!automated, |v| v != "0");
    if linux && !automated && dmabuf_off {
        // The first node by name. WebKit would name the GPU behind its EGL display,
        // which the shell no longer starts; nothing opens the node while hardware
        // buffers are off, so on a machine with none (a virtual machine) the usual
        // first name stands in.
        let node = render_nodes
            .first()
            .cloned()
            .unwrap_or_else(|| "/dev/dri/renderD128".into());
        wanted.push(("GDK_GL", "disable".into()));
        wanted.push(("WEBKIT_WEB_RENDER_DEVICE_FILE", node.into_os_string()));
    }
    wanted.retain(|(name, _)| current(name).is_none());
    wanted
}

/// The GPU render nodes (`renderD*`) in `dir`, sorted by name.
fn render_nodes(dir: &Path) -> Vec<PathBuf> {
    let mut nodes: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("renderD"))
        })
        .collect();
    nodes.sort();
    nodes
}

pub fn open(app: &App, home: &Home, zoom: f64) -> tauri::Result<()> {
    let automated = is_automated(std::env::var("TAURI_WEBVIEW_AUTOMATION").ok().as_deref());
    // The work area of the screen the window opens on, in logical pixels; none when
    // the platform does not say (the configured size then stands).
    // Under Wayland GTK names no primary monitor: the first one is then taken.
    let monitor = app
        .primary_monitor()
        .ok()
        .flatten()
        .or_else(|| app.available_monitors().ok()?.into_iter().next());
    let screen = monitor.map(|m| {
        let area = m.work_area();
        let scale = m.scale_factor().max(0.5);
        (
            f64::from(area.size.width) / scale,
            f64::from(area.size.height) / scale,
        )
    });
    for config in &app.config().app.windows {
        let fit = screen.map(|s| fit(config, s));
        let mut builder = WebviewWindowBuilder::from_config(app, config)?
            .incognito(!automated)
            // The CSP does not cover top-level navigation: a compromised page could
            // carry data off the machine in a URL. The window stays on the app's own
            // pages, opens no other window, and downloads nothing.
            .on_navigation(is_app_url)
            .on_new_window(|_, _| NewWindowResponse::Deny)
            .on_download(|_, _| false);
        if let Some(dir) = &home.webview {
            builder = builder.data_directory(dir.clone());
        }
        if let Some(fit) = fit {
            builder = builder
                .inner_size(fit.width, fit.height)
                .min_inner_size(fit.min_width, fit.min_height)
                .maximized(fit.maximized)
                .center();
        }
        let window = builder.build()?;
        window.set_zoom(zoom)?;
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

/// Clears the page for a lock or an erase: on Linux the web process that showed the
/// vault is ended and a new one loads the start screen, so that nothing the page held
/// (testimony text in its JavaScript heap, its DOM, WebKit's caches, freed memory not
/// yet reused) survives in a process of the app; a reload alone keeps the process and
/// its heap. Elsewhere the page is reloaded.
///
/// WebKitWebDriver ends its session when the web process does, so a window under
/// automation in a test build reloads instead, unless the test that reads the app's
/// memory after lock asks for the real thing (`KUA_E2E_END_WEB_PROCESS=1`). A packaged
/// app always ends the process.
pub fn clear(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        let automated = is_automated(std::env::var("TAURI_WEBVIEW_AUTOMATION").ok().as_deref());
        let asked = std::env::var("KUA_E2E_END_WEB_PROCESS").ok().as_deref() == Some("1");
        if !automated || asked {
            let done = window.with_webview(|webview| {
                use webkit2gtk::WebViewExt;
                let view = webview.inner();
                view.terminate_web_process();
                view.reload();
            });
            if done.is_ok() {
                return;
            }
            // Only when the event loop is gone (the app is quitting).
            eprintln!("kua-desktop: clear: the web process could not be ended; reloading");
        }
    }
    let _ = window.reload();
}

/// The window's size on a screen whose work area is `screen` (logical pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub width: f64,
    pub height: f64,
    pub min_width: f64,
    pub min_height: f64,
    /// Whether the window opens maximised: when the screen is smaller than the
    /// configured size, the window manager then fits it exactly (panels included).
    pub maximized: bool,
}

/// Room kept for the window manager's title bar, which the inner size does not count.
const TITLE_BAR: f64 = 40.0;

pub fn fit(config: &tauri::utils::config::WindowConfig, screen: (f64, f64)) -> Fit {
    let (sw, sh) = (screen.0.max(320.0), (screen.1 - TITLE_BAR).max(240.0));
    let width = config.width.min(sw);
    let height = config.height.min(sh);
    Fit {
        width,
        height,
        min_width: config.min_width.unwrap_or(0.0).min(width),
        min_height: config.min_height.unwrap_or(0.0).min(height),
        maximized: width < config.width || height < config.height,
    }
}

/// Whether the window is driven by WebDriver in a test build; `var` is the value of
/// `TAURI_WEBVIEW_AUTOMATION`. A packaged app never is, so it is always incognito.
fn is_automated(var: Option<&str>) -> bool {
    cfg!(feature = "e2e") && var == Some("true")
}

/// Whether `url` is one of the app's own pages (the embedded UI). Tauri serves it from
/// `tauri://localhost` (from `http://tauri.localhost` on Windows).
pub fn is_app_url(url: &Url) -> bool {
    let own = if cfg!(windows) {
        matches!(url.scheme(), "http" | "https") && url.host_str() == Some("tauri.localhost")
    } else {
        url.scheme() == "tauri" && url.host_str() == Some("localhost")
    };
    own && url.port().is_none() && url.username().is_empty() && url.password().is_none()
}

#[cfg(test)]
mod tests {
    use super::{fit, is_app_url, is_automated, render_nodes, webkit_environment, Fit};
    use std::ffi::OsString;
    use std::path::PathBuf;
    use tauri::Url;

    /// The window the app ships with, read from the same tauri.conf.json.
    fn configured() -> tauri::utils::config::WindowConfig {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        serde_json::from_value(conf["app"]["windows"][0].clone()).expect("a window")
    }

    /// The report: on a 1366×768 laptop the window (1200×820) was taller than the
    /// screen, and the lock hint fell off its bottom.
    #[test]
    fn the_window_fits_the_screens_interviewers_carry() {
        let config = configured();
        // A screen larger than the configured size: that size, not maximised.
        let big = fit(&config, (1920.0, 1040.0));
        assert_eq!(
            (big.width, big.height, big.maximized),
            (config.width, config.height, false)
        );
        for screen in [
            (1366.0, 740.0),
            (1366.0, 768.0),
            (1024.0, 576.0),
            (1024.0, 600.0),
            (800.0, 480.0),
        ] {
            let Fit {
                width,
                height,
                min_width,
                min_height,
                maximized,
            } = fit(&config, screen);
            assert!(
                width <= screen.0 && height + 40.0 <= screen.1,
                "{screen:?}: {width}×{height}"
            );
            assert!(
                min_width <= width && min_height <= height,
                "{screen:?}: the minimum is larger"
            );
            assert!(
                maximized,
                "{screen:?}: smaller than configured, so maximised"
            );
            assert!(
                height >= screen.1 - 40.0 - 1e-9,
                "{screen:?}: uses the screen's height"
            );
        }
    }

    /// The attack: `TAURI_WEBVIEW_AUTOMATION=true` in a packaged app's environment
    /// turned incognito off, so the webview kept storage on disk.
    #[test]
    fn only_test_builds_leave_incognito_under_automation() {
        assert_eq!(is_automated(Some("true")), cfg!(feature = "e2e"));
        assert!(!is_automated(None));
        assert!(!is_automated(Some("1")));
    }

    /// The shell's memory: GTK's GL and WebKit's EGL probe each loaded Mesa and LLVM in
    /// the shell; a window users run turns both off, one under WebDriver keeps them, and
    /// whatever the user set stays as set.
    #[test]
    fn the_shell_starts_no_gl_unless_automated_or_the_user_says_otherwise() {
        let made = |automated: bool, linux: bool, env: &[(&str, &str)], nodes: &[&str]| {
            let current = |name: &str| {
                env.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| OsString::from(v))
            };
            let nodes: Vec<PathBuf> = nodes.iter().map(PathBuf::from).collect();
            webkit_environment(automated, linux, &current, &nodes)
                .into_iter()
                .map(|(n, v)| format!("{n}={}", v.to_string_lossy()))
                .collect::<Vec<_>>()
        };
        let gpu = ["/dev/dri/renderD128", "/dev/dri/renderD129"];
        assert_eq!(
            made(false, true, &[], &gpu),
            [
                "JSC_useDFGJIT=0",
                "WEBKIT_DISABLE_DMABUF_RENDERER=1",
                "GDK_GL=disable",
                "WEBKIT_WEB_RENDER_DEVICE_FILE=/dev/dri/renderD128"
            ]
        );
        // No render node (a virtual machine): the usual first name.
        assert_eq!(
            made(false, true, &[], &[])[3],
            "WEBKIT_WEB_RENDER_DEVICE_FILE=/dev/dri/renderD128"
        );
        // What the user set is left as set, an empty value included.
        assert_eq!(
            made(false, true, &[("GDK_GL", ""), ("JSC_useDFGJIT", "1")], &gpu),
            [
                "WEBKIT_DISABLE_DMABUF_RENDERER=1",
                "WEBKIT_WEB_RENDER_DEVICE_FILE=/dev/dri/renderD128"
            ]
        );
        // The DMA-BUF renderer turned back on: WebKit's GL as it comes. Any other value
        // turns it off, as WebKit reads it.
        assert_eq!(
            made(
                false,
                true,
                &[("WEBKIT_DISABLE_DMABUF_RENDERER", "0")],
                &gpu
            ),
            ["JSC_useDFGJIT=0"]
        );
        assert_eq!(
            made(false, true, &[("WEBKIT_DISABLE_DMABUF_RENDERER", "")], &gpu).len(),
            3
        );
        // Under WebDriver, and elsewhere than Linux.
        assert_eq!(made(true, true, &[], &gpu), ["JSC_useDFGJIT=0"]);
        assert_eq!(
            made(false, false, &[], &gpu),
            ["JSC_useDFGJIT=0", "WEBKIT_DISABLE_DMABUF_RENDERER=1"]
        );
    }

    #[test]
    fn render_nodes_are_the_render_devices_by_name() {
        let dir = tempfile::tempdir().expect("a folder");
        for name in ["renderD129", "card0", "renderD128", "renderD130", "by-path"] {
            std::fs::write(dir.path().join(name), b"").expect("a file");
        }
        assert_eq!(
            render_nodes(dir.path()),
            [
                dir.path().join("renderD128"),
                dir.path().join("renderD129"),
                dir.path().join("renderD130")
            ]
        );
        assert!(render_nodes(&dir.path().join("missing")).is_empty());
    }

    fn allowed(url: &str) -> bool {
        is_app_url(&Url::parse(url).expect("a URL"))
    }

    #[test]
    fn the_page_cannot_navigate_the_window_off_the_app() {
        assert!(allowed("tauri://localhost"));
        assert!(allowed("tauri://localhost/index.html?x=1#top"));
        for url in [
            "http://127.0.0.1:9/x?data=secret",
            "https://example.org/",
            "http://localhost/",
            "tauri://localhost.example.org/",
            "tauri://evil/",
            "tauri://localhost:8080/",
            "tauri://user@localhost/",
            "kua-media://localhost/token",
            "data:text/html,<p>x</p>",
            "blob:tauri://localhost/1234",
            "file:///etc/passwd",
            "about:blank",
            "javascript:alert(1)",
        ] {
            assert!(!allowed(url), "{url}");
        }
    }
}
