//! Survey config: the types, their defaults, and validation that reports every
//! problem at once, each naming the field and what was expected
//! (`followUp.maxLength: expected an integer in 1..=5000, got 0`).
//!
//! Shells hand over a [`Value`] (the widget reads the JavaScript object into one;
//! native code parses JSON into one), so there is one validation for all of them.

use crate::i18n::TextKey;
use crate::metric::Kind;
use crate::text::{char_count, push_int, push_joined, push_number, without_hidden_format};
use crate::value::Value;

/// Longest comment a survey may allow (`followUp.maxLength`), and what the collector accepts.
pub const MAX_COMMENT_LENGTH: u32 = 5000;

/// A validated survey config. Every field but `kind` and `endpoint` has a default.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Survey id, sent as `surveyId`; defaults to the kind's name.
    pub id: String,
    /// NPS, CSAT or CES.
    pub kind: Kind,
    /// The question; `None` uses the locale's standard wording for the kind.
    pub question: Option<String>,
    /// How the scale's points are drawn.
    pub scale: ScaleStyle,
    /// The "why" question after a score.
    pub follow_up: FollowUp,
    /// Optional reason chips shown with the follow-up.
    pub reasons: Reasons,
    /// The message after submit.
    pub thank_you: ThankYou,
    /// Where responses are posted: an absolute http(s) URL or a path on this site.
    pub endpoint: String,
    /// HTTP method of the post.
    pub method: Method,
    /// Extra request headers (an API key, say).
    pub headers: Vec<(String, String)>,
    /// Where and how the prompt appears.
    pub display: Display,
    /// When the prompt appears.
    pub trigger: Trigger,
    /// Share of visitors who are asked, 0–1.
    pub sample: f64,
    /// After answering, days before the same browser is asked again.
    pub recontact_days: u32,
    /// After closing without answering, days before the prompt shows again.
    pub dismiss_days: u32,
    /// `auto` (page `lang`, then browser languages) or a language tag.
    pub locale: String,
    /// Overrides of built-in texts.
    pub texts: Vec<(TextKey, String)>,
    /// Colours and light/dark mode.
    pub theme: Theme,
    /// Context sent with every response (ticketId, agent, touchpoint, channel…).
    pub metadata: Vec<(String, String)>,
    /// Who answers, when the site knows.
    pub user: User,
    /// Retry and queue limits.
    pub delivery: Delivery,
}

/// How the points of the scale are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStyle {
    /// Numbered buttons (all kinds).
    Numbers,
    /// Five stars (CSAT only).
    Stars,
    /// Five faces (CSAT only).
    Emoji,
}

impl ScaleStyle {
    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScaleStyle::Numbers => "numbers",
            ScaleStyle::Stars => "stars",
            ScaleStyle::Emoji => "emoji",
        }
    }
}

/// The follow-up ("why") question.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    /// `false` skips the follow-up: a score is the whole answer.
    pub enabled: bool,
    /// Question per group, worst group first (see [`crate::Group::tier`]); `None` uses the locale's text.
    pub texts: [Option<String>; 3],
    /// Whether a comment is needed before submit.
    pub required: bool,
    /// Longest comment, in characters.
    pub max_length: u32,
    /// Placeholder of the comment box.
    pub placeholder: Option<String>,
}

/// Reason chips ("price", "support", "speed") shown with the follow-up.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reasons {
    /// The chips; empty shows none.
    pub options: Vec<String>,
    /// Whether more than one may be chosen.
    pub multiple: bool,
    /// Label above the chips; `None` uses the locale's text.
    pub label: Option<String>,
}

/// The thank-you message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThankYou {
    /// Message per group, worst group first; `None` uses the locale's text.
    pub texts: [Option<String>; 3],
    /// A link offered to the best group only (a review site, a referral page).
    pub link: Option<Link>,
}

/// A link with its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// An absolute http(s) URL or a path on this site.
    pub url: String,
    /// The link's text.
    pub text: String,
}

