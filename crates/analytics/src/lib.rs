//! The sondeo Scorer for JavaScript: live NPS, CSAT and CES with margins,
//! segments, trends, significance, drivers and themes, from answers on a page
//! or from an export streamed in chunks. A separate artifact from the widget,
//! so that none of this weight reaches the visitors who only answer.

mod filter;
mod options;
mod saved;
pub mod summary;

use options::{check, Want};
use sondeo_core::import::{row_from_json, Format, Importer, Report};
use sondeo_core::outcomes::{OutcomeReader, OutcomeTally, Respondents};
use sondeo_core::score::{Latest, ScoreState};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Default)]
struct Inner {
    state: ScoreState,
    report: Report,
    /// The counted version of each response with an id (`upsert`, `import` with `byId`).
    latest: Latest,
    /// Whether some figures come from responses not kept by id (`add`, an import without
    /// `byId`, `merge`, `fromState`): those cannot be filtered afterwards.
    unkeyed: bool,
    /// Who answered what (by `user.id`), for joining outcomes.
    respondents: Respondents,
    /// Outcomes joined so far, and the outcome files' report.
    outcomes: OutcomeTally,
    outcomes_report: Report,
    /// Display records (prompts shown), for response rates.
    rates: sondeo_core::rates::Rates,
    rates_report: Report,
}

/// Aggregates of responses: add, import, merge, summarise.
#[wasm_bindgen]
pub struct Scorer {
    inner: Rc<RefCell<Inner>>,
}

impl Default for Scorer {
    fn default() -> Self {
        Scorer {
            inner: Rc::new(RefCell::new(Inner::default())),
        }
    }
}

// Values cross the JS boundary as JSON text (JSON.stringify / JSON.parse), not through
// serde-wasm-bindgen: measured in one run (`node scripts/bench-boundary.mjs`, Node 20, this
// 2-core machine, 100,000 responses; the same build with serde-wasm-bindgen in place of
// these two functions), JSON text is faster for every call: addMany 580 ms vs 875 ms,
// add ×20,000 111 ms vs 176 ms, summary (1,500 segments) 4.9 ms vs 6.6 ms, fromState
// 7.0 ms vs 18.6 ms, state() 6.5 ms vs 6.7 ms. V8's JSON is faster than a call per field.
fn to_json_value(value: &JsValue) -> Result<serde_json::Value, JsError> {
    // (JSON.stringify gives no text at all for undefined, a function or a symbol.)
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| {
            JsError::new(&format!(
                "expected an object JSON can write, got {}",
                options::describe(value)
            ))
        })?;
    serde_json::from_str(&text).map_err(|e| JsError::new(&e.to_string()))
}

impl Scorer {
    /// Reads one display record (JSON text); a bad one is rejected with its line.
    fn take_impression(&self, text: &str, line: u64) -> bool {
        let mut inner = self.inner.borrow_mut();
        let parsed = sondeo_core::Value::from_json(text)
            .map_err(|e| ("record".to_owned(), e))
            .and_then(|v| {
                sondeo_core::impression::Impression::parse(&v)
                    .map_err(|e| (e.field.clone(), e.error))
            });
        match parsed {
            Ok(impression) => {
                inner.rates_report.accepted += 1;
                inner.rates.add(impression)
            }
            Err((field, error)) => {
                inner.rates_report.reject(line, &field, error);
                false
            }
        }
    }

    /// Reads one response and counts it (`by_id`: as the current version of its id).
    fn take(&self, response: &JsValue, by_id: bool) -> Result<bool, JsError> {
        let value = to_json_value(response)?;
        let mut inner = self.inner.borrow_mut();
        let result = match value.as_object() {
            Some(object) => row_from_json(object),
            None => Err(("response", String::from("expected an object"))),
        };
        Ok(match result {
            Ok(row) => match inner.count(by_id, &row) {
                Ok(()) => {
                    inner.report.accepted += 1;
                    true
                }
                Err((field, error)) => {
                    inner.report.reject(0, field, error);
                    false
                }
            },
            Err((field, error)) => {
                inner.report.reject(0, field, error);
                false
            }
        })
    }
}

impl Inner {
    /// Counts an imported row: added, or with `by_id` as the current version of its id;
    /// and remembers who gave it (for outcomes). A row not kept by id marks the figures
    /// as unfilterable.
    fn count(
        &mut self,
        by_id: bool,
        row: &sondeo_core::score::Row,
    ) -> Result<(), (&'static str, String)> {
        if by_id {
            if let Some(problem) = self.latest.conflict(row) {
                return Err(("id", problem));
            }
        }
        self.respondents.record(row);
        if by_id && row.id.is_some() {
            self.latest
                .upsert(&mut self.state, row.clone().into_owned());
        } else {
            self.state.add(row);
            self.unkeyed = true;
        }
        Ok(())
    }

    /// Responses are listed as counted by id: a scorer that holds answers, none of them
    /// counted so (`add`, an import without `byId`), would list nothing without a word.
    fn listable(&self) -> Result<(), JsError> {
        if self.unkeyed && self.latest.is_empty() {
            return Err(JsError::new(
                "responses are listed as counted by id: import them with { byId: true } or add them with upsert()",
            ));
        }
        Ok(())
    }

    /// Joins one outcome record to the respondents.
    fn add_outcome(&mut self, record: &sondeo_core::outcomes::OutcomeRecord) {
        self.outcomes.add(&self.respondents, record);
    }
}

