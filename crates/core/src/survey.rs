//! Survey config: the types, their defaults, and validation that reports every
//! problem at once, each naming the field and what was expected
//! (`followUp.maxLength: expected an integer in 1..=5000, got 0`).
//!
//! Shells hand over a [`Value`] (the widget reads the JavaScript object into one;
//! native code parses JSON into one), so there is one validation for all of them.

use crate::answer::{is_response_id, EXPECTED_ID};
use crate::value::Value;

mod checker;
mod sections;
mod types;

pub use types::*;

use checker::Checker;

/// One problem in a config: the field's path and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Dotted path of the field, e.g. `followUp.maxLength`.
    pub field: String,
    /// What was expected and what was found, e.g. `expected an integer in 1..=5000, got 0`.
    pub problem: String,
}

impl ConfigError {
    /// `field: problem`.
    pub fn message(&self) -> String {
        let mut out = String::with_capacity(self.field.len() + self.problem.len() + 2);
        out.push_str(&self.field);
        out.push_str(": ");
        out.push_str(&self.problem);
        out
    }
}

/// Every problem of a config, one per line, for an `Error` message.
pub fn errors_message(errors: &[ConfigError]) -> String {
    let mut out = String::from("sondeo: invalid config: ");
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&e.message());
    }
    out
}

static TOP_LEVEL_FIELDS: &[&str] = &[
    "id",
    "kind",
    "question",
    "scale",
    "questions",
    "followUp",
    "reasons",
    "thankYou",
    "endpoint",
    "method",
    "headers",
    "display",
    "trigger",
    "sample",
    "recontactDays",
    "dismissDays",
    "maxDisplays",
    "globalCooldownDays",
    "afterPageViews",
    "afterSessions",
    "afterSeconds",
    "showOn",
    "hideOn",
    "force",
    "locale",
    "texts",
    "theme",
    "metadata",
    "user",
    "delivery",
    "responseId",
    "consent",
    "anonymous",
    "impressions",
    "beforeSend",
];

/// Shorthand theme names and the custom property each sets.
pub static THEME_VARS: &[(&str, &str)] = &[
    ("accent", "--sondeo-accent"),
    ("accentText", "--sondeo-accent-text"),
    ("background", "--sondeo-background"),
    ("text", "--sondeo-text"),
    ("muted", "--sondeo-muted"),
    ("border", "--sondeo-border"),
    ("radius", "--sondeo-radius"),
    ("font", "--sondeo-font"),
    ("zIndex", "--sondeo-z-index"),
];

