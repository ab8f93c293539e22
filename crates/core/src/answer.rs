//! The response record (payload schema 1), answer validation and sanitising,
//! and the JSON the widget posts.
//!
//! The collector and the importers read responses from outside through
//! [`parse_response`], which names the first bad field; the widget builds a
//! [`Response`] itself from validated parts and posts [`Response::to_json`].

use crate::metric::{Group, Kind, KIND_CHOICES};
use crate::survey::{User, MAX_COMMENT_LENGTH};
use crate::text::{
    char_count, is_hidden_format, push_given_number, push_int, push_json_string,
    without_hidden_format,
};
use crate::time::parse_rfc3339;
use crate::value::Value;

/// Version of the payload format: 1 for one question, 2 when `answers` carries several.
pub const SCHEMA: u32 = 1;

/// The payload version of a survey of several questions.
pub const SCHEMA_ANSWERS: u32 = 2;

/// One question's answer in a survey of several (payload schema 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The question's key in the survey's config (`resolved`, `agent`).
    pub key: String,
    /// The question's kind.
    pub kind: Kind,
    /// The score, on the kind's scale.
    pub score: u8,
}

/// One survey response, as posted and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Random UUID made in the browser; the same for the partial and the final post.
    pub id: String,
    /// The survey's id.
    pub survey_id: String,
    /// NPS, CSAT or CES.
    pub kind: Kind,
    /// The score, on the kind's scale.
    pub score: u8,
    /// The score's group (always derived from kind and score, never trusted from outside).
    pub group: Group,
    /// Schema 2: every question answered so far, in the survey's order; the first is the
    /// top-level `kind` and `score`. Empty for a single question (schema 1).
    pub answers: Vec<Answer>,
    /// The "why" answer, sanitised.
    pub comment: Option<String>,
    /// Chosen reason chips.
    pub reasons: Vec<String>,
    /// `false` for the partial post sent when the score is chosen.
    pub complete: bool,
    /// Locale the survey was shown in.
    pub locale: Option<String>,
    /// Context: ticketId, agent, touchpoint, channel…
    pub metadata: Vec<(String, String)>,
    /// Who answered, when known.
    pub user: Option<User>,
    /// Page the survey was answered on.
    pub page: Option<String>,
    /// When the prompt was shown (RFC 3339).
    pub created_at: Option<String>,
    /// When the answer was submitted (RFC 3339).
    pub submitted_at: Option<String>,
    /// When this version was made (RFC 3339): of two versions that know as much, the later
    /// one is kept, whichever arrives last (a post held up on the way must not undo a later choice).
    pub updated_at: Option<String>,
    /// Sent by an anonymous survey: the collector keeps its receipt time to the day too.
    pub anonymous: bool,
}

/// The first problem found in a response: which field, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as in the payload (`score`, `metadata.agent`).
    pub field: String,
    /// What was wrong, e.g. `expected an integer in 0..=10 for nps, got 11`.
    pub error: String,
}

impl FieldError {
    pub(crate) fn new(field: &str, error: String) -> FieldError {
        FieldError {
            field: field.to_owned(),
            error,
        }
    }

    /// `field: error`.
    pub fn message(&self) -> String {
        let mut out = self.field.clone();
        out.push_str(": ");
        out.push_str(&self.error);
        out
    }
}

/// Limits on what a response may carry; the collector enforces them too.
pub mod limits {
    /// Longest id.
    pub const ID: usize = 64;
    /// Longest survey id.
    pub const SURVEY_ID: usize = 100;
    /// Most reasons.
    pub const REASONS: usize = 20;
    /// Longest reason.
    pub const REASON: usize = 100;
    /// Most metadata or user attributes.
    pub const MAP_ENTRIES: usize = 50;
    /// Longest metadata key.
    pub const MAP_KEY: usize = 64;
    /// Longest metadata value.
    pub const MAP_VALUE: usize = 500;
    /// Longest page URL.
    pub const PAGE: usize = 2000;
    /// Longest locale tag.
    pub const LOCALE: usize = 35;
}

