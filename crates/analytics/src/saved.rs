//! What `state()` hands out and `fromState()` takes back: the scorer's exact state with
//! a format version, so that a state saved by one version is never misread by another.

use sondeo_core::outcomes::Respondents;
use sondeo_core::score::{Row, ScoreState};

/// Version of the saved state's format: bump it whenever `ScoreState` changes shape.
/// (5: the responses counted by id travel with the figures.)
pub const STATE_VERSION: u64 = 5;

/// A version 4 state: the same figures, without the responses counted by id.
const WITHOUT_COUNTED: u64 = 4;

/// Everything a scorer's figures are made of.
#[derive(Debug, Default, PartialEq)]
pub struct Saved {
    pub state: ScoreState,
    /// Each user's latest score per kind, for joining outcomes.
    pub respondents: Respondents,
    /// The counted version of each response kept by id (`upsert`, `byId`): without them a
    /// restored scorer could not replace a later version, list or filter. Their figures are
    /// in `state`.
    pub counted: Vec<Row<'static>>,
    /// Whether some figures come from responses not kept by id.
    pub unkeyed: bool,
}

/// The state as a JSON value: `{ "version": 5, "overall": …, "segments": …, … }`, with
/// `respondents` when there are any, and `counted` (and `unkeyed`) when responses are kept
/// by id.
pub fn save(saved: &Saved) -> Result<serde_json::Value, String> {
    let mut value = serde_json::to_value(&saved.state).map_err(|e| e.to_string())?;
    if let serde_json::Value::Object(members) = &mut value {
        members.insert("version".into(), STATE_VERSION.into());
        if !saved.respondents.is_empty() {
            let people = serde_json::to_value(&saved.respondents).map_err(|e| e.to_string())?;
            members.insert("respondents".into(), people);
        }
        if !saved.counted.is_empty() {
            let counted = serde_json::to_value(&saved.counted).map_err(|e| e.to_string())?;
            members.insert("counted".into(), counted);
        }
        // Always: an empty scorer's state must load as one that may still count by id.
        members.insert("unkeyed".into(), saved.unkeyed.into());
    }
    Ok(value)
}

/// A state saved by [`save`] (or by version 4, which kept no responses by id), or an error
/// naming what is wrong with it.
pub fn load(mut value: serde_json::Value) -> Result<Saved, String> {
    let serde_json::Value::Object(members) = &mut value else {
        return Err("state: expected the object that state() returned".into());
    };
    let version = members.remove("version");
    match &version {
        Some(v) if v.as_u64() == Some(STATE_VERSION) || v.as_u64() == Some(WITHOUT_COUNTED) => {}
        Some(v) => {
            return Err(format!(
                "state.version: expected {STATE_VERSION}, got {v}; this state was saved by another version of sondeo-analytics, score its export again"
            ))
        }
        None => {
            return Err(format!(
                "state.version: required; expected {STATE_VERSION} (an object from state())"
            ))
        }
    }
    let respondents = match members.remove("respondents") {
        None => Respondents::default(),
        Some(people) => {
            serde_json::from_value(people).map_err(|e| format!("state.respondents: {e}"))?
        }
    };
    let counted: Vec<Row<'static>> = match members.remove("counted") {
        None => Vec::new(),
        Some(rows) => serde_json::from_value(rows).map_err(|e| format!("state.counted: {e}"))?,
    };
    // Version 4 kept no response by id: its figures, if any, are all added ones.
    let unkeyed = match members.remove("unkeyed") {
        None => None,
        Some(flag) => Some(
            flag.as_bool()
                .ok_or_else(|| format!("state.unkeyed: expected true or false, got {flag}"))?,
        ),
    };
    if let Some(path) = count_too_large(&value, "state") {
        return Err(format!(
            "{path}: expected a count of at most {MAX_COUNT} (no real export holds more; \
             added to others it would no longer be exact)"
        ));
    }
    let state: ScoreState = serde_json::from_value(value).map_err(|e| format!("state: {e}"))?;
    let unkeyed = unkeyed.unwrap_or(!state.overall.is_empty());
    Ok(Saved {
        state,
        respondents,
        counted,
        unkeyed,
    })
}

/// The largest whole number a page's JavaScript holds exactly (2^53 − 1).
const MAX_COUNT: u64 = (1 << 53) - 1;

