//! Streaming readers for exports: NDJSON (the collector's format) and CSV (the
//! collector's, or a plain `score,kind,…` sheet), fed chunk by chunk so a file of
//! millions of rows is never held whole. Each accepted row becomes a
//! [`Row`](crate::score::Row) for the scorer; each rejected one is counted, and the
//! first 100 are reported with their line and field. Nothing is dropped silently.
//!
//! A row is rejected when it is not JSON (NDJSON) or not a record (CSV), when its
//! kind is unknown, or when its score is not an integer on the kind's scale. Other
//! fields are read leniently: an odd comment or metadata value is not a reason to
//! lose an answer.

pub(crate) mod csv;
mod cut;
pub use csv::{
    header_end as csv_header_end, line_ends as csv_line_ends, separator as csv_separator,
};
pub use csv::{MAX_RECORD_BYTES, TOO_LONG, TOO_LONG_ROW, UNCLOSED_QUOTE};
pub use cut::RowEnds;
mod ndjson;
mod utf16;
mod windows_1252;

use crate::metric::{Kind, KIND_CHOICES};
use crate::schema::unguarded;
use crate::score::{Row, Times};
use std::borrow::Cow;

/// How many rejected rows are reported in detail.
pub const REPORTED_ERRORS: usize = 100;

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// The field at fault (`json`, `kind`, `score`, `csv`).
    pub field: String,
    /// What was wrong.
    pub error: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Rows scored.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// The first [`REPORTED_ERRORS`] rejections.
    pub first: Vec<RowError>,
    /// Partial responses left out because the importer was asked to skip them.
    pub skipped_partials: u64,
    /// Newlines read (the file's lines, but for a last one without a newline): where a part
    /// of a file scored apart sits in the whole, for its rejected rows' line numbers.
    pub newlines: u64,
    /// Rows whose text was not UTF-8, read as Windows-1252 (Excel's plain "CSV" on Windows).
    pub windows_1252: u64,
}

impl Report {
    /// Adds `other`'s counts and errors (up to the kept limit).
    pub fn merge(&mut self, other: &Report) {
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.skipped_partials += other.skipped_partials;
        self.newlines += other.newlines;
        self.windows_1252 += other.windows_1252;
        let room = REPORTED_ERRORS.saturating_sub(self.first.len());
        self.first.extend(other.first.iter().take(room).cloned());
    }

    /// Counts a rejected row, keeping the first [`REPORTED_ERRORS`] in detail.
    pub fn reject(&mut self, line: u64, field: &str, error: String) {
        self.rejected += 1;
        if self.first.len() < REPORTED_ERRORS {
            self.first.push(RowError {
                line,
                field: field.to_owned(),
                error,
            });
        }
    }
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// RFC 4180 CSV with a header row.
    Csv,
}

impl Format {
    /// Parses `ndjson` / `jsonl` / `csv`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "ndjson" | "jsonl" | "json" => Some(Format::Ndjson),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// Guesses from the first bytes: a `{` (after a BOM and whitespace) is NDJSON.
    pub fn detect(first: &[u8]) -> Format {
        Format::sniff(first).unwrap_or(Format::Csv)
    }

    /// The format of a file that starts with `head`, or `None` while `head` is only
    /// whitespace or part of a BOM: a stream's first chunk may hold nothing else (a lone
    /// newline, the BOM's first byte), and the guess must wait for the first byte of text.
    pub fn sniff(head: &[u8]) -> Option<Format> {
        if !head.is_empty() && (BOM.starts_with(head) || utf16::may_be_mark(head)) {
            return None;
        }
        if let Some(little) = utf16::byte_order(head) {
            return match utf16::first_text(head, little)? {
                '{' => Some(Format::Ndjson),
                _ => Some(Format::Csv),
            };
        }
        let rest = head.strip_prefix(BOM).unwrap_or(head);
        match rest.iter().find(|b| !b.is_ascii_whitespace())? {
            b'{' => Some(Format::Ndjson),
            _ => Some(Format::Csv),
        }
    }
}

