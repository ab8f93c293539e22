//! An RFC 4180 record reader that accepts bytes in chunks of any size (a quoted
//! field, a CRLF or a UTF-8 character may be split across chunks), and the columns
//! of a header row. A line ends with LF, CRLF or a lone CR (the old Mac line end that
//! Excel's "CSV (Macintosh)" still writes), as Python's and PapaParse's readers take it.
//! Cells are separated by commas, or by what the header row uses most of commas, semicolons
//! (Excel in much of Europe, where the comma is the decimal mark) and tabs.

use crate::schema::{CSV_COLUMNS, METADATA_PREFIX, METADATA_REST};

/// Reader state between chunks. A record's fields live in one byte buffer with
/// their end offsets, so reading a row allocates nothing per field.
#[derive(Debug)]
pub struct Reader {
    buf: Vec<u8>,
    ends: Vec<usize>,
    in_quotes: bool,
    /// A `"` seen inside quotes: either the closing quote or the first of `""`.
    quote_pending: bool,
    /// Line ends seen so far; the current record started on line `record_line`.
    lines: u64,
    record_line: u64,
    record_started: bool,
    /// The bytes of the current record in the chunks before this one.
    record_bytes: usize,
    /// A record ended with a CR that was its chunk's last byte: an LF first in the next
    /// chunk belongs to that line end.
    skip_lf: bool,
    /// The last byte fed was a CR (so an LF first in the next chunk ends no line).
    after_cr: bool,
    /// A record longer than this many bytes is refused, and not held in memory.
    limit: usize,
    /// The cell separator; 0 until the header row has told it.
    delimiter: u8,
    /// The bytes before the separator is known.
    held: Vec<u8>,
}

/// The longest record read, in bytes (its line end aside). A response's row is a few
/// hundred bytes; a longer one is a quote that opened by mistake and took the rows after
/// it, and holding it whole could take all of a worker's memory.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The most line ends a record may hold in its quoted fields. A comment of a few lines is
/// common, of hundreds is not: a stray quote that swallowed the rows after it would
/// otherwise be read as one long comment, and those rows lost without a word.
pub const MAX_RECORD_LINES: u64 = 200;

/// What a record over [`MAX_RECORD_BYTES`] on a single line is reported as.
pub const TOO_LONG_ROW: &str =
    "a row longer than 1 MiB: a response's row is a few hundred bytes (is this file a CSV export?)";

/// What a record over [`MAX_RECORD_BYTES`] or [`MAX_RECORD_LINES`] across lines is reported as.
pub const TOO_LONG: &str = "a row longer than 1 MiB or 200 lines: a quoted field probably opens by mistake and runs into the rows after it";

impl Default for Reader {
    fn default() -> Reader {
        Reader::with_limit(MAX_RECORD_BYTES)
    }
}

/// One record's fields, borrowed from the chunk or the reader (owned only where a field
/// is not UTF-8), and whether it was not UTF-8 (read as Windows-1252); or why there is
/// none ([`TOO_LONG`], [`UNCLOSED_QUOTE`]).
pub type Record<'r, 'a> = Result<(&'r [std::borrow::Cow<'a, str>], bool), &'static str>;

/// Line ends in `bytes`: each LF, CR and CRLF is one. `after_cr`: the byte before was a CR.
pub fn line_ends(bytes: &[u8], after_cr: bool) -> u64 {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    if crate::bytes::find_byte(bytes, b'\r').is_none() {
        return lf - u64::from(after_cr && bytes.first() == Some(&b'\n'));
    }
    let mut count = 0;
    let mut prev_cr = after_cr;
    for &b in bytes {
        count += u64::from(b == b'\r' || (b == b'\n' && !prev_cr));
        prev_cr = b == b'\r';
    }
    count
}

impl Reader {
    /// A reader that refuses records longer than `limit` bytes.
    pub fn with_limit(limit: usize) -> Reader {
        Reader {
            buf: Vec::new(),
            ends: Vec::new(),
            in_quotes: false,
            quote_pending: false,
            lines: 0,
            record_line: 0,
            record_started: false,
            record_bytes: 0,
            skip_lf: false,
            after_cr: false,
            limit,
            delimiter: 0,
            held: Vec::new(),
        }
    }

