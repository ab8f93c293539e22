//! The questions of surveys that ask several (payload schema 2): each question's scores,
//! by segment, and how each question's answers differ with the group of another's
//! (satisfaction when the issue was resolved, and when it was not).
//!
//! Exact and mergeable like the rest of the state: every figure is a histogram, added and
//! taken out per row, so a response's later version replaces it exactly.

use super::{FastMap, Histogram, Row, MAX_SEGMENT_FIELDS, MAX_SEGMENT_VALUES, NO_VALUE};
use crate::metric::Kind;
use std::collections::BTreeMap;

/// One question of one survey.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuestionStats {
    /// The question's key in its survey's config.
    pub key: String,
    /// Where the question stands among the survey's: the earliest position it was
    /// answered at (the same in any order of rows and any split into shards).
    pub position: usize,
    /// All its answers.
    pub scores: Histogram,
    /// Its answers per segment field (`metadata.agent`), per value.
    pub segments: BTreeMap<String, BTreeMap<String, Histogram>>,
    /// Its answers per other question of the survey (by name), split by the group
    /// (worst, middle, best) of the answer to that question in the same response.
    pub by: BTreeMap<String, [Histogram; 3]>,
    /// A segment field had more than [`MAX_SEGMENT_VALUES`] values, or there were more than
    /// [`MAX_SEGMENT_FIELDS`] fields: some were not kept.
    pub truncated: bool,
}

impl QuestionStats {
    fn new(key: &str, kind: Kind, position: usize) -> QuestionStats {
        QuestionStats {
            key: key.to_owned(),
            position,
            truncated: false,
            scores: Histogram::new(kind),
            segments: BTreeMap::new(),
            by: BTreeMap::new(),
        }
    }
}

/// Per survey id, per question (named `key:kind`, so that a key a survey reused for
/// another kind is counted apart, the same way in any order of rows).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Questions {
    /// Survey id → question name (`key:kind`) → its figures.
    pub surveys: FastMap<String, BTreeMap<String, QuestionStats>>,
}

/// The name a question is counted under in its survey.
pub fn question_name(key: &str, kind: Kind) -> String {
    [key, ":", kind.as_str()].concat()
}

