//! The summary as JSON: the shape the README's Scorer section documents. Shares and scores
//! are on the 0–100 scale (CES `score` is the 1–7 mean); a kind with no answers is absent.

use serde_json::{json, Map, Value};
use sondeo_core::import::Report;
use sondeo_core::metric::{Kind, Statistic, KINDS};
use sondeo_core::score::{
    against_rest, ces, compare, csat, drivers, nps, weigh, Change, Histogram, QuestionStats,
    Questions, ScoreState, Scores, NO_VALUE,
};
use sondeo_core::time::Period;

fn number(x: f64) -> Value {
    // JSON has no NaN: an undefined figure (a spread of one answer) is null.
    if x.is_finite() {
        json!((x * 1e6).round() / 1e6)
    } else {
        Value::Null
    }
}

/// `{ nps: {…}, csat: {…}, ces: {…} }` for the kinds that have answers; each kind's
/// figures follow its statistic (`metric::SPECS`).
pub fn kinds_json(scores: &Scores) -> Value {
    let mut out = Map::new();
    for kind in KINDS {
        if let Some(figures) = figures_json(scores.get(kind)) {
            out.insert(kind.as_str().into(), figures);
        }
    }
    Value::Object(out)
}

/// One histogram's figures, as its kind's statistic gives them, with the share of each
/// group (in %, for the distribution chart); `None` without answers.
pub fn figures_json(h: &Histogram) -> Option<Value> {
    let kind = h.kind;
    let mut figures = match kind.spec().statistic {
        Statistic::Net => nps(h).map(serde_json::to_value),
        Statistic::Share => csat(h).map(serde_json::to_value),
        Statistic::Mean => ces(h).map(serde_json::to_value),
    }?
    .ok()?;
    let n = h.n() as f64;
    figures["groups"] = kind
        .groups()
        .iter()
        .map(|g| {
            (
                g.as_str().to_owned(),
                number(100.0 * h.group_count(*g) as f64 / n),
            )
        })
        .collect::<Map<String, Value>>()
        .into();
    Some(figures)
}

/// The questions of multi-question surveys, per survey in the order asked: each one's
/// figures, its figures per value of the segment field `by` (when given), and, per other
/// question, its figures when that one's answer was in its worst group and in its best,
/// with the difference (best − worst) and its significance. An eNPS question's figures
/// resting on fewer than `min_enps` answers are suppressed, as everywhere.
pub fn questions_json(questions: &Questions, by: Option<&str>, min_enps: u64) -> Value {
    let figures = |h: &Histogram| {
        if h.n() > 0 && below_floor(h, min_enps) {
            return Some(suppressed(min_enps));
        }
        figures_json(h)
    };
    let mut surveys: Vec<(&String, _)> = questions.surveys.iter().collect();
    surveys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = Map::new();
    for (survey, asked) in surveys {
        let mut list: Vec<&QuestionStats> = asked.values().collect();
        list.sort_by_key(|q| (q.position, q.key.as_str(), q.scores.kind));
        let items: Vec<Value> = list
            .into_iter()
            .map(|q| {
                let mut item = json!({ "key": q.key, "kind": q.scores.kind.as_str(),
                    "figures": figures(&q.scores) });
                if let Some(values) = by.and_then(|field| q.segments.get(field)) {
                    item["segments"] = values
                        .iter()
                        .filter_map(|(v, h)| Some((v.clone(), figures(h)?)))
                        .collect::<Map<String, Value>>()
                        .into();
                }
                if q.truncated {
                    item["segmentsTruncated"] = json!(true);
                }
                let relations: Vec<Value> = q
                    .by
                    .iter()
                    .filter_map(|(other, split)| {
                        let other = asked.get(other)?;
                        let names = other.scores.kind.groups();
                        let change = compare(&split[0], &split[2]).filter(|_| {
                            !below_floor(&split[0], min_enps) && !below_floor(&split[2], min_enps)
                        });
                        Some(json!({
                            "question": other.key,
                            "questionKind": other.scores.kind.as_str(),
                            "groups": { names[0].as_str(): figures(&split[0]), names[2].as_str(): figures(&split[2]) },
                            "difference": change.as_ref().map(change_json),
                        }))
                    })
                    .collect();
                item["by"] = Value::Array(relations);
                item
            })
            .collect();
        out.insert(survey.clone(), Value::Array(items));
    }
    Value::Object(out)
}

