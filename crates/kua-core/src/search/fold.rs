//! How search folds what people type onto what the testimony says.
//!
//! Russian and Kazakh speakers routinely write е for ё, and many laptops in Kazakhstan
//! have no Kazakh layout, so Kazakh words are typed with the Russian letter nearest to
//! each Kazakh one. Search therefore compares words in a folded form (`fold`): lower
//! case; ё→е, э→е; ә→а, ғ→г, қ→к, ң→н, ө→о, ұ→у, ү→у, һ→х, і→и; the signs ь and ъ
//! dropped (Latin spellings do not write them); and a Latin i inside a Cyrillic word
//! (a common stand-in for і) read as и. A word typed in Latin letters is read through
//! one fixed table (`latin_to_cyrillic`, documented in README.md) and compared folded,
//! so that "Nurlankyzy" and "Nurlanqyzy" find Нұрланқызы.
//!
//! Invariant: `fold` of a word is the same whichever of these spellings it came in, and
//! `fold(fold(w)) == fold(w)`.

use std::borrow::Cow;

/// The folded form of one lower-case Cyrillic letter, or None if it stays.
fn fold_char(c: char) -> Option<Option<char>> {
    Some(match c {
        'ё' | 'э' => Some('е'),
        'ә' => Some('а'),
        'ғ' => Some('г'),
        'қ' => Some('к'),
        'ң' => Some('н'),
        'ө' => Some('о'),
        'ұ' | 'ү' => Some('у'),
        'һ' => Some('х'),
        'і' => Some('и'),
        'ь' | 'ъ' => None,
        _ => return None,
    })
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Combining marks (U+0300–U+036F). FTS5's tokenizer keeps them inside a word, so
/// search does too; folding drops them, except that a breve turns the и before it into
/// й (a decomposed й), so that a text written with marks folds as its composed form.
fn is_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Whether `c` belongs to a word, as FTS5's unicode61 tokenizer sees it. ASCII and
/// Cyrillic letters answer without Unicode's tables (search reads every word of every
/// hit it shows).
pub(crate) fn is_word_char(c: char) -> bool {
    letter_lower(c).is_some() || c.is_alphanumeric() || is_mark(c)
}

/// Lower case as search compares words: as Unicode's, with the common letters by
/// arithmetic and İ as i (see `letter_lower`), pushed onto `out`.
pub(crate) fn lower_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match letter_lower(c) {
            Some(l) => out.push(l),
            None => out.extend(c.to_lowercase()),
        }
    }
}

/// `text` in lower case, as `lower_into`.
pub(crate) fn lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    lower_into(text, &mut out);
    out
}

/// Pushes a combining mark's effect onto the folded word in `out`.
fn push_mark(out: &mut String, mark: char) {
    if mark == '\u{0306}' && out.ends_with('и') {
        out.pop();
        out.push('й');
    }
}

/// Whether a Latin i in a word stands for the Kazakh і: the word's other letters are
/// all Cyrillic ("Серiк"), not a Latin word with a Kazakh ending ("Instagramда").
fn latin_i_is_kazakh(word: &str) -> bool {
    word.chars().any(is_cyrillic) && word.chars().all(|c| c == 'i' || !c.is_ascii_alphabetic())
}

/// The folded form of a lower-case word (as `fold_text` folds it in a text).
pub(crate) fn fold(word: &str) -> Cow<'_, str> {
    let kazakh_i = latin_i_is_kazakh(word);
    let changes = |c: char| fold_char(c).is_some() || (kazakh_i && c == 'i') || is_mark(c);
    if !word.chars().any(changes) {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match fold_char(c) {
            Some(Some(f)) => out.push(f),
            Some(None) => {}
            None if kazakh_i && c == 'i' => out.push('и'),
            None if is_mark(c) => push_mark(&mut out, c),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A whole text lower-cased and folded word by word, in one pass: what the index
/// holds. Each word comes out as `fold` of its lower-cased self; what lies between
/// words is kept.
pub(crate) fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    let mut cyrillic = false;
    let mut latin_i = false;
    let mut other_latin = false;
    let fold_letter = |out: &mut String,
                       l: char,
                       cyrillic: &mut bool,
                       latin_i: &mut bool,
                       other_latin: &mut bool| {
        *cyrillic |= is_cyrillic(l);
        match fold_char(l) {
            Some(Some(f)) => out.push(f),
            Some(None) => {}
            None => {
                *latin_i |= l == 'i';
                *other_latin |= l != 'i' && l.is_ascii_alphabetic();
                out.push(l);
            }
        }
    };
    for c in text.chars() {
        if let Some(l) = letter_lower(c) {
            // The common case: an ASCII or Cyrillic letter, lower-cased without tables.
            fold_letter(&mut out, l, &mut cyrillic, &mut latin_i, &mut other_latin);
        } else if is_mark(c) {
            push_mark(&mut out, c);
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                if is_mark(l) {
                    push_mark(&mut out, l);
                } else {
                    fold_letter(&mut out, l, &mut cyrillic, &mut latin_i, &mut other_latin);
                }
            }
        } else {
            end_word(&mut out, start, cyrillic && latin_i && !other_latin);
            out.push(c);
            start = out.len();
            cyrillic = false;
            latin_i = false;
            other_latin = false;
        }
    }
    end_word(&mut out, start, cyrillic && latin_i && !other_latin);
    out
}