/// What a response id must be, as error messages say it.
pub const EXPECTED_ID: &str = "expected 1 to 64 letters, digits, '-' or '_'";

/// Whether `s` is a valid response id: 1 to 64 ASCII letters, digits, `-` or `_`.
pub fn is_response_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::ID
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The group of `score` for `kind`, or an error naming the scale.
pub fn check_score(kind: Kind, score: &Value) -> Result<(u8, Group), FieldError> {
    let problem = || {
        let mut e = String::from("expected an integer in ");
        push_int(&mut e, kind.min() as i64);
        e.push_str("..=");
        push_int(&mut e, kind.max() as i64);
        e.push_str(" for ");
        e.push_str(kind.as_str());
        match score {
            // As written: `5e-324` is not "0".
            Value::Number(_, Some(text)) => {
                e.push_str(", got ");
                crate::text::push_shortened(&mut e, text, 20);
            }
            // A score written as text, `true`, an object: as every other field says it.
            _ => e = expected_got(&e, score),
        }
        FieldError::new("score", e)
    };
    match score {
        Value::Number(n, text)
            if n.fract() == 0.0
                && kind.contains(*n as i64)
                && text.as_deref().is_none_or(crate::text::is_integer_text) =>
        {
            let s = *n as i64;
            Ok((s as u8, kind.group(s).ok_or_else(problem)?))
        }
        _ => Err(problem()),
    }
}

/// Cleans free text from a visitor: line breaks normalised to `\n`, control and
/// invisible formatting characters ([`is_hidden_format`]) removed (they can disguise text in a
/// dashboard) but for the joiners a word or an emoji needs ([`crate::text::joins`]),
/// surrounding whitespace trimmed, cut to `max_chars` characters.
pub fn sanitize_comment(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    let mut chars = text.chars().peekable();
    let mut before = None;
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\r' => '\n',
            '\n' | '\t' => c,
            c if c.is_control()
                || is_hidden_format(c) && !crate::text::joins(before, c, chars.peek().copied()) =>
            {
                continue
            }
            c => c,
        };
        out.push(c);
        before = Some(c);
    }
    let trimmed = out.trim();
    match trimmed.char_indices().nth(max_chars) {
        // `get` rather than indexing: no panic path, which keeps `core::fmt` out of the widget.
        // (A cut right after a joiner leaves it at the end, where it joins nothing and shows nothing.)
        Some((cut, _)) => trimmed.get(..cut).unwrap_or(trimmed).trim_end().to_owned(),
        None => trimmed.to_owned(),
    }
}

/// Whether a required comment is there: something left after sanitising.
pub fn comment_satisfies_required(text: &str) -> bool {
    !sanitize_comment(text, MAX_COMMENT_LENGTH as usize).is_empty()
}

/// The members a response may have: what [`parse_response`] reads, and `group`, which the
/// widget writes and the reader derives. An endpoint that takes posts refuses others
/// (`coment`, `metdata`), which would otherwise be dropped with the customer's words in them.
pub const RESPONSE_FIELDS: &[&str] = &[
    "schema",
    "id",
    "surveyId",
    "kind",
    "score",
    "group",
    "complete",
    "comment",
    "reasons",
    "metadata",
    "locale",
    "page",
    "createdAt",
    "submittedAt",
    "updatedAt",
    "user",
    "anonymous",
    "answers",
];

/// The first member of a posted response or display record (`impression`: it is one)
/// that neither has, with what is expected instead.
pub fn unknown_member(input: &Value, impression: bool) -> Option<FieldError> {
    let Value::Object(members) = input else {
        return None;
    };
    let known: &[&str] = if impression {
        crate::impression::FIELDS
    } else {
        RESPONSE_FIELDS
    };
    let (key, _) = members.iter().find(|(k, _)| !known.contains(&k.as_str()))?;
    let mut expected = String::from(if impression {
        "unknown field of a display record; expected "
    } else {
        "unknown field of a response; expected "
    });
    crate::text::push_joined(&mut expected, known.iter().copied(), ", ");
    Some(FieldError::new(key, expected))
}