fn change_json(c: &Change) -> Value {
    json!({ "difference": number(c.difference), "low95": number(c.low95), "high95": number(c.high95),
        "significant": c.significant, "smallSample": c.small_sample })
}

/// A segment's figures per kind, each with `effect` (how far the segment moves the total:
/// the total's score minus the total without it) and `vsRest` (the segment minus the
/// other answers, with its 95% interval and significance), when there is a rest; and
/// each such difference's exact p-value, for weighing the segments together.
fn segment_json(scores: &Scores, overall: &Scores) -> (Value, Vec<(Kind, f64)>) {
    let mut out = kinds_json(scores);
    let mut p_values = Vec::new();
    for kind in KINDS {
        let (Some(figures), Some(a)) = (
            out.get_mut(kind.as_str()),
            against_rest(scores.get(kind), overall.get(kind)),
        ) else {
            continue;
        };
        figures["effect"] = number(a.effect);
        figures["vsRest"] = change_json(&a.change);
        figures["vsRest"]["pValue"] = number(a.p_value);
        p_values.push((kind, a.p_value));
    }
    (out, p_values)
}

/// Weighs a field's segments together: a segment differs from the rest when it is among
/// the discoveries of all the field's segments of its kind (Benjamini–Hochberg, 5%), not
/// when its own 95% interval alone leaves out 0, which one segment in twenty does by
/// chance. `tested`: each shown difference's segment, kind and exact p-value.
fn weigh_segments(values: &mut Map<String, Value>, tested: &[(String, Kind, f64)]) {
    for kind in KINDS {
        let of_kind: Vec<Option<f64>> = tested
            .iter()
            .map(|t| Some(t.2).filter(|_| t.1 == kind))
            .collect();
        weigh(&of_kind, |i, found| {
            values[&tested[i].0][kind.as_str()]["vsRest"]["significant"] = found.into();
        });
    }
}

/// Whether `h` is an eNPS histogram of fewer answers than the anonymity floor `minimum`.
fn below_floor(h: &Histogram, minimum: u64) -> bool {
    h.kind == Kind::Enps && h.n() < minimum
}

/// What a figure below the floor is replaced by.
fn suppressed(minimum: u64) -> Value {
    json!({ "suppressed": true, "minimum": minimum })
}

/// Whether `scores`' figure of `kind` is an eNPS one of fewer employees than the anonymity
/// floor `minimum` (counted as people, not answers: [`Scores::employees`]).
fn under_floor(scores: &Scores, kind: Kind, minimum: u64) -> bool {
    kind == Kind::Enps && scores.employees() < minimum
}

/// Replaces an eNPS figure resting on fewer than `minimum` employees (see [`summary`]).
fn suppress_small(figures: &mut Value, scores: &Scores, minimum: u64) {
    if scores.get(Kind::Enps).n() > 0 && under_floor(scores, Kind::Enps, minimum) {
        figures[Kind::Enps.as_str()] = suppressed(minimum);
    }
}

/// `{ accepted?, rejected: { count, first } }`.
pub fn report_json(report: &Report, with_accepted: bool) -> Value {
    let first: Vec<Value> = report
        .first
        .iter()
        .map(|e| json!({ "line": e.line, "field": e.field, "error": e.error }))
        .collect();
    let mut out = json!({ "rejected": { "count": report.rejected, "first": first } });
    if with_accepted {
        out["accepted"] = json!(report.accepted);
        out["skippedPartials"] = json!(report.skipped_partials);
        out["windows1252"] = json!(report.windows_1252);
    }
    out
}

/// `{ a, b, changes }`: each kind's change from `sa` (labelled `a`) to `sb`, an eNPS one
/// hidden where either side has fewer than `min_enps` answers.
pub fn compared(a: &str, sa: &Scores, b: &str, sb: &Scores, min_enps: u64) -> Value {
    let mut changes = Map::new();
    for kind in KINDS {
        if let Some(c) = compare(sa.get(kind), sb.get(kind)) {
            let hidden = under_floor(sa, kind, min_enps) || under_floor(sb, kind, min_enps);
            changes.insert(
                kind.as_str().into(),
                if hidden {
                    suppressed(min_enps)
                } else {
                    change_json(&c)
                },
            );
        }
    }
    json!({ "a": a, "b": b, "changes": changes })
}