    /// Feeds bytes; `emit(line, record)` is called for each complete record. The first
    /// bytes are held until the header row's first line is whole, which tells the separator.
    pub fn feed(&mut self, chunk: &[u8], emit: &mut impl FnMut(u64, Record)) {
        if self.delimiter != 0 {
            return self.feed_known(chunk, emit);
        }
        self.held.extend_from_slice(chunk);
        if let Some(found) = decide(&self.held, self.limit, false) {
            self.delimiter = found;
            let held = std::mem::take(&mut self.held);
            self.feed_known(&held, emit);
        }
    }

    /// Runs of plain bytes (and the inside of a quoted field, up to its next quote) are
    /// copied in one go: a byte at a time was most of a large import's time.
    fn feed_known(&mut self, chunk: &[u8], emit: &mut impl FnMut(u64, Record)) {
        let delimiter = self.delimiter;
        let Some(&last) = chunk.last() else { return };
        let mut i = 0;
        if std::mem::take(&mut self.skip_lf) && chunk[0] == b'\n' {
            i = 1;
        }
        // Where the current record's bytes in this chunk start.
        let mut start = 0;
        // The fields of records read in place, reused from one record to the next.
        let mut fields = Vec::new();
        let mut record = Vec::new();
        while i < chunk.len() {
            if !self.record_started {
                // A record that starts and ends in this chunk, with no `""` in a quoted
                // field and no text after a closing quote, is read where it lies: nothing
                // copied.
                // The separator a constant in each copy of the hot loop: −5% natively.
                let whole = match delimiter {
                    b';' => whole_record::<b';'>(&chunk[i..], &mut fields, self.limit),
                    b'\t' => whole_record::<b'\t'>(&chunk[i..], &mut fields, self.limit),
                    _ => whole_record::<b','>(&chunk[i..], &mut fields, self.limit),
                };
                if let Some((end, newlines)) = whole {
                    let line = self.lines + 1;
                    self.lines += newlines;
                    emit_in_place(&chunk[i..i + end], &fields, &mut record, line, emit);
                    i += end;
                    continue;
                }
                self.record_started = true;
                self.record_line = self.lines + 1;
                self.record_bytes = 0;
                start = i;
            }
            if self.in_quotes && !self.quote_pending {
                let run = &chunk[i..];
                let n = crate::bytes::find_byte(run, b'"').unwrap_or(run.len());
                let after_cr = if i == 0 {
                    self.after_cr
                } else {
                    chunk[i - 1] == b'\r'
                };
                self.lines += line_ends(&run[..n], after_cr);
                self.buf.extend_from_slice(&run[..n]);
                i += n;
                if i < chunk.len() {
                    self.quote_pending = true;
                    i += 1;
                }
                continue;
            }
            let b = chunk[i];
            if self.in_quotes {
                self.quote_pending = false;
                if b == b'"' {
                    self.buf.push(b'"');
                    i += 1;
                    continue;
                }
                self.in_quotes = false; // that quote closed the field; fall through
            }
            match b {
                b'"' if self.buf.len() == self.ends.last().copied().unwrap_or(0) => {
                    self.in_quotes = true;
                    i += 1;
                }
                b'\n' | b'\r' => {
                    self.lines += 1;
                    self.record_bytes += i - start;
                    self.end_record(emit, true);
                    i += 1;
                    if b == b'\r' {
                        match chunk.get(i) {
                            Some(b'\n') => i += 1,
                            Some(_) => {}
                            None => self.skip_lf = true,
                        }
                    }
                }
                _ if b == delimiter => {
                    self.ends.push(self.buf.len());
                    i += 1;
                }
                _ => {
                    // Plain bytes up to the next separator; a quote inside a field is plain.
                    let run = &chunk[i..];
                    let n = crate::bytes::find_any4(run, [b'"', delimiter, b'\n', b'\r'])
                        .unwrap_or(run.len())
                        .max(1);
                    self.buf.extend_from_slice(&run[..n]);
                    i += n;
                }
            }
        }
        self.after_cr = last == b'\r';
        if self.record_started {
            self.record_bytes += chunk.len() - start;
            if self.record_bytes > self.limit {
                // Too long already: it will be refused, so its text need not be kept. The
                // one thing the reader still asks of it is whether the current field is
                // empty (where a quote opens a quoted field): one byte keeps that answer.
                let empty = self.buf.len() == self.ends.last().copied().unwrap_or(0);
                self.buf.clear();
                self.ends.clear();
                if !empty {
                    self.buf.push(b'x');
                }
            }
        }
    }

