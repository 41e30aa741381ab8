//! The testimony list in windows (issue #17): windows of one query cover the list once,
//! in order; filters, sort and a search's ids select the same rows as the full list
//! would; a write is seen by the next window.

use crate::*;
use kua_core::model::{ListPage, ListQuery, ListSort, Status, TestimonyInput};
use kua_core::{NewAttachment, Silent};

fn window(v: &mut Vault, query: &ListQuery, offset: u32, limit: u32) -> ListPage {
    v.list_window(&ListQuery {
        offset,
        limit,
        ..query.clone()
    })
    .unwrap()
}

/// Every row of a query, read three at a time.
fn all_ids(v: &mut Vault, query: &ListQuery) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let page = window(v, query, ids.len() as u32, 3);
        if page.rows.is_empty() {
            assert_eq!(
                ids.len() as u32,
                page.matching,
                "the windows cover every match"
            );
            return ids;
        }
        ids.extend(page.rows.into_iter().map(|r| r.id));
    }
}

fn narrated(language: &str, narrative: &str) -> TestimonyInput {
    TestimonyInput {
        language: Some(language.into()),
        narrative: Some(narrative.into()),
        ..Default::default()
    }
}

/// Ten testimonies in three languages (ru, kk, en, ru, …), the first two completed in
/// Russian and sealed; returns their ids in creation order.
fn ten(v: &mut Vault) -> Vec<String> {
    let languages = ["ru", "kk", "en"];
    let mut ids = Vec::new();
    for i in 0..10 {
        let lang = languages[i % 3];
        ids.push(
            v.add(&narrated(lang, &format!("Показание номер {i}, Қарағанды")))
                .unwrap(),
        );
    }
    for id in &ids[..2] {
        v.edit(id, &complete_input("Меня забрали из больницы."))
            .unwrap();
        v.edit(
            id,
            &TestimonyInput {
                consent: Some(consent()),
                ..Default::default()
            },
        )
        .unwrap();
        v.seal(id).unwrap();
    }
    ids
}

#[test]
fn windows_cover_the_list_once_in_the_order_of_the_full_list() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let ids = ten(&mut v);
    let full: Vec<String> = v.list().unwrap().into_iter().map(|s| s.id).collect();
    let query = ListQuery::default();
    assert_eq!(all_ids(&mut v, &query), full, "most recently changed first");

    let first = window(&mut v, &query, 0, 4);
    assert_eq!((first.rows.len(), first.matching, first.total), (4, 10, 10));
    assert_eq!(first.read, 0, "every entry was read by the windows above");
    assert_eq!(first.languages, ["en", "kk", "ru"]);
    // The two sealed ones changed last.
    assert!(first.rows[..2].iter().all(|r| r.status == Status::Sealed));
    assert!(ids[..2].contains(&first.rows[0].id));
    let row = v.list().unwrap().into_iter().next().unwrap();
    assert_eq!(
        (
            &first.rows[0].excerpt,
            &first.rows[0].created_at,
            &first.rows[0].updated_at
        ),
        (&row.excerpt, &row.created_at, &row.updated_at)
    );

    // Creation order, both ways.
    let created = ListQuery {
        sort: ListSort::CreatedAsc,
        ..Default::default()
    };
    assert_eq!(all_ids(&mut v, &created), ids);
    let newest = ListQuery {
        sort: ListSort::Created,
        ..Default::default()
    };
    let mut reversed = ids.clone();
    reversed.reverse();
    assert_eq!(all_ids(&mut v, &newest), reversed);

    // Past the end: no rows, still the counts.
    let past = window(&mut v, &query, 50, 10);
    assert!(past.rows.is_empty());
    assert_eq!((past.matching, past.total), (10, 10));
}

