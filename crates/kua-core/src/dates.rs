//! The date forms testimonies use. Survivors often remember only a month or a year, so
//! approximate dates are first-class: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and date-times
//! `YYYY-MM-DDTHH:MM` with optional seconds and offset.

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real calendar date.
pub fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| p.len() == len && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && matches!(m.parse::<u8>(), Ok(1..=12)),
        [y, m, d] => {
            if !(num(y, 4) && num(m, 2) && num(d, 2)) {
                return false;
            }
            let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
                return false;
            };
            chrono::NaiveDate::from_ymd_opt(y, u32::from(m), u32::from(d)).is_some()
        }
        _ => false,
    }
}

/// `YYYY-MM-DDTHH:MM`, optionally with `:SS` and an offset (`Z`, `+05:00`).
pub fn is_datetime(s: &str) -> bool {
    let Some((date, rest)) = s.split_once('T') else {
        return false;
    };
    if !is_date(date) || date.len() != 10 {
        return false;
    }
    let (clock, offset) = match rest.find(['Z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let two = |p: &str, max: u8| p.len() == 2 && p.parse::<u8>().is_ok_and(|n| n <= max);
    let clock_ok = match parts.as_slice() {
        [h, m] => two(h, 23) && two(m, 59),
        [h, m, s] => two(h, 23) && two(m, 59) && two(s, 60),
        _ => false,
    };
    let offset_ok = offset.is_empty()
        || offset == "Z"
        || (offset.len() == 6
            && offset[1..]
                .split_once(':')
                .is_some_and(|(h, m)| two(h, 23) && two(m, 59)));
    clock_ok && offset_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2022", "2022-01", "2022-01-05", "2024-02-29"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "22",
            "2022-13",
            "2022-02-30",
            "2023-02-29",
            "2022/01/05",
            "",
            "январь",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        for ok in [
            "2022-01-05T14:30",
            "2022-01-05T14:30:00Z",
            "2022-01-05T14:30+05:00",
        ] {
            assert!(is_datetime(ok), "{ok}");
        }
        for bad in [
            "2022-01-05",
            "2022-01T14:30",
            "2022-01-05T25:00",
            "2022-01-05T14:30+5",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }
}
