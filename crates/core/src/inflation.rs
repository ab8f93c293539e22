//! A score-inflation check: an agent who asks customers for a 10 raises the score without
//! raising loyalty, and leaves a trace: top scores with no reason given. Per segment (an
//! agent, a touchpoint), the share of the best group's answers whose comment is empty or
//! short, against the same share in the other segments, with Newcombe's interval; a
//! segment whose share is significantly higher is flagged.

use crate::metric::Kind;
use crate::outcomes::{proportion_difference, Difference};
use crate::score::{Latest, NO_VALUE};
use std::collections::BTreeMap;

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
}

impl Inflation {
    /// Significantly more terse top scores than elsewhere.
    pub fn flagged(&self) -> bool {
        self.against_rest
            .is_some_and(|d| d.significant && d.difference > 0.0)
    }
}

/// The check for `kind` over the responses counted by id, per value of `field`
/// (`metadata.agent`…); a comment of fewer than `short_below` characters counts as terse.
pub fn inflation(latest: &Latest, field: &str, kind: Kind, short_below: usize) -> Vec<Inflation> {
    let best = kind.groups()[2];
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for row in latest.iter() {
        if row.kind != Some(kind) || kind.group(row.score as i64) != Some(best) {
            continue;
        }
        let mut value = None;
        row.for_each_segment(kind, |f, v| {
            if f == field && value.is_none() {
                value = Some(v.to_owned());
            }
        });
        let terse = row
            .comment
            .as_deref()
            .is_none_or(|c| c.trim().chars().count() < short_below);
        let entry = counts
            .entry(value.unwrap_or_else(|| NO_VALUE.to_owned()))
            .or_default();
        entry.0 += 1;
        entry.1 += terse as u64;
    }
    let (all_top, all_terse) = counts
        .values()
        .fold((0, 0), |(t, s), (a, b)| (t + a, s + b));
    counts
        .into_iter()
        .map(|(segment, (top, terse))| Inflation {
            segment,
            top,
            terse,
            against_rest: proportion_difference(terse, top, all_terse - terse, all_top - top),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::{Row, ScoreState};
    use std::borrow::Cow;

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
        let found = inflation(&latest, "metadata.agent", Kind::Nps, 20);
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
}