/// Reads and validates a response from outside (a post, an export row).
/// The group is derived from kind and score; a client's claim is ignored.
pub fn parse_response(input: &Value) -> Result<Response, FieldError> {
    let Value::Object(members) = input else {
        return Err(FieldError::new(
            "response",
            expected_got("expected an object", input),
        ));
    };
    let get = |k: &str| {
        members
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v)
            .filter(|v| **v != Value::Null)
    };

    let schema = match get("schema") {
        None => None,
        Some(Value::Number(n, _)) if *n == SCHEMA as f64 || *n == SCHEMA_ANSWERS as f64 => {
            Some(*n as u32)
        }
        Some(v) => {
            return Err(FieldError::new(
                "schema",
                expected_got("expected 1 or 2", v),
            ))
        }
    };
    let answers = match (get("answers"), schema) {
        (Some(v), None | Some(SCHEMA_ANSWERS)) => parse_answers(v)?,
        (None, Some(SCHEMA_ANSWERS)) => {
            return Err(FieldError::new(
                "answers",
                String::from("required with schema 2; expected the answers [{ key, kind, score }]"),
            ))
        }
        (Some(_), _) => {
            return Err(FieldError::new(
                "answers",
                String::from("expected schema 2 with answers (schema 1 has one score)"),
            ))
        }
        (None, _) => Vec::new(),
    };
    let id = match get("id") {
        Some(Value::String(s)) if is_response_id(s) => s.clone(),
        Some(v) => return Err(FieldError::new("id", expected_got(EXPECTED_ID, v))),
        None => {
            return Err(FieldError::new(
                "id",
                String::from("required; expected the response's unique id"),
            ))
        }
    };
    let first = answers.first();
    let kind = match get("kind") {
        None if first.is_some() => first.map_or(Kind::Nps, |a| a.kind),
        Some(v) => match v.as_str().and_then(Kind::parse) {
            Some(k) => k,
            None => {
                return Err(FieldError::new(
                    "kind",
                    expected_got(&crate::text::concat(&["expected ", KIND_CHOICES]), v),
                ))
            }
        },
        None => {
            return Err(FieldError::new(
                "kind",
                crate::text::concat(&["required; expected ", KIND_CHOICES]),
            ))
        }
    };
    let (score, group) = match (get("score"), first) {
        (Some(v), _) => check_score(kind, v)?,
        (None, Some(a)) => (
            a.score,
            kind.group(a.score as i64).unwrap_or(Group::Passive),
        ),
        (None, None) => return Err(check_score(kind, &Value::Null).unwrap_err()),
    };
    // The top level repeats the first answer, so that a reader of schema 1 counts it.
    if first.is_some_and(|a| a.kind != kind || a.score != score) {
        return Err(FieldError::new(
            "answers[0]",
            String::from("expected the same kind and score as the response's kind and score"),
        ));
    }
    let survey_id = match get("surveyId") {
        None => kind.as_str().to_owned(),
        // The config's rule for a survey's id: a control character (a NUL) is a mistake,
        // which cleaned away would file the answer under another survey's id.
        Some(v @ Value::String(s)) if s.chars().any(char::is_control) => {
            return Err(FieldError::new(
                "surveyId",
                expected_got("expected no control characters", v),
            ))
        }
        Some(v) => short_text(v, "surveyId", limits::SURVEY_ID)?,
    };
    let comment = match get("comment") {
        None => None,
        Some(Value::String(s)) => {
            Some(sanitize_comment(s, MAX_COMMENT_LENGTH as usize)).filter(|c| !c.is_empty())
        }
        Some(v) => {
            return Err(FieldError::new(
                "comment",
                expected_got("expected a string", v),
            ))
        }
    };
    let reasons = match get("reasons") {
        None => Vec::new(),
        Some(Value::Array(items)) if items.len() <= limits::REASONS => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let reason = short_text(item, "reasons", limits::REASON)?;
                if !out.contains(&reason) {
                    out.push(reason);
                }
            }
            out
        }
        Some(v) => {
            return Err(FieldError::new(
                "reasons",
                expected_got("expected an array of at most 20 strings", v),
            ))
        }
    };
    let complete = flag(get("complete"), "complete", true)?;
    let locale = get("locale")
        .map(|v| short_text(v, "locale", limits::LOCALE))
        .transpose()?;
    let metadata = match get("metadata") {
        None => Vec::new(),
        Some(v) => string_map(v, "metadata")?,
    };
    let user = match get("user") {
        None => None,
        Some(Value::Object(m)) => {
            let mut user = User::default();
            for (k, v) in m {
                if k == "id" {
                    user.id = Some(scalar_text(v, "user.id", 200)?);
                }
            }
            user.attributes = map_members(m, Some("id"), "user")?;
            Some(user)
        }
        Some(v) => {
            return Err(FieldError::new(
                "user",
                expected_got("expected an object", v),
            ))
        }
    };
    let page = get("page")
        .map(|v| short_text(v, "page", limits::PAGE))
        .transpose()?
        .and_then(|page| page_without_query(&page));
    let created_at = get("createdAt")
        .map(|v| timestamp(v, "createdAt"))
        .transpose()?;
    let submitted_at = get("submittedAt")
        .map(|v| timestamp(v, "submittedAt"))
        .transpose()?;
    let updated_at = get("updatedAt")
        .map(|v| timestamp(v, "updatedAt"))
        .transpose()?;
    let anonymous = flag(get("anonymous"), "anonymous", false)?;
    let response = Response {
        id,
        survey_id,
        kind,
        score,
        group,
        answers,
        comment,
        reasons,
        complete,
        locale,
        metadata,
        user,
        page,
        created_at,
        submitted_at,
        updated_at,
        anonymous,
    };
    Ok(if anonymous {
        response.anonymised()
    } else {
        response
    })
}

