//! Rendering a dataset's tables as CSV or JSON and writing them into their folder.

use super::{DatasetFormat, DatasetReport, Sheet};
use crate::error::{Error, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A cell a spreadsheet would take for a formula, made inert.
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    // A plain number ("-1") is no formula, and a numeric column must load as one.
    let number = cell.parse::<f64>().is_ok_and(f64::is_finite) && !cell.contains(['e', 'E']);
    if !number && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// One CSV record as the dataset writes it (quoted where needed, formulas made inert,
/// CRLF): for other CSV a front end prints, such as `kua stats --csv`.
pub fn csv_record(cells: &[String]) -> String {
    let mut out = Vec::new();
    csv_line(&mut out, cells);
    String::from_utf8_lossy(&out).into_owned()
}

fn csv_line(out: &mut Vec<u8>, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let c = neutralise(c);
        if c.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend(c.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend(c.as_bytes());
        }
    }
    out.extend(b"\r\n");
}

fn render(sheet: &Sheet, format: DatasetFormat) -> Vec<u8> {
    match format {
        DatasetFormat::Csv => {
            let mut out = "\u{feff}".as_bytes().to_vec();
            csv_line(&mut out, &sheet.columns);
            for r in &sheet.rows {
                csv_line(&mut out, r);
            }
            out
        }
        DatasetFormat::Json => {
            let rows: Vec<serde_json::Map<String, Value>> = sheet
                .rows
                .iter()
                .map(|r| {
                    sheet
                        .columns
                        .iter()
                        .zip(r)
                        .map(|(c, v)| (c.clone(), Value::String(v.clone())))
                        .collect()
                })
                .collect();
            serde_json::to_vec_pretty(&rows).unwrap_or_default()
        }
    }
}

pub(super) fn write_all(
    dir: &Path,
    sheets: &[Sheet],
    format: DatasetFormat,
    report: &mut DatasetReport,
) -> Result<()> {
    let werr = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Write { path, source }
    };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(werr(dir))?;
        if entries.next().is_some() {
            return Err(Error::NotEmpty(dir.display().to_string()));
        }
    } else {
        // Only the user reads a dataset they saved (0700, files 0600).
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(werr(dir))?;
    }
    let ext = match format {
        DatasetFormat::Csv => "csv",
        DatasetFormat::Json => "json",
    };
    let mut written: Vec<PathBuf> = Vec::new();
    for sheet in sheets {
        let path = dir.join(format!("{}.{ext}", sheet.name));
        // Each file appears complete or not at all (kua_core::save_file).
        let res = kua_core::save_file(&path, &render(sheet, format))
            .map_err(|e| std::io::Error::other(e.to_string()));
        if let Err(e) = res {
            // A half-written dataset is worse than none: take back what was written.
            for p in written.iter().chain([&path]) {
                let _ = std::fs::remove_file(p);
            }
            return Err(werr(&path)(e));
        }
        written.push(path);
        report
            .files
            .push((format!("{}.{ext}", sheet.name), sheet.rows.len() as u64));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_made_inert() {
        for c in [
            "=HYPERLINK(\"x\")",
            "+A1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-1e3",
        ] {
            assert!(neutralise(c).starts_with('\''), "{c:?}");
        }
        assert_eq!(neutralise("KZ-75"), "KZ-75");
        assert_eq!(neutralise("-1"), "-1");
        let mut out = Vec::new();
        csv_line(&mut out, &["a,b".into(), "say \"hi\"".into(), "=1".into()]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",'=1\r\n"
        );
    }
}