/// The whole summary.
///
/// `min_enps` is the anonymity floor of employee answers: an eNPS figure of a segment or
/// a period with fewer answers is replaced by `{ suppressed: true, minimum }`, so that no
/// small team can be identified.
pub fn summary(
    state: &ScoreState,
    report: &Report,
    by: Option<&str>,
    period: Option<&str>,
    pair: Option<(String, String)>,
    min_enps: u64,
) -> Result<Value, String> {
    // A field no answer can have (`page`, `score`, a misspelt `metadata`) would put every
    // answer under "(none)" without a word.
    if let Some(field) = by.filter(|f| !sondeo_core::score::Row::is_segment_field(f)) {
        return Err(format!("by: {}, got {field:?}", crate::filter::EXPECTED_BY));
    }
    let mut out = Map::new();
    out.insert(
        "rejected".into(),
        report_json(report, false)["rejected"].clone(),
    );
    let mut overall = kinds_json(&state.overall);
    // The floor holds for the whole too: a date or survey filter can narrow it to a team.
    suppress_small(&mut overall, &state.overall, min_enps);
    out.insert("overall".into(), overall);
    // A field's segments add up to the whole: answers without a value are "(none)", with
    // those whose value is spelled so (as the filters, rates and inflation count them), not
    // in their place: a posted "(none)" must not hide the answers that have no value.
    let segments = by.map(|field| {
        let mut segments = state.segments.get(field).cloned().unwrap_or_default();
        if let Some(rest) = segments.unsegmented(&state.overall) {
            segments
                .values
                .entry(NO_VALUE.to_owned())
                .or_default()
                .merge(&rest);
        }
        segments
    });
    if let (Some(field), Some(segments)) = (by, &segments) {
        // In name order: the map itself is unordered.
        let mut sorted: Vec<(&String, &Scores)> = segments.values.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut tested = Vec::new();
        let mut values: Map<String, Value> = sorted
            .into_iter()
            .map(|(k, v)| {
                let (mut figures, p_values) = segment_json(v, &state.overall);
                suppress_small(&mut figures, v, min_enps);
                // A figure withheld (an eNPS team under the floor) is not weighed.
                let shown = |kind: Kind| figures[kind.as_str()].get("vsRest").is_some();
                tested.extend(
                    p_values
                        .into_iter()
                        .filter(|&(kind, _)| shown(kind))
                        .map(|(kind, p)| (k.clone(), kind, p)),
                );
                (k.clone(), figures)
            })
            .collect();
        weigh_segments(&mut values, &tested);
        out.insert("segments".into(), Value::Object(values));
        if segments.overflow {
            out.insert(
                "segmentsTruncated".into(),
                json!(format!(
                    "{field} has more than {} values; only the first are shown",
                    sondeo_core::score::MAX_SEGMENT_VALUES
                )),
            );
        } else if state.fields_overflow && !state.segments.contains_key(field) {
            out.insert(
                "segmentsTruncated".into(),
                json!(format!(
                    "the answers name more than {} fields; {field} is not among the first, so it is not segmented",
                    sondeo_core::score::MAX_SEGMENT_FIELDS
                )),
            );
        }
    }
    let periods = match period {
        None => None,
        Some(p) => Some(state.periods(Period::parse(p).ok_or_else(|| {
            format!("period: expected \"day\", \"week\" or \"month\", got {p:?}")
        })?)),
    };
    if let Some(periods) = &periods {
        // Answers in the totals that no period holds (a row without a date that reads): said,
        // so that a trend's n that falls short of the total is explained.
        let answers = |s: &sondeo_core::score::Scores| s.kinds.iter().map(|h| h.n()).sum::<u64>();
        let dated: u64 = state.days.values().map(answers).sum();
        out.insert(
            "undated".into(),
            answers(&state.overall).saturating_sub(dated).into(),
        );
        out.insert(
            "periods".into(),
            Value::Object(
                periods
                    .iter()
                    .map(|(k, v)| {
                        let mut figures = kinds_json(v);
                        suppress_small(&mut figures, v, min_enps);
                        (k.clone(), figures)
                    })
                    .collect(),
            ),
        );
    }
    if let Some((a, b)) = pair {
        let pick = |label: &str| -> Option<Scores> {
            match (&periods, &segments) {
                (Some(p), _) => p.get(label).cloned(),
                (None, Some(s)) => s.values.get(label).cloned(),
                _ => None,
            }
        };
        let (Some(sa), Some(sb)) = (pick(&a), pick(&b)) else {
            return Err(format!(
                "compare: {a:?} and {b:?} must both be {} present in the data",
                if periods.is_some() {
                    "periods"
                } else {
                    "segment values of `by`"
                }
            ));
        };
        out.insert("compare".into(), compared(&a, &sa, &b, &sb, min_enps));
    }
    let drivers: Vec<Value> = drivers(state)
        .into_iter()
        .map(|d| json!({ "reason": d.reason, "kind": d.kind.as_str(), "count": d.count, "scoreCiting": number(d.score_citing),
            "scoreNotCiting": number(d.score_not_citing), "shareOfWorstGroup": number(d.share_of_worst_group), "significant": d.significant }))
        .collect();
    out.insert("drivers".into(), Value::Array(drivers));
    let mut themes = Map::new();
    for (tier, name) in ["negative", "neutral", "positive"].iter().enumerate() {
        let top: Vec<Value> = state
            .themes
            .top(tier, 15)
            .into_iter()
            .map(|(term, count)| json!({ "term": term, "count": count }))
            .collect();
        themes.insert((*name).into(), Value::Array(top));
    }
    out.insert("themes".into(), Value::Object(themes));
    if !state.questions.surveys.is_empty() {
        out.insert(
            "questions".into(),
            questions_json(&state.questions, by, min_enps),
        );
    }
    Ok(Value::Object(out))
}

