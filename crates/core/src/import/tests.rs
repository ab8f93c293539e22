use super::*;
use crate::score::{nps, ScoreState};
use crate::time::parse_rfc3339;

fn pairs(metadata: &[(std::borrow::Cow<str>, std::borrow::Cow<str>)]) -> Vec<(String, String)> {
    metadata
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Imports `bytes` fed in chunks of `size`, returning the report and every accepted row.
/// `bytes` cut into chunks of the given sizes in turn (the last one shorter).
pub(super) fn chunked<'a>(bytes: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    for size in sizes.iter().cycle() {
        if at >= bytes.len() {
            break;
        }
        let size = (*size).min(bytes.len() - at);
        out.push(&bytes[at..at + size]);
        at += size;
    }
    out
}

fn import(bytes: &[u8], format: Format, size: usize) -> (Report, Vec<Row<'static>>) {
    let mut rows = Vec::new();
    let mut importer = Importer::new(format);
    for chunk in bytes.chunks(size) {
        importer.feed(chunk, &mut |r| rows.push(r.clone().into_owned()));
    }
    let report = importer.finish(&mut |r| rows.push(r.clone().into_owned()));
    (report, rows)
}

/// Every chunking gives the same result, down to one byte at a time (splitting
/// CRLFs, quoted fields and multi-byte characters).
fn import_all_ways(name: &str, format: Format) -> (Report, Vec<Row<'static>>) {
    let bytes = fixture(name);
    let whole = import(&bytes, format, bytes.len());
    // Line ends counted by hand: LF, CRLF and a lone CR each end one line.
    let newlines = (0..bytes.len())
        .filter(|&i| bytes[i] == b'\r' || (bytes[i] == b'\n' && (i == 0 || bytes[i - 1] != b'\r')))
        .count() as u64;
    assert_eq!(whole.0.newlines, newlines, "{name}: newlines read");
    for size in [1, 2, 3, 7, 64, 1000] {
        assert_eq!(
            import(&bytes, format, size),
            whole,
            "{name} in chunks of {size}"
        );
    }
    whole
}

#[test]
fn ndjson_export_with_bad_rows_crlf_bom_and_blank_lines() {
    let (report, rows) = import_all_ways("export.ndjson", Format::Ndjson);
    assert_eq!((report.accepted, report.rejected), (5, 4));
    let lines: Vec<(u64, &str)> = report
        .first
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(
        lines,
        [(5, "score"), (6, "kind"), (7, "json"), (9, "score")]
    );
    assert_eq!(
        report.first[0].error,
        "expected an integer in 0..=10 for nps, got \"11\""
    );
    let a1 = &rows[0];
    assert_eq!(
        (a1.kind, a1.score, a1.comment.as_deref()),
        (Some(Kind::Nps), 10, Some("Rápido y amable, gracias"))
    );
    assert_eq!(
        pairs(&a1.metadata),
        [
            ("touchpoint".to_string(), "support".to_string()),
            ("agent".to_string(), "ana".to_string())
        ]
    );
    assert_eq!(a1.time, parse_rfc3339("2026-11-16T09:01:00Z"));
    // A number in metadata is kept as text; a 20,000-character comment is not a reason to reject.
    assert_eq!(
        pairs(&rows[2].metadata)[1],
        ("ticketId".to_string(), "123".to_string())
    );
    assert_eq!(rows[3].comment.as_ref().map(|c| c.len()), Some(20_000));
    assert_eq!(rows[3].time, None);
}

#[test]
fn collector_csv_with_quotes_newlines_and_non_ascii() {
    let (report, rows) = import_all_ways("export.csv", Format::Csv);
    assert_eq!((report.accepted, report.rejected), (3, 2));
    let lines: Vec<(u64, &str)> = report
        .first
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(lines, [(6, "score"), (8, "kind")]);
    assert_eq!(
        rows[0].comment.as_deref(),
        Some("Fast, friendly — \"great\"")
    );
    assert_eq!(rows[0].reasons, ["support", "speed"]);
    assert_eq!(rows[1].comment.as_deref(), Some("line one\r\nline two"));
    assert_eq!(
        pairs(&rows[1].metadata),
        [
            ("agent".to_string(), "bo".to_string()),
            ("touchpoint".to_string(), "returns".to_string())
        ]
    );
    assert_eq!(rows[2].comment.as_deref(), Some("ñandú 🙂"));
    assert_eq!(rows[2].locale.as_deref(), Some("es"));
}

#[test]
fn a_plain_sheet_is_scored_and_extra_columns_become_segments() {
    let (report, rows) = import_all_ways("plain.csv", Format::Csv);
    assert_eq!((report.accepted, report.rejected), (4, 1));
    assert_eq!(report.first[0].line, 5);
    let mut state = ScoreState::default();
    rows.iter().for_each(|r| state.add(r));
    // NPS answers 10 and 0: one promoter, one detractor → NPS 0.
    assert_eq!(nps(state.overall.get(Kind::Nps)).unwrap().score, 0.0);
    assert_eq!(
        state.segments["metadata.touchpoint"].values["phone"]
            .get(Kind::Ces)
            .n(),
        1
    );
    assert_eq!(rows[0].time, parse_rfc3339("2026-11-20"));
}

