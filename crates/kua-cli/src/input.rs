//! The JSON the commands read: from a file, or from standard input ("-", or none given
//! when standard input is not a terminal).

use anyhow::{Context, Result};
use std::io::{IsTerminal, Read};
use std::path::Path;

/// The input parsed, or the type's default when there is no input.
pub fn json<T: serde::de::DeserializeOwned + Default>(file: Option<&Path>) -> Result<T> {
    match text(file)? {
        Some(text) => parse(&text),
        None => Ok(T::default()),
    }
}

/// The input's text; None when there is none (no file and a terminal, or only blanks).
pub fn text(file: Option<&Path>) -> Result<Option<String>> {
    let text = match file {
        None if std::io::stdin().is_terminal() => return Ok(None),
        None => stdin()?,
        Some(p) if p == Path::new("-") => stdin()?,
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
    };
    Ok((!text.trim().is_empty()).then_some(text))
}

/// The text parsed, or an error that says where it does not fit.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        kua_core::Error::BadInput(format!(
            "the JSON input does not fit (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
        .into()
    })
}

/// All of standard input.
pub fn stdin() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("cannot read standard input")?;
    Ok(s)
}