fn estimate_json(e: Option<sondeo_core::outcomes::Estimate>) -> Value {
    match e {
        Some(e) => {
            json!({ "value": number(e.value), "low95": number(e.low95), "high95": number(e.high95), "n": e.n })
        }
        None => Value::Null,
    }
}

fn difference_json(d: Option<sondeo_core::outcomes::Difference>) -> Value {
    match d {
        Some(d) => {
            json!({ "difference": number(d.difference), "low95": number(d.low95), "high95": number(d.high95), "significant": d.significant })
        }
        None => Value::Null,
    }
}

/// The outcomes report (see `Scorer.outcomes()`).
pub fn outcomes_json(
    tally: &sondeo_core::outcomes::OutcomeTally,
    respondents: &sondeo_core::outcomes::Respondents,
    report: &Report,
) -> Value {
    use sondeo_core::outcomes::{flag_difference, revenue_difference, FLAGS};
    let mut kinds = Map::new();
    for kind in KINDS {
        let groups = &tally.groups[kind as usize];
        if groups.iter().all(|g| g.n == 0) {
            continue;
        }
        let names = kind.groups();
        let mut by_group = Map::new();
        for (tier, g) in groups.iter().enumerate() {
            let mut figures = Map::new();
            figures.insert("n".into(), json!(g.n));
            for (i, flag) in FLAGS.iter().enumerate() {
                figures.insert((*flag).into(), estimate_json(g.rate(i)));
            }
            figures.insert("revenue".into(), estimate_json(g.revenue()));
            by_group.insert(names[tier].as_str().into(), Value::Object(figures));
        }
        let (best, worst) = (&groups[2], &groups[0]);
        let mut difference = Map::new();
        difference.insert("best".into(), json!(names[2].as_str()));
        difference.insert("worst".into(), json!(names[0].as_str()));
        for (i, flag) in FLAGS.iter().enumerate() {
            difference.insert(
                (*flag).into(),
                difference_json(flag_difference(best, worst, i)),
            );
        }
        difference.insert(
            "revenue".into(),
            difference_json(revenue_difference(best, worst)),
        );
        kinds.insert(
            kind.as_str().into(),
            json!({ "groups": by_group, "difference": difference }),
        );
    }
    json!({
        "respondents": respondents.len(),
        "matched": tally.matched,
        "unmatchedOutcomes": tally.unmatched,
        "respondentsWithoutOutcome": tally.without_outcome(respondents),
        "rejected": report_json(report, false)["rejected"].clone(),
        "kinds": kinds,
    })
}

