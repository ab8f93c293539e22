//! Where a file's rows end, followed as its bytes arrive, so that a large file can be cut
//! into parts that each start at a row (www/parallel-score.js scores the parts in
//! workers). The rules are the readers' own: a CSV row ends at a line end (LF, CRLF or a
//! lone CR) outside quotes; a quote opens a quoted cell only at a cell's start, and `""`
//! inside one is a quote; an NDJSON line ends at LF. Only the state is kept, never the
//! bytes, and each byte is looked at once.

use super::BOM;
use crate::bytes::find_byte;

/// Follows bytes fed in order, starting at a row boundary; offsets count from there (or
/// from the last [`RowEnds::forget`]).
#[derive(Debug, Clone)]
pub struct RowEnds {
    /// The CSV cell separator; `None` for NDJSON.
    separator: Option<u8>,
    fed: u64,
    /// Just after the latest row end.
    last: Option<u64>,
    /// Just after the first row end since [`RowEnds::watch_first`], while watching.
    first: Option<u64>,
    watching: bool,
    in_quotes: bool,
    /// A quote inside quotes was the last byte so far: `""` or the cell's end.
    quote_pending: bool,
    /// A row ended with a CR that was the last byte so far (an LF may follow).
    cr_pending: bool,
    /// A cell starts at the next byte (the last byte so far was a separator or a line end).
    cell_start: bool,
    /// The bytes of a byte-order mark still possible at the file's start, which the
    /// readers skip: 3 before the first byte, 0 once anything else was fed.
    bom_ahead: u8,
    /// The byte-order mark's bytes at the start of what is held (0 once cut off).
    bom: u64,
}

const fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

impl RowEnds {
    /// For a CSV file whose cells are separated by `separator`.
    pub fn csv(separator: u8) -> RowEnds {
        RowEnds::new(Some(separator))
    }

    /// For an NDJSON file.
    pub fn ndjson() -> RowEnds {
        RowEnds::new(None)
    }

    fn new(separator: Option<u8>) -> RowEnds {
        RowEnds {
            separator,
            fed: 0,
            last: None,
            first: None,
            watching: false,
            in_quotes: false,
            quote_pending: false,
            cr_pending: false,
            cell_start: true,
            bom_ahead: 3,
            bom: 0,
        }
    }

    /// Just after the latest row end (its line end included).
    pub fn last(&self) -> Option<u64> {
        self.last
    }

    /// Just after the first row end since [`RowEnds::watch_first`].
    pub fn first(&self) -> Option<u64> {
        self.first
    }

    /// From now on (until [`RowEnds::stop_watching`]) the first row end is kept too: where
    /// a record that is refused ends.
    pub fn watch_first(&mut self) {
        self.watching = true;
        self.first = None;
    }

    /// Forgets the first row end and stops looking for it.
    pub fn stop_watching(&mut self) {
        self.watching = false;
        self.first = None;
    }

    /// The bytes since the latest row end (or since the start, a byte-order mark aside):
    /// the length so far of the row that has not ended, as the readers measure it.
    pub fn open_bytes(&self) -> u64 {
        self.fed - self.last.unwrap_or(self.bom)
    }

    /// Whether a quoted cell is open: a file that ends here leaves it unclosed.
    pub fn in_open_quote(&self) -> bool {
        self.in_quotes && !self.quote_pending
    }

    /// Forgets the first `n` bytes (a part cut off): offsets count from byte `n` on, and
    /// a row end at or before it is no longer known.
    pub fn forget(&mut self, n: u64) {
        let after = |end: Option<u64>| end.filter(|&e| e > n).map(|e| e - n);
        self.fed -= n.min(self.fed);
        self.bom = self.bom.saturating_sub(n);
        self.last = after(self.last);
        self.first = after(self.first);
    }

    fn row_end(&mut self, offset: u64) {
        if self.watching && self.first.is_none() {
            self.first = Some(offset);
        }
        self.last = Some(offset);
    }