#[test]
fn a_sheet_saved_with_old_mac_line_ends_reads_as_any_other() {
    // Every line ends with a lone CR (Excel's "CSV (Macintosh)"); line 3's comment holds one.
    let (report, rows) = import_all_ways("mac-excel.csv", Format::Csv);
    assert_eq!((report.accepted, report.rejected), (4, 1));
    assert_eq!(
        report.first[0].line, 6,
        "the row after the two-line comment"
    );
    assert_eq!(rows[1].comment.as_deref(), Some("Slow.\rNever again"));
    assert_eq!(rows[0].metadata.len(), 1, "touchpoint, its own column");
    assert_eq!(report.newlines, 7);
}

#[test]
fn a_row_or_line_over_a_mebibyte_is_refused_and_the_rest_is_read() {
    let long = "x".repeat(csv::MAX_RECORD_BYTES);
    let csv = format!("kind,score,comment\nnps,9,fine\nnps,3,\"{long}\nnps,10,\"\nnps,0,ok\n");
    let ndjson = format!(
        "{{\"kind\":\"nps\",\"score\":9}}\n{{\"kind\":\"nps\",\"score\":3,\"comment\":\"{long}\"}}\n{{\"kind\":\"nps\",\"score\":0}}"
    );
    for (bytes, format, line) in [(csv, Format::Csv, 3), (ndjson, Format::Ndjson, 2)] {
        for size in [4096, 1 << 16, bytes.len()] {
            let (report, rows) = import(bytes.as_bytes(), format, size);
            assert_eq!(
                (report.accepted, report.rejected),
                (2, 1),
                "{format:?} in chunks of {size}"
            );
            assert_eq!(rows.iter().map(|r| r.score).collect::<Vec<_>>(), [9, 0]);
            assert_eq!(report.first[0].line, line);
            assert!(
                report.first[0].error.contains("longer than 1 MiB"),
                "{:?}",
                report.first
            );
        }
    }
}

/// An NDJSON response of exactly [`csv::MAX_RECORD_BYTES`], its comment the filling.
fn mebibyte_line() -> String {
    let padding = csv::MAX_RECORD_BYTES - r#"{"kind":"nps","score":9,"comment":""}"#.len();
    let line = format!(
        r#"{{"kind":"nps","score":9,"comment":"{}"}}"#,
        "x".repeat(padding)
    );
    assert_eq!(line.len(), csv::MAX_RECORD_BYTES);
    line
}

/// Imports NDJSON `bytes` in chunks of each of `sizes` (and whole): the same `(accepted,
/// rejected)` and accepted `scores` every time. Returns each import's report.
fn ndjson_in_chunks(
    bytes: &[u8],
    sizes: &[usize],
    counts: (u64, u64),
    scores: &[u8],
) -> Vec<Report> {
    let mut reports = Vec::new();
    for &size in sizes.iter().chain([bytes.len()].iter()) {
        let (report, rows) = import(bytes, Format::Ndjson, size);
        assert_eq!(
            (report.accepted, report.rejected),
            counts,
            "chunks of {size}"
        );
        assert_eq!(
            rows.iter().map(|r| r.score).collect::<Vec<_>>(),
            scores,
            "chunks of {size}"
        );
        reports.push(report);
    }
    reports
}

#[test]
fn a_line_of_exactly_a_mebibyte_is_read_whatever_its_line_end() {
    // The line's own bytes, without its LF or CRLF, make the mebibyte.
    let line = mebibyte_line();
    for end in ["\n", "\r\n"] {
        let bytes = format!("{line}{end}{{\"kind\":\"nps\",\"score\":0}}{end}");
        ndjson_in_chunks(bytes.as_bytes(), &[4096], (2, 0), &[9, 0]);
    }
}

#[test]
fn ndjson_lines_ended_by_cr_alone_are_refused_in_words() {
    let bytes = b"{\"kind\":\"nps\",\"score\":9}\r{\"kind\":\"nps\",\"score\":3}\r";
    for size in [1, 5, bytes.len()] {
        let (report, _) = import(bytes, Format::Ndjson, size);
        assert_eq!((report.accepted, report.rejected), (0, 1));
        assert_eq!(report.first[0].error, CR_LINE_ENDS);
    }
    // A CR as blank space inside a line that fails for another reason is not blamed.
    let (report, _) = import(b"{\"kind\":\"nps\",\r\"score\":9,}\n", Format::Ndjson, 64);
    assert_eq!(report.rejected, 1);
    assert_ne!(report.first[0].error, CR_LINE_ENDS);
}

