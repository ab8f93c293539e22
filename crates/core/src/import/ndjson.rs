//! One NDJSON line, read in a single pass without building a JSON tree: the scanner
//! validates the whole line as strict JSON (RFC 8259, as serde_json does: no control
//! characters in strings, no trailing text), keeps the values of the fields scoring reads
//! as slices of the line, and skips the rest.
//! Strings without escapes are borrowed; a million lines allocate next to nothing.
//! (serde_json with borrowed raw values read each value twice, and matched field names
//! through its derive: twice the time. `reference.rs` keeps that reader for the tests,
//! which compare the two on generated lines.)

use super::checked;
use crate::score::Row;
use crate::score::Times;
use std::borrow::Cow;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

/// Deeper nesting is refused: the scanner recurses, and this is its stack guard. (serde_json
/// skipped unread fields without a limit; no export nests a tenth as deep.) Other
/// deliberate differences: a line's bytes are read lossily (serde_json skipped bytes that are
/// not UTF-8 in fields it did not read, and refused them in those it did), and neither a
/// line nor `user` may be an array (serde's derive took `["r1","nps",9]` field by field).
const MAX_DEPTH: usize = 128;

/// A JSON value of the line, as written: decoded only when the scorer reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value<'a> {
    /// A string as written (quotes included), and whether it has escapes.
    Str(&'a str, bool),
    /// A number, `true` or `false`, as written.
    Literal(&'a str),
    Object(&'a str),
    Array(&'a str),
}

/// The fields the scorer reads (`null` counts as absent); every other field is skipped.
#[derive(Debug, Default)]
pub struct Line<'a> {
    id: Option<Value<'a>>,
    kind: Option<Value<'a>>,
    score: Option<Value<'a>>,
    survey_id: Option<Value<'a>>,
    locale: Option<Value<'a>>,
    comment: Option<Value<'a>>,
    reasons: Option<Value<'a>>,
    metadata: Option<Value<'a>>,
    complete: Option<Value<'a>>,
    submitted_at: Option<Value<'a>>,
    created_at: Option<Value<'a>>,
    user: Option<Value<'a>>,
    answers: Option<Value<'a>>,
    received_at: Option<Value<'a>>,
    page: Option<Value<'a>>,
    updated_at: Option<Value<'a>>,
}

impl<'a> Line<'a> {
    /// Reads one line (its bytes read as UTF-8, lossily: a byte that is not text in one
    /// field is not a reason to lose the answer), or says why it is not a JSON object.
    pub fn parse(text: &'a str) -> Result<Line<'a>, String> {
        let mut scan = Scanner { text, at: 0 };
        let mut line = Line::default();
        scan.space();
        if scan.peek() != Some(b'{') {
            return Err(scan.error("expected a JSON object"));
        }
        // Which fields were given (a `null` too): a field given twice is ambiguous.
        let mut seen = 0u32;
        scan.members(|scan, key| {
            let (bit, slot) = match key.as_ref() {
                "id" => (0, &mut line.id),
                "kind" => (1, &mut line.kind),
                "score" => (2, &mut line.score),
                "surveyId" => (3, &mut line.survey_id),
                "locale" => (4, &mut line.locale),
                "comment" => (5, &mut line.comment),
                "reasons" => (6, &mut line.reasons),
                "metadata" => (7, &mut line.metadata),
                "complete" => (8, &mut line.complete),
                "submittedAt" => (9, &mut line.submitted_at),
                "createdAt" => (10, &mut line.created_at),
                "user" => (11, &mut line.user),
                "answers" => (12, &mut line.answers),
                "receivedAt" => (13, &mut line.received_at),
                "page" => (14, &mut line.page),
                "updatedAt" => (15, &mut line.updated_at),
                _ => return scan.value(1).map(drop),
            };
            *slot = scan.value(1)?;
            if seen & (1 << bit) != 0 {
                return Err(scan.error(&format!("duplicate field `{key}`")));
            }
            seen |= 1 << bit;
            Ok(())
        })?;
        scan.space();
        if scan.at < text.len() {
            return Err(scan.error("trailing characters"));
        }
        Ok(line)
    }

    /// Whether the line is a partial response (`complete: false`).
    pub fn is_partial(&self) -> bool {
        match self.complete {
            Some(Value::Literal(literal)) => {
                literal == "false" || literal.parse::<f64>().is_ok_and(|n| n == 0.0)
            }
            Some(text_value) => text(text_value).is_some_and(|t| super::means_partial(&t)),
            None => false,
        }
    }

    /// The scorer's row, or the field that makes the line unusable.
    pub fn row(&self) -> Result<Row<'a>, (&'static str, String)> {
        let kind = self.kind.and_then(text);
        // The score as its JSON text: `9` passes, `9.5` and `"nine"` do not; a quoted integer is accepted.
        let score = self
            .score
            .map(|v| text(v).unwrap_or(Cow::Borrowed(raw_text(v))));
        let (kind, score) = checked(kind.as_deref(), score.as_deref())?;
        let metadata = match self.metadata {
            Some(Value::Object(object)) => {
                let mut out = Vec::new();
                let mut nested = None;
                // The first array or object is the one said.
                let whole = members_of(object, |key, value| match value {
                    Some(Value::Array(_)) => _ = nested.get_or_insert((key, "an array")),
                    Some(Value::Object(_)) => _ = nested.get_or_insert((key, "an object")),
                    _ => out.extend(value.and_then(scalar).map(|value| (key, value))),
                });
                // A key that is not text spoils the object, as it did when serde read it.
                if !whole {
                    out.clear();
                } else if let Some((key, got)) = nested {
                    return Err(super::nested_metadata(&key, got));
                }
                out
            }
            _ => Vec::new(),
        };
        let reasons = match self.reasons {
            Some(Value::Array(array)) => {
                let mut out = Vec::new();
                items_of(array, |item| out.extend(item.and_then(text)));
                out
            }
            _ => Vec::new(),
        };
        // Only surveys of several questions have answers: parsed in full, they are rare.
        let answers = match self.answers {
            None => Vec::new(),
            Some(value) => serde_json::from_str(raw_text(value))
                .map_err(|e| ("answers", e.to_string()))
                .and_then(|v| super::answers_from_json(&v, kind, score))?,
        };
        // A time may be Unix time written as a number (see `parse_sheet_time_ms`).
        let time_text = |value: Option<Value<'a>>| match value? {
            Value::Literal(number) => Some(Cow::Borrowed(number)),
            value => text(value),
        };
        let texts = [
            self.created_at,
            self.submitted_at,
            self.received_at,
            self.updated_at,
        ]
        .map(time_text);
        let times = Times::read(texts);
        Ok(Row {
            answers,
            // An empty id is none (rows without one are never taken for one another); a
            // number is its text, as in a CSV cell.
            id: self.id.and_then(|id| match id {
                Value::Literal(number) if number != "true" && number != "false" => {
                    Some(Cow::Borrowed(number))
                }
                _ => text(id).filter(|id| !id.is_empty()),
            }),
            complete: !self.is_partial(),
            kind: Some(kind),
            score,
            survey_id: self.survey_id.and_then(text),
            locale: self.locale.and_then(text),
            metadata,
            reasons,
            comment: self.comment.and_then(text).filter(|c| !c.trim().is_empty()),
            time: times.scored(),
            times,
            page: self.page.and_then(text),
            user: match self.user {
                Some(Value::Object(object)) => user_id(object),
                _ => None,
            },
        })
    }
}

/// A string's text (escapes decoded; borrowed when it has none); `None` for other types,
/// and for a string that is not Unicode text (a lone surrogate escape).
fn text(value: Value<'_>) -> Option<Cow<'_, str>> {
    match value {
        Value::Str(s, escaped) => string_text(s, escaped),
        _ => None,
    }
}

/// The text of a string as written (quotes included), decoded when it has escapes.
fn string_text(s: &str, escaped: bool) -> Option<Cow<'_, str>> {
    let inside = s.get(1..s.len().saturating_sub(1)).unwrap_or("");
    if escaped {
        unescape(inside).map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inside))
    }
}

