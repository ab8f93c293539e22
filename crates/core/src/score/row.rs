//! The scorer's row: what it keeps of one response.

use crate::metric::Kind;
use std::borrow::Cow;

/// What the scorer keeps of one row: nothing else is stored. (Serialisable for a saved
/// state that carries the responses counted by id.)
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Row<'a> {
    /// The response id, when the source has one (a version replaces the one before it).
    pub id: Option<Cow<'a, str>>,
    /// Whether this is the final version (`complete` absent counts as final).
    pub complete: bool,
    /// Kind (validated).
    pub kind: Option<Kind>,
    /// Score (validated against the kind).
    pub score: u8,
    /// Schema 2: each question's key, kind and score, in the survey's order (the first is
    /// `kind` and `score`); empty for a single question.
    pub answers: Vec<(Cow<'a, str>, Kind, u8)>,
    /// Survey id, when known.
    pub survey_id: Option<Cow<'a, str>>,
    /// Locale, when known.
    pub locale: Option<Cow<'a, str>>,
    /// Metadata pairs.
    pub metadata: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Reason chips.
    pub reasons: Vec<Cow<'a, str>>,
    /// The comment.
    pub comment: Option<Cow<'a, str>>,
    /// Seconds since the epoch (submittedAt, else createdAt): what scoring dates it by.
    pub time: Option<i64>,
    /// When it was created, submitted and received, as its source said: kept for the CSV
    /// a scorer writes back, which holds the export's columns.
    pub times: Times,
    /// The page it was given on (`page`), kept for that CSV too.
    pub page: Option<Cow<'a, str>>,
    /// Who answered (`user.id`), to join their answers to outcomes; not a segment.
    pub user: Option<Cow<'a, str>>,
}

/// A response's times in milliseconds since the epoch, each when its source gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Times {
    /// `createdAt`: when the visitor chose a score.
    pub created: Option<i64>,
    /// `submittedAt`: when the visitor sent the response.
    pub submitted: Option<i64>,
    /// `receivedAt`: when the collector stored it.
    pub received: Option<i64>,
    /// `updatedAt`: when this version was made (the NDJSON export keeps it; the CSV does not).
    pub updated: Option<i64>,
}

impl Times {
    /// The times of a source as it wrote them (created, submitted, received and updated),
    /// each read as an export writes times ([`crate::time::parse_sheet_time_ms`]).
    pub fn read<S: AsRef<str>>(texts: [Option<S>; 4]) -> Times {
        let [created, submitted, received, updated] =
            texts.map(|t| crate::time::parse_sheet_time_ms(t?.as_ref()));
        Times {
            created,
            submitted,
            received,
            updated,
        }
    }

    /// What scoring dates a response by, in seconds: when it was submitted, else created.
    pub fn scored(&self) -> Option<i64> {
        self.submitted
            .or(self.created)
            .map(|ms| ms.div_euclid(1000))
    }
}

impl Row<'_> {
    /// A copy that owns its text (rows borrow the importer's buffer while it reads).
    pub fn into_owned(self) -> Row<'static> {
        let own = |c: Cow<str>| Cow::Owned(c.into_owned());
        Row {
            id: self.id.map(own),
            complete: self.complete,
            kind: self.kind,
            score: self.score,
            answers: self
                .answers
                .into_iter()
                .map(|(key, kind, score)| (own(key), kind, score))
                .collect(),
            survey_id: self.survey_id.map(own),
            locale: self.locale.map(own),
            metadata: self
                .metadata
                .into_iter()
                .map(|(k, v)| (own(k), own(v)))
                .collect(),
            reasons: self.reasons.into_iter().map(own).collect(),
            comment: self.comment.map(own),
            time: self.time,
            times: self.times,
            page: self.page.map(own),
            user: self.user.map(own),
        }
    }
}

impl Row<'_> {
    /// Calls `f(field, value)` for each segment field the row has a value for: `kind`,
    /// `surveyId`, `locale` and `metadata.<key>`. The one place that says what a segment is,
    /// for adding, removing and listing.
    pub fn for_each_segment(&self, kind: Kind, mut f: impl FnMut(&str, &str)) {
        // One buffer for every key: allocating per row would dominate large imports.
        let mut field = String::with_capacity(32);
        self.for_each_segment_in_parts(kind, |prefix, name, value| {
            field.clear();
            field.push_str(prefix);
            field.push_str(name);
            f(&field, value);
        });
    }

    /// Whether answers can have a value for `field`, as [`Row::for_each_segment_in_parts`]
    /// names the fields: `kind`, `surveyId`, `locale` or `metadata.<key>`.
    pub fn is_segment_field(field: &str) -> bool {
        let key = field.strip_prefix(crate::schema::METADATA_PREFIX);
        matches!(field, "kind" | "surveyId" | "locale") || key.is_some_and(|k| !k.is_empty())
    }

    /// As [`Row::for_each_segment`], the field given in two parts (`"metadata."`, `"agent"`)
    /// that the caller need not join: scoring a large file compares them with the field
    /// it saw last, and joining them cost a string per row.
    pub fn for_each_segment_in_parts(&self, kind: Kind, mut f: impl FnMut(&str, &str, &str)) {
        f("", "kind", kind.as_str());
        if let Some(s) = &self.survey_id {
            f("", "surveyId", s);
        }
        if let Some(l) = &self.locale {
            f("", "locale", l);
        }
        for (k, v) in &self.metadata {
            f(crate::schema::METADATA_PREFIX, k, v);
        }
    }
}