/// Whether a file that starts with `head` is UTF-16 (it starts with that byte-order mark).
pub fn is_utf16(head: &[u8]) -> bool {
    utf16::byte_order(head).is_some()
}

/// A streaming importer: `feed` chunks in order, then `finish`.
#[derive(Debug)]
pub struct Importer {
    format: Format,
    report: Report,
    /// NDJSON: bytes of the line still being received (see [`hold_line`]).
    pending: Vec<u8>,
    /// Lines completed so far.
    line: u64,
    csv: csv::Reader,
    columns: Option<csv::Columns>,
    /// The first bytes, held until it is clear whether they are a byte-order mark.
    head: Option<Vec<u8>>,
    skip_partials: bool,
    /// A file in UTF-16 (it starts with its mark), read as the UTF-8 text it decodes to.
    utf16: Option<utf16::Decoder>,
    /// The text decoded from the chunk at hand (reused from one chunk to the next).
    decoded: String,
}

/// UTF-8's byte-order mark, which the readers (and the cut) skip at a file's start.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Appends `bytes` to an NDJSON line still being received, keeping no more than one byte past
/// [`csv::MAX_RECORD_BYTES`]: enough to refuse the line as too long when it ends, without
/// holding a line that never ends (a whole file on one line) in memory.
pub(crate) fn hold_line(pending: &mut Vec<u8>, bytes: &[u8]) {
    let room = (csv::MAX_RECORD_BYTES + 1).saturating_sub(pending.len());
    pending.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// What a CSV header without a `kind` column is reported as.
pub const NO_KIND_COLUMN: &str = "no kind column in the header row: expected a CSV export (a header row naming kind and score; UTF-8, UTF-16 with its mark or Windows-1252) or NDJSON (one JSON object per line)";

/// What a CSV header with a `kind` column but no `score` column is reported as.
pub const NO_SCORE_COLUMN: &str =
    "no score column in the header row: expected a header row naming kind and score";

/// Each row of a CSV file whose header names a column twice.
const TWICE_NOT_READ: &str = "not read: the header names a column twice";

/// Each row of a CSV file whose header has no `kind` column: a file that is not an export
/// (a zip, an image) would otherwise fill the report with "kind" errors about rows that
/// never were rows, and hide the one that says why.
const NO_KIND_NOT_READ: &str = "not read: the header row has no kind column";

/// Each row of a CSV file whose header has no `score` column.
const NO_SCORE_NOT_READ: &str = "not read: the header row has no score column";

/// What an NDJSON line longer than [`csv::MAX_RECORD_BYTES`] is reported as: a response is
/// a few hundred bytes, and holding such a line could take all of a worker's memory.
pub const TOO_LONG_LINE: &str =
    "a line longer than 1 MiB: expected one response per line, ended by LF or CRLF (is the file one JSON array, or are its lines ended by CR alone?)";

/// What an NDJSON line is reported as when it holds several objects split by lone CRs.
pub const CR_LINE_ENDS: &str =
    "lines ended by CR alone: expected one JSON object per line, lines ended by LF or CRLF";

/// Whether an NDJSON line that does not read is a whole object up to its first CR: the
/// lines of a file whose lines end with a CR alone, read as one.
fn ended_by_cr(text: &str) -> bool {
    text.split_once('\r')
        .is_some_and(|(first, _)| ndjson::Line::parse(first).is_ok())
}

/// Whether a response object's `complete` says it is partial: `false`, `0`, or text that
/// [`means_partial`].
pub(crate) fn is_partial_json(complete: Option<&serde_json::Value>) -> bool {
    match complete {
        Some(serde_json::Value::Bool(complete)) => !complete,
        Some(serde_json::Value::String(text)) => means_partial(text),
        Some(serde_json::Value::Number(n)) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// Whether a `complete` written as text (a CSV cell, an NDJSON string) says the response
/// is partial: as a sheet may write it (Excel saves `false` as FALSE).
pub(crate) fn means_partial(text: &str) -> bool {
    let text = text.trim();
    ["false", "0", "no"]
        .iter()
        .any(|f| text.eq_ignore_ascii_case(f))
}

impl Importer {
    /// An importer for `format`.
    pub fn new(format: Format) -> Importer {
        Importer {
            format,
            report: Report::default(),
            pending: Vec::new(),
            line: 0,
            csv: csv::Reader::default(),
            columns: None,
            head: Some(Vec::new()),
            skip_partials: false,
            utf16: None,
            decoded: String::new(),
        }
    }

    /// Leaves out partial responses (`complete: false`): a live dashboard counts a
    /// response once it is submitted, so that its later update is not counted twice.
    pub fn skip_partials(mut self, skip: bool) -> Importer {
        self.skip_partials = skip;
        self
    }

    /// Reads `chunk`, calling `sink` with each accepted row.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut impl FnMut(&Row<'_>)) {
        self.feed_into(chunk, sink);
    }

    /// As [`Importer::feed`], with a sink that may refuse a row: the row is then reported
    /// as rejected on its line, for the field the sink names.
    pub fn feed_checked(&mut self, chunk: &[u8], sink: &mut impl FnMut(&Row<'_>) -> Taken) {
        self.feed_into(chunk, &mut Checked(sink));
    }

    fn feed_into(&mut self, chunk: &[u8], sink: &mut impl Sink) {
        if let Some(mut head) = self.head.take() {
            // Hold bytes while they could still be the start of a BOM split across chunks.
            head.extend_from_slice(chunk);
            if (head.len() < BOM.len() && BOM.starts_with(&head)) || utf16::may_be_mark(&head) {
                self.head = Some(head);
                return;
            }
            return self.begin(&head, sink);
        }
        self.text(chunk, sink);
    }

    /// Reads the file's first bytes, after its byte-order mark.
    fn begin(&mut self, head: &[u8], sink: &mut impl Sink) {
        if let Some(little) = utf16::byte_order(head) {
            self.utf16 = Some(utf16::Decoder::new(little));
            return self.text(&head[2..], sink);
        }
        self.read(head.strip_prefix(BOM).unwrap_or(head), sink);
    }

    /// Reads bytes of the file, decoded first when it is UTF-16.
    fn text(&mut self, chunk: &[u8], sink: &mut impl Sink) {
        let Some(decoder) = self.utf16.as_mut() else {
            return self.read(chunk, sink);
        };
        let mut decoded = std::mem::take(&mut self.decoded);
        decoded.clear();
        decoder.decode(chunk, &mut decoded);
        self.read(decoded.as_bytes(), sink);
        self.decoded = decoded;
    }

    fn read(&mut self, chunk: &[u8], sink: &mut impl Sink) {
        match self.format {
            Format::Ndjson => {
                let mut start = 0;
                while let Some(n) = crate::bytes::find_byte(&chunk[start..], b'\n') {
                    let i = start + n;
                    self.line += 1;
                    if self.pending.is_empty() {
                        self.ndjson_line(&chunk[start..i], sink);
                    } else {
                        hold_line(&mut self.pending, &chunk[start..i]);
                        let line = std::mem::take(&mut self.pending);
                        self.ndjson_line(&line, sink);
                    }
                    start = i + 1;
                }
                hold_line(&mut self.pending, &chunk[start..]);
            }
            Format::Csv => {
                let (report, columns, skip) =
                    (&mut self.report, &mut self.columns, self.skip_partials);
                self.csv.feed(chunk, &mut |line, record| {
                    csv_record(report, columns, skip, line, record, sink)
                });
            }
        }
    }

    /// Reads what remains after the last chunk and returns the report.
    pub fn finish(self, sink: &mut impl FnMut(&Row<'_>)) -> Report {
        self.finish_into(sink)
    }

    /// As [`Importer::finish`], with a sink that may refuse a row (see [`Importer::feed_checked`]).
    pub fn finish_checked(self, sink: &mut impl FnMut(&Row<'_>) -> Taken) -> Report {
        self.finish_into(&mut Checked(sink))
    }

    fn finish_into(mut self, sink: &mut impl Sink) -> Report {
        if let Some(head) = self.head.take() {
            self.begin(&head, sink);
        }
        if let Some(mut decoder) = self.utf16.take() {
            // Half a character at the very end.
            let mut rest = String::new();
            decoder.finish(&mut rest);
            self.read(rest.as_bytes(), sink);
        }
        self.report.newlines = match self.format {
            Format::Ndjson => self.line,
            Format::Csv => self.csv.newlines(),
        };
        match self.format {
            Format::Ndjson => {
                if !self.pending.is_empty() {
                    self.line += 1;
                    let line = std::mem::take(&mut self.pending);
                    self.ndjson_line(&line, sink);
                }
            }
            Format::Csv => {
                let (report, columns, skip) =
                    (&mut self.report, &mut self.columns, self.skip_partials);
                self.csv.finish(&mut |line, record| {
                    csv_record(report, columns, skip, line, record, sink)
                });
            }
        }
        self.report
    }

    fn ndjson_line(&mut self, raw: &[u8], sink: &mut impl Sink) {
        // Measured without the CR of a CRLF, as the CSV reader measures a row, and with any
        // byte-order mark: what `hold_line` keeps of a long line is measured alike.
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > csv::MAX_RECORD_BYTES {
            return self
                .report
                .reject(self.line, "json", TOO_LONG_LINE.to_owned());
        }
        // A byte-order mark at a line's start (exports joined with `cat`) is skipped as at the file's.
        let raw = raw.strip_prefix(BOM).unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let line = self.line;
        // One pass over the line: no map or string is built for fields scoring ignores.
        // The strict UTF-8 check first; only a line with bad bytes is read as Windows-1252.
        let (text, not_utf8) = windows_1252::text(raw);
        self.report.windows_1252 += u64::from(not_utf8);
        let fields = match ndjson::Line::parse(&text) {
            Ok(v) => v,
            // An object, then a CR alone and more: lines ended the classic Mac way.
            Err(_) if ended_by_cr(&text) => {
                return self.report.reject(line, "json", CR_LINE_ENDS.to_owned())
            }
            Err(e) => return self.report.reject(line, "json", e),
        };
        if self.skip_partials && fields.is_partial() {
            self.report.skipped_partials += 1;
            return;
        }
        let row = match fields.row() {
            Ok(row) => row,
            Err((field, error)) => return self.report.reject(line, field, error),
        };
        match sink.take(&row) {
            Ok(()) => self.report.accepted += 1,
            Err((field, error)) => self.report.reject(line, field, error),
        }
    }
}

/// What a checked sink says of a row: taken, or the field that makes it unusable and why.
pub type Taken = Result<(), (&'static str, String)>;

/// What receives each row read: a closure takes every row; [`Checked`] may refuse one.
trait Sink {
    fn take(&mut self, row: &Row<'_>) -> Taken;
}

impl<F: FnMut(&Row<'_>)> Sink for F {
    fn take(&mut self, row: &Row<'_>) -> Taken {
        self(row);
        Ok(())
    }
}

/// A sink that may refuse a row (an id already counted for another survey).
struct Checked<F>(F);

impl<F: FnMut(&Row<'_>) -> Taken> Sink for Checked<F> {
    fn take(&mut self, row: &Row<'_>) -> Taken {
        (self.0)(row)
    }
}

/// A response's id as the rows key it: a string (an empty one is no id: rows without an id
/// are never taken for one another), or a number as written, as a CSV cell would hold it.
fn response_id(value: Option<&serde_json::Value>) -> Option<Cow<'static, str>> {
    match value? {
        serde_json::Value::String(id) if !id.is_empty() => Some(Cow::Owned(id.clone())),
        serde_json::Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// A scorer row from a response object (an NDJSON line, or an object added from
/// JavaScript), or the field that makes it unusable and why.
pub fn row_from_json(
    object: &serde_json::Map<String, serde_json::Value>,
) -> Result<Row<'static>, (&'static str, String)> {
    let text = |k: &str| object.get(k).and_then(|v| v.as_str());
    let owned = |s: &str| Cow::Owned(s.to_owned());
    let (kind, score) = checked(text("kind"), object.get("score").map(score_text).as_deref())?;
    // A time may be Unix time written as a number (see `parse_sheet_time_ms`).
    let time = |k: &str| match object.get(k) {
        Some(serde_json::Value::Number(n)) => Some(Cow::Owned(n.to_string())),
        value => value.and_then(|v| v.as_str()).map(Cow::Borrowed),
    };
    let texts = ["createdAt", "submittedAt", "receivedAt", "updatedAt"].map(time);
    let times = Times::read(texts);
    if let Some(metadata) = object.get("metadata").and_then(|m| m.as_object()) {
        for (key, value) in metadata {
            match value {
                serde_json::Value::Array(_) => return Err(nested_metadata(key, "an array")),
                serde_json::Value::Object(_) => return Err(nested_metadata(key, "an object")),
                _ => {}
            }
        }
    }
    let answers = match object.get("answers") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(answers) => answers_from_json(answers, kind, score)?,
    };
    Ok(Row {
        answers,
        id: response_id(object.get("id")),
        complete: !is_partial_json(object.get("complete")),
        kind: Some(kind),
        score,
        survey_id: text("surveyId").map(owned),
        locale: text("locale").map(owned),
        metadata: object
            .get("metadata")
            .and_then(|m| m.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| scalar(v).map(|v| (Cow::Owned(k.clone()), Cow::Owned(v))))
                    .collect()
            })
            .unwrap_or_default(),
        reasons: object
            .get("reasons")
            .and_then(|r| r.as_array())
            .map(|r| r.iter().filter_map(|v| v.as_str().map(owned)).collect())
            .unwrap_or_default(),
        comment: text("comment").filter(|c| !c.trim().is_empty()).map(owned),
        time: times.scored(),
        times,
        page: text("page").map(owned),
        user: object
            .get("user")
            .and_then(|u| u.get("id"))
            .and_then(scalar)
            .map(Cow::Owned),
    })
}

/// A metadata value that is an array or an object: the collector refuses such a post, so a
/// row holding one is refused too (left out silently, its answer would count under "(none)").
pub(crate) fn nested_metadata(key: &str, got: &str) -> (&'static str, String) {
    let problem = [
        "expected a string, number or boolean in metadata.",
        key,
        ", got ",
        got,
    ];
    ("metadata", problem.concat())
}

/// A row's schema-2 answers: each question's key, kind and score.
type Answers = Vec<(Cow<'static, str>, Kind, u8)>;

/// Schema 2's `answers` (`[{ key, kind, score }]`) as a row's, checked as the collector
/// checks them (each key once, each score on its kind's scale, the first answer the row's
/// own `kind` and `score`).
pub(crate) fn answers_from_json(
    value: &serde_json::Value,
    kind: Kind,
    score: u8,
) -> Result<Answers, (&'static str, String)> {
    let answers = crate::answer::parse_answers(&crate::value::Value::from(value.clone()))
        .map_err(|e| ("answers", e.message()))?;
    if answers
        .first()
        .is_some_and(|a| a.kind != kind || a.score != score)
    {
        return Err((
            "answers",
            "answers[0]: expected the same kind and score as the row's kind and score".into(),
        ));
    }
    Ok(answers
        .into_iter()
        .map(|a| (Cow::Owned(a.key), a.kind, a.score))
        .collect())
}

/// The score as text for checking; numbers print as JSON does, so `9.0` is not an integer.
fn score_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The export's `metadata` column (keys past its column cap, as a JSON object) as entries;
/// a value that is no JSON, or that nests, refuses the row as it would in NDJSON.
fn metadata_rest(cell: &str) -> Result<Metadata, (&'static str, String)> {
    let rest = match serde_json::from_str(cell) {
        Ok(serde_json::Value::Object(rest)) => rest,
        Ok(_) => return Err(("metadata", "expected a JSON object".to_owned())),
        Err(e) => {
            return Err((
                "metadata",
                ["expected a JSON object: ", &e.to_string()].concat(),
            ))
        }
    };
    rest.into_iter()
        .filter_map(|(k, v)| match scalar(&v) {
            Some(value) => Some(Ok((Cow::Owned(k), Cow::Owned(value)))),
            None if v.is_array() => Some(Err(nested_metadata(&k, "an array"))),
            None if v.is_object() => Some(Err(nested_metadata(&k, "an object"))),
            // A null is no value, as in NDJSON.
            None => None,
        })
        .collect()
}

type Metadata = Vec<(Cow<'static, str>, Cow<'static, str>)>;

/// Validates kind and score (as text: a CSV cell, or a JSON number printed).
pub(crate) fn checked(
    kind: Option<&str>,
    score: Option<&str>,
) -> Result<(Kind, u8), (&'static str, String)> {
    let kind_text = kind.unwrap_or("").trim();
    // Case-insensitive without lower-casing a copy: this runs for every row.
    let found = crate::metric::KINDS
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(kind_text));
    // An empty cell, or a field missing or null in a JSON line, is said as such: `got ""`
    // read as if the file held two quotes (a JSON `""` it did hold is said so).
    let shown = |given: Option<&str>, text: &str| match given {
        None => "nothing".to_owned(),
        Some(_) => format!("{text:?}"),
    };
    let Some(kind) = found else {
        return Err((
            "kind",
            format!("expected {}, got {}", KIND_CHOICES, shown(kind, kind_text)),
        ));
    };
    let score_text = score.unwrap_or("").trim();
    // An integer as written, as the collector reads a posted score: `9`, and `9.0` or `1e1`
    // too (not `8.99999999999999999`, which only rounds to one).
    let integer = score_text.parse::<i64>().ok().or_else(|| {
        let whole = crate::text::is_integer_text(score_text);
        let value = score_text.parse::<f64>().ok().filter(|_| whole)?;
        (value.abs() <= 1e9).then_some(value as i64)
    });
    match integer {
        Some(s) if kind.contains(s) => Ok((kind, s as u8)),
        _ => Err((
            "score",
            format!(
                "expected an integer in {}..={} for {}, got {}",
                kind.min(),
                kind.max(),
                kind.as_str(),
                shown(score, score_text)
            ),
        )),
    }
}

fn csv_record(
    report: &mut Report,
    columns: &mut Option<csv::Columns>,
    skip_partials: bool,
    line: u64,
    record: csv::Record,
    sink: &mut impl Sink,
) {
    let (record, not_utf8) = match record {
        Ok(record) => record,
        Err(refused) => return report.reject(line, "csv", refused.to_owned()),
    };
    if csv::is_blank(record) {
        return;
    }
    let Some(cols) = columns else {
        let header = csv::Columns::from_header(record);
        if let Some(name) = &header.twice {
            let problem = [
                "the column ",
                name,
                " appears twice: expected each column once",
            ];
            report.reject(line, "header", problem.concat());
        } else if header.kind.is_none() {
            // Said once, on the header: a file that is not an export (a sheet separated by
            // bars, UTF-16 text without its mark, a JSON array, a zip) has no such column,
            // and "kind" refused on every row would not say why.
            report.reject(line, "header", NO_KIND_COLUMN.to_owned());
        } else if header.score.is_none() {
            // Said on the header too: every row refused for its score would not say why.
            report.reject(line, "header", NO_SCORE_COLUMN.to_owned());
        }
        *columns = Some(header);
        return;
    };
    // A row, not the header (which each part of a file scored in workers reads again).
    report.windows_1252 += u64::from(not_utf8);
    if cols.twice.is_some() {
        return report.reject(line, "header", TWICE_NOT_READ.to_owned());
    }
    if cols.kind.is_none() {
        return report.reject(line, "header", NO_KIND_NOT_READ.to_owned());
    }
    if cols.score.is_none() {
        return report.reject(line, "header", NO_SCORE_NOT_READ.to_owned());
    }
    // Cells as stored: the export's formula guard (a `'` before `=`, `-`…) comes off.
    let cell = |i: Option<usize>| {
        i.and_then(|i| record.get(i))
            .map(|c| unguarded(c.as_ref()))
            .filter(|s: &&str| !s.is_empty())
    };
    let partial = cell(cols.complete).is_some_and(means_partial);
    if skip_partials && partial {
        report.skipped_partials += 1;
        return;
    }
    // A column named "answers" in a plain sheet may hold anything: only a JSON array is
    // schema 2's answers; other text stays the row's, as metadata.
    let answers_cell = cell(cols.answers);
    let (answers_json, answers_text) = match answers_cell {
        Some(c) if c.trim_start().starts_with('[') => (Some(c), None),
        other => (None, other),
    };
    // So with a column named "metadata": only a JSON object is the export's keys past its
    // column cap; other text stays the row's, under that name.
    let (rest_json, rest_text) = match cell(cols.metadata_rest) {
        Some(c) if c.trim_start().starts_with('{') => (Some(c), None),
        other => (None, other),
    };
    let checked_row = checked(cell(cols.kind), cell(cols.score)).and_then(|(kind, score)| {
        let answers = match answers_json.map(serde_json::from_str::<serde_json::Value>) {
            None => Vec::new(),
            Some(Ok(value)) => answers_from_json(&value, kind, score)?,
            Some(Err(e)) => return Err(("answers", e.to_string())),
        };
        let rest = rest_json
            .map(metadata_rest)
            .transpose()?
            .unwrap_or_default();
        Ok((kind, score, answers, rest))
    });
    match checked_row {
        Ok((kind, score, answers, rest)) => {
            // (The export's CSV has no `updatedAt`.)
            let times = Times::read([
                cell(cols.created_at),
                cell(cols.submitted_at),
                cell(cols.received_at),
                None,
            ]);
            let row = Row {
                answers,
                id: cell(cols.id).map(Cow::Borrowed),
                complete: !partial,
                kind: Some(kind),
                score,
                survey_id: cell(cols.survey_id).map(Cow::Borrowed),
                locale: cell(cols.locale).map(Cow::Borrowed),
                metadata: {
                    let mut metadata: Vec<_> = cols
                        .metadata
                        .iter()
                        .filter_map(|(i, key)| {
                            Some((Cow::Borrowed(key.as_str()), Cow::Borrowed(cell(Some(*i))?)))
                        })
                        .collect();
                    metadata.extend(rest);
                    if let Some(text) = rest_text {
                        metadata.push((Cow::Borrowed("metadata"), Cow::Borrowed(text)));
                    }
                    if let Some(text) = answers_text {
                        metadata.push((Cow::Borrowed("answers"), Cow::Borrowed(text)));
                    }
                    metadata
                },
                reasons: cell(cols.reasons)
                    .map(|r| {
                        r.split('|')
                            .filter(|s| !s.is_empty())
                            .map(Cow::Borrowed)
                            .collect()
                    })
                    .unwrap_or_default(),
                comment: cell(cols.comment)
                    .filter(|c| !c.trim().is_empty())
                    .map(Cow::Borrowed),
                time: times.scored(),
                times,
                page: cell(cols.page).map(Cow::Borrowed),
                user: cell(cols.user).map(Cow::Borrowed),
            };
            match sink.take(&row) {
                Ok(()) => report.accepted += 1,
                Err((field, error)) => report.reject(line, field, error),
            }
        }
        Err((field, error)) => report.reject(line, field, error),
    }
}

impl core::fmt::Display for RowError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.error)
    }
}

impl std::error::Error for RowError {}

#[cfg(test)]
mod tests;