/// Strings as they are; numbers and booleans as their JSON text (`ticketId: 123`).
fn scalar(value: Value<'_>) -> Option<Cow<'_, str>> {
    match value {
        Value::Literal(l) => Some(Cow::Borrowed(l)),
        other => text(other),
    }
}

/// A value as written in the line.
fn raw_text(value: Value<'_>) -> &str {
    match value {
        Value::Str(s, _) | Value::Literal(s) | Value::Object(s) | Value::Array(s) => s,
    }
}

/// `user.id`: the user object's `id` as a scalar; a user object with two ids has none.
fn user_id(object: &str) -> Option<Cow<'_, str>> {
    let mut id = None;
    let mut ids = 0;
    let whole = members_of(object, |key, value| {
        if key == "id" {
            ids += 1;
            id = value;
        }
    });
    if ids > 1 || !whole {
        return None;
    }
    id.and_then(scalar)
}

/// Calls `f(key, value)` for each member of an object already validated by the scanner
/// (`None` for a `null` value); false when a key is not text, and its members are not all read.
fn members_of<'a>(object: &'a str, mut f: impl FnMut(Cow<'a, str>, Option<Value<'a>>)) -> bool {
    let mut scan = Scanner {
        text: object,
        at: 0,
    };
    scan.members(|scan, key| {
        let value = scan.value(1)?;
        f(key, value);
        Ok(())
    })
    .is_ok()
}

/// Calls `f(item)` for each item of an array already validated by the scanner.
fn items_of<'a>(array: &'a str, mut f: impl FnMut(Option<Value<'a>>)) {
    let mut scan = Scanner { text: array, at: 0 };
    let _ = scan.items(|scan| {
        let value = scan.value(1)?;
        f(value);
        Ok(())
    });
}

/// Decodes the escapes of a string the scanner has validated; `None` when one is a lone
/// surrogate (valid JSON, but not text).
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let first = hex_unit(&mut chars);
                let code = match first {
                    0xD800..=0xDBFF => {
                        if chars.next() != Some('\\') || chars.next() != Some('u') {
                            return None;
                        }
                        let second = hex_unit(&mut chars);
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return None;
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    code => code,
                };
                out.push(char::from_u32(code)?);
            }
            Some(other) => out.push(other), // `"`, `\` and `/`
            None => {}
        }
    }
    Some(out)
}

