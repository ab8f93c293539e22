use super::*;
use crate::metric::Kind;

fn hist(kind: Kind, scores: &[u8]) -> Histogram {
    let mut h = Histogram::new(kind);
    for s in scores {
        h.add(*s);
    }
    h
}

fn close(a: f64, b: f64, tolerance: f64) {
    assert!((a - b).abs() <= tolerance, "{a} vs {b}");
}

#[test]
fn nps_matches_the_hand_count() {
    // 10 answers: promoters 10,10,9,9,10 (5), passives 8,7 (2), detractors 6,0,3 (3).
    let s = nps(&hist(Kind::Nps, &[10, 10, 9, 8, 7, 6, 0, 3, 9, 10])).unwrap();
    assert_eq!(s.n, 10);
    close(s.score, 50.0 - 30.0, 1e-9);
    close(s.promoters, 50.0, 1e-9);
    close(s.passives, 20.0, 1e-9);
    close(s.detractors, 30.0, 1e-9);
    // Adjusted Wald: promoters 5 + ¾, detractors 3 + ¾, n 10 + 3: p′ = 5.75/13, d′ = 3.75/13,
    // NPS′ = 2/13, variance = (9.5/13 − (2/13)²)/13.
    let margin = 1.96 * 100.0 * ((9.5 / 13.0 - (2.0f64 / 13.0).powi(2)) / 13.0).sqrt();
    close(s.margin95, margin, 0.01);
    close(s.low95, 100.0 * 2.0 / 13.0 - margin, 0.01);
    close(s.high95, 100.0 * 2.0 / 13.0 + margin, 0.01);
    assert!(s.small_sample);
    assert_eq!(nps(&Histogram::new(Kind::Nps)), None);
}

#[test]
fn an_nps_of_only_promoters_or_only_detractors_still_has_an_interval() {
    // 40 promoters: p′ = 40.75/43, d′ = 0.75/43, NPS′ = 40/43; the top clipped at 100.
    let s = nps(&hist(Kind::Nps, &[10; 40])).unwrap();
    close(s.score, 100.0, 1e-9);
    let margin = 1.96 * 100.0 * ((41.5 / 43.0 - (40.0f64 / 43.0).powi(2)) / 43.0).sqrt();
    close(s.low95, 100.0 * 40.0 / 43.0 - margin, 0.01);
    assert!(
        s.low95 < 95.0,
        "40 answers cannot make a promise to ±0: {}",
        s.low95
    );
    assert_eq!(s.high95, 100.0);
    let s = nps(&hist(Kind::Nps, &[0; 40])).unwrap();
    assert_eq!(s.low95, -100.0);
    close(s.high95, -100.0 * 40.0 / 43.0 + margin, 0.01);
}

#[test]
fn csat_uses_the_top_two_boxes_and_a_wilson_interval() {
    // 3 of 5 answers are 4–5; mean 17/5. Wilson 95% for 3/5 is (0.2307, 0.8824) (Wilson 1927; e.g. Newcombe 1998, table I).
    let s = csat(&hist(Kind::Csat, &[5, 4, 4, 3, 1])).unwrap();
    close(s.score, 60.0, 1e-9);
    close(s.mean, 3.4, 1e-9);
    close(s.low95, 23.07, 0.01);
    close(s.high95, 88.24, 0.01);
    // At 0% and 100% the interval stays inside [0, 100].
    let all = csat(&hist(Kind::Csat, &[5; 40])).unwrap();
    close(all.high95, 100.0, 1e-9);
    assert!(all.low95 > 90.0 && !all.small_sample);
}

#[test]
fn ces_reports_the_mean_the_agree_share_and_an_adjusted_interval() {
    // The interval is the mean's with a 1 and a 7 added: 7 6 5 4 1 2 1 7, n′ = 8,
    // mean′ 33/8 = 4.125, squares 181, variance 181/8 − 4.125² = 5.609375, of the mean /8.
    let s = ces(&hist(Kind::Ces, &[7, 6, 5, 4, 1, 2])).unwrap();
    close(s.score, 25.0 / 6.0, 1e-9);
    close(s.agree, 50.0, 1e-9);
    let margin = 1.96 * (5.609_375f64 / 8.0).sqrt();
    close(s.margin95, margin, 1e-3);
    close(s.low95, 4.125 - margin, 1e-3);
    close(s.high95, 4.125 + margin, 1e-3);
    // Three answers of 7: 7 7 7 1 7, mean′ 5.8, variance 197/5 − 5.8² = 5.76, of the mean /5;
    // an interval, not "7.0 to 7.0", and never past the scale's end.
    let s = ces(&hist(Kind::Ces, &[7, 7, 7])).unwrap();
    close(s.score, 7.0, 1e-9);
    let margin = 1.96 * (5.76f64 / 5.0).sqrt();
    close(s.margin95, margin, 1e-3);
    close(s.low95, 5.8 - margin, 1e-3);
    assert_eq!(s.high95, 7.0);
    // One answer has no spread to measure: no interval at all, not the whole scale.
    let one = ces(&hist(Kind::Ces, &[4])).unwrap();
    assert!(
        one.margin95.is_nan() && one.low95.is_nan() && one.high95.is_nan(),
        "{one:?}"
    );
}

