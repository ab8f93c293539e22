//! What `state()` hands out and `fromState()` takes back: the scorer's exact state with
//! a format version, so that a state saved by one version is never misread by another.

use sondeo_core::outcomes::Respondents;
use sondeo_core::score::ScoreState;

/// Version of the saved state's format: bump it whenever `ScoreState` changes shape.
pub const STATE_VERSION: u64 = 4;

/// The state as a JSON value: `{ "version": 1, "overall": …, "segments": …, … }`, with
/// `respondents` (each user's latest score per kind, for joining outcomes) when there are any.
pub fn save(state: &ScoreState, respondents: &Respondents) -> Result<serde_json::Value, String> {
    let mut value = serde_json::to_value(state).map_err(|e| e.to_string())?;
    if let serde_json::Value::Object(members) = &mut value {
        members.insert("version".into(), STATE_VERSION.into());
        if !respondents.is_empty() {
            let people = serde_json::to_value(respondents).map_err(|e| e.to_string())?;
            members.insert("respondents".into(), people);
        }
    }
    Ok(value)
}

/// A state saved by [`save`], or an error naming what is wrong with it.
pub fn load(mut value: serde_json::Value) -> Result<(ScoreState, Respondents), String> {
    let serde_json::Value::Object(members) = &mut value else {
        return Err("state: expected the object that state() returned".into());
    };
    let respondents = match members.remove("respondents") {
        None => Respondents::default(),
        Some(people) => {
            serde_json::from_value(people).map_err(|e| format!("state.respondents: {e}"))?
        }
    };
    match members.remove("version") {
        Some(v) if v.as_u64() == Some(STATE_VERSION) => {}
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
    if let Some(path) = count_too_large(&value, "state") {
        return Err(format!(
            "{path}: expected a count of at most {MAX_COUNT} (no real export holds more; \
             added to others it would no longer be exact)"
        ));
    }
    let state = serde_json::from_value(value).map_err(|e| format!("state: {e}"))?;
    Ok((state, respondents))
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
        let (mut state, mut respondents) = (ScoreState::default(), Respondents::default());
        let mut importer = Importer::new(Format::Csv);
        let csv = "kind,score,touchpoint,userId\nnps,9,web,u1\nnps,3,phone,u2\ncsat,5,web,\n";
        let mut add = |row: &sondeo_core::score::Row| {
            state.add(row);
            respondents.record(row);
        };
        importer.feed(csv.as_bytes(), &mut add);
        importer.finish(&mut add);
        (state, respondents)
    }

    #[test]
    fn a_state_with_a_count_past_exact_integers_is_refused_by_its_path() {
        let (state, _) = some_state();
        let respondents = Respondents::default();
        let mut saved = save(&state, &respondents).unwrap();
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
        // 2^53 − 1 itself is a count.
        let mut saved = save(&state, &respondents).unwrap();
        saved["overall"]["nps"]["n"] = serde_json::json!((1u64 << 53) - 1);
        assert!(!load(saved)
            .err()
            .is_some_and(|e| e.contains("expected a count")));
    }

    #[test]
    fn a_saved_state_loads_back_exactly_and_carries_its_version() {
        let (state, respondents) = some_state();
        // Who answered what travels too: a file scored in workers still joins to outcomes.
        assert_eq!(respondents.len(), 2);
        let saved = save(&state, &respondents).unwrap();
        assert_eq!(saved["version"], STATE_VERSION);
        assert_eq!(load(saved).unwrap(), (state.clone(), respondents));
        // A state without respondents (saved before they were part of it) still loads.
        let saved = save(&state, &Respondents::default()).unwrap();
        assert!(saved.get("respondents").is_none());
        assert_eq!(load(saved).unwrap(), (state, Respondents::default()));
    }

    #[test]
    fn another_version_or_none_is_refused_with_a_clear_error() {
        let (state, respondents) = some_state();
        let mut saved = save(&state, &respondents).unwrap();
        saved["version"] = (STATE_VERSION + 1).into();
        let e = load(saved.clone()).unwrap_err();
        assert!(e.starts_with("state.version: expected 4, got 5"), "{e}");
        saved.as_object_mut().unwrap().remove("version");
        assert!(load(saved)
            .unwrap_err()
            .starts_with("state.version: required"));
        assert!(load(serde_json::json!([1]))
            .unwrap_err()
            .starts_with("state: expected"));
    }
}
