//! Exports, streamed a page at a time from a read-only connection. Each page is read
//! on a blocking thread only when the client has taken the previous one, so an
//! export that is not being read holds one small page and no thread; a table of
//! millions of rows is never held in memory.
//! CSV follows RFC 4180 and flattens metadata into `metadata.<key>` columns.

use crate::store::{Filter, Pages, Reader, StoreError};
use bytes::Bytes;
use futures_util::Stream;
use sondeo_core::import::Format;
use sondeo_core::schema::{push_csv_field, CSV_COLUMNS, METADATA_PREFIX, METADATA_REST};
use sondeo_core::Value;

/// The export's format (the importer's, so what one writes the other reads), and for
/// CSV whether cells are written exactly as stored, without the formula guard (`?raw=1`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Shape {
    pub format: Format,
    pub raw: bool,
}

/// Rows per page: a chunk of 10–50 KB, so a client that stops reading holds little.
const PAGE: usize = 64;

/// Most `metadata.<key>` columns in one CSV: anonymous posts may each bring new keys,
/// and a spreadsheet stops at 16,384 columns. Less used keys go to one `metadata` JSON column.
pub const MAX_METADATA_COLUMNS: usize = 200;

struct Export {
    shape: Shape,
    pages: Pages,
    /// Not yet known for a CSV until its header is written.
    columns: Option<Columns>,
    /// For the CSV header's query; `None` once it is written (and for NDJSON).
    header_reader: Option<Reader>,
    frozen: bool,
}

/// The metadata columns of a CSV.
struct Columns {
    keys: Vec<String>,
    /// Keys beyond [`MAX_METADATA_COLUMNS`] exist: a `metadata` JSON column holds them.
    rest: bool,
}

/// The export as a stream of byte chunks.
pub fn stream(
    reader: Reader,
    header_reader: Option<Reader>,
    shape: Shape,
    filter: Filter,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let export = Export {
        shape,
        pages: reader.pages(filter, PAGE),
        columns: None,
        header_reader,
        frozen: false,
    };
    futures_util::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        let (export, chunk) = tokio::task::spawn_blocking(move || {
            let chunk = export.next_chunk();
            (export, chunk)
        })
        .await
        .ok()?;
        match chunk? {
            Ok(bytes) => Some((Ok(bytes), Some(export))),
            // An error mid-stream can no longer change the status: it aborts the body, so the
            // client sees a truncated transfer rather than a silently short export.
            Err(e) => Some((Err(std::io::Error::other(e)), None)),
        }
    })
}

impl Export {
    /// The next chunk (blocking): the CSV header first, then one page of rows.
    fn next_chunk(&mut self) -> Option<Result<Bytes, StoreError>> {
        if !self.frozen {
            self.frozen = true;
            let filter = match self.pages.freeze() {
                Ok(filter) => filter,
                Err(e) => return Some(Err(e)),
            };
            if let (Format::Csv, Some(reader)) = (self.shape.format, self.header_reader.take()) {
                return Some(self.header(&reader, &filter).map(Bytes::from));
            }
        }
        let rows = match self.pages.next_page()? {
            Ok(rows) => rows,
            Err(e) => return Some(Err(e)),
        };
        let mut chunk = String::with_capacity(rows.len() * 300);
        for json in &rows {
            match (self.shape.format, &self.columns) {
                (Format::Csv, Some(columns)) => match Value::from_json(json) {
                    Ok(stored) => push_csv_row(&mut chunk, &stored, json, columns, !self.shape.raw),
                    Err(e) => return Some(Err(StoreError::Unavailable(e))),
                },
                _ => {
                    chunk.push_str(json);
                    chunk.push('\n');
                }
            }
        }
        Some(Ok(Bytes::from(chunk)))
    }

    fn header(&mut self, reader: &Reader, filter: &Filter) -> Result<String, StoreError> {
        // Columns must be known before the first row: one query for the keys, then the rows.
        let (mut keys, rest) = reader.metadata_keys(filter, MAX_METADATA_COLUMNS)?;
        keys.sort();
        let mut header = String::new();
        let metadata_columns = keys.iter().map(|k| format!("{METADATA_PREFIX}{k}"));
        let columns = CSV_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(metadata_columns)
            .chain(rest.then(|| METADATA_REST.to_string()));
        for (i, column) in columns.enumerate() {
            if i > 0 {
                header.push(',');
            }
            push_csv_field(&mut header, &column, true);
        }
        header.push_str("\r\n");
        self.columns = Some(Columns { keys, rest });
        Ok(header)
    }
}

/// A stored member as cell text. Rows are read as stored, not validated again: a rule
/// made stricter later must not make older rows, or the whole export, unreadable.
fn cell(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n, text)) => Value::number_text(*n, text.as_deref()),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| cell(Some(item)))
            .collect::<Vec<_>>()
            .join("|"),
        _ => String::new(),
    }
}

fn push_csv_row(out: &mut String, stored: &Value, json: &str, columns: &Columns, guard: bool) {
    let user_id = stored.get("user").and_then(|u| u.get("id"));
    for (i, name) in CSV_COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let value = match *name {
            "user.id" => user_id,
            // Schema 2's answers as the payload's JSON array, as stored (not checked again),
            // which the importer reads back. Only rows that have them pay for the parse.
            "answers" => {
                let answers = stored.get(name).and_then(|_| {
                    let row: serde_json::Value = serde_json::from_str(json).ok()?;
                    Some(row.get(name)?.to_string())
                });
                push_csv_field(out, answers.as_deref().unwrap_or(""), guard);
                continue;
            }
            name => stored.get(name),
        };
        push_csv_field(out, &cell(value), guard);
    }
    let metadata: &[(String, Value)] = match stored.get("metadata") {
        Some(Value::Object(members)) => members,
        _ => &[],
    };
    for key in &columns.keys {
        out.push(',');
        let value = metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        push_csv_field(out, &cell(value), guard);
    }
    if columns.rest {
        out.push(',');
        let rest: serde_json::Map<String, serde_json::Value> = metadata
            .iter()
            .filter(|(k, _)| !columns.keys.contains(k))
            .map(|(k, v)| (k.clone(), serde_json::Value::String(cell(Some(v)))))
            .collect();
        if !rest.is_empty() {
            push_csv_field(out, &serde_json::Value::Object(rest).to_string(), guard);
        }
    }
    out.push_str("\r\n");
}