#[test]
fn an_nps_change_is_significant_only_when_its_interval_excludes_zero() {
    // a: p=.5 d=.2 (NPS 30); b: p=.6 d=.1 (NPS 50). Var a = (.7 − .09)/n, var b = (.7 − .25)/n.
    let make = |n: usize, p: usize, d: usize| {
        let mut s = vec![10u8; p * n / 100];
        s.extend(vec![0u8; d * n / 100]);
        s.resize(n, 8);
        hist(Kind::Nps, &s)
    };
    let change = compare(&make(100, 50, 20), &make(100, 60, 10)).unwrap();
    close(change.difference, 20.0, 1e-9);
    // Adjusted Wald on each side (¾ promoter, ¾ detractor, n + 3 = 103): NPS′ 30/103 and
    // 50/103; p′ + d′ = 71.5/103 on both; variances (71.5/103 − (30/103)²)/103 and
    // (71.5/103 − (50/103)²)/103 add.
    let variance = |net: f64| (71.5 / 103.0 - (net / 103.0f64).powi(2)) / 103.0;
    let half = 1.96 * 100.0 * (variance(30.0) + variance(50.0)).sqrt(); // 19.96
    let center = 100.0 * 20.0 / 103.0; // 19.42
    close(change.low95, center - half, 0.01);
    close(change.high95, center + half, 0.01);
    assert!(
        !change.significant,
        "20 points on 100 answers each is within the noise"
    );
    let change = compare(&make(200, 50, 20), &make(200, 60, 10)).unwrap();
    assert!(change.significant);
    assert!(!change.small_sample);
}

/// Wilson's 95% interval of x of n, written out (Wilson 1927).
fn wilson_by_hand(x: f64, n: f64) -> (f64, f64) {
    let (p, z) = (x / n, 1.96f64);
    let center = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
    (center - half, center + half)
}

#[test]
fn csat_and_ces_changes_use_their_own_intervals() {
    let a = hist(Kind::Csat, &[5, 5, 1, 1]); // 50%
    let b = hist(Kind::Csat, &[5, 5, 5, 1]); // 75%
    let c = compare(&a, &b).unwrap();
    close(c.difference, 25.0, 1e-9);
    // Newcombe (method 10): 0.25 − √((0.75 − l_b)² + (u_a − 0.5)²), 0.25 + √((u_b − 0.75)² + (0.5 − l_a)²).
    let ((la, ua), (lb, ub)) = (wilson_by_hand(2.0, 4.0), wilson_by_hand(3.0, 4.0));
    close(
        c.low95,
        100.0 * (0.25 - ((0.75 - lb).powi(2) + (ua - 0.5).powi(2)).sqrt()),
        0.01,
    );
    close(
        c.high95,
        100.0 * (0.25 + ((ub - 0.75).powi(2) + (0.5 - la).powi(2)).sqrt()),
        0.01,
    );
    assert!(!c.significant);

    // Adjusted means: a = 1 3 (+1, +7): mean′ 3, variance 60/4 − 9 = 6, of the mean 1.5;
    // b = 5 7 6 (+1, +7): mean′ 5.2, variance 160/5 − 27.04 = 4.96, of the mean 0.992.
    let a = hist(Kind::Ces, &[1, 3]);
    let b = hist(Kind::Ces, &[5, 7, 6]);
    let c = compare(&a, &b).unwrap();
    close(c.difference, 4.0, 1e-9);
    let half = 1.96 * (1.5f64 + 0.992).sqrt();
    close(c.low95, 2.2 - half, 1e-3);
    close(c.high95, 2.2 + half, 1e-3);
    assert!(!c.significant);
    assert!(c.small_sample);
    assert_eq!(compare(&a, &Histogram::new(Kind::Ces)), None);
}

#[test]
fn a_few_equal_answers_against_many_are_not_a_significant_change() {
    // 3 satisfied of 3 against 970 of 1000: the plain normal interval of the difference
    // (variance 0 on the small side) would call the 3-point drop significant.
    let few = hist(Kind::Csat, &[5, 5, 5]);
    let mut scores = vec![5u8; 970];
    scores.extend([1u8; 30]);
    let many = hist(Kind::Csat, &scores);
    let wald_half = 1.96 * 100.0 * (0.97f64 * 0.03 / 1000.0).sqrt();
    assert!(
        3.0 > wald_half,
        "the case must be one the plain interval gets wrong"
    );
    let c = compare(&few, &many).unwrap();
    close(c.difference, -3.0, 1e-9);
    assert!(!c.significant, "{c:?}");

    // CES: three 7s against a thousand answers around 6.5.
    let few = hist(Kind::Ces, &[7, 7, 7]);
    let mut scores = vec![6u8; 500];
    scores.extend([7u8; 500]);
    let many = hist(Kind::Ces, &scores);
    let c = compare(&few, &many).unwrap();
    close(c.difference, -0.5, 1e-9);
    assert!(!c.significant, "{c:?}");
    // With as many answers on both sides, the same half point is significant.
    let mut scores = vec![7u8; 1000];
    scores[0] = 6;
    let c = compare(&hist(Kind::Ces, &scores), &many).unwrap();
    assert!(c.significant, "{c:?}");
}

