//! A score-inflation check: an agent who asks customers for a 10 raises the score without
//! raising loyalty, and leaves a trace: top scores with no reason given. Per segment (an
//! agent, a touchpoint), the share of the best group's answers whose comment is empty or
//! short, against the same share in the other segments, with Newcombe's interval; a
//! segment whose share is significantly higher is flagged.
//!
//! With outcomes loaded, the other trace: the segment's top scorers do not behave like
//! top scorers. Per segment, the outcome rate (retained, say) of the customers in its
//! best group against that of the other segments' best groups; a segment whose
//! promoters retain significantly less (churn more) than promoters elsewhere has a score
//! that its customers' behaviour does not bear out.

use crate::metric::Kind;
use crate::outcomes::{proportion_difference, share, Difference, Estimate, OutcomeTally, FLAGS};
use crate::score::{headline, proportion_p_value, weigh, Histogram, Row, NO_VALUE};
use std::collections::BTreeMap;

/// A segment's top scorers against their later outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeCheck {
    /// The outcome's name (`retained`, `churned`, `repurchased`, `crossSell`).
    pub outcome: &'static str,
    /// The outcome rate of the segment's best-group customers found in the outcomes.
    pub rate: Option<Estimate>,
    /// That rate minus the other segments' best-group rate, in points.
    pub against_rest: Option<Difference>,
}

impl OutcomeCheck {
    /// The segment's top scorers behave significantly worse than top scorers elsewhere:
    /// retain, repurchase or cross-buy less, or churn more.
    pub fn flagged(&self) -> bool {
        let worse = |d: &Difference| match self.outcome {
            "churned" => d.difference > 0.0,
            _ => d.difference < 0.0,
        };
        self.against_rest
            .is_some_and(|d| d.significant && worse(&d))
    }
}

/// One segment's top answers and how many of them say little.
#[derive(Debug, Clone, PartialEq)]
pub struct Inflation {
    /// The segment value (`"(none)"` for answers without one).
    pub segment: String,
    /// Answers in the kind's best group (NPS promoters).
    pub top: u64,
    /// Of those, with a comment shorter than the threshold (or none).
    pub terse: u64,
    /// Terse share here minus in the other segments, in points.
    pub against_rest: Option<Difference>,
    /// The segment's score (the kind's headline) over all its answers, and how many.
    pub score: f64,
    /// Answers of the kind in the segment.
    pub n: u64,
    /// With outcomes: its top scorers' outcome against top scorers elsewhere.
    pub outcome: Option<OutcomeCheck>,
}

impl Inflation {
    /// Significantly more terse top scores than elsewhere.
    pub fn flagged(&self) -> bool {
        self.against_rest
            .is_some_and(|d| d.significant && d.difference > 0.0)
    }
}

