use super::*;
use crate::value::Value;

fn json(text: &str) -> Value {
    crate::json::parse(text).unwrap()
}

fn err(text: &str) -> (String, String) {
    let e = parse_response(&json(text)).unwrap_err();
    (e.field, e.error)
}

#[test]
fn every_score_on_every_scale_is_accepted_and_grouped_by_the_server() {
    for (kind, lo, hi) in [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)] {
        for score in lo..=hi {
            // The client claims "promoter" for everything; the server derives the group itself.
            let text = format!(
                r#"{{"id":"r{score}","kind":"{kind}","score":{score},"group":"promoter"}}"#
            );
            let r = parse_response(&json(&text)).unwrap();
            assert_eq!(r.score, score as u8);
            assert_eq!(r.group, Kind::parse(kind).unwrap().group(score).unwrap());
        }
        for bad in [lo - 1, hi + 1] {
            let text = format!(r#"{{"id":"r","kind":"{kind}","score":{bad}}}"#);
            assert_eq!(
                err(&text),
                (
                    "score".into(),
                    format!("expected an integer in {lo}..={hi} for {kind}, got {bad}")
                )
            );
        }
    }
}

#[test]
fn fractional_and_string_scores_are_refused() {
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":8.5}"#).1,
        "expected an integer in 0..=10 for nps, got 8.5"
    );
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":"9"}"#).1,
        r#"expected an integer in 0..=10 for nps, got "9""#
    );
    assert_eq!(
        err(r#"{"id":"a","kind":"nps"}"#).1,
        "expected an integer in 0..=10 for nps, got null"
    );
}