/// Validates `input` and fills in defaults; on failure, every problem found.
pub fn parse_config(input: &Value) -> Result<Config, Vec<ConfigError>> {
    let mut c = Checker { errors: Vec::new() };
    let members = match input {
        Value::Object(m) => m.as_slice(),
        other => {
            c.fail("config", "expected an object", other);
            return Err(c.errors);
        }
    };
    c.unknown_keys(members, "", TOP_LEVEL_FIELDS);

    let questions = c.questions(input);
    let kind = questions.first().map(|q| q.kind);
    let endpoint = match input.get("endpoint") {
        None | Some(Value::Null) => {
            c.missing(
                "endpoint",
                "an http(s) URL or a path such as \"/api/responses\"",
            );
            String::new()
        }
        // A path relative to the page ("./api") would resolve against each page's own
        // address: an answer queued on one page would be sent elsewhere from the next.
        Some(v) => match c.url("endpoint", v) {
            Some(path) if path.starts_with('.') => {
                c.fail(
                    "endpoint",
                    "expected an http(s) URL or a path from the site's root such as \"/api/responses\"",
                    v,
                );
                String::new()
            }
            endpoint => endpoint.unwrap_or_default(),
        },
    };
    let id = c.opt_text(input, "id", "id", 100).unwrap_or_default();
    // The id keys what the browser remembers and what the endpoint groups by: a control
    // character (a NUL) in it is a mistake, not a name. (Joiners stay: a Persian or an emoji
    // id needs them.)
    if id.chars().any(char::is_control) {
        if let Some(value) = input.get("id") {
            c.fail("id", "expected no control characters", value);
        }
    }
    let consent_required =
        c.choice(input.get("consent"), "consent", &["none", "required"]) == Some(1);
    let response_id = match input.get("responseId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if is_response_id(s) => Some(s.clone()),
        Some(v) => {
            c.fail("responseId", EXPECTED_ID, v);
            None
        }
    };
    // The follow-up and the thank-you are worded per group of the question they follow:
    // the one named by `followUp.after`, else the one answered worst, so any question's
    // naming of its groups may key them.
    let after = c.follow_up_after(input.get("followUp"), &questions);
    let mut names: Vec<[&str; 3]> = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let groups = q.kind.groups().map(|g| g.as_str());
        if after.is_none_or(|a| a == i) && !names.contains(&groups) {
            names.push(groups);
        }
    }
    let groups = kind.map(|_| names.as_slice());
    let follow_up = c.follow_up(input.get("followUp"), groups, after);
    let reasons = c.reasons(input.get("reasons"));
    let thank_you = c.thank_you(input.get("thankYou"), groups);
    let method = match c.choice(input.get("method"), "method", &["POST", "PUT"]) {
        Some(1) => Method::Put,
        _ => Method::Post,
    };
    let headers = c.string_map(input.get("headers"), "headers", 20, 2000, true);
    let display = c.display(input.get("display"));
    let trigger = c.trigger(input.get("trigger"));
    let targeting = c.targeting(input);
    let locale = c.locale(input.get("locale"));
    let texts = c.texts(input.get("texts"));
    let theme = c.theme(input.get("theme"));
    let metadata = c.string_map(input.get("metadata"), "metadata", 50, 500, false);
    let user = c.user(input.get("user"));
    let anonymous = c.boolean(input.get("anonymous"), "anonymous", false);
    let impressions = c.boolean(input.get("impressions"), "impressions", false);
    if anonymous {
        // Refused, not dropped: a site that thinks it sends an id must learn that it does not.
        if user.id.is_some() || !user.attributes.is_empty() {
            c.errors.push(ConfigError {
                field: "user".into(),
                problem: "expected no user with anonymous: true (an anonymous answer names nobody)"
                    .into(),
            });
        }
        // A pulse that fixes its id per employee (to stop double answers) would name them
        // in every stored row.
        if response_id.is_some() {
            c.errors.push(ConfigError {
                field: "responseId".into(),
                problem: "expected none with anonymous: true (an id the site chooses can name the person)".into(),
            });
        }
        for (key, _) in &metadata {
            if !ANONYMOUS_METADATA.contains(&key.as_str()) {
                c.errors.push(ConfigError {
                    field: checker::join_path("metadata", key),
                    problem: "not sent with anonymous: true; expected only team or location".into(),
                });
            }
        }
    }
    let delivery = c.delivery(input.get("delivery"));

    match kind {
        Some(kind) if c.errors.is_empty() => Ok(Config {
            id: if id.is_empty() {
                kind.as_str().to_owned()
            } else {
                id
            },
            response_id,
            consent_required,
            anonymous,
            impressions,
            kind,
            questions,
            follow_up,
            reasons,
            thank_you,
            endpoint,
            method,
            headers,
            display,
            trigger,
            targeting,
            locale,
            texts,
            theme,
            metadata,
            user,
            delivery,
        }),
        _ => Err(c.errors),
    }
}

/// A language pack (or any `texts` object): the texts it holds, and its problems (a key
/// that is not a text, a value that is not a short string), checked as the `texts`
/// config field is.
pub fn parse_texts(value: &Value) -> (Vec<(crate::i18n::TextKey, String)>, Vec<ConfigError>) {
    let mut c = Checker { errors: Vec::new() };
    let texts = c.texts(Some(value));
    (texts, c.errors)
}

/// Whether `url` is an absolute http(s) URL or a path on the same site.
/// Anything else (`javascript:`, `data:`, protocol-relative `//host`) is refused.
/// Browsers read `\` as `/` in http(s) URLs (the WHATWG URL standard), so `/\host`
/// and `\\host` are protocol-relative too, and refused like `//host`.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    let absolute = lower.starts_with("https://") || lower.starts_with("http://");
    let slash = |i: usize| matches!(lower.as_bytes().get(i), Some(b'/' | b'\\'));
    let path = slash(0) && !slash(1) || lower.starts_with("./");
    // A user name in the address (`https://bank.example@evil.example`) hides the real host
    // from whoever reads the link, and `fetch` refuses such an endpoint on every attempt.
    let authority = lower
        .bytes()
        .skip(if lower.starts_with("https") { 8 } else { 7 });
    let userinfo = absolute
        && authority
            .take_while(|b| !matches!(b, b'/' | b'\\' | b'?' | b'#'))
            .any(|b| b == b'@');
    // A bidirectional control would show the link's address in another order than it goes.
    (absolute && lower.len() > 8 && !userinfo || path)
        && !url
            .chars()
            .any(|c| c.is_control() || c == ' ' || crate::text::is_hidden_format(c))
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests;