/// HTTP method used to post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// POST (the default).
    Post,
    /// PUT.
    Put,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// Where and how the prompt appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Display {
    /// Inline, modal or slide-in.
    pub mode: DisplayMode,
    /// Corner of a slide-in.
    pub position: Position,
}

/// How the prompt is placed on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayMode {
    /// In the page flow, inside the host element.
    Inline,
    /// A centred dialog over the page; focus is trapped, Escape closes.
    Modal,
    /// A card in a corner that does not block the page.
    SlideIn,
}

impl DisplayMode {
    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            DisplayMode::Inline => "inline",
            DisplayMode::Modal => "modal",
            DisplayMode::SlideIn => "slide-in",
        }
    }
}

/// Corner of a slide-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Bottom right (the default).
    BottomRight,
    /// Bottom left.
    BottomLeft,
    /// Top right.
    TopRight,
    /// Top left.
    TopLeft,
}

impl Position {
    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::BottomRight => "bottom-right",
            Position::BottomLeft => "bottom-left",
            Position::TopRight => "top-right",
            Position::TopLeft => "top-left",
        }
    }
}

/// When the prompt appears. With several conditions, the first one met shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// Show when mounted (after `delay_ms`). `false` waits for another trigger or `show()`.
    pub load: bool,
    /// Delay before showing on load.
    pub delay_ms: u32,
    /// Show once the visitor has scrolled this far (0–100).
    pub scroll_percent: Option<u8>,
    /// Show when the pointer leaves the page towards the browser's chrome (desktop).
    pub exit_intent: bool,
    /// Show when this DOM event is dispatched on `window` (for in-app prompts).
    pub event: Option<String>,
}

/// Light/dark mode and CSS custom properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Follow the visitor's setting, or force one.
    pub mode: ThemeMode,
    /// `--sondeo-*` custom properties and their values.
    pub vars: Vec<(String, String)>,
}

/// Colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeMode {
    /// `prefers-color-scheme` decides.
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeMode {
    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMode::Auto => "auto",
            ThemeMode::Light => "light",
            ThemeMode::Dark => "dark",
        }
    }
}

/// Who answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct User {
    /// The site's id for the person.
    pub id: Option<String>,
    /// Other attributes (plan, country…).
    pub attributes: Vec<(String, String)>,
}

/// Retry and queue limits of delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// Attempts per post before it waits for the next page load or `online`.
    pub max_attempts: u32,
    /// First retry delay; it doubles per attempt, with jitter.
    pub base_delay_ms: u32,
    /// Longest delay between attempts.
    pub max_delay_ms: u32,
    /// Most responses kept in the offline queue; the oldest is dropped past it.
    pub queue_limit: u32,
    /// Post a partial response as soon as a score is chosen.
    pub partial: bool,
    /// Days an unsent response is kept in the offline queue before it is dropped.
    pub max_age_days: u32,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            max_attempts: 6,
            base_delay_ms: 1000,
            max_delay_ms: 60_000,
            queue_limit: 100,
            partial: true,
            max_age_days: 7,
        }
    }
}

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

const TOP_LEVEL_FIELDS: &[&str] = &[
    "id",
    "kind",
    "question",
    "scale",
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
    "locale",
    "texts",
    "theme",
    "metadata",
    "user",
    "delivery",
    "beforeSend",
];