/// A page address as the collector keeps it: an http(s) URL's origin and path, without
/// the query, the fragment, `;` parameters or a user name and password, which often carry tokens or personal data
/// (`?token=`, `;jsessionid=`); `None` for other schemes. The widget sends it so already;
/// this holds the promise for any other sender.
pub fn page_without_query(page: &str) -> Option<String> {
    let (scheme, rest) = page.split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let rest = &rest[..rest.find(['?', '#', ';']).unwrap_or(rest.len())];
    // A user name and password before the host (`https://alice:secret@host/`) are not kept.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let host_start = rest[..authority_end].rfind('@').map_or(0, |at| at + 1);
    Some([scheme, "://", &rest[host_start..]].concat())
}

impl Response {
    /// What an anonymous response may keep, whoever sent it: no `user`, no `page`, only the
    /// metadata that names groups (`team`, `location`), its times to the day (UTC).
    fn anonymised(mut self) -> Response {
        let to_day = |t: Option<String>| {
            t.map(|t| match crate::time::parse_rfc3339(&t) {
                Some(s) => crate::time::format_rfc3339(s.div_euclid(86_400) * 86_400_000),
                None => t,
            })
        };
        self.user = None;
        self.page = None;
        self.metadata
            .retain(|(k, _)| crate::survey::ANONYMOUS_METADATA.contains(&k.as_str()));
        self.created_at = to_day(self.created_at);
        self.submitted_at = to_day(self.submitted_at);
        self.updated_at = to_day(self.updated_at);
        self
    }
}

