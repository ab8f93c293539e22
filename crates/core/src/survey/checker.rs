//! The checks every section of a config uses: each failure is recorded with the
//! field's path and what was expected, and validation goes on, so that one pass
//! reports every problem.

use super::{is_safe_url, ConfigError};
use crate::text::{
    char_count, is_hidden_format, push_given_number, push_int, push_joined, push_number,
    push_shortened,
};
use crate::value::Value;

pub(super) fn describe(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Number(n, _) => push_given_number(&mut out, *n),
        Value::String(s) => {
            out.push('"');
            push_shortened(&mut out, s, 40);
            out.push('"');
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        other => out.push_str(other.type_name()),
    }
    out
}

/// `parent.key`; a key that is empty (`{"": 1}`) is written `""`, so an error still names it.
pub(super) fn join_path(parent: &str, key: &str) -> String {
    let mut out = String::with_capacity(parent.len() + key.len() + 3);
    out.push_str(parent);
    if !parent.is_empty() {
        out.push('.');
    }
    out.push_str(if key.is_empty() { "\"\"" } else { key });
    out
}

/// Whether `s` has a character that shows: not a space, a control or invisible formatting.
fn shows(s: &str) -> bool {
    s.chars()
        .any(|c| !c.is_whitespace() && !c.is_control() && !is_hidden_format(c))
}

/// Whether two texts are the same as a visitor sees them (invisible formatting and control
/// characters aside).
pub(super) fn look_alike(a: &str, b: &str) -> bool {
    let shown = |c: &char| !is_hidden_format(*c) && !c.is_control();
    a.chars().filter(shown).eq(b.chars().filter(shown))
}

pub(super) struct Checker {
    pub(super) errors: Vec<ConfigError>,
}

impl Checker {
    pub(super) fn fail(&mut self, field: &str, expected: &str, got: &Value) {
        let mut problem = String::from(expected);
        problem.push_str(", got ");
        problem.push_str(&describe(got));
        self.errors.push(ConfigError {
            field: field.to_owned(),
            problem,
        });
    }

    pub(super) fn missing(&mut self, field: &str, expected: &str) {
        let mut problem = String::from("required; expected ");
        problem.push_str(expected);
        self.errors.push(ConfigError {
            field: field.to_owned(),
            problem,
        });
    }

    /// The members of an optional object, or an error when it is something else.
    pub(super) fn object<'v>(
        &mut self,
        value: Option<&'v Value>,
        field: &str,
    ) -> &'v [(String, Value)] {
        match value {
            None | Some(Value::Null) => &[],
            Some(Value::Object(m)) => m,
            Some(other) => {
                self.fail(field, "expected an object", other);
                &[]
            }
        }
    }

    pub(super) fn unknown_keys(
        &mut self,
        members: &[(String, Value)],
        field: &str,
        allowed: &[&str],
    ) {
        for (key, _) in members {
            if !allowed.contains(&key.as_str()) {
                let mut problem = String::from("unknown field; expected one of ");
                push_joined(&mut problem, allowed.iter().copied(), ", ");
                self.errors.push(ConfigError {
                    field: join_path(field, key),
                    problem,
                });
            }
        }
    }

    /// A text of the config, trimmed. It must show something: a question of bidi controls
    /// and zero-width spaces alone is empty. It is kept as written (a translation's direction
    /// marks and soft hyphens are the site's own).
    pub(super) fn text(&mut self, value: &Value, field: &str, max_chars: usize) -> Option<String> {
        match value {
            Value::String(s) if shows(s) && char_count(s.trim()) <= max_chars => {
                Some(s.trim().to_owned())
            }
            other => {
                let mut expected = String::from("expected a non-empty string of at most ");
                push_int(&mut expected, max_chars as i64);
                expected.push_str(" characters");
                self.fail(field, &expected, other);
                None
            }
        }
    }

    pub(super) fn opt_text(
        &mut self,
        parent: &Value,
        key: &str,
        field: &str,
        max_chars: usize,
    ) -> Option<String> {
        match parent.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => self.text(v, field, max_chars),
        }
    }

    pub(super) fn url(&mut self, field: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) if is_safe_url(s) && s.len() <= 2000 => Some(s.trim().to_owned()),
            other => {
                self.fail(
                    field,
                    "expected an http(s) URL or a path such as \"/api/responses\"",
                    other,
                );
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, value: Option<&Value>, field: &str, default: bool) -> bool {
        match value {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.fail(field, "expected true or false", other);
                default
            }
        }
    }

    pub(super) fn number(
        &mut self,
        value: Option<&Value>,
        field: &str,
        min: f64,
        max: f64,
        default: f64,
    ) -> f64 {
        match value {
            None | Some(Value::Null) => default,
            Some(Value::Number(n, _)) if *n >= min && *n <= max => *n,
            Some(other) => {
                let mut expected = String::from("expected a number in ");
                push_number(&mut expected, min);
                expected.push_str("..=");
                push_number(&mut expected, max);
                self.fail(field, &expected, other);
                default
            }
        }
    }

    pub(super) fn integer(
        &mut self,
        value: Option<&Value>,
        field: &str,
        min: i64,
        max: i64,
        default: i64,
    ) -> i64 {
        match value {
            None | Some(Value::Null) => default,
            Some(Value::Number(n, _))
                if n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64 =>
            {
                *n as i64
            }
            Some(other) => {
                let mut expected = String::from("expected an integer in ");
                push_int(&mut expected, min);
                expected.push_str("..=");
                push_int(&mut expected, max);
                self.fail(field, &expected, other);
                default
            }
        }
    }

    /// Index of the chosen option, `None` when absent or wrong.
    pub(super) fn choice(
        &mut self,
        value: Option<&Value>,
        field: &str,
        options: &[&str],
    ) -> Option<usize> {
        match value {
            None | Some(Value::Null) => None,
            Some(v) => {
                let found = v
                    .as_str()
                    .and_then(|s| options.iter().position(|o| *o == s));
                if found.is_none() {
                    let mut expected = String::from("expected one of ");
                    for (i, o) in options.iter().enumerate() {
                        if i > 0 {
                            expected.push_str(if i + 1 == options.len() { " or " } else { ", " });
                        }
                        expected.push('"');
                        expected.push_str(o);
                        expected.push('"');
                    }
                    self.fail(field, &expected, v);
                }
                found
            }
        }
    }
}