fn rate_json(x: u64, n: u64) -> Value {
    if n == 0 {
        return Value::Null;
    }
    let (lo, hi) = sondeo_core::score::wilson(x, n);
    json!({ "value": number(100.0 * x as f64 / n as f64), "low95": number(100.0 * lo), "high95": number(100.0 * hi) })
}

/// The response rates (see `Scorer.rates()`).
pub fn rates_json(rows: &[sondeo_core::rates::RateRow], report: &Report) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut row = json!({ "surveyId": r.survey, "kind": r.kind.as_str(), "shown": r.shown,
                "answered": r.answered, "completed": r.completed,
                "responseRate": rate_json(r.answered, r.shown), "completionRate": rate_json(r.completed, r.shown) });
            if let Some(segment) = &r.segment {
                row["segment"] = json!(segment);
            }
            row
        })
        .collect();
    json!({ "rows": rows, "rejected": report_json(report, false)["rejected"].clone() })
}

/// Participation per team (see `Scorer.participation()`). More answers than invitations
/// (a team list out of date) is reported as such, the rate held at 100%.
pub fn participation_json(
    rows: &[sondeo_core::participation::Participation],
    report: &Report,
) -> Value {
    let teams: Vec<Value> = rows
        .iter()
        .map(|p| {
            json!({ "team": p.team, "invited": p.invited, "answered": p.answered,
                "rate": rate_json(p.answered.min(p.invited), p.invited),
                "moreAnswersThanInvited": p.answered > p.invited })
        })
        .collect();
    json!({ "teams": teams, "rejected": report_json(report, false)["rejected"].clone() })
}

