//! Where the app keeps its settings and, by default, its vault. The default vault is the
//! one the `kua` command uses, so both front ends see the same file.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Home {
    /// `settings.json`: language, auto-lock minutes, the last vault opened.
    pub settings: PathBuf,
    /// Where a new vault is created unless the user picks another place.
    pub default_vault: PathBuf,
    /// The webview's data directory when `--home` is given (see window.rs).
    pub webview: Option<PathBuf>,
}

impl Home {
    /// `--home DIR` keeps everything under DIR (tests run several instances side by
    /// side this way); otherwise the platform's directories are used.
    pub fn from_args(mut args: impl Iterator<Item = String>) -> Result<Home, String> {
        let mut dir: Option<PathBuf> = None;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--home" => {
                    dir = Some(args.next().ok_or("--home needs a directory")?.into());
                }
                other => return Err(format!("unknown argument {other:?} (only --home DIR)")),
            }
        }
        if let Some(dir) = dir {
            return Ok(Home {
                settings: dir.join("settings.json"),
                default_vault: dir.join("vault.kua"),
                webview: Some(dir.join("webview")),
            });
        }
        let dirs = directories::ProjectDirs::from("org", "kua", "kua")
            .ok_or("no home directory; start with --home DIR")?;
        // Kua's own directories, made before the umask was set, are made private.
        kua_core::owner_only_dir(dirs.config_dir());
        kua_core::owner_only_dir(dirs.data_dir());
        Ok(Home {
            settings: dirs.config_dir().join("desktop.json"),
            default_vault: dirs.data_dir().join("vault.kua"),
            webview: None,
        })
    }
}