#[test]
fn a_line_too_long_with_a_mark_at_its_start_is_refused_whatever_the_chunks() {
    // A byte-order mark, then a line that fills the mebibyte: too long with its mark.
    let line = mebibyte_line();
    let bytes = format!(
        "{{\"kind\":\"nps\",\"score\":1}}\n\u{FEFF}{line}\n{{\"kind\":\"nps\",\"score\":0}}\n"
    );
    for report in ndjson_in_chunks(bytes.as_bytes(), &[4096, 1 << 16], (2, 1), &[1, 0]) {
        assert_eq!(report.first[0].error, TOO_LONG_LINE);
    }
}

#[test]
fn exports_joined_end_to_end_read_as_one_in_spite_of_the_second_mark() {
    let one = "\u{FEFF}{\"kind\":\"nps\",\"score\":9}\n";
    let two = "\u{FEFF}{\"kind\":\"nps\",\"score\":2}\n";
    let joined = format!("{one}{two}");
    ndjson_in_chunks(joined.as_bytes(), &[1, 2, 3], (2, 0), &[9, 2]);
}

#[test]
fn an_empty_id_is_no_id_and_a_number_is_its_text_in_every_reader() {
    let ndjson =
        b"{\"id\":\"\",\"kind\":\"nps\",\"score\":9}\n{\"id\":5,\"kind\":\"nps\",\"score\":3}\n";
    let (_, rows) = import(ndjson, Format::Ndjson, 64);
    assert_eq!(rows[0].id, None);
    assert_eq!(rows[1].id.as_deref(), Some("5"));
    let csv = b"id,kind,score\n,nps,9\n5,nps,3\n";
    let (_, rows) = import(csv, Format::Csv, 64);
    assert_eq!(rows[0].id, None);
    assert_eq!(rows[1].id.as_deref(), Some("5"));
    for (json, id) in [
        (r#"{"id":"","kind":"nps","score":9}"#, None),
        (r#"{"id":5,"kind":"nps","score":9}"#, Some("5")),
    ] {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(json).unwrap();
        assert_eq!(row_from_json(&object).unwrap().id.as_deref(), id, "{json}");
    }
}

#[test]
fn a_header_without_a_score_column_says_so_once() {
    let (report, _) = import(b"kind,rating\nnps,9\nnps,3\n", Format::Csv, 5);
    assert_eq!((report.accepted, report.rejected), (0, 3));
    assert_eq!(report.first[0].field, "header");
    assert_eq!(report.first[0].error, NO_SCORE_COLUMN);
}

#[test]
fn a_header_that_names_a_column_twice_reads_no_row() {
    // Which `score` is the answer cannot be told: the file is refused, not read by a guess.
    let (report, rows) = import(
        b"id,kind,score,Score\na,nps,0,10\nb,nps,9,9\n",
        Format::Csv,
        5,
    );
    assert_eq!((report.accepted, rows.len()), (0, 0));
    assert_eq!(report.rejected, 3, "the header and both rows");
    assert_eq!(
        (report.first[0].line, report.first[0].field.as_str()),
        (1, "header")
    );
    assert_eq!(
        report.first[0].error,
        "the column Score appears twice: expected each column once"
    );
    assert_eq!(report.first[1].line, 2);
    // Metadata columns too, a key however it is written; an unnamed column is no name.
    for header in ["kind,score,agent,agent", "kind,score,agent,metadata.agent"] {
        let file = format!("{header}\nnps,9,a,b\n");
        let (report, _) = import(file.as_bytes(), Format::Csv, 5);
        assert_eq!(report.accepted, 0, "{header}");
    }
    // Keys are compared exactly, as the collector keeps them: two keys, both read.
    let (report, rows) = import(
        b"kind,score,metadata.Plan,metadata.plan\nnps,9,a,b\n",
        Format::Csv,
        5,
    );
    assert_eq!(report.accepted, 1);
    assert_eq!(
        pairs(&rows[0].metadata),
        [("Plan".into(), "a".into()), ("plan".into(), "b".into())]
    );
    let (report, _) = import(b"kind,score,,\nnps,9,,\n", Format::Csv, 5);
    assert_eq!((report.accepted, report.rejected), (1, 0));
}

#[test]
fn a_file_that_is_no_export_says_so_once_on_its_header() {
    // A sheet separated by bars, a JSON array: no kind column, said on the header's line.
    for (bytes, rows) in [
        (b"\n\nkind|score\nnps|9\nnps|3\n".to_vec(), 2),
        (b"[{\"kind\":\"nps\",\"score\":9}]".to_vec(), 0),
    ] {
        let (report, _) = import(&bytes, Format::detect(&bytes), 5);
        assert_eq!(report.accepted, 0);
        assert_eq!(report.rejected, 1 + rows, "{:?}", report.first);
        assert_eq!(report.first[0].field, "header");
        assert!(report.first[0]
            .error
            .starts_with("no kind column in the header row"));
    }
    // A header with a kind column (here "Type", as a plain sheet may call it) says nothing.
    let (report, _) = import(b"Type,Score\nnps,9\n", Format::Csv, 64);
    assert_eq!((report.accepted, report.rejected), (1, 0));
}

#[test]
fn a_utf16_file_reads_as_its_utf8_text_does_whatever_the_chunks() {
    // Excel's "Unicode Text": UTF-16 little-endian with its mark, tab-separated, CRLF; and
    // the same big-endian, and NDJSON. A character outside the BMP (a surrogate pair) and
    // accented text in the comments.
    let sheet = "kind\tscore\tcomment\tmetadata.agent\r\nnps\t9\tGenial 👍 atención\tana\r\nnps\t3\t\"lento,\r\nmuy\"\tbo\r\ncsat\tx\tbad\tbo\r\n";
    let ndjson = "{\"kind\":\"nps\",\"score\":10,\"comment\":\"ñandú 🦤\"}\n{\"kind\":\"nps\",\"score\":0}\n";
    for (text, format) in [(sheet, Format::Csv), (ndjson, Format::Ndjson)] {
        let (expected_report, expected_rows) = import(text.as_bytes(), format, text.len());
        for little in [true, false] {
            let bytes: Vec<u8> = "\u{FEFF}"
                .encode_utf16()
                .chain(text.encode_utf16())
                .flat_map(|u| {
                    if little {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    }
                })
                .collect();
            assert_eq!(Format::detect(&bytes), format, "little-endian: {little}");
            for size in 1..8 {
                let (report, rows) = import(&bytes, format, size);
                assert_eq!(
                    rows, expected_rows,
                    "{format:?}, little-endian: {little}, chunks of {size}"
                );
                assert_eq!(
                    report, expected_report,
                    "{format:?}, little-endian: {little}, chunks of {size}"
                );
            }
        }
    }
    let (report, rows) = import(sheet.as_bytes(), Format::Csv, 64);
    assert_eq!(
        (rows.len(), report.rejected),
        (2, 1),
        "the sheet itself: two rows and one bad score"
    );
    assert_eq!(rows[0].comment.as_deref(), Some("Genial 👍 atención"));
}

#[test]
fn a_partial_is_told_by_complete_as_a_sheet_writes_it() {
    let csv = b"kind,score,complete\nnps,9,FALSE\nnps,8,False\nnps,7,0\nnps,6,no\nnps,5,TRUE\nnps,4,\nnps,3,1\n";
    let mut importer = Importer::new(Format::Csv).skip_partials(true);
    let mut scores = Vec::new();
    importer.feed(csv, &mut |r| scores.push(r.score));
    let report = importer.finish(&mut |r| scores.push(r.score));
    assert_eq!(report.skipped_partials, 4);
    assert_eq!(scores, [5, 4, 3]);
    // NDJSON and objects added from JavaScript read `complete` the same way.
    let values = [
        r#"false"#,
        r#""FALSE""#,
        r#"0"#,
        r#"" no ""#,
        r#"true"#,
        r#""yes""#,
        r#"1"#,
    ];
    let ndjson: String = values
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{{\"kind\":\"nps\",\"score\":{i},\"complete\":{c}}}\n"))
        .collect();
    let mut importer = Importer::new(Format::Ndjson).skip_partials(true);
    let mut scores = Vec::new();
    importer.feed(ndjson.as_bytes(), &mut |r| scores.push(r.score));
    let report = importer.finish(&mut |r| scores.push(r.score));
    assert_eq!(report.skipped_partials, 4);
    assert_eq!(scores, [4, 5, 6]);
    for (i, c) in values.iter().enumerate() {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&format!(r#"{{"kind":"nps","score":1,"complete":{c}}}"#)).unwrap();
        assert_eq!(
            row_from_json(&object).unwrap().complete,
            i >= 4,
            "complete: {c}"
        );
    }
}

#[test]
fn a_sheet_separated_by_semicolons_or_tabs_reads_as_one_with_commas() {
    // European Excel writes semicolons (its decimal mark is the comma); "Text (tab
    // delimited)" writes tabs. Blank lines first; quoted cells hold the other marks.
    let rows = [
        ["kind", "score", "comment"],
        ["nps", "9", "ok; fine, really"],
        ["nps", "2", "slow\tvery"],
    ];
    let write = |mark: &str| -> String {
        let line = |r: &[&str; 3]| {
            r.iter()
                .map(|c| {
                    if c.contains([',', ';', '\t']) {
                        format!("\"{c}\"")
                    } else {
                        c.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(mark)
        };
        format!(
            "\n \t\n{}\n",
            rows.iter().map(line).collect::<Vec<_>>().join("\n")
        )
    };
    let commas = write(",");
    let whole = import(commas.as_bytes(), Format::Csv, commas.len());
    assert_eq!((whole.0.accepted, whole.0.rejected), (2, 0));
    assert_eq!(whole.1[0].comment.as_deref(), Some("ok; fine, really"));
    for mark in [";", "\t"] {
        let text = write(mark);
        for size in [1, 3, 7, text.len()] {
            let (report, rows) = import(text.as_bytes(), Format::Csv, size);
            assert_eq!(
                (report.accepted, report.rejected),
                (2, 0),
                "{mark:?} in chunks of {size}"
            );
            assert_eq!(rows, whole.1, "{mark:?} in chunks of {size}");
        }
    }
}

#[test]
fn formats_are_detected_from_the_first_bytes() {
    assert_eq!(Format::detect(b"\xEF\xBB\xBF  {\"a\":1}"), Format::Ndjson);
    assert_eq!(Format::detect(b"score,kind"), Format::Csv);
    assert_eq!(Format::parse("jsonl"), Some(Format::Ndjson));
    assert_eq!(Format::parse("xlsx"), None);
    // A stream's first chunk may tell nothing yet: a lone newline, the BOM's first byte.
    for undecided in [
        &b""[..],
        b"\n",
        b" \r\n\t",
        b"\xEF",
        b"\xEF\xBB",
        b"\xEF\xBB\xBF\n",
    ] {
        assert_eq!(Format::sniff(undecided), None, "{undecided:?}");
    }
    assert_eq!(Format::sniff(b"\n\n{"), Some(Format::Ndjson));
    assert_eq!(Format::sniff(b"\xEF\xBB\xBF\r\nkind"), Some(Format::Csv));
}

#[test]
fn a_quoted_field_that_never_closes_is_reported_not_dropped() {
    // Line 3 opens a quote that nothing closes: lines 3 to 5 became one field. The row is
    // rejected on the line it starts, and the report says what happened to the rest.
    let csv = b"kind,score,comment\nnps,9,fine\nnps,3,\"broken\nnps,10,lost\nnps,0,lost too\n";
    for size in [1, 7, csv.len()] {
        let (report, rows) = import(csv, Format::Csv, size);
        assert_eq!(
            (report.accepted, report.rejected),
            (1, 1),
            "chunks of {size}"
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(report.first[0].line, 3);
        assert!(
            report.first[0].error.contains("never closed"),
            "{:?}",
            report.first
        );
    }
    // A closing quote at the very end (no newline after it) is a field like any other.
    let (report, _) = import(b"kind,score,comment\nnps,9,\"ok\"", Format::Csv, 3);
    assert_eq!((report.accepted, report.rejected), (1, 0));
}

#[test]
fn only_the_first_hundred_errors_are_kept_but_all_are_counted() {
    let bytes: Vec<u8> = (0..250)
        .flat_map(|_| b"{\"kind\":\"nps\",\"score\":99}\n".to_vec())
        .collect();
    let (report, rows) = import(&bytes, Format::Ndjson, 4096);
    assert!(rows.is_empty());
    assert_eq!(
        (report.rejected, report.first.len()),
        (250, REPORTED_ERRORS)
    );
    assert_eq!(report.first[99].line, 100);
}

#[test]
fn partials_can_be_left_out_and_are_counted_apart() {
    let bytes = b"{\"kind\":\"nps\",\"score\":9,\"complete\":false}\n{\"kind\":\"nps\",\"score\":3,\"complete\":true}\n{\"kind\":\"nps\",\"score\":5}\n";
    let mut rows = Vec::new();
    let mut importer = Importer::new(Format::Ndjson).skip_partials(true);
    importer.feed(bytes, &mut |r| rows.push(r.score));
    let report = importer.finish(&mut |r| rows.push(r.score));
    assert_eq!(rows, [3, 5]);
    assert_eq!((report.accepted, report.skipped_partials), (2, 1));
    let csv = b"kind,score,complete\nnps,9,false\nnps,4,true\n";
    let mut rows = Vec::new();
    let mut importer = Importer::new(Format::Csv).skip_partials(true);
    importer.feed(csv, &mut |r| rows.push(r.score));
    let report = importer.finish(&mut |r| rows.push(r.score));
    assert_eq!((rows, report.skipped_partials), (vec![4], 1));
}

#[test]
fn a_character_cut_by_a_separator_reads_as_windows_1252_instead_of_panicking() {
    // "é" is 0xC3 0xA9: with a comma between its two bytes the record's bytes (separators
    // taken out) would be valid UTF-8, but neither field is: each is read as Windows-1252
    // (C3 is Ã, A9 ©).
    let mut bytes = b"kind,score,comment,touchpoint\nnps,9,a".to_vec();
    bytes.extend_from_slice(&[0xC3, b',', 0xA9]);
    bytes.extend_from_slice(b"b\n");
    let (report, rows) = import(&bytes, Format::Csv, 5);
    assert_eq!(report.accepted, 1);
    assert_eq!(rows[0].comment.as_deref(), Some("aÃ"));
    assert_eq!(
        pairs(&rows[0].metadata),
        [("touchpoint".to_owned(), "©b".to_owned())]
    );
    assert_eq!(report.windows_1252, 1);
}

#[test]
fn answers_are_read_from_csv_and_ndjson_and_checked_as_the_collector_checks_them() {
    let csv = concat!(
        "kind,score,answers\n",
        "csat,4,\"[{\"\"key\"\":\"\"s\"\",\"\"kind\"\":\"\"csat\"\",\"\"score\"\":4},{\"\"key\"\":\"\"r\"\",\"\"kind\"\":\"\"yesno\"\",\"\"score\"\":1}]\"\n",
        // The first answer must be the row's own kind and score.
        "csat,5,\"[{\"\"key\"\":\"\"s\"\",\"\"kind\"\":\"\"csat\"\",\"\"score\"\":4}]\"\n",
        // A key given twice.
        "csat,4,\"[{\"\"key\"\":\"\"s\"\",\"\"kind\"\":\"\"csat\"\",\"\"score\"\":4},{\"\"key\"\":\"\"s\"\",\"\"kind\"\":\"\"yesno\"\",\"\"score\"\":1}]\"\n",
        // A plain sheet's "answers" column of text: kept as the row's metadata, not refused.
        "nps,9,Quick reply\n",
    );
    let (report, rows) = import(csv.as_bytes(), Format::Csv, 5);
    assert_eq!((report.accepted, report.rejected), (2, 2));
    let fields: Vec<(&str, &str)> = report
        .first
        .iter()
        .map(|e| (e.field.as_str(), e.error.as_str()))
        .collect();
    assert_eq!(
        fields[0],
        (
            "answers",
            "answers[0]: expected the same kind and score as the row's kind and score"
        )
    );
    assert_eq!(fields[1].0, "answers");
    assert!(
        fields[1]
            .1
            .starts_with("answers[1].key: expected each key once"),
        "{}",
        fields[1].1
    );
    assert_eq!(
        rows[0].answers,
        [("s".into(), Kind::Csat, 4), ("r".into(), Kind::Yesno, 1)]
    );
    assert!(rows[1].answers.is_empty());
    assert_eq!(
        pairs(&rows[1].metadata),
        [("answers".to_string(), "Quick reply".to_string())]
    );
    let ndjson = r#"{"kind":"csat","score":2,"answers":[{"key":"s","kind":"csat","score":2},{"key":"agent","kind":"rating","score":6}]}"#;
    let (report, _) = import(ndjson.as_bytes(), Format::Ndjson, 7);
    assert_eq!(
        report.first[0].error,
        "answers[1].score: expected an integer in 1..=5 for rating, got 6"
    );
}

#[test]
fn an_id_counted_for_one_survey_is_refused_for_another_on_its_line() {
    // Two collectors' exports joined: the same id names answers to two surveys.
    let file = concat!(
        r#"{"id":"a","surveyId":"s","kind":"nps","score":10}"#,
        "\n",
        r#"{"id":"a","surveyId":"t","kind":"csat","score":1}"#,
        "\n",
        r#"{"id":"a","surveyId":"s","kind":"csat","score":1}"#,
        "\n",
        r#"{"id":"a","surveyId":"s","kind":"nps","score":6}"#,
        "\n",
    );
    for format in [Format::Ndjson, Format::Csv] {
        let bytes = match format {
            Format::Ndjson => file.to_owned(),
            Format::Csv => String::from(
                "id,surveyId,kind,score\na,s,nps,10\na,t,csat,1\na,s,csat,1\na,s,nps,6\n",
            ),
        };
        let mut state = ScoreState::default();
        let mut latest = crate::score::Latest::default();
        let mut importer = Importer::new(format);
        let mut sink = |row: &Row<'_>| match latest.conflict(row) {
            Some(problem) => Err(("id", problem)),
            None => {
                latest.upsert(&mut state, row.clone().into_owned());
                Ok(())
            }
        };
        importer.feed_checked(bytes.as_bytes(), &mut sink);
        let report = importer.finish_checked(&mut sink);
        assert_eq!((report.accepted, report.rejected), (2, 2), "{format:?}");
        let lines: Vec<u64> = report.first.iter().map(|e| e.line).collect();
        let first_line = if format == Format::Csv { 3 } else { 2 };
        assert_eq!(lines, [first_line, first_line + 1], "{format:?}");
        assert_eq!(report.first[0].field, "id");
        assert_eq!(
            report.first[0].error,
            "already counted for survey s (nps): expected one survey and kind per id"
        );
        // The survey's own later version still replaces its first: one passive.
        let nps_scores = state.overall.get(Kind::Nps);
        assert_eq!((nps_scores.n(), latest.len()), (1, 1), "{format:?}");
        assert_eq!(latest.get("a").map(|r| r.score), Some(6));
        assert_eq!(state.overall.get(Kind::Csat).n(), 0);
    }
}

#[test]
fn a_score_is_read_as_the_collector_reads_it_an_integer_as_written() {
    let ndjson = concat!(
        r#"{"kind":"nps","score":9.0}"#,
        "\n",
        r#"{"kind":"nps","score":1e1}"#,
        "\n",
        r#"{"kind":"nps","score":8.99999999999999999}"#,
        "\n",
        r#"{"kind":"nps","score":9.5}"#,
        "\n",
        r#"{"kind":"nps","score":1e-400}"#,
        "\n",
    );
    let (report, rows) = import(ndjson.as_bytes(), Format::Ndjson, 7);
    assert_eq!(rows.iter().map(|r| r.score).collect::<Vec<_>>(), [9, 10]);
    assert_eq!(report.rejected, 3);
    assert!(report.first.iter().all(|e| e.field == "score"));
    assert!(report.first[0].error.contains("8.99999999999999999"));
    // A sheet's cells alike.
    let (report, rows) = import(b"kind,score\nnps,9.0\nnps,1E1\nnps,9.50\n", Format::Csv, 5);
    assert_eq!(rows.iter().map(|r| r.score).collect::<Vec<_>>(), [9, 10]);
    assert_eq!(report.rejected, 1);
}

#[test]
fn a_csv_saved_as_windows_1252_keeps_its_accents_apart_and_says_how_it_was_read() {
    // Excel's plain "CSV" on a Spanish Windows: semicolons, CRLF, Windows-1252 (é is E9,
    // è E8, – 96, € 80, “ ” 93 94). Read lossily, both agents would be one.
    let (report, rows) = import_all_ways("windows-1252.csv", Format::Csv);
    assert_eq!((report.accepted, report.rejected), (3, 0));
    assert_eq!(
        report.windows_1252, 3,
        "the three rows, not the ASCII header"
    );
    let agents: Vec<String> = rows
        .iter()
        .map(|r| pairs(&r.metadata)[0].1.clone())
        .collect();
    assert_eq!(agents, ["Inés", "Inès", "Inés"]);
    assert_eq!(rows[0].comment.as_deref(), Some("Atención rápida"));
    assert_eq!(
        rows[1].comment.as_deref(),
        Some("Muy mal – 20 €, y “nadie” respondió")
    );
    // A UTF-8 file says nothing of it.
    let (report, _) = import_all_ways("export.csv", Format::Csv);
    assert_eq!(report.windows_1252, 0);
    // A header that is not UTF-8 is no row; a last row with no line end is one.
    for size in [1, 4, 64] {
        let (report, rows) = import(
            b"kind;score;metadata.ag\xe9nt\r\nnps;9;Jose",
            Format::Csv,
            size,
        );
        assert_eq!(
            (report.accepted, report.windows_1252),
            (1, 0),
            "in chunks of {size}"
        );
        assert_eq!(
            pairs(&rows[0].metadata),
            [("agént".to_owned(), "Jose".to_owned())]
        );
        let (report, rows) = import(b"kind;score;agent\r\nnps;9;Jos\xe9", Format::Csv, size);
        assert_eq!(
            (report.accepted, report.windows_1252),
            (1, 1),
            "in chunks of {size}"
        );
        assert_eq!(
            pairs(&rows[0].metadata),
            [("agent".to_owned(), "José".to_owned())]
        );
    }
}

#[test]
fn the_rows_of_a_file_with_no_kind_or_score_column_say_why_they_are_not_read() {
    let (report, _) = import(b"type|score\nnps|9\nnps|3\n", Format::Csv, 64);
    assert_eq!(report.rejected, 3);
    assert!(report.first[0]
        .error
        .starts_with("no kind column in the header row"));
    for row in &report.first[1..] {
        assert_eq!(
            (row.field.as_str(), row.error.as_str()),
            ("header", "not read: the header row has no kind column")
        );
    }
    let (report, _) = import(b"kind,note\nnps,9\n", Format::Csv, 64);
    assert_eq!(report.rejected, 2);
    assert_eq!(
        report.first[1].error,
        "not read: the header row has no score column"
    );
}

#[test]
fn an_ndjson_metadata_value_that_is_an_array_or_object_refuses_its_row_as_the_collector_does() {
    let lines = concat!(
        "{\"kind\":\"nps\",\"score\":9,\"metadata\":{\"a\":1,\"tags\":[1]}}\n",
        "{\"kind\":\"nps\",\"score\":9,\"metadata\":{\"where\":{\"x\":1}}}\n",
        "{\"kind\":\"nps\",\"score\":9,\"metadata\":{\"a\":1,\"b\":null}}\n",
    );
    let (report, rows) = import(lines.as_bytes(), Format::Ndjson, 7);
    assert_eq!((report.accepted, report.rejected), (1, 2));
    assert_eq!(report.first[0].field, "metadata");
    assert_eq!(
        report.first[0].error,
        "expected a string, number or boolean in metadata.tags, got an array"
    );
    assert_eq!(
        report.first[1].error,
        "expected a string, number or boolean in metadata.where, got an object"
    );
    assert_eq!(pairs(&rows[0].metadata), [("a".to_owned(), "1".to_owned())]);
    // An object added from JavaScript is read alike.
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str("{\"kind\":\"nps\",\"score\":9,\"metadata\":{\"tags\":[1]}}").unwrap();
    assert_eq!(row_from_json(&object).unwrap_err().0, "metadata");
}

#[test]
fn a_csv_metadata_column_is_read_as_json_when_it_holds_an_object_and_kept_as_text_otherwise() {
    let csv = concat!(
        "kind,score,metadata.agent,metadata\n",
        // The export's overflow keys; a null is no value, as in NDJSON.
        "nps,9,ana,\"{\"\"plan\"\":\"\"pro\"\",\"\"seats\"\":3,\"\"gone\"\":null}\"\n",
        // Another tool's column of that name: its text is the row's, under that name.
        "nps,8,ben,VIP\n",
        // An object that nests, or broken JSON, refuses the row, naming the field.
        "nps,7,ana,\"{\"\"tags\"\":[1]}\"\n",
        "nps,6,ana,{not json\n",
        "nps,5,ana,\n",
    );
    let (report, rows) = import(csv.as_bytes(), Format::Csv, 9);
    assert_eq!((report.accepted, report.rejected), (3, 2));
    let metadata: Vec<Vec<(String, String)>> = rows.iter().map(|r| pairs(&r.metadata)).collect();
    let owned = |entries: &[(&str, &str)]| -> Vec<(String, String)> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        metadata[0],
        owned(&[("agent", "ana"), ("plan", "pro"), ("seats", "3")])
    );
    assert_eq!(metadata[1], owned(&[("agent", "ben"), ("metadata", "VIP")]));
    assert_eq!(metadata[2], owned(&[("agent", "ana")]));
    assert_eq!(
        (
            report.first[0].line,
            report.first[0].field.as_str(),
            report.first[0].error.as_str()
        ),
        (
            4,
            "metadata",
            "expected a string, number or boolean in metadata.tags, got an array"
        )
    );
    assert_eq!(
        (report.first[1].line, report.first[1].field.as_str()),
        (5, "metadata")
    );
    assert!(
        report.first[1]
            .error
            .starts_with("expected a JSON object: "),
        "{}",
        report.first[1].error
    );
}

#[test]
fn a_time_with_no_zone_is_read_as_utc_in_ndjson_as_in_csv() {
    let csv = import(
        b"kind,score,submittedAt\nnps,9,2026-11-23 00:30\n",
        Format::Csv,
        64,
    )
    .1;
    let ndjson = import(
        b"{\"kind\":\"nps\",\"score\":9,\"submittedAt\":\"2026-11-23 00:30\"}\n",
        Format::Ndjson,
        64,
    )
    .1;
    // 2026-11-23 00:30 UTC in seconds since 1970: 2026-01-01 is day 56 × 365 + 14 leap days
    // = 20,454, and 23 November is 326 days after 1 January (304 to 1 November, + 22).
    let expected = Some((20_454 + 326) * 86_400 + 1_800);
    assert_eq!(csv[0].time, expected);
    assert_eq!(ndjson[0].time, expected);
}

#[test]
fn unix_times_and_short_zones_date_a_row_in_every_format() {
    // 2026-11-23 00:30 UTC, worked out as in the test above: 1,795,393,800 (Python agrees).
    let expected = (20_454 + 326) * 86_400 + 1_800;
    assert_eq!(expected, 1_795_393_800);
    let csv = import(
        b"kind,score,submittedAt\nnps,9,1795393800\nnps,9,2026-11-23 01:30:00+01\nnps,9,2026-11-23 00:30:00 UTC\n",
        Format::Csv,
        64,
    )
    .1;
    // A JSON number, in seconds and (JavaScript's `Date.now()`) milliseconds, and text.
    let ndjson = import(
        b"{\"kind\":\"nps\",\"score\":9,\"createdAt\":1795393800}\n\
          {\"kind\":\"nps\",\"score\":9,\"submittedAt\":1795393800000}\n\
          {\"kind\":\"nps\",\"score\":9,\"submittedAt\":\"2026-11-22T19:30:00-0500\"}\n",
        Format::Ndjson,
        64,
    )
    .1;
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str("{\"kind\":\"nps\",\"score\":9,\"submittedAt\":1795393800000}")
            .unwrap();
    let times: Vec<Option<i64>> = csv.iter().chain(&ndjson).map(|r| r.time).collect();
    assert_eq!(times, [Some(expected); 6]);
    assert_eq!(row_from_json(&object).unwrap().time, Some(expected));
}

#[test]
fn a_missing_or_null_kind_or_score_is_said_to_be_missing_not_two_quotes() {
    let lines = "{\"kind\":\"nps\",\"score\":null}\n{\"kind\":\"nps\"}\n{\"score\":9}\n";
    let (report, _) = import(lines.as_bytes(), Format::Ndjson, 64);
    let errors: Vec<&str> = report.first.iter().map(|e| e.error.as_str()).collect();
    assert_eq!(
        errors[0],
        "expected an integer in 0..=10 for nps, got nothing"
    );
    assert_eq!(
        errors[1],
        "expected an integer in 0..=10 for nps, got nothing"
    );
    assert!(errors[2].ends_with(", got nothing"), "{}", errors[2]);
    // A JSON "" the line did hold is said so.
    let (report, _) = import(b"{\"kind\":\"nps\",\"score\":\"\"}\n", Format::Ndjson, 64);
    assert_eq!(
        report.first[0].error,
        "expected an integer in 0..=10 for nps, got \"\""
    );
    // A cell holding text says what it holds.
    let (report, _) = import(b"kind,score\nnps,nine\n", Format::Csv, 64);
    assert_eq!(
        report.first[0].error,
        "expected an integer in 0..=10 for nps, got \"nine\""
    );
}
