//! The display record (`impressions: true`): a prompt was shown, with no answer. Its `id`
//! is the id the response will carry, so rates join the two: shown, answered, completed.

use crate::answer::{
    expected_got, is_response_id, limits, push_map, short_text, string_map, timestamp, FieldError,
    EXPECTED_ID,
};
use crate::metric::{Kind, KIND_CHOICES};
use crate::text::push_json_string;
use crate::value::Value;

/// A prompt shown to one visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct Impression {
    /// The id its response carries (if the visitor answers).
    pub id: String,
    /// The survey.
    pub survey_id: String,
    /// Its kind.
    pub kind: Kind,
    /// The survey's metadata (touchpoint, agent, team…), for rates per segment.
    pub metadata: Vec<(String, String)>,
    /// When it showed (RFC 3339).
    pub shown_at: Option<String>,
}

/// The members a display record may have (what [`Impression::to_json`] writes).
pub const FIELDS: &[&str] = &[
    "schema", "type", "id", "surveyId", "kind", "metadata", "shownAt",
];

/// How a display record's JSON begins (a queue tells it from an answer by this).
pub const JSON_START: &str = "{\"schema\":1,\"type\":\"impression\"";

/// Whether a posted object is a display record rather than a response.
pub fn is_impression(input: &Value) -> bool {
    input.get("type").and_then(Value::as_str) == Some("impression")
}

impl Impression {
    /// The posted JSON: `{"schema":1,"type":"impression","id",…}`.
    pub fn to_json(&self) -> String {
        let mut out = String::from(JSON_START);
        out.push_str(",\"id\":");
        push_json_string(&mut out, &self.id);
        out.push_str(",\"surveyId\":");
        push_json_string(&mut out, &self.survey_id);
        out.push_str(",\"kind\":\"");
        out.push_str(self.kind.as_str());
        out.push_str("\",\"metadata\":");
        push_map(&mut out, None, &self.metadata);
        crate::answer::push_opt(&mut out, "shownAt", &self.shown_at);
        out.push('}');
        out
    }

    /// Reads and validates a posted display record.
    pub fn parse(input: &Value) -> Result<Impression, FieldError> {
        let get = |k: &str| input.get(k).filter(|v| **v != Value::Null);
        let id = match get("id") {
            Some(Value::String(s)) if is_response_id(s) => s.clone(),
            Some(v) => return Err(FieldError::new("id", expected_got(EXPECTED_ID, v))),
            None => {
                return Err(FieldError::new(
                    "id",
                    "required; expected the id its response will carry".into(),
                ))
            }
        };
        let kind = match get("kind").and_then(Value::as_str).and_then(Kind::parse) {
            Some(k) => k,
            None => {
                let expected = crate::text::concat(&["expected ", KIND_CHOICES]);
                return Err(FieldError::new(
                    "kind",
                    expected_got(&expected, get("kind").unwrap_or(&Value::Null)),
                ));
            }
        };
        Ok(Impression {
            id,
            survey_id: match get("surveyId") {
                None => kind.as_str().to_owned(),
                Some(v) => short_text(v, "surveyId", limits::SURVEY_ID)?,
            },
            kind,
            metadata: match get("metadata") {
                None => Vec::new(),
                Some(v) => string_map(v, "metadata")?,
            },
            shown_at: get("shownAt")
                .map(|v| timestamp(v, "shownAt"))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_record_reads_back_what_it_wrote_and_names_a_bad_field() {
        let shown = Impression {
            id: "r-1".into(),
            survey_id: "post-ticket".into(),
            kind: Kind::Csat,
            metadata: vec![("agent".into(), "ana".into())],
            shown_at: Some("2026-11-26T10:00:00.000Z".into()),
        };
        let json = shown.to_json();
        assert_eq!(
            json,
            r#"{"schema":1,"type":"impression","id":"r-1","surveyId":"post-ticket","kind":"csat","metadata":{"agent":"ana"},"shownAt":"2026-11-26T10:00:00.000Z"}"#
        );
        let value = crate::value::Value::from_json(&json).unwrap();
        assert!(is_impression(&value));
        assert_eq!(Impression::parse(&value).unwrap(), shown);
        let bad =
            crate::value::Value::from_json(r#"{"type":"impression","id":"r 1","kind":"csat"}"#)
                .unwrap();
        assert_eq!(Impression::parse(&bad).unwrap_err().field, "id");
        let bad = crate::value::Value::from_json(r#"{"type":"impression","id":"r1","kind":"x"}"#)
            .unwrap();
        assert_eq!(Impression::parse(&bad).unwrap_err().field, "kind");
    }
}
