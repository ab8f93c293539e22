use super::*;
use crate::survey::parse_config;
use crate::value::Value;

fn config(extra: &[(&str, Value)]) -> Config {
    let mut members = vec![
        ("kind".to_string(), Value::String("nps".into())),
        ("endpoint".to_string(), Value::String("/x".into())),
    ];
    for (k, v) in extra {
        members.retain(|(key, _)| key != k);
        members.push((k.to_string(), v.clone()));
    }
    parse_config(&Value::Object(members)).unwrap()
}

fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.to_string())).collect())
}

#[test]
fn keys_move_along_the_scale_and_wrap_at_its_ends() {
    let nps = Kind::Nps;
    let ltr = |key| Move::from_key(key, false);
    assert_eq!(ltr("ArrowRight").unwrap().apply(nps, 4), 5);
    assert_eq!(ltr("ArrowDown").unwrap().apply(nps, 10), 0);
    assert_eq!(ltr("ArrowLeft").unwrap().apply(nps, 0), 10);
    assert_eq!(ltr("ArrowUp").unwrap().apply(nps, 7), 6);
    assert_eq!(ltr("Home").unwrap().apply(nps, 7), 0);
    assert_eq!(ltr("End").unwrap().apply(Kind::Csat, 2), 5);
    assert_eq!(Move::Previous.apply(Kind::Ces, 1), 7);
    assert_eq!(ltr("Enter"), None);
}

#[test]
fn in_a_right_to_left_page_the_horizontal_arrows_follow_what_is_seen() {
    // The scale runs right to left: the point to the left of 4 is 5.
    let rtl = |key| Move::from_key(key, true);
    assert_eq!(rtl("ArrowLeft").unwrap().apply(Kind::Nps, 4), 5);
    assert_eq!(rtl("ArrowRight").unwrap().apply(Kind::Nps, 4), 3);
    assert_eq!(
        rtl("ArrowDown").unwrap().apply(Kind::Nps, 4),
        5,
        "down is down either way"
    );
    assert_eq!(rtl("Home").unwrap().apply(Kind::Nps, 4), 0);
}

#[test]
fn a_score_is_chosen_and_changed_until_submitted_and_never_off_the_scale() {
    let c = config(&[]);
    let mut p = Prompt::new(&c);
    assert_eq!(p.select(11), None);
    assert_eq!(p.select(3), Some(Group::Detractor));
    assert_eq!(p.select(9), Some(Group::Promoter));
    assert_eq!(p.score(), Some(9));
    assert_eq!(p.submit(&c, ""), Ok(Group::Promoter));
    assert_eq!(p.select(2), None, "the answer is final once sent");
    assert_eq!(p.score(), Some(9));
    assert_eq!(p.submit(&c, ""), Err(NotSubmitted::AlreadySent));
}

#[test]
fn a_required_comment_blocks_the_submit_until_it_has_words() {
    let required = Value::Object(vec![("required".into(), Value::Bool(true))]);
    let c = config(&[("followUp", required)]);
    let mut p = Prompt::new(&c);
    assert_eq!(p.submit(&c, "fine"), Err(NotSubmitted::NoScore));
    p.select(4);
    assert_eq!(
        p.submit(&c, " \n\u{200B} "),
        Err(NotSubmitted::CommentRequired)
    );
    assert!(!p.submitted());
    assert_eq!(p.submit(&c, "slow refund"), Ok(Group::Detractor));
}

#[test]
fn single_choice_chips_release_each_other_and_multiple_ones_do_not() {
    let single = Value::Object(vec![
        ("options".into(), strings(&["Price", "Speed", "Staff"])),
        ("multiple".into(), Value::Bool(false)),
    ]);
    let c = config(&[("reasons", single)]);
    let mut p = Prompt::new(&c);
    p.toggle_reason(0);
    p.toggle_reason(2);
    assert_eq!(
        (p.reason(0), p.reason(1), p.reason(2)),
        (false, false, true)
    );
    p.toggle_reason(2);
    assert!(!p.reason(2));
    p.toggle_reason(7); // no such chip: nothing happens
    let multiple = Value::Object(vec![
        ("options".into(), strings(&["Price", "Speed", "Staff"])),
        ("multiple".into(), Value::Bool(true)),
    ]);
    let c = config(&[("reasons", multiple)]);
    let mut p = Prompt::new(&c);
    p.toggle_reason(0);
    p.toggle_reason(2);
    assert_eq!((p.reason(0), p.reason(1), p.reason(2)), (true, false, true));
}

