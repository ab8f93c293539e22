use super::*;

/// A small deterministic generator (xorshift64*), so a failing case can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const STRINGS: &[&str] = &[
    r#""nps""#,
    r#""csat""#,
    r#""CES""#,
    r#""9""#,
    r#""""#,
    r#""  ""#,
    r#""r1""#,
    r#""Slow \"refund\"""#,
    r#""caf\u00e9 \ud83d\ude00""#,
    r#""ñandú rápido""#,
    r#""line\nbreak\ttab\\ \/""#,
    r#""2026-11-03T10:00:00Z""#,
    r#""2026-11-03""#,
    r#""bad \ud800 lone""#,
    r#""bad \udc00 low""#,
    r#""\ud83d\u0041 half""#,
];
const BAD_STRINGS: &[&str] = &[
    r#""bad \x escape""#,
    "\"raw\u{1}control\"",
    r#""unterminated"#,
    r#""\u00""#,
    r#""\u12g4""#,
];
const NUMBERS: &[&str] = &[
    "9",
    "0",
    "10",
    "-1",
    "9.5",
    "9.0",
    "1e3",
    "1E+2",
    "0.5e-3",
    "1234567890123456789012",
    // Unix times: in a time field (the generator puts numbers there too) the scanner and the
    // reference must read them alike.
    "1763857800",
    "1763857800.25",
    "1763857800000",
];
const BAD_NUMBERS: &[&str] = &["01", "1.", "-", "1e", ".5", "+1", "--1"];
const KEYS: &[&str] = &[
    "id",
    "kind",
    "score",
    "surveyId",
    "locale",
    "comment",
    "reasons",
    "metadata",
    "complete",
    "submittedAt",
    "createdAt",
    "user",
    "answers",
    "extra",
    "k\\u0069nd",
    "x",
    "\\ud800y",
];