/// A response as it may be listed one by one: an employee's (eNPS) without its team, its
/// other metadata or its time, so that a comment cannot be traced to a small team.
fn without_team(row: &sondeo_core::score::Row<'static>) -> sondeo_core::score::Row<'static> {
    let mut row = row.clone();
    if row.kind == Some(sondeo_core::Kind::Enps) {
        row.metadata.clear();
        row.time = None;
        row.times = Default::default();
        row.page = None;
        row.user = None;
    }
    row
}

/// The eNPS anonymity floor of a call's checked `options` (`minTeamSize`, 5 unless given:
/// see [`options::MIN_TEAM_SIZE`]).
fn min_team_size(options: &JsValue) -> u64 {
    js_sys::Reflect::get(options, &"minTeamSize".into())
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(5, |n| n as u64)
}

/// The list filter of `options`, with employees' (eNPS) answers left out where its scope
/// holds fewer of them than the anonymity floor (`minTeamSize` of `raw`, 5): without their
/// team, the scores of a small team or of a day asked for are still theirs, and the
/// summary hides their figure.
fn guarded<'o>(
    latest: &sondeo_core::score::Latest,
    options: &'o filter::FilterOptions,
    raw: &JsValue,
) -> sondeo_core::score::ListFilter<'o> {
    let mut filter = options.list_filter();
    let people = latest.scope_employees(&filter);
    filter.without_employees = people > 0 && people < min_team_size(raw);
    filter
}

/// The filter options of a call, read from a JS object.
fn filter_options(options: &JsValue) -> Result<filter::FilterOptions, JsError> {
    let get = |k: &str| js_sys::Reflect::get(options, &k.into()).ok();
    filter::FilterOptions::read(
        |k| get(k).and_then(|v| v.as_string()),
        get("withComment").is_some_and(|v| v.is_truthy()),
    )
    .map_err(|e| JsError::new(&e))
}

/// Streams `source` (see [`stream_chunks`]) into the reader `make` builds for its format:
/// `format` when given, else the one the file's first text tells ([`Format::sniff`]; the
/// first bytes are held until then, since a stream's first chunk may be a lone newline or a
/// BOM's first byte). Only blank space is read as CSV, which says so. `None` when empty.
async fn stream_by_format<R>(
    source: JsValue,
    options: &JsValue,
    format: Option<Format>,
    make: impl Fn(Format) -> R,
    mut feed: impl FnMut(&mut R, &[u8]),
) -> Result<Option<R>, JsValue> {
    let mut reader = format.map(&make);
    let mut head = Vec::new();
    stream_chunks(source, options, |chunk| {
        if let Some(reader) = reader.as_mut() {
            return feed(reader, chunk);
        }
        head.extend_from_slice(chunk);
        if let Some(format) = Format::sniff(&head) {
            feed(reader.insert(make(format)), &std::mem::take(&mut head));
        }
    })
    .await?;
    if reader.is_none() && !head.is_empty() {
        feed(reader.insert(make(Format::Csv)), &head);
    }
    Ok(reader)
}