    /// Newlines seen so far, in quoted fields too.
    pub fn newlines(&self) -> u64 {
        self.lines
    }

    /// Ends the last record, if the file did not end with a newline. A quoted field still
    /// open at the end is no record (a stray quote took the rest of the file into it): it
    /// is emitted as [`UNCLOSED_QUOTE`], on the line it started on.
    pub fn finish(&mut self, emit: &mut impl FnMut(u64, Record)) {
        if self.delimiter == 0 {
            self.delimiter = decide(&self.held, self.limit, true).unwrap_or(b',');
            let held = std::mem::take(&mut self.held);
            self.feed_known(&held, emit);
        }
        if !self.record_started {
            return;
        }
        let unclosed = self.in_quotes && !self.quote_pending;
        self.in_quotes = false;
        self.quote_pending = false;
        if unclosed {
            self.record_started = false;
            self.buf.clear();
            self.ends.clear();
            return emit(self.record_line, Err(UNCLOSED_QUOTE));
        }
        self.end_record(emit, false);
    }
}

/// What a quoted field that never closes is reported as, on the line it opens.
pub const UNCLOSED_QUOTE: &str =
    "a quoted field opens on this line and is never closed: the rest of the file was read into it";

impl Reader {
    /// Ends the record, `record_bytes` long; `terminated`: by a line end (counted already),
    /// not by the end of the file.
    fn end_record(&mut self, emit: &mut impl FnMut(u64, Record), terminated: bool) {
        self.ends.push(self.buf.len());
        self.record_started = false;
        // The line ends inside the record.
        let lines = (self.lines + u64::from(!terminated)).saturating_sub(self.record_line);
        if self.record_bytes > self.limit || lines > MAX_RECORD_LINES {
            // On one line, no quote ran on into the rows after it: the row itself is long.
            emit(
                self.record_line,
                Err(if lines == 0 { TOO_LONG_ROW } else { TOO_LONG }),
            );
            self.buf.clear();
            self.ends.clear();
            return;
        }
        let mut record = Vec::with_capacity(self.ends.len());
        let fields = self.ends.iter().scan(0, |start, &end| {
            let field = (*start, end);
            *start = end;
            Some(field)
        });
        let not_utf8 = text_fields(&self.buf, fields, &mut record);
        emit(self.record_line, Ok((&record, not_utf8)));
        self.buf.clear();
        self.ends.clear();
    }
}

/// Reads one record at the start of `bytes` in place: its fields' offsets into `fields`,
/// and returns the record's length (its line end included) and the line ends in it;
/// `None` when it needs the copying reader: it does not end in `bytes` (or ends with a CR
/// that is the last byte, which an LF may follow), holds `""` inside quotes or text after
/// a closing quote, or is longer than `limit` (which that reader refuses).
fn whole_record<const DELIMITER: u8>(
    bytes: &[u8],
    fields: &mut Vec<(usize, usize)>,
    limit: usize,
) -> Option<(usize, u64)> {
    use crate::bytes::{find_any4, find_byte};
    fields.clear();
    let mut i = 0;
    let mut newlines = 0;
    loop {
        let (start, end) = if bytes.get(i) == Some(&b'"') {
            let open = i + 1;
            let close = open + find_byte(&bytes[open..], b'"')?;
            newlines += line_ends(&bytes[open..close], false);
            i = close + 1;
            (open, close)
        } else {
            // A quote inside an unquoted field is plain text.
            let start = i;
            loop {
                i += find_any4(&bytes[i..], [DELIMITER, b'\n', b'\r', b'"'])?;
                if bytes[i] != b'"' {
                    break;
                }
                i += 1;
            }
            (start, i)
        };
        fields.push((start, end));
        let end = match bytes.get(i)? {
            &b if b == DELIMITER => {
                i += 1;
                continue;
            }
            b'\n' => i + 1,
            b'\r' if bytes.get(i + 1)? == &b'\n' => i + 2,
            b'\r' => i + 1,
            _ => return None,
        };
        return (i <= limit && newlines <= MAX_RECORD_LINES).then_some((end, newlines + 1));
    }
}

