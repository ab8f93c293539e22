//! The storage contract's rules, one place for both backends: whether a post's response
//! is a new version of what is stored, and what is stored with it.

use crate::clock;
use sondeo_core::answer::Response;

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
    let payload = response.to_json();
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
        // Nor may a partial that knows fewer of a survey's answers undo a partial that knows
        // more (a schema 1 partial, with none, included).
        if !response.complete && knows_more(&stored.json, response) {
            return Decision::Keep;
        }
        // Of two versions equally complete, the one made later stays, whichever arrives last:
        // a post held up on the way past the widget's time limit (which then sent the newer
        // version) must not undo the visitor's later choice. Versions without `updatedAt`
        // (older widgets, other senders) are taken in the order they arrive.
        if stored.complete == response.complete && made_before(&stored.json, response) {
            return Decision::Keep;
        }
        // A re-send of what is stored (a retry whose first answer was lost) changes nothing.
        if same_payload(&stored.json, &payload) {
            return Decision::Keep;
        }
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

/// Whether the stored version's answers cover `response`'s and more (see
/// [`sondeo_core::answer::knows_less`]). A stored row that no longer reads counts as knowing
/// nothing more.
fn knows_more(stored: &str, response: &Response) -> bool {
    let Ok(value) = sondeo_core::Value::from_json(stored) else {
        return false;
    };
    let Some(answers) = value
        .get("answers")
        .and_then(|a| sondeo_core::answer::parse_answers(a).ok())
    else {
        return false;
    };
    let stored: Vec<(&str, u8)> = answers.iter().map(|a| (a.key.as_str(), a.score)).collect();
    let newer: Vec<(&str, u8)> = response
        .answers
        .iter()
        .map(|a| (a.key.as_str(), a.score))
        .collect();
    sondeo_core::answer::knows_less(&newer, response.score, &stored)
}

/// Whether `response` was made before the stored version, both by their `updatedAt`.
fn made_before(stored: &str, response: &Response) -> bool {
    let time = |t: Option<&str>| t.and_then(sondeo_core::time::parse_rfc3339_ms);
    let Some(made) = time(response.updated_at.as_deref()) else {
        return false;
    };
    let stored_made = sondeo_core::Value::from_json(stored)
        .ok()
        .and_then(|value| time(value.get("updatedAt").and_then(|t| t.as_str())));
    stored_made.is_some_and(|stored_made| made < stored_made)
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