fn row(
    kind: Kind,
    score: u8,
    touchpoint: &str,
    day: &str,
    reasons: &[&str],
    comment: &str,
) -> Row<'static> {
    Row {
        id: None,
        complete: true,
        kind: Some(kind),
        score,
        answers: vec![],
        survey_id: Some("s".into()),
        locale: Some("en".into()),
        metadata: vec![("touchpoint".into(), touchpoint.to_string().into())],
        reasons: reasons.iter().map(|r| r.to_string().into()).collect(),
        comment: Some(comment.to_string().into()).filter(|c: &std::borrow::Cow<str>| !c.is_empty()),
        time: crate::time::parse_rfc3339(day),
        times: Default::default(),
        page: None,
        user: None,
    }
}

#[test]
fn segments_periods_and_drivers_follow_the_rows() {
    let mut state = ScoreState::default();
    state.add(&row(
        Kind::Nps,
        2,
        "returns",
        "2026-11-16T09:00:00Z",
        &["price", "refund"],
        "refund took weeks",
    ));
    state.add(&row(
        Kind::Nps,
        4,
        "returns",
        "2026-11-22T09:00:00Z",
        &["refund"],
        "slow refund",
    ));
    state.add(&row(
        Kind::Nps,
        10,
        "web",
        "2026-11-23T09:00:00Z",
        &[],
        "great",
    ));
    state.add(&row(
        Kind::Nps,
        9,
        "web",
        "2026-11-23T10:00:00Z",
        &["price"],
        "",
    ));
    let returns = state.segments["metadata.touchpoint"].values["returns"].get(Kind::Nps);
    assert_eq!(returns.n(), 2);
    close(headline(returns), -100.0, 1e-9);
    // 16 and 22 November are in ISO week 47; the 23rd starts week 48.
    let weeks = state.periods(crate::time::Period::Week);
    assert_eq!(weeks.keys().collect::<Vec<_>>(), ["2026-W47", "2026-W48"]);
    assert_eq!(weeks["2026-W47"].get(Kind::Nps).n(), 2);
    let drivers = drivers(&state);
    let refund = drivers.iter().find(|d| d.reason == "refund").unwrap();
    // Both detractors cite "refund": NPS −100 among citers, +100 among the two promoters who do not.
    assert_eq!(refund.count, 2);
    close(refund.score_citing, -100.0, 1e-9);
    close(refund.score_not_citing, 100.0, 1e-9);
    close(refund.share_of_worst_group, 100.0, 1e-9);
    let price = drivers.iter().find(|d| d.reason == "price").unwrap();
    close(price.share_of_worst_group, 50.0, 1e-9);
    assert_eq!(state.themes.top(0, 1), [("refund".to_string(), 2)]);
}

#[test]
fn id_like_fields_stop_growing_past_the_segment_bound() {
    let mut state = ScoreState::default();
    for i in 0..(MAX_SEGMENT_VALUES + 5) {
        let mut r = row(Kind::Csat, 5, "x", "2026-01-01", &[], "");
        r.metadata = vec![("ticketId".into(), i.to_string().into())];
        state.add(&r);
    }
    let segments = &state.segments["metadata.ticketId"];
    assert_eq!(segments.values.len(), MAX_SEGMENT_VALUES);
    assert!(segments.overflow);
    assert_eq!(
        state.overall.get(Kind::Csat).n() as usize,
        MAX_SEGMENT_VALUES + 5
    );
}

#[test]
fn answers_without_a_value_stay_known_when_the_field_overflows() {
    let agent = |i: usize, score| {
        let mut r = row(Kind::Nps, score, "x", "2026-01-01", &[], "");
        r.metadata = vec![("agent".into(), format!("a{i}").into())];
        r
    };
    let mut without = row(Kind::Nps, 0, "x", "2026-01-01", &[], "");
    without.metadata.clear();
    let mut expected = Scores::default();
    for _ in 0..3 {
        expected.add(Kind::Nps, 0);
    }
    let mut state = ScoreState::default();
    // Before and after the values pass the cap.
    state.add(&without);
    for i in 0..MAX_SEGMENT_VALUES + 5 {
        state.add(&agent(i, 10));
    }
    state.add(&without);
    state.add(&without);
    let agents = &state.segments["metadata.agent"];
    assert!(agents.overflow);
    assert_eq!(agents.unsegmented(&state.overall), Some(expected.clone()));
    // Two halves merged (each under the cap, together over it) say the same.
    let (mut first, mut second) = (ScoreState::default(), ScoreState::default());
    first.add(&without);
    for i in 0..MAX_SEGMENT_VALUES / 2 + 3 {
        first.add(&agent(i, 10));
    }
    for i in MAX_SEGMENT_VALUES / 2 + 3..MAX_SEGMENT_VALUES + 5 {
        second.add(&agent(i, 10));
    }
    second.add(&without);
    second.add(&without);
    first.merge(&second);
    let merged = &first.segments["metadata.agent"];
    assert!(merged.overflow);
    assert_eq!(merged.unsegmented(&first.overall), Some(expected));
    // An answer past the cap taken back (replaced by its later version) leaves it.
    let beyond = agent(MAX_SEGMENT_VALUES + 1, 10);
    let before = state.segments["metadata.agent"].beyond.clone().unwrap();
    state.remove(&beyond);
    let mut less = before;
    less.remove(Kind::Nps, 10);
    assert_eq!(state.segments["metadata.agent"].beyond, Some(less));
    // A state saved before the answers past the cap were counted: "(none)" is not known,
    // rather than holding them; merged into a new one, it stays unknown.
    let mut old = state.clone();
    old.segments.get_mut("metadata.agent").unwrap().beyond = None;
    assert_eq!(
        old.segments["metadata.agent"].unsegmented(&old.overall),
        None
    );
    let mut merged = ScoreState::default();
    merged.merge(&state);
    merged.merge(&old);
    assert_eq!(
        merged.segments["metadata.agent"].unsegmented(&merged.overall),
        None
    );
}

