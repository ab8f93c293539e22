//! Which responses a view shows: the options of `summary()`, `responses()` and
//! `responsesCsv()` read once, into core's `ListFilter`.

use sondeo_core::score::ListFilter;
use sondeo_core::{Group, Kind};

/// What a segment field (`by`) may be, for the error that refuses another.
pub const EXPECTED_BY: &str = "expected kind, surveyId, locale or metadata.<key>";

/// The filter options as given (owned), checked.
#[derive(Debug, Default, PartialEq)]
pub struct FilterOptions {
    group: Option<Group>,
    reason: Option<String>,
    text: Option<String>,
    segment: Option<(String, String)>,
    with_comment: bool,
    kind: Option<Kind>,
    survey: Option<String>,
    from: Option<i64>,
    until: Option<i64>,
}

impl FilterOptions {
    /// Reads the options through `text` (a string option by name) and `flag` (a boolean).
    /// `from` and `to` are dates (`2026-11-01`, `to` taking in that whole day) or RFC 3339
    /// times; a bad one is an error naming the option.
    pub fn read(
        text: impl Fn(&str) -> Option<String>,
        with_comment: bool,
    ) -> Result<FilterOptions, String> {
        let time = |name: &str| -> Result<Option<i64>, String> {
            match text(name).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => match sondeo_core::time::parse_rfc3339(&s) {
                    // A date alone as `to` means up to the end of that day.
                    Some(t) if name == "to" && s.len() == 10 => Ok(Some(t + 86_400)),
                    Some(t) => Ok(Some(t)),
                    None => Err(format!("{name}: expected a date such as \"2026-11-01\" or an RFC 3339 time, got {s:?}")),
                },
            }
        };
        let kind = match text("kind").filter(|s| !s.is_empty()) {
            None => None,
            Some(k) => Some(Kind::parse(&k).ok_or_else(|| {
                format!(
                    "kind: expected {}, got {k:?}",
                    sondeo_core::metric::KIND_CHOICES
                )
            })?),
        };
        let group = match text("group").filter(|s| !s.is_empty()) {
            None => None,
            Some(g) => Some(Group::parse(&g).ok_or_else(|| {
                format!("group: expected a group such as \"detractor\" or \"low\", got {g:?}")
            })?),
        };
        // A field no answer can have (`page`, a misspelt `metadata`), or a value with no
        // field, would list nothing, or everything, without a word.
        let by = text("by").filter(|s| !s.is_empty());
        if let Some(field) = by.as_deref() {
            if !sondeo_core::score::Row::is_segment_field(field) {
                return Err(format!("by: {EXPECTED_BY}, got {field:?}"));
            }
        }
        let value = text("value");
        if by.is_none() && value.is_some() {
            return Err("value: expected with by, the field it is a value of".into());
        }
        let (from, until) = (time("from")?, time("to")?);
        // Reversed dates would list nothing and score nothing, as if no one had answered.
        if from.zip(until).is_some_and(|(from, until)| from > until) {
            return Err(format!(
                "to: expected a date on or after from ({}), got {}",
                text("from").unwrap_or_default(),
                text("to").unwrap_or_default()
            ));
        }
        Ok(FilterOptions {
            group,
            reason: text("reason").filter(|s| !s.is_empty()),
            text: text("text").filter(|s| !s.is_empty()),
            segment: by.zip(value),
            with_comment,
            kind,
            survey: text("survey").filter(|s| !s.is_empty()),
            from,
            until,
        })
    }

    /// Whether it narrows the responses by date, survey, kind or a segment's value, which
    /// only responses counted by id can answer afresh.
    pub fn narrows(&self) -> bool {
        self.kind.is_some()
            || self.survey.is_some()
            || self.from.is_some()
            || self.until.is_some()
            || self.segment.is_some()
    }

    /// The one segment value it keeps to (`by` and `value`), if any.
    pub fn segment_value(&self) -> Option<&str> {
        self.segment.as_ref().map(|(_, value)| value.as_str())
    }

    /// Whether it keeps to dates (`from` or `to`).
    pub fn dated(&self) -> bool {
        self.from.is_some() || self.until.is_some()
    }

    /// Core's view of it.
    pub fn list_filter(&self) -> ListFilter<'_> {
        ListFilter {
            group: self.group,
            reason: self.reason.as_deref(),
            text: self.text.as_deref(),
            segment: self.segment.as_ref().map(|(f, v)| (f.as_str(), v.as_str())),
            with_comment: self.with_comment,
            kind: self.kind,
            survey: self.survey.as_deref(),
            from: self.from,
            until: self.until,
            without_employees: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<FilterOptions, String> {
        FilterOptions::read(
            |k| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            },
            false,
        )
    }

    #[test]
    fn dates_kinds_and_surveys_are_read_and_checked() {
        let f = read(&[
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("kind", "nps"),
            ("survey", "relationship"),
        ])
        .unwrap();
        // 2026-11-01 is 20,393 days after 1970-01-01 (by hand: 56 years, 14 leap days, 304 days into 2026).
        assert_eq!(f.from, Some(((56 * 365 + 14) + 304) * 86_400));
        assert_eq!(
            f.until,
            Some(f.from.unwrap() + 30 * 86_400),
            "to takes in its whole day"
        );
        assert_eq!(
            (f.kind, f.survey.as_deref()),
            (Some(Kind::Nps), Some("relationship"))
        );
        assert!(f.narrows());
        assert!(!read(&[("group", "detractor")]).unwrap().narrows());
        assert!(read(&[("by", "metadata.agent"), ("value", "ben")])
            .unwrap()
            .narrows());
        assert_eq!(
            read(&[("from", ""), ("kind", "")]).unwrap(),
            FilterOptions::default()
        );
        assert_eq!(
            read(&[("from", "2026-11-28"), ("to", "2026-11-20")]).unwrap_err(),
            "to: expected a date on or after from (2026-11-28), got 2026-11-20"
        );
        // One day, given as from and to, is that day.
        assert!(read(&[("from", "2026-11-20"), ("to", "2026-11-20")]).is_ok());
        assert!(read(&[("from", "last week")])
            .unwrap_err()
            .starts_with("from: expected a date"));
        assert!(read(&[("kind", "nps2")])
            .unwrap_err()
            .starts_with("kind: expected"));
        assert!(read(&[("group", "angry")])
            .unwrap_err()
            .starts_with("group: expected"));
        // A segment no answer can have, or a value of no field, is refused by name.
        for (pairs, field) in [
            (&[("by", "page"), ("value", "/x")][..], "by: expected"),
            (&[("by", "metadata."), ("value", "x")][..], "by: expected"),
            (&[("by", "score")][..], "by: expected"),
            (&[("value", "ana")][..], "value: expected"),
        ] {
            assert!(read(pairs).unwrap_err().starts_with(field), "{pairs:?}");
        }
        assert_eq!(
            read(&[("by", "metadata.agent"), ("value", "(none)")])
                .unwrap()
                .segment,
            Some(("metadata.agent".into(), "(none)".into()))
        );
    }
}