/// The `answers` of schema 2: 1 to 5 objects `{ key, kind, score }`, each key once.
pub fn parse_answers(value: &Value) -> Result<Vec<Answer>, FieldError> {
    let items = match value {
        Value::Array(items) if !items.is_empty() && items.len() <= crate::survey::MAX_QUESTIONS => {
            items
        }
        other => {
            return Err(FieldError::new(
                "answers",
                expected_got(
                    "expected an array of 1 to 5 answers { key, kind, score }",
                    other,
                ),
            ))
        }
    };
    let mut answers: Vec<Answer> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut path = String::from("answers[");
        push_int(&mut path, i as i64);
        path.push_str("].");
        let field = |name: &str| crate::text::concat(&[&path, name]);
        let get = |k: &str| item.get(k).filter(|v| **v != Value::Null);
        let key = match get("key") {
            Some(Value::String(k)) if is_response_id(k) => k.clone(),
            other => {
                return Err(FieldError::new(
                    &field("key"),
                    expected_got(EXPECTED_ID, other.unwrap_or(&Value::Null)),
                ))
            }
        };
        if answers.iter().any(|a| a.key == key) {
            return Err(FieldError::new(
                &field("key"),
                expected_got("expected each key once", &Value::String(key)),
            ));
        }
        let kind = get("kind")
            .and_then(Value::as_str)
            .and_then(Kind::parse)
            .ok_or_else(|| {
                FieldError::new(
                    &field("kind"),
                    expected_got(
                        &crate::text::concat(&["expected ", KIND_CHOICES]),
                        get("kind").unwrap_or(&Value::Null),
                    ),
                )
            })?;
        let (score, _) =
            check_score(kind, get("score").unwrap_or(&Value::Null)).map_err(|mut e| {
                e.field = field("score");
                e
            })?;
        answers.push(Answer { key, kind, score });
    }
    Ok(answers)
}

/// A true/false field, `default` when absent.
fn flag(value: Option<&Value>, field: &str, default: bool) -> Result<bool, FieldError> {
    match value {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(FieldError::new(
            field,
            expected_got("expected true or false", v),
        )),
    }
}

pub(crate) fn expected_got(expected: &str, got: &Value) -> String {
    let mut e = String::from(expected);
    e.push_str(", got ");
    match got {
        Value::Number(n, _) => push_given_number(&mut e, *n),
        Value::Bool(b) => e.push_str(if *b { "true" } else { "false" }),
        // A short value is quoted (a misspelt kind, "ten" for a score); a long one is only
        // measured: its start is a customer's own words (a comment, a note in metadata),
        // which an error must not carry into the logs and error trackers it goes to.
        // 64: an id or a key at its longest is still named whole.
        Value::String(s) if char_count(s) <= 64 => {
            e.push('"');
            e.push_str(s);
            e.push('"');
        }
        Value::String(s) => {
            e.push_str("a string of ");
            push_int(&mut e, char_count(s) as i64);
            e.push_str(" characters");
        }
        other => e.push_str(other.type_name()),
    }
    e
}

fn too_long(max: usize) -> String {
    let mut e = String::from("expected a non-empty string of at most ");
    push_int(&mut e, max as i64);
    e.push_str(" characters");
    e
}

pub(crate) fn short_text(v: &Value, field: &str, max: usize) -> Result<String, FieldError> {
    match v {
        Value::String(s) => {
            let clean = sanitize_comment(s, usize::MAX).replace(['\n', '\t'], " ");
            if clean.is_empty() || char_count(&clean) > max {
                Err(FieldError::new(field, expected_got(&too_long(max), v)))
            } else {
                Ok(clean)
            }
        }
        other => Err(FieldError::new(field, expected_got(&too_long(max), other))),
    }
}

/// A string, or a number or boolean written as one (`ticketId: 123` is common).
fn scalar_text(v: &Value, field: &str, max: usize) -> Result<String, FieldError> {
    match attribute_text(v, max) {
        Ok(Some(text)) => Ok(text),
        _ => Err(FieldError::new(field, expected_got(&too_long(max), v))),
    }
}

/// An attribute value as text: a string (cleaned as a short text), a number (the text it
/// was written with) or a boolean, of at most `max` characters. `Ok(None)` for null or an
/// empty string (left out, as if not given); `Err` with what was expected otherwise.
pub(crate) fn attribute_text(v: &Value, max: usize) -> Result<Option<String>, String> {
    let text = match v {
        Value::Null => return Ok(None),
        // Line breaks and tabs become spaces (a map over chars: `str::replace` costs the widget bytes).
        Value::String(s) => sanitize_comment(s, usize::MAX)
            .chars()
            .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
            .collect(),
        // NaN and ±Infinity are no value a person or a system gave (JSON has neither).
        Value::Number(n, text) if n.is_finite() => Value::number_text(*n, text.as_deref()),
        Value::Bool(b) => String::from(if *b { "true" } else { "false" }),
        _ => String::new(),
    };
    if text.is_empty() && matches!(v, Value::String(_)) {
        return Ok(None);
    }
    if text.is_empty() || char_count(&text) > max {
        let mut e = String::from("expected a string, number or boolean of at most ");
        push_int(&mut e, max as i64);
        e.push_str(" characters");
        return Err(e);
    }
    Ok(Some(text))
}