#[test]
fn rows_that_each_name_new_fields_stop_growing_the_state_past_the_field_bound() {
    let keyed = |i: usize| {
        let mut r = row(Kind::Nps, 9, "x", "2026-01-01", &[], "");
        r.metadata = vec![(format!("key{i}").into(), "v".into())];
        r
    };
    let mut state = ScoreState::default();
    let rows = MAX_SEGMENT_FIELDS + 10;
    for i in 0..rows {
        state.add(&keyed(i));
    }
    // kind, surveyId and locale are fields too: the metadata keys fill the rest.
    assert_eq!(state.segments.len(), MAX_SEGMENT_FIELDS);
    assert!(state.fields_overflow);
    assert_eq!(
        state.overall.get(Kind::Nps).n() as usize,
        rows,
        "every answer still counts"
    );
    // Merging a state with other new fields keeps the bound and says so.
    let mut other = ScoreState::default();
    other.add(&keyed(rows + 1));
    let mut merged = ScoreState::default();
    merged.merge(&other);
    assert!(!merged.fields_overflow);
    merged.merge(&state);
    assert_eq!(merged.segments.len(), MAX_SEGMENT_FIELDS);
    assert!(merged.fields_overflow);
}

mod merge {
    use super::*;
    use proptest::prelude::*;

    fn arb_row() -> impl Strategy<Value = Row<'static>> {
        (
            0usize..KINDS.len(),
            0u8..11,
            0usize..4,
            0i64..60,
            proptest::collection::vec(0usize..3, 0..3),
            0usize..4,
        )
            .prop_map(|(k, s, t, day, reasons, c)| {
                let kind = KINDS[k];
                let score = kind.min() + s % kind.points() as u8;
                let touchpoints = ["web", "returns", "phone", "chat"];
                let comments = ["", "slow refund", "friendly agent", "el reembolso tardó"];
                row(
                    kind,
                    score,
                    touchpoints[t],
                    "",
                    &reasons
                        .iter()
                        .map(|r| ["price", "speed", "staff"][*r])
                        .collect::<Vec<_>>(),
                    comments[c],
                )
                .with_time(1_760_000_000 + day * 86_400)
            })
    }

    impl Row<'static> {
        fn with_time(mut self, t: i64) -> Row<'static> {
            self.time = Some(t);
            self
        }
    }

    proptest! {
        #[test]
        fn merging_two_states_equals_adding_everything_to_one(a in proptest::collection::vec(arb_row(), 0..60), b in proptest::collection::vec(arb_row(), 0..60)) {
            let mut all = ScoreState::default();
            let (mut left, mut right) = (ScoreState::default(), ScoreState::default());
            for r in &a { all.add(r); left.add(r); }
            for r in &b { all.add(r); right.add(r); }
            left.merge(&right);
            prop_assert_eq!(left, all);
        }
    }
}

#[test]
fn removing_rows_undoes_adding_them_exactly() {
    let keep = [
        row(
            Kind::Nps,
            9,
            "web",
            "2026-11-20",
            &["speed"],
            "fast and friendly",
        ),
        row(
            Kind::Csat,
            2,
            "phone",
            "2026-11-21",
            &["price"],
            "too expensive",
        ),
    ];
    let gone = [
        row(
            Kind::Nps,
            3,
            "web",
            "2026-11-20",
            &["speed", "price"],
            "slow refund, slow refund",
        ),
        row(Kind::Ces, 6, "chat", "2026-11-22", &["staff"], "easy"),
        row(Kind::Nps, 10, "email", "2026-11-23", &[], ""),
        // An employee's answer, whose week is tallied too.
        row(Kind::Enps, 4, "web", "2026-11-24", &[], ""),
    ];
    let mut expected = ScoreState::default();
    keep.iter().for_each(|r| expected.add(r));
    let mut state = ScoreState::default();
    // Interleaved, as versions arrive: every figure, segment, day, reason and theme returns to
    // what the kept rows alone give, with no empty entry left behind.
    for (i, r) in gone.iter().enumerate() {
        state.add(r);
        if let Some(k) = keep.get(i) {
            state.add(k);
        }
    }
    gone.iter().for_each(|r| state.remove(r));
    assert_eq!(state, expected);
}

