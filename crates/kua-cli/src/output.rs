//! Human-readable output. JSON output is the serialisation of the core's data types.

use anyhow::Result;
use kua_core::model::{SearchHit, Testimony, TestimonySummary, VersionInfo};
use kua_core::template::Template;
use kua_core::{LogLine, VerifyReport};
use serde::Serialize;
use std::process::ExitCode;

/// Prints `value` as JSON, or runs `human`.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce()) -> Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        human();
    }
    Ok(ExitCode::SUCCESS)
}

fn status(s: kua_core::model::Status) -> &'static str {
    match s {
        kua_core::model::Status::Draft => "draft",
        kua_core::model::Status::Sealed => "sealed",
    }
}

pub fn testimony(t: &Testimony) {
    println!("id:        {}", t.id);
    println!(
        "version:   {} of {} ({})",
        t.version,
        t.versions,
        status(t.status)
    );
    println!("template:  {} v{}", t.template, t.template_version);
    println!("language:  {}", t.language);
    println!("created:   {}", t.created_at);
    println!("updated:   {}", t.updated_at);
    if let Some(s) = &t.sealed_at {
        println!("sealed:    {s}");
    }
    println!("hash:      {}", t.content_hash);
    if let Some(r) = &t.amendment_reason {
        println!("amended because: {r}");
    }
    match &t.consent {
        None => println!("consent:   NOT RECORDED"),
        Some(c) => {
            let scope: Vec<String> = c
                .scope
                .iter()
                .filter_map(|s| serde_json::to_value(s).ok())
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            print!(
                "consent:   given {} ({:?}), scope {}",
                c.given_at,
                c.method,
                scope.join(", ")
            );
            if c.anonymous {
                print!(", anonymous");
            }
            if let Some(w) = &c.withdrawn_at {
                print!(", WITHDRAWN {w}");
            }
            println!();
        }
    }
    let template = kua_core::template::find(&t.template);
    let field = |id: &str| template.as_ref().and_then(|tpl| tpl.field(id));
    let label = |id: &str| field(id).map_or(id.to_string(), |f| f.label.en.clone());
    if !t.fields.is_empty() {
        println!();
        for (id, value) in &t.fields {
            if field(id).is_some_and(|f| f.kind == kua_core::template::FieldType::BodyMap) {
                crate::marks::print(&label(id), value, template, field(id));
                continue;
            }
            // Chosen options are shown by their labels, not their ids.
            let option = |v: &serde_json::Value| -> Option<String> {
                let chosen = v.as_str()?;
                let f = field(id)?;
                Some(f.options.iter().find(|o| o.id == chosen)?.label.en.clone())
            };
            let shown = match value {
                serde_json::Value::String(s) => option(value).unwrap_or_else(|| s.clone()),
                serde_json::Value::Array(items) if items.iter().all(|v| v.is_string()) => items
                    .iter()
                    .map(|v| {
                        option(v).unwrap_or_else(|| v.as_str().unwrap_or_default().to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
                v => v.to_string(),
            };
            println!("{}: {shown}", label(id));
        }
    }
    if !t.narrative.is_empty() {
        println!();
        println!("{}", t.narrative);
    }
    if !t.attachments.is_empty() {
        println!();
        for a in &t.attachments {
            println!(
                "attachment {}  {}  {} bytes  sha256:{}",
                a.id, a.name, a.size, a.sha256
            );
        }
    }
    let r = &t.readiness;
    if !r.missing_required.is_empty() || !r.missing_recommended.is_empty() {
        println!();
        let labels = |ids: &[String]| ids.iter().map(|i| label(i)).collect::<Vec<_>>().join("; ");
        if !r.missing_required.is_empty() {
            println!("needed before sealing: {}", labels(&r.missing_required));
        }
        if !r.missing_recommended.is_empty() {
            println!(
                "would strengthen the evidence: {}",
                labels(&r.missing_recommended)
            );
        }
    }
}

pub fn list(list: &[TestimonySummary]) {
    if list.is_empty() {
        eprintln!("no testimonies yet; add one with `kua add`");
    }
    for s in list {
        println!(
            "{}  v{} {:6}  {}  {}",
            s.id,
            s.version,
            status(s.status),
            s.updated_at,
            s.excerpt.replace('\n', " ")
        );
    }
}

pub fn hits(hits: &[SearchHit]) {
    if hits.is_empty() {
        eprintln!("nothing found");
    }
    for h in hits {
        println!(
            "{}  v{} {:6}  {}",
            h.id,
            h.version,
            status(h.status),
            h.snippet.replace('\n', " ")
        );
    }
}

pub fn history(versions: &[VersionInfo], log: &[LogLine]) {
    for v in versions {
        print!(
            "version {} {} {} {}",
            v.version,
            status(v.status),
            v.updated_at,
            v.content_hash
        );
        if !v.changed.is_empty() {
            print!("  changed: {}", v.changed.join(", "));
        }
        if let Some(r) = &v.amendment_reason {
            print!("  reason: {r}");
        }
        println!();
    }
    println!();
    self::log(log);
}

pub fn log(log: &[LogLine]) {
    for l in log {
        let event = serde_json::to_value(l.event)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        print!("{:>5} {} {:<18}", l.seq, l.time, event);
        if let Some(r) = &l.record {
            print!(" {r}");
        }
        if let Some(v) = l.version {
            print!(" v{v}");
        }
        if let Some(d) = &l.detail {
            print!(" {d}");
        }
        if let Some(h) = &l.content_hash {
            print!(" sha256:{}", &h[..h.len().min(16)]);
        }
        println!();
    }
}

pub fn verify(r: &VerifyReport) {
    println!(
        "{} log entries, {} testimonies ({} versions), {} attachments ({} bytes) checked",
        r.log_entries, r.testimonies, r.versions, r.attachments, r.attachment_bytes
    );
    println!("signed head: {}", r.head);
    if r.ok {
        println!("OK: the custody chain, its signatures and every hash verify");
    } else {
        println!("PROBLEMS FOUND: {}", r.problems.len());
        for p in &r.problems {
            println!("  [{}] {}: {}", p.code, p.place, p.detail);
        }
    }
}

pub fn templates(list: &[serde_json::Value]) {
    for t in list {
        println!(
            "{}  v{}  {}",
            t["id"].as_str().unwrap_or(""),
            t["version"],
            t["title"]["en"].as_str().unwrap_or("")
        );
    }
}

pub fn template(t: &Template, lang: &str) {
    println!("{} (v{}): {}", t.id, t.version, t.title.get(lang));
    for s in &t.sections {
        println!();
        println!("## {} [{}]", s.title.get(lang), s.id);
        for f in &s.fields {
            let mut marks = Vec::new();
            if f.required {
                marks.push("required");
            }
            if f.recommended {
                marks.push("recommended");
            }
            if f.identifying {
                marks.push("identifying");
            }
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            println!(
                "  {:<28} {:<12} {} {}",
                f.id,
                kind,
                f.label.get(lang),
                if marks.is_empty() {
                    String::new()
                } else {
                    format!("({})", marks.join(", "))
                }
            );
            for o in &f.options {
                println!("      - {:<26} {}", o.id, o.label.get(lang));
            }
            for sub in &f.fields {
                println!("      .{:<26} {}", sub.id, sub.label.get(lang));
            }
        }
    }
}
