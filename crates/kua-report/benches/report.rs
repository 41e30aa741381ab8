//! The report of a large testimony: a 1 MB narrative (Russian and Kazakh) and 20
//! attachments (10 photographs drawn in the evidence annex, 10 documents of 1 MiB),
//! beside a reference measured in the same run: reading what the report must read
//! anyway (the version, its history, the vault's verification, every attachment's
//! bytes), without laying anything out.
//!
//!     cargo bench -p kua-report --bench report        # about a minute
//!
//! Figures: docs/benchmarks.md, "Reports".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, KdfParams, MediaRef, NewAttachment, Seams, Silent, Vault};
use secrecy::SecretString;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let opts = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let (mut v, _) = Vault::create(
        &dir.path().join("report.kua"),
        &SecretString::from("bench"),
        opts,
        Seams::system(),
    )
    .unwrap();
    let paragraph = "Шестого января меня забрали прямо из больничной палаты. Мені үш тәулік бойы ұрды, ғимаратта қараңғы еді. ";
    let mut narrative = String::new();
    while narrative.len() < 1 << 20 {
        narrative.push_str(paragraph);
        if narrative.len().is_multiple_of(7) {
            narrative.push('\n');
        }
    }
    let id = v
        .add(&TestimonyInput {
            language: Some("ru".into()),
            narrative: Some(narrative.clone()),
            fields: Some(
                serde_json::from_value(serde_json::json!({
                    "interview_datetime": "2022-02-03T11:00",
                    "interview_place": "Алматы",
                    "interviewers": "Интервьюер 3",
                    "events_date": "2022-01-06",
                    "incident_place": "ИВС",
                    "methods": ["beating"],
                    "detaining_authority": "police"
                }))
                .unwrap(),
            ),
            consent: Some(Consent {
                given_at: "2022-02-03".into(),
                method: ConsentMethod::Oral,
                recorded_by: None,
                scope: [ConsentScope::Store, ConsentScope::Legal]
                    .into_iter()
                    .collect(),
                anonymous: false,
                conditions: None,
                withdrawn_at: None,
            }),
            ..TestimonyInput::default()
        })
        .unwrap();
    for i in 0..10 {
        v.attach(
            &id,
            &mut std::io::Cursor::new(png(64 + i * 16)),
            NewAttachment {
                name: format!("фото-{i}.png"),
                media_type: Some("image/png".into()),
                captured_at: None,
            },
            &mut Silent,
        )
        .unwrap();
        let doc: Vec<u8> = (0..1u32 << 20)
            .map(|b| (b.wrapping_mul(31) ^ i as u32) as u8)
            .collect();
        v.attach(
            &id,
            &mut std::io::Cursor::new(doc),
            NewAttachment {
                name: format!("документ-{i}.pdf"),
                media_type: Some("application/pdf".into()),
                captured_at: None,
            },
            &mut Silent,
        )
        .unwrap();
    }
    v.seal(&id).unwrap();
    let options = kua_report::Options {
        lang: "ru".into(),
        version: None,
        full: false,
        made_at: DateTime::parse_from_rfc3339("2026-12-03T10:15:00Z")
            .unwrap()
            .with_timezone(&Utc),
    };

    let reference = time(|| {
        let t = v.show(&id, None).unwrap();
        std::hint::black_box(v.history(&id).unwrap());
        std::hint::black_box(v.verify_quietly().unwrap());
        for a in &t.attachments {
            let media = MediaRef::Attachment {
                testimony: id.clone(),
                attachment: a.id.clone(),
            };
            std::hint::black_box(v.read_media(&media, 0, a.size as usize).unwrap());
        }
    });
    let before = peak_rss_kib();
    let mut pages = 0;
    let mut bytes = 0;
    let report = time(|| {
        let r = kua_report::testimony(&mut v, &id, &options).unwrap();
        bytes = r.pdf.len();
        pages = count_pages(&r.pdf);
    });
    let after = peak_rss_kib();
    println!("report of a testimony with a 1 MB narrative and 20 attachments, median of {RUNS}:");
    println!(
        "  reference (read version, history, verify, attachments): {:>8.1} ms",
        ms(reference)
    );
    println!(
        "  report (gather, lay out, PDF/A-3b, sign):               {:>8.1} ms",
        ms(report)
    );
    println!(
        "  PDF: {pages} pages, {:.1} MiB",
        bytes as f64 / (1 << 20) as f64
    );
    println!(
        "  peak RSS of the process: {:.0} MiB (before the reports: {:.0} MiB)",
        after as f64 / 1024.0,
        before as f64 / 1024.0
    );
}

fn time(mut f: impl FnMut()) -> Duration {
    let mut runs: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    runs.sort();
    runs[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn count_pages(pdf: &[u8]) -> usize {
    pdf.windows(10).filter(|w| w == b"/Type/Page").count()
}

/// A size×size PNG with a gradient (stored, uncompressed deflate blocks).
fn png(size: usize) -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in data {
            c ^= *b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn adler(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for x in data {
            a = (a + *x as u32) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..size {
        raw.push(0);
        for x in 0..size {
            raw.extend_from_slice(&[(x * 255 / size) as u8, (y * 255 / size) as u8, 128]);
        }
    }
    let mut z = vec![0x78, 0x01];
    for (i, block) in raw.chunks(65_535).enumerate() {
        let last = (i + 1) * 65_535 >= raw.len();
        z.push(last as u8);
        z.extend_from_slice(&(block.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(block.len() as u16)).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(size as u32).to_be_bytes());
    ihdr.extend_from_slice(&(size as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}