/// Where the state holds a number past [`MAX_COUNT`]: counts that large, summed into a
/// total, wrap around (three equal groups summed to a score of −100).
fn count_too_large(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_u64()
            .is_some_and(|n| n > MAX_COUNT)
            .then(|| path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| count_too_large(item, &format!("{path}[{i}]"))),
        Value::Object(members) => members
            .iter()
            .find_map(|(key, item)| count_too_large(item, &format!("{path}.{key}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sondeo_core::import::{Format, Importer};

    fn some_state() -> (ScoreState, Respondents) {
        let saved =
            some_saved("kind,score,touchpoint,userId\nnps,9,web,u1\nnps,3,phone,u2\ncsat,5,web,\n");
        (saved.state, saved.respondents)
    }

    /// The state of `csv`, its rows with an id kept by id.
    fn some_saved(csv: &str) -> Saved {
        let mut saved = Saved::default();
        let mut latest = sondeo_core::score::Latest::default();
        let mut importer = Importer::new(Format::Csv);
        let mut add = |row: &sondeo_core::score::Row| {
            saved.respondents.record(row);
            if row.id.is_some() {
                latest.upsert(&mut saved.state, row.clone().into_owned());
            } else {
                saved.state.add(row);
                saved.unkeyed = true;
            }
        };
        importer.feed(csv.as_bytes(), &mut add);
        importer.finish(&mut add);
        saved.counted = latest.iter().cloned().collect();
        saved.counted.sort_by(|a, b| a.id.cmp(&b.id));
        saved
    }

    #[test]
    fn a_state_with_a_count_past_exact_integers_is_refused_by_its_path() {
        let (state, _) = some_state();
        let plain = Saved {
            state,
            ..Saved::default()
        };
        let mut saved = save(&plain).unwrap();
        // Every count made 2^63: summed, they wrapped into nonsense figures.
        fn inflate(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Number(n) if n.as_u64().is_some_and(|n| n > 0) => {
                    *value = (1u64 << 63).into()
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(inflate),
                serde_json::Value::Object(members) => members.values_mut().for_each(inflate),
                _ => {}
            }
        }
        let version = saved["version"].clone();
        inflate(&mut saved);
        saved["version"] = version.clone();
        let error = load(saved).unwrap_err();
        assert!(error.starts_with("state."), "{error}");
        assert!(
            error.contains("expected a count of at most 9007199254740991"),
            "{error}"
        );
        // One count of the figures at 2^53 − 1 loads; at 2^53 it is refused.
        fn set_first_count(value: &mut serde_json::Value, to: u64) -> bool {
            match value {
                serde_json::Value::Number(n) if n.as_u64().is_some_and(|n| n > 0) => {
                    *value = to.into();
                    true
                }
                serde_json::Value::Array(items) => {
                    items.iter_mut().any(|item| set_first_count(item, to))
                }
                serde_json::Value::Object(members) => {
                    members.values_mut().any(|item| set_first_count(item, to))
                }
                _ => false,
            }
        }
        let mut largest = save(&plain).unwrap();
        assert!(set_first_count(&mut largest["overall"], (1 << 53) - 1));
        let loaded = load(largest.clone()).unwrap();
        assert_ne!(loaded.state, plain.state, "the count was read");
        assert!(set_first_count(&mut largest["overall"], 1 << 53));
        assert!(load(largest).unwrap_err().contains("expected a count"));
    }

    #[test]
    fn a_saved_state_loads_back_exactly_and_carries_its_version() {
        let (state, respondents) = some_state();
        // Who answered what travels too: a file scored in workers still joins to outcomes.
        assert_eq!(respondents.len(), 2);
        let whole = Saved {
            state: state.clone(),
            respondents,
            counted: Vec::new(),
            unkeyed: true,
        };
        let saved = save(&whole).unwrap();
        assert_eq!(saved["version"], STATE_VERSION);
        assert_eq!(load(saved).unwrap(), whole);
        // A state without respondents (saved before they were part of it) still loads.
        let bare = Saved {
            state,
            unkeyed: true,
            ..Saved::default()
        };
        let saved = save(&bare).unwrap();
        assert!(saved.get("respondents").is_none());
        assert_eq!(load(saved).unwrap(), bare);
    }

    #[test]
    fn responses_counted_by_id_travel_with_the_figures_and_a_version_4_state_still_loads() {
        let keyed = some_saved(
            "id,kind,score,comment,metadata.agent,createdAt\n\
             a,nps,9,\"fast, kind\",ana,2026-11-22T10:00:00+01:00\n\
             b,csat,2,,bo,\n\
             ,nps,0,no id,,\n",
        );
        assert_eq!(keyed.counted.len(), 2);
        assert!(keyed.unkeyed);
        let saved = save(&keyed).unwrap();
        assert_eq!(load(saved.clone()).unwrap(), keyed);
        // Saved by version 4: the figures, no responses by id, all of them added.
        let mut old = saved;
        let members = old.as_object_mut().unwrap();
        members.remove("counted");
        members.remove("unkeyed");
        members.insert("version".into(), 4.into());
        let loaded = load(old).unwrap();
        assert_eq!(
            (loaded.state, loaded.counted.len(), loaded.unkeyed),
            (keyed.state, 0, true)
        );
    }

    #[test]
    fn an_empty_scorer_s_state_loads_as_one_that_may_still_count_by_id() {
        let empty = Saved::default();
        let loaded = load(save(&empty).unwrap()).unwrap();
        assert!(!loaded.unkeyed);
        // Version 4, empty: nothing was added either.
        let mut old = save(&empty).unwrap();
        old.as_object_mut().unwrap().remove("unkeyed");
        old["version"] = 4.into();
        assert!(!load(old).unwrap().unkeyed);
    }

    #[test]
    fn another_version_or_none_is_refused_with_a_clear_error() {
        let (state, respondents) = some_state();
        let mut saved = save(&Saved {
            state,
            respondents,
            ..Saved::default()
        })
        .unwrap();
        saved["version"] = (STATE_VERSION + 1).into();
        let e = load(saved.clone()).unwrap_err();
        assert!(e.starts_with("state.version: expected 5, got 6"), "{e}");
        saved.as_object_mut().unwrap().remove("version");
        assert!(load(saved)
            .unwrap_err()
            .starts_with("state.version: required"));
        assert!(load(serde_json::json!([1]))
            .unwrap_err()
            .starts_with("state: expected"));
    }
}