    /// Feeds the next bytes.
    pub fn feed(&mut self, chunk: &[u8]) {
        let base = self.fed;
        self.fed += chunk.len() as u64;
        // A byte-order mark (split across chunks, perhaps) is not text: a quote after it
        // opens the first cell, as it does for the readers, which skip it.
        let mut i = 0;
        while self.bom_ahead > 0 && i < chunk.len() {
            if chunk[i] != BOM[3 - usize::from(self.bom_ahead)] {
                // Not a mark: what was taken for its start is text, and the cell has begun.
                self.cell_start &= self.bom_ahead == 3;
                self.bom = 0;
                self.bom_ahead = 0;
                break;
            }
            self.bom_ahead -= 1;
            self.bom += 1;
            i += 1;
        }
        let chunk_start = i;
        let Some(separator) = self.separator else {
            if let Some(end) = chunk.iter().rposition(|&b| b == b'\n') {
                if self.watching && self.first.is_none() {
                    self.first = find_byte(chunk, b'\n').map(|f| base + f as u64 + 1);
                }
                self.last = Some(base + end as u64 + 1);
            }
            return;
        };
        let mut i = chunk_start;
        if self.cr_pending && !chunk.is_empty() {
            self.cr_pending = false;
            i = usize::from(chunk[0] == b'\n');
            self.row_end(base + i as u64);
        }
        while i < chunk.len() {
            if self.quote_pending {
                self.quote_pending = false;
                if chunk[i] == b'"' {
                    // `""`: still inside.
                    i += 1;
                    continue;
                }
                self.in_quotes = false;
                self.cell_start = false;
            }
            if self.in_quotes {
                let Some(q) = find_byte(&chunk[i..], b'"').map(|q| i + q) else {
                    return;
                };
                if q + 1 == chunk.len() {
                    self.quote_pending = true;
                    return;
                }
                if chunk[q + 1] == b'"' {
                    i = q + 2;
                    continue;
                }
                self.in_quotes = false;
                self.cell_start = false;
                i = q + 1;
                continue;
            }
            // Outside quotes, from quote to quote: every line end in between ends a row,
            // and only the latest (and the first, while watching) is wanted.
            let quote = find_byte(&chunk[i..], b'"').map(|q| i + q);
            let until = quote.unwrap_or(chunk.len());
            self.row_ends(chunk, base, i, until);
            let opens = |at: usize| match at.checked_sub(1).filter(|&j| j >= i) {
                Some(j) => chunk[j] == separator || is_line_end(chunk[j]),
                None => self.cell_start,
            };
            let Some(quote) = quote else {
                self.cell_start = opens(chunk.len());
                return;
            };
            // A quote inside a cell is plain text (5'10").
            self.in_quotes = opens(quote);
            self.cell_start = false;
            i = quote + 1;
        }
    }

