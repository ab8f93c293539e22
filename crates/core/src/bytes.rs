//! Byte searches eight bytes at a time (SWAR: SIMD within a register), for the importers'
//! hot loops: a CSV or NDJSON reader spends most of its time looking for the next quote,
//! separator or newline. Plain safe Rust on `u64`, so the same code is fast natively and
//! in wasm32 (whose 64-bit integer operations are native), with no SIMD feature needed.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is below `n` (`n` ≤ 128). Borrows can mark a
/// byte after the first one that qualifies, never before it: the lowest mark is exact.
#[inline(always)]
fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * n as u64) & !word & HIGH
}

/// The high bit of each byte of `word` equal to `byte` (the lowest mark is exact).
#[inline(always)]
fn equal(word: u64, byte: u8) -> u64 {
    below(word ^ (ONES * byte as u64), 1)
}

/// Where the first byte that `marks` flags lies, scanning `hay` a word at a time, with
/// `is` deciding the last few bytes one by one.
#[inline(always)]
fn find(hay: &[u8], marks: impl Fn(u64) -> u64, is: impl Fn(u8) -> bool) -> Option<usize> {
    let mut at = 0;
    let mut words = hay.chunks_exact(8);
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let found = marks(u64::from_le_bytes(word));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| is(b))
        .map(|i| at + i)
}

/// The first `byte` in `hay`.
#[inline]
pub fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    find(hay, |w| equal(w, byte), |b| b == byte)
}

/// The first of the four `bytes` in `hay` (repeat one to look for fewer).
#[inline]
pub fn find_any4(hay: &[u8], [a, b, c, d]: [u8; 4]) -> Option<usize> {
    find(
        hay,
        |w| equal(w, a) | equal(w, b) | equal(w, c) | equal(w, d),
        |x| x == a || x == b || x == c || x == d,
    )
}

/// The first byte that ends a plain run inside a JSON string: a quote, a backslash or a
/// control character (below U+0020).
pub fn find_json_string_special(hay: &[u8]) -> Option<usize> {
    find(
        hay,
        |w| equal(w, b'"') | equal(w, b'\\') | below(w, 0x20),
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
}

/// Whether `a` and `b` hold the same bytes, compared eight (or four) at a time: the
/// scorer compares short keys (segment values, comment terms) millions of times, and in
/// wasm32 `==` on slices calls a `memcmp` that walks a byte at a time.
#[inline]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |s: &[u8], at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[at..at + 4]);
        u32::from_le_bytes(w)
    };
    if n >= 8 {
        // Every full word, then the last eight bytes (overlapping the one before).
        let mut at = 0;
        while at + 8 <= n {
            if word(a, at) != word(b, at) {
                return false;
            }
            at += 8;
        }
        return word(a, n - 8) == word(b, n - 8);
    }
    if n >= 4 {
        return half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_is_slice_equality_at_every_length_and_difference() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).map(|i| i.wrapping_mul(37)).collect();
            assert!(same(&a, &a.clone()), "len {n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same(&a, &b), "len {n}, differs at {at}");
            }
            assert!(!same(&a, &a[..n.saturating_sub(1)]) || n == 0);
        }
    }

    /// Bytes where the searched ones are rare or dense, at every alignment.
    fn samples() -> Vec<Vec<u8>> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"ab,\"\\\n\r\x00\x1f \x7f\x80\xff0";
        (0..2000)
            .map(|i| {
                let len = (next() % 40) as usize;
                let dense = i % 2 == 0;
                (0..len)
                    .map(|_| {
                        let r = next();
                        if dense || r % 9 == 0 {
                            alphabet[(r >> 8) as usize % alphabet.len()]
                        } else {
                            b'a' + (r % 26) as u8
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn each_search_finds_what_a_byte_by_byte_scan_finds() {
        for hay in samples() {
            for start in 0..hay.len().min(9) {
                let hay = &hay[start..];
                assert_eq!(
                    find_byte(hay, b'\n'),
                    hay.iter().position(|&b| b == b'\n'),
                    "{hay:?}"
                );
                assert_eq!(
                    find_byte(hay, 0xff),
                    hay.iter().position(|&b| b == 0xff),
                    "{hay:?}"
                );
                let four = [b'"', b',', b'\n', b'\r'];
                assert_eq!(
                    find_any4(hay, four),
                    hay.iter().position(|b| four.contains(b)),
                    "{hay:?}"
                );
                assert_eq!(
                    find_json_string_special(hay),
                    hay.iter()
                        .position(|&b| b == b'"' || b == b'\\' || b < 0x20),
                    "{hay:?}"
                );
            }
        }
    }
}
