//! typst's view of the world for one report: the bundled fonts, the report's template
//! files, and the report's data as virtual files. Nothing is read from the disk or the
//! network, and the date typst sees is the one the report is made on.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

/// The fonts every report uses, embedded in the binary: DejaVu Sans covers Latin,
/// Russian and every Kazakh letter (ә ғ қ ң ө ұ ү һ і), and typst embeds the glyphs it
/// uses (with their Unicode mapping, so the text can be copied and searched).
const FONTS: &[&[u8]] = &[
    include_bytes!("../../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSans-Oblique.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf"),
];

/// The layout shared by every report.
const COMMON: &str = include_str!("../../../assets/reports/common.typ");

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS_ONCE: OnceLock<Fonts> = OnceLock::new();
    FONTS_ONCE.get_or_init(|| {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// Whether a bundled font has a glyph for `c` (tabs and other controls have none).
/// The Basic Multilingual Plane is looked up in a table made once (a report may ask
/// this of every character of a 1 MB account); the rest asks the fonts.
pub(crate) fn covered(c: char) -> bool {
    static BMP: OnceLock<Vec<u64>> = OnceLock::new();
    let ask = |c: char| {
        !c.is_control()
            && fonts()
                .fonts
                .iter()
                .any(|f| f.info().coverage.contains(c as u32))
    };
    let code = c as u32;
    if code > 0xFFFF {
        return ask(c);
    }
    let table = BMP.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        for code in 0..0x10000u32 {
            if char::from_u32(code).is_some_and(ask) {
                bits[(code / 64) as usize] |= 1 << (code % 64);
            }
        }
        bits
    });
    table[(code / 64) as usize] & (1 << (code % 64)) != 0
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::builder().build()))
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(path).map_err(|e| Error::Layout(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One report's inputs: its main template and the files it reads (data, images).
pub(crate) struct Job {
    main: Source,
    common: Source,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

impl Job {
    pub(crate) fn new(main: &'static str, made_at: chrono::DateTime<chrono::Utc>) -> Result<Job> {
        use chrono::{Datelike, Timelike};
        let today = Datetime::from_ymd_hms(
            made_at.year(),
            made_at.month() as u8,
            made_at.day() as u8,
            made_at.hour() as u8,
            made_at.minute() as u8,
            made_at.second() as u8,
        )
        .ok_or_else(|| Error::Layout("the report's time is out of range".into()))?;
        Ok(Job {
            main: Source::new(file_id("/main.typ")?, main.to_string()),
            common: Source::new(file_id("/common.typ")?, COMMON.to_string()),
            files: HashMap::new(),
            today,
        })
    }

    /// Adds a file the template reads (`/data.json`, an image, an embedded file).
    pub(crate) fn file(&mut self, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.files.insert(file_id(path)?, Bytes::new(bytes));
        Ok(())
    }

    /// Lays the report out and writes it as PDF/A-3b. The same job gives the same
    /// bytes: the document's identifier derives from `ident` and its date is the
    /// report's time, not the clock's.
    pub(crate) fn pdf(&self, ident: &str, creator: &str) -> Result<Vec<u8>> {
        let warned = typst::compile::<PagedDocument>(self);
        let document = warned.output.map_err(|errors| {
            Error::Layout(
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let standards = PdfStandards::new(&[PdfStandard::A_3b])
            .map_err(|e| Error::Layout(e.message().to_string()))?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some(creator.to_string())),
            timestamp: Some(Timestamp::new_utc(self.today)),
            page_ranges: None,
            standards,
            tagged: true,
            pretty: false,
        };
        typst_pdf::pdf(&document, &options).map_err(|errors| {
            Error::Layout(
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common.id() {
            Ok(self.common.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Ok(source) = self.source(id) {
            return Ok(Bytes::from_string(source));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}