fn value(r: &mut Random, depth: usize) -> String {
    // Broken tokens now and then: most lines must parse for the rows to be compared.
    if r.below(40) == 0 {
        let (string, number) = (r.pick(BAD_STRINGS), r.pick(BAD_NUMBERS));
        return r.pick(&[string, number, "nul", "tru"]).to_owned();
    }
    match r.below(if depth > 3 { 4 } else { 7 }) {
        0 => r.pick(STRINGS).to_owned(),
        1 => r.pick(NUMBERS).to_owned(),
        2 => r.pick(&["true", "false", "null"]).to_owned(),
        3 => r.pick(&[r#""nps""#, "7", r#""agent-7""#]).to_owned(),
        4 => {
            let n = r.below(4);
            let items: Vec<String> = (0..n).map(|_| value(r, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        5 => {
            let n = r.below(4);
            let members: Vec<String> = (0..n)
                .map(|_| format!("\"{}\":{}", r.pick(&["id", "agent", "touchpoint", "ticketId", "id", "t\\u00e9am", "\\udc00x"]), value(r, depth + 1)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        _ => r.pick(&[
            r#"[{"key":"s","kind":"csat","score":2},{"key":"agent","kind":"rating","score":4}]"#,
            r#"[{"key":"s","kind":"nps","score":9}]"#,
            r#"{"id":"u-1"}"#,
            r#"{"touchpoint":"checkout","agent":"ana","ticketId":123,"vip":true,"n":null}"#,
        ])
        .to_owned(),
    }
}

/// A line like an export's, with random fields and values, sometimes broken on purpose.
fn line(r: &mut Random) -> String {
    let n = 1 + r.below(5);
    let mut members: Vec<String> = Vec::new();
    if r.below(3) > 0 {
        members.push(format!(
            "\"kind\":{}",
            r.pick(&[r#""nps""#, r#""csat""#, r#""ces""#])
        ));
        members.push(format!("\"score\":{}", r.pick(&["9", "3", "5", r#""4""#])));
    }
    for _ in 0..n {
        let key = r.pick(KEYS);
        // The user object's array form is a serde quirk the scanner does not share.
        let v = if key == "user" {
            r.pick(&[
                r#"{"id":"u-1"}"#,
                r#"{"id":42,"x":[1]}"#,
                r#""u""#,
                "null",
                r#"{"id":1,"id":2}"#,
            ])
            .to_owned()
        } else if key == "complete" && r.below(2) == 0 {
            // As sheets and other tools write it.
            r.pick(&[
                r#""false""#,
                r#"" No ""#,
                r#""0""#,
                r#""FALSE""#,
                r#""yes""#,
                "0",
                "0.0",
                "-0",
                "1",
            ])
            .to_owned()
        } else if key == "id" && r.below(2) == 0 {
            r.pick(&[r#""""#, "5", "-1.5e3", r#""  ""#]).to_owned()
        } else {
            value(r, 1)
        };
        members.push(format!("\"{key}\":{v}"));
    }
    let spaces = [" ", "", "\t", " \r "];
    let sep = spaces[r.below(spaces.len())];
    let mut text = format!("{{{sep}{}{sep}}}", members.join(&format!("{sep},{sep}")));
    match r.below(12) {
        0 => {
            let at = r.below(text.len());
            if text.is_char_boundary(at) {
                text.truncate(at);
            }
        }
        1 => {
            let at = r.below(text.len() + 1);
            if text.is_char_boundary(at) {
                text.insert(
                    at,
                    r.pick(&["{", "}", "[", "]", ",", ":", "\"", "\\", "x"])
                        .chars()
                        .next()
                        .unwrap_or('x'),
                );
            }
        }
        2 => text.push_str(r.pick(&[" x", "}", " ", ",{}"])),
        _ => {}
    }
    text
}

/// What a reader made of a line: refused as JSON, or its row (or the field at fault).
#[derive(Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a test value, compared once
enum Outcome {
    NotJson,
    Row(bool, Result<Row<'static>, (&'static str, String)>),
}

fn scanned(raw: &str) -> Outcome {
    match Line::parse(raw) {
        Err(_) => Outcome::NotJson,
        Ok(line) => Outcome::Row(line.is_partial(), line.row().map(|r| r.into_owned())),
    }
}

fn by_serde(raw: &str) -> Outcome {
    match serde_json::from_slice::<reference::Line>(raw.as_bytes()) {
        Err(_) => Outcome::NotJson,
        Ok(line) => Outcome::Row(line.is_partial(), line.row().map(|r| r.into_owned())),
    }
}

#[test]
fn the_scanner_reads_every_generated_line_as_serde_json_does() {
    let mut r = Random(0x05ee_d0f5_014d);
    let (mut rows, mut refused) = (0, 0);
    for case in 0..30_000 {
        let text = line(&mut r);
        let expected = by_serde(&text);
        assert_eq!(scanned(&text), expected, "case {case}: {text}");
        match expected {
            Outcome::NotJson => refused += 1,
            Outcome::Row(_, Ok(_)) => rows += 1,
            Outcome::Row(_, Err(_)) => {}
        }
    }
    // The generator reaches every outcome often enough for the comparison to mean something.
    assert!(
        rows > 3_000 && refused > 3_000,
        "rows {rows}, refused {refused}"
    );
}

#[test]
fn strict_json_is_required() {
    for bad in [
        r#"{"kind":"nps","score":9,}"#,
        r#"{"kind":"nps","score":09}"#,
        r#"{"kind":"nps","score":9} x"#,
        r#"{'kind':"nps"}"#,
        "{\"kind\":\"nps\",\"comment\":\"a\u{0}b\",\"score\":9}",
        r#"{"kind":"nps","kind":"csat","score":9}"#,
        r#"{"kind":null,"kind":"nps","score":9}"#,
        r#"["r1","nps",9]"#,
        r#"{"kind":"nps","score":9"#,
    ] {
        assert!(Line::parse(bad).is_err(), "{bad}");
    }
    // A lone surrogate is valid JSON but not text: the line counts, its comment is left out.
    let lone = Line::parse(r#"{"kind":"nps","comment":"\ud800","score":9}"#).unwrap();
    assert_eq!(lone.row().unwrap().comment, None);
    let deep = format!(
        "{{\"kind\":\"nps\",\"score\":9,\"x\":{}{}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    assert!(Line::parse(&deep).is_err());
    let fine = format!(
        "{{\"kind\":\"nps\",\"score\":9,\"x\":{}{}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert!(Line::parse(&fine).is_ok());
}

#[test]
fn bytes_that_are_not_text_do_not_lose_the_answer() {
    let raw = b"{\"kind\":\"nps\",\"score\":9,\"page\":\"\xff\",\"comment\":\"caf\xe9\"}";
    let mut importer = crate::import::Importer::new(crate::import::Format::Ndjson);
    let mut comments = Vec::new();
    importer.feed(raw, &mut |row| {
        comments.push(row.comment.as_deref().map(str::to_owned))
    });
    let report =
        importer.finish(&mut |row| comments.push(row.comment.as_deref().map(str::to_owned)));
    assert_eq!(report.accepted, 1);
    // Bytes that are not UTF-8 are read as Windows-1252 (E9 is é), each byte its own character.
    assert_eq!(comments, [Some("café".to_owned())]);
    assert_eq!(report.windows_1252, 1);
}

#[test]
fn strings_without_escapes_are_borrowed_and_escapes_decoded() {
    let raw = r#"{"kind":"nps","score":9,"comment":"caf\u00e9 \ud83d\ude00 \"ok\"","locale":"es","metadata":{"agent":"ana","n":12.50,"vip":true,"none":null}}"#;
    let line = Line::parse(raw).unwrap();
    let row = line.row().unwrap();
    assert_eq!(row.comment.as_deref(), Some("café 😀 \"ok\""));
    assert!(matches!(row.locale, Some(Cow::Borrowed("es"))));
    let metadata: Vec<(&str, &str)> = row
        .metadata
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    assert_eq!(
        metadata,
        [("agent", "ana"), ("n", "12.50"), ("vip", "true")]
    );
}