/// Reads the Latin i of the Cyrillic word that ends `out` (from `start`) as и: its
/// Cyrillic letters may come after the i, so this waits for the word's end.
fn end_word(out: &mut String, start: usize, kazakh_i: bool) {
    if kazakh_i {
        let word: String = out[start..]
            .chars()
            .map(|c| if c == 'i' { 'и' } else { c })
            .collect();
        out.truncate(start);
        out.push_str(&word);
    }
}

/// An ASCII letter or digit, or a letter of the Cyrillic block, lower-cased; None for
/// anything else (which the caller treats with the full Unicode tables). Index
/// building spends most of its folding time here, so the common letters are mapped
/// by arithmetic: А–Я +0x20, Ѐ–Џ +0x50, and the paired letters of U+0460–U+04FF
/// (Kazakh's Ғ Қ Ң Ү Ұ Һ Ә Ө among them) even → odd.
fn letter_lower(c: char) -> Option<char> {
    let u = c as u32;
    match u {
        0x30..=0x39 | 0x61..=0x7A => Some(c),
        // İ (the Kazakh Latin alphabet's and Turkish capital) is i: Unicode gives i and
        // a combining dot, which would end up splitting the word on one side only.
        0x130 => Some('i'),
        0x41..=0x5A => Some(c.to_ascii_lowercase()),
        0x430..=0x45F => Some(c),
        0x410..=0x42F => char::from_u32(u + 0x20),
        0x400..=0x40F => char::from_u32(u + 0x50),
        // Paired upper/lower case letters, upper case at even code points, apart from
        // U+0482–U+0489 (a sign and combining marks), U+04C0 (palochka, its own case
        // pair at U+04CF) and U+04C1–U+04CE (pairs with upper case at odd points).
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x4FF => {
            char::from_u32(if u.is_multiple_of(2) { u + 1 } else { u })
        }
        _ => None,
    }
}

const VOWELS: &str = "aeiouyáäóöúüūı";

