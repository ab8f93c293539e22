use super::*;
use crate::i18n::TextKey;
use crate::metric::Kind;
use crate::value::Value;

fn json(text: &str) -> Value {
    Value::from(serde_json::from_str::<serde_json::Value>(text).unwrap())
}

fn errors(text: &str) -> Vec<String> {
    parse_config(&json(text))
        .unwrap_err()
        .iter()
        .map(ConfigError::message)
        .collect()
}

fn ok(text: &str) -> Config {
    parse_config(&json(text)).unwrap_or_else(|e| panic!("{}", errors_message(&e)))
}

#[test]
fn kind_and_endpoint_are_enough_and_everything_else_has_a_default() {
    let c = ok(r#"{"kind":"nps","endpoint":"/api/responses"}"#);
    assert_eq!(c.id, "nps");
    assert_eq!(c.kind, Kind::Nps);
    assert_eq!(c.questions[0].scale, ScaleStyle::Numbers);
    assert!(c.follow_up.enabled && !c.follow_up.required);
    assert_eq!(c.follow_up.max_length, 1000);
    assert_eq!(c.display.mode, DisplayMode::Inline);
    assert!(c.trigger.load);
    assert_eq!(c.targeting, Targeting::default());
    assert_eq!(c.locale, "auto");
    assert_eq!(c.method, Method::Post);
    assert_eq!(c.delivery, Delivery::default());
}

#[test]
fn missing_kind_and_endpoint_are_both_reported() {
    let e = errors("{}");
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with("kind: required"));
    assert!(e[1].starts_with("endpoint: required"));
}

#[test]
fn a_config_that_is_not_an_object_is_refused() {
    assert_eq!(errors("[1]"), ["config: expected an object, got an array"]);
}

