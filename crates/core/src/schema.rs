//! The export's shape, one place for the writer (the collector's CSV export) and the
//! reader (the importer behind the Scorer): the CSV columns, how metadata is spread
//! over them, and the formula guard on cells.

/// The fixed CSV columns, in order: the payload's fields (`user.id` for the user's id;
/// `answers`, of surveys of several questions, as the payload's JSON array), then
/// `receivedAt`, which the collector adds.
pub const CSV_COLUMNS: [&str; 15] = [
    "id",
    "surveyId",
    "kind",
    "score",
    "group",
    "answers",
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

/// Prefix of a metadata key's own column (`metadata.agent`).
pub const METADATA_PREFIX: &str = "metadata.";

/// The column holding, as one JSON object, the metadata keys past the column cap.
pub const METADATA_REST: &str = "metadata";

/// Separator of the reasons in one cell.
pub const REASONS_SEPARATOR: char = '|';

/// Whether a spreadsheet would run a cell with this text as a formula (OWASP's list).
#[inline]
pub fn looks_like_formula(cell: &str) -> bool {
    // On the first byte: all six are ASCII, and a char pattern decodes a character and
    // compares through memcmp, for every cell of a million-row import.
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Whether the export's formula guard goes before this text: a would-be formula, or one
/// that already starts with `'`s (`'=x` as a visitor typed it), whose own `'` the reader
/// would otherwise take for the guard and drop.
#[inline]
pub fn needs_guard(cell: &str) -> bool {
    looks_like_formula(cell.trim_start_matches('\''))
}

/// A cell's text as stored, from the text the export wrote: the `'` that the formula
/// guard puts first is taken off again.
#[inline]
pub fn unguarded(cell: &str) -> &str {
    match cell.as_bytes() {
        // `'` is one byte, so the rest starts on a character boundary.
        [b'\'', ..] if needs_guard(&cell[1..]) => &cell[1..],
        _ => cell,
    }
}

/// RFC 4180: a field with a comma, quote, CR or LF (or edge spaces, which some
/// readers trim) is quoted, quotes doubled.
///
/// With `guard`, a cell that a spreadsheet would run as a formula (it starts with
/// `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, as OWASP's "CSV injection"
/// advice says: comments come from anonymous visitors, and the file is opened by
/// staff. `?raw=1` turns the guard off for programs that want the exact text.
pub fn push_csv_field(out: &mut String, field: &str, guard: bool) {
    let formula = guard && needs_guard(field);
    let needs_quotes = formula
        // `;` and tab too: spreadsheets in many locales split on them, and a quoted cell
        // stays one cell (so `a;=1+1` cannot become a formula cell of its own).
        || field.contains([',', '"', '\r', '\n', ';', '\t'])
        || field.starts_with(' ')
        || field.ends_with(' ');
    if needs_quotes {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// The counted responses as a CSV file with the export's columns (so that the importer,
/// and any spreadsheet, reads it back): one row per response, with its page and times as
/// its source gave them, then a `metadata.<key>` column per key found, in name order.
/// Cells are formula-guarded as in the collector's export.
pub fn rows_csv(rows: &[&crate::score::Row<'_>]) -> String {
    let mut keys: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.metadata.iter().map(|(k, _)| k.as_ref()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out = String::new();
    for (i, column) in CSV_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(keys.iter().map(|k| [METADATA_PREFIX, k].concat()))
        .enumerate()
    {
        if i > 0 {
            out.push(',');
        }
        push_csv_field(&mut out, &column, true);
    }
    out.push_str("\r\n");
    for row in rows {
        let Some(kind) = row.kind else { continue };
        let time = |ms: Option<i64>| ms.map(crate::time::format_rfc3339).unwrap_or_default();
        let (created, submitted, received) = (
            time(row.times.created),
            time(row.times.submitted),
            time(row.times.received),
        );
        let reasons = row.reasons.iter().map(|r| r.as_ref()).collect::<Vec<_>>();
        let reasons = reasons.join(&REASONS_SEPARATOR.to_string());
        let mut score = String::new();
        crate::text::push_int(&mut score, row.score as i64);
        let mut answers = String::new();
        if !row.answers.is_empty() {
            let list: Vec<crate::answer::Answer> = row
                .answers
                .iter()
                .map(|(key, kind, score)| crate::answer::Answer {
                    key: key.to_string(),
                    kind: *kind,
                    score: *score,
                })
                .collect();
            crate::answer::push_answers(&mut answers, &list);
        }
        for (i, column) in CSV_COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let cell: &str = match *column {
                "id" => row.id.as_deref().unwrap_or(""),
                "surveyId" => row.survey_id.as_deref().unwrap_or(""),
                "kind" => kind.as_str(),
                "score" => &score,
                "group" => kind.group(row.score as i64).map_or("", |g| g.as_str()),
                "answers" => &answers,
                "comment" => row.comment.as_deref().unwrap_or(""),
                "reasons" => &reasons,
                "complete" => {
                    if row.complete {
                        "true"
                    } else {
                        "false"
                    }
                }
                "locale" => row.locale.as_deref().unwrap_or(""),
                "page" => row.page.as_deref().unwrap_or(""),
                "createdAt" => &created,
                "submittedAt" => &submitted,
                "receivedAt" => &received,
                "user.id" => row.user.as_deref().unwrap_or(""),
                _ => "",
            };
            push_csv_field(&mut out, cell, true);
        }
        for key in &keys {
            out.push(',');
            let value = row
                .metadata
                .iter()
                .find(|(k, _)| k == key)
                .map_or("", |(_, v)| v.as_ref());
            push_csv_field(&mut out, value, true);
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_comes_off_only_before_a_formula() {
        assert_eq!(unguarded("'=1+1"), "=1+1");
        assert_eq!(unguarded("'-5"), "-5");
        assert_eq!(unguarded("'quoted'"), "'quoted'");
        assert_eq!(unguarded("=1+1"), "=1+1");
        assert!(looks_like_formula("@SUM(A1)") && !looks_like_formula("a=b"));
    }

    #[test]
    fn a_text_that_starts_with_its_own_quote_mark_comes_back_as_written() {
        // What a visitor typed, the guard put on where needed, then read back.
        for text in [
            "'=already",
            "''=x",
            "'-2",
            "'+1",
            "'@x",
            "=1+1",
            "'quoted'",
            "'",
            "''",
            "plain",
            "-- great",
        ] {
            let mut cell = String::new();
            push_csv_field(&mut cell, text, true);
            let written = cell
                .strip_prefix('"')
                .and_then(|c| c.strip_suffix('"'))
                .unwrap_or(&cell);
            // What a spreadsheet shows: its first `'` marks text and is not shown.
            let guarded = written.starts_with('\'') && written[1..] == *text;
            assert_eq!(guarded, needs_guard(text), "{text}: {written}");
            assert_eq!(unguarded(written), text, "{text}: {written}");
        }
    }

    #[test]
    fn formulas_are_neutralised_unless_raw() {
        for (input, guarded) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("a;=1+1;b", "\"a;=1+1;b\""),
            ("ok\t=1+1", "\"ok\t=1+1\""),
            ("a=b", "a=b"),
        ] {
            let mut out = String::new();
            push_csv_field(&mut out, input, true);
            assert_eq!(out, guarded);
            let mut raw = String::new();
            push_csv_field(&mut raw, input, false);
            assert!(
                !raw.contains('\''.to_string().as_str()) || input.contains('\''),
                "{raw}"
            );
            assert_eq!(raw.trim_matches('"').replace("\"\"", "\""), input);
        }
    }

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
            push_csv_field(&mut out, input, true);
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn the_rows_csv_reads_back_through_the_importer_unchanged() {
        use crate::import::{Format, Importer};
        use crate::score::{Row, Times};
        use crate::Kind;
        let ms = crate::time::parse_rfc3339_ms;
        let rows: Vec<Row<'static>> = vec![
            Row {
                id: Some("r-1".into()),
                complete: true,
                kind: Some(Kind::Nps),
                score: 3,
                answers: vec![],
                survey_id: Some("relationship".into()),
                locale: Some("es".into()),
                metadata: vec![
                    ("agent".into(), "=ana".into()),
                    ("touchpoint".into(), "web, chat".into()),
                ],
                reasons: vec!["price".into(), "speed".into()],
                comment: Some("Dijo \"no\";\nel ñandú =1+1".into()),
                time: crate::time::parse_rfc3339("2026-11-20T10:00:00Z"),
                // Every time and the page as the source gave them, to the millisecond.
                times: Times {
                    created: ms("2026-11-20T09:59:30.250Z"),
                    submitted: ms("2026-11-20T10:00:00Z"),
                    received: ms("2026-11-20T10:00:01.500Z"),
                    updated: None,
                },
                page: Some("https://shop.example/checkout?items=1,2".into()),
                user: Some("u-7".into()),
            },
            Row {
                id: Some("r-2".into()),
                complete: false,
                kind: Some(Kind::Csat),
                score: 5,
                answers: vec![
                    ("satisfaction".into(), Kind::Csat, 5),
                    ("resolved".into(), Kind::Yesno, 0),
                ],
                survey_id: None,
                locale: None,
                metadata: vec![("channel".into(), "email".into())],
                reasons: vec![],
                comment: None,
                time: crate::time::parse_rfc3339("2026-11-21T08:30:00Z"),
                times: Times {
                    created: ms("2026-11-21T08:30:00.999Z"),
                    ..Times::default()
                },
                page: None,
                user: None,
            },
        ];
        let csv = rows_csv(&rows.iter().collect::<Vec<_>>());
        assert!(csv.starts_with("id,surveyId,kind,score,group,answers,comment,reasons,complete,locale,page,createdAt,submittedAt,receivedAt,user.id,metadata.agent,metadata.channel,metadata.touchpoint\r\n"));
        assert!(csv.contains("\"'=ana\""), "a formula is guarded: {csv}");
        let mut read = Vec::new();
        let mut importer = Importer::new(Format::Csv);
        importer.feed(csv.as_bytes(), &mut |row: &Row<'_>| {
            read.push(row.clone().into_owned())
        });
        let report = importer.finish(&mut |row: &Row<'_>| read.push(row.clone().into_owned()));
        assert_eq!(report.rejected, 0, "{csv}");
        let sorted = |mut r: Row<'static>| {
            r.metadata.sort();
            r
        };
        assert_eq!(
            read.into_iter().map(sorted).collect::<Vec<_>>(),
            rows.into_iter().map(sorted).collect::<Vec<_>>()
        );
    }
}