/// A word written in Latin letters (English-alphabet transliteration, or the Kazakh
/// Latin alphabet's letters) as the folded Cyrillic it may spell: one reading, or up to
/// eight where the table below is ambiguous; empty for a word with any other letter or
/// shorter than two letters. One fixed table, longest match first:
///
/// shch/sch→щ, sh→ш, ch→ч, zh→ж, kh→х, ts→ц or тс, gh→г, yu→ю, iu→ю, ию or иу,
/// ya→я, ia→я, ия or иа, yo/ye→е; then
/// a→а b→б c→к d→д e→е f→ф g→г h→х i→и j→ж k→к l→л m→м n→н o→о p→п q→к r→р s→с
/// t→т u→у v→в w→у x→кс y→ы z→з, and á/ä→а ǵ/ğ→г ń/ñ→н ó/ö→о ú/ü/ū→у ı→ы ş→ш ç→ч;
/// except that i or y after a vowel and not before one is read both as й and as the
/// vowel (Aigerim → Айгерим, Mikhail → Михаил; Sergey → Сергей, Bauyrzhan → Бауыржан).
pub(crate) fn latin_to_cyrillic(word: &str) -> Vec<String> {
    const MAX_READINGS: usize = 8;
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2
        || !chars
            .iter()
            .all(|c| c.is_ascii_lowercase() || "áäǵğńñóöúüūışç".contains(*c))
    {
        return Vec::new();
    }
    let vowel = |i: usize| chars.get(i).is_some_and(|c| VOWELS.contains(*c));
    let at = |i: usize, s: &str| {
        s.chars()
            .enumerate()
            .all(|(k, c)| chars.get(i + k) == Some(&c))
    };
    let mut readings = vec![String::with_capacity(word.len() * 2)];
    let push =
        |readings: &mut Vec<String>, s: &str| readings.iter_mut().for_each(|r| r.push_str(s));
    // Every reading so far, continued by each of `options` while there is room (the
    // first option alone once there is not).
    let branch = |readings: &mut Vec<String>, options: &[&str]| {
        if readings.len() * options.len() > MAX_READINGS {
            push(readings, options[0]);
            return;
        }
        let before = std::mem::take(readings);
        for option in options {
            readings.extend(before.iter().map(|r| format!("{r}{option}")));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        // Where a spelling stands for more than one thing, every reading is kept (up to
        // MAX_READINGS in all): Maria is Мария, Diana Диана, Dias Диас; Sovetskaya
        // is Советская, Tsoy Цой.
        const DIGRAPHS: [(&str, &[&str]); 14] = [
            ("shch", &["щ"]),
            ("sch", &["щ"]),
            ("sh", &["ш"]),
            ("ch", &["ч"]),
            ("zh", &["ж"]),
            ("kh", &["х"]),
            ("ts", &["ц", "тс"]),
            ("gh", &["г"]),
            ("yu", &["ю"]),
            ("iu", &["ю", "ию", "иу"]),
            ("ya", &["я"]),
            ("ia", &["я", "ия", "иа"]),
            ("yo", &["е"]),
            ("ye", &["е"]),
        ];
        if let Some((from, to)) = DIGRAPHS.iter().find(|(from, _)| at(i, from)) {
            branch(&mut readings, to);
            i += from.chars().count();
            continue;
        }
        let c = chars[i];
        if (c == 'i' || c == 'y') && i > 0 && vowel(i - 1) && !vowel(i + 1) {
            branch(&mut readings, &["й", if c == 'i' { "и" } else { "ы" }]);
            i += 1;
            continue;
        }
        let letter = match c {
            'a' | 'á' | 'ä' => "а",
            'b' => "б",
            'c' | 'k' | 'q' => "к",
            'd' => "д",
            'e' => "е",
            'f' => "ф",
            'g' | 'ǵ' | 'ğ' => "г",
            'h' => "х",
            'i' => "и",
            'j' => "ж",
            'l' => "л",
            'm' => "м",
            'n' | 'ń' | 'ñ' => "н",
            'o' | 'ó' | 'ö' => "о",
            'p' => "п",
            'r' => "р",
            's' => "с",
            't' => "т",
            'u' | 'ú' | 'ü' | 'ū' | 'w' => "у",
            'v' => "в",
            'x' => "кс",
            'y' | 'ı' => "ы",
            'z' => "з",
            'ş' => "ш",
            'ç' => "ч",
            _ => return Vec::new(),
        };
        push(&mut readings, letter);
        i += 1;
    }
    readings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_word_folds_to_one_form() {
        // е for ё, both ways.
        assert_eq!(fold("ёлка"), fold("елка"));
        assert_eq!(fold("всё"), "все");
        // Kazakh letters typed on a Russian layout.
        for (kazakh, typed) in [
            ("нұрланқызы", "нурланкызы"),
            ("әлия", "алия"),
            ("ғимарат", "гимарат"),
            ("қарағанды", "караганды"),
            ("өңір", "онир"),
            ("үкімет", "укимет"),
            ("һәм", "хам"),
            ("серік", "серик"),
        ] {
            assert_eq!(fold(kazakh), fold(typed), "{kazakh} / {typed}");
            assert_eq!(fold(typed), typed, "a plain Russian spelling stays");
        }
        // A Latin i standing in for і inside a Cyrillic word, but not in a Latin word
        // with a Kazakh ending.
        assert_eq!(fold("серiк"), "серик");
        assert_eq!(fold("instagramда"), "instagramда");
        assert_eq!(fold_text("Instagramда TikTokта"), "instagramда tiktokта");
        // Combining marks: a decomposed ё or й, a stress mark; the Kazakh Latin İ.
        assert_eq!(
            fold_text("Фе\u{308}дор Никола\u{301}и\u{306}"),
            "федор николай"
        );
        assert_eq!(fold("фе\u{308}дор"), "федор");
        assert_eq!(fold_text("İle"), "ile");
        assert_eq!(fold(&"İle".to_lowercase()), "ile");
        assert_eq!(lower("İle ҚАЗАҚ Ёлка"), "ile қазақ ёлка");
        // Latin words stay (English text), signs go.
        assert_eq!(fold("beaten"), "beaten");
        assert!(matches!(fold("beaten"), Cow::Borrowed(_)));
        assert_eq!(fold("ольга"), "олга");
        for w in ["ёлка", "нұрланқызы", "ольга", "серiк"] {
            assert_eq!(fold(&fold(w)), fold(w), "fold is idempotent on {w}");
        }
    }

    #[test]
    fn a_text_folds_as_its_words_do() {
        let text = "Всё, СЕРiК! Ольга — Нұрланқызы; iвановна, detained 6 ЯНВАРЯ.";
        assert_eq!(
            fold_text(text),
            "все, серик! олга — нурланкызы; ивановна, detained 6 января."
        );
        for word in text
            .split(|c: char| !is_word_char(c))
            .filter(|w| !w.is_empty())
        {
            let lower = word.to_lowercase();
            assert_eq!(fold_text(word), fold(&lower), "{word}");
        }
    }

    #[test]
    fn the_fast_lower_case_agrees_with_unicode() {
        for u in 0..0x500u32 {
            let Some(c) = char::from_u32(u) else { continue };
            // İ is read as i on purpose (see letter_lower).
            if u == 0x130 {
                continue;
            }
            if let Some(l) = letter_lower(c) {
                assert!(c.is_alphanumeric(), "{c:?} is not a letter");
                assert_eq!(
                    c.to_lowercase().collect::<String>(),
                    l.to_string(),
                    "U+{u:04X}"
                );
            }
        }
        for c in ['Ә', 'Ғ', 'Қ', 'Ң', 'Ө', 'Ұ', 'Ү', 'Һ', 'І', 'Ё', 'Я', 'Z'] {
            assert!(letter_lower(c).is_some(), "{c} takes the fast path");
        }
    }

    #[test]
    fn latin_spellings_read_as_the_folded_cyrillic() {
        for (latin, cyrillic) in [
            ("nurlankyzy", "нұрланқызы"),
            ("nurlanqyzy", "нұрланқызы"),
            ("serikbayeva", "серікбаева"),
            ("aigerim", "айгерім"),
            ("aliya", "әлия"),
            ("zhanar", "жанар"),
            ("janar", "жанар"),
            ("tolegenkyzy", "төлегенқызы"),
            ("olga", "ольга"),
            ("tatyana", "татьяна"),
            ("sergey", "сергей"),
            ("dmitriy", "дмитрий"),
            ("fyodor", "фёдор"),
            ("yerlan", "ерлан"),
            ("erlan", "ерлан"),
            ("mikhail", "михаил"),
            ("kairat", "қайрат"),
            ("shymkent", "шымкент"),
            ("qaraǵandy", "қарағанды"),
            ("bauyrzhan", "бауыржан"),
            ("kuanysh", "қуаныш"),
            ("gulnara", "гүлнара"),
            ("dauren", "дәурен"),
            ("aizhan", "айжан"),
            ("maria", "мария"),
            ("diana", "диана"),
            ("dias", "диас"),
            ("sofia", "софия"),
            ("anastasia", "анастасия"),
            ("sovetskaya", "советская"),
            ("tsoy", "цой"),
        ] {
            let read = latin_to_cyrillic(latin);
            assert!(
                read.iter().any(|r| *r == fold(cyrillic)),
                "{latin} → {read:?}, not {cyrillic}"
            );
            assert!(read.len() <= 8);
        }
        assert_eq!(
            latin_to_cyrillic("zhanar"),
            vec!["жанар"],
            "one reading where the table is sure"
        );
        assert!(latin_to_cyrillic("a").is_empty(), "too short to guess");
        assert!(latin_to_cyrillic("w20").is_empty(), "not a word of letters");
        assert!(latin_to_cyrillic("серик").is_empty());
    }
}