#[test]
fn filters_select_what_the_full_list_holds() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let ids = ten(&mut v);
    let full = v.list().unwrap();
    let expect = |pick: &dyn Fn(&kua_core::model::TestimonySummary) -> bool| -> Vec<String> {
        full.iter()
            .filter(|s| pick(s))
            .map(|s| s.id.clone())
            .collect()
    };

    let sealed = ListQuery {
        status: Some(Status::Sealed),
        ..Default::default()
    };
    let got = all_ids(&mut v, &sealed);
    assert_eq!(got.len(), 2);
    assert_eq!(got, expect(&|s| s.status == Status::Sealed));

    let kazakh = ListQuery {
        language: Some("kk".into()),
        status: Some(Status::Draft),
        ..Default::default()
    };
    let got = all_ids(&mut v, &kazakh);
    assert_eq!(
        got,
        expect(&|s| s.language == "kk" && s.status == Status::Draft)
    );
    // Testimonies 1, 4 and 7 were added in Kazakh; 1 was completed in Russian and sealed.
    assert_eq!(got, [ids[7].clone(), ids[4].clone()]);

    let template = full[0].template.clone();
    let by_template = ListQuery {
        template: Some(template.clone()),
        ..Default::default()
    };
    assert_eq!(
        all_ids(&mut v, &by_template),
        expect(&|s| s.template == template)
    );
    let unknown = ListQuery {
        template: Some("no-such-template".into()),
        ..Default::default()
    };
    assert_eq!(window(&mut v, &unknown, 0, 10).matching, 0);

    // The stepping clock starts on 2022-01-08 (UTC) and stays on that day.
    let day = |from: Option<&str>, to: Option<&str>| ListQuery {
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
        ..Default::default()
    };
    assert_eq!(
        window(&mut v, &day(Some("2022-01-08"), Some("2022-01-08")), 0, 1).matching,
        10
    );
    assert_eq!(
        window(&mut v, &day(Some("2022-01-09"), None), 0, 1).matching,
        0
    );
    assert_eq!(
        window(&mut v, &day(None, Some("2022-01-07")), 0, 1).matching,
        0
    );

    // A search's hits: only those, in the list's order; an id that does not parse or
    // is unknown matches nothing.
    let chosen = ListQuery {
        ids: Some(vec![
            ids[5].clone(),
            ids[0].clone(),
            "not an id".into(),
            uuid_like(),
        ]),
        ..Default::default()
    };
    assert_eq!(
        all_ids(&mut v, &chosen),
        expect(&|s| s.id == ids[5] || s.id == ids[0])
    );
    let none = ListQuery {
        ids: Some(Vec::new()),
        ..Default::default()
    };
    let page = window(&mut v, &none, 0, 10);
    assert_eq!((page.rows.len(), page.matching, page.total), (0, 0, 10));
}

fn uuid_like() -> String {
    "00000000-0000-4000-8000-000000000000".into()
}

#[test]
fn a_write_is_seen_by_the_next_window() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let ids = ten(&mut v);
    let query = ListQuery::default();
    let before = window(&mut v, &query, 0, 10);
    let oldest_draft = before.rows.last().unwrap().id.clone();
    assert_eq!(oldest_draft, ids[2]);

    // An autosave rewrites the draft in place (same version): it moves to the top with
    // its new words.
    v.edit(&oldest_draft, &narrated("ru", "Исправленный текст"))
        .unwrap();
    let after = window(&mut v, &query, 0, 1);
    assert_eq!(after.read, 1, "only the changed testimony is read again");
    assert_eq!(after.rows[0].id, oldest_draft);
    assert_eq!(after.rows[0].excerpt, "Исправленный текст");
    assert!(after.rows[0].updated_at > before.rows[0].updated_at);

    // An amendment is a new version; an attachment is counted.
    v.amend(
        &ids[0],
        &TestimonyInput {
            narrative: Some("Дополнено".into()),
            reason: Some("the survivor added a detail".into()),
            ..Default::default()
        },
    )
    .unwrap();
    v.attach(
        &ids[0],
        &mut &b"photo"[..],
        NewAttachment {
            name: "photo.jpg".into(),
            ..Default::default()
        },
        &mut Silent,
    )
    .unwrap();
    let top = window(&mut v, &query, 0, 1).rows.remove(0);
    assert_eq!(
        (top.id.as_str(), top.version, top.status, top.attachments),
        (ids[0].as_str(), 2, Status::Sealed, 1)
    );

    // A deleted testimony leaves the list and its counts.
    v.delete(&ids[3]).unwrap();
    let page = window(&mut v, &query, 0, 20);
    assert_eq!((page.matching, page.total), (9, 9));
    assert!(page.rows.iter().all(|r| r.id != ids[3]));

    // After a lock the list reads the vault again, and agrees with what it showed.
    v.lock().unwrap();
    assert!(
        v.list_window(&query).is_err(),
        "a locked vault lists nothing"
    );
    v.unlock(&pass()).unwrap();
    let again = window(&mut v, &query, 0, 20);
    assert_eq!(again.read, 9, "a lock drops what was read");
    assert_eq!(ListPage { read: 0, ..again }, ListPage { read: 0, ..page });
}