#[test]
fn the_response_carries_the_answers_in_the_config_s_order_and_derives_the_group() {
    let multiple = Value::Object(vec![
        ("options".into(), strings(&["Price", "Speed", "Staff"])),
        ("multiple".into(), Value::Bool(true)),
    ]);
    let follow_up = Value::Object(vec![("maxLength".into(), Value::Number(5.0, None))]);
    let c = config(&[
        ("reasons", multiple),
        ("followUp", follow_up),
        ("id", Value::String("post-ticket".into())),
    ]);
    let mut p = Prompt::new(&c);
    p.select(6);
    p.toggle_reason(2);
    p.toggle_reason(0);
    let context = Context {
        id: "r-1".into(),
        locale: "es".into(),
        page: Some("https://x.example/help".into()),
        created_at: Some("2026-11-25T10:00:00Z".into()),
        submitted_at: Some("2026-11-25T10:00:09Z".into()),
        updated_at: Some("2026-11-25T10:00:05Z".into()),
    };
    let partial = p.response(&c, &context, "  too slow \u{202E}", false);
    assert_eq!(
        (
            partial.id.as_str(),
            partial.survey_id.as_str(),
            partial.score,
            partial.group
        ),
        ("r-1", "post-ticket", 6, Group::Detractor)
    );
    assert_eq!(partial.reasons, ["Price", "Staff"]);
    assert_eq!(
        partial.comment.as_deref(),
        Some("too s"),
        "cleaned and cut to maxLength"
    );
    assert_eq!(
        (partial.complete, partial.submitted_at.as_deref()),
        (false, None)
    );
    assert_eq!(partial.user, None, "no user configured: none sent");
    assert_eq!(partial.updated_at.as_deref(), Some("2026-11-25T10:00:05Z"));
    let complete = p.response(&c, &context, "", true);
    assert_eq!(complete.comment, None);
    assert_eq!(
        complete.submitted_at.as_deref(),
        Some("2026-11-25T10:00:09Z")
    );
    assert_eq!(complete.locale.as_deref(), Some("es"));
}

#[test]
fn an_anonymous_pulse_sends_no_page_and_only_the_day() {
    let object = |pairs: &[(&str, &str)]| {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect(),
        )
    };
    let c = config(&[
        ("kind", Value::String("enps".into())),
        ("anonymous", Value::Bool(true)),
        (
            "metadata",
            object(&[("team", "platform"), ("location", "Lisbon")]),
        ),
    ]);
    let mut p = Prompt::new(&c);
    p.select(9);
    let context = Context {
        id: "r-9".into(),
        locale: "pt-BR".into(),
        page: Some("https://intranet.example/pulse?employee=42".into()),
        created_at: Some("2026-11-25T10:17:42.123Z".into()),
        submitted_at: Some("2026-11-25T10:18:03.456Z".into()),
        updated_at: Some("2026-11-25T10:18:03.456Z".into()),
    };
    let r = p.response(&c, &context, "", true);
    assert_eq!((r.kind, r.group), (Kind::Enps, Group::Promoter));
    assert_eq!((r.page, r.user), (None, None));
    assert_eq!(r.created_at.as_deref(), Some("2026-11-25T00:00:00.000Z"));
    assert_eq!(r.submitted_at.as_deref(), Some("2026-11-25T00:00:00.000Z"));
    assert_eq!(r.updated_at.as_deref(), Some("2026-11-25T00:00:00.000Z"));
    assert_eq!(r.metadata.len(), 2);
    // An id or free metadata is refused, not silently dropped.
    let refused = crate::survey::parse_config(&Value::Object(vec![
        ("kind".into(), Value::String("enps".into())),
        ("endpoint".into(), Value::String("/x".into())),
        ("anonymous".into(), Value::Bool(true)),
        ("user".into(), object(&[("id", "e-42")])),
        (
            "metadata".into(),
            object(&[("team", "a"), ("email", "x@y.z")]),
        ),
    ]))
    .unwrap_err();
    let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["user", "metadata.email"]);
}