/// Reads `source` (a `ReadableStream` of bytes, or a `Blob`/`File`) chunk by chunk into
/// `feed`, one chunk at a time in wasm memory (memory does not grow with the file), and
/// calls `options.onProgress({ bytes })` after each. A `Uint8Array` (a part of a file a
/// worker was handed, see www/parallel-score.js) is one chunk, and an array of them its
/// chunks in order, read without a stream.
async fn stream_chunks(
    source: JsValue,
    options: &JsValue,
    mut feed: impl FnMut(&[u8]),
) -> Result<(), JsValue> {
    let on_progress = js_sys::Reflect::get(options, &"onProgress".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    // Bytes already at hand: one array, or a part's chunks in order.
    let chunks = if source.is_instance_of::<js_sys::Uint8Array>() {
        Some(js_sys::Array::of1(&source))
    } else if js_sys::Array::is_array(&source) {
        Some(js_sys::Array::from(&source))
    } else {
        None
    };
    if let Some(chunks) = chunks {
        for chunk in chunks.iter() {
            let chunk: js_sys::Uint8Array = chunk
                .dyn_into()
                .map_err(|_| JsError::new("source: expected an array of Uint8Array chunks"))?;
            feed(&chunk.to_vec());
        }
        return Ok(());
    }
    let stream: web_sys::ReadableStream = match source.dyn_into::<web_sys::Blob>() {
        Ok(blob) => blob.stream(),
        Err(source) => source.dyn_into().map_err(|_| {
            JsError::new("source: expected a ReadableStream, a Blob, a File, a Uint8Array or an array of them")
        })?,
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = 0f64;
    loop {
        let result = JsFuture::from(reader.read()).await?;
        if js_sys::Reflect::get(&result, &"done".into())?.is_truthy() {
            return Ok(());
        }
        let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&result, &"value".into())?
            .dyn_into()
            .map_err(|_| {
                JsError::new("source: expected a stream of Uint8Array chunks (a file's or a response's body), got a chunk of another type (a text stream?)")
            })?;
        let chunk = chunk.to_vec();
        bytes += chunk.len() as f64;
        feed(&chunk);
        if let Some(progress) = &on_progress {
            let _ = progress.call1(
                &JsValue::NULL,
                &to_js(&serde_json::json!({ "bytes": bytes })),
            );
        }
    }
}

/// Where the header row of a CSV file that starts with `head` ends (byte offset just after
/// it), by the importer's own reading (blank lines before it skipped); -1 while `head` does
/// not hold it whole (`complete`: `head` is the whole file) or the file has none. For
/// www/parallel-score.js, which puts the header in front of every part of a large file.
#[wasm_bindgen(js_name = csvHeaderEnd)]
pub fn csv_header_end(head: &[u8], complete: bool) -> f64 {
    sondeo_core::import::csv_header_end(head, complete).map_or(-1.0, |end| end as f64)
}

/// The label of the period (`"day"`, `"week"` or `"month"`) that holds the instant `unix_ms`,
/// as the summary's `periods` are labelled: for the dashboard, which compares the latest two
/// periods up to now (an answer dated in the future by a wrong clock is not "the latest").
#[wasm_bindgen(js_name = periodLabel)]
pub fn period_label(period: &str, unix_ms: f64) -> Result<String, JsError> {
    let period = sondeo_core::time::Period::parse(period).ok_or_else(|| {
        JsError::new(&format!(
            "period: expected \"day\", \"week\" or \"month\", got {period:?}"
        ))
    })?;
    Ok(period.label((unix_ms / 1000.0).floor() as i64))
}

/// The label of the period after the one labelled `label` (`undefined` for a text that is no
/// label of `period`): for the trend chart, which breaks its line where periods without
/// answers fall between two points.
#[wasm_bindgen(js_name = periodAfter)]
pub fn period_after(period: &str, label: &str) -> Option<String> {
    sondeo_core::time::Period::parse(period)?.after(label)
}

/// The format of a file that starts with `head`, as the importer will read it: `"csv"`,
/// `"ndjson"`, `"utf16"` (either, in UTF-16), or `""` while `head` is only blank space or
/// the start of a byte-order mark. For www/parallel-score.js, which follows a CSV's or an
/// NDJSON file's row ends to cut it, and reads UTF-16 (two-byte line ends) in one pass.
#[wasm_bindgen(js_name = fileFormat)]
pub fn file_format(head: &[u8]) -> String {
    if sondeo_core::import::is_utf16(head) {
        return "utf16".into();
    }
    match Format::sniff(head) {
        Some(Format::Csv) => "csv",
        Some(Format::Ndjson) => "ndjson",
        None => "",
    }
    .into()
}

/// The cell separator (its character code: `,`, `;` or tab) of a CSV file that starts with
/// `head`, as the importer takes it from the header row; -1 while not known.
#[wasm_bindgen(js_name = csvSeparator)]
pub fn csv_separator(head: &[u8], complete: bool) -> f64 {
    sondeo_core::import::csv_separator(head, complete).map_or(-1.0, f64::from)
}

/// Where a file's rows end, followed as its bytes arrive by the readers' own rules
/// (`sondeo_core::import::RowEnds`): for www/parallel-score.js, which cuts a large file
/// into parts at row ends. Offsets count from the first byte fed (or the last `forget`);
/// -1 when none is known.
#[wasm_bindgen(js_name = RowEnds)]
pub struct RowEnds(sondeo_core::import::RowEnds);

#[wasm_bindgen(js_class = RowEnds)]
impl RowEnds {
    /// For a CSV file whose cells are separated by `separator` (a character code), or
    /// for NDJSON (`csv` false).
    #[wasm_bindgen(constructor)]
    pub fn new(csv: bool, separator: u8) -> RowEnds {
        RowEnds(if csv {
            sondeo_core::import::RowEnds::csv(separator)
        } else {
            sondeo_core::import::RowEnds::ndjson()
        })
    }

    /// Follows the next bytes.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.0.feed(chunk);
    }

    /// Just after the latest row end.
    #[wasm_bindgen(getter)]
    pub fn last(&self) -> f64 {
        self.0.last().map_or(-1.0, |end| end as f64)
    }

    /// Just after the first row end since `watchFirst()`.
    #[wasm_bindgen(getter)]
    pub fn first(&self) -> f64 {
        self.0.first().map_or(-1.0, |end| end as f64)
    }

    /// Keeps the first row end from now on (where a refused record ends).
    #[wasm_bindgen(js_name = watchFirst)]
    pub fn watch_first(&mut self) {
        self.0.watch_first();
    }

    /// Stops keeping the first row end.
    #[wasm_bindgen(js_name = stopWatching)]
    pub fn stop_watching(&mut self) {
        self.0.stop_watching();
    }

    /// Forgets the first `n` bytes (a part cut off).
    pub fn forget(&mut self, n: f64) {
        self.0.forget(n as u64);
    }

    /// The bytes since the latest row end (a byte-order mark aside): how long the row
    /// that has not ended is so far.
    #[wasm_bindgen(getter, js_name = openBytes)]
    pub fn open_bytes(&self) -> f64 {
        self.0.open_bytes() as f64
    }

    /// Whether a quoted cell is open (a file that ends here leaves it unclosed).
    #[wasm_bindgen(getter, js_name = inOpenQuote)]
    pub fn in_open_quote(&self) -> bool {
        self.0.in_open_quote()
    }
}

/// The line ends in `bytes` as the importer counts them (for www/parallel-score.js, which
/// numbers the lines of a file cut into parts): in a CSV each LF, CR and CRLF is one, an LF
/// first in `bytes` being the end of a CRLF when `afterCr` (the bytes before ended with a
/// CR); in NDJSON each LF.
#[wasm_bindgen(js_name = lineEnds)]
pub fn line_ends(bytes: &[u8], csv: bool, after_cr: bool) -> f64 {
    if csv {
        sondeo_core::import::csv_line_ends(bytes, after_cr) as f64
    } else {
        bytes.iter().filter(|&&b| b == b'\n').count() as f64
    }
}

