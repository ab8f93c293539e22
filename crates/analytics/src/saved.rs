//! What `state()` hands out and `fromState()` takes back: the scorer's exact state with
//! a format version, so that a state saved by one version is never misread by another.

use sondeo_core::score::ScoreState;

/// Version of the saved state's format: bump it whenever `ScoreState` changes shape.
pub const STATE_VERSION: u64 = 3;

/// The state as a JSON value: `{ "version": 1, "overall": …, "segments": …, … }`.
pub fn save(state: &ScoreState) -> Result<serde_json::Value, String> {
    let mut value = serde_json::to_value(state).map_err(|e| e.to_string())?;
    if let serde_json::Value::Object(members) = &mut value {
        members.insert("version".into(), STATE_VERSION.into());
    }
    Ok(value)
}

/// A state saved by [`save`], or an error naming what is wrong with it.
pub fn load(mut value: serde_json::Value) -> Result<ScoreState, String> {
    let serde_json::Value::Object(members) = &mut value else {
        return Err("state: expected the object that state() returned".into());
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
    serde_json::from_value(value).map_err(|e| format!("state: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sondeo_core::import::{Format, Importer};

    fn some_state() -> ScoreState {
        let mut state = ScoreState::default();
        let mut importer = Importer::new(Format::Csv);
        let csv = "kind,score,touchpoint\nnps,9,web\nnps,3,phone\ncsat,5,web\n";
        importer.feed(csv.as_bytes(), &mut |row| state.add(row));
        importer.finish(&mut |row| state.add(row));
        state
    }

    #[test]
    fn a_saved_state_loads_back_exactly_and_carries_its_version() {
        let state = some_state();
        let saved = save(&state).unwrap();
        assert_eq!(saved["version"], STATE_VERSION);
        assert_eq!(load(saved).unwrap(), state);
    }

    #[test]
    fn another_version_or_none_is_refused_with_a_clear_error() {
        let mut saved = save(&some_state()).unwrap();
        saved["version"] = (STATE_VERSION + 1).into();
        let e = load(saved.clone()).unwrap_err();
        assert!(e.starts_with("state.version: expected 3, got 4"), "{e}");
        saved.as_object_mut().unwrap().remove("version");
        assert!(load(saved)
            .unwrap_err()
            .starts_with("state.version: required"));
        assert!(load(serde_json::json!([1]))
            .unwrap_err()
            .starts_with("state: expected"));
    }
}
