//! Small string builders that keep `core::fmt` out of the widget's wasm
//! (float and integer printing through `fmt` costs about 10 KB gzipped).

/// Invisible characters that change how text around them is shown: bidirectional
/// controls (U+061C, U+200E/F, U+202A–202E, U+2066–2069), zero-width and word-joining
/// marks (U+200B–200D, U+2060–2064), the BOM (U+FEFF), tag characters
/// (U+E0000–E007F), and characters that draw nothing (the soft hyphen U+00AD, the
/// combining grapheme joiner U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
/// the Khmer vowels U+17B4/5, the Mongolian vowel separator U+180E). They can make
/// `evil.exe` show as `exe.live` in a dashboard, or two metadata keys look the same, so
/// every text from a visitor loses them, but for the joiners that [`joins`] keeps.
pub fn is_hidden_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180E}'
        | '\u{3164}'
        | '\u{FFA0}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Whether a zero-width joiner or non-joiner `c` does a visible job between the characters
/// `before` and `after`: inside a word of a script that shapes its letters by it (Arabic and
/// Persian `می‌خواهم`, Syriac, Thaana, N'Ko, the Indic scripts `क्‍ष`, Mongolian) or an emoji
/// sequence (`👩‍💻` is one emoji, `👩💻` two). Anywhere else (between Latin or Cyrillic
/// letters, beside a space) it changes nothing that shows, only what compares: it goes.
pub fn joins(before: Option<char>, c: char, after: Option<char>) -> bool {
    let shaped = |x: Option<char>| {
        x.is_some_and(|x| {
            // Arabic to Sinhala, Mongolian, the symbols an emoji sequence joins (♀, ❤, ⬛),
            // Arabic presentation forms with the emoji variation selector, the emoji.
            matches!(x,
                '\u{600}'..='\u{DFF}'
                | '\u{1800}'..='\u{18AF}'
                | '\u{2600}'..='\u{2BFF}'
                | '\u{FB50}'..='\u{FEFE}'
                | '\u{1F000}'..='\u{1FAFF}')
                && !is_hidden_format(x)
        })
    };
    matches!(c, '\u{200C}' | '\u{200D}') && shaped(before) && shaped(after)
}

/// `s` without [`is_hidden_format`] characters, but the joiners that [`joins`] keeps: visitor
/// text as a page shows it.
pub fn visible_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_hidden_format(c) || joins(out.chars().next_back(), c, chars.peek().copied()) {
            out.push(c);
        }
    }
    out
}

/// `s` without [`is_hidden_format`] characters: for keys, where a joiner only hides a difference.
pub fn without_hidden_format(s: &str) -> String {
    s.chars().filter(|c| !is_hidden_format(*c)).collect()
}

/// Appends the decimal digits of `n`.
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n.unsigned_abs();
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        out.push(d as char);
    }
}

/// Appends a number the way a person would write it in an error message:
/// integers without a fraction, others with up to six decimals, trailing zeros cut.
pub fn push_number(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        push_int(out, x as i64);
        return;
    }
    if x.abs() >= 1e15 {
        out.push_str(if x > 0.0 {
            "a very large number"
        } else {
            "a very large negative number"
        });
        return;
    }
    let scaled = (x.abs() * 1e6).round() as i64;
    if x < 0.0 {
        out.push('-');
    }
    push_int(out, scaled / 1_000_000);
    let mut frac = scaled % 1_000_000;
    if frac != 0 {
        out.push('.');
        let mut width = 6;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        let mut buf = String::new();
        push_int(&mut buf, frac);
        for _ in buf.len()..width {
            out.push('0');
        }
        out.push_str(&buf);
    }
}

/// A number as an error quotes the value it was given: as [`push_number`], but "about 10"
/// where six decimals cannot tell it from an integer, so that 10.000000000000001 does not
/// read as the integer the error says it expected. (Not for values written anywhere else.)
pub fn push_given_number(out: &mut String, x: f64) {
    // (Integer arithmetic: a float remainder brings `fmod` into the widget, 1.4 KB.)
    if x.fract() != 0.0 && x.abs() < 1e9 && (x.abs() * 1e6).round() as i64 % 1_000_000 == 0 {
        out.push_str("about ");
    }
    push_number(out, x);
}

/// The value of a string of ASCII digits (no sign, no spaces); `None` for anything
/// else or on overflow. Smaller in wasm than `str::parse`, which the widget avoids.
pub fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add((b - b'0') as u64)
        } else {
            None
        }
    })
}