/// The transactional survey of the README: satisfaction, resolution, the agent.
fn three_questions(follow_up: &str) -> Config {
    let text = format!(
        r#"{{"endpoint":"/x","id":"tls","questions":[
            {{"key":"satisfaction","kind":"csat"}},
            {{"key":"resolved","kind":"yesno","question":"Was it solved?"}},
            {{"key":"agent","kind":"rating"}}]{follow_up}}}"#
    );
    parse_config(&crate::json::parse(&text).unwrap()).unwrap()
}

#[test]
fn several_questions_are_asked_in_order_back_and_forth_answers_kept() {
    let c = three_questions("");
    let mut p = Prompt::new(&c);
    assert_eq!((p.step(), p.kind()), (0, Kind::Csat));
    assert!(!p.go_next(), "no moving on before an answer");
    assert!(!p.back(), "nothing before the first");
    assert_eq!(p.select(0), None, "0 is not on CSAT's scale");
    p.select(4);
    assert!(p.go_next());
    assert_eq!((p.step(), p.kind()), (1, Kind::Yesno));
    assert_eq!(p.select(2), None, "yes/no is 0 or 1");
    p.select(0);
    assert!(p.back());
    assert_eq!(p.score(), Some(4), "going back keeps the answer");
    assert!(p.go_next() && p.go_next());
    assert!(p.at_last() && !p.go_next());
    assert_eq!(p.submit(&c, ""), Err(NotSubmitted::NoScore));
    p.select(5);
    // The follow-up speaks to the worst answer: "not resolved" (tier 0) beats CSAT 4 and 5 stars.
    assert_eq!(p.group(&c), Some(Group::Low));
    assert_eq!(p.submit(&c, ""), Ok(Group::Low));
    assert!(!p.back(), "sent: the answers are final");
}

#[test]
fn a_named_question_decides_the_follow_up_s_wording() {
    let c = three_questions(
        r#","followUp":{"after":"agent","promoter":"x"}"#.replace("promoter", "high").as_str(),
    );
    assert_eq!(c.follow_up.after, Some(2));
    assert_eq!(c.follow_up.texts[2].as_deref(), Some("x"));
    let mut p = Prompt::new(&c);
    p.select(1);
    p.go_next();
    p.select(0);
    p.go_next();
    p.select(5);
    assert_eq!(
        p.group(&c),
        Some(Group::High),
        "the agent's 5, not the unresolved issue"
    );
}

#[test]
fn the_partial_carries_the_answers_so_far_and_the_first_at_the_top() {
    let c = three_questions("");
    let mut p = Prompt::new(&c);
    p.select(2);
    p.go_next();
    p.select(1);
    let context = Context {
        id: "r1".into(),
        locale: "en".into(),
        ..Context::default()
    };
    let partial = p.response(&c, &context, "", false);
    assert_eq!(
        (partial.kind, partial.score, partial.group),
        (Kind::Csat, 2, Group::Low)
    );
    let keys: Vec<(&str, Kind, u8)> = partial
        .answers
        .iter()
        .map(|a| (a.key.as_str(), a.kind, a.score))
        .collect();
    assert_eq!(
        keys,
        [
            ("satisfaction", Kind::Csat, 2),
            ("resolved", Kind::Yesno, 1)
        ]
    );
    let json = partial.to_json();
    assert!(json.starts_with(r#"{"schema":2,"#), "{json}");
    assert!(json.contains(
        r#""answers":[{"key":"satisfaction","kind":"csat","score":2},{"key":"resolved","kind":"yesno","score":1}]"#
    ));
    // What the widget posts, the collector reads back the same.
    let read = crate::answer::parse_response(&crate::json::parse(&json).unwrap()).unwrap();
    assert_eq!(read.answers, partial.answers);
    // One question stays schema 1, with no answers.
    let single = config(&[]);
    let mut p = Prompt::new(&single);
    p.select(9);
    let json = p.response(&single, &context, "", false).to_json();
    assert!(json.starts_with(r#"{"schema":1,"#) && !json.contains("answers"));
}