/// Reads a `metadata` or `user` map (but its member named `skip`, read apart), the one rule
/// for a config and for a payload: keys lose invisible formatting characters and must then
/// be 1 to 64 printable characters, each once; values follow [`attribute_text`]. A refused entry is reported to
/// `refuse(path, expected, value)` (the value is `None` when the key is at fault) and left out.
pub(crate) fn read_attributes(
    members: &[(String, Value)],
    skip: Option<&str>,
    field: &str,
    max_value: usize,
    mut refuse: impl FnMut(&str, String, Option<&Value>),
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(members.len());
    let mut seen: Vec<String> = Vec::with_capacity(members.len());
    // (`skip` is an Option: an empty name would skip the key "", which is refused instead.)
    for (raw_key, value) in members.iter().filter(|(k, _)| Some(k.as_str()) != skip) {
        let key = without_hidden_format(raw_key);
        let mut path = String::from(field);
        path.push('.');
        // A key too long to be valid is named by its start, as other values are.
        crate::text::push_shortened(&mut path, &key, limits::MAP_KEY);
        if key.trim().is_empty()
            || char_count(&key) > limits::MAP_KEY
            || key.chars().any(char::is_control)
        {
            let expected = String::from("expected a key of 1 to 64 printable characters");
            refuse(&path, expected, None);
            continue;
        }
        // `agent` and `agent<U+200B>` would be two columns that look the same.
        if seen.contains(&key) {
            let expected = String::from(
                "expected each key once; this one differs from another only by invisible characters",
            );
            refuse(&path, expected, None);
            continue;
        }
        seen.push(key.clone());
        match attribute_text(value, max_value) {
            Ok(Some(text)) => out.push((key, text)),
            Ok(None) => {}
            Err(expected) => refuse(&path, expected, Some(value)),
        }
    }
    out
}

pub(crate) fn string_map(v: &Value, field: &str) -> Result<Vec<(String, String)>, FieldError> {
    let Value::Object(members) = v else {
        return Err(FieldError::new(
            field,
            expected_got("expected an object of strings", v),
        ));
    };
    map_members(members, None, field)
}

/// [`string_map`] of an object's members, but for the one named `skip` (read apart: `user.id`).
fn map_members(
    members: &[(String, Value)],
    skip: Option<&str>,
    field: &str,
) -> Result<Vec<(String, String)>, FieldError> {
    if members
        .iter()
        .filter(|(k, _)| Some(k.as_str()) != skip)
        .count()
        > limits::MAP_ENTRIES
    {
        return Err(FieldError::new(
            field,
            String::from("expected at most 50 entries"),
        ));
    }
    let mut first: Option<FieldError> = None;
    let out = read_attributes(
        members,
        skip,
        field,
        limits::MAP_VALUE,
        |path: &str, expected: String, got: Option<&Value>| {
            if first.is_none() {
                let error = match got {
                    Some(value) => expected_got(&expected, value),
                    None => expected,
                };
                first = Some(FieldError::new(path, error));
            }
        },
    );
    match first {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

pub(crate) fn timestamp(v: &Value, field: &str) -> Result<String, FieldError> {
    match v {
        Value::String(s) if s.len() <= 40 && parse_rfc3339(s).is_some() => Ok(s.trim().to_owned()),
        other => Err(FieldError::new(
            field,
            expected_got(
                "expected an RFC 3339 timestamp such as \"2026-11-22T10:00:00Z\"",
                other,
            ),
        )),
    }
}

impl Response {
    /// The payload as compact JSON, with keys in the documented order: schema 1, or
    /// schema 2 when it carries `answers`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str(if self.answers.is_empty() {
            "{\"schema\":1,\"id\":"
        } else {
            "{\"schema\":2,\"id\":"
        });
        push_json_string(&mut out, &self.id);
        out.push_str(",\"surveyId\":");
        push_json_string(&mut out, &self.survey_id);
        out.push_str(",\"kind\":\"");
        out.push_str(self.kind.as_str());
        out.push_str("\",\"score\":");
        push_int(&mut out, self.score as i64);
        out.push_str(",\"group\":\"");
        out.push_str(self.group.as_str());
        out.push('"');
        if !self.answers.is_empty() {
            out.push_str(",\"answers\":");
            push_answers(&mut out, &self.answers);
        }
        if let Some(comment) = &self.comment {
            out.push_str(",\"comment\":");
            push_json_string(&mut out, comment);
        }
        out.push_str(",\"reasons\":[");
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_string(&mut out, r);
        }
        out.push_str("],\"complete\":");
        out.push_str(if self.complete { "true" } else { "false" });
        push_opt(&mut out, "locale", &self.locale);
        out.push_str(",\"metadata\":");
        push_map(&mut out, None, &self.metadata);
        if let Some(user) = &self.user {
            out.push_str(",\"user\":");
            push_map(&mut out, user.id.as_deref(), &user.attributes);
        }
        push_opt(&mut out, "page", &self.page);
        push_opt(&mut out, "createdAt", &self.created_at);
        push_opt(&mut out, "submittedAt", &self.submitted_at);
        push_opt(&mut out, "updatedAt", &self.updated_at);
        if self.anonymous {
            out.push_str(",\"anonymous\":true");
        }
        out.push('}');
        out
    }
}