/// The four hex digits of a `\u` escape the scanner has validated.
fn hex_unit(chars: &mut std::str::Chars<'_>) -> u32 {
    chars
        .take(4)
        .fold(0, |n, c| n * 16 + c.to_digit(16).unwrap_or(0))
}

/// A cursor over text that is valid UTF-8; every structural byte is ASCII.
struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn error(&self, what: &str) -> String {
        format!("{what} at column {}", self.at + 1)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.space();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    /// An object's members, the cursor on its `{`; `member` reads each value. The keys
    /// are decoded: one that is not text (a lone surrogate) fails the object.
    fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), String>,
    ) -> Result<(), String> {
        self.sequence(b'{', b'}', |scan| {
            let (key, escaped) = scan.key()?;
            let Some(key) = string_text(key, escaped) else {
                return Err(scan.error("a key that is not Unicode text"));
            };
            member(scan, key)
        })
    }

    /// A member's key as written (quotes included), whether it has escapes, and its `:`.
    fn key(&mut self) -> Result<(&'a str, bool), String> {
        self.space();
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a key in double quotes"));
        }
        let key = self.string()?;
        self.expect(b':')?;
        Ok(key)
    }

    /// An array's items, the cursor on its `[`; `item` reads each value.
    fn items(&mut self, item: impl FnMut(&mut Self) -> Result<(), String>) -> Result<(), String> {
        self.sequence(b'[', b']', item)
    }

    /// `open`, then entries read by `entry` and separated by commas, then `close`.
    fn sequence(
        &mut self,
        open: u8,
        close: u8,
        mut entry: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.expect(open)?;
        self.space();
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            entry(self)?;
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b) if b == close => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.error(&format!("expected `,` or `{}`", close as char))),
            }
        }
    }

    /// One value at nesting `depth`; `None` for `null`.
    fn value(&mut self, depth: usize) -> Result<Option<Value<'a>>, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.space();
        let start = self.at;
        match self.peek() {
            Some(b'"') => self
                .string()
                .map(|(s, escaped)| Some(Value::Str(s, escaped))),
            Some(b'{') => {
                // Checked, not read: its keys need not be text, as serde_json skipped them.
                self.sequence(b'{', b'}', |scan| {
                    scan.key()?;
                    scan.value(depth + 1).map(drop)
                })?;
                Ok(Some(Value::Object(&self.text[start..self.at])))
            }
            Some(b'[') => {
                self.items(|scan| scan.value(depth + 1).map(drop))?;
                Ok(Some(Value::Array(&self.text[start..self.at])))
            }
            Some(b't') => self.word("true").map(Some),
            Some(b'f') => self.word("false").map(Some),
            Some(b'n') => self.word("null").map(|_| None),
            Some(b'-' | b'0'..=b'9') => self.number().map(Some),
            _ => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &'static str) -> Result<Value<'a>, String> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(Value::Literal(word))
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<Value<'a>, String> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at > from
        };
        let mut at = self.at;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        match bytes.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => {
                digits(&mut at);
            }
            _ => {
                self.at = at;
                return Err(self.error("invalid number"));
            }
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                self.at = at;
                return Err(self.error("invalid number"));
            }
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            if !digits(&mut at) {
                self.at = at;
                return Err(self.error("invalid number"));
            }
        }
        self.at = at;
        Ok(Value::Literal(&self.text[start..at]))
    }

    /// A string, the cursor on its opening quote: its text as written (quotes included),
    /// and whether it has escapes (checked here, decoded only when read).
    fn string(&mut self) -> Result<(&'a str, bool), String> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut at = start + 1;
        let mut escaped = false;
        loop {
            // Plain bytes up to the next quote, backslash or control character.
            let run = crate::bytes::find_json_string_special(&bytes[at..]);
            let Some(n) = run else {
                self.at = bytes.len();
                return Err(self.error("unterminated string"));
            };
            at += n;
            match bytes[at] {
                b'"' => {
                    self.at = at + 1;
                    return Ok((&self.text[start..self.at], escaped));
                }
                b'\\' => {
                    escaped = true;
                    at = self.escape(at)?;
                }
                _ => {
                    self.at = at;
                    return Err(self.error("control character in a string"));
                }
            }
        }
    }

    /// Checks the escape at `at` (its backslash); returns where the string goes on.
    fn escape(&mut self, at: usize) -> Result<usize, String> {
        let bytes = self.text.as_bytes();
        let hex = |from: usize| -> Option<u32> {
            let digits = bytes.get(from..from + 4)?;
            if !digits.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
        };
        let fail = |scan: &mut Self, at: usize, what: &str| {
            scan.at = at;
            Err(scan.error(what))
        };
        match bytes.get(at + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
            // A lone surrogate is valid JSON (RFC 8259 §8.2); its text is refused when read.
            Some(b'u') if hex(at + 2).is_some() => Ok(at + 6),
            _ => fail(self, at, "invalid escape"),
        }
    }
}