/// Which records the importer refuses for their length, and what it says of them: for
/// www/parallel-score.js, which lets such a record's bytes go by instead of holding them
/// (a quote opened by mistake in a large file would otherwise keep the rest of the file in
/// the page's memory). `{ maxBytes, tooLong, tooLongRow, unclosedQuote, tooLongLine }`: a CSV
/// record (`tooLongRow` when it is on one line) or an NDJSON line longer than `maxBytes`
/// (line end aside) is refused.
#[wasm_bindgen(js_name = refusedRecords)]
pub fn refused_records() -> JsValue {
    use sondeo_core::import::{
        MAX_RECORD_BYTES, TOO_LONG, TOO_LONG_LINE, TOO_LONG_ROW, UNCLOSED_QUOTE,
    };
    to_js(&serde_json::json!({
        "maxBytes": MAX_RECORD_BYTES,
        "tooLong": TOO_LONG,
        "tooLongRow": TOO_LONG_ROW,
        "unclosedQuote": UNCLOSED_QUOTE,
        "tooLongLine": TOO_LONG_LINE,
    }))
}

/// `text` as a page should show it: without the invisible characters that reorder or hide
/// what is around them (`\u{202E}evil` shown as "live"), the same set the collector strips
/// from what visitors send; an imported file's text has not been through it.
#[wasm_bindgen(js_name = shownText)]
pub fn shown_text(text: &str) -> String {
    sondeo_core::text::visible_text(text)
}