#[test]
fn employees_are_the_busiest_weeks_answers_and_one_segment_is_counted_so() {
    // Two people of "exec" answer three monthly pulses; three of "ops" answer one pulse on a
    // Sunday and a Monday (two weeks: 1 + 2); one "ops" answer has no date.
    let mut latest = Latest::default();
    let mut state = ScoreState::default();
    let mut add = |id: String, touchpoint: &str, day: &str| {
        let mut r = row(Kind::Enps, 9, touchpoint, day, &[], "");
        r.id = Some(id.into());
        latest.upsert(&mut state, r);
    };
    for (pulse, day) in ["2026-09-15", "2026-10-15", "2026-11-16"]
        .iter()
        .enumerate()
    {
        for person in 0..2 {
            add(format!("exec-{pulse}-{person}"), "exec", day);
        }
    }
    add("ops-0".into(), "ops", "2026-11-15");
    add("ops-1".into(), "ops", "2026-11-16");
    add("ops-2".into(), "ops", "2026-11-16");
    add("ops-3".into(), "ops", "");
    let teams = &state.segments["metadata.touchpoint"].values;
    // 2026-11-15 is a Sunday, 2026-11-16 the Monday after.
    assert_eq!(
        enps_week(crate::time::parse_rfc3339("2026-11-16"))
            - enps_week(crate::time::parse_rfc3339("2026-11-15")),
        1
    );
    assert_eq!(
        (teams["exec"].get(Kind::Enps).n(), teams["exec"].employees()),
        (6, 2)
    );
    assert_eq!(
        (teams["ops"].get(Kind::Enps).n(), teams["ops"].employees()),
        (4, 2)
    );
    // The whole: 4 people in the week of 2026-11-16.
    assert_eq!(state.overall.employees(), 4);
    let segment = |value| ListFilter {
        segment: Some(("metadata.touchpoint", value)),
        ..Default::default()
    };
    assert_eq!(latest.scope_employees(&segment("exec")), 2);
    // Whatever the group or text asked for, the scope's people are counted.
    let detractors = ListFilter {
        group: Some(crate::metric::Group::Detractor),
        ..segment("exec")
    };
    assert_eq!(latest.scope_employees(&detractors), 2);
    let customers = ListFilter {
        kind: Some(Kind::Nps),
        ..segment("exec")
    };
    assert_eq!(latest.scope_employees(&customers), 0);
    let unhappy_customers = ListFilter {
        group: Some(crate::metric::Group::Low),
        ..segment("exec")
    };
    assert_eq!(latest.scope_employees(&unhappy_customers), 0);
    // A day narrows it as a team does: the one day exec answered in September is two people.
    let day = ListFilter {
        from: crate::time::parse_rfc3339("2026-09-15"),
        until: crate::time::parse_rfc3339("2026-09-16"),
        ..Default::default()
    };
    assert_eq!(latest.scope_employees(&day), 2);
    assert_eq!(latest.scope_employees(&ListFilter::default()), 4);
    // Left out, the list holds none of theirs.
    let mut customer = row(Kind::Nps, 9, "exec", "2026-09-15", &[], "");
    customer.id = Some("c".into());
    latest.upsert(&mut state, customer);
    let without = ListFilter {
        without_employees: true,
        ..day.clone()
    };
    assert_eq!(latest.count_where(&without), (1, 0));
}

#[test]
fn each_response_counts_once_as_its_latest_version_in_any_arrival_order() {
    let version = |id: &str, score: u8, complete: bool, comment: &str| {
        let mut r = row(Kind::Nps, score, "web", "2026-11-20", &[], comment);
        r.id = Some(id.to_string().into());
        r.complete = complete;
        r
    };
    // Three customers: a partial then its final answer; a partial never completed;
    // a final answer whose partial arrives late (a retry) and must not undo it.
    let a1 = version("a", 4, false, "");
    let a2 = version("a", 9, true, "great agent");
    let b1 = version("b", 2, false, "");
    let c1 = version("c", 6, false, "");
    let c2 = version("c", 10, true, "fixed fast");
    let mut expected = ScoreState::default();
    for final_version in [&a2, &b1, &c2] {
        expected.add(final_version);
    }
    let orders: [[&Row; 6]; 3] = [
        [&a1, &a2, &b1, &c1, &c2, &c1],
        [&c2, &c1, &b1, &a1, &a2, &a2],
        [&b1, &a2, &a1, &c1, &c2, &b1],
    ];
    for order in orders {
        let mut state = ScoreState::default();
        let mut latest = Latest::default();
        for r in order {
            latest.upsert(&mut state, (*r).clone());
        }
        assert_eq!(state, expected);
        assert_eq!((latest.len(), latest.partial()), (3, 1));
    }
}

#[test]
fn a_version_made_earlier_never_replaces_a_later_one() {
    // `received` and `updated` in milliseconds.
    let version = |score: u8, complete: bool, received: Option<i64>, updated: Option<i64>| {
        let mut r = row(Kind::Nps, score, "web", "2026-11-20", &[], "");
        r.id = Some("a".into());
        r.complete = complete;
        r.times.received = received;
        r.times.updated = updated;
        r
    };
    let counted = |versions: &[Row<'static>]| {
        let (mut state, mut latest) = (ScoreState::default(), Latest::default());
        for v in versions {
            latest.upsert(&mut state, v.clone());
        }
        state
    };
    let alone = |r: &Row<'static>| {
        let mut state = ScoreState::default();
        state.add(r);
        state
    };
    // Tuesday's export (the visitor changed 3 to 9 on Tuesday), then Monday's, read after it:
    // ordered by receipt (the CSV export has no updatedAt), in either order.
    let (monday, tuesday) = (Some(1_000_000), Some(2_000_000));
    let (old, new) = (
        version(3, true, monday, None),
        version(9, true, tuesday, None),
    );
    assert_eq!(counted(&[new.clone(), old.clone()]), alone(&new));
    assert_eq!(counted(&[old.clone(), new.clone()]), alone(&new));
    // Two collectors whose clocks differ: `updatedAt` orders, as the collector ordered them
    // (the one received "later" by a clock ahead was made first).
    let made_first = version(3, true, Some(2_000_000), Some(1_000_000));
    let made_last = version(9, true, Some(1_500_000), Some(1_400_000));
    assert_eq!(
        counted(&[made_last.clone(), made_first.clone()]),
        alone(&made_last)
    );
    assert_eq!(
        counted(&[made_first.clone(), made_last.clone()]),
        alone(&made_last)
    );
    // An `updatedAt` more than ten minutes past its receipt orders nothing: receipt does.
    // (Believed, the pinned one's would be the later.)
    let pinned = version(2, true, monday, Some(1_000_000 + 11 * 60_000));
    let believable = version(9, true, tuesday, Some(1_000_000 + 11 * 60_000 - 1));
    assert_eq!(
        counted(&[believable.clone(), pinned.clone()]),
        alone(&believable)
    );
    // Without a time on one side, arrival order decides: the last one counts.
    let undated = version(7, true, None, None);
    assert_eq!(counted(&[undated.clone(), old.clone()]), alone(&old));
    assert_eq!(counted(&[old.clone(), undated.clone()]), alone(&undated));
    // Partials: an older one that knows no more answers does not replace a later one.
    let (early, late) = (
        version(4, false, monday, None),
        version(6, false, tuesday, None),
    );
    assert_eq!(counted(&[late.clone(), early.clone()]), alone(&late));
}