/// Whether `hay` holds `needle`, ASCII letters compared without case (no substring
/// searcher: the widget's bytes count, and these texts are short).
pub fn contains_ignoring_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    (0..hay.len()).any(|i| {
        hay[i..]
            .get(..needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Number of characters (Unicode scalar values) in `s`: counts the bytes that
/// start a UTF-8 sequence. Smaller in wasm than `chars().count()`.
pub fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| (b & 0xC0) != 0x80).count()
}

/// Appends the first `max` characters of `s`, and `…` when there were more: how an error
/// names a value or key too long to repeat whole.
pub fn push_shortened(out: &mut String, s: &str, max: usize) {
    let mut chars = s.chars();
    out.extend(chars.by_ref().take(max));
    if chars.next().is_some() {
        out.push('…');
    }
}

/// Appends `items` separated by `separator` (`[..].join()` without its generic machinery).
pub fn push_joined<'a>(
    out: &mut String,
    items: impl IntoIterator<Item = &'a str>,
    separator: &str,
) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(item);
    }
}

/// `parts` joined, for messages built from static pieces and values.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Appends `s` as a JSON string literal (quotes and escapes included).
pub fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // U+2028/2029 are valid JSON but break JavaScript string literals in some tools.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((n >> shift) & 0xf) as usize] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether a JSON number's text denotes an integer exactly: `10`, `10.0`, `1e1`, `-0`, but
/// not `1e-400` or `8.99999999999999999`, which only round to one as a float.
pub fn is_integer_text(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], &unsigned[i + 1..]),
        None => (unsigned, "0"),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = whole.bytes().chain(fraction.bytes());
    if whole.is_empty() || !digits.clone().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Where the decimal point falls among the digits once the exponent has moved it; an
    // exponent too long for an i64 moves it past every digit, one way or the other.
    let exponent_sign = if exponent.starts_with('-') { -1 } else { 1 };
    let exponent_digits = exponent.trim_start_matches(['+', '-']);
    if exponent_digits.is_empty() || !exponent_digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let shift = exponent_digits
        .parse::<i64>()
        .map_or(i64::MAX / 2 * exponent_sign, |e| e * exponent_sign);
    let point = (whole.len() as i64).saturating_add(shift);
    digits
        .enumerate()
        .all(|(i, b)| (i as i64) < point || b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(x: f64) -> String {
        let mut s = String::new();
        push_number(&mut s, x);
        s
    }

    #[test]
    fn a_number_s_text_is_an_integer_only_when_it_denotes_one_exactly() {
        for integer in [
            "0",
            "-0",
            "10",
            "10.0",
            "1e1",
            "1E+1",
            "120e-1",
            "0.0e-5",
            "0e99999999999999999999",
            "7.000",
        ] {
            assert!(is_integer_text(integer), "{integer}");
        }
        let zeros = format!("0.{}9e1", "0".repeat(60_000));
        for not in [
            "1e-400",
            "-1e-400",
            "8.99999999999999999",
            "5e-324",
            "12e-1",
            "9e-99999999999999999999",
            zeros.as_str(),
            "",
            "-",
            "1e",
            ".5",
            "1.5",
        ] {
            assert!(!is_integer_text(not), "{not}");
        }
    }

    #[test]
    fn integers_print_without_a_fraction() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-42.0), "-42");
        assert_eq!(number(5000.0), "5000");
        let mut s = String::new();
        push_int(&mut s, i64::MIN);
        assert_eq!(s, i64::MIN.to_string());
    }

    #[test]
    fn fractions_keep_up_to_six_decimals() {
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(-0.25), "-0.25");
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(3.0000001), "3");
        // Not an integer, though six decimals cannot show it: an error says so.
        let given = |x| {
            let mut s = String::new();
            push_given_number(&mut s, x);
            s
        };
        assert_eq!(given(3.0000001), "about 3");
        assert_eq!(given(-10.000000000000002), "about -10");
        assert_eq!((given(10.0), given(1.5)), ("10".into(), "1.5".into()));
        assert_eq!(number(f64::NAN), "NaN");
    }

    #[test]
    fn digits_parse_and_anything_else_is_refused() {
        assert_eq!(parse_digits("0"), Some(0));
        assert_eq!(parse_digits("1700000000123"), Some(1_700_000_000_123));
        assert_eq!(parse_digits("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "-1", "+1", " 1", "1.5", "18446744073709551616", "١"] {
            assert_eq!(parse_digits(bad), None, "{bad}");
        }
        assert_eq!(char_count("ñandú 🙂"), "ñandú 🙂".chars().count());
        let mut s = String::new();
        push_joined(&mut s, ["a", "b", "c"], ", ");
        assert_eq!(s, "a, b, c");
    }

    #[test]
    fn json_strings_escape_quotes_controls_and_line_separators() {
        let mut s = String::new();
        push_json_string(&mut s, "a\"b\\c\n\u{1}\u{2028}é");
        assert_eq!(s, r#""a\"b\\c\n\u0001\u2028é""#);
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "a\"b\\c\n\u{1}\u{2028}é");
    }
}