fn to_js(value: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

#[wasm_bindgen]
impl Scorer {
    /// An empty scorer.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Scorer {
        Scorer::default()
    }

    /// Adds one response (the payload object). Returns whether it was accepted; a
    /// rejected one is counted in `summary().rejected` with the field at fault.
    pub fn add(&self, response: &JsValue) -> Result<bool, JsError> {
        self.take(response, false)
    }

    /// Counts a response as the current version of its id (the payload object): a later
    /// version replaces the earlier one, a partial never replaces a complete one, a repeat
    /// changes nothing, in any arrival order. Returns whether it was accepted (a rejected
    /// one is counted in `summary().rejected`).
    pub fn upsert(&self, response: &JsValue) -> Result<bool, JsError> {
        self.take(response, true)
    }

    /// The responses counted by id, newest first, for reading the comments: `options` may
    /// hold `group`, `reason`, `text` (a comment containing it, case folded), `by` + `value`
    /// (a segment; `"(none)"` for answers without one), `from` and `to` (dates such as
    /// `"2026-11-01"`, `to` inclusive, or RFC 3339 times), `survey`, `kind`, `withComment`
    /// and `limit` (100).
    /// Each item: `{ id, kind, score, group, complete, comment, reasons, metadata, surveyId, locale, user, time }`.
    pub fn responses(&self, options: JsValue) -> Result<JsValue, JsError> {
        const LIMIT: &[(&str, Want)] = &[("limit", Want::Count(0, 10_000))];
        check(
            &options,
            "responses",
            &[
                options::SCOPE,
                options::COMMENTS,
                LIMIT,
                options::MIN_TEAM_SIZE,
            ],
        )?;
        let options_read = filter_options(&options)?;
        let limit = js_sys::Reflect::get(&options, &"limit".into())
            .ok()
            .and_then(|v| v.as_f64())
            .map_or(100, |n| n as usize);
        let inner = self.inner.borrow();
        inner.listable()?;
        let filter = guarded(&inner.latest, &options_read, &options);
        let items: Vec<serde_json::Value> = inner
            .latest
            .list(&filter, limit)
            .into_iter()
            .map(without_team)
            .map(|r| {
                let kind = r.kind.unwrap_or(sondeo_core::Kind::Nps);
                serde_json::json!({
                    "id": r.id, "kind": kind.as_str(), "score": r.score,
                    "group": kind.group(r.score as i64).map(|g| g.as_str()),
                    "complete": r.complete, "comment": r.comment, "reasons": r.reasons,
                    "metadata": r.metadata.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(v.as_ref()))).collect::<serde_json::Map<_, _>>(),
                    "surveyId": r.survey_id, "locale": r.locale, "user": r.user,
                    "time": r.time.map(|t| sondeo_core::time::format_rfc3339(t * 1000)),
                })
            })
            .collect();
        Ok(to_js(&serde_json::Value::Array(items)))
    }

    /// The responses counted by id that pass the filter (the options of `responses()`,
    /// with `from`, `to`, `survey` and `kind`), newest first, as a CSV file with the
    /// export's columns; cells that a spreadsheet would run as formulas are guarded.
    #[wasm_bindgen(js_name = responsesCsv)]
    pub fn responses_csv(&self, options: JsValue) -> Result<String, JsError> {
        check(
            &options,
            "responsesCsv",
            &[options::SCOPE, options::COMMENTS, options::MIN_TEAM_SIZE],
        )?;
        let options_value = options;
        let options = filter_options(&options_value)?;
        let inner = self.inner.borrow();
        inner.listable()?;
        let filter = guarded(&inner.latest, &options, &options_value);
        let rows: Vec<_> = inner
            .latest
            .list(&filter, usize::MAX)
            .into_iter()
            .map(without_team)
            .collect();
        Ok(sondeo_core::schema::rows_csv(
            &rows.iter().collect::<Vec<_>>(),
        ))
    }

    /// Responses counted by id (`upsert`, `import` with `byId`): `{ responses, partial }`,
    /// `partial` being those whose counted version is not yet submitted; with `options`
    /// (those of `responses()`), of the responses that pass them (how many comments a
    /// search finds, of which a page lists the newest).
    pub fn counted(&self, options: JsValue) -> Result<JsValue, JsError> {
        let inner = self.inner.borrow();
        if options.is_undefined() || options.is_null() {
            return Ok(to_js(
                &serde_json::json!({ "responses": inner.latest.len(), "partial": inner.latest.partial() }),
            ));
        }
        check(
            &options,
            "counted",
            &[options::SCOPE, options::COMMENTS, options::MIN_TEAM_SIZE],
        )?;
        let options_read = filter_options(&options)?;
        let filter = guarded(&inner.latest, &options_read, &options);
        let (responses, partial) = inner.latest.count_where(&filter);
        Ok(to_js(
            &serde_json::json!({ "responses": responses, "partial": partial }),
        ))
    }

    /// Adds every response of an array; returns how many were accepted.
    #[wasm_bindgen(js_name = addMany)]
    pub fn add_many(&self, responses: &JsValue) -> Result<u32, JsError> {
        if !js_sys::Array::is_array(responses) {
            return Err(JsError::new(&format!(
                "responses: expected an array of responses, got {}",
                options::describe(responses)
            )));
        }
        let responses = js_sys::Array::from(responses);
        // Every item an object before any is added: a refused array adds nothing.
        for (i, response) in responses.iter().enumerate() {
            if !response.is_object() || js_sys::Array::is_array(&response) {
                return Err(JsError::new(&format!(
                    "responses[{i}]: expected a response object such as {{ kind: \"nps\", score: 9 }}, got {}",
                    options::describe(&response)
                )));
            }
        }
        let mut accepted = 0;
        for response in responses.iter() {
            accepted += self.add(&response)? as u32;
        }
        Ok(accepted)
    }

    /// Streams an export (a `ReadableStream` of bytes, a `Blob`/`File`, a `Uint8Array` or an array of them) into the
    /// scorer. `options`: `{ format: "ndjson" | "csv", onProgress({ bytes }) }`; the
    /// format is detected from the first bytes when not given; `skipPartials: true`
    /// leaves out responses with `complete: false`; `byId: true` counts each response id
    /// once, as with `upsert` (for an export that live updates will follow). Resolves to
    /// `{ accepted, skippedPartials, windows1252, newlines, rejected: { count, first: [{ line, field, error }] } }`
    /// (`windows1252`: rows that were not UTF-8, read as Windows-1252).
    pub fn import(&self, source: JsValue, options: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            const FLAGS: &[(&str, Want)] = &[("skipPartials", Want::Flag), ("byId", Want::Flag)];
            check(&options, "import", &[options::STREAM, FLAGS])?;
            let format = js_sys::Reflect::get(&options, &"format".into())
                .ok()
                .and_then(|f| f.as_string());
            let format = match format.as_deref().map(Format::parse) {
                Some(None) => {
                    return Err(JsError::new("format: expected \"ndjson\" or \"csv\"").into())
                }
                Some(Some(f)) => Some(f),
                None => None,
            };
            let flag = |name: &str| {
                js_sys::Reflect::get(&options, &name.into())
                    .map(|v| v.is_truthy())
                    .unwrap_or(false)
            };
            let (skip_partials, by_id) = (flag("skipPartials"), flag("byId"));
            let importer = stream_by_format(
                source,
                &options,
                format,
                |f| Importer::new(f).skip_partials(skip_partials),
                |importer, chunk| {
                    let mut inner = inner.borrow_mut();
                    importer.feed_checked(chunk, &mut |row| inner.count(by_id, row));
                },
            )
            .await?;
            let report = match importer {
                Some(importer) => {
                    let mut inner = inner.borrow_mut();
                    let report = importer.finish_checked(&mut |row| inner.count(by_id, row));
                    inner.report.merge(&report);
                    report
                }
                None => Report::default(),
            };
            let mut json = summary::report_json(&report, true);
            // Where this import sits in a whole file, when it is one part of it (www/parallel-score.js).
            json["newlines"] = report.newlines.into();
            Ok(to_js(&json))
        })
    }

    /// Streams an outcomes file (CSV with a header, or NDJSON; a `Blob`/`File` or a
    /// `ReadableStream`) and joins it to the responses by `user.id`: a customer id column
    /// (`userId`, `accountId` or `id`), then any of `retained`, `churned`, `repurchased`,
    /// `crossSell` (true/false, 1/0, yes/no) and `revenue`. Import the responses first.
    /// `options`: `{ format: "csv" | "ndjson", onProgress }`. Resolves to
    /// `{ accepted, rejected: { count, first } }`; the figures are in `outcomes()`.
    #[wasm_bindgen(js_name = importOutcomes)]
    pub fn import_outcomes(&self, source: JsValue, options: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            check(&options, "importOutcomes", &[options::STREAM])?;
            let format = js_sys::Reflect::get(&options, &"format".into())
                .ok()
                .and_then(|f| f.as_string());
            let format = match format.as_deref().map(Format::parse) {
                Some(None) => {
                    return Err(JsError::new("format: expected \"ndjson\" or \"csv\"").into())
                }
                given => given.flatten(),
            };
            let reader = stream_by_format(
                source,
                &options,
                format,
                |f| OutcomeReader::new(f == Format::Ndjson),
                |reader, chunk| {
                    let mut inner = inner.borrow_mut();
                    reader.feed(chunk, &mut |record| inner.add_outcome(record));
                },
            )
            .await?;
            let report = match reader {
                Some(reader) => {
                    let mut inner = inner.borrow_mut();
                    let report = reader.finish(&mut |record| inner.add_outcome(record));
                    inner.outcomes_report.merge(&report);
                    report
                }
                None => Report::default(),
            };
            Ok(to_js(&summary::report_json(&report, true)))
        })
    }

    /// The responses joined to outcomes (see `importOutcomes`): `{ respondents, matched,
    /// unmatchedOutcomes, respondentsWithoutOutcome, rejected, kinds: { nps: { groups:
    /// { detractor: { n, retained, churned, repurchased, crossSell, revenue }, … },
    /// difference: { best, worst, retained, …, revenue } } } }`: each rate in % with
    /// `low95`, `high95` and `n`, revenue per respondent likewise; the difference is the
    /// best group minus the worst (promoters − detractors) with `significant`.
    pub fn outcomes(&self) -> JsValue {
        let inner = self.inner.borrow();
        to_js(&summary::outcomes_json(
            &inner.outcomes,
            &inner.respondents,
            &inner.outcomes_report,
        ))
    }

    /// Takes one display record (`{ type: "impression", id, surveyId, kind, metadata }`,
    /// as the widget posts with `impressions: true`). Returns whether it was new; a bad one
    /// is counted in `rates().rejected`.
    #[wasm_bindgen(js_name = addImpression)]
    pub fn add_impression(&self, record: &JsValue) -> Result<bool, JsError> {
        let text: String = js_sys::JSON::stringify(record)
            .map_err(|_| JsError::new("expected a JSON-serialisable value"))?
            .into();
        Ok(self.take_impression(&text, 0))
    }

    /// Streams the collector's display records (`/api/impressions`, NDJSON). Resolves to
    /// `{ accepted, rejected }`.
    #[wasm_bindgen(js_name = importImpressions)]
    pub fn import_impressions(&self, source: JsValue, options: JsValue) -> js_sys::Promise {
        let this = Scorer {
            inner: self.inner.clone(),
        };
        wasm_bindgen_futures::future_to_promise(async move {
            check(&options, "importImpressions", &[&options::STREAM[1..]])?;
            let mut pending: Vec<u8> = Vec::new();
            let mut line = 0u64;
            let take = |bytes: &[u8], line: u64| {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    if !text.trim().is_empty() {
                        this.take_impression(text, line);
                    }
                }
            };
            stream_chunks(source, &options, |chunk| {
                for &b in chunk {
                    if b == b'\n' {
                        line += 1;
                        take(&pending, line);
                        pending.clear();
                    } else {
                        pending.push(b);
                    }
                }
            })
            .await?;
            take(&pending, line + 1);
            let report = this.inner.borrow().rates_report.clone();
            Ok(to_js(&summary::report_json(&report, true)))
        })
    }

    /// Response rates: per survey (and per value of `by`, a `metadata.<key>`), prompts
    /// shown, answered and completed, with the response rate (answered / shown) and the
    /// completion rate in % with Wilson 95% intervals: `{ rows: [{ surveyId, kind,
    /// segment?, shown, answered, completed, responseRate, completionRate }], rejected }`.
    /// Answers are matched by id among the responses counted by id.
    pub fn rates(&self, options: JsValue) -> Result<JsValue, JsError> {
        // The segment is a field (by), not one of its values: rates show every value.
        let scope: Vec<_> = options::SCOPE
            .iter()
            .filter(|(name, _)| *name != "value")
            .copied()
            .collect();
        check(&options, "rates", &[&scope])?;
        let by = js_sys::Reflect::get(&options, &"by".into())
            .ok()
            .and_then(|v| v.as_string());
        let filters = filter_options(&options)?;
        let view = filters.list_filter();
        let within = sondeo_core::rates::Within {
            from: view.from,
            until: view.until,
            survey: view.survey,
            kind: view.kind,
        };
        let inner = self.inner.borrow();
        // Answers are found by id: without them every rate would read 0%.
        if inner.unkeyed && !inner.rates.is_empty() {
            return Err(JsError::new(
                "rates need the responses counted by id: import them with { byId: true } or add them with upsert()",
            ));
        }
        Ok(to_js(&summary::rates_json(
            &inner.rates.rows(&inner.latest, by.as_deref(), &within),
            &inner.rates_report,
        )))
    }

    /// Participation in an employee pulse: `invited` is a CSV text with the columns `team`
    /// and `invited`; each team's eNPS answers (by `metadata.team`) against its invitations:
    /// `{ teams: [{ team, invited, answered, rate: { value, low95, high95 } }], rejected }`,
    /// the rate in % with a Wilson interval.
    ///
    /// `options` (those of `responses()`: `from`, `to`, `survey`) count the answers they
    /// keep: one pulse's dates against its invitations (every pulse against one list reads as
    /// more answers than people).
    pub fn participation(&self, invited: &str, options: JsValue) -> Result<JsValue, JsError> {
        let pulse: Vec<_> = options::SCOPE
            .iter()
            .filter(|(name, _)| ["from", "to", "survey"].contains(name))
            .copied()
            .collect();
        check(&options, "participation", &[&pulse])?;
        let (invited, report) = sondeo_core::participation::read_invited(invited);
        let filters = filter_options(&options)?;
        let inner = self.inner.borrow();
        // One pulse's answers: its dates and survey, whatever else the view keeps to (a
        // customer kind, one team) that would count some teams' answers as none.
        let view = filters.list_filter();
        let pulse = sondeo_core::score::ListFilter {
            from: view.from,
            until: view.until,
            survey: view.survey,
            kind: Some(sondeo_core::Kind::Enps),
            ..Default::default()
        };
        let filtered = if pulse.from.is_some() || pulse.until.is_some() || pulse.survey.is_some() {
            if inner.unkeyed {
                return Err(JsError::new(
                    "from, to and survey need every response counted by id: import with { byId: true } or add with upsert()",
                ));
            }
            Some(inner.latest.state_where(&pulse))
        } else {
            None
        };
        let state = filtered.as_ref().unwrap_or(&inner.state);
        let rows = sondeo_core::participation::participation(state, &invited);
        Ok(to_js(&summary::participation_json(&rows, &report)))
    }

    /// The score-inflation check over the responses counted by id: per value of `by`
    /// (default `metadata.agent`), the `kind`'s (default `nps`) best-group answers, how many
    /// have a comment shorter than `shortBelow` characters (default 20) or none, and that
    /// share against the other segments' (Newcombe 95% interval); `flagged` when
    /// significantly higher: `[{ segment, n, score, top, terse, share, againstRest, flagged,
    /// outcome? }]`. With outcomes imported (`importOutcomes`), `outcome` (default
    /// `retained`; or `churned`, `repurchased`, `crossSell`) checks each segment's top
    /// scorers against their outcome: `{ name, rate, againstRest, flagged }`, flagged when
    /// they do significantly worse than top scorers elsewhere.
    pub fn inflation(&self, options: JsValue) -> Result<JsValue, JsError> {
        const OWN: &[(&str, Want)] = &[
            ("shortBelow", Want::Count(1, 1_000)),
            (
                "outcome",
                Want::Text("\"retained\", \"churned\", \"repurchased\" or \"crossSell\""),
            ),
        ];
        check(
            &options,
            "inflation",
            &[options::SCOPE, options::COMMENTS, OWN],
        )?;
        let get = |k: &str| js_sys::Reflect::get(&options, &k.into()).ok();
        let by = get("by")
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| "metadata.agent".into());
        let kind = match get("kind").and_then(|v| v.as_string()) {
            None => sondeo_core::Kind::Nps,
            Some(k) => sondeo_core::Kind::parse(&k).ok_or_else(|| {
                JsError::new(&format!(
                    "kind: expected {}, got {k:?}",
                    sondeo_core::metric::KIND_CHOICES
                ))
            })?,
        };
        // Employees' answers are no customer's, and per segment would name small teams,
        // which the summary's floor hides.
        if kind == sondeo_core::Kind::Enps {
            return Err(JsError::new(
                "kind: the inflation check reads customers' answers (nps, csat, ces, rating, yesno), not employees' enps",
            ));
        }
        let short_below = get("shortBelow")
            .and_then(|v| v.as_f64())
            .map_or(20, |n| n as usize);
        let outcome = get("outcome").and_then(|v| v.as_string());
        let flag = match outcome.as_deref() {
            None => 0,
            Some(name) => sondeo_core::outcomes::FLAGS
                .iter()
                .position(|f| *f == name)
                .ok_or_else(|| {
                    JsError::new(&format!(
                        "outcome: expected \"retained\", \"churned\", \"repurchased\" or \"crossSell\", got {name:?}"
                    ))
                })?,
        };
        // The view's filters (from, to, survey, and by + value for one segment), as the
        // figures beside it follow them.
        let filter_read = filter_options(&options)?;
        let inner = self.inner.borrow();
        if inner.unkeyed && inner.latest.is_empty() {
            return Err(JsError::new(
                "the inflation check reads the responses counted by id: import them with { byId: true } or add them with upsert()",
            ));
        }
        let outcomes = (inner.outcomes.matched > 0).then_some((&inner.outcomes, flag));
        // One segment (`value`) is weighed against all the others, then shown alone: checked
        // on its own rows it would have no rest to differ from.
        let filter = sondeo_core::score::ListFilter {
            segment: None,
            ..filter_read.list_filter()
        };
        let mut rows = sondeo_core::inflation::inflation(
            inner.latest.iter_where(&filter),
            &by,
            kind,
            short_below,
            outcomes,
        );
        if let Some(value) = filter_read.segment_value() {
            rows.retain(|row| row.segment == value);
        }
        Ok(to_js(&summary::inflation_json(&rows)))
    }

    /// Adds everything `other` holds (another page, shard or period). Responses both count
    /// by id are counted once, in their current version, as if `other`'s had been upserted
    /// here; one whose id this scorer counts for another survey or kind is rejected.
    pub fn merge(&self, other: &Scorer) -> Result<(), JsError> {
        // Its answers would be counted twice: there is nothing to merge.
        if Rc::ptr_eq(&self.inner, &other.inner) {
            return Err(JsError::new(
                "merge: expected another Scorer (merging a scorer into itself would count its answers twice)",
            ));
        }
        let theirs = other.inner.borrow();
        let mut mine = self.inner.borrow_mut();
        // Their figures but for their responses kept by id, which are upserted one by one.
        let mut added = theirs.state.clone();
        for row in theirs.latest.iter() {
            added.remove(row);
        }
        mine.state.merge(&added);
        for row in theirs.latest.iter() {
            if let Some(problem) = mine.latest.conflict(row) {
                mine.report.reject(0, "id", problem);
                continue;
            }
            let Inner { latest, state, .. } = &mut *mine;
            latest.upsert(state, row.clone());
        }
        mine.report.merge(&theirs.report);
        mine.respondents.merge(&theirs.respondents);
        mine.unkeyed |= theirs.unkeyed;
        Ok(())
    }

    /// The exact state as a plain JSON object with its format `version` (store it, send
    /// it, merge it elsewhere). Responses counted by id travel with it, so that a restored
    /// scorer replaces their later versions and lists them.
    pub fn state(&self) -> Result<JsValue, JsError> {
        let inner = self.inner.borrow();
        let mut counted: Vec<_> = inner.latest.iter().cloned().collect();
        // In id order: the same scorer saves the same text.
        counted.sort_by(|a, b| a.id.cmp(&b.id));
        let saved = saved::save(&saved::Saved {
            state: inner.state.clone(),
            respondents: inner.respondents.clone(),
            counted,
            unkeyed: inner.unkeyed,
        })
        .map_err(|e| JsError::new(&e))?;
        js_sys::JSON::parse(&saved.to_string())
            .map_err(|_| JsError::new("state could not be parsed back"))
    }

    /// A scorer from a `state()` object; one saved by another version is refused with a
    /// clear error rather than misread.
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(state: &JsValue) -> Result<Scorer, JsError> {
        let saved = saved::load(to_json_value(state)?).map_err(|e| JsError::new(&e))?;
        Ok(Scorer {
            inner: Rc::new(RefCell::new(Inner {
                state: saved.state,
                respondents: saved.respondents,
                latest: Latest::restore(saved.counted),
                unkeyed: saved.unkeyed,
                ..Inner::default()
            })),
        })
    }

    /// The figures: `{ rejected, overall, segments?, periods?, compare?, drivers, themes }`.
    /// `options`: `{ by: "metadata.touchpoint", period: "day" | "week" | "month",
    /// compare: { a, b } }` (`a`/`b` are period labels when `period` is given, else segment
    /// values; or `compare: { from, to }`: the view against the same filters over those
    /// dates, such as the days just before), and the filters `from`, `to`, `survey`, `kind` and `value` (a value of `by`:
    /// one segment's figures, as in `responses()`), which score only those responses
    /// afresh: they need every response counted by id.
    /// `minTeamSize` (5): an eNPS figure of a segment or period with fewer answers is
    /// `{ suppressed: true, minimum }`.
    pub fn summary(&self, options: JsValue) -> Result<JsValue, JsError> {
        const OWN: &[(&str, Want)] = &[
            ("period", Want::Text("\"day\", \"week\" or \"month\"")),
            ("compare", Want::Object),
        ];
        check(
            &options,
            "summary",
            &[options::SCOPE, OWN, options::MIN_TEAM_SIZE],
        )?;
        if let Ok(compare) = js_sys::Reflect::get(&options, &"compare".into()) {
            const SIDES: &[(&str, Want)] = &[
                ("a", Want::Text("a period label or a segment value")),
                ("b", Want::Text("a period label or a segment value")),
                ("from", options::DATE),
                ("to", options::DATE),
            ];
            options::check_in(&compare, "compare", &[SIDES])
                .map_err(|e| JsError::new(&["compare.", &e].concat()))?;
        }
        let text = |k: &str| {
            js_sys::Reflect::get(&options, &k.into())
                .ok()
                .and_then(|v| v.as_string())
        };
        let compare = js_sys::Reflect::get(&options, &"compare".into())
            .ok()
            .filter(|v| v.is_object());
        let side = |c: &JsValue, k: &str| {
            js_sys::Reflect::get(c, &k.into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        // Two dates (`from`, `to`) compare the view with itself over those dates.
        let dates = compare
            .as_ref()
            .map(|c| (side(c, "from"), side(c, "to")))
            .filter(|(from, to)| !from.is_empty() || !to.is_empty());
        let pair = compare
            .filter(|_| dates.is_none())
            .map(|c| (side(&c, "a"), side(&c, "b")));
        let inner = self.inner.borrow();
        let options_value = options.clone();
        let options = filter_options(&options)?;
        let earlier = match &dates {
            None => None,
            Some((from, to)) => {
                let read = |k: &str| match k {
                    "from" => Some(from.clone()),
                    "to" => Some(to.clone()),
                    _ => text(k),
                };
                let earlier = filter::FilterOptions::read(read, false)
                    .map_err(|e| JsError::new(&["compare.", &e].concat()))?;
                if inner.unkeyed {
                    return Err(JsError::new(
                        "compare: { from, to } needs every response counted by id: import with { byId: true } or add with upsert()",
                    ));
                }
                // Without dates of its own the view holds the other dates too: the two would
                // overlap, and their difference mean nothing.
                if !options.dated() {
                    return Err(JsError::new(
                        "compare: { from, to } compares the view's dates with others: give the view from or to",
                    ));
                }
                Some(inner.latest.state_where(&earlier.list_filter()))
            }
        };
        let filtered = if options.narrows() {
            if inner.unkeyed {
                return Err(JsError::new(
                    "from, to, survey, kind and value need every response counted by id: import with { byId: true } or add with upsert()",
                ));
            }
            Some(inner.latest.state_where(&options.list_filter()))
        } else {
            None
        };
        let min_enps = min_team_size(&options_value);
        let view = filtered.as_ref().unwrap_or(&inner.state);
        let mut summary = summary::summary(
            view,
            &inner.report,
            text("by").as_deref(),
            text("period").as_deref(),
            pair,
            min_enps,
        )
        .map_err(|e| JsError::new(&e))?;
        // The comment words and reasons of a view's employees under the floor are theirs too
        // (their figure is hidden, their comments not listed): taken from the view without them.
        let scope = guarded(&inner.latest, &options, &options_value);
        if scope.without_employees {
            let customers = inner.latest.state_where(&scope);
            let other = summary::summary(&customers, &inner.report, None, None, None, min_enps)
                .map_err(|e| JsError::new(&e))?;
            for key in ["themes", "drivers"] {
                summary[key] = other[key].clone();
            }
        }
        if let (Some(earlier), Some((from, to)), Some(out)) =
            (&earlier, &dates, summary.as_object_mut())
        {
            let label = |from: &str, to: &str| [from, " to ", to].concat();
            let now = label(
                &text("from").unwrap_or_default(),
                &text("to").unwrap_or_default(),
            );
            out.insert(
                "compare".into(),
                summary::compared(
                    &label(from, to),
                    &earlier.overall,
                    &now,
                    &view.overall,
                    min_enps,
                ),
            );
        }
        Ok(to_js(&summary))
    }
}