/// The cell separator of a file that starts with `head`: of `,`, `;` and tab, the one its
/// first line with text holds most of outside quotes (a comma when none, or on a tie);
/// `None` while that line has not ended (unless `complete`: `head` is the whole file).
/// A line is blank as the importers take it: nothing but spaces and separators, quoted or not.
fn delimiter(head: &[u8], complete: bool) -> Option<u8> {
    let mut from = 0;
    loop {
        let end =
            crate::bytes::find_any4(&head[from..], [b'\n', b'\r', b'\n', b'\r']).map(|n| from + n);
        let line = &head[from..end.unwrap_or(head.len())];
        let text = String::from_utf8_lossy(line).replace(['"', ',', ';'], "");
        if !text.trim().is_empty() {
            if end.is_none() && !complete {
                return None;
            }
            let mut counts = [0usize; 3];
            let mut quoted = false;
            for &b in line {
                match b {
                    b'"' => quoted = !quoted,
                    b',' if !quoted => counts[0] += 1,
                    b';' if !quoted => counts[1] += 1,
                    b'\t' if !quoted => counts[2] += 1,
                    _ => {}
                }
            }
            let best = (0..3).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
            return Some([b',', b';', b'\t'][best]);
        }
        match end {
            Some(end) => from = end + 1,
            None if complete => return Some(b','),
            None => return None,
        }
    }
}

/// Emits a record read in place by [`whole_record`].
fn emit_in_place<'a>(
    bytes: &'a [u8],
    fields: &[(usize, usize)],
    record: &mut Vec<std::borrow::Cow<'a, str>>,
    line: u64,
    emit: &mut impl FnMut(u64, Record),
) {
    record.clear();
    let not_utf8 = text_fields(bytes, fields.iter().copied(), record);
    emit(line, Ok((record, not_utf8)));
}

/// A record's fields (`start..end` in `bytes`) as text, pushed onto `record`; `true` when
/// the record was not UTF-8. One UTF-8 check for the whole record: fields end at ASCII
/// separators, so each is valid text too. A field that is not UTF-8 is read as
/// Windows-1252, a field at a time (a row pasted together from two files may mix both).
fn text_fields<'a>(
    bytes: &'a [u8],
    fields: impl Iterator<Item = (usize, usize)>,
    record: &mut Vec<std::borrow::Cow<'a, str>>,
) -> bool {
    let text = std::str::from_utf8(bytes).ok();
    let mut not_utf8 = false;
    record.extend(
        fields.map(|(start, end)| match text.and_then(|t| t.get(start..end)) {
            Some(field) => std::borrow::Cow::Borrowed(field),
            None => {
                let (field, decoded) = super::windows_1252::text(&bytes[start..end]);
                not_utf8 |= decoded;
                field
            }
        }),
    );
    not_utf8
}

/// Whether a record is a blank line (cells that all trim to nothing: an empty line, spaces,
/// a no-break space, `""`, and the `,,,,` a spreadsheet writes for a row it kept empty),
/// which the importers skip wherever it is.
pub fn is_blank(record: &[std::borrow::Cow<str>]) -> bool {
    record.iter().all(|cell| cell.trim().is_empty())
}