/// The check for `kind` over `rows` (the responses counted by id, or those of them a view
/// filters: [`crate::score::Latest::iter_where`]), per value of `field`
/// (`metadata.agent`…); a comment of fewer than `short_below` characters counts as terse.
/// With `outcomes` (the joined outcomes and a flag's index in [`FLAGS`]), each segment's
/// best-group customers (by `user.id`) are checked against their outcome too.
pub fn inflation<'r>(
    rows: impl Iterator<Item = &'r Row<'static>>,
    field: &str,
    kind: Kind,
    short_below: usize,
    outcomes: Option<(&OutcomeTally, usize)>,
) -> Vec<Inflation> {
    let best = kind.groups()[2];
    #[derive(Default)]
    struct Tally {
        top: u64,
        terse: u64,
        scores: Option<Histogram>,
        /// Best-group customers with the outcome known, and of those with it.
        outcome: (u64, u64),
        /// Those customers, so that one who answered three times counts once.
        customers: std::collections::HashSet<String>,
    }
    let mut counts: BTreeMap<String, Tally> = BTreeMap::new();
    for row in rows {
        if row.kind != Some(kind) {
            continue;
        }
        let mut value = None;
        row.for_each_segment(kind, |f, v| {
            if f == field && value.is_none() {
                value = Some(v.to_owned());
            }
        });
        let entry = counts
            .entry(value.unwrap_or_else(|| NO_VALUE.to_owned()))
            .or_default();
        entry
            .scores
            .get_or_insert_with(|| Histogram::new(kind))
            .add(row.score);
        if kind.group(row.score as i64) != Some(best) {
            continue;
        }
        let terse = row
            .comment
            .as_deref()
            .is_none_or(|c| c.trim().chars().count() < short_below);
        entry.top += 1;
        entry.terse += terse as u64;
        let user = row.user.as_deref();
        let known = outcomes.and_then(|(tally, flag)| tally.of(user?)?.flags[flag]);
        if let (Some(yes), Some(user)) = (known, user) {
            if entry.customers.insert(user.to_owned()) {
                entry.outcome.0 += 1;
                entry.outcome.1 += yes as u64;
            }
        }
    }
    let sum = |f: fn(&Tally) -> (u64, u64)| {
        counts
            .values()
            .map(f)
            .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
    };
    let (all_top, all_terse) = sum(|t| (t.top, t.terse));
    let (all_known, all_yes) = sum(|t| t.outcome);
    // Each segment's p-values (terse share, outcome), to weigh the segments together.
    let mut p_values = Vec::new();
    let mut rows: Vec<Inflation> = counts
        .into_iter()
        .map(|(segment, t)| {
            p_values.push((
                proportion_p_value(t.terse, t.top, all_terse - t.terse, all_top - t.top),
                proportion_p_value(
                    t.outcome.1,
                    t.outcome.0,
                    all_yes - t.outcome.1,
                    all_known - t.outcome.0,
                ),
            ));
            Inflation {
                segment,
                top: t.top,
                terse: t.terse,
                against_rest: proportion_difference(
                    t.terse,
                    t.top,
                    all_terse - t.terse,
                    all_top - t.top,
                ),
                score: t.scores.as_ref().map_or(f64::NAN, headline),
                n: t.scores.as_ref().map_or(0, Histogram::n),
                outcome: outcomes.map(|(_, flag)| {
                    let (known, yes) = t.outcome;
                    OutcomeCheck {
                        outcome: FLAGS[flag],
                        rate: share(yes, known),
                        against_rest: proportion_difference(
                            yes,
                            known,
                            all_yes - yes,
                            all_known - known,
                        ),
                    }
                }),
            }
        })
        .collect();
    // An agent is flagged only among the discoveries of all the segments (Benjamini–Hochberg,
    // 5%): of fifty agents who all ask nothing of their customers, a 95% test of each would
    // flag two or three by chance, and name them.
    let terse: Vec<Option<f64>> = p_values.iter().map(|p| p.0).collect();
    weigh(&terse, |i, found| {
        if let Some(d) = &mut rows[i].against_rest {
            d.significant = found;
        }
    });
    let outcome: Vec<Option<f64>> = p_values.iter().map(|p| p.1).collect();
    weigh(&outcome, |i, found| {
        if let Some(d) = rows[i]
            .outcome
            .as_mut()
            .and_then(|o| o.against_rest.as_mut())
        {
            d.significant = found;
        }
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::{Latest, ScoreState};
    use std::borrow::Cow;

    #[test]
    fn agents_who_differ_only_by_chance_are_not_flagged_once_weighed_together() {
        // 60 agents, 30 tens each, each ten terse with one chance in two (a fixed seed);
        // "zed": 40 tens, all terse.
        let mut state = ScoreState::default();
        let mut latest = Latest::default();
        let mut seed = 5u64;
        let mut id = 0;
        let mut add = |agent: String, terse: bool| {
            id += 1;
            let comment = (!terse).then_some(Cow::Borrowed("Solved on the first call, thank you"));
            let row = Row {
                id: Some(Cow::Owned(format!("r{id}"))),
                complete: true,
                kind: Some(Kind::Nps),
                score: 10,
                metadata: vec![(Cow::Borrowed("agent"), Cow::Owned(agent))],
                comment,
                ..Row::default()
            };
            latest.upsert(&mut state, row);
        };
        for agent in 0..60 {
            for _ in 0..30 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                add(format!("a{agent}"), (seed >> 33).is_multiple_of(2));
            }
        }
        for _ in 0..40 {
            add("zed".into(), true);
        }
        let rows = inflation(latest.iter(), "metadata.agent", Kind::Nps, 20, None);
        let flagged: Vec<&str> = rows
            .iter()
            .filter(|r| r.flagged())
            .map(|r| r.segment.as_str())
            .collect();
        assert_eq!(flagged, ["zed"]);
        // One by one, chance alone would have flagged some of the others too.
        let alone = rows
            .iter()
            .filter(|r| r.segment != "zed")
            .filter(|r| {
                let (others_top, others_terse) = rows
                    .iter()
                    .filter(|o| o.segment != r.segment)
                    .fold((0, 0), |(t, s), o| (t + o.top, s + o.terse));
                proportion_difference(r.terse, r.top, others_terse, others_top)
                    .is_some_and(|d| d.significant && d.difference > 0.0)
            })
            .count();
        assert!(alone >= 1, "{alone}");
    }

    #[test]
    fn an_agent_whose_tens_come_without_a_word_is_flagged() {
        let mut state = ScoreState::default();
        let mut latest = Latest::default();
        let mut id = 0;
        let mut add = |agent: &str, score: u8, comment: &str| {
            id += 1;
            let row = Row {
                id: Some(Cow::Owned(format!("r{id}"))),
                complete: true,
                kind: Some(Kind::Nps),
                score,
                metadata: vec![(Cow::Borrowed("agent"), Cow::Owned(agent.to_owned()))],
                comment: (!comment.is_empty()).then(|| Cow::Owned(comment.to_owned())),
                ..Row::default()
            };
            latest.upsert(&mut state, row);
        };
        // "bo": 30 tens, 27 of them with no comment; "ana" and "chen": 30 promoters each,
        // 6 terse. Detractors do not count.
        for i in 0..30 {
            add(
                "bo",
                10,
                if i < 27 {
                    ""
                } else {
                    "Bo explained the refund policy clearly"
                },
            );
            add(
                "ana",
                9,
                if i < 6 {
                    "ok"
                } else {
                    "Ana found the missing parcel in a day"
                },
            );
            add(
                "chen",
                10,
                if i < 6 {
                    ""
                } else {
                    "Chen walked me through the settings"
                },
            );
            add("bo", 2, "");
        }
        let found = inflation(latest.iter(), "metadata.agent", Kind::Nps, 20, None);
        let by: Vec<(&str, u64, u64, bool)> = found
            .iter()
            .map(|f| (f.segment.as_str(), f.top, f.terse, f.flagged()))
            .collect();
        assert_eq!(
            by,
            [
                ("ana", 30, 6, false),
                ("bo", 30, 27, true),
                ("chen", 30, 6, false)
            ]
        );
        // bo: 90% terse against 12 of 60 (20%) elsewhere: +70 points.
        let d = found[1].against_rest.unwrap();
        assert!((d.difference - 70.0).abs() < 1e-9);
    }

    #[test]
    fn an_agent_whose_promoters_do_not_stay_is_flagged_with_the_interval_behind_it() {
        use crate::outcomes::{OutcomeRecord, Respondents};
        let mut state = ScoreState::default();
        let mut latest = Latest::default();
        let mut respondents = Respondents::default();
        let mut tally = OutcomeTally::default();
        let mut records = Vec::new();
        // 40 promoters per agent, every one with a comment; ana's and chen's retain at
        // 36 of 40, bo's at 16 of 40; bo also has 10 detractors (NPS (40 − 10)/50 = 60).
        for (agent, retained) in [("ana", 36), ("bo", 16), ("chen", 36)] {
            for i in 0..40 {
                let user = format!("{agent}-{i}");
                let row = Row {
                    id: Some(Cow::Owned(format!("r-{user}"))),
                    complete: true,
                    kind: Some(Kind::Nps),
                    score: 10,
                    metadata: vec![(Cow::Borrowed("agent"), Cow::Owned(agent.to_owned()))],
                    comment: Some(Cow::Borrowed("Solved on the first call, thank you")),
                    user: Some(Cow::Owned(user.clone())),
                    ..Row::default()
                };
                respondents.record(&row);
                latest.upsert(&mut state, row);
                let mut record = OutcomeRecord {
                    id: user,
                    ..OutcomeRecord::default()
                };
                record.flags[0] = Some(i < retained);
                records.push(record);
            }
        }
        for i in 0..10 {
            latest.upsert(
                &mut state,
                Row {
                    id: Some(Cow::Owned(format!("d{i}"))),
                    complete: true,
                    kind: Some(Kind::Nps),
                    score: 3,
                    metadata: vec![(Cow::Borrowed("agent"), Cow::Borrowed("bo"))],
                    ..Row::default()
                },
            );
        }
        // A customer of bo's who answered again (another ticket) is still one customer.
        latest.upsert(
            &mut state,
            Row {
                id: Some(Cow::Borrowed("again")),
                complete: true,
                kind: Some(Kind::Nps),
                score: 9,
                metadata: vec![(Cow::Borrowed("agent"), Cow::Borrowed("bo"))],
                comment: Some(Cow::Borrowed("Second ticket, solved quickly again")),
                user: Some(Cow::Borrowed("bo-39")),
                ..Row::default()
            },
        );
        records.iter().for_each(|r| tally.add(&respondents, r));
        let found = inflation(
            latest.iter(),
            "metadata.agent",
            Kind::Nps,
            20,
            Some((&tally, 0)),
        );
        let bo = &found[1];
        assert_eq!((bo.segment.as_str(), bo.n), ("bo", 51));
        assert!((bo.score - 100.0 * (41.0 - 10.0) / 51.0).abs() < 1e-9);
        assert!(!bo.flagged(), "every top score came with words");
        let check = bo.outcome.as_ref().unwrap();
        assert_eq!(check.outcome, "retained");
        let rate = check.rate.unwrap();
        assert_eq!((rate.value, rate.n), (40.0, 40));
        // 40% against 72 of 80 (90%) for the other agents' promoters: −50 points.
        let d = check.against_rest.unwrap();
        assert!(
            (d.difference + 50.0).abs() < 1e-9 && d.high95 < 0.0,
            "{d:?}"
        );
        assert!(check.flagged());
        assert!(!found[0].outcome.as_ref().unwrap().flagged());
    }
}
