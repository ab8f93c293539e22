//! A strict JSON reader (RFC 8259) into [`Value`], for text from outside (the
//! collector's request bodies, stored rows):
//! - numbers keep the exact text they were written with (`1234567890123456789`
//!   and `0.0000001` reach metadata unchanged, not through an `f64`);
//! - a key repeated in one object is an error, not silently "last one wins"
//!   (two readers of the same body could otherwise disagree on what it says);
//! - nesting is bounded, so hostile input cannot exhaust the stack.
//!
//! The widget reads JavaScript objects instead and never links this.

use crate::value::Value;
use std::collections::HashSet;

/// Deepest nesting accepted; a response is three levels deep.
pub const MAX_DEPTH: usize = 32;

/// Why a text is not acceptable JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// Where in the document, as a dotted path (`metadata.agent`, `[2].id`); empty at the top.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} at byte {}", self.message, self.offset)
        } else {
            write!(f, "{}: {} at byte {}", self.path, self.message, self.offset)
        }
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON document (surrounding whitespace allowed, nothing else after it).
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    reader.skip_space();
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.at < reader.bytes.len() {
        return Err(reader.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError {
            offset: self.at,
            path: String::new(),
            message: message.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of the text")),
        }
    }

    fn nested(&self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            let mut e = self.error("nested deeper than ");
            e.message.push_str(&MAX_DEPTH.to_string());
            e.message.push_str(" levels");
            return Err(e);
        }
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.nested(depth)?;
        self.at += 1; // {
        let mut members: Vec<(String, Value)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key in double quotes"));
            }
            let key_at = self.at;
            let key = self.string()?;
            if !seen.insert(key.clone()) {
                return Err(JsonError {
                    offset: key_at,
                    path: key.clone(),
                    message: "the key appears twice in one object".to_owned(),
                });
            }
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after the key"));
            }
            self.at += 1;
            self.skip_space();
            let value = self.value(depth).map_err(|e| within(e, &key))?;
            members.push((key, value));
            if self.closes(b'}')? {
                return Ok(Value::Object(members));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.nested(depth)?;
        self.at += 1; // [
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_space();
            let index = items.len();
            let item = self
                .value(depth)
                .map_err(|e| within(e, &format!("[{index}]")))?;
            items.push(item);
            if self.closes(b']')? {
                return Ok(Value::Array(items));
            }
        }
    }

    /// After a member or an item: `true` past the closing bracket, `false` past a comma.
    fn closes(&mut self, close: u8) -> Result<bool, JsonError> {
        self.skip_space();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(self.error(if close == b'}' {
                "expected ',' or '}'"
            } else {
                "expected ',' or ']'"
            })),
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while matches!(r.peek(), Some(b'0'..=b'9')) {
                r.at += 1;
            }
            r.at > from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        if self.peek() == Some(b'0') {
            self.at += 1;
            if matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("a number cannot have a leading zero"));
            }
        } else if !digits(self) {
            return Err(self.error("expected a digit"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(self.error("expected a digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let text = &self.text[start..self.at];
        // The grammar above is a subset of what `f64::from_str` accepts; out of range gives ±inf,
        // which no rule accepts as a score, while the text stays exact for metadata.
        let value = text.parse::<f64>().unwrap_or(f64::NAN);
        Ok(Value::Number(value, Some(text.into())))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let hex = self
            .bytes
            .get(self.at..self.at + 4)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.error("expected four hex digits after \\u"))?;
        let text = std::str::from_utf8(hex).unwrap_or("0");
        self.at += 4;
        Ok(u32::from_str_radix(text, 16).unwrap_or(0))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[run_start..self.at]);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escape = self.peek().ok_or_else(|| self.error("unfinished escape"))?;
                    self.at += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => {
                            self.at -= 1;
                            return Err(self.error("unknown escape"));
                        }
                    }
                }
                Some(_) => {
                    return Err(self.error("a control character must be escaped in a string"))
                }
                None => return Err(self.error("unfinished string")),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.at..].starts_with(b"\\u") {
                    return Err(self.error("a lone surrogate is not a character"));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("a lone surrogate is not a character"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("a lone surrogate is not a character")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("not a character"))
    }
}

/// Prefixes an error's path with the member or index it was found in.
fn within(mut e: JsonError, segment: &str) -> JsonError {
    e.path = match (e.path.is_empty(), e.path.starts_with('[')) {
        (true, _) => segment.to_owned(),
        (false, true) => format!("{segment}{}", e.path),
        (false, false) => format!("{segment}.{}", e.path),
    };
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number_text(json: &str) -> Option<String> {
        match parse(json).unwrap() {
            Value::Number(_, text) => text.map(String::from),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers_keep_the_text_they_were_written_with() {
        for text in [
            "1234567890123456",
            "12345678901234567890123",
            "3.14159265358979",
            "0.0000001",
            "-0",
            "1E+2",
            "2.50",
        ] {
            assert_eq!(number_text(text).as_deref(), Some(text));
        }
        assert_eq!(parse("9").unwrap(), Value::Number(9.0, Some("9".into())));
    }

    #[test]
    fn a_repeated_key_is_an_error_naming_where() {
        let e = parse(r#"{"metadata":{"agent":"a","agent":"b"}}"#).unwrap_err();
        assert_eq!(e.path, "metadata.agent");
        assert!(e.message.contains("twice"));
        let e = parse(r#"[{"id":"a"},{"id":"b","id":"c"}]"#).unwrap_err();
        assert_eq!(e.path, "[1].id");
        assert!(
            parse(r#"{"a":{"x":1},"b":{"x":1}}"#).is_ok(),
            "the same key in two objects is fine"
        );
    }

    #[test]
    fn strings_decode_escapes_and_refuse_what_json_refuses() {
        assert_eq!(
            parse(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude42""#).unwrap(),
            Value::String("a\"\\/\u{8}\u{c}\n\r\té🙂".into())
        );
        for bad in [
            "\"\\ud83d\"",
            "\"\\ude42x\"",
            "\"\\x\"",
            "\"a\u{1}\"",
            "\"open",
            "01",
            "1.",
            "-",
            "1e",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "tru",
            "nul",
            "1 2",
            "",
            "NaN",
            "Infinity",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn it_agrees_with_serde_json_on_what_both_accept() {
        let text = r#" { "schema" : 1, "a" : [true, false, null, -1500, "x"], "o": {"k": "v"} } "#;
        let ours = parse(text).unwrap();
        let theirs = Value::from(serde_json::from_str::<serde_json::Value>(text).unwrap());
        assert_eq!(ours, theirs);
    }

    #[test]
    fn deep_nesting_is_refused_without_exhausting_the_stack() {
        let deep = "[".repeat(100_000);
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e:?}");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }
}
