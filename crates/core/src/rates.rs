//! Response rates: display records (`impressions: true`) joined by id to the responses
//! counted by id. A score without its response rate cannot be trusted: 5% answering
//! after an outage is not 40%.

use crate::impression::Impression;
use crate::metric::Kind;
use crate::score::{Latest, NO_VALUE};
use std::collections::{BTreeMap, HashMap};

/// The display records seen, by id (the first of an id counts).
#[derive(Debug, Default)]
pub struct Rates {
    shown: HashMap<String, Impression>,
}

/// One line of the report: a survey (and a segment of it), shown, answered, completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRow {
    /// The survey.
    pub survey: String,
    /// Its kind.
    pub kind: Kind,
    /// The segment value (`by`), when asked for.
    pub segment: Option<String>,
    /// Prompts shown.
    pub shown: u64,
    /// Of those, answered (a score, at least partially).
    pub answered: u64,
    /// Of those, submitted.
    pub completed: u64,
}

/// Which display records a rate counts: every condition given must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Within<'a> {
    /// Shown at or after this time (Unix seconds).
    pub from: Option<i64>,
    /// Shown before this time (Unix seconds).
    pub until: Option<i64>,
    /// Of this survey.
    pub survey: Option<&'a str>,
    /// Of this kind.
    pub kind: Option<Kind>,
}

impl Within<'_> {
    fn keeps(&self, shown: &Impression) -> bool {
        let dated = self.from.is_none() && self.until.is_none()
            || shown
                .shown_at
                .as_deref()
                .and_then(crate::time::parse_rfc3339)
                .is_some_and(|t| {
                    self.from.is_none_or(|from| t >= from)
                        && self.until.is_none_or(|until| t < until)
                });
        dated
            && self.survey.is_none_or(|s| s == shown.survey_id)
            && self.kind.is_none_or(|k| k == shown.kind)
    }
}

impl Rates {
    /// Takes a display record; returns whether it is new.
    pub fn add(&mut self, impression: Impression) -> bool {
        if self.shown.contains_key(&impression.id) {
            return false;
        }
        self.shown.insert(impression.id.clone(), impression);
        true
    }

    /// Display records held.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// Shown / answered / completed per survey, and per value of `by` (`metadata.<key>`,
    /// `"(none)"` for records without it) when given; surveys in name order.
    /// Only the prompts `within` keeps: shown in its time (a record without `shownAt` is
    /// left out when it names one), of its survey and kind.
    pub fn rows(&self, latest: &Latest, by: Option<&str>, within: &Within<'_>) -> Vec<RateRow> {
        let key = by.and_then(|b| b.strip_prefix("metadata."));
        let mut lines: BTreeMap<(String, &'static str, Option<String>), RateRow> = BTreeMap::new();
        for shown in self.shown.values().filter(|s| within.keeps(s)) {
            let segment = key.map(|k| {
                shown
                    .metadata
                    .iter()
                    .find(|(m, _)| m == k)
                    .map_or(NO_VALUE.to_owned(), |(_, v)| v.clone())
            });
            let line = lines
                .entry((
                    shown.survey_id.clone(),
                    shown.kind.as_str(),
                    segment.clone(),
                ))
                .or_insert_with(|| RateRow {
                    survey: shown.survey_id.clone(),
                    kind: shown.kind,
                    segment,
                    shown: 0,
                    answered: 0,
                    completed: 0,
                });
            line.shown += 1;
            if let Some(response) = latest.get(&shown.id) {
                line.answered += 1;
                line.completed += response.complete as u64;
            }
        }
        lines.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::{Row, ScoreState};
    use std::borrow::Cow;

    fn shown(id: &str, survey: &str, agent: Option<&str>) -> Impression {
        Impression {
            id: id.into(),
            survey_id: survey.into(),
            kind: Kind::Csat,
            metadata: agent
                .map(|a| vec![("agent".to_owned(), a.to_owned())])
                .unwrap_or_default(),
            shown_at: None,
        }
    }

    #[test]
    fn shown_answered_and_completed_join_by_id_per_survey_and_segment() {
        let mut rates = Rates::default();
        for (id, agent) in [
            ("a", Some("ana")),
            ("b", Some("ana")),
            ("c", Some("bo")),
            ("d", None),
            ("e", Some("bo")),
        ] {
            assert!(rates.add(shown(id, "post-ticket", agent)));
        }
        assert!(
            !rates.add(shown("a", "post-ticket", Some("ana"))),
            "a re-sent record counts once"
        );
        let mut state = ScoreState::default();
        let mut latest = Latest::default();
        // a answered and submitted, b only scored (a partial), c submitted; a response with
        // no display record (z) is not a shown prompt.
        for (id, complete) in [("a", true), ("b", false), ("c", true), ("z", true)] {
            latest.upsert(
                &mut state,
                Row {
                    id: Some(Cow::Owned(id.into())),
                    complete,
                    kind: Some(Kind::Csat),
                    score: 4,
                    ..Row::default()
                },
            );
        }
        let all = rates.rows(&latest, None, &Within::default());
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].shown, all[0].answered, all[0].completed), (5, 3, 2));
        let by_agent = rates.rows(&latest, Some("metadata.agent"), &Within::default());
        let counts: Vec<(Option<&str>, u64, u64, u64)> = by_agent
            .iter()
            .map(|r| (r.segment.as_deref(), r.shown, r.answered, r.completed))
            .collect();
        assert_eq!(
            counts,
            [
                (Some("(none)"), 1, 0, 0),
                (Some("ana"), 2, 2, 1),
                (Some("bo"), 2, 1, 1)
            ]
        );
    }

    #[test]
    fn a_window_counts_the_prompts_shown_in_it_of_its_survey() {
        let mut rates = Rates::default();
        for (id, at) in [
            ("o1", "2026-10-15T09:00:00Z"),
            ("o2", "2026-10-31T23:59:59Z"),
            ("n1", "2026-11-01T00:00:00Z"),
            ("n2", "2026-11-16T09:00:00.500+01:00"),
        ] {
            rates.add(Impression {
                shown_at: Some(at.into()),
                ..shown(id, "pulse", None)
            });
        }
        rates.add(shown("undated", "pulse", None));
        rates.add(Impression {
            shown_at: Some("2026-11-02T00:00:00Z".into()),
            ..shown("other", "relationship", None)
        });
        let (mut state, mut latest) = (ScoreState::default(), Latest::default());
        for id in ["o1", "n2"] {
            latest.upsert(
                &mut state,
                Row {
                    id: Some(Cow::Owned(id.into())),
                    complete: true,
                    kind: Some(Kind::Csat),
                    score: 5,
                    ..Row::default()
                },
            );
        }
        let november = Within {
            from: crate::time::parse_rfc3339("2026-11-01"),
            until: crate::time::parse_rfc3339("2026-12-01"),
            survey: Some("pulse"),
            kind: None,
        };
        let rows = rates.rows(&latest, None, &november);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].shown, rows[0].answered), (2, 1));
        // Without a window: all six, the undated and the other survey's included.
        let all: u64 = rates
            .rows(&latest, None, &Within::default())
            .iter()
            .map(|r| r.shown)
            .sum();
        assert_eq!(all, 6);
        let other_kind = Within {
            kind: Some(Kind::Nps),
            ..Within::default()
        };
        assert!(rates.rows(&latest, None, &other_kind).is_empty());
    }
}