#[test]
fn answers_without_a_value_make_the_segments_add_up() {
    let mut state = ScoreState::default();
    let with = [
        row(Kind::Nps, 9, "web", "2026-11-20", &[], ""),
        row(Kind::Nps, 3, "phone", "2026-11-20", &[], ""),
    ];
    let mut without = row(Kind::Nps, 7, "x", "2026-11-20", &[], "");
    without.metadata.clear();
    let mut alone = ScoreState::default();
    alone.add(&without);
    with.iter().for_each(|r| state.add(r));
    state.add(&without);
    let touchpoint = &state.segments["metadata.touchpoint"];
    let rest = touchpoint.unsegmented(&state.overall).unwrap();
    assert_eq!(
        rest, alone.overall,
        "exactly the answer without a touchpoint"
    );
    // A field every answer has leaves nothing over.
    assert_eq!(state.segments["kind"].unsegmented(&state.overall), None);
}

fn a_copy(latest: &Latest, id: &str) -> Row<'static> {
    latest.get(id).unwrap().clone()
}

#[test]
fn the_counted_responses_list_newest_first_and_filter_by_group_reason_text_and_segment() {
    let version = |id: &str,
                   kind: Kind,
                   score: u8,
                   touchpoint: &str,
                   day: &str,
                   reasons: &[&str],
                   comment: &str| {
        let mut r = row(kind, score, touchpoint, day, reasons, comment);
        r.id = Some(id.to_string().into());
        r
    };
    let mut state = ScoreState::default();
    let mut latest = Latest::default();
    for r in [
        version(
            "a",
            Kind::Nps,
            2,
            "web",
            "2026-11-20",
            &["price"],
            "El ñandú tardó MUCHO",
        ),
        version(
            "b",
            Kind::Nps,
            10,
            "phone",
            "2026-11-22",
            &[],
            "Great agent",
        ),
        version("c", Kind::Csat, 1, "web", "2026-11-21", &["speed"], "slow"),
        version("d", Kind::Nps, 9, "web", "2026-11-23", &["price"], ""),
    ] {
        latest.upsert(&mut state, r);
    }
    let ids = |latest: &Latest, filter: ListFilter, limit: usize| -> Vec<String> {
        latest
            .list(&filter, limit)
            .iter()
            .map(|r| r.id.as_deref().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&latest, ListFilter::default(), 10),
        ["d", "b", "c", "a"],
        "newest first"
    );
    assert_eq!(ids(&latest, ListFilter::default(), 2), ["d", "b"]);
    // An employee's answer, listed without its time, does not show it by its place either:
    // between b (22nd) and c (21st) by date, it comes with the undated ones, by id.
    let mut employee = version("e", Kind::Enps, 2, "ops", "2026-11-21", &[], "");
    employee.time = employee.time.map(|t| t + 3600);
    let mut undated = version("0", Kind::Nps, 5, "web", "2026-11-21", &[], "");
    undated.time = None;
    let mut with_employee = Latest::default();
    for r in [
        a_copy(&latest, "a"),
        a_copy(&latest, "b"),
        a_copy(&latest, "c"),
        employee,
        undated,
    ] {
        with_employee.upsert(&mut ScoreState::default(), r);
    }
    assert_eq!(
        ids(&with_employee, ListFilter::default(), 10),
        ["b", "c", "a", "0", "e"]
    );
    assert_eq!(
        ids(
            &latest,
            ListFilter {
                group: Some(Group::Detractor),
                ..Default::default()
            },
            10
        ),
        ["a"]
    );
    assert_eq!(
        ids(
            &latest,
            ListFilter {
                reason: Some("price"),
                ..Default::default()
            },
            10
        ),
        ["d", "a"]
    );
    assert_eq!(
        ids(
            &latest,
            ListFilter {
                text: Some("ÑANDÚ"),
                ..Default::default()
            },
            10
        ),
        ["a"],
        "case folded, spelling kept"
    );
    // A theme is folded ("nandu"); it finds the comment as written.
    assert_eq!(
        ids(
            &latest,
            ListFilter {
                text: Some("nandu tardo"),
                ..Default::default()
            },
            10
        ),
        ["a"]
    );
    assert_eq!(
        ids(
            &latest,
            ListFilter {
                segment: Some(("metadata.touchpoint", "web")),
                with_comment: true,
                ..Default::default()
            },
            10
        ),
        ["c", "a"]
    );
    assert_eq!(
        ids(
            &latest,
            ListFilter {
                segment: Some(("kind", "csat")),
                ..Default::default()
            },
            10
        ),
        ["c"]
    );
    // The list shows each response as its latest version.
    latest.upsert(
        &mut state,
        version(
            "a",
            Kind::Nps,
            7,
            "web",
            "2026-11-20",
            &[],
            "fine in the end",
        ),
    );
    assert_eq!(
        ids(
            &latest,
            ListFilter {
                group: Some(Group::Detractor),
                ..Default::default()
            },
            10
        ),
        Vec::<String>::new()
    );
}