/// Shorthand theme names and the custom property each sets.
pub const THEME_VARS: &[(&str, &str)] = &[
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
    c.unknown_keys(members, "", &TOP_LEVEL_FIELDS);

    let kind = match input.get("kind") {
        None | Some(Value::Null) => {
            c.missing("kind", "\"nps\", \"csat\" or \"ces\"");
            None
        }
        Some(v) => match v.as_str().and_then(Kind::parse) {
            Some(k) => Some(k),
            None => {
                c.fail("kind", "expected \"nps\", \"csat\" or \"ces\"", v);
                None
            }
        },
    };
    let endpoint = match input.get("endpoint") {
        None | Some(Value::Null) => {
            c.missing(
                "endpoint",
                "an http(s) URL or a path such as \"/api/responses\"",
            );
            String::new()
        }
        Some(v) => c.url("endpoint", v).unwrap_or_default(),
    };
    let id = c.opt_text(input, "id", "id", 100).unwrap_or_default();
    let question = c.opt_text(input, "question", "question", 500);
    let scale = c.scale(input.get("scale"), kind);
    let groups = kind.map(|k| k.groups().map(|g| g.as_str()));
    let follow_up = c.follow_up(input.get("followUp"), groups);
    let reasons = c.reasons(input.get("reasons"));
    let thank_you = c.thank_you(input.get("thankYou"), groups);
    let method = match c.choice(input.get("method"), "method", &["POST", "PUT"]) {
        Some(1) => Method::Put,
        _ => Method::Post,
    };
    let headers = c.string_map(input.get("headers"), "headers", 20, 2000, true);
    let display = c.display(input.get("display"));
    let trigger = c.trigger(input.get("trigger"));
    let sample = c.number(input.get("sample"), "sample", 0.0, 1.0, 1.0);
    let recontact_days = c.integer(input.get("recontactDays"), "recontactDays", 0, 3650, 0);
    let dismiss_days = c.integer(input.get("dismissDays"), "dismissDays", 0, 3650, 0);
    let locale = c.locale(input.get("locale"));
    let texts = c.texts(input.get("texts"));
    let theme = c.theme(input.get("theme"));
    let metadata = c.string_map(input.get("metadata"), "metadata", 50, 500, false);
    let user = c.user(input.get("user"));
    let delivery = c.delivery(input.get("delivery"));

    match kind {
        Some(kind) if c.errors.is_empty() => Ok(Config {
            id: if id.is_empty() {
                kind.as_str().to_owned()
            } else {
                id
            },
            kind,
            question,
            scale,
            follow_up,
            reasons,
            thank_you,
            endpoint,
            method,
            headers,
            display,
            trigger,
            sample,
            recontact_days: recontact_days as u32,
            dismiss_days: dismiss_days as u32,
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

/// Whether `url` is an absolute http(s) URL or a path on the same site.
/// Anything else (`javascript:`, `data:`, protocol-relative `//host`) is refused.
/// Browsers read `\` as `/` in http(s) URLs (the WHATWG URL standard), so `/\host`
/// and `\\host` are protocol-relative too, and refused like `//host`.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    let absolute = lower.starts_with("https://") || lower.starts_with("http://");
    let slash = |i: usize| matches!(lower.as_bytes().get(i), Some(b'/' | b'\\'));
    let path = slash(0) && !slash(1) || lower.starts_with("./");
    (absolute && lower.len() > 8 || path) && !url.chars().any(|c| c.is_control() || c == ' ')
}

fn describe(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Number(n, _) => push_number(&mut out, *n),
        Value::String(s) => {
            out.push('"');
            let mut chars = s.chars();
            out.extend(chars.by_ref().take(40));
            if chars.next().is_some() {
                out.push('…');
            }
            out.push('"');
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        other => out.push_str(other.type_name()),
    }
    out
}

/// `parent.key`; a key that is empty (`{"": 1}`) is written `""`, so an error still names it.
fn join_path(parent: &str, key: &str) -> String {
    let mut out = String::with_capacity(parent.len() + key.len() + 3);
    out.push_str(parent);
    if !parent.is_empty() {
        out.push('.');
    }
    out.push_str(if key.is_empty() { "\"\"" } else { key });
    out
}

struct Checker {
    errors: Vec<ConfigError>,
}

impl Checker {
    fn fail(&mut self, field: &str, expected: &str, got: &Value) {
        let mut problem = String::from(expected);
        problem.push_str(", got ");
        problem.push_str(&describe(got));
        self.errors.push(ConfigError {
            field: field.to_owned(),
            problem,
        });
    }

    fn missing(&mut self, field: &str, expected: &str) {
        let mut problem = String::from("required; expected ");
        problem.push_str(expected);
        self.errors.push(ConfigError {
            field: field.to_owned(),
            problem,
        });
    }

    /// The members of an optional object, or an error when it is something else.
    fn object<'v>(&mut self, value: Option<&'v Value>, field: &str) -> &'v [(String, Value)] {
        match value {
            None | Some(Value::Null) => &[],
            Some(Value::Object(m)) => m,
            Some(other) => {
                self.fail(field, "expected an object", other);
                &[]
            }
        }
    }

    fn unknown_keys(&mut self, members: &[(String, Value)], field: &str, allowed: &[&str]) {
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

    fn text(&mut self, value: &Value, field: &str, max_chars: usize) -> Option<String> {
        match value {
            Value::String(s) if !s.trim().is_empty() && char_count(s) <= max_chars => {
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

    fn opt_text(
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

    fn url(&mut self, field: &str, value: &Value) -> Option<String> {
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

    fn boolean(&mut self, value: Option<&Value>, field: &str, default: bool) -> bool {
        match value {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.fail(field, "expected true or false", other);
                default
            }
        }
    }

    fn number(
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

    fn integer(
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
    fn choice(&mut self, value: Option<&Value>, field: &str, options: &[&str]) -> Option<usize> {
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

    fn scale(&mut self, value: Option<&Value>, kind: Option<Kind>) -> ScaleStyle {
        let allowed: &[&str] = match kind {
            Some(Kind::Csat) => &["numbers", "stars", "emoji"],
            _ => &["numbers"],
        };
        match self.choice(value, "scale", allowed) {
            Some(1) => ScaleStyle::Stars,
            Some(2) => ScaleStyle::Emoji,
            _ => ScaleStyle::Numbers,
        }
    }

    fn per_group_texts(
        &mut self,
        members: &[(String, Value)],
        field: &str,
        groups: Option<[&'static str; 3]>,
    ) -> [Option<String>; 3] {
        let mut texts: [Option<String>; 3] = Default::default();
        if let Some(groups) = groups {
            for (tier, name) in groups.iter().enumerate() {
                if let Some((_, v)) = members.iter().find(|(k, _)| k == name) {
                    texts[tier] = self.text(v, &join_path(field, name), 500);
                }
            }
        }
        texts
    }

    fn follow_up(&mut self, value: Option<&Value>, groups: Option<[&'static str; 3]>) -> FollowUp {
        let mut follow_up = FollowUp {
            enabled: true,
            texts: Default::default(),
            required: false,
            max_length: 1000,
            placeholder: None,
        };
        if let Some(Value::Bool(enabled)) = value {
            follow_up.enabled = *enabled;
            return follow_up;
        }
        let members = self.object(value, "followUp");
        let mut allowed = vec!["enabled", "required", "maxLength", "placeholder"];
        allowed.extend(groups.unwrap_or(["detractor", "passive", "promoter"]));
        if groups.is_some() {
            self.unknown_keys(members, "followUp", &allowed);
        }
        let get = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        follow_up.enabled = self.boolean(get("enabled"), "followUp.enabled", true);
        follow_up.required = self.boolean(get("required"), "followUp.required", false);
        follow_up.max_length = self.integer(
            get("maxLength"),
            "followUp.maxLength",
            1,
            MAX_COMMENT_LENGTH as i64,
            1000,
        ) as u32;
        follow_up.placeholder =
            get("placeholder").and_then(|v| self.text(v, "followUp.placeholder", 200));
        follow_up.texts = self.per_group_texts(members, "followUp", groups);
        follow_up
    }

    fn reasons(&mut self, value: Option<&Value>) -> Reasons {
        let (options, members) = match value {
            Some(Value::Array(_)) => (value, &[][..]),
            _ => {
                let members = self.object(value, "reasons");
                self.unknown_keys(members, "reasons", &["options", "multiple", "label"]);
                (
                    members.iter().find(|(k, _)| k == "options").map(|(_, v)| v),
                    members,
                )
            }
        };
        let get = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        let mut reasons = Reasons {
            options: Vec::new(),
            multiple: self.boolean(get("multiple"), "reasons.multiple", true),
            label: get("label").and_then(|v| self.text(v, "reasons.label", 200)),
        };
        match options {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) if items.len() <= 12 => {
                for (i, item) in items.iter().enumerate() {
                    let mut field = String::from("reasons.options[");
                    push_int(&mut field, i as i64);
                    field.push(']');
                    if let Some(text) = self.text(item, &field, 80) {
                        if reasons.options.contains(&text) {
                            self.fail(&field, "expected each option once", item);
                        } else {
                            reasons.options.push(text);
                        }
                    }
                }
            }
            Some(other) => self.fail(
                "reasons.options",
                "expected an array of at most 12 strings",
                other,
            ),
        }
        reasons
    }

    fn thank_you(&mut self, value: Option<&Value>, groups: Option<[&'static str; 3]>) -> ThankYou {
        let members = self.object(value, "thankYou");
        let mut allowed = vec!["link"];
        allowed.extend(groups.unwrap_or(["detractor", "passive", "promoter"]));
        if groups.is_some() {
            self.unknown_keys(members, "thankYou", &allowed);
        }
        let texts = self.per_group_texts(members, "thankYou", groups);
        let link = match members.iter().find(|(k, _)| k == "link").map(|(_, v)| v) {
            None | Some(Value::Null) => None,
            Some(link @ Value::Object(m)) => {
                self.unknown_keys(m, "thankYou.link", &["url", "text"]);
                let url = match link.get("url") {
                    Some(v) => self.url("thankYou.link.url", v),
                    None => {
                        self.missing("thankYou.link.url", "an http(s) URL");
                        None
                    }
                };
                let text = match link.get("text") {
                    Some(v) => self.text(v, "thankYou.link.text", 100),
                    None => {
                        self.missing("thankYou.link.text", "the link's text");
                        None
                    }
                };
                url.zip(text).map(|(url, text)| Link { url, text })
            }
            Some(other) => {
                self.fail("thankYou.link", "expected an object { url, text }", other);
                None
            }
        };
        ThankYou { texts, link }
    }

    /// A map of short strings; numbers and booleans become strings when `coerce_scalars`
    /// is false (metadata such as `ticketId: 123` is common and harmless).
    fn string_map(
        &mut self,
        value: Option<&Value>,
        field: &str,
        max_entries: usize,
        max_value_chars: usize,
        header_names: bool,
    ) -> Vec<(String, String)> {
        let members = self.object(value, field);
        if members.len() > max_entries {
            let mut expected = String::from("expected at most ");
            push_int(&mut expected, max_entries as i64);
            expected.push_str(" entries");
            self.fail(field, &expected, &Value::Number(members.len() as f64, None));
            return Vec::new();
        }
        let mut out = Vec::with_capacity(members.len());
        for (raw_key, v) in members {
            // Visitors' text loses invisible formatting characters; so does what the page adds to it.
            let cleaned;
            let key = if header_names {
                raw_key
            } else {
                cleaned = without_hidden_format(raw_key);
                &cleaned
            };
            let path = join_path(field, key);
            let key_ok = if header_names {
                !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            } else {
                !key.trim().is_empty() && char_count(key) <= 64
            };
            if !key_ok {
                let expected = if header_names {
                    "expected a valid header name"
                } else {
                    "expected a key of 1 to 64 characters"
                };
                self.fail(&path, expected, &Value::String(key.clone()));
                continue;
            }
            let text = match v {
                Value::String(s) if header_names => Some(s.clone()),
                Value::String(s) => Some(without_hidden_format(s)),
                Value::Number(n, text) if !header_names => {
                    Some(Value::number_text(*n, text.as_deref()))
                }
                Value::Bool(b) if !header_names => {
                    Some(String::from(if *b { "true" } else { "false" }))
                }
                _ => None,
            };
            match text {
                Some(s)
                    if char_count(&s) <= max_value_chars
                        && !(header_names && s.contains(['\r', '\n'])) =>
                {
                    out.push((key.clone(), s))
                }
                _ => {
                    let mut expected = String::from("expected a string of at most ");
                    push_int(&mut expected, max_value_chars as i64);
                    expected.push_str(" characters");
                    self.fail(&path, &expected, v);
                }
            }
        }
        out
    }

    fn display(&mut self, value: Option<&Value>) -> Display {
        let mut display = Display {
            mode: DisplayMode::Inline,
            position: Position::BottomRight,
        };
        let members = match value {
            Some(Value::String(_)) => {
                // `display: "modal"` is shorthand for `display: { mode: "modal" }`.
                display.mode = self.display_mode(value);
                return display;
            }
            _ => self.object(value, "display"),
        };
        self.unknown_keys(members, "display", &["mode", "position"]);
        let get = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        display.mode = self.display_mode(get("mode"));
        display.position = match self.choice(
            get("position"),
            "display.position",
            &["bottom-right", "bottom-left", "top-right", "top-left"],
        ) {
            Some(1) => Position::BottomLeft,
            Some(2) => Position::TopRight,
            Some(3) => Position::TopLeft,
            _ => Position::BottomRight,
        };
        display
    }

    fn display_mode(&mut self, value: Option<&Value>) -> DisplayMode {
        let field = if matches!(value, Some(Value::String(_))) {
            "display.mode"
        } else {
            "display"
        };
        match self.choice(value, field, &["inline", "modal", "slide-in"]) {
            Some(1) => DisplayMode::Modal,
            Some(2) => DisplayMode::SlideIn,
            _ => DisplayMode::Inline,
        }
    }

    fn trigger(&mut self, value: Option<&Value>) -> Trigger {
        let members = self.object(value, "trigger");
        self.unknown_keys(
            members,
            "trigger",
            &["load", "delayMs", "scrollPercent", "exitIntent", "event"],
        );
        let get = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        let scroll_percent = match get("scrollPercent") {
            None | Some(Value::Null) => None,
            v => Some(self.integer(v, "trigger.scrollPercent", 0, 100, 0) as u8),
        };
        let exit_intent = self.boolean(get("exitIntent"), "trigger.exitIntent", false);
        let event = get("event").and_then(|v| self.text(v, "trigger.event", 100));
        // Without another trigger the prompt shows on load; with one, load is opt-in.
        let has_other = scroll_percent.is_some() || exit_intent || event.is_some();
        Trigger {
            load: self.boolean(get("load"), "trigger.load", !has_other),
            delay_ms: self.integer(get("delayMs"), "trigger.delayMs", 0, 3_600_000, 0) as u32,
            scroll_percent,
            exit_intent,
            event,
        }
    }

    fn locale(&mut self, value: Option<&Value>) -> String {
        match value {
            None | Some(Value::Null) => String::from("auto"),
            Some(Value::String(s))
                if !s.is_empty()
                    && s.len() <= 35
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                s.clone()
            }
            Some(other) => {
                self.fail(
                    "locale",
                    "expected \"auto\" or a language tag such as \"es\" or \"pt-BR\"",
                    other,
                );
                String::from("auto")
            }
        }
    }

    fn texts(&mut self, value: Option<&Value>) -> Vec<(TextKey, String)> {
        let members = self.object(value, "texts");
        let mut out = Vec::new();
        for (key, v) in members {
            let path = join_path("texts", key);
            match TextKey::parse(key) {
                Some(text_key) => {
                    if let Some(s) = self.text(v, &path, 500) {
                        out.push((text_key, s));
                    }
                }
                None => {
                    let mut problem = String::from("unknown text; expected one of ");
                    for (i, k) in crate::i18n::TEXT_KEYS.iter().enumerate() {
                        if i > 0 {
                            problem.push_str(", ");
                        }
                        problem.push_str(k.name());
                    }
                    self.errors.push(ConfigError {
                        field: path,
                        problem,
                    });
                }
            }
        }
        out
    }

    fn theme(&mut self, value: Option<&Value>) -> Theme {
        let members = self.object(value, "theme");
        let mut theme = Theme {
            mode: ThemeMode::Auto,
            vars: Vec::new(),
        };
        for (key, v) in members {
            let path = join_path("theme", key);
            if key == "mode" {
                theme.mode = match self.choice(Some(v), "theme.mode", &["auto", "light", "dark"]) {
                    Some(1) => ThemeMode::Light,
                    Some(2) => ThemeMode::Dark,
                    _ => ThemeMode::Auto,
                };
                continue;
            }
            let property = if key.starts_with("--sondeo-")
                && key.len() > 9
                && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                Some(key.clone())
            } else {
                THEME_VARS
                    .iter()
                    .find(|(name, _)| name == key)
                    .map(|(_, p)| String::from(*p))
            };
            let Some(property) = property else {
                let mut problem = String::from(
                    "unknown theme field; expected mode, a --sondeo-* property or one of ",
                );
                push_joined(&mut problem, THEME_VARS.iter().map(|(n, _)| *n), ", ");
                self.errors.push(ConfigError {
                    field: path,
                    problem,
                });
                continue;
            };
            match v {
                // A value cannot end the declaration or open a block: it is set through
                // CSSOM `setProperty`, which is safe, but such a value is always a mistake.
                Value::String(s)
                    if !s.is_empty()
                        && s.len() <= 200
                        && !s.contains([';', '{', '}', '<', '>']) =>
                {
                    theme.vars.push((property, s.clone()))
                }
                other => self.fail(
                    &path,
                    "expected a CSS value such as \"#0b5fff\" or \"12px\"",
                    other,
                ),
            }
        }
        theme
    }

    fn user(&mut self, value: Option<&Value>) -> User {
        let members = self.object(value, "user");
        let mut user = User::default();
        let (id, rest): (Vec<_>, Vec<_>) = members.iter().cloned().partition(|(k, _)| k == "id");
        if let Some((_, v)) = id.first() {
            user.id = match v {
                Value::Number(n, text) => Some(Value::number_text(*n, text.as_deref())),
                v => self.text(v, "user.id", 200),
            };
        }
        let rest = Value::Object(rest);
        user.attributes = self.string_map(Some(&rest), "user", 30, 500, false);
        user
    }

    fn delivery(&mut self, value: Option<&Value>) -> Delivery {
        let members = self.object(value, "delivery");
        self.unknown_keys(
            members,
            "delivery",
            &[
                "maxAttempts",
                "baseDelayMs",
                "maxDelayMs",
                "queueLimit",
                "partial",
                "maxAgeDays",
            ],
        );
        let get = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        let d = Delivery::default();
        Delivery {
            max_attempts: self.integer(
                get("maxAttempts"),
                "delivery.maxAttempts",
                1,
                100,
                d.max_attempts as i64,
            ) as u32,
            base_delay_ms: self.integer(
                get("baseDelayMs"),
                "delivery.baseDelayMs",
                10,
                600_000,
                d.base_delay_ms as i64,
            ) as u32,
            max_delay_ms: self.integer(
                get("maxDelayMs"),
                "delivery.maxDelayMs",
                10,
                3_600_000,
                d.max_delay_ms as i64,
            ) as u32,
            queue_limit: self.integer(
                get("queueLimit"),
                "delivery.queueLimit",
                1,
                1000,
                d.queue_limit as i64,
            ) as u32,
            partial: self.boolean(get("partial"), "delivery.partial", d.partial),
            max_age_days: self.integer(
                get("maxAgeDays"),
                "delivery.maxAgeDays",
                1,
                365,
                d.max_age_days as i64,
            ) as u32,
        }
    }
}

#[cfg(test)]
mod tests;
