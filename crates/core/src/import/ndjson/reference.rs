//! The previous NDJSON line reader, serde_json with borrowed raw values, kept as the
//! reference the single-pass scanner is compared with on generated lines (tests.rs).

use crate::import::checked;
use crate::score::Row;
use crate::score::Times;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The fields the scorer reads; every other field of the line is skipped.
#[derive(Deserialize)]
pub struct Line<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    score: Option<&'a RawValue>,
    #[serde(borrow, rename = "surveyId")]
    survey_id: Option<&'a RawValue>,
    #[serde(borrow)]
    locale: Option<&'a RawValue>,
    #[serde(borrow)]
    comment: Option<&'a RawValue>,
    #[serde(borrow)]
    reasons: Option<&'a RawValue>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow)]
    complete: Option<&'a RawValue>,
    #[serde(borrow, rename = "submittedAt")]
    submitted_at: Option<&'a RawValue>,
    #[serde(borrow, rename = "createdAt")]
    created_at: Option<&'a RawValue>,
    #[serde(borrow)]
    user: Option<&'a RawValue>,
    #[serde(borrow)]
    answers: Option<&'a RawValue>,
    #[serde(borrow, rename = "receivedAt")]
    received_at: Option<&'a RawValue>,
    #[serde(borrow)]
    page: Option<&'a RawValue>,
    #[serde(borrow, rename = "updatedAt")]
    updated_at: Option<&'a RawValue>,
}

/// The `id` of a `user` object.
#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
}

/// A JSON string's text, borrowed from the line unless it has escapes; `None` for other types.
fn text(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let json = raw?.get();
    if !json.starts_with('"') {
        return None;
    }
    // Serde decodes `Cow<str>` as owned; `&str` borrows and fails only on escapes.
    match serde_json::from_str::<&str>(json) {
        Ok(s) => Some(Cow::Borrowed(s)),
        Err(_) => serde_json::from_str::<String>(json).ok().map(Cow::Owned),
    }
}

/// Strings as they are; numbers and booleans as their JSON text (`ticketId: 123`).
fn scalar(raw: &RawValue) -> Option<Cow<'_, str>> {
    let json = raw.get();
    match json.as_bytes().first()? {
        b'"' => text(Some(raw)),
        b't' | b'f' | b'-' | b'0'..=b'9' => Some(Cow::Borrowed(json)),
        _ => None,
    }
}

/// Object members in file order, values left raw.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Pairs<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Members<'a>, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Cow<'de, str>, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        deserializer.deserialize_map(Pairs(std::marker::PhantomData))
    }
}

impl<'a> Line<'a> {
    /// Whether the line is a partial response (`complete: false`).
    pub fn is_partial(&self) -> bool {
        let complete = self
            .complete
            .and_then(|c| serde_json::from_str(c.get()).ok());
        crate::import::is_partial_json(complete.as_ref())
    }

    /// The scorer's row, or the field that makes the line unusable.
    pub fn row(&self) -> Result<Row<'a>, (&'static str, String)> {
        let kind = text(self.kind);
        // The score as its JSON text: `9` passes, `9.5` and `"nine"` do not; a quoted integer is accepted.
        let score = self.score.map(|raw| match text(Some(raw)) {
            Some(s) => s.into_owned(),
            None => raw.get().to_owned(),
        });
        let (kind, score) = checked(kind.as_deref(), score.as_deref().filter(|s| *s != "null"))?;
        let members = self
            .metadata
            .and_then(|m| serde_json::from_str::<Members>(m.get()).ok());
        // A value that is an array or an object refuses the row, as the collector refuses it.
        for (key, value) in members.iter().flat_map(|m| &m.0) {
            match value.get().as_bytes()[0] {
                b'[' => return Err(crate::import::nested_metadata(key, "an array")),
                b'{' => return Err(crate::import::nested_metadata(key, "an object")),
                _ => {}
            }
        }
        let metadata = members
            .map(|m| {
                m.0.into_iter()
                    .filter_map(|(k, v)| Some((k, scalar(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        let reasons = self
            .reasons
            .and_then(|r| serde_json::from_str::<Vec<&'a RawValue>>(r.get()).ok())
            .map(|r| r.into_iter().filter_map(|v| text(Some(v))).collect())
            .unwrap_or_default();
        // Only surveys of several questions have answers: parsed in full, they are rare.
        let answers = match self.answers.filter(|a| a.get() != "null") {
            None => Vec::new(),
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|e| ("answers", e.to_string()))
                .and_then(|v| crate::import::answers_from_json(&v, kind, score))?,
        };
        // A time may be Unix time written as a number (see `parse_sheet_time_ms`).
        let time_text = |raw: Option<&'a RawValue>| match raw.map(|r| r.get()) {
            Some(number) if number.starts_with(|c: char| c.is_ascii_digit()) => {
                Some(Cow::Borrowed(number))
            }
            _ => text(raw),
        };
        let texts = [
            self.created_at,
            self.submitted_at,
            self.received_at,
            self.updated_at,
        ]
        .map(time_text);
        let times = Times::read(texts);
        Ok(Row {
            answers,
            id: match self.id.map(|id| id.get()) {
                Some(number) if number.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
                    Some(Cow::Borrowed(number))
                }
                _ => text(self.id).filter(|id| !id.is_empty()),
            },
            complete: !self.is_partial(),
            kind: Some(kind),
            score,
            survey_id: text(self.survey_id),
            locale: text(self.locale),
            metadata,
            reasons,
            comment: text(self.comment).filter(|c| !c.trim().is_empty()),
            time: times.scored(),
            times,
            page: text(self.page),
            user: self
                .user
                .and_then(|u| serde_json::from_str::<User<'a>>(u.get()).ok())
                .and_then(|u| u.id)
                .and_then(scalar),
        })
    }
}