#[test]
fn a_filtered_state_scores_only_the_matching_responses_as_their_latest_version() {
    let mut state = ScoreState::default();
    let mut latest = Latest::default();
    let with = |id: &str, survey: &str, kind: Kind, score: u8, day: &str| {
        let mut r = row(kind, score, "web", day, &[], "");
        r.id = Some(id.to_string().into());
        r.survey_id = Some(survey.to_string().into());
        r
    };
    for r in [
        with("a", "relationship", Kind::Nps, 10, "2026-11-01"),
        with("b", "relationship", Kind::Nps, 3, "2026-11-10"),
        with("c", "post-ticket", Kind::Csat, 5, "2026-11-10"),
        with("d", "relationship", Kind::Nps, 9, "2026-11-20"),
        // b's later version: it counts once, as a 7 (passive), not as a 3 (detractor).
        with("b", "relationship", Kind::Nps, 7, "2026-11-10"),
    ] {
        latest.upsert(&mut state, r);
    }
    let day = |d: &str| crate::time::parse_rfc3339(d);
    let nps_of = |filter: ListFilter| {
        let s = latest.state_where(&filter);
        let h = s.overall.get(Kind::Nps);
        (
            h.n(),
            h.group_count(crate::Group::Promoter),
            s.overall.get(Kind::Csat).n(),
        )
    };
    // 1–19 November, relationship survey: a (10) and b (7): 1 promoter of 2, no CSAT.
    assert_eq!(
        nps_of(ListFilter {
            from: day("2026-11-01"),
            until: day("2026-11-20"),
            survey: Some("relationship"),
            ..ListFilter::default()
        }),
        (2, 1, 0)
    );
    assert_eq!(
        nps_of(ListFilter {
            kind: Some(Kind::Csat),
            ..ListFilter::default()
        }),
        (0, 0, 1)
    );
    // No filter: the same figures as the live state.
    let all = latest.state_where(&ListFilter::default());
    assert_eq!(
        all.overall.get(Kind::Nps).n(),
        state.overall.get(Kind::Nps).n()
    );
    assert_eq!(
        all.overall
            .get(Kind::Nps)
            .group_count(crate::Group::Detractor),
        0
    );
}

#[test]
fn a_segment_against_the_rest_gives_its_difference_and_its_effect_on_the_total() {
    // Agent A: 10 answers, 2 promoters and 6 detractors (NPS -40); the rest: 30 answers,
    // 18 promoters and 3 detractors (NPS +50). Total: 40 answers, 20 promoters, 9
    // detractors: NPS 100 * 11 / 40 = +27.5.
    let mut segment = Histogram::new(Kind::Nps);
    let mut overall = Histogram::new(Kind::Nps);
    let answers = |h: &mut Histogram, score: u8, n: usize| (0..n).for_each(|_| h.add(score));
    answers(&mut segment, 10, 2);
    answers(&mut segment, 8, 2);
    answers(&mut segment, 3, 6);
    overall.merge(&segment);
    answers(&mut overall, 9, 18);
    answers(&mut overall, 7, 9);
    answers(&mut overall, 0, 3);
    let a = against_rest(&segment, &overall).unwrap();
    close(a.change.difference, -40.0 - 50.0, 1e-9);
    close(a.effect, 27.5 - 50.0, 1e-9);
    assert!(a.change.significant && a.change.small_sample);
    assert_eq!(
        against_rest(&overall, &overall),
        None,
        "no rest to compare with"
    );
}

#[test]
fn a_driver_is_significant_only_when_its_citers_differ_beyond_the_interval() {
    let mut state = ScoreState::default();
    // 20 detractors (0) cite "price"; 20 promoters (10) cite nothing, but one of them
    // cites "wording" and so does one detractor: that reason splits evenly.
    for i in 0..20 {
        state.add(&row(
            Kind::Nps,
            0,
            "web",
            "2026-11-01",
            if i == 0 {
                &["price", "wording"]
            } else {
                &["price"]
            },
            "",
        ));
        state.add(&row(
            Kind::Nps,
            10,
            "web",
            "2026-11-01",
            if i == 0 { &["wording"] } else { &[] },
            "",
        ));
    }
    let found = drivers(&state);
    let price = found.iter().find(|d| d.reason == "price").unwrap();
    let wording = found.iter().find(|d| d.reason == "wording").unwrap();
    // Citing price: NPS -100; not citing: +100; the difference is far beyond its interval.
    close(price.score_citing - price.score_not_citing, -200.0, 1e-9);
    assert!(price.significant);
    // Citing wording: one 0 and one 10 (NPS 0) against 19 of each (NPS 0): no difference.
    close(wording.score_citing - wording.score_not_citing, 0.0, 1e-9);
    assert!(!wording.significant);
}