/// The inflation check (see `Scorer.inflation()`).
pub fn inflation_json(rows: &[sondeo_core::inflation::Inflation]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let against = r.against_rest.map(|d| {
                    json!({ "difference": number(d.difference), "low95": number(d.low95), "high95": number(d.high95), "significant": d.significant })
                });
                let mut row = json!({ "segment": r.segment, "n": r.n, "score": number(r.score), "top": r.top, "terse": r.terse,
                    "share": rate_json(r.terse, r.top), "againstRest": against, "flagged": r.flagged() });
                if let Some(o) = &r.outcome {
                    row["outcome"] = json!({ "name": o.outcome, "rate": estimate_json(o.rate),
                        "againstRest": difference_json(o.against_rest), "flagged": o.flagged() });
                }
                row
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sondeo_core::import::{Format, Importer};

    /// The state and import report of an NDJSON text.
    fn scored(ndjson: &str) -> (ScoreState, Report) {
        let mut state = ScoreState::default();
        let mut importer = Importer::new(Format::Ndjson);
        importer.feed(ndjson.as_bytes(), &mut |row| state.add(row));
        let report = importer.finish(&mut |row| state.add(row));
        (state, report)
    }

    #[test]
    fn a_segment_field_no_answer_can_have_is_refused_by_name() {
        let (state, report) = (ScoreState::default(), Report::default());
        for field in ["page", "score", "metadata", "metadata.", "agent"] {
            let error = summary(&state, &report, Some(field), None, None, 5).unwrap_err();
            assert_eq!(
                error,
                format!("by: expected kind, surveyId, locale or metadata.<key>, got {field:?}")
            );
        }
        // A metadata key no answer has yet is a field all the same (the dashboard asks before any arrive).
        for field in ["kind", "surveyId", "locale", "metadata.agent"] {
            assert!(
                summary(&state, &report, Some(field), None, None, 5).is_ok(),
                "{field}"
            );
        }
    }

    #[test]
    fn the_summary_weighs_a_field_s_segments_together() {
        // 200 agents whose answers all come from one uniform 0–10 (a fixed seed): alone,
        // about one in twenty leaves 0 out of its interval; weighed together, none here.
        let mut seed = 11u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % 11
        };
        let mut ndjson = String::new();
        for agent in 0..200 {
            for _ in 0..150 {
                let score = next();
                ndjson.push_str(&format!(
                    r#"{{"kind":"nps","score":{score},"metadata":{{"agent":"a{agent}"}}}}"#
                ));
                ndjson.push('\n');
            }
        }
        let (state, report) = scored(&ndjson);
        let s = summary(&state, &report, Some("metadata.agent"), None, None, 5).unwrap();
        let segments = s["segments"].as_object().unwrap();
        assert_eq!(segments.len(), 200);
        let vs = |figures: &Value| figures["nps"]["vsRest"].clone();
        let alone = segments
            .values()
            .map(vs)
            .filter(|v| v["low95"].as_f64().unwrap() > 0.0 || v["high95"].as_f64().unwrap() < 0.0)
            .count();
        let marked = segments
            .values()
            .map(vs)
            .filter(|v| v["significant"] == true)
            .count();
        assert!(alone >= 3, "{alone}");
        assert_eq!(marked, 0);
    }

    #[test]
    fn a_ces_segment_s_interval_against_the_rest_stays_within_what_the_scale_allows() {
        // One answer of 7 against one of 1: the interval of the difference (at most 6)
        // must not run past ±6 however wide the error is.
        let ndjson = concat!(
            r#"{"kind":"ces","score":7,"metadata":{"agent":"ana"}}"#,
            "\n",
            r#"{"kind":"ces","score":7,"metadata":{"agent":"ana"}}"#,
            "\n",
            r#"{"kind":"ces","score":1,"metadata":{"agent":"bo"}}"#,
            "\n"
        );
        let (state, report) = scored(ndjson);
        let s = summary(&state, &report, Some("metadata.agent"), None, None, 5).unwrap();
        for agent in ["ana", "bo"] {
            let vs = &s["segments"][agent]["ces"]["vsRest"];
            let (low, high) = (
                vs["low95"].as_f64().unwrap(),
                vs["high95"].as_f64().unwrap(),
            );
            assert!(
                (-6.0..=6.0).contains(&low) && (-6.0..=6.0).contains(&high),
                "{agent}: {vs}"
            );
        }
    }

    #[test]
    fn each_question_of_a_multi_question_survey_is_reported_with_its_relationships() {
        // Two issues resolved (CSAT 5 and 4: satisfied), two not (CSAT 2 and 1): CSAT 50%,
        // resolved 50%; satisfied 100% when resolved, 0% when not: +100 points.
        let mut ndjson = String::new();
        for (i, (csat, resolved, agent)) in
            [(5, 1, "ana"), (4, 1, "bo"), (2, 0, "ana"), (1, 0, "bo")]
                .iter()
                .enumerate()
        {
            ndjson.push_str(&format!(
                r#"{{"id":"r{i}","schema":2,"surveyId":"tls","kind":"csat","score":{csat},"metadata":{{"agent":"{agent}"}},"answers":[{{"key":"satisfaction","kind":"csat","score":{csat}}},{{"key":"resolved","kind":"yesno","score":{resolved}}}]}}"#
            ));
            ndjson.push('\n');
        }
        let (state, report) = scored(&ndjson);
        assert_eq!(report.accepted, 4);
        let s = summary(&state, &report, Some("metadata.agent"), None, None, 5).unwrap();
        let asked = s["questions"]["tls"].as_array().unwrap();
        let keys: Vec<&str> = asked.iter().map(|q| q["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["satisfaction", "resolved"], "in the order asked");
        assert_eq!(asked[0]["figures"]["score"], 50.0);
        assert_eq!(asked[1]["kind"], "yesno");
        assert_eq!(asked[1]["figures"]["score"], 50.0);
        assert_eq!(asked[1]["figures"]["n"], 4);
        let relation = &asked[0]["by"][0];
        assert_eq!(relation["question"], "resolved");
        assert_eq!(relation["groups"]["high"]["score"], 100.0);
        assert_eq!(relation["groups"]["low"]["score"], 0.0);
        assert_eq!(relation["difference"]["difference"], 100.0);
        // Per agent: ana has a 5 and a 2 (50% satisfied), bo a 4 and a 1.
        assert_eq!(asked[0]["segments"]["ana"]["score"], 50.0);
        assert_eq!(asked[0]["segments"]["bo"]["n"], 2);
        // The top-level kind still counts every response once.
        assert_eq!(s["overall"]["csat"]["n"], 4);
        // An eNPS question of fewer answers than the floor is hidden like any eNPS figure.
        let line = r#"{"id":"e1","schema":2,"surveyId":"pulse","kind":"enps","score":9,"metadata":{"team":"ops"},"answers":[{"key":"enps","kind":"enps","score":9},{"key":"manager","kind":"rating","score":4}]}"#;
        let (pulse, report) = scored(&format!("{line}\n"));
        let s = summary(&pulse, &report, Some("metadata.team"), None, None, 5).unwrap();
        let enps = &s["questions"]["pulse"][0];
        assert_eq!(enps["figures"], json!({ "suppressed": true, "minimum": 5 }));
        assert_eq!(enps["segments"]["ops"]["suppressed"], true);
        assert_eq!(
            s["questions"]["pulse"][1]["by"][0]["difference"],
            Value::Null
        );
    }

    #[test]
    fn a_value_spelled_none_counts_with_the_answers_that_have_none_and_hides_nothing() {
        // Three detractors whose agent is posted as "(none)", two promoters with no agent:
        // the "(none)" row holds all five (it used to show the two only: n 2 of 5).
        let mut ndjson = String::new();
        for i in 0..3 {
            ndjson.push_str(&format!(
                r#"{{"id":"d{i}","kind":"nps","score":0,"metadata":{{"agent":"(none)"}}}}"#
            ));
            ndjson.push('\n');
        }
        for i in 0..2 {
            ndjson.push_str(&format!(r#"{{"id":"p{i}","kind":"nps","score":10}}"#));
            ndjson.push('\n');
        }
        let (state, report) = scored(&ndjson);
        let s = summary(&state, &report, Some("metadata.agent"), None, None, 5).unwrap();
        let none = &s["segments"]["(none)"]["nps"];
        assert_eq!(none["n"], 5);
        // (2 promoters − 3 detractors) / 5.
        assert_eq!(none["score"], 100.0 * (2.0 - 3.0) / 5.0);
    }

    #[test]
    fn an_enps_figure_of_fewer_than_the_floor_is_suppressed_and_says_so() {
        // Team "ops" has 3 answers, team "eng" 6; customers' NPS in "ops" is not an employee figure.
        let mut csv = String::from("kind,score,team,date\n");
        for score in [9, 2, 10] {
            csv.push_str(&format!("enps,{score},ops,2026-11-02\n"));
        }
        for score in [9, 9, 7, 3, 10, 10] {
            csv.push_str(&format!("enps,{score},eng,2026-11-03\n"));
        }
        csv.push_str("nps,4,ops,2026-11-02\n");
        let mut state = ScoreState::default();
        let mut importer = Importer::new(Format::Csv);
        importer.feed(csv.as_bytes(), &mut |row| state.add(row));
        let report = importer.finish(&mut |row| state.add(row));
        let s = summary(&state, &report, Some("metadata.team"), Some("day"), None, 5).unwrap();
        assert_eq!(
            s["segments"]["ops"]["enps"],
            json!({ "suppressed": true, "minimum": 5 })
        );
        assert_eq!(
            s["segments"]["ops"]["nps"]["n"], 1,
            "only eNPS is suppressed"
        );
        // eng: 4 promoters, 1 passive, 1 detractor of 6: eNPS 50.
        assert_eq!(s["segments"]["eng"]["enps"]["score"], 50.0);
        assert_eq!(s["periods"]["2026-11-02"]["enps"]["suppressed"], true);
        assert_eq!(s["overall"]["enps"]["n"], 9);
        let lenient = summary(&state, &report, Some("metadata.team"), None, None, 3).unwrap();
        assert_eq!(lenient["segments"]["ops"]["enps"]["n"], 3);
        // A comparison of a small team is hidden too, and so is a whole that is only a team.
        let pair = Some(("ops".to_owned(), "eng".to_owned()));
        let compared = summary(&state, &report, Some("metadata.team"), None, pair, 5).unwrap();
        assert_eq!(compared["compare"]["changes"]["enps"]["suppressed"], true);
        let mut ops_only = ScoreState::default();
        let mut importer = Importer::new(Format::Csv);
        let ops: String = csv.lines().take(4).map(|l| format!("{l}\n")).collect();
        importer.feed(ops.as_bytes(), &mut |row| ops_only.add(row));
        importer.finish(&mut |row| ops_only.add(row));
        let whole = summary(&ops_only, &Report::default(), None, None, None, 5).unwrap();
        assert_eq!(whole["overall"]["enps"]["suppressed"], true);
    }

    #[test]
    fn the_floor_counts_employees_not_answers() {
        // Two execs answer three monthly pulses: six answers, two people. Six people answer
        // one pulse over two days of one week; three answer, undated, in "ops".
        let mut ndjson = String::new();
        let mut line = |id: String, team: &str, score: u8, time: Option<&str>| {
            let time = time.map_or(String::new(), |t| format!(r#","createdAt":"{t}""#));
            ndjson.push_str(&format!(
                r#"{{"id":"{id}","kind":"enps","score":{score},"anonymous":true,"metadata":{{"team":"{team}"}}{time}}}"#
            ));
            ndjson.push('\n');
        };
        for (month, day) in [("09", "15"), ("10", "15"), ("11", "16")] {
            for person in 0..2 {
                let at = format!("2026-{month}-{day}T00:00:00Z");
                line(format!("exec-{month}-{person}"), "exec", 10, Some(&at));
            }
        }
        for person in 0..6 {
            let at = if person < 3 {
                "2026-11-16T00:00:00Z"
            } else {
                "2026-11-18T00:00:00Z"
            };
            line(format!("data-{person}"), "data", 9, Some(at));
        }
        for person in 0..3 {
            line(format!("ops-{person}"), "ops", 3, None);
        }
        let (state, report) = scored(&ndjson);
        let s = summary(
            &state,
            &report,
            Some("metadata.team"),
            Some("month"),
            None,
            5,
        )
        .unwrap();
        let hidden = json!({ "suppressed": true, "minimum": 5 });
        assert_eq!(s["segments"]["exec"]["enps"], hidden, "2 people, 6 answers");
        assert_eq!(s["segments"]["data"]["enps"]["n"], 6);
        assert_eq!(s["segments"]["ops"]["enps"], hidden);
        // November: 2 execs and 6 data people in one week, 8 employees.
        assert_eq!(s["periods"]["2026-11"]["enps"]["n"], 8);
        assert_eq!(s["periods"]["2026-09"]["enps"], hidden);
        // With the floor at 3, exec still counts 2 people, and ops its 3 undated answers.
        let lenient = summary(&state, &report, Some("metadata.team"), None, None, 3).unwrap();
        assert_eq!(
            lenient["segments"]["exec"]["enps"],
            json!({ "suppressed": true, "minimum": 3 })
        );
        assert_eq!(lenient["segments"]["ops"]["enps"]["n"], 3);
        // Answers without a team: the rest of the whole, counted by week as well.
        let by_site = summary(&state, &report, Some("metadata.site"), None, None, 8).unwrap();
        assert_eq!(by_site["segments"]["(none)"]["enps"]["n"], 15);

        // Counted by id: a later version of an exec's answer moves it to another week, and
        // the earlier week's tally gives it back (one exec in September is then one person).
        let mut latest = sondeo_core::score::Latest::default();
        let mut by_id = ScoreState::default();
        let mut importer = Importer::new(Format::Ndjson);
        let mut rows = Vec::new();
        importer.feed(ndjson.as_bytes(), &mut |row| {
            rows.push(row.clone().into_owned())
        });
        importer.finish(&mut |row| rows.push(row.clone().into_owned()));
        for row in rows {
            latest.upsert(&mut by_id, row);
        }
        assert_eq!(
            by_id.segments["metadata.team"].values["exec"].employees(),
            2
        );
        let mut moved = latest.get("exec-09-0").unwrap().clone();
        moved.time = Some(sondeo_core::time::parse_rfc3339("2026-11-16T00:00:00Z").unwrap());
        moved.times.updated = moved.time.map(|t| t * 1000 + 1);
        latest.upsert(&mut by_id, moved);
        let exec = &by_id.segments["metadata.team"].values["exec"];
        assert_eq!(
            (exec.get(sondeo_core::Kind::Enps).n(), exec.employees()),
            (6, 3)
        );
    }
}
