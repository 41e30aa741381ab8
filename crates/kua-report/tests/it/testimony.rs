//! The report of a testimony, read back with the stock tools a court would use.

use crate::fixture::*;
use kua_core::model::ConsentScope;
use kua_report::{Error, Options};

pub fn options(lang: &str) -> Options {
    Options {
        lang: lang.into(),
        version: None,
        full: false,
        made_at: made_at(),
    }
}

/// pdftotext's text with every run of whitespace made one space, so that a sentence
/// the layout wrapped still reads as one.
pub fn pdf_text(dir: &std::path::Path, file: &str) -> String {
    run("pdftotext", &[file, "-"], dir)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_kazakh_report_reads_back_exactly_is_pdfa_and_is_signed() {
    let mut d = desk();
    let id = d.testimony("kk", KK_ACCOUNT, consent(false, ALL));
    let t = d.v.show(&id, None).unwrap();
    let report = kua_report::testimony(&mut d.v, &id, &options("kk")).unwrap();
    let out = d.dir.path().join("report.pdf");
    kua_report::save(&mut d.v, &report, &out).unwrap();
    let dir = d.dir.path();

    let text = pdf_text(dir, "report.pdf");
    assert!(
        text.contains(&one_line(KK_ACCOUNT)),
        "the Kazakh account reads back"
    );
    assert!(
        text.contains(NAME),
        "a report of a named testimony names the person"
    );
    assert!(text.contains("Куәлік жөніндегі есеп"), "the Kazakh title");
    assert!(text.contains(&t.content_hash));
    assert!(
        text.contains(&t.attachments[0].sha256),
        "the evidence hash is printed"
    );
    assert!(text.contains("06.01.2022"), "dates in the Kazakh order");
    assert!(text.contains("Гематома 4×6 см"), "the medical finding");

    // Every font embedded.
    let fonts = run("pdffonts", &["report.pdf"], dir);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty());
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {row}");
    }
    // The PDF/A-3b identification in the XMP metadata.
    let meta = run("pdfinfo", &["-meta", "report.pdf"], dir);
    assert!(meta.contains("<pdfaid:part>3</pdfaid:part>"), "{meta}");
    assert!(meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"));

    // The signature beside it, by the device key, with stock minisign.
    std::fs::write(dir.join("kua.pub"), d.v.minisign_public_key_file().unwrap()).unwrap();
    let verified = run("minisign", &["-Vm", "report.pdf", "-p", "kua.pub"], dir);
    assert!(
        verified.contains(&t.content_hash),
        "the trusted comment names the hash"
    );
    // A changed byte fails it.
    let mut bytes = std::fs::read(&out).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 1;
    std::fs::write(dir.join("changed.pdf"), &bytes).unwrap();
    std::fs::copy(
        dir.join("report.pdf.minisig"),
        dir.join("changed.pdf.minisig"),
    )
    .unwrap();
    assert!(!passes(
        "minisign",
        &["-Vm", "changed.pdf", "-p", "kua.pub"],
        dir
    ));

    // The embedded record is the sealed version byte for byte.
    run(
        "pdfdetach",
        &["-saveall", "-o", dir.to_str().unwrap(), "report.pdf"],
        dir,
    );
    let record = std::fs::read(dir.join("record.json")).unwrap();
    assert_eq!(sha256_hex(&record), t.content_hash);
    let custody: Vec<kua_core::LogLine> =
        serde_json::from_slice(&std::fs::read(dir.join("custody.json")).unwrap()).unwrap();
    assert!(custody
        .iter()
        .any(|l| l.event == kua_core::custody::Event::Sealed
            && l.content_hash.as_deref() == Some(t.content_hash.as_str())));

    // Saving was logged, with the PDF's hash.
    let history = d.v.history(&id).unwrap();
    let saved = history.last().unwrap();
    assert_eq!(saved.event, kua_core::custody::Event::ReportSaved);
    assert_eq!(saved.content_hash.as_deref(), Some(report.sha256.as_str()));
    assert_eq!(sha256_hex(&std::fs::read(&out).unwrap()), report.sha256);
}

#[test]
fn the_same_version_and_options_give_the_same_bytes() {
    let mut d = desk();
    let id = d.testimony("ru", RU_ACCOUNT, consent(false, ALL));
    let a = kua_report::testimony(&mut d.v, &id, &options("ru")).unwrap();
    let b = kua_report::testimony(&mut d.v, &id, &options("ru")).unwrap();
    assert_eq!(a.pdf, b.pdf);
    let en = kua_report::testimony(&mut d.v, &id, &options("en")).unwrap();
    assert_ne!(a.pdf, en.pdf, "the language is part of the options");
    std::fs::write(d.dir.path().join("ru.pdf"), &a.pdf).unwrap();
    let text = pdf_text(d.dir.path(), "ru.pdf");
    assert!(text.contains(&one_line(RU_ACCOUNT)));
    assert!(text.contains("Отчёт о свидетельском показании"));
}