impl Questions {
    /// Counts the answers of `row` (once per response version; a row without answers
    /// changes nothing), or, with `add` false, takes them back out.
    pub fn count(&mut self, row: &Row<'_>, add: bool) {
        if row.answers.is_empty() {
            return;
        }
        let survey = row.survey_id.as_deref().unwrap_or(NO_VALUE);
        if !self.surveys.contains_key(survey) {
            if !add {
                return;
            }
            self.surveys.insert(survey.to_owned(), BTreeMap::new());
        }
        let Some(questions) = self.surveys.get_mut(survey) else {
            return;
        };
        let names: Vec<String> = row
            .answers
            .iter()
            .map(|(key, kind, _)| question_name(key, *kind))
            .collect();
        for (i, ((key, kind, score), name)) in row.answers.iter().zip(&names).enumerate() {
            let stats = questions
                .entry(name.clone())
                .or_insert_with(|| QuestionStats::new(key, *kind, i));
            if add {
                stats.position = stats.position.min(i);
            }
            let tally = |h: &mut Histogram| if add { h.add(*score) } else { h.remove(*score) };
            tally(&mut stats.scores);
            for (k, v) in &row.metadata {
                let field = [crate::schema::METADATA_PREFIX, k].concat();
                if !stats.segments.contains_key(&field)
                    && stats.segments.len() >= MAX_SEGMENT_FIELDS
                {
                    stats.truncated |= add;
                    continue;
                }
                let values = stats.segments.entry(field).or_default();
                if let Some(h) = values.get_mut(v.as_ref()) {
                    tally(h);
                } else if add && values.len() < MAX_SEGMENT_VALUES {
                    let mut h = Histogram::new(*kind);
                    h.add(*score);
                    values.insert(v.to_string(), h);
                } else if add {
                    stats.truncated = true;
                }
            }
            for (j, ((_, other_kind, other_score), other)) in
                row.answers.iter().zip(&names).enumerate()
            {
                let Some(group) = other_kind.group(*other_score as i64).filter(|_| i != j) else {
                    continue;
                };
                let split = stats
                    .by
                    .entry(other.clone())
                    .or_insert_with(|| [0, 1, 2].map(|_| Histogram::new(*kind)));
                tally(&mut split[group.tier()]);
            }
        }
        if !add {
            // What was taken out to nothing goes, so that a replaced response leaves no trace.
            for stats in questions.values_mut() {
                for values in stats.segments.values_mut() {
                    values.retain(|_, h| h.n() > 0);
                }
                stats.segments.retain(|_, values| !values.is_empty());
                stats.by.retain(|_, split| split.iter().any(|h| h.n() > 0));
            }
            questions.retain(|_, stats| stats.scores.n() > 0);
            if questions.is_empty() {
                self.surveys.remove(survey);
            }
        }
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &Questions) {
        for (survey, theirs) in &other.surveys {
            let mine = self.surveys.entry(survey.clone()).or_default();
            for (key, q) in theirs {
                let Some(m) = mine.get_mut(key) else {
                    mine.insert(key.clone(), q.clone());
                    continue;
                };
                m.position = m.position.min(q.position);
                m.truncated |= q.truncated;
                m.scores.merge(&q.scores);
                for (field, values) in &q.segments {
                    if !m.segments.contains_key(field) && m.segments.len() >= MAX_SEGMENT_FIELDS {
                        m.truncated = true;
                        continue;
                    }
                    let into = m.segments.entry(field.clone()).or_default();
                    for (value, h) in values {
                        if let Some(mine) = into.get_mut(value) {
                            mine.merge(h);
                        } else if into.len() < MAX_SEGMENT_VALUES {
                            into.insert(value.clone(), h.clone());
                        } else {
                            m.truncated = true;
                        }
                    }
                }
                for (other, split) in &q.by {
                    match m.by.get_mut(other) {
                        Some(mine) => mine.iter_mut().zip(split).for_each(|(a, b)| a.merge(b)),
                        None => {
                            m.by.insert(other.clone(), split.clone());
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::{compare, csat, Latest, ScoreState};
    use std::borrow::Cow;

    /// A reproducible stream of numbers in [0, 1) (64-bit LCG, Knuth's constants).
    struct Draws(u64);
    impl Draws {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn tls(
        id: usize,
        satisfaction: u8,
        resolved: u8,
        agent: u8,
        who: &str,
        complete: bool,
    ) -> Row<'static> {
        let mut answers = vec![
            (Cow::from("satisfaction"), Kind::Csat, satisfaction),
            (Cow::from("resolved"), Kind::Yesno, resolved),
            (Cow::from("agent"), Kind::Rating, agent),
        ];
        if !complete {
            answers.truncate(2);
        }
        Row {
            id: Some(Cow::Owned(format!("r{id}"))),
            complete,
            kind: Some(Kind::Csat),
            score: satisfaction,
            answers,
            survey_id: Some("tls".into()),
            metadata: vec![("agent".into(), Cow::Owned(who.to_owned()))],
            ..Row::default()
        }
    }

    /// A program whose truth is known: 70% of issues resolved; satisfied (4–5) 90% of
    /// the time when resolved and 30% when not; agent "ana" rated 5, "bo" rated 3.
    fn program(n: usize, seed: u64) -> Vec<Row<'static>> {
        let mut draw = Draws(seed);
        (0..n)
            .map(|i| {
                let resolved = (draw.next() < 0.7) as u8;
                let satisfied = draw.next() < if resolved == 1 { 0.9 } else { 0.3 };
                let satisfaction = if satisfied {
                    4 + (draw.next() < 0.5) as u8
                } else {
                    1 + (draw.next() * 3.0) as u8
                };
                let (who, agent) = if i % 2 == 0 { ("ana", 5) } else { ("bo", 3) };
                tls(i, satisfaction, resolved, agent, who, true)
            })
            .collect()
    }

    #[test]
    fn each_question_and_each_relationship_recovers_the_program_s_truth() {
        let mut state = ScoreState::default();
        for row in program(4000, 7) {
            state.add(&row);
        }
        let survey = &state.questions.surveys["tls"];
        let keys: Vec<(&str, usize)> = survey
            .values()
            .map(|q| (q.key.as_str(), q.position))
            .collect();
        assert_eq!(keys, [("agent", 2), ("resolved", 1), ("satisfaction", 0)]);
        // The share resolved: the truth (70%) within its Wilson interval.
        let resolved = csat(&survey["resolved:yesno"].scores).unwrap();
        assert_eq!(resolved.n, 4000);
        assert!(
            resolved.low95 <= 70.0 && 70.0 <= resolved.high95,
            "{resolved:?}"
        );
        // Satisfaction when resolved (the best group of "resolved") against when not.
        let split = &survey["satisfaction:csat"].by["resolved:yesno"];
        let (when_not, when_resolved) = (csat(&split[0]).unwrap(), csat(&split[2]).unwrap());
        assert_eq!(split[1].n(), 0, "yes/no has no middle group");
        assert_eq!(when_not.n + when_resolved.n, 4000);
        assert!(when_resolved.low95 <= 90.0 && 90.0 <= when_resolved.high95);
        assert!(when_not.low95 <= 30.0 && 30.0 <= when_not.high95);
        let change = compare(&split[0], &split[2]).unwrap();
        assert!(
            change.significant && change.low95 <= 60.0 && 60.0 <= change.high95,
            "{change:?}"
        );
        // The agent question by agent: every "ana" answer is a 5, every "bo" one a 3.
        let agents = &survey["agent:rating"].segments["metadata.agent"];
        assert_eq!((agents["ana"].mean(), agents["ana"].n()), (5.0, 2000));
        assert_eq!((agents["bo"].mean(), agents["bo"].n()), (3.0, 2000));
    }

    #[test]
    fn a_later_version_replaces_the_partial_exactly_and_shards_merge_exactly() {
        let rows = program(300, 11);
        let mut whole = ScoreState::default();
        rows.iter().for_each(|r| whole.add(r));
        // The same responses, each first as a partial of two answers (another satisfaction
        // score), then complete: counted once, as complete.
        let mut latest = Latest::default();
        let mut upserted = ScoreState::default();
        for (i, row) in rows.iter().enumerate() {
            let (s, r) = (row.answers[0].2 % 5 + 1, row.answers[1].2);
            latest.upsert(&mut upserted, tls(i, s, r, 1, "ana", false));
            latest.upsert(&mut upserted, row.clone());
        }
        assert_eq!(upserted.questions, whole.questions);
        // Taking every response back out leaves nothing behind.
        rows.iter().for_each(|r| upserted.remove(r));
        assert!(
            upserted.questions.surveys.is_empty(),
            "{:?}",
            upserted.questions
        );
        // Two shards merged are the single pass.
        let (mut a, mut b) = (ScoreState::default(), ScoreState::default());
        rows[..120].iter().for_each(|r| a.add(r));
        rows[120..].iter().for_each(|r| b.add(r));
        a.merge(&b);
        assert_eq!(a.questions, whole.questions);
    }

    #[test]
    fn a_key_reused_for_another_kind_is_counted_apart_in_any_order_and_split() {
        let row = |id: &str, answers: Vec<(&'static str, Kind, u8)>| Row {
            id: Some(Cow::Owned(id.to_owned())),
            complete: true,
            kind: Some(answers[0].1),
            score: answers[0].2,
            answers: answers
                .into_iter()
                .map(|(k, kind, s)| (Cow::Borrowed(k), kind, s))
                .collect(),
            survey_id: Some("s".into()),
            ..Row::default()
        };
        let r1 = row("r1", vec![("x", Kind::Csat, 5), ("y", Kind::Yesno, 1)]);
        let r2 = row("r2", vec![("x", Kind::Rating, 2), ("y", Kind::Yesno, 0)]);
        // Taken out in the order they went in: nothing remains.
        let mut state = ScoreState::default();
        state.add(&r1);
        state.add(&r2);
        assert_eq!(
            state.questions.surveys["s"].len(),
            3,
            "x:csat, x:rating, y:yesno"
        );
        state.remove(&r1);
        state.remove(&r2);
        assert!(state.questions.surveys.is_empty());
        // Each in its own shard, merged: the single pass.
        let (mut a, mut b, mut whole) = (
            ScoreState::default(),
            ScoreState::default(),
            ScoreState::default(),
        );
        a.add(&r2);
        b.add(&r1);
        whole.add(&r1);
        whole.add(&r2);
        a.merge(&b);
        assert_eq!(a.questions, whole.questions);
    }

    #[test]
    fn a_partial_that_knows_fewer_answers_does_not_undo_one_that_knows_more() {
        let mut latest = Latest::default();
        let mut state = ScoreState::default();
        let two = tls(1, 4, 0, 5, "ana", false);
        let mut one = two.clone();
        one.answers.truncate(1);
        latest.upsert(&mut state, two.clone());
        // The email link opened again after a reload: only the first answer, the same.
        assert!(!latest.upsert(&mut state, one.clone()));
        assert_eq!(latest.get("r1").map(|r| r.answers.len()), Some(2));
        // So does a schema 1 partial (no answers) with the same first score.
        let mut schema1 = one.clone();
        schema1.answers.clear();
        assert!(!latest.upsert(&mut state, schema1));
        assert_eq!(latest.get("r1").map(|r| r.answers.len()), Some(2));
        // Another first answer is news: it replaces.
        let mut changed = one;
        changed.answers[0].2 = 2;
        changed.score = 2;
        assert!(latest.upsert(&mut state, changed));
        assert_eq!(
            state.questions.surveys["tls"]["satisfaction:csat"]
                .scores
                .mean(),
            2.0
        );
    }
}