/// The cell separator of a CSV file that starts with `head` (`,`, `;` or tab), as its
/// reader will take it; `None` while not known (`complete`: `head` is the whole file).
pub fn separator(head: &[u8], complete: bool) -> Option<u8> {
    decide(
        head.strip_prefix(super::BOM).unwrap_or(head),
        MAX_RECORD_BYTES,
        complete,
    )
}

/// [`delimiter`] within the first `limit` bytes, whatever the chunks they came in: a
/// header line still open there is a comma-separated file's (its record refused as too long).
fn decide(held: &[u8], limit: usize, complete: bool) -> Option<u8> {
    let over = held.len() > limit;
    delimiter(&held[..held.len().min(limit)], complete && !over).or(over.then_some(b','))
}

/// Where the header row of a CSV file that starts with `head` ends: just after the line end
/// of its first record that is neither blank nor refused, as the importer reads it, so that
/// the workers that score a large file's parts (www/parallel-score.js) each get the header
/// the one-pass import would take. `None` while `head` does not hold it whole yet (`complete`:
/// `head` is the whole file), or when the file has none.
pub fn header_end(head: &[u8], complete: bool) -> Option<usize> {
    let bom = if head.starts_with(super::BOM) {
        super::BOM.len()
    } else {
        0
    };
    let mut reader = Reader::default();
    let found = std::cell::Cell::new(false);
    let mut emit =
        |_: u64, record: Record| found.set(found.get() || record.is_ok_and(|(r, _)| !is_blank(r)));
    let mut from = bom;
    // Fed up to each line end in turn: a record that ends there ends at that byte.
    while let Some(n) = crate::bytes::find_any4(&head[from..], [b'\n', b'\r', b'\n', b'\r']) {
        let at = from + n;
        reader.feed(&head[from..=at], &mut emit);
        from = at + 1;
        if found.get() {
            return match (head[at], head.get(from)) {
                (b'\r', Some(b'\n')) => Some(from + 1),
                (b'\r', None) if !complete => None,
                _ => Some(from),
            };
        }
    }
    if complete {
        reader.feed(&head[from..], &mut emit);
        reader.finish(&mut emit);
    }
    (complete && found.get()).then_some(head.len())
}

/// Which column holds what, from the header row (names matched case-insensitively).
#[derive(Debug, Default)]
pub struct Columns {
    pub id: Option<usize>,
    pub kind: Option<usize>,
    pub score: Option<usize>,
    pub survey_id: Option<usize>,
    pub locale: Option<usize>,
    pub comment: Option<usize>,
    pub reasons: Option<usize>,
    pub submitted_at: Option<usize>,
    pub created_at: Option<usize>,
    pub received_at: Option<usize>,
    /// The page the answer was given on.
    pub page: Option<usize>,
    pub complete: Option<usize>,
    /// Schema 2's answers, as the payload's JSON array.
    pub answers: Option<usize>,
    /// `user.id` (or `userId`, `user_id`): who answered.
    pub user: Option<usize>,
    /// `metadata.<key>` columns, and any column that is not a payload field (a
    /// plain sheet's `touchpoint` or `agent`), as metadata keys.
    pub metadata: Vec<(usize, String)>,
    /// The export's `metadata` column: the keys past its column cap, as a JSON object.
    pub metadata_rest: Option<usize>,
    /// A column the header names twice (letter case aside): which of the two holds the
    /// answer cannot be told, so no row is read.
    pub twice: Option<String>,
}

/// Whether a column is one of the export's that the Scorer does not read (`group`; and
/// `schema`, which older files carry).
fn ignored(name: &str) -> bool {
    name.eq_ignore_ascii_case("schema") || CSV_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name))
}

