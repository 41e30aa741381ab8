//! Search's unit tests: folding and matching, ranking as typed first, and snippets.
//! The index's own (replacements, ranking, shards) are in `index_tests.rs`.

use super::*;
use crate::model::Status;

pub(super) fn doc(n: u8, text: &str) -> Result<Doc> {
    Ok(Doc {
        id: Uuid::from_bytes([n; 16]),
        version: 1,
        status: Status::Draft,
        text: text.into(),
    })
}

#[test]
fn kazakh_and_russian_match_whatever_the_case() {
    let index = SearchIndex::build_in(
        [
            doc(
                1,
                "ҰЛТТЫҚ ҰЛАН ӘСКЕРЛЕРІ ҒИМАРАТҚА КІРДІ, ҚОЛДАРЫ ҮШІН ҺӘМ ӨЗГЕ",
            ),
            doc(2, "Задержан сотрудниками КНБ в больнице"),
            doc(3, "Beaten in the van"),
        ]
        .into_iter(),
        1,
    )
    .unwrap();
    let ids = |q: &str| -> Vec<u8> {
        index
            .query(&terms(q), 10)
            .unwrap()
            .iter()
            .map(|h| h.id.as_bytes()[0])
            .collect()
    };
    assert_eq!(ids("ұлттық ұлан"), vec![1]);
    assert_eq!(ids("әскерлері"), vec![1]);
    assert_eq!(ids("ғимаратқа"), vec![1]);
    assert_eq!(ids("үшін һәм өзге кірді"), vec![1]);
    assert_eq!(ids("кнб БОЛЬНИЦЕ"), vec![2]);
    assert_eq!(ids("задерж"), vec![2]);
    assert_eq!(ids("BEATEN"), vec![3]);
    assert!(ids("\"unbalanced AND OR (").is_empty());
}

#[test]
fn what_people_type_finds_the_testimony() {
    let texts = [
        "Әлия Нұрланқызы Серікбаева: ҚАРАҒАНДЫ облысы, өңірде",
        "Всё началось ночью; Фёдор и Ольга видели, как увезли",
        "Алия Нурланкызы, Караганда",
        "Все началось утром",
        "Instagramда жазды, Фе\u{308}дор көрді",
    ];
    let index = SearchIndex::build_in(
        texts.iter().enumerate().map(|(i, t)| doc(i as u8 + 1, t)),
        1,
    )
    .unwrap();
    // The hits, in the order the vault shows them: as typed first.
    let ids = |q: &str| -> Vec<u8> {
        let terms = terms(q);
        let mut found: Vec<(bool, u8)> = index
            .query(&terms, 10)
            .unwrap()
            .iter()
            .map(|h| {
                let n = h.id.as_bytes()[0];
                (exact(texts[n as usize - 1], &terms), n)
            })
            .collect();
        exact_first(&mut found);
        found.into_iter().map(|(_, n)| n).collect()
    };
    let sorted = |q: &str| {
        let mut v = ids(q);
        v.sort();
        v
    };
    // A Kazakh name typed on a Russian layout finds it; the record written with
    // exactly those letters comes first, then the Kazakh spelling.
    assert_eq!(ids("нурланкызы"), vec![3, 1]);
    assert_eq!(ids("Нұрланқызы"), vec![1, 3]);
    assert_eq!(ids("НУРЛАНКЫЗЫ АЛИЯ"), vec![3, 1]);
    assert_eq!(ids("серикбаева"), vec![1]);
    assert_eq!(ids("онирде"), vec![1]);
    assert_eq!(ids("серiкбаева"), vec![1], "a Latin i typed for і");
    // е for ё and ё for е, both ways, exact first.
    assert_eq!(ids("все началось"), vec![4, 2]);
    assert_eq!(ids("всё началось"), vec![2, 4]);
    assert_eq!(sorted("федор"), vec![2, 5]);
    assert_eq!(sorted("ФЁДОР"), vec![2, 5], "a decomposed ё too");
    // A Latin word with a Kazakh ending is found by the Latin word.
    assert_eq!(ids("instagram"), vec![5]);
    // A word of signs alone matches nothing rather than everything.
    assert!(ids("ь").is_empty());
    assert_eq!(ids("ь все"), vec![4, 2]);
    // Latin spellings of Cyrillic names (neither spelling is the typed one, so
    // the order among them is the index's ranking).
    assert_eq!(sorted("Nurlankyzy"), vec![1, 3]);
    assert_eq!(ids("nurlanqyzy serikbayeva"), vec![1]);
    assert_eq!(sorted("Aliya"), vec![1, 3]);
    assert_eq!(ids("Olga Fyodor"), vec![2]);
    assert_eq!(
        ids("Fyodor korди"),
        Vec::<u8>::new(),
        "a mixed word is no reading"
    );
    assert_eq!(ids("Fyodor kordi"), vec![5]);
    // The Kazakh Latin alphabet's letters too; the Russian name of the city is
    // another word.
    assert_eq!(ids("Qaraǵandy"), vec![1]);
    assert_eq!(ids("Karaganda"), vec![3]);
    // What none of them says finds nothing.
    assert!(ids("Serikbaeva ночью").is_empty());
    assert!(ids("\"unbalanced AND OR (").is_empty());
}