/// How far past its receipt a version's `updatedAt` may be and still order versions: a
/// visitor's clock a few minutes fast still counts, but a time far ahead (a wrong clock, or a
/// sender who knows a ticket's response id and would pin its version) is ignored. The
/// collector and the Scorer order versions by it alike.
pub const UPDATED_AT_ALLOWANCE_MS: i64 = 10 * 60_000;

/// Whether a partial whose answers are `newer` knows less than a stored partial whose
/// answers are `stored` (`(key, score)` pairs): fewer answers, each the same. It must not
/// replace it: it is a late retry, or the survey started again from the email link after
/// a reload, and would erase answers the customer gave. A partial with no answers (schema
/// 1: one `score`, no keys) is read as answering the stored first question with `score`.
pub fn knows_less(newer: &[(&str, u8)], score: u8, stored: &[(&str, u8)]) -> bool {
    let implied;
    let newer = match (newer, stored.first()) {
        ([], Some((first, _))) => {
            implied = [(*first, score)];
            &implied[..]
        }
        _ => newer,
    };
    newer.len() < stored.len() && newer.iter().all(|a| stored.contains(a))
}

/// `answers` as JSON: `[{"key":"resolved","kind":"yesno","score":1},…]`.
pub fn push_answers(out: &mut String, answers: &[Answer]) {
    out.push('[');
    for (i, a) in answers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"key\":");
        push_json_string(out, &a.key);
        out.push_str(",\"kind\":\"");
        out.push_str(a.kind.as_str());
        out.push_str("\",\"score\":");
        push_int(out, a.score as i64);
        out.push('}');
    }
    out.push(']');
}

pub(crate) fn push_opt(out: &mut String, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        out.push_str(",\"");
        out.push_str(key);
        out.push_str("\":");
        push_json_string(out, v);
    }
}

pub(crate) fn push_map(out: &mut String, id: Option<&str>, entries: &[(String, String)]) {
    out.push('{');
    let mut first = true;
    if let Some(id) = id {
        out.push_str("\"id\":");
        push_json_string(out, id);
        first = false;
    }
    for (k, v) in entries {
        if !first {
            out.push(',');
        }
        first = false;
        push_json_string(out, k);
        out.push(':');
        push_json_string(out, v);
    }
    out.push('}');
}

/// A random UUID v4 from 16 random bytes (the widget takes them from `crypto.getRandomValues`).
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

impl core::fmt::Display for FieldError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.field, self.error)
    }
}

impl std::error::Error for FieldError {}

#[cfg(test)]
mod tests;
