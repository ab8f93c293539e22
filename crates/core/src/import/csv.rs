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

/// One record's fields, borrowed from the reader (owned only where a field is not UTF-8).
pub type Record<'a> = Vec<std::borrow::Cow<'a, str>>;

impl Reader {
    /// Feeds bytes; `emit(line, record)` is called for each complete record. Runs of
    /// plain bytes (and the inside of a quoted field, up to its next quote) are copied in
    /// one go: a byte at a time was most of a large import's time.
    pub fn feed(&mut self, chunk: &[u8], emit: &mut impl FnMut(u64, Record)) {
        let mut i = 0;
        while i < chunk.len() {
            if !self.record_started {
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

    /// Ends the last record, if the file did not end with a newline.
    pub fn finish(&mut self, emit: &mut impl FnMut(u64, Record)) {
        if self.record_started {
            self.in_quotes = false;
            self.quote_pending = false;
            self.end_record(emit);
        }
    }

    fn end_record(&mut self, emit: &mut impl FnMut(u64, Record)) {
        self.ends.push(self.buf.len());
        self.record_started = false;
        let mut start = 0;
        let mut record = Vec::with_capacity(self.ends.len());
        // One UTF-8 check for the whole record; fields end at ASCII separators, so each
        // is valid text too. Only a record with bad bytes is checked field by field.
        let text = std::str::from_utf8(&self.buf).ok();
        for &end in &self.ends {
            // A character split by a separator byte inside it cannot happen in UTF-8 (a
            // separator is ASCII), but a field may still start or end mid-character when
            // the bytes around it were not text: then that field is read lossily.
            record.push(match text.and_then(|t| t.get(start..end)) {
                Some(field) => std::borrow::Cow::Borrowed(field),
                None => String::from_utf8_lossy(&self.buf[start..end]),
            });
            start = end;
        }
        emit(self.record_line, record);
        self.buf.clear();
        self.ends.clear();
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
