//! Name matching keys (used by linkage in kua-analysis, and by redaction for the match
//! keys a redacted record carries). The same name is spelled in Kazakh, in Russian and in Latin
//! letters, with its parts in another order, with or without a patronymic: the key
//! folds all of these to one form so that a string similarity can compare them.
//!
//! Steps, in order (../shared/notes/reports-charts-matching.md): lower case; Kazakh
//! letters folded to the Russian ones (ә→а, ғ→г, қ→к, ң→н, ө→о, ұ/ү→у, һ→х, і→и), so that
//! Нұрланқызы and Нурланкызы meet; one fixed Cyrillic→Latin table; Latin spellings of
//! Kazakh sounds folded the same way (q→k, gh→g); patronymic and gender endings dropped
//! (-kyzy, -uly, -ovna, -ovich, -ova, -eva, -ina); tokens sorted, so the order of the
//! parts does not matter.

/// The matching key of a name: folded tokens, sorted, joined by a space.
pub fn name_key(name: &str) -> String {
    let mut tokens: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '.')
        .filter(|t| !t.is_empty())
        .map(|t| drop_endings(&latin(&t.to_lowercase())))
        .filter(|t| t.chars().count() > 1)
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens.join(" ")
}

/// The matching key without the patronymic: parts that end as a patronymic does
/// (-kyzy, -uly, -ovna, -ovich, and their spellings) are left out, unless that would
/// leave nothing.
pub fn name_key_without_patronymic(name: &str) -> String {
    const PATRONYMIC: [&str; 8] = [
        "kyzy", "kizi", "uly", "uli", "ovna", "evna", "ovich", "evich",
    ];
    let kept: Vec<&str> = name
        .split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '.')
        .filter(|t| !t.is_empty())
        .filter(|t| {
            let l = latin(&t.to_lowercase());
            !PATRONYMIC.iter().any(|e| {
                l.strip_suffix(e)
                    .is_some_and(|stem| stem.chars().count() >= 3)
            })
        })
        .collect();
    if kept.is_empty() {
        return name_key(name);
    }
    name_key(&kept.join(" "))
}

/// One token in Latin letters, Kazakh sounds folded to Russian ones.
fn latin(token: &str) -> String {
    let mut out = String::with_capacity(token.len() + 4);
    for c in token.chars() {
        let s: &str = match c {
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' | 'й' => "i",
            'к' | 'қ' => "k",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' => "n",
            'о' | 'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' => "u",
            'ф' => "f",
            'х' | 'һ' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            // Latin spellings of the same sounds.
            'q' => "k",
            'ä' => "a",
            'ö' => "o",
            'ü' | 'ū' => "u",
            'ı' => "y",
            'ñ' => "n",
            'ğ' => "g",
            'j' => "zh",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(s);
    }
    // Two spellings of one sound in Latin texts; a word-initial Е is often "Ye". Й is
    // written "y" or "i" (Qayrat, Кайрат → kairat), and ы and і are confused in both
    // scripts, so every "y" is read as "i". Changing this fold changes every match key:
    // it would need a new `matchkeys::SCHEME`.
    let out = out.replace("gh", "g");
    let out = match out.strip_prefix("ye") {
        Some(rest) => format!("e{rest}"),
        None => out,
    };
    let mut folded = out.replace('y', "i");
    while folded.contains("ii") {
        folded = folded.replace("ii", "i");
    }
    folded
}

/// Drops a patronymic's or a surname's gender ending, leaving the stem two spellings
/// share (Нурланқызы and Nurlanovna both give "nurlan").
fn drop_endings(token: &str) -> String {
    const ENDINGS: [&str; 11] = [
        "kyzy", "kizi", "uly", "uli", "ovna", "evna", "ovich", "evich", "ova", "eva", "ina",
    ];
    for e in ENDINGS {
        if let Some(stem) = token.strip_suffix(e) {
            if stem.chars().count() >= 3 {
                return match e {
                    // A surname's masculine form is the stem of both.
                    "ova" => format!("{stem}ov"),
                    "eva" => format!("{stem}ev"),
                    "ina" => format!("{stem}in"),
                    _ => stem.to_string(),
                };
            }
        }
    }
    token.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_meet() {
        let same = [
            "Әлия Нұрланқызы",
            "Алия Нурланкызы",
            "Aliya Nurlanqyzy",
            "Nurlankyzy Aliya",
            "НУРЛАНҚЫЗЫ   әлия",
        ];
        let keys: Vec<String> = same.iter().map(|n| name_key(n)).collect();
        for k in &keys {
            assert_eq!(k, &keys[0], "{keys:?}");
        }
        // "iy" and "ii" are one sound in Latin spellings: Aliya and Alia meet.
        assert_eq!(keys[0], "alia nurlan");
        // A surname's feminine form keys as the masculine one.
        assert_eq!(name_key("Асель Нурланова"), name_key("Nurlanov Asel"));
        assert_eq!(name_key("Ғалымжан"), name_key("Galymzhan"));
        assert_eq!(name_key("Ерлан Серікұлы"), name_key("Yerlan Serikuly"));
        assert_ne!(name_key("Асель Нурланова"), name_key("Ерлан Нурланов"));
        assert_eq!(name_key("  "), "");
    }
}