impl Columns {
    /// Reads a header row.
    pub fn from_header(header: &[std::borrow::Cow<str>]) -> Columns {
        let mut c = Columns::default();
        // The payload's columns named so far (letter case aside): `score,Score` is one column twice.
        let mut named = Vec::new();
        let twice = |c: &mut Columns, name: &str| {
            c.twice.get_or_insert_with(|| name.to_owned());
        };
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            let lower = name.to_ascii_lowercase();
            let slot = match lower.as_str() {
                "id" => &mut c.id,
                "kind" | "type" => &mut c.kind,
                "score" => &mut c.score,
                "surveyid" | "survey_id" | "survey" => &mut c.survey_id,
                "locale" | "language" => &mut c.locale,
                "comment" | "why" => &mut c.comment,
                "reasons" => &mut c.reasons,
                "submittedat" | "submitted_at" => &mut c.submitted_at,
                "createdat" | "created_at" | "date" => &mut c.created_at,
                "receivedat" | "received_at" => &mut c.received_at,
                "page" => &mut c.page,
                "complete" => &mut c.complete,
                "answers" => &mut c.answers,
                "user.id" | "userid" | "user_id" => &mut c.user,
                _ if name == METADATA_REST => &mut c.metadata_rest,
                _ => {
                    let prefix = METADATA_PREFIX.len();
                    let key = match name
                        .get(prefix..)
                        .filter(|_| lower.starts_with(METADATA_PREFIX))
                    {
                        Some(key) => key,
                        None if !ignored(name) && !name.is_empty() => name,
                        None => continue,
                    };
                    // Keys are compared exactly, as the collector stores them (`Plan` and
                    // `plan` are two keys); `agent` and `metadata.agent` are one.
                    if c.metadata.iter().any(|(_, k)| k == key) {
                        twice(&mut c, name);
                    }
                    c.metadata.push((i, key.to_owned()));
                    continue;
                }
            };
            slot.get_or_insert(i);
            if named.contains(&lower) {
                twice(&mut c, name);
            }
            named.push(lower);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record with its line, as owned text (a refused one as its error), and the
    /// line ends counted, read by a reader that refuses records over `limit` bytes.
    fn records_limited(chunks: &[&[u8]], limit: usize) -> (Vec<(u64, Vec<String>)>, u64) {
        let mut out = Vec::new();
        let mut reader = Reader::with_limit(limit);
        let mut emit = |line, record: Record| {
            out.push((
                line,
                match record {
                    Ok((fields, _)) => fields.iter().map(|f| f.to_string()).collect(),
                    Err(e) => vec![e.to_string()],
                },
            ))
        };
        for chunk in chunks {
            reader.feed(chunk, &mut emit);
        }
        reader.finish(&mut emit);
        (out, reader.newlines())
    }

    fn records(chunks: &[&[u8]]) -> (Vec<(u64, Vec<String>)>, u64) {
        records_limited(chunks, MAX_RECORD_BYTES)
    }

    fn texts(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|f| f.to_string()).collect()
    }

    proptest! {
        /// Reading records in place (a whole record in one chunk) gives what the copying
        /// reader gives byte by byte, for any mix of quotes, `""`, CR, LF and bad UTF-8,
        /// with records refused past any length limit; the line ends are counted alike.
        #[test]
        fn in_place_records_are_the_copying_readers(
            bytes in proptest::collection::vec(
                prop::sample::select(vec![b'a', b'b', b',', b';', b'\t', b' ', b'"', b'\n', b'\r', 0xc3, 0xa9, 0xff]),
                0..200,
            ),
            cut in 0usize..200,
            limit in prop::sample::select(vec![0usize, 1, 3, 8, 40, MAX_RECORD_BYTES]),
        ) {
            let whole = records_limited(&[&bytes], limit);
            let one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
            prop_assert_eq!(&records_limited(&one_by_one, limit), &whole);
            let cut = cut.min(bytes.len());
            prop_assert_eq!(&records_limited(&[&bytes[..cut], &bytes[cut..]], limit), &whole);
            // Every line end counts, in quoted fields too (an unclosed quote's aside: its
            // record is dropped, its lines still counted).
            prop_assert_eq!(whole.1, line_ends(&bytes, false));
        }
    }