#[test]
fn an_anonymous_testimony_gives_a_report_without_the_name() {
    let mut d = desk();
    let id = d.testimony("ru", RU_ACCOUNT, consent(true, ALL));
    let report = kua_report::testimony(&mut d.v, &id, &options("ru")).unwrap();
    let dir = d.dir.path();
    std::fs::write(dir.join("anon.pdf"), &report.pdf).unwrap();
    let text = pdf_text(dir, "anon.pdf");
    assert!(!text.contains(NAME), "the name is withheld");
    assert!(!text.contains("Нұрланқызы"));
    assert!(text.contains("скрыто (анонимно)"));
    assert!(
        text.contains(&one_line(RU_ACCOUNT)),
        "the account itself is kept"
    );
    // Nothing embedded holds it either: the sealed record is not embedded.
    let list = run("pdfdetach", &["-list", "anon.pdf"], dir);
    assert!(!list.contains("record.json"), "{list}");
    run(
        "pdfdetach",
        &["-saveall", "-o", dir.to_str().unwrap(), "anon.pdf"],
        dir,
    );
    let custody = std::fs::read_to_string(dir.join("custody.json")).unwrap();
    assert!(!custody.contains(NAME));
    // The photograph is listed with its hash, not drawn, and not by its name.
    assert!(text.contains("Изображение не показано"));
    assert!(
        !text.contains("фото-предплечье"),
        "file names can name people"
    );
    assert!(text.contains("attachment-"));
    // Who recorded it is withheld too, as redaction does.
    assert!(!text.contains("Интервьюер 3"));

    // The full report, which the consent to legal use allows, names the person.
    let full = Options {
        full: true,
        ..options("ru")
    };
    let report = kua_report::testimony(&mut d.v, &id, &full).unwrap();
    std::fs::write(dir.join("full.pdf"), &report.pdf).unwrap();
    assert!(pdf_text(dir, "full.pdf").contains(NAME));

    // Without that consent, a full report is refused.
    let other = d.testimony("ru", RU_ACCOUNT, consent(true, &[ConsentScope::Store]));
    let err = kua_report::testimony(&mut d.v, &other, &full).unwrap_err();
    assert_eq!(err.code(), "report_full_not_allowed");
}

#[test]
fn a_narrative_written_as_layout_code_is_printed_not_run() {
    let mut d = desk();
    let code = "#panic(\"run\") #read(\"/data.json\") ]) #set page(width: 1cm) = Heading $x^2$ <label> @ref `raw` *bold*";
    let id = d.testimony("en", code, consent(false, ALL));
    let report = kua_report::testimony(&mut d.v, &id, &options("en")).unwrap();
    std::fs::write(d.dir.path().join("code.pdf"), &report.pdf).unwrap();
    let text = pdf_text(d.dir.path(), "code.pdf");
    assert!(
        text.contains(&one_line(code)),
        "the code is printed as written"
    );
    let info = run("pdfinfo", &["code.pdf"], d.dir.path());
    assert!(
        info.contains("595.276 x 841.89"),
        "the page is still A4: {info}"
    );
}

#[test]
fn drafts_withdrawn_consent_and_bad_languages_are_refused() {
    let mut d = desk();
    let draft =
        d.v.add(&kua_core::model::TestimonyInput {
            narrative: Some("черновик".into()),
            ..Default::default()
        })
        .unwrap();
    let err = kua_report::testimony(&mut d.v, &draft, &options("ru")).unwrap_err();
    assert!(matches!(err, Error::NotSealed { .. }), "{err}");
    assert_eq!(err.code(), "report_not_sealed");

    let id = d.testimony("ru", RU_ACCOUNT, consent(false, ALL));
    let err = kua_report::testimony(&mut d.v, &id, &options("de")).unwrap_err();
    assert_eq!(err.code(), "report_unknown_language");

    let mut withdrawn = consent(false, ALL);
    withdrawn.withdrawn_at = Some("2022-03-01".into());
    d.v.set_consent(&id, &withdrawn).unwrap();
    let err = kua_report::testimony(&mut d.v, &id, &options("ru")).unwrap_err();
    assert_eq!(err.code(), "report_consent_withdrawn");
}

