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
    pub fn rows(&self, latest: &Latest, by: Option<&str>) -> Vec<RateRow> {
        let key = by.and_then(|b| b.strip_prefix("metadata."));
        let mut lines: BTreeMap<(String, &'static str, Option<String>), RateRow> = BTreeMap::new();
        for shown in self.shown.values() {
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
        let all = rates.rows(&latest, None);
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].shown, all[0].answered, all[0].completed), (5, 3, 2));
        let by_agent = rates.rows(&latest, Some("metadata.agent"));
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
}