#[test]
fn unknown_kind_names_the_choices() {
    assert_eq!(
        errors(r#"{"kind":"ness","endpoint":"/x"}"#),
        [r#"kind: expected "nps", "csat", "ces", "enps", "rating" or "yesno", got "ness""#]
    );
}

#[test]
fn unsafe_endpoints_are_refused() {
    for bad in [
        "javascript:alert(1)",
        "//evil.example/x",
        "/\\evil.example/x",
        "\\\\evil.example/x",
        "\\/evil.example/x",
        // Shown right to left after the override: "https://example.com/moc.live".
        "https://example.com/\u{202E}evil.com",
        "ftp://x",
        "",
        "https://",
        // A user name before the host: the address reads as the bank's, and goes elsewhere.
        "https://bank.example@evil.example/x",
        "http://user:pass@collector.example/x",
    ] {
        let text = serde_json::json!({"kind":"nps","endpoint":bad}).to_string();
        let e = errors(&text);
        assert!(
            e[0].starts_with("endpoint: expected an http(s) URL"),
            "{bad}: {e:?}"
        );
    }
    ok(r#"{"kind":"nps","endpoint":"https://collector.example.com/api/responses"}"#);
    // An @ after the host (in the path or query) names no user.
    ok(r#"{"kind":"nps","endpoint":"https://collector.example.com/r/@team?by=a@b"}"#);
}

#[test]
fn follow_up_max_length_is_checked_against_its_range() {
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","followUp":{"maxLength":0}}"#),
        ["followUp.maxLength: expected an integer in 1..=5000, got 0"]
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","followUp":{"maxLength":2.5}}"#),
        ["followUp.maxLength: expected an integer in 1..=5000, got 2.5"]
    );
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x","followUp":{"maxLength":5000}}"#)
            .follow_up
            .max_length,
        5000
    );
}

#[test]
fn follow_up_texts_are_keyed_by_the_kinds_groups() {
    let c = ok(
        r#"{"kind":"csat","endpoint":"/x","followUp":{"low":"What broke?","high":"Yay, why?","required":true}}"#,
    );
    assert_eq!(c.follow_up.texts[0].as_deref(), Some("What broke?"));
    assert_eq!(c.follow_up.texts[1], None);
    assert_eq!(c.follow_up.texts[2].as_deref(), Some("Yay, why?"));
    assert!(c.follow_up.required);
    let e = errors(r#"{"kind":"csat","endpoint":"/x","followUp":{"detractor":"?"}}"#);
    assert!(
        e[0].starts_with("followUp.detractor: unknown field; expected one of"),
        "{e:?}"
    );
    assert!(
        !ok(r#"{"kind":"nps","endpoint":"/x","followUp":false}"#)
            .follow_up
            .enabled
    );
}

#[test]
fn stars_and_emoji_are_for_csat_only() {
    assert_eq!(
        ok(r#"{"kind":"csat","endpoint":"/x","scale":"stars"}"#).questions[0].scale,
        ScaleStyle::Stars
    );
    assert_eq!(
        ok(r#"{"kind":"csat","endpoint":"/x","scale":"emoji"}"#).questions[0].scale,
        ScaleStyle::Emoji
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","scale":"stars"}"#),
        [r#"scale: expected one of "numbers", got "stars""#]
    );
}

#[test]
fn reasons_accept_a_list_or_an_object_and_refuse_duplicates() {
    let c = ok(r#"{"kind":"nps","endpoint":"/x","reasons":["Price","Support"]}"#);
    assert_eq!(c.reasons.options, ["Price", "Support"]);
    assert!(c.reasons.multiple);
    let c = ok(r#"{"kind":"nps","endpoint":"/x","reasons":{"options":["A"],"multiple":false}}"#);
    assert!(!c.reasons.multiple);
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","reasons":["A","A"]}"#),
        [r#"reasons.options[1]: expected each option once, got "A""#]
    );
    assert!(errors(r#"{"kind":"nps","endpoint":"/x","reasons":["",2]}"#).len() == 2);
}

#[test]
fn thank_you_link_needs_a_safe_url_and_text() {
    let c = ok(
        r#"{"kind":"nps","endpoint":"/x","thankYou":{"promoter":"Thanks!","link":{"url":"https://g.page/r/x","text":"Review us"}}}"#,
    );
    assert_eq!(c.thank_you.texts[2].as_deref(), Some("Thanks!"));
    assert_eq!(c.thank_you.link.unwrap().text, "Review us");
    let e = errors(r#"{"kind":"nps","endpoint":"/x","thankYou":{"link":{"url":"javascript:x"}}}"#);
    assert_eq!(e.len(), 2);
    assert!(e[0].starts_with("thankYou.link.url: expected"));
    assert!(e[1].starts_with("thankYou.link.text: required"));
}

#[test]
fn display_accepts_a_shorthand_and_checks_positions() {
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x","display":"modal"}"#)
            .display
            .mode,
        DisplayMode::Modal
    );
    let c =
        ok(r#"{"kind":"nps","endpoint":"/x","display":{"mode":"slide-in","position":"top-left"}}"#);
    assert_eq!(
        (c.display.mode, c.display.position),
        (DisplayMode::SlideIn, Position::TopLeft)
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","display":{"mode":"popup"}}"#)[0]
            .starts_with("display.mode: expected one of")
    );
    // The error names the field as written: the shorthand string, or the object's member.
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","display":"popup"}"#)[0]
            .starts_with("display: expected one of")
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","display":{"mode":5}}"#)[0]
            .starts_with("display.mode: expected one of")
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","display":{"position":"middle"}}"#)[0]
            .starts_with("display.position: expected one of")
    );
}

#[test]
fn triggers_other_than_load_make_load_opt_in() {
    let c = ok(r#"{"kind":"nps","endpoint":"/x","trigger":{"scrollPercent":50}}"#);
    assert_eq!(c.trigger.scroll_percent, Some(50));
    assert!(!c.trigger.load);
    let c = ok(
        r#"{"kind":"nps","endpoint":"/x","trigger":{"event":"checkout:done","load":true,"delayMs":500}}"#,
    );
    assert!(c.trigger.load);
    assert_eq!(c.trigger.delay_ms, 500);
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","trigger":{"scrollPercent":101}}"#),
        ["trigger.scrollPercent: expected an integer in 0..=100, got 101"]
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","trigger":{"onLoad":true}}"#)[0]
            .starts_with("trigger.onLoad: unknown field")
    );
}

#[test]
fn sampling_and_recontact_are_range_checked() {
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x","sample":0.25,"recontactDays":90}"#)
            .targeting
            .sample,
        0.25
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","sample":1.5}"#),
        ["sample: expected a number in 0..=1, got 1.5"]
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","recontactDays":-1}"#),
        ["recontactDays: expected an integer in 0..=3650, got -1"]
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","dismissDays":"7"}"#),
        [r#"dismissDays: expected an integer in 0..=3650, got "7""#]
    );
}

#[test]
fn locale_must_look_like_a_language_tag() {
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x","locale":"pt-BR"}"#).locale,
        "pt-BR"
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","locale":"<es>"}"#)[0]
            .starts_with("locale: expected")
    );
}

#[test]
fn texts_override_known_keys_only() {
    let c = ok(r#"{"kind":"nps","endpoint":"/x","texts":{"submit":"Go"}}"#);
    assert_eq!(c.texts, [(TextKey::Submit, String::from("Go"))]);
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","texts":{"sumbit":"Go"}}"#)[0]
            .starts_with("texts.sumbit: unknown text; expected one of")
    );
}

#[test]
fn theme_sets_known_or_prefixed_custom_properties() {
    let c = ok(
        r##"{"kind":"nps","endpoint":"/x","theme":{"mode":"dark","accent":"#0b5fff","--sondeo-radius":"4px"}}"##,
    );
    assert_eq!(c.theme.mode, ThemeMode::Dark);
    assert_eq!(
        c.theme.vars,
        [
            ("--sondeo-accent".into(), "#0b5fff".into()),
            ("--sondeo-radius".into(), "4px".into())
        ]
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","theme":{"color":"red"}}"#)[0]
            .starts_with("theme.color: unknown theme field")
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","theme":{"accent":"red;}body{"}}"#)[0]
            .starts_with("theme.accent: expected a CSS value")
    );
    // Nothing that loads from elsewhere, however it is spelled.
    for loads in [
        "url(https://tracker.example/p.png)",
        "URL( 'x' )",
        "image-set(\"a.png\" 1x)",
        "\\75 rl(x)",
        "-webkit-image-set(x 1x)",
    ] {
        let text = serde_json::json!({"kind":"nps","endpoint":"/x","theme":{"background":loads}})
            .to_string();
        assert!(
            errors(&text)[0].starts_with("theme.background: expected a CSS value"),
            "{loads}"
        );
    }
    ok(
        r#"{"kind":"nps","endpoint":"/x","theme":{"accent":"color-mix(in srgb, var(--x) 50%, #fff)"}}"#,
    );
}

#[test]
fn metadata_takes_strings_numbers_and_booleans() {
    let c = ok(
        r#"{"kind":"nps","endpoint":"/x","metadata":{"ticketId":123,"agent":"ana","vip":true}}"#,
    );
    assert_eq!(
        c.metadata,
        [
            ("ticketId".into(), "123".into()),
            ("agent".into(), "ana".into()),
            ("vip".into(), "true".into())
        ]
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","metadata":{"a":{"b":1}}}"#)[0]
            .starts_with("metadata.a: expected a string, number or boolean of at most 500")
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","metadata":[1]}"#)[0]
            .starts_with("metadata: expected an object")
    );
}

#[test]
fn metadata_numbers_must_be_finite() {
    // Only a page's own object can hold them (JSON cannot): NaN and the infinities.
    for n in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let config = Value::Object(vec![
            ("kind".into(), Value::String("nps".into())),
            ("endpoint".into(), Value::String("/x".into())),
            (
                "metadata".into(),
                Value::Object(vec![("n".into(), Value::Number(n, None))]),
            ),
        ]);
        let e = parse_config(&config).unwrap_err();
        assert_eq!(e[0].field, "metadata.n", "{n}");
        assert!(
            e[0].problem
                .starts_with("expected a string, number or boolean"),
            "{n}: {e:?}"
        );
    }
}

#[test]
fn headers_need_valid_names_and_single_line_values() {
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x","headers":{"X-Api-Key":"k"}}"#).headers,
        [("X-Api-Key".into(), "k".into())]
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","headers":{"Bad Name":"k"}}"#)[0]
            .starts_with("headers.Bad Name: expected a valid header name")
    );
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","headers":{"X":"a\r\nb"}}"#)[0]
            .starts_with("headers.X: expected a string")
    );
}

#[test]
fn user_id_and_attributes_are_read() {
    let c = ok(r#"{"kind":"nps","endpoint":"/x","user":{"id":42,"plan":"pro"}}"#);
    assert_eq!(c.user.id.as_deref(), Some("42"));
    assert_eq!(c.user.attributes, [("plan".into(), "pro".into())]);
}

#[test]
fn delivery_limits_are_range_checked() {
    let c = ok(
        r#"{"kind":"nps","endpoint":"/x","delivery":{"maxAttempts":3,"queueLimit":10,"partial":false}}"#,
    );
    assert_eq!(
        (
            c.delivery.max_attempts,
            c.delivery.queue_limit,
            c.delivery.partial
        ),
        (3, 10, false)
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","delivery":{"maxAttempts":0}}"#),
        ["delivery.maxAttempts: expected an integer in 1..=100, got 0"]
    );
    // An attempt ends before its lease (30 s), so no other tab sends the response meanwhile.
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x"}"#).delivery.timeout_ms,
        20_000
    );
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x","delivery":{"timeoutMs":25000}}"#)
            .delivery
            .timeout_ms,
        25_000
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","delivery":{"timeoutMs":30000}}"#),
        ["delivery.timeoutMs: expected an integer in 1000..=25000, got 30000"]
    );
}

#[test]
fn a_typo_at_the_top_level_is_reported_with_the_known_fields() {
    let e = errors(r#"{"kind":"nps","endpoint":"/x","endpont":"/y"}"#);
    assert!(
        e[0].starts_with("endpont: unknown field; expected one of id, kind"),
        "{e:?}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let e = errors(
        r#"{"kind":"nps","endpoint":"/x","sample":2,"followUp":{"maxLength":0},"locale":5}"#,
    );
    assert_eq!(e.len(), 3, "{e:?}");
    let message = errors_message(
        &parse_config(&json(
            r#"{"kind":"nps","endpoint":"/x","sample":2,"locale":5}"#,
        ))
        .unwrap_err(),
    );
    assert_eq!(message, "sondeo: invalid config: sample: expected a number in 0..=1, got 2; locale: expected \"auto\" or a language tag such as \"es\" or \"pt-BR\", got 5");
}

#[test]
fn config_metadata_keeps_number_text_and_loses_invisible_characters() {
    let mut input = json(r#"{"kind":"nps","endpoint":"/x"}"#);
    if let Value::Object(members) = &mut input {
        members.push((
            "metadata".into(),
            Value::Object(vec![
                (
                    "orderId".into(),
                    Value::Number(1234567890123456.0, Some("1234567890123456".into())),
                ),
                (
                    "ratio".into(),
                    Value::Number(0.1 + 0.2, Some("0.30000000000000004".into())),
                ),
                ("count".into(), Value::Number(42.0, None)),
                ("agent\u{202E}".into(), Value::String("a\u{200B}na".into())),
            ]),
        ));
    }
    let c = parse_config(&input).unwrap_or_else(|e| panic!("{}", errors_message(&e)));
    assert_eq!(
        c.metadata,
        vec![
            ("orderId".to_string(), "1234567890123456".to_string()),
            ("ratio".to_string(), "0.30000000000000004".to_string()),
            ("count".to_string(), "42".to_string()),
            ("agent".to_string(), "ana".to_string()),
        ]
    );
}

#[test]
fn config_metadata_follows_the_payload_s_rule_so_the_collector_never_refuses_it() {
    let c = ok(
        r#"{"kind":"nps","endpoint":"/x","metadata":{"empty":"","lines":"a\nb\tc","ctl":"x\u0007y"}}"#,
    );
    // The same map read as a payload's metadata gives the same entries.
    let payload = crate::answer::parse_response(&json(
        r#"{"id":"a","kind":"nps","score":9,"metadata":{"empty":"","lines":"a\nb\tc","ctl":"x\u0007y"}}"#,
    ))
    .unwrap();
    assert_eq!(c.metadata, payload.metadata);
    assert_eq!(
        c.metadata,
        [
            ("lines".into(), "a b c".into()),
            ("ctl".into(), "xy".into())
        ]
    );
}

#[test]
fn a_page_may_fix_the_response_id_and_a_bad_one_is_named() {
    assert_eq!(
        ok(r#"{"kind":"csat","endpoint":"/x","responseId":"ticket-123_post"}"#)
            .response_id
            .as_deref(),
        Some("ticket-123_post")
    );
    assert_eq!(ok(r#"{"kind":"csat","endpoint":"/x"}"#).response_id, None);
    for bad in [r#""""#, r#""a b""#, r#""ñ""#, "12"] {
        let text = format!(r#"{{"kind":"csat","endpoint":"/x","responseId":{bad}}}"#);
        assert!(
            errors(&text)[0].starts_with("responseId: expected 1 to 64"),
            "{bad}"
        );
    }
}

#[test]
fn consent_is_none_or_required() {
    assert!(!ok(r#"{"kind":"nps","endpoint":"/x"}"#).consent_required);
    assert!(ok(r#"{"kind":"nps","endpoint":"/x","consent":"required"}"#).consent_required);
    assert!(
        errors(r#"{"kind":"nps","endpoint":"/x","consent":"maybe"}"#)[0]
            .starts_with("consent: expected")
    );
}

#[test]
fn targeting_fields_are_read_and_checked() {
    let t = ok(
        r#"{"kind":"nps","endpoint":"/x","showOn":["/checkout/*","/plans?plan=pro"],
        "hideOn":"/login","maxDisplays":3,"globalCooldownDays":7,"afterPageViews":3,
        "afterSessions":2,"afterSeconds":30,"force":true}"#,
    )
    .targeting;
    assert_eq!(t.show_on, ["/checkout/*", "/plans?plan=pro"]);
    assert_eq!(
        t.hide_on,
        ["/login"],
        "a single pattern reads as a list of one"
    );
    assert_eq!(
        (
            t.max_displays,
            t.global_cooldown_days,
            t.after_page_views,
            t.after_sessions,
            t.after_seconds,
            t.force
        ),
        (3, 7, 3, 2, 30, true)
    );
    assert_eq!(
        errors(
            r#"{"kind":"nps","endpoint":"/x","showOn":["checkout"],"hideOn":{},"afterSeconds":1.5,"maxDisplays":-1}"#
        ),
        [
            r#"maxDisplays: expected an integer in 0..=1000, got -1"#,
            r#"afterSeconds: expected an integer in 0..=86400, got 1.5"#,
            r##"showOn: expected a path pattern such as "/checkout/*" or "#/billing", or a list of up to 20, got "checkout""##,
            r##"hideOn: expected a path pattern such as "/checkout/*" or "#/billing", or a list of up to 20, got an object"##,
        ]
    );
}

#[test]
fn the_thank_you_closes_after_four_seconds_unless_told_otherwise() {
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x"}"#)
            .thank_you
            .close_after_ms,
        4000
    );
    assert_eq!(
        ok(r#"{"kind":"nps","endpoint":"/x","thankYou":{"closeAfterMs":0}}"#)
            .thank_you
            .close_after_ms,
        0
    );
    assert_eq!(
        errors(r#"{"kind":"nps","endpoint":"/x","thankYou":{"closeAfterMs":-1}}"#),
        ["thankYou.closeAfterMs: expected an integer in 0..=600000, got -1"]
    );
}

#[test]
fn a_language_pack_is_checked_as_texts_are() {
    let (texts, problems) = parse_texts(&json(r#"{"submit":"Envoyer","npsLow":"","bogus":"x"}"#));
    assert_eq!(texts, [(TextKey::Submit, "Envoyer".to_owned())]);
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["texts.npsLow", "texts.bogus"]);
    assert_eq!(parse_texts(&json("[1]")).1[0].field, "texts");
}

#[test]
fn questions_are_read_with_their_keys_kinds_and_scales() {
    let c = ok(r#"{"endpoint":"/x","questions":[
        {"key":"satisfaction","kind":"csat","scale":"emoji"},
        {"key":"resolved","kind":"yesno"},
        {"key":"agent","kind":"rating","question":"How was Ana?"}]}"#);
    assert_eq!(
        c.kind,
        Kind::Csat,
        "the first question is the response's kind"
    );
    assert_eq!(c.id, "csat");
    let read: Vec<(&str, Kind, ScaleStyle, Option<&str>)> = c
        .questions
        .iter()
        .map(|q| (q.key.as_str(), q.kind, q.scale, q.text.as_deref()))
        .collect();
    assert_eq!(
        read,
        [
            ("satisfaction", Kind::Csat, ScaleStyle::Emoji, None),
            ("resolved", Kind::Yesno, ScaleStyle::Words, None),
            (
                "agent",
                Kind::Rating,
                ScaleStyle::Stars,
                Some("How was Ana?")
            ),
        ]
    );
    assert!(c.multiple_questions() && c.follow_up.after.is_none());
}

#[test]
fn bad_questions_are_named_by_index() {
    assert_eq!(
        errors(r#"{"endpoint":"/x","questions":[{"key":"a","kind":"csat"}]}"#),
        ["questions: expected an array of 2 to 5 questions, got an array"]
    );
    assert_eq!(
        errors(
            r#"{"endpoint":"/x","kind":"nps","questions":[{"key":"a","kind":"csat","scale":"emoji"},{"key":"a","kind":"yesno","scale":"stars"},{"kind":"ces","colour":1}],"followUp":{"after":"zz"}}"#
        ),
        [
            "kind: not used with questions; give it to each question",
            "questions[1].key: expected each key once, got \"a\"",
            "questions[1].scale: expected one of \"words\", got \"stars\"",
            "questions[2].colour: unknown field; expected one of key, kind, question, scale",
            "questions[2].key: required; expected 1 to 64 letters, digits, '-' or '_'",
            "followUp.after: expected the key of one of the survey's questions, got \"zz\"",
        ]
    );
    // Two namings of the worst group would be two texts for one slot.
    assert_eq!(
        errors(
            r#"{"endpoint":"/x","questions":[{"key":"n","kind":"nps"},{"key":"r","kind":"yesno"}],"followUp":{"detractor":"Why not?","low":"What went wrong?"}}"#
        ),
        ["followUp.low: the same group as followUp.detractor; give one of them"]
    );
    // A single-question survey has no question to name.
    assert_eq!(
        errors(r#"{"endpoint":"/x","kind":"nps","followUp":{"after":"nps"}}"#),
        ["followUp.after: expected the key of one of the survey's questions, got \"nps\""]
    );
}

#[test]
fn config_texts_are_checked_as_shown_and_kept_as_written() {
    // Three reasons a visitor would see as one "a": the same option, refused as such.
    let e = errors(r#"{"kind":"nps","endpoint":"/x","reasons":["a","a\u200b","\u200ba"]}"#);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("reasons.options[1]: expected each option once"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("reasons.options[2]: expected each option once"),
        "{e:?}"
    );
    // An endpoint relative to the page would change with each page that resends it.
    let e = errors(r#"{"kind":"nps","endpoint":"./api/responses"}"#);
    assert_eq!(
        e,
        ["endpoint: expected an http(s) URL or a path from the site's root such as \"/api/responses\", got \"./api/responses\""]
    );
    // An empty metadata key is refused by name, not dropped.
    let e = errors(r#"{"kind":"nps","endpoint":"/x","metadata":{"":"v","agent":"ana"}}"#);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("metadata.: expected a key of 1 to 64"),
        "{e:?}"
    );
    // A question of bidi and zero-width characters alone shows nothing: it is empty.
    let e = errors(r#"{"kind":"nps","endpoint":"/x","question":"\u202e\u200b"}"#);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("question: expected a non-empty string"),
        "{e:?}"
    );
    // An id with a NUL is a mistake: refused. One with a joiner a word needs is a name.
    for id in [r"a\u0000b", r"a\u001fb"] {
        let e = errors(&format!(r#"{{"kind":"nps","endpoint":"/x","id":"{id}"}}"#));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("id: expected no control characters"),
            "{e:?}"
        );
    }
    let persian = ok(
        r#"{"kind":"nps","endpoint":"/x","id":"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"}"#,
    );
    assert_eq!(
        persian.id,
        "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}"
    );
    // A translation's own marks and soft hyphens stay as written.
    let c = ok(
        r#"{"kind":"nps","endpoint":"/x","question":"\u05de\u05d4 \u200fNPS\u200f?","reasons":["Kunden\u00adservice"]}"#,
    );
    assert_eq!(
        c.questions[0].text.as_deref(),
        Some("\u{5de}\u{5d4} \u{200f}NPS\u{200f}?")
    );
    assert_eq!(c.reasons.options, ["Kunden\u{ad}service"]);
}
