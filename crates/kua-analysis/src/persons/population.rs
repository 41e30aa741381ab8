//! A synthetic population with the truth known: people with Kazakh and Russian names,
//! each interviewed one to three times, their names written in Kazakh, Russian or Latin
//! letters, in another order, with or without a patronymic, sometimes with a typo;
//! birth dates missing or mistyped; and namesakes who are other people. It drives the
//! linkage tests and the quality figures (docs/benchmarks.md).

use super::score::Facts;
use crate::dates::Span;
use kua_core::names::name_key;

/// A small deterministic generator (xorshift64*): the population is the same for a seed
/// on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const MEN_KK: &[&str] = &[
    "Ерлан",
    "Асхат",
    "Нұрлан",
    "Серік",
    "Дәурен",
    "Бауыржан",
    "Ғалымжан",
    "Қайрат",
    "Мұрат",
    "Жандос",
    "Ержан",
    "Талғат",
    "Әділет",
    "Арман",
    "Бекзат",
    "Дархан",
];
const WOMEN_KK: &[&str] = &[
    "Әлия",
    "Айгүл",
    "Асель",
    "Гүлнар",
    "Жанар",
    "Динара",
    "Сәуле",
    "Ақмарал",
    "Меруерт",
    "Іңкәр",
    "Айжан",
    "Гүлмира",
    "Назерке",
    "Әйгерім",
];
const MEN_RU: &[&str] = &["Алексей", "Дмитрий", "Сергей", "Андрей", "Игорь", "Виктор"];
const WOMEN_RU: &[&str] = &["Ольга", "Елена", "Наталья", "Татьяна", "Ирина"];
const SURNAMES_KK: &[&str] = &[
    "Жақсыбеков",
    "Нұрланов",
    "Серікбаев",
    "Әбдірахманов",
    "Омаров",
    "Ахметов",
    "Сейітов",
    "Қасымов",
    "Төлегенов",
    "Есенов",
    "Байжанов",
    "Мұқанов",
    "Исаев",
    "Жұмабаев",
];
const SURNAMES_RU: &[&str] = &["Иванов", "Петров", "Ким", "Цой", "Смирнов", "Кузнецов"];
const REGIONS: &[&str] = &[
    "KZ-75", "KZ-75", "KZ-75", "KZ-19", "KZ-71", "KZ-35", "KZ-79", "KZ-33",
];

/// One person as they are.
#[derive(Debug, Clone)]
struct Person {
    first: String,
    surname: String,
    father: String,
    female: bool,
    kazakh: bool,
    birth: (i32, u8, u8),
    region: &'static str,
    events: (i32, u8, u8),
}

/// Records with the person each stands for.
#[derive(Debug, Clone, Default)]
pub struct Population {
    pub facts: Vec<Facts>,
    /// `truth[i]`: the person record `i` stands for.
    pub truth: Vec<usize>,
    /// The names as written, for tests and reviewers' eyes (never stored anywhere).
    pub names: Vec<String>,
    /// The birth dates as written.
    pub births: Vec<Option<String>>,
}

impl Population {
    /// The same records as redacted bundles carry them: no name but its match keys
    /// under the coalition's linkage secret `key`, the birth date as its pseudonyms.
    pub fn redacted(&self, key: &kua_core::crypto::Key) -> Population {
        self.partly_redacted(key, 100, false)
    }

    /// Records redacted with the chance `percent`, the others plain. A coordinator who
    /// holds the linkage secret (`secret_held`) encodes the plain ones under it in
    /// memory; one who does not (the usual case) has no match keys for them.
    pub fn partly_redacted(
        &self,
        key: &kua_core::crypto::Key,
        percent: u64,
        secret_held: bool,
    ) -> Population {
        let mut out = self.clone();
        let mut rng = Rng::new(0x7265_6461_6374);
        // The same key stands for the linkage secret and for the redaction key: they
        // never meet in one comparison.
        for (i, f) in out.facts.iter_mut().enumerate() {
            let birth = self.births[i].as_deref();
            let keys = kua_core::matchkeys::encode(key, Some(&self.names[i]), birth);
            f.birth_pseudonyms = birth
                .map(|b| kua_core::matchkeys::birth_pseudonym(key, b))
                .into_iter()
                .collect();
            if rng.chance(percent) {
                f.name = None;
                f.birth = None;
            } else if !secret_held {
                continue;
            }
            f.encodings = keys.into_iter().collect();
        }
        out
    }
}

fn feminine(surname: &str) -> String {
    if surname.ends_with("ов") || surname.ends_with("ев") || surname.ends_with("ин") {
        format!("{surname}а")
    } else {
        surname.to_string()
    }
}

/// Kazakh letters as a Russian form would write them.
fn russian(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ә' => 'а',
            'Ә' => 'А',
            'ғ' => 'г',
            'Ғ' => 'Г',
            'қ' => 'к',
            'Қ' => 'К',
            'ң' => 'н',
            'ө' => 'о',
            'ұ' | 'ү' => 'у',
            'Ұ' | 'Ү' => 'У',
            'һ' => 'х',
            'і' => 'и',
            'І' => 'И',
            c => c,
        })
        .collect()
}