    #[test]
    fn lines_may_end_with_lf_crlf_or_a_lone_cr() {
        // An old Mac export: every line ends with CR alone; a quoted CR stays in its field.
        let (rows, newlines) = records(&[b"id,comment\rr1,\"a\rb\"\rr2,c\r"]);
        assert_eq!(
            rows,
            [
                (1, texts(&["id", "comment"])),
                (2, texts(&["r1", "a\rb"])),
                (4, texts(&["r2", "c"]))
            ]
        );
        assert_eq!(newlines, 4);
        // All three in one file, a CRLF split between chunks counted once.
        let (rows, newlines) = records(&[b"a\r\nb\r", b"\nc\rd\ne"]);
        let lines: Vec<u64> = rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5]);
        assert_eq!(newlines, 4);
    }

    #[test]
    fn a_record_over_the_limit_is_refused_and_the_rows_after_it_are_read() {
        let long = "x".repeat(MAX_RECORD_BYTES);
        let file = format!("id,comment\nr1,\"{long}\"\nr2,ok\n");
        // Fed in chunks of 64 KiB, as a stream arrives: the long field is not kept whole.
        let chunks: Vec<&[u8]> = file.as_bytes().chunks(64 << 10).collect();
        let (rows, _) = records(&chunks);
        assert_eq!(
            rows,
            [
                (1, texts(&["id", "comment"])),
                // On one line: said to be long, not to run into the rows after it.
                (2, texts(&[TOO_LONG_ROW])),
                (3, texts(&["r2", "ok"]))
            ]
        );
        // One byte less is a record like any other.
        let fits = format!("r1,\"{}\"\n", &long[..MAX_RECORD_BYTES - 5]);
        assert_eq!(
            records(&[fits.as_bytes()]).0[0].1[1].len(),
            MAX_RECORD_BYTES - 5
        );
    }

    #[test]
    fn a_record_over_200_lines_is_refused_in_any_chunking_and_200_are_read() {
        for (breaks, refused) in [(200, false), (201, true)] {
            let comment = "x\n".repeat(breaks);
            for ending in ["\n", ""] {
                let file = format!("id,comment\nr1,\"{comment}\"{ending}");
                let whole = records(&[file.as_bytes()]);
                let one_by_one: Vec<&[u8]> = file.as_bytes().chunks(1).collect();
                assert_eq!(records(&one_by_one), whole);
                assert_eq!(
                    whole.0[1].1 == texts(&[TOO_LONG]),
                    refused,
                    "{breaks} line ends, ending {ending:?}"
                );
            }
        }
    }

    #[test]
    fn the_header_ends_after_the_first_record_that_is_neither_blank_nor_refused() {
        // A BOM, blank lines of every kind the importer skips, then a header whose quoted
        // cell holds a line end.
        let head = "\u{FEFF}\r\n \u{A0}\n\"\"\r\u{3000}\r\n\"id\nx\",kind\r\nr1,nps\n".as_bytes();
        let header = "\"id\nx\",kind\r\n";
        let end = head
            .windows(header.len())
            .position(|w| w == header.as_bytes())
            .unwrap()
            + header.len();
        assert_eq!(header_end(head, false), Some(end));
        // Not yet known: the header's quote still open, or its CR the last byte so far.
        let cr = head.iter().rposition(|&b| b == b'\r').unwrap();
        assert_eq!(header_end(&head[..cr + 1], false), None);
        assert_eq!(header_end(&head[..cr + 1], true), Some(cr + 1));
        assert_eq!(header_end(&head[..end - 6], false), None);
        assert_eq!(header_end(b" \n\n", true), None);
        assert_eq!(header_end(b"kind,score", true), Some(10));
    }

    #[test]
    fn a_quoted_field_read_in_place_keeps_its_commas_and_newlines() {
        let (rows, newlines) = records(&[b"id,comment\r\nr1,\"a, b\nc\"\nr2,\"\"\"x\"\"\"\n"]);
        assert_eq!(
            rows,
            [
                (1, texts(&["id", "comment"])),
                (2, texts(&["r1", "a, b\nc"])),
                (4, texts(&["r2", "\"x\""])),
            ]
        );
        assert_eq!(newlines, 4);
    }
}
