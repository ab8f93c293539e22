//! Text that is not UTF-8, read as Windows-1252: what Excel's plain "CSV" saves on Windows
//! in Western locales (and what Latin-1 files are in practice). Read lossily, `Bogotá` and
//! `Bogotà` would both become `Bogot\u{FFFD}`, one segment with the other's answers; this
//! decoding gives each byte its own character, so values that differ stay apart even
//! when a file was in yet another single-byte encoding.

/// The characters of bytes 0x80–0x9F, as the WHATWG Encoding Standard maps them (the five
/// bytes Windows-1252 leaves undefined keep their C1 code points).
const HIGH_CONTROLS: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// `bytes` as Windows-1252 text.
pub fn decode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH_CONTROLS[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// `bytes` as text: UTF-8 when they are, else Windows-1252 (`true`: they were not UTF-8).
pub fn text(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), false),
        Err(_) => (std::borrow::Cow::Owned(decode(bytes)), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_byte_is_its_own_character() {
        // Written from the Windows-1252 code chart: é is E9, à E0, € 80, ’ 92, Ÿ 9F.
        assert_eq!(
            decode(b"Bogot\xe1 Bogot\xe0 \x80 \x92 \x9f"),
            "Bogotá Bogotà € \u{2019} Ÿ"
        );
        let all: Vec<u8> = (0..=255).collect();
        let decoded: Vec<char> = decode(&all).chars().collect();
        assert_eq!(decoded.len(), 256);
        let distinct: std::collections::HashSet<char> = decoded.iter().copied().collect();
        assert_eq!(distinct.len(), 256, "two bytes read as one character");
    }

    #[test]
    fn utf8_is_left_as_it_is() {
        assert_eq!(
            text("Bogotá".as_bytes()),
            (std::borrow::Cow::Borrowed("Bogotá"), false)
        );
        assert!(text(b"Bogot\xe1").1);
    }
}