    /// The row ends between `from` and `until` (outside quotes) in `chunk`, fed at `base`.
    fn row_ends(&mut self, chunk: &[u8], base: u64, from: usize, until: usize) {
        // Just after the line end at `at`; `None` for a CR that is the chunk's last byte.
        let after = |at: usize| match (chunk[at], chunk.get(at + 1)) {
            (b'\n', _) => Some(at + 1),
            (_, None) => None,
            (_, Some(b'\n')) => Some(at + 2),
            _ => Some(at + 1),
        };
        let segment = &chunk[from..until];
        let Some(mut at) = segment
            .iter()
            .rposition(|&b| is_line_end(b))
            .map(|p| from + p)
        else {
            return;
        };
        if self.watching && self.first.is_none() {
            let first = from + segment.iter().position(|&b| is_line_end(b)).unwrap_or(0);
            // A CR that is the chunk's last byte is the last end too: handled below.
            if let Some(end) = after(first) {
                self.first = Some(base + end as u64);
            }
        }
        if after(at).is_none() {
            self.cr_pending = true;
            match chunk[from..at].iter().rposition(|&b| is_line_end(b)) {
                Some(p) => at = from + p,
                None => return,
            }
        }
        if let Some(end) = after(at) {
            self.row_end(base + end as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::chunked as chunks;
    use super::*;
    use proptest::prelude::*;

    /// The CSV reader's rule written out byte by byte over the whole text: where the last
    /// row known in `text` ends (a CR that is the last byte may yet be followed by its LF).
    fn last_row_end(text: &[u8], separator: u8) -> Option<u64> {
        let (mut inside, mut empty, mut last) = (false, true, None);
        let mut i = 0;
        while i < text.len() {
            let c = text[i];
            if inside {
                if c == b'"' {
                    match text.get(i + 1) {
                        None => break,
                        Some(b'"') => i += 1,
                        Some(_) => {
                            inside = false;
                            empty = false;
                        }
                    }
                }
            } else if c == b'"' && empty {
                inside = true;
            } else if c == b'\n' {
                last = Some(i as u64 + 1);
                empty = true;
            } else if c == b'\r' {
                match text.get(i + 1) {
                    None => break,
                    Some(b'\n') => i += 1,
                    Some(_) => {}
                }
                last = Some(i as u64 + 1);
                empty = true;
            } else {
                empty = c == separator;
            }
            i += 1;
        }
        last
    }

    fn fed(chunks: &[&[u8]], separator: u8) -> RowEnds {
        let mut ends = RowEnds::csv(separator);
        for chunk in chunks {
            ends.feed(chunk);
        }
        ends
    }

    /// Text made of the bytes that matter to the rule, and chunk sizes to cut it into.
    fn text_and_cuts() -> impl Strategy<Value = (Vec<u8>, Vec<usize>)> {
        let bytes = prop::sample::select(b"\"\"\",,;\n\n\r\rab".to_vec());
        (
            prop::collection::vec(bytes, 0..80),
            prop::collection::vec(1usize..7, 1..40),
        )
    }

    #[test]
    fn cases_the_browser_test_names() {
        let csv = b"id,kind,score,comment\nr1,nps,9,\"one\ntwo\"\r\nr2,nps,3,\"say \"\"hi\"\"\n\"\n\"r3\",csat,4,\"\"\nr4,ces,5,he is 5'10\" tall\nr7,nps,2,\r\"x\ny\"\nr8,nps,7,\"a\rb\"\rr9,nps,6,ok\r\r\nr10,nps,5,x\r";
        for n in 0..=csv.len() {
            let prefix = &csv[..n];
            assert_eq!(
                fed(&[prefix], b',').last(),
                last_row_end(prefix, b','),
                "prefix {n}"
            );
        }
    }

    proptest! {
        #[test]
        fn the_last_row_end_is_the_readers_whatever_the_chunks(
            (text, sizes) in text_and_cuts(),
            semicolon in any::<bool>(),
            bom in any::<bool>(),
        ) {
            // The readers skip a byte-order mark: a quote after it opens the first cell.
            let separator = if semicolon { b';' } else { b',' };
            let marked = [if bom { BOM } else { &[] }, &text].concat();
            let ends = fed(&chunks(&marked, &sizes), separator);
            let skipped = marked.len() - text.len();
            prop_assert_eq!(ends.last(), last_row_end(&text, separator).map(|end| end + skipped as u64));
            let open = marked.len() as u64 - ends.last().unwrap_or(skipped as u64);
            prop_assert_eq!(ends.open_bytes(), open);
        }

        #[test]
        fn the_first_row_end_after_a_point_is_found((text, sizes) in text_and_cuts(), split in 0usize..80) {
            // Watching from `split` on: the first row end not known before it, as the
            // reference finds them in the growing text.
            let split = split.min(text.len());
            let mut ends = fed(&[&text[..split]], b',');
            ends.watch_first();
            for chunk in chunks(&text[split..], &sizes) {
                ends.feed(chunk);
            }
            let known: std::collections::BTreeSet<u64> =
                (0..=split).filter_map(|n| last_row_end(&text[..n], b',')).collect();
            let expected = (split..=text.len())
                .filter_map(|n| last_row_end(&text[..n], b','))
                .find(|end| !known.contains(end));
            prop_assert_eq!(ends.first(), expected);
        }

        #[test]
        fn a_part_cut_at_the_last_row_end_reads_as_the_whole_did(
            rows in prop::collection::vec(prop::sample::select(vec![
                "r,nps,9,ok\n", "r,nps,3,\"a\nb\"\n", "r,nps,5,\"say \"\"hi\"\"\"\r\n", "r,nps,7,5'10\"\r", "\n", "r,csat,4,\"x,\ry\"\n",
            ]), 1..30),
            sizes in prop::collection::vec(1usize..12, 1..10),
        ) {
            // Whatever the chunks, the bytes up to the last row end hold whole rows: the
            // rows read from them and from the rest are the rows read from the whole text.
            let header = "id,kind,score,comment\n";
            let body: String = rows.concat();
            let text = format!("{header}{body}");
            let mut ends = RowEnds::csv(b',');
            ends.feed(header.as_bytes());
            ends.forget(header.len() as u64);
            for chunk in chunks(body.as_bytes(), &sizes) {
                ends.feed(chunk);
            }
            let cut = ends.last().unwrap_or(0) as usize;
            let mut parts = rows_after_header(&format!("{header}{}", &body[..cut]));
            parts.extend(rows_after_header(&format!("{header}{}", &body[cut..])));
            prop_assert_eq!(parts, rows_after_header(&text));
        }
    }

    /// The records the CSV reader reads from `text`, the header's aside.
    fn rows_after_header(text: &str) -> Vec<Result<Vec<String>, &'static str>> {
        let mut reader = super::super::csv::Reader::default();
        let mut rows = Vec::new();
        let mut keep = |_line: u64, record: super::super::csv::Record| {
            rows.push(record.map(|(fields, _)| fields.iter().map(|f| f.to_string()).collect()));
        };
        reader.feed(text.as_bytes(), &mut keep);
        reader.finish(&mut keep);
        rows.split_off(1.min(rows.len()))
    }

    #[test]
    fn ndjson_lines_end_at_lf() {
        let mut ends = RowEnds::ndjson();
        ends.feed(b"{\"a\":1}\r\n{\"b\":");
        assert_eq!(ends.last(), Some(9));
        ends.watch_first();
        ends.feed(b"2}\n{}\n{");
        assert_eq!((ends.first(), ends.last()), (Some(17), Some(20)));
        ends.forget(17);
        assert_eq!((ends.first(), ends.last()), (None, Some(3)));
    }

    #[test]
    fn a_byte_order_mark_is_not_text_and_not_counted_in_the_first_row() {
        let mut ends = RowEnds::csv(b',');
        // Split inside the mark; the quoted first cell holds a line end.
        ends.feed(b"\xEF\xBB");
        ends.feed(b"\xBF\"a\nb\",kind\nr1,");
        assert_eq!(ends.last(), Some(14));
        let mut ends = RowEnds::ndjson();
        ends.feed(b"\xEF\xBB\xBF{\"a\":");
        assert_eq!(ends.open_bytes(), 5);
        // Two bytes of a mark and then text: they were text, and the cell had begun.
        let mut ends = RowEnds::csv(b',');
        ends.feed(b"\xEF\xBB\"a\nb\n");
        assert_eq!(ends.last(), Some(7));
    }

    #[test]
    fn a_quote_never_closed_is_open_at_the_end() {
        let mut ends = RowEnds::csv(b',');
        ends.feed(b"a,b\nr1,\"never closed\nr2,x\n");
        assert_eq!(ends.last(), Some(4));
        assert!(ends.in_open_quote());
        ends.feed(b"\"");
        assert!(
            !ends.in_open_quote(),
            "a quote at the end closes it unless a quote follows"
        );
    }
}
