//! Files saved as UTF-16 (Excel's "Unicode Text", which CX teams export from a
//! spreadsheet: tab-separated, UTF-16 little-endian with a byte-order mark), turned into
//! UTF-8 as they arrive, so that the readers take them as they take any export. A
//! character may be split between chunks (an odd byte, half a surrogate pair).

/// UTF-16's byte-order marks: little-endian, then big-endian.
const LITTLE: [u8; 2] = [0xFF, 0xFE];
const BIG: [u8; 2] = [0xFE, 0xFF];

/// Whether `head` starts with a UTF-16 byte-order mark: `Some(true)` little-endian,
/// `Some(false)` big-endian.
pub fn byte_order(head: &[u8]) -> Option<bool> {
    match head.get(..2)? {
        b if b == LITTLE => Some(true),
        b if b == BIG => Some(false),
        _ => None,
    }
}

/// Whether `head` could still be the start of a UTF-16 byte-order mark.
pub fn may_be_mark(head: &[u8]) -> bool {
    head.len() < 2 && (LITTLE.starts_with(head) || BIG.starts_with(head))
}

/// The first character of text after the mark and any ASCII blank space, when `head`
/// holds it (`head` starts with the mark).
pub fn first_text(head: &[u8], little: bool) -> Option<char> {
    let mut decoder = Decoder::new(little);
    let mut text = String::new();
    decoder.decode(&head[2..], &mut text);
    text.chars().find(|c| !c.is_ascii_whitespace())
}

/// Turns UTF-16 bytes (after the mark) into UTF-8 text, chunk by chunk.
#[derive(Debug, Clone)]
pub struct Decoder {
    little: bool,
    /// A code unit's first byte, when a chunk ended between its two.
    odd: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
}

impl Decoder {
    /// For little-endian (`little`) or big-endian bytes.
    pub fn new(little: bool) -> Decoder {
        Decoder {
            little,
            odd: None,
            high: None,
        }
    }

    /// Appends the text of `bytes` to `out`; what is not whole yet is kept for the next.
    pub fn decode(&mut self, mut bytes: &[u8], out: &mut String) {
        if let Some(first) = self.odd.take() {
            let Some((&second, rest)) = bytes.split_first() else {
                self.odd = Some(first);
                return;
            };
            self.unit([first, second], out);
            bytes = rest;
        }
        let mut pairs = bytes.chunks_exact(2);
        for pair in &mut pairs {
            self.unit([pair[0], pair[1]], out);
        }
        self.odd = pairs.remainder().first().copied();
    }

    fn unit(&mut self, pair: [u8; 2], out: &mut String) {
        let unit = if self.little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        };
        if let Some(high) = self.high.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                return;
            }
            // A high half with no low half after it: not a character.
            out.push(char::REPLACEMENT_CHARACTER);
        }
        match unit {
            0xD800..=0xDBFF => self.high = Some(unit),
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }

    /// Ends the text: half a character left at the end is a replacement character.
    pub fn finish(&mut self, out: &mut String) {
        if self.odd.take().is_some() || self.high.take().is_some() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encoded(text: &str, little: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn any_text_comes_back_whatever_the_chunks(text in "\\PC{0,40}", little in any::<bool>(), sizes in prop::collection::vec(1usize..6, 1..20)) {
            let bytes = encoded(&text, little);
            let mut decoder = Decoder::new(little);
            let mut out = String::new();
            for chunk in super::super::tests::chunked(&bytes, &sizes) {
                decoder.decode(chunk, &mut out);
            }
            decoder.finish(&mut out);
            prop_assert_eq!(out, text);
        }
    }

    #[test]
    fn broken_text_is_marked_not_dropped() {
        let mut out = String::new();
        let mut decoder = Decoder::new(true);
        // A low half alone, a high half followed by a letter, then an odd last byte.
        decoder.decode(&[0x00, 0xDC, 0x3D, 0xD8, 0x41, 0x00, 0x42], &mut out);
        decoder.finish(&mut out);
        assert_eq!(out, "\u{FFFD}\u{FFFD}A\u{FFFD}");
    }

    #[test]
    fn marks_and_the_first_text_are_told() {
        assert_eq!(byte_order(b"\xFF\xFEk\0"), Some(true));
        assert_eq!(byte_order(b"\xFE\xFF\0k"), Some(false));
        assert_eq!(byte_order(b"\xEF\xBB\xBF"), None);
        assert!(may_be_mark(b"\xFF") && may_be_mark(b"") && !may_be_mark(b"\xFF\xFE"));
        assert_eq!(first_text(b"\xFF\xFE \0\n\0{\0", true), Some('{'));
        assert_eq!(first_text(b"\xFE\xFF\0 ", false), None);
    }
}
