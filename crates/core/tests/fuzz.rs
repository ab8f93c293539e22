//! Hostile input against every door into core: the JSON body → stored response path
//! (what the collector runs), `parse_config` (what `mount()` runs) and the CSV/NDJSON
//! import (what the Scorer runs). No input may panic, and every refusal names a field.
//!
//! `SONDEO_FUZZ_CASES` sets the cases per property: the test suite runs a few thousand,
//! `npm run bench:fuzz` a million.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sondeo_core::answer::parse_response;
use sondeo_core::import::{Format, Importer};
use sondeo_core::json;
use sondeo_core::survey::parse_config;
use sondeo_core::Value;

fn runner() -> TestRunner {
    let cases = std::env::var("SONDEO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Pieces a hostile body is made of: valid members, wrong types, odd numbers, invisible
/// characters, deep nesting, repeated keys, broken syntax.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(r#""id":"r-1""#.to_string()),
        Just(r#""kind":"nps""#.to_string()),
        Just(r#""kind":"csat""#.to_string()),
        Just(r#""score":9"#.to_string()),
        Just(r#""score":1e400"#.to_string()),
        Just(r#""score":-0"#.to_string()),
        Just(r#""score":"7""#.to_string()),
        Just(r#""complete":false"#.to_string()),
        Just(r#""metadata":{"orderId":12345678901234567890123,"a\u202e":"b\u200b"}"#.to_string()),
        Just(r#""metadata":{"k":{"nested":[1,2]}}"#.to_string()),
        Just(r#""user":{"id":1.5e-9,"id":2}"#.to_string()),
        Just(r#""reasons":["x","x",null,3]"#.to_string()),
        Just(r#""comment":"=HYPERLINK(\"x\")\u0000\ud83d\ude42""#.to_string()),
        Just(r#""createdAt":"2026-13-40T99:99:99Z""#.to_string()),
        Just(r#""surveyId":"\ufeff""#.to_string()),
        Just(r#""schema":2"#.to_string()),
        Just(r#""answers":[{"key":"s","kind":"csat","score":4},{"key":"r","kind":"yesno","score":1}]"#.to_string()),
        Just(r#""answers":[{"key":"s","kind":"csat","score":4},{"key":"s","kind":"yesno","score":7}]"#.to_string()),
        Just(r#""answers":[{"key":"a b","kind":"rating"},null,7,[],{}]"#.to_string()),
        Just(r#""answers":{"key":"s"}"#.to_string()),
        "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,12}",
        "\\PC{0,8}".prop_map(|s| format!("{s:?}:{s:?}")),
        (1usize..60).prop_map(|n| format!("\"deep\":{}{}", "[".repeat(n), "]".repeat(n))),
    ]
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(fragment(), 0..8).prop_map(|parts| format!("{{{}}}", parts.join(","))),
        1 => proptest::collection::vec(fragment(), 0..6).prop_map(|parts| format!("[{{{}}}]", parts.join(","))),
        1 => proptest::collection::vec(any::<u8>(), 0..200).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

#[test]
fn a_body_is_stored_or_refused_with_a_named_field_never_a_panic() {
    runner()
        .run(&body(), |text| {
            let value = match json::parse(&text) {
                Ok(value) => value,
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    return Ok(());
                }
            };
            let items = match value {
                Value::Array(items) => items,
                single => vec![single],
            };
            for item in &items {
                match parse_response(item) {
                    Ok(response) => {
                        // What is stored reads back as the same response.
                        let stored = json::parse(&response.to_json()).unwrap();
                        prop_assert_eq!(parse_response(&stored).unwrap(), response);
                    }
                    Err(e) => {
                        prop_assert!(!e.field.is_empty(), "no field in {:?}", e);
                        prop_assert!(!e.error.is_empty());
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

fn config_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(r#""kind":"nps""#.to_string()),
        Just(r#""kind":"ces""#.to_string()),
        Just(r#""endpoint":"/api/responses""#.to_string()),
        Just(r#""endpoint":"/\\evil.example""#.to_string()),
        Just(r#""followUp":{"maxLength":0,"required":"yes"}"#.to_string()),
        Just(r#""reasons":{"options":[1,2,3],"multiple":null}"#.to_string()),
        Just(r#""display":{"mode":"modal","position":"middle"}"#.to_string()),
        Just(r#""trigger":{"delayMs":-1,"scrollPercent":101,"event":""}"#.to_string()),
        Just(r#""sample":1.5"#.to_string()),
        Just(r#""theme":{"accent":"red;}body{","--sondeo-x":"1px"}"#.to_string()),
        Just(r#""headers":{"Bad Header":"x","X-Ok":"a\r\nb"}"#.to_string()),
        Just(r#""metadata":{"n":1234567890123456789,"\u200b":"x"}"#.to_string()),
        Just(r#""delivery":{"maxAttempts":1e9,"maxAgeDays":0}"#.to_string()),
        Just(r#""texts":{"npsQuestion":"<b>x</b>","unknown":"y"}"#.to_string()),
        Just(r#""thankYou":{"link":{"url":"javascript:alert(1)","text":""}}"#.to_string()),
        Just(r#""unknownKey":true"#.to_string()),
        Just(r#""questions":[{"key":"s","kind":"csat"},{"key":"r","kind":"yesno","scale":"stars"}]"#.to_string()),
        Just(r#""questions":[{"key":"s"},{"kind":"rating","question":""},7,null,{"key":"s","kind":"nps"},{},{}]"#.to_string()),
        Just(r#""followUp":{"after":"nowhere","low":"x","detractor":"y"}"#.to_string()),
        "\\PC{0,8}".prop_map(|s| format!("{s:?}:{s:?}")),
    ]
}

#[test]
fn a_config_is_accepted_or_every_problem_names_its_field() {
    let configs = proptest::collection::vec(config_fragment(), 0..10)
        .prop_map(|parts| format!("{{{}}}", parts.join(",")));
    runner()
        .run(&configs, |text| {
            let Ok(value) = json::parse(&text) else {
                return Ok(()); // a generated duplicate key: JSON the widget never sees
            };
            if let Err(errors) = parse_config(&value) {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(!e.field.is_empty(), "no field in {:?}", e);
                    prop_assert!(!e.problem.is_empty());
                }
            }
            Ok(())
        })
        .unwrap();
}

fn import_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{\"kind\":\"nps\",\"score\":9,\"metadata\":{\"agent\":\"ana\"}}".to_string()),
        Just("{\"kind\":\"csat\",\"score\":\"4\",\"submittedAt\":\"2026-11-20\"}".to_string()),
        Just("kind,score,comment".to_string()),
        Just("nps,10,\"a \"\"quoted\"\"\nnew line\"".to_string()),
        Just("ces,8,".to_string()),
        Just("{\"kind\":\"csat\",\"score\":4,\"answers\":[{\"key\":\"s\",\"kind\":\"csat\",\"score\":4},{\"key\":\"r\",\"kind\":\"yesno\",\"score\":9}]}".to_string()),
        Just("kind,score,answers".to_string()),
        Just("csat,4,\"[{\"\"key\"\":1}]\"".to_string()),
        Just("\u{feff}kind,score".to_string()),
        Just("\"unterminated".to_string()),
        "[\\PC,\"\\r\\n{}:]{0,30}",
    ]
}

#[test]
fn an_import_accepts_or_rejects_each_row_with_a_named_field_in_any_chunking() {
    let files = (
        proptest::collection::vec(import_line(), 0..12),
        any::<bool>(),
        1usize..40,
    );
    runner()
        .run(&files, |(lines, csv, chunk)| {
            let text = lines.join("\n");
            let format = if csv { Format::Csv } else { Format::Ndjson };
            let mut importer = Importer::new(format);
            let mut rows = 0u64;
            for piece in text.as_bytes().chunks(chunk) {
                importer.feed(piece, &mut |_| rows += 1);
            }
            let report = importer.finish(&mut |_| rows += 1);
            prop_assert_eq!(report.accepted, rows);
            for e in &report.first {
                prop_assert!(!e.field.is_empty(), "no field in {:?}", e);
            }
            // The same file in one chunk gives the same report.
            let mut whole = Importer::new(format);
            whole.feed(text.as_bytes(), &mut |_| {});
            prop_assert_eq!(whole.finish(&mut |_| {}), report);
            Ok(())
        })
        .unwrap();
}
