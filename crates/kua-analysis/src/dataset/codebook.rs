//! The codebook: every column and code of a dataset, in three languages.

use super::{columns::text, Sheet};
use crate::dimension;
use kua_core::template::{Field, Localized, Template};

/// One row per column (and per code of a coded column): what it holds, in three
/// languages, with HURIDOCS codes where the template has them.
pub(super) fn codebook(tpl: &Template, top: &[&Field], lists: &[(&Field, Vec<&Field>)]) -> Sheet {
    let mut s = Sheet::new(
        "codebook",
        text(&[
            "table", "column", "type", "label_en", "label_ru", "label_kk", "code", "code_en",
            "code_ru", "code_kk", "huridocs",
        ]),
        &[],
    );
    let mut push = |table: &str,
                    column: &str,
                    kind: &str,
                    label: &Localized,
                    code: Option<(&str, &Localized, Option<&str>)>| {
        let mut row = vec![
            table.into(),
            column.into(),
            kind.into(),
            label.en.clone(),
            label.ru.clone(),
            label.kk.clone(),
        ];
        match code {
            Some((c, l, h)) => row.extend([
                c.into(),
                l.en.clone(),
                l.ru.clone(),
                l.kk.clone(),
                h.unwrap_or("").into(),
            ]),
            None => row.extend(std::iter::repeat_n(String::new(), 5)),
        }
        s.rows.push(row);
    };
    let derived = |id: &str, en: &str, ru: &str, kk: &str| {
        (
            id.to_string(),
            Localized {
                en: en.into(),
                ru: ru.into(),
                kk: kk.into(),
            },
        )
    };
    for (col, label) in [
        derived(
            "source",
            "Source: own, or the sender's key id",
            "Источник: own или идентификатор ключа отправителя",
            "Дереккөз: own немесе жіберушінің кілт идентификаторы",
        ),
        derived(
            "record_id",
            "Record id (stable, not identifying)",
            "Идентификатор записи (постоянный, не идентифицирующий)",
            "Жазба идентификаторы (тұрақты, тұлғаны анықтамайды)",
        ),
        derived(
            "version",
            "Sealed version counted",
            "Учтённая запечатанная версия",
            "Есепке алынған мөрленген нұсқа",
        ),
        derived(
            "template_version",
            "Template version",
            "Версия шаблона",
            "Үлгі нұсқасы",
        ),
        derived(
            "record_language",
            "Language of the record",
            "Язык записи",
            "Жазба тілі",
        ),
        derived(
            "events_year",
            "Year of the events",
            "Год событий",
            "Оқиға болған жыл",
        ),
        derived(
            "events_month",
            "Month of the events (YYYY-MM), when known",
            "Месяц событий (ГГГГ-ММ), если известен",
            "Оқиға болған ай (ЖЖЖЖ-АА), белгілі болса",
        ),
    ] {
        push("testimonies", &col, "derived", &label, None);
    }
    if let Some(l) = dimension::labels().dimensions.get("age_band") {
        for (code, cl) in dimension::age_bands() {
            push(
                "testimonies",
                "age_band",
                "derived",
                l,
                Some((code, cl, None)),
            );
        }
    }
    let mut field = |table: &str, f: &Field| {
        let kind = serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        if f.options.is_empty() {
            push(table, &f.id, &kind, &f.label, None);
        }
        for o in &f.options {
            push(
                table,
                &f.id,
                &kind,
                &f.label,
                Some((&o.id, &o.label, o.huridocs.as_deref())),
            );
        }
    };
    for f in top {
        field("testimonies", f);
    }
    if let Some(m) = tpl.field("methods") {
        field("methods", m);
    }
    for (l, subs) in lists {
        for s in subs {
            field(&l.id, s);
        }
    }
    s
}