#[test]
fn every_kinds_scale_fits_a_histograms_inline_counts() {
    for kind in crate::metric::KINDS {
        assert!(kind.points() <= super::MAX_POINTS, "{kind:?}");
        assert_eq!(super::Histogram::new(kind).counts.len(), kind.points());
    }
}

#[test]
fn the_complementary_error_function_gives_the_normal_tail_s_known_values() {
    // Two-sided p-values of normal deviates, from tables: 1.96 → 0.05, 1 → 0.3173, 3 → 0.0027.
    let two_sided = |z: f64| erfc(z / std::f64::consts::SQRT_2);
    assert!((two_sided(Z95) - 0.05).abs() < 1e-7);
    assert!((two_sided(1.0) - 0.317_310_507_862_914).abs() < 1e-7);
    assert!((two_sided(3.0) - 0.002_699_796_063_260_2).abs() < 1e-8);
    assert!((two_sided(0.0) - 1.0).abs() < 1e-7);
}

#[test]
fn a_difference_s_p_value_is_under_five_percent_exactly_when_its_95_interval_leaves_out_zero() {
    // Every kind's interval (adjusted Wald, Newcombe, Welch), at sizes from 2 to 400.
    let mut seed = 7u64;
    let mut next = |below: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % below
    };
    for kind in [Kind::Nps, Kind::Csat, Kind::Ces] {
        let (low, high) = (kind.min() as u64, kind.max() as u64);
        for round in 0..300 {
            let n = 2 + next(200) * (1 + round % 2);
            // The second side leans towards the top, by a different amount each round.
            let lean = next(4);
            let a: Vec<u8> = (0..n).map(|_| (low + next(high - low + 1)) as u8).collect();
            let b: Vec<u8> = (0..n + 7)
                .map(|_| (low + (next(high - low + 1) + lean).min(high - low)) as u8)
                .collect();
            let (a, b) = (hist(kind, &a), hist(kind, &b));
            let change = compare(&a, &b).unwrap();
            let p = p_value(&a, &b).unwrap();
            assert!((0.0..=1.0).contains(&p));
            // Away from the edge (the bisection is exact to 1e-15 in z), the two agree.
            if (p - 0.05).abs() > 1e-6 {
                assert_eq!(p < 0.05, change.significant, "{kind:?} p={p} {change:?}");
            }
            // NPS and the means read z off their normal interval at once; the search over
            // the interval itself, which the shares need, must find the same.
            let searched =
                p_value_where(|z| compare_at(&a, &b, z).map(|c| c.low95 > 0.0 || c.high95 < 0.0))
                    .unwrap();
            assert!((p - searched).abs() < 1e-9, "{kind:?} {p} {searched}");
        }
    }
    // The same answers on both sides: nothing to tell apart.
    let same = hist(Kind::Nps, &[0, 5, 9, 10]);
    assert_eq!(p_value(&same, &same), Some(1.0));
}

#[test]
fn benjamini_hochberg_keeps_the_smallest_p_values_up_to_the_last_one_under_its_line() {
    // m = 4: the lines are 1.25%, 2.5%, 3.75% and 5%.
    assert_eq!(
        discoveries(&[0.03, 0.001, 0.2, 0.02], 0.05),
        [true, true, false, true]
    );
    // 0.04 is over its line (2.5%) and 0.9 over 5%: nothing.
    assert_eq!(discoveries(&[0.04, 0.9], 0.05), [false, false]);
    // The last p-value under its line takes in those before it that were over theirs.
    assert_eq!(discoveries(&[0.049, 0.03, 0.04, 0.045], 0.05), [true; 4]);
    assert!(discoveries(&[], 0.05).is_empty());
}

#[test]
fn segments_that_only_differ_by_chance_are_not_called_different_once_weighed_together() {
    // 200 agents whose answers all come from one uniform 0–10: about one in twenty leaves out
    // 0 from its own 95% interval, and none should be called different.
    let mut seed = 11u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((seed >> 33) % 11) as u8
    };
    let agents: Vec<Histogram> = (0..200)
        .map(|_| hist(Kind::Nps, &(0..150).map(|_| next()).collect::<Vec<_>>()))
        .collect();
    let mut overall = Histogram::new(Kind::Nps);
    agents.iter().for_each(|a| overall.merge(a));
    let compared: Vec<AgainstRest> = agents
        .iter()
        .map(|a| against_rest(a, &overall).unwrap())
        .collect();
    let alone = compared.iter().filter(|c| c.change.significant).count();
    let p_values: Vec<f64> = compared.iter().map(|c| c.p_value).collect();
    let together = discoveries(&p_values, 0.05)
        .into_iter()
        .filter(|&d| d)
        .count();
    assert!(alone >= 3, "one in twenty by chance: {alone} of 200");
    assert_eq!(together, 0);
    // A real difference still shows: one agent whose answers are all 10s.
    let mut with_star = agents.clone();
    with_star[0] = hist(Kind::Nps, &[10; 150]);
    let mut overall = Histogram::new(Kind::Nps);
    with_star.iter().for_each(|a| overall.merge(a));
    let p_values: Vec<f64> = with_star
        .iter()
        .map(|a| against_rest(a, &overall).unwrap().p_value)
        .collect();
    let found = discoveries(&p_values, 0.05);
    assert!(found[0]);
}
