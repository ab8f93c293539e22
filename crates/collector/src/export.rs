//! Exports, streamed page by page from a read-only connection on a blocking
//! thread, so a table of millions of rows is never held in memory.
//! CSV follows RFC 4180 and flattens metadata into `metadata.<key>` columns.

use crate::store::{Filter, Reader};
use bytes::Bytes;
use sondeo_core::answer::{parse_response, Response};
use sondeo_core::Value;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// Export format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// One payload JSON object per line.
    Ndjson,
    /// RFC 4180 CSV with a header row.
    Csv,
}

const PAGE: usize = 1000;

/// The fixed CSV columns, before one `metadata.<key>` column per key present.
pub const CSV_COLUMNS: [&str; 14] = [
    "id",
    "surveyId",
    "kind",
    "score",
    "group",
    "comment",
    "reasons",
    "complete",
    "locale",
    "page",
    "createdAt",
    "submittedAt",
    "receivedAt",
    "user.id",
];

/// The export as a stream of byte chunks.
pub fn stream(
    reader: Reader,
    format: Format,
    filter: Filter,
) -> ReceiverStream<Result<Bytes, std::io::Error>> {
    // A small channel: the database thread waits for a slow client instead of buffering the table.
    let (tx, rx) = mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        // An error mid-stream can no longer change the status: it aborts the body, so the
        // client sees a truncated transfer rather than a silently short export.
        if let Err(e) = produce(reader, format, filter, &tx) {
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    ReceiverStream::new(rx)
}

fn produce(
    reader: Reader,
    format: Format,
    filter: Filter,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), String> {
    let metadata_keys = if format == Format::Csv {
        // Columns must be known before the first row: one query for the keys, then the rows.
        let keys = reader.metadata_keys(&filter)?;
        let mut header = String::new();
        let columns = CSV_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(keys.iter().map(|k| format!("metadata.{k}")));
        for (i, column) in columns.enumerate() {
            if i > 0 {
                header.push(',');
            }
            push_csv_field(&mut header, &column);
        }
        header.push_str("\r\n");
        if tx.blocking_send(Ok(Bytes::from(header))).is_err() {
            return Ok(());
        }
        keys
    } else {
        Vec::new()
    };
    for page in reader.pages(filter, PAGE) {
        let rows = page?;
        let mut chunk = String::with_capacity(rows.len() * 300);
        for json in &rows {
            match format {
                Format::Ndjson => {
                    chunk.push_str(json);
                    chunk.push('\n');
                }
                Format::Csv => {
                    let value = Value::from_json(json)?;
                    let response = parse_response(&value).map_err(|e| e.message())?;
                    let received = value
                        .get("receivedAt")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    push_csv_row(&mut chunk, &response, received, &metadata_keys);
                }
            }
        }
        if tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
            return Ok(()); // the client went away
        }
    }
    Ok(())
}

fn push_csv_row(out: &mut String, r: &Response, received: &str, metadata_keys: &[String]) {
    let score = r.score.to_string();
    let reasons = r.reasons.join("|");
    let fixed: [&str; 14] = [
        &r.id,
        &r.survey_id,
        r.kind.as_str(),
        &score,
        r.group.as_str(),
        r.comment.as_deref().unwrap_or(""),
        &reasons,
        if r.complete { "true" } else { "false" },
        r.locale.as_deref().unwrap_or(""),
        r.page.as_deref().unwrap_or(""),
        r.created_at.as_deref().unwrap_or(""),
        r.submitted_at.as_deref().unwrap_or(""),
        received,
        r.user.as_ref().and_then(|u| u.id.as_deref()).unwrap_or(""),
    ];
    for (i, field) in fixed.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_csv_field(out, field);
    }
    for key in metadata_keys {
        out.push(',');
        let value = r
            .metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        push_csv_field(out, value);
    }
    out.push_str("\r\n");
}

/// RFC 4180: a field with a comma, quote, CR or LF (or edge spaces, which some
/// readers trim) is quoted, quotes doubled. Cells starting with `=`, `+`, `-` or `@`
/// are left as they are: altering data would be worse than the spreadsheet
/// formula risk, which a reader avoids by importing the file as text.
fn push_csv_field(out: &mut String, field: &str) {
    let needs_quotes =
        field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ');
    if needs_quotes {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_only_when_needed() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("l1\nl2", "\"l1\nl2\""),
            (" pad", "\" pad\""),
            ("ñandú", "ñandú"),
        ];
        for (input, expected) in cases {
            let mut out = String::new();
            super::push_csv_field(&mut out, input);
            assert_eq!(out, expected);
        }
    }
}
