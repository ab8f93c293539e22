//! Exports, streamed page by page from a read-only connection on a blocking
//! thread, so a table of millions of rows is never held in memory.
//! CSV follows RFC 4180 and flattens metadata into `metadata.<key>` columns.

use crate::store::export_page;
use bytes::Bytes;
use rusqlite::Connection;
use sondeo_core::answer::{parse_response, Response};
use sondeo_core::Value;
use std::collections::BTreeSet;
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
    conn: Connection,
    format: Format,
    since_ms: i64,
    survey: Option<String>,
) -> ReceiverStream<Result<Bytes, std::io::Error>> {
    // A small channel: the database thread waits for a slow client instead of buffering the table.
    let (tx, rx) = mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = produce(&conn, format, since_ms, survey.as_deref(), &tx) {
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    ReceiverStream::new(rx)
}

fn produce(
    conn: &Connection,
    format: Format,
    since_ms: i64,
    survey: Option<&str>,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), String> {
    let metadata_keys = if format == Format::Csv {
        let keys = metadata_keys(conn, since_ms, survey)?;
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
    let mut after = 0;
    loop {
        let rows = export_page(conn, after, since_ms, survey, PAGE)?;
        let Some((last, _)) = rows.last() else {
            return Ok(());
        };
        after = *last;
        let mut chunk = String::with_capacity(rows.len() * 300);
        for (_, json) in &rows {
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
}

fn metadata_keys(
    conn: &Connection,
    since_ms: i64,
    survey: Option<&str>,
) -> Result<Vec<String>, String> {
    let mut keys = BTreeSet::new();
    let mut after = 0;
    loop {
        let rows = export_page(conn, after, since_ms, survey, PAGE)?;
        let Some((last, _)) = rows.last() else { break };
        after = *last;
        for (_, json) in rows {
            if let Some(Value::Object(members)) = Value::from_json(&json)?.get("metadata") {
                keys.extend(members.iter().map(|(k, _)| k.clone()));
            }
        }
    }
    Ok(keys.into_iter().collect())
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