/// A Latin spelling, as a passport or an English-language NGO might write it.
fn latin(s: &str, rng: &mut Rng) -> String {
    let q = rng.chance(50);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let t: &str = match lower {
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'ғ' => "gh",
            'д' => "d",
            'е' if i == 0 => "ye",
            'е' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' => "i",
            'й' => "y",
            'к' => "k",
            'қ' if q => "q",
            'қ' => "k",
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
            'ы' => "y",
            'ь' | 'ъ' => "",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        };
        if i == 0 {
            let mut cs = t.chars();
            if let Some(f) = cs.next() {
                out.extend(f.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(t);
        }
    }
    out
}

/// A typing slip: one letter dropped or two swapped.
fn typo(s: &str, rng: &mut Rng) -> String {
    let mut cs: Vec<char> = s.chars().collect();
    if cs.len() < 5 {
        return s.to_string();
    }
    let i = 1 + rng.below(cs.len() - 2);
    if rng.chance(50) {
        cs.remove(i);
    } else {
        cs.swap(i, i + 1);
    }
    cs.into_iter().collect()
}

impl Population {
    /// `persons` people, each with one to three records (about 1.5 on average); one in
    /// twenty people shares a name with another, different person.
    pub fn generate(persons: usize, seed: u64) -> Population {
        let mut rng = Rng::new(seed);
        let mut people: Vec<Person> = Vec::with_capacity(persons);
        for p in 0..persons {
            if p > 0 && rng.chance(5) {
                // A namesake: another person with someone's name, born elsewhen.
                let mut twin = people[rng.below(p)].clone();
                twin.birth = (
                    1950 + rng.below(55) as i32,
                    1 + rng.below(12) as u8,
                    1 + rng.below(28) as u8,
                );
                twin.region = rng.pick(REGIONS);
                people.push(twin);
                continue;
            }
            let female = rng.chance(30);
            let kazakh = rng.chance(80);
            let first = match (female, kazakh) {
                (true, true) => rng.pick(WOMEN_KK),
                (true, false) => rng.pick(WOMEN_RU),
                (false, true) => rng.pick(MEN_KK),
                (false, false) => rng.pick(MEN_RU),
            };
            let surname = if kazakh {
                rng.pick(SURNAMES_KK)
            } else {
                rng.pick(SURNAMES_RU)
            };
            people.push(Person {
                first: first.to_string(),
                surname: if female {
                    feminine(surname)
                } else {
                    surname.to_string()
                },
                father: rng.pick(if kazakh { MEN_KK } else { MEN_RU }).to_string(),
                female,
                kazakh,
                birth: (
                    1950 + rng.below(55) as i32,
                    1 + rng.below(12) as u8,
                    1 + rng.below(28) as u8,
                ),
                region: rng.pick(REGIONS),
                events: (2022, 1, 4 + rng.below(8) as u8),
            });
        }
        let mut out = Population::default();
        for (id, person) in people.iter().enumerate() {
            let copies = 1 + usize::from(rng.chance(35)) + usize::from(rng.chance(15));
            for _ in 0..copies {
                let name = spelling(person, &mut rng);
                let written = if rng.chance(20) {
                    None
                } else if rng.chance(5) {
                    // Day and month swapped, or a year off by one: a mistyped date.
                    let (y, m, d) = person.birth;
                    let (y, m, d) = if d <= 12 && rng.chance(50) {
                        (y, d, m)
                    } else {
                        (y + 1, m, d)
                    };
                    Some(format!("{y:04}-{m:02}-{d:02}"))
                } else if rng.chance(15) {
                    Some(format!("{:04}", person.birth.0))
                } else {
                    let (y, m, d) = person.birth;
                    Some(format!("{y:04}-{m:02}-{d:02}"))
                };
                let birth = written.as_deref().and_then(Span::parse);
                let (y, m, d) = person.events;
                out.facts.push(Facts {
                    name: Some(name_key(&name)).filter(|k| !k.is_empty()),
                    birth,
                    age: None,
                    sex: rng
                        .chance(95)
                        .then(|| if person.female { "female" } else { "male" }.to_string()),
                    region: rng.chance(90).then(|| person.region.to_string()),
                    events: if rng.chance(30) {
                        Span::parse(&format!("{y:04}-{m:02}"))
                    } else {
                        Span::parse(&format!("{y:04}-{m:02}-{d:02}"))
                    },
                    code: None,
                    ..Facts::default()
                });
                out.truth.push(id);
                out.names.push(name);
                out.births.push(written);
            }
        }
        out
    }
}

/// One way an interviewer might write a person's name.
fn spelling(p: &Person, rng: &mut Rng) -> String {
    let patronymic = if p.kazakh {
        if rng.chance(50) {
            format!("{}{}", p.father, if p.female { "қызы" } else { "ұлы" })
        } else {
            format!(
                "{}{}",
                russian(&p.father),
                if p.female { "овна" } else { "ович" }
            )
        }
    } else {
        format!("{}{}", p.father, if p.female { "овна" } else { "ович" })
    };
    let mut parts = vec![p.first.clone(), p.surname.clone()];
    if rng.chance(40) {
        parts.push(patronymic);
    }
    if rng.chance(40) {
        parts.rotate_left(1);
    }
    let mut name = parts.join(" ");
    match rng.below(3) {
        0 => {}
        1 => name = russian(&name),
        _ => {
            name = name
                .split(' ')
                .map(|w| latin(w, rng))
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
    if rng.chance(8) {
        name = typo(&name, rng);
    }
    name
}