#[test]
fn the_first_bad_field_is_named() {
    assert_eq!(err(r#"[]"#).0, "response");
    assert_eq!(err(r#"{"kind":"nps","score":1}"#).0, "id");
    assert_eq!(err(r#"{"id":"a b","kind":"nps","score":1}"#).0, "id");
    assert_eq!(err(r#"{"id":"a","kind":"nope","score":1}"#).0, "kind");
    assert_eq!(
        err(r#"{"schema":3,"id":"a","kind":"nps","score":1}"#).0,
        "schema"
    );
    assert_eq!(
        err(r#"{"schema":2,"id":"a","kind":"nps","score":1}"#).0,
        "answers"
    );
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":1,"comment":5}"#).0,
        "comment"
    );
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":1,"complete":"yes"}"#).0,
        "complete"
    );
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":1,"metadata":{"agent":{"x":1}}}"#).0,
        "metadata.agent"
    );
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":1,"createdAt":"yesterday"}"#).0,
        "createdAt"
    );
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":1,"reasons":"price"}"#).0,
        "reasons"
    );
}

#[test]
fn comments_are_trimmed_cleaned_and_cut() {
    assert_eq!(
        sanitize_comment("  hola\r\nqué tal\u{0007}\u{202E}  ", 100),
        "hola\nqué tal"
    );
    assert_eq!(sanitize_comment("línea\rdos", 100), "línea\ndos");
    assert_eq!(sanitize_comment("ñññññ", 3), "ñññ");
    assert_eq!(sanitize_comment("ab   cd", 3), "ab");
    assert!(!comment_satisfies_required(" \u{0001}\n\t "));
    assert!(comment_satisfies_required(" ok "));
    let r = parse_response(&json(
        r#"{"id":"a","kind":"nps","score":3,"comment":"   "}"#,
    ))
    .unwrap();
    assert_eq!(r.comment, None);
}

#[test]
fn html_in_a_comment_is_kept_as_text() {
    let r = parse_response(&json(
        r#"{"id":"a","kind":"nps","score":3,"comment":"<img src=x onerror=alert(1)>"}"#,
    ))
    .unwrap();
    assert_eq!(r.comment.as_deref(), Some("<img src=x onerror=alert(1)>"));
}

#[test]
fn a_full_payload_round_trips_through_json() {
    let text = r#"{"schema":1,"id":"9b2c-1","surveyId":"post-ticket","kind":"nps","score":9,"group":"promoter",
      "comment":"Fast \"and\" kind","reasons":["support","support","speed"],"complete":false,"locale":"es",
      "metadata":{"ticketId":123,"agent":"ana"},"user":{"id":"u-42","plan":"pro"},
      "page":"https://example.com/help","createdAt":"2026-11-22T10:00:00Z","submittedAt":"2026-11-22T10:00:41.5+01:00"}"#;
    let r = parse_response(&json(text)).unwrap();
    assert_eq!(r.reasons, ["support", "speed"]);
    assert_eq!(
        r.metadata,
        [
            ("ticketId".into(), "123".into()),
            ("agent".into(), "ana".into())
        ]
    );
    let out: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"schema":1,"id":"9b2c-1","surveyId":"post-ticket","kind":"nps","score":9,"group":"promoter",
          "comment":"Fast \"and\" kind","reasons":["support","speed"],"complete":false,"locale":"es",
          "metadata":{"ticketId":"123","agent":"ana"},"user":{"id":"u-42","plan":"pro"},
          "page":"https://example.com/help","createdAt":"2026-11-22T10:00:00Z","submittedAt":"2026-11-22T10:00:41.5+01:00"})
    );
    assert_eq!(parse_response(&json(&r.to_json())).unwrap(), r);
}

#[test]
fn a_minimal_payload_gets_defaults() {
    let r = parse_response(&json(r#"{"id":"x","kind":"ces","score":6}"#)).unwrap();
    assert_eq!(r.survey_id, "ces");
    assert!(r.complete);
    assert_eq!(r.group, Group::High);
}

#[test]
fn uuids_are_version_4_with_the_rfc_variant() {
    let id = uuid_v4([0xff; 16]);
    assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    let id = uuid_v4([0; 16]);
    assert_eq!(id, "00000000-0000-4000-8000-000000000000");
}

#[test]
fn metadata_and_user_numbers_keep_every_digit() {
    let r = parse_response(&json(
        r#"{"id":"a","kind":"nps","score":9,
            "metadata":{"orderId":1234567890123456,"pi":3.14159265358979,"tiny":0.0000001,"big":12345678901234567890123,"neg":-2.50},
            "user":{"id":9007199254740993,"plan":2}}"#,
    ))
    .unwrap();
    let get = |k: &str| {
        r.metadata
            .iter()
            .find(|(key, _)| key == k)
            .unwrap()
            .1
            .as_str()
    };
    assert_eq!(get("orderId"), "1234567890123456");
    assert_eq!(get("pi"), "3.14159265358979");
    assert_eq!(get("tiny"), "0.0000001");
    assert_eq!(get("big"), "12345678901234567890123");
    assert_eq!(get("neg"), "-2.50");
    let user = r.user.unwrap();
    assert_eq!(user.id.as_deref(), Some("9007199254740993"));
    assert_eq!(user.attributes, vec![("plan".to_string(), "2".to_string())]);
    // A number's text obeys the value length limit like a string's.
    let long = format!(
        r#"{{"id":"a","kind":"nps","score":9,"metadata":{{"x":{}}}}}"#,
        "1".repeat(501)
    );
    assert_eq!(err(&long).0, "metadata.x");
}

#[test]
fn joiners_that_spell_a_word_or_an_emoji_are_kept_and_others_go() {
    // Persian "I want" is spelled with a zero-width non-joiner; without it, it reads as one
    // joined word. The technologist emoji is three characters joined by a zero-width joiner;
    // without it, a woman and a laptop.
    let persian = "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}";
    let technologist = "\u{1F469}\u{200D}\u{1F4BB}";
    let rainbow_flag = "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}";
    let kept = format!("{persian} {technologist} {rainbow_flag}");
    assert_eq!(sanitize_comment(&kept, 100), kept);
    assert_eq!(crate::text::visible_text(&kept), kept);
    // Between Latin letters, beside a space or at an end, a joiner only hides a difference.
    for (sent, clean) in [
        ("pa\u{200D}yment", "payment"),
        ("\u{645}\u{200C} \u{645}", "\u{645} \u{645}"),
        ("\u{200D}\u{1F4BB}", "\u{1F4BB}"),
        ("\u{1F469}\u{200D}", "\u{1F469}"),
        // A doubled joiner joins once.
        ("\u{1F469}\u{200D}\u{200D}\u{1F4BB}", technologist),
        // Between letters that do not shape by it, or between wide spaces, it shows nothing.
        (
            "\u{41C}\u{43E}\u{441}\u{200D}\u{43A}\u{432}\u{430}",
            "\u{41C}\u{43E}\u{441}\u{43A}\u{432}\u{430}",
        ),
        ("x\u{3000}\u{200C}\u{3000}y", "x\u{3000}\u{3000}y"),
        ("\u{645}\u{200C}\u{202E}\u{645}", "\u{645}\u{645}"),
    ] {
        assert_eq!(sanitize_comment(sent, 100), clean, "{sent:?}");
        assert_eq!(crate::text::visible_text(sent), clean, "{sent:?}");
    }
    // Nothing else there: nothing is left, as a required comment needs.
    assert_eq!(sanitize_comment("\u{3000}\u{200C}\u{3000}", 100), "");
    // In a posted answer: the comment and a metadata value keep the joiner; a key does not,
    // as two keys must not differ by what cannot be seen.
    let payload = serde_json::json!({"id":"a","kind":"nps","score":9,"comment":kept,
        "metadata":{ format!("\u{645}\u{200C}\u{645}"): persian }});
    let r = parse_response(&json(&payload.to_string())).unwrap();
    assert_eq!(r.comment.as_deref(), Some(kept.as_str()));
    assert_eq!(
        r.metadata,
        vec![("\u{645}\u{645}".to_string(), persian.to_string())]
    );
}

#[test]
fn invisible_formatting_characters_are_removed_from_text_and_keys() {
    let hidden = [
        '\u{061C}',
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{200E}',
        '\u{200F}',
        '\u{202A}',
        '\u{202B}',
        '\u{202C}',
        '\u{202D}',
        '\u{202E}',
        '\u{2060}',
        '\u{2061}',
        '\u{2062}',
        '\u{2063}',
        '\u{2064}',
        '\u{2066}',
        '\u{2067}',
        '\u{2068}',
        '\u{2069}',
        '\u{FEFF}',
        '\u{E0000}',
        '\u{E0041}',
        '\u{E007F}',
    ];
    let sprinkle = |text: &str| -> String {
        text.chars()
            .zip(hidden.iter().cycle())
            .flat_map(|(c, h)| [c, *h])
            .collect()
    };
    let mut payload = serde_json::json!({"id":"a","kind":"csat","score":4,"surveyId":sprinkle("post-ticket"),
        "comment":sprinkle("fine, thanks"),"reasons":[sprinkle("speed")],"locale":sprinkle("es"),
        "page":sprinkle("https://x.example/"),"user":{"id":sprinkle("u-1"),"tier":sprinkle("gold")}});
    payload["metadata"] = serde_json::json!({ sprinkle("agent"): sprinkle("ana") });
    let r = parse_response(&json(&payload.to_string())).unwrap();
    assert_eq!(r.survey_id, "post-ticket");
    assert_eq!(r.comment.as_deref(), Some("fine, thanks"));
    assert_eq!(r.reasons, ["speed"]);
    assert_eq!(r.locale.as_deref(), Some("es"));
    assert_eq!(r.page.as_deref(), Some("https://x.example/"));
    assert_eq!(r.metadata, vec![("agent".to_string(), "ana".to_string())]);
    let user = r.user.unwrap();
    assert_eq!(user.id.as_deref(), Some("u-1"));
    assert_eq!(
        user.attributes,
        vec![("tier".to_string(), "gold".to_string())]
    );
    let json_out = r
        .metadata
        .iter()
        .map(|(k, v)| format!("{k}{v}"))
        .collect::<String>();
    assert!(!json_out.chars().any(|c| hidden.contains(&c)));
    // Two keys that differ only by invisible characters would be two columns that look alike.
    let (field, error) =
        err(r#"{"id":"a","kind":"nps","score":1,"metadata":{"agent":"x","ag\u200bent":"y"}}"#);
    assert_eq!(field, "metadata.agent");
    assert!(error.contains("invisible"), "{error}");
    // A key made only of invisible characters is empty, and an empty key is refused as
    // such, not dropped: metadata and user attributes alike.
    for body in [
        r#"{"id":"a","kind":"nps","score":1,"metadata":{"\u202e":"x"}}"#,
        r#"{"id":"a","kind":"nps","score":1,"metadata":{"":"x","agent":"ana"}}"#,
    ] {
        let (field, error) = err(body);
        assert_eq!(field, "metadata.", "{body}");
        assert!(error.contains("1 to 64 printable"), "{error}");
    }
    assert_eq!(
        err(r#"{"id":"a","kind":"nps","score":1,"user":{"id":"u","":"x"}}"#).0,
        "user."
    );
    // A NUL in a survey's id is refused (as in a config), not cleaned into another survey's id.
    let (field, error) = err(r#"{"id":"a","kind":"nps","score":1,"surveyId":"s4\u0000i"}"#);
    assert_eq!(field, "surveyId");
    assert!(
        error.starts_with("expected no control characters"),
        "{error}"
    );
}

#[test]
fn schema_2_answers_are_checked_one_by_one_and_named_by_index() {
    let ok = parse_response(&json(
        r#"{"schema":2,"id":"a","answers":[{"key":"s","kind":"csat","score":5},{"key":"r","kind":"yesno","score":0}]}"#,
    ))
    .unwrap();
    // The top level is the first answer when it is left out.
    assert_eq!((ok.kind, ok.score, ok.group), (Kind::Csat, 5, Group::High));
    assert_eq!(
        ok.answers[1],
        Answer {
            key: "r".into(),
            kind: Kind::Yesno,
            score: 0
        }
    );
    let cases = [
        (
            r#"[]"#,
            "answers",
            "expected an array of 1 to 5 answers { key, kind, score }, got an array",
        ),
        (
            r#"[{"key":"s","kind":"csat","score":5},{"key":"r","kind":"yesno","score":2}]"#,
            "answers[1].score",
            "expected an integer in 0..=1 for yesno, got 2",
        ),
        (
            r#"[{"key":"s","kind":"csat","score":5},{"key":"s","kind":"ces","score":2}]"#,
            "answers[1].key",
            "expected each key once, got \"s\"",
        ),
        (
            r#"[{"key":"a b","kind":"csat","score":5}]"#,
            "answers[0].key",
            "expected 1 to 64 letters, digits, '-' or '_', got \"a b\"",
        ),
        (
            r#"[{"key":"s","kind":"stars","score":5}]"#,
            "answers[0].kind",
            "expected \"nps\", \"csat\", \"ces\", \"enps\", \"rating\" or \"yesno\", got \"stars\"",
        ),
    ];
    for (answers, field, error) in cases {
        let text = format!(r#"{{"schema":2,"id":"a","answers":{answers}}}"#);
        assert_eq!(
            err(&text),
            (field.to_string(), error.to_string()),
            "{answers}"
        );
    }
    // The top level must repeat the first answer, and schema 1 carries none.
    assert_eq!(
        err(r#"{"schema":2,"id":"a","kind":"nps","score":3,"answers":[{"key":"s","kind":"csat","score":3}]}"#).0,
        "answers[0]"
    );
    assert_eq!(
        err(r#"{"schema":1,"id":"a","kind":"csat","score":3,"answers":[{"key":"s","kind":"csat","score":3}]}"#).0,
        "answers"
    );
}

#[test]
fn a_score_is_an_integer_as_written_not_only_once_rounded() {
    let post = |score: &str| {
        let text = format!(
            r#"{{"schema":1,"id":"r1","surveyId":"s","kind":"nps","complete":true,"score":{score}}}"#
        );
        parse_response(&crate::json::parse(&text).unwrap())
    };
    assert_eq!(post("10.0").unwrap().score, 10);
    assert_eq!(post("1e1").unwrap().score, 10);
    for not in ["1e-400", "8.99999999999999999", "5e-324"] {
        let error = post(not).unwrap_err();
        assert_eq!(error.field, "score");
        assert!(
            error.message().ends_with(&format!("got {not}")),
            "{}",
            error.message()
        );
    }
}

#[test]
fn an_error_quotes_a_short_value_and_only_measures_a_long_one() {
    // A note of 600 characters in metadata: the error says how long it is, not what it says
    // (errors go into logs and error trackers; the words are a customer's).
    let note = format!("SECRET {}", "x".repeat(593));
    let body = serde_json::json!({"id":"a","kind":"nps","score":9,"metadata":{"note":note}});
    let (field, error) = err(&body.to_string());
    assert_eq!(field, "metadata.note");
    assert!(error.ends_with("got a string of 600 characters"), "{error}");
    assert!(!error.contains("SECRET"), "{error}");
    // A short one is quoted: it tells the sender what was wrong. An id of up to 64
    // characters is still short.
    let (field, error) = err(r#"{"id":"a","kind":"nsp","score":9}"#);
    assert_eq!(field, "kind");
    assert!(error.ends_with(r#"got "nsp""#), "{error}");
    let id = format!("{}!", "t".repeat(63));
    let (field, error) = err(&serde_json::json!({"id":id,"kind":"nps","score":9}).to_string());
    assert_eq!(field, "id");
    assert!(error.ends_with(&format!("got \"{id}\"")), "{error}");
    // A score written as text, too.
    let (field, error) = err(r#"{"id":"a","kind":"nps","score":"ten"}"#);
    assert_eq!(field, "score");
    assert!(error.ends_with(r#"got "ten""#), "{error}");
}
