//! An RFC 4180 record reader that accepts bytes in chunks of any size (a quoted
//! field, a CRLF or a UTF-8 character may be split across chunks), and the columns
//! of a header row.

use crate::schema::{CSV_COLUMNS, METADATA_PREFIX, METADATA_REST};

/// Reader state between chunks. A record's fields live in one byte buffer with
/// their end offsets, so reading a row allocates nothing per field.
#[derive(Debug, Default)]
pub struct Reader {
    buf: Vec<u8>,
    ends: Vec<usize>,
    in_quotes: bool,
    /// A `"` seen inside quotes: either the closing quote or the first of `""`.
    quote_pending: bool,
    /// Newlines seen so far; the current record started on line `record_line`.
    lines: u64,
    record_line: u64,
    record_started: bool,
}

/// One record's fields, borrowed from the chunk or the reader (owned only where a field
/// is not UTF-8).
pub type Record<'r, 'a> = &'r [std::borrow::Cow<'a, str>];

impl Reader {
    /// Feeds bytes; `emit(line, record)` is called for each complete record. Runs of
    /// plain bytes (and the inside of a quoted field, up to its next quote) are copied in
    /// one go: a byte at a time was most of a large import's time.
    pub fn feed(&mut self, chunk: &[u8], emit: &mut impl FnMut(u64, Record)) {
        let mut i = 0;
        // The fields of records read in place, reused from one record to the next.
        let mut fields = Vec::new();
        let mut record = Vec::new();
        while i < chunk.len() {
            if !self.record_started {
                // A record that starts and ends in this chunk, with no `""` in a quoted
                // field and no stray CR, is read where it lies: nothing copied.
                if let Some((end, newlines)) = whole_record(&chunk[i..], &mut fields) {
                    let line = self.lines + 1;
                    self.lines += newlines;
                    emit_in_place(&chunk[i..i + end], &fields, &mut record, line, emit);
                    i += end;
                    continue;
                }
                self.record_started = true;
                self.record_line = self.lines + 1;
            }
            if self.in_quotes && !self.quote_pending {
                let run = &chunk[i..];
                let n = crate::bytes::find_byte(run, b'"').unwrap_or(run.len());
                self.lines += run[..n].iter().filter(|&&b| b == b'\n').count() as u64;
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
                b',' => {
                    self.ends.push(self.buf.len());
                    i += 1;
                }
                b'\n' => {
                    self.lines += 1;
                    self.end_record(emit);
                    i += 1;
                }
                b'\r' => i += 1,
                _ => {
                    // Plain bytes up to the next separator; a quote inside a field is plain.
                    let run = &chunk[i..];
                    let n = crate::bytes::find_any4(run, [b'"', b',', b'\n', b'\r'])
                        .unwrap_or(run.len())
                        .max(1);
                    self.buf.extend_from_slice(&run[..n]);
                    i += n;
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
    /// is not emitted, and the line it started on is returned, to be reported.
    #[must_use]
    pub fn finish(&mut self, emit: &mut impl FnMut(u64, Record)) -> Option<u64> {
        if !self.record_started {
            return None;
        }
        let unclosed = self.in_quotes && !self.quote_pending;
        self.in_quotes = false;
        self.quote_pending = false;
        if unclosed {
            self.record_started = false;
            self.buf.clear();
            self.ends.clear();
            return Some(self.record_line);
        }
        self.end_record(emit);
        None
    }
}

/// What a quoted field that never closes is reported as, on the line it opens.
pub const UNCLOSED_QUOTE: &str =
    "a quoted field opens on this line and is never closed: the rest of the file was read into it";

impl Reader {
    fn end_record(&mut self, emit: &mut impl FnMut(u64, Record)) {
        self.ends.push(self.buf.len());
        self.record_started = false;
        let mut record = Vec::with_capacity(self.ends.len());
        let fields = self.ends.iter().scan(0, |start, &end| {
            let field = (*start, end);
            *start = end;
            Some(field)
        });
        text_fields(&self.buf, fields, &mut record);
        emit(self.record_line, &record);
        self.buf.clear();
        self.ends.clear();
    }
}

/// Reads one record at the start of `bytes` in place: its fields' offsets into `fields`,
/// and returns the record's length (its newline included) and the newlines in it; `None`
/// when it needs the copying reader: it does not end in `bytes`, or holds `""` inside
/// quotes, text after a closing quote, or a CR not before LF (which that reader drops).
fn whole_record(bytes: &[u8], fields: &mut Vec<(usize, usize)>) -> Option<(usize, u64)> {
    use crate::bytes::{find_any4, find_byte};
    fields.clear();
    let mut i = 0;
    let mut newlines = 0;
    loop {
        let (start, end) = if bytes.get(i) == Some(&b'"') {
            let open = i + 1;
            let close = open + find_byte(&bytes[open..], b'"')?;
            newlines += bytes[open..close].iter().filter(|&&b| b == b'\n').count() as u64;
            i = close + 1;
            (open, close)
        } else {
            // A quote inside an unquoted field is plain text.
            let start = i;
            loop {
                i += find_any4(&bytes[i..], [b',', b'\n', b'\r', b'"'])?;
                if bytes[i] != b'"' {
                    break;
                }
                i += 1;
            }
            (start, i)
        };
        fields.push((start, end));
        match bytes.get(i)? {
            b',' => i += 1,
            b'\n' => return Some((i + 1, newlines + 1)),
            b'\r' if bytes.get(i + 1)? == &b'\n' => return Some((i + 2, newlines + 1)),
            _ => return None,
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
    text_fields(bytes, fields.iter().copied(), record);
    emit(line, record);
}

/// A record's fields (`start..end` in `bytes`) as text, pushed onto `record`. One UTF-8
/// check for the whole record; fields end at ASCII separators, so each is valid text too.
fn text_fields<'a>(
    bytes: &'a [u8],
    fields: impl Iterator<Item = (usize, usize)>,
    record: &mut Vec<std::borrow::Cow<'a, str>>,
) {
    let text = std::str::from_utf8(bytes).ok();
    for (start, end) in fields {
        // A character split by a separator byte inside it cannot happen in UTF-8 (a
        // separator is ASCII), but a field may still start or end mid-character when the
        // bytes around it were not text: then that field is read lossily.
        record.push(match text.and_then(|t| t.get(start..end)) {
            Some(field) => std::borrow::Cow::Borrowed(field),
            None => String::from_utf8_lossy(&bytes[start..end]),
        });
    }
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
}

/// Whether a column is one of the export's that the Scorer does not use (`id`, `group`,
/// `page`, `receivedAt`, `user.id`; and `schema`, which older files carry).
fn ignored(name: &str) -> bool {
    name.eq_ignore_ascii_case("schema") || CSV_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name))
}

impl Columns {
    /// Reads a header row.
    pub fn from_header(header: &[std::borrow::Cow<str>]) -> Columns {
        let mut c = Columns::default();
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
                "complete" => &mut c.complete,
                "answers" => &mut c.answers,
                "user.id" | "userid" | "user_id" => &mut c.user,
                _ if name == METADATA_REST => &mut c.metadata_rest,
                _ => {
                    let prefix = METADATA_PREFIX.len();
                    if let Some(key) = name
                        .get(prefix..)
                        .filter(|_| lower.starts_with(METADATA_PREFIX))
                    {
                        c.metadata.push((i, key.to_owned()));
                    } else if !ignored(name) && !name.is_empty() {
                        c.metadata.push((i, name.to_owned()));
                    }
                    continue;
                }
            };
            slot.get_or_insert(i);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record with its line, as owned text.
    fn records(chunks: &[&[u8]]) -> (Vec<(u64, Vec<String>)>, u64) {
        let mut out = Vec::new();
        let mut reader = Reader::default();
        let mut emit =
            |line, record: Record| out.push((line, record.iter().map(|f| f.to_string()).collect()));
        for chunk in chunks {
            reader.feed(chunk, &mut emit);
        }
        let _ = reader.finish(&mut emit);
        (out, reader.newlines())
    }

    proptest! {
        /// Reading records in place (a whole record in one chunk) gives what the copying
        /// reader gives byte by byte, for any mix of quotes, `""`, CR, LF and bad UTF-8.
        #[test]
        fn in_place_records_are_the_copying_readers(
            bytes in proptest::collection::vec(
                prop::sample::select(vec![b'a', b'b', b',', b'"', b'\n', b'\r', 0xc3, 0xa9, 0xff]),
                0..200,
            ),
            cut in 0usize..200,
        ) {
            let whole = records(&[&bytes]);
            let one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
            prop_assert_eq!(&records(&one_by_one), &whole);
            let cut = cut.min(bytes.len());
            prop_assert_eq!(&records(&[&bytes[..cut], &bytes[cut..]]), &whole);
        }
    }

    #[test]
    fn a_quoted_field_read_in_place_keeps_its_commas_and_newlines() {
        let (rows, newlines) = records(&[b"id,comment\r\nr1,\"a, b\nc\"\nr2,\"\"\"x\"\"\"\n"]);
        assert_eq!(
            rows,
            [
                (1, vec!["id".to_string(), "comment".to_string()]),
                (2, vec!["r1".to_string(), "a, b\nc".to_string()]),
                (4, vec!["r2".to_string(), "\"x\"".to_string()]),
            ]
        );
        assert_eq!(newlines, 4);
    }
}