#[test]
fn an_earlier_version_is_reported_as_it_was_sealed() {
    let mut d = desk();
    let id = d.testimony("ru", RU_ACCOUNT, consent(false, ALL));
    let v1 = Options {
        version: Some(1),
        ..options("ru")
    };
    // Made before the amendment, the report of version 1 is the same after it.
    let before = kua_report::testimony(&mut d.v, &id, &v1).unwrap();
    d.v.amend(
        &id,
        &kua_core::model::TestimonyInput {
            narrative: Some("Исправленный рассказ.".into()),
            reason: Some("Уточнение даты".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let r1 = kua_report::testimony(&mut d.v, &id, &v1).unwrap();
    assert!(
        r1.pdf == before.pdf,
        "a later version does not change version 1's report"
    );
    let latest = kua_report::testimony(&mut d.v, &id, &options("ru")).unwrap();
    assert_eq!(r1.version, Some(1));
    assert_eq!(latest.version, Some(2));
    let dir = d.dir.path();
    std::fs::write(dir.join("v1.pdf"), &r1.pdf).unwrap();
    std::fs::write(dir.join("v2.pdf"), &latest.pdf).unwrap();
    assert!(pdf_text(dir, "v1.pdf").contains(&one_line(RU_ACCOUNT)));
    let v2 = pdf_text(dir, "v2.pdf");
    assert!(v2.contains("Исправленный рассказ."));
    assert!(v2.contains("Уточнение даты"), "the amendment's reason");
}

#[test]
fn characters_the_fonts_lack_are_marked_and_photographs_lose_their_exif() {
    let mut d = desk();
    // A JPEG with an EXIF block that says where it was taken.
    let mut jpeg = Vec::new();
    let pixels = image::RgbImage::from_pixel(32, 24, image::Rgb([200, 30, 30]));
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&pixels)
        .unwrap();
    let exif = b"Exif\0\0GPS-CANARY-43.238949N-76.889709E";
    let mut tagged = jpeg[..2].to_vec();
    tagged.extend_from_slice(&[0xFF, 0xE1]);
    tagged.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    tagged.extend_from_slice(exif);
    tagged.extend_from_slice(&jpeg[2..]);
    let id =
        d.v.add(&kua_core::model::TestimonyInput {
            narrative: Some("Он заплакал 漢\u{7} и замолчал.".into()),
            consent: Some(consent(false, ALL)),
            ..Default::default()
        })
        .unwrap();
    d.v.attach(
        &id,
        &mut std::io::Cursor::new(tagged),
        kua_core::NewAttachment {
            name: "место.jpg".into(),
            media_type: Some("image/jpeg".into()),
            captured_at: None,
        },
        &mut kua_core::Silent,
    )
    .unwrap();
    d.v.edit(
        &id,
        &kua_core::model::TestimonyInput {
            fields: Some(
                serde_json::from_value(serde_json::json!({
                    "interview_datetime": "2022-02-03T11:00",
                    "interview_place": "Алматы",
                    "interviewers": "Интервьюер 3",
                    "incident_place": "ИВС",
                    "events_date": "2022-01-06",
                    "methods": ["beating"],
                    "detaining_authority": "police"
                }))
                .unwrap(),
            ),
            ..Default::default()
        },
    )
    .unwrap();
    d.v.seal(&id).unwrap();
    let report = kua_report::testimony(&mut d.v, &id, &options("ru")).unwrap();
    let dir = d.dir.path();
    std::fs::write(dir.join("emoji.pdf"), &report.pdf).unwrap();
    let text = pdf_text(dir, "emoji.pdf");
    assert!(
        text.contains("Он заплакал [U+6F22][U+0007] и замолчал."),
        "{text}"
    );
    // The embedded record keeps the exact character.
    run(
        "pdfdetach",
        &["-saveall", "-o", dir.to_str().unwrap(), "emoji.pdf"],
        dir,
    );
    let record = std::fs::read_to_string(dir.join("record.json")).unwrap();
    assert!(record.contains("漢\\u0007"), "{record}");

    // The photograph is drawn from its pixels: the image the PDF holds has no EXIF.
    run("pdfimages", &["-all", "emoji.pdf", "img"], dir);
    let images: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("img-"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(
        images.iter().any(|i| i.starts_with(&[0xFF, 0xD8])),
        "a JPEG is drawn"
    );
    assert!(images
        .iter()
        .all(|i| !i.windows(10).any(|w| w == b"GPS-CANARY")));
}