#[test]
fn the_hits_shown_are_read_only_until_enough_hold_the_query_as_typed() {
    // Candidates in rank order: (holds the query as typed, name).
    let run = |candidates: &[(bool, char)], limit: usize| -> (Vec<char>, usize) {
        let mut read = 0;
        let shown = shown(
            candidates.iter().map(|&c| {
                read += 1;
                Ok(c)
            }),
            limit,
        )
        .unwrap();
        (shown, read)
    };
    // A hit as typed ranked below a folded one comes first, and nothing after it is read.
    assert_eq!(
        run(&[(false, 'a'), (true, 'b'), (true, 'c')], 1),
        (vec!['b'], 2)
    );
    assert_eq!(
        run(&[(true, 'a'), (false, 'b'), (true, 'c'), (true, 'd')], 2),
        (vec!['a', 'c'], 3)
    );
    // Too few as typed: every candidate is read, the folded ones fill up in rank order.
    assert_eq!(
        run(&[(false, 'a'), (true, 'b'), (false, 'c'), (false, 'd')], 3),
        (vec!['b', 'a', 'c'], 4)
    );
    assert_eq!(run(&[(true, 'a')], 0), (vec![], 0));
    // A candidate that cannot be read fails the search, unless reading stopped before it.
    let failing = [Ok((true, 'a')), Err(crate::Error::Locked)];
    assert!(shown(failing.into_iter(), 2).is_err());
    let failing = [Ok((true, 'a')), Err(crate::Error::Locked)];
    assert_eq!(shown(failing.into_iter(), 1).unwrap(), vec!['a']);
}

#[test]
fn snippets_mark_folded_matches_in_the_original_letters() {
    let text = "Әлия Нұрланқызы Серікбаева. Всё началось ночью.";
    assert_eq!(
        snippet(text, &terms("нурланкызы все")),
        "Әлия [Нұрланқызы] Серікбаева. [Всё] началось ночью."
    );
    assert_eq!(
        snippet(text, &terms("Serikbayeva")),
        "Әлия Нұрланқызы [Серікбаева]. Всё началось ночью."
    );
}

#[test]
fn snippets_keep_the_original_case_and_mark_every_match() {
    let text = "Меня задержали сотрудники КНБ в больнице. Потом ұлттық ұлан әскерлері ұрды.";
    assert_eq!(
        snippet(text, &terms("кнб ҰЛТТЫҚ")),
        "Меня задержали сотрудники [КНБ] в больнице. Потом [ұлттық] ұлан әскерлері ұрды."
    );
    let long = (0..40)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        snippet(&long, &terms("W20")),
        "…w12 w13 w14 w15 w16 w17 w18 w19 [w20] w21 w22 w23 w24 w25 w26 w27 w28…"
    );
    assert_eq!(snippet("", &terms("x")), "");
}
