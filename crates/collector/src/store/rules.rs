//! The storage contract's rules, one place for both backends: whether a post's response
//! is a new version of what is stored, and what is stored with it.

use crate::clock;
use sondeo_core::answer::{Answer, Response};

/// What to do with one posted response, given what its id holds.
#[derive(Debug, PartialEq)]
pub enum Decision {
    /// The id belongs to another survey or kind: the whole post is refused.
    Conflict { survey_id: String, kind: String },
    /// Nothing changes: a late partial after the complete answer, or an exact re-send
    /// (which keeps its first `receivedAt` and is not announced twice).
    Keep,
    /// Store this version (its JSON with `receivedAt`, and when it was received).
    Write { json: String, received_ms: i64 },
}

/// What an id holds: complete, survey, kind, and the stored JSON.
#[derive(Clone)]
pub struct Stored {
    pub complete: bool,
    pub survey_id: String,
    pub kind: String,
    pub json: String,
}

const DAY_MS: i64 = 86_400_000;

/// The decision for `response` received at `now_ms`, against what its id holds.
pub fn decide(stored: Option<&Stored>, response: &Response, now_ms: i64) -> Decision {
    // What is written: the response, or it with the stored partial's other answers.
    let mut merged = None;
    if let Some(stored) = stored {
        // An id belongs to the survey and kind that stored it first: anything else is
        // another response (or an attempt to overwrite one), never a new version of it.
        if stored.survey_id != response.survey_id || stored.kind != response.kind.as_str() {
            return Decision::Conflict {
                survey_id: stored.survey_id.clone(),
                kind: stored.kind.clone(),
            };
        }
        // A late partial (a retry that arrives after the final post) must not undo the final answer.
        if stored.complete && !response.complete {
            return Decision::Keep;
        }
        let known = Version::of(&stored.json);
        let incoming = pairs(&response.answers);
        // Nor may a partial that knows fewer of a survey's answers undo a partial that knows
        // more (a schema 1 partial, with none, included).
        if !response.complete && known.knows_more_than(&incoming, response.score) {
            return Decision::Keep;
        }
        // Of two versions equally complete, the one made later stays, whichever arrives last:
        // a post held up on the way past the widget's time limit (which then sent the newer
        // version) must not undo the visitor's later choice; unless it knows more answers.
        // Versions without a believable `updatedAt` are taken in the order they arrive.
        if stored.complete == response.complete
            && made_at(response.updated_at.as_deref(), now_ms)
                .zip(known.made_ms)
                .is_some_and(|(made, stored_made)| made < stored_made)
            && (response.complete || !known.knows_less_than(&incoming))
        {
            return Decision::Keep;
        }
        // A partial from a new visit (a reload, the email link clicked again with another
        // first score) knows only what was asked there: the answers the stored partial holds
        // for the other questions stay, instead of being lost to the first one's change.
        let unknown = |a: &&Answer| !response.answers.iter().any(|r| r.key == a.key);
        if !response.complete
            && !response.answers.is_empty()
            && known.answers.iter().any(|a| unknown(&a))
        {
            let mut whole = response.clone();
            whole
                .answers
                .extend(known.answers.iter().filter(unknown).cloned());
            whole.answers.truncate(sondeo_core::survey::MAX_QUESTIONS);
            merged = Some(whole);
        }
    }
    let payload = merged.as_ref().unwrap_or(response).to_json();
    // A re-send of what is stored (a retry whose first answer was lost) changes nothing.
    if stored.is_some_and(|stored| same_payload(&stored.json, &payload)) {
        return Decision::Keep;
    }
    // An anonymous answer's receipt is kept to the day, as its own times are.
    let received_ms = if response.anonymous {
        now_ms.div_euclid(DAY_MS) * DAY_MS
    } else {
        now_ms
    };
    Decision::Write {
        json: with_received_at(&payload, &clock::rfc3339(received_ms)),
        received_ms,
    }
}

/// When a version was made, by its `updatedAt`, if believable at `received_ms`.
fn made_at(updated_at: Option<&str>, received_ms: i64) -> Option<i64> {
    updated_at
        .and_then(sondeo_core::time::parse_rfc3339_ms)
        .filter(|made| *made <= received_ms + sondeo_core::answer::UPDATED_AT_ALLOWANCE_MS)
}

/// `(key, score)` of each answer.
fn pairs(answers: &[Answer]) -> Vec<(&str, u8)> {
    answers.iter().map(|a| (a.key.as_str(), a.score)).collect()
}

/// What the rules need of the stored version, read once from its JSON. A stored row that no
/// longer reads knows nothing and has no time.
#[derive(Default)]
struct Version {
    answers: Vec<Answer>,
    score: Option<u8>,
    made_ms: Option<i64>,
}

impl Version {
    fn of(json: &str) -> Version {
        let Ok(value) = sondeo_core::Value::from_json(json) else {
            return Version::default();
        };
        let text = |key: &str| value.get(key).and_then(|t| t.as_str());
        let received_ms = text("receivedAt").and_then(sondeo_core::time::parse_rfc3339_ms);
        Version {
            answers: value
                .get("answers")
                .and_then(|a| sondeo_core::answer::parse_answers(a).ok())
                .unwrap_or_default(),
            score: match value.get("score") {
                Some(sondeo_core::Value::Number(s, _)) if (0.0..=255.0).contains(s) => {
                    Some(*s as u8)
                }
                _ => None,
            },
            // Judged against when it was received, as an incoming one is.
            made_ms: received_ms.and_then(|received| made_at(text("updatedAt"), received)),
        }
    }

    /// Whether its answers cover `answers` (of a response whose first score is `score`) and
    /// more (see [`sondeo_core::answer::knows_less`]).
    fn knows_more_than(&self, answers: &[(&str, u8)], score: u8) -> bool {
        !self.answers.is_empty()
            && sondeo_core::answer::knows_less(answers, score, &pairs(&self.answers))
    }

    /// Whether `answers` cover its answers and more.
    fn knows_less_than(&self, answers: &[(&str, u8)]) -> bool {
        self.score.is_some_and(|score| {
            sondeo_core::answer::knows_less(&pairs(&self.answers), score, answers)
        })
    }
}

/// Whether `stored` (a payload with `receivedAt` added by [`with_received_at`]) holds
/// exactly `payload`: core's `to_json` never writes `receivedAt`, so what follows the
/// payload's members must be that key.
fn same_payload(stored: &str, payload: &str) -> bool {
    let members = payload.strip_suffix('}').unwrap_or(payload);
    stored
        .strip_prefix(members)
        .is_some_and(|rest| rest.starts_with(",\"receivedAt\":"))
}

/// Adds `"receivedAt"` to a payload object's JSON.
fn with_received_at(json: &str, received: &str) -> String {
    let body = json.strip_suffix('}').unwrap_or(json);
    format!("{body},\"receivedAt\":\"{received}\"}}")
}
