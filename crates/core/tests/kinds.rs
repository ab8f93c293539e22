//! Every consumer covers every kind of `metric::SPECS`: validation of a config and of a
//! payload, grouping, the texts in every built-in language, scoring and comparing.
//! A new kind that one of them forgets fails here.

use sondeo_core::answer::parse_response;
use sondeo_core::i18n::{end_label_keys, point_label_key, question_key, LOCALES};
use sondeo_core::metric::{Statistic, KINDS, SPECS};
use sondeo_core::score::{compare, headline, Histogram, Row, ScoreState};
use sondeo_core::survey::parse_config;
use sondeo_core::Value;

fn object(members: &[(&str, Value)]) -> Value {
    Value::Object(
        members
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn text(s: &str) -> Value {
    Value::String(s.into())
}

#[test]
fn every_consumer_covers_every_kind() {
    assert_eq!(KINDS.len(), SPECS.len());
    for kind in KINDS {
        let spec = kind.spec();
        // A config asks it, in every style the entry allows.
        for style in spec.styles {
            let config = object(&[
                ("kind", text(spec.name)),
                ("endpoint", text("/x")),
                ("scale", text(style)),
            ]);
            let parsed = parse_config(&config).unwrap_or_else(|e| panic!("{}: {e:?}", spec.name));
            assert_eq!(parsed.kind, kind);
        }
        // Its texts exist in every built-in language.
        for locale in LOCALES {
            assert!(!locale.text(question_key(kind)).is_empty());
            let (low, high) = end_label_keys(kind);
            assert!(!locale.text(low).is_empty() && !locale.text(high).is_empty());
            for score in spec.min..=spec.max {
                if let Some(key) = point_label_key(kind, score) {
                    assert!(!locale.text(key).is_empty(), "{} {score}", spec.name);
                }
            }
        }
        // Every score on the scale is a valid answer with a group; one past either end is not.
        let mut state = ScoreState::default();
        for score in spec.min..=spec.max {
            let payload = object(&[
                ("id", text("r1")),
                ("kind", text(spec.name)),
                ("score", Value::Number(score as f64, None)),
            ]);
            let response =
                parse_response(&payload).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
            assert_eq!(Some(response.group), kind.group(score as i64));
            state.add(&Row {
                kind: Some(kind),
                score,
                ..Row::default()
            });
        }
        for off in [spec.min as f64 - 1.0, spec.max as f64 + 1.0] {
            let payload = object(&[
                ("id", text("r1")),
                ("kind", text(spec.name)),
                ("score", Value::Number(off, None)),
            ]);
            assert_eq!(parse_response(&payload).unwrap_err().field, "score");
        }
        // Scoring: one answer per point gives the headline its statistic defines.
        let h = state.overall.get(kind);
        let points = kind.points() as f64;
        let best = (spec.max - spec.best_from + 1) as f64;
        let worst = (spec.middle_from - spec.min) as f64;
        let expected = match spec.statistic {
            Statistic::Net => 100.0 * (best - worst) / points,
            Statistic::Share => 100.0 * best / points,
            Statistic::Mean => (spec.min as f64 + spec.max as f64) / 2.0,
        };
        assert!(
            (headline(h) - expected).abs() < 1e-9,
            "{}: {} vs {expected}",
            spec.name,
            headline(h)
        );
        let mut other = Histogram::new(kind);
        other.add(spec.max);
        assert!(compare(h, &other).is_some(), "{}", spec.name);
    }
}
