//! One check per section of the config (`followUp`, `reasons`, `display`, `theme`…),
//! built from the shared checks in `checker`.

use super::checker::{join_path, look_alike, Checker};
use super::types::*;
use super::{ConfigError, THEME_VARS};
use crate::answer::{attribute_text, is_response_id, read_attributes, EXPECTED_ID};
use crate::i18n::TextKey;
use crate::metric::{Kind, KIND_CHOICES};
use crate::text::{char_count, push_int, push_joined};
use crate::value::Value;

impl Checker {
    /// The style of `kind`'s scale: one its entry allows, else its default (the first).
    pub(super) fn scale(&mut self, value: Option<&Value>, field: &str, kind: Kind) -> ScaleStyle {
        let allowed = kind.spec().styles;
        let name = self.choice(value, field, allowed).unwrap_or(0);
        ScaleStyle::parse(allowed[name]).unwrap_or(ScaleStyle::Numbers)
    }

    /// The kind at `field`: required, one of the table's.
    pub(super) fn kind(&mut self, value: Option<&Value>, field: &str) -> Option<Kind> {
        match value {
            None | Some(Value::Null) => {
                self.missing(field, KIND_CHOICES);
                None
            }
            Some(v) => {
                let kind = v.as_str().and_then(Kind::parse);
                if kind.is_none() {
                    self.fail(field, &crate::text::concat(&["expected ", KIND_CHOICES]), v);
                }
                kind
            }
        }
    }

    /// The survey's questions: `questions` (2–5, each with its key, kind, wording and
    /// scale), or the one question of the top-level `kind`, `question` and `scale`.
    pub(super) fn questions(&mut self, input: &Value) -> Vec<Question> {
        let items = match input.get("questions") {
            None | Some(Value::Null) => {
                let Some(kind) = self.kind(input.get("kind"), "kind") else {
                    return Vec::new();
                };
                return vec![Question {
                    key: kind.as_str().to_owned(),
                    kind,
                    text: self.opt_text(input, "question", "question", 500),
                    scale: self.scale(input.get("scale"), "scale", kind),
                }];
            }
            Some(Value::Array(items)) if (2..=MAX_QUESTIONS).contains(&items.len()) => items,
            Some(other) => {
                self.fail("questions", "expected an array of 2 to 5 questions", other);
                return Vec::new();
            }
        };
        // One place for each: a second top-level kind would say which one wins.
        for key in ["kind", "question", "scale"] {
            if input.get(key).is_some() {
                self.errors.push(ConfigError {
                    field: key.into(),
                    problem: "not used with questions; give it to each question".into(),
                });
            }
        }
        let mut questions: Vec<Question> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let mut field = String::from("questions[");
            push_int(&mut field, i as i64);
            field.push(']');
            let members = self.object(Some(item), &field);
            self.unknown_keys(members, &field, &["key", "kind", "question", "scale"]);
            let get = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
            let key_field = join_path(&field, "key");
            let key = match get("key") {
                Some(Value::String(k)) if is_response_id(k) => {
                    if questions.iter().any(|q| q.key == *k) {
                        self.fail(
                            &key_field,
                            "expected each key once",
                            &Value::String(k.clone()),
                        );
                    }
                    Some(k.clone())
                }
                None | Some(Value::Null) => {
                    self.missing(&key_field, "1 to 64 letters, digits, '-' or '_'");
                    None
                }
                Some(other) => {
                    self.fail(&key_field, EXPECTED_ID, other);
                    None
                }
            };
            let kind = self.kind(get("kind"), &join_path(&field, "kind"));
            let text =
                get("question").and_then(|v| self.text(v, &join_path(&field, "question"), 500));
            if let (Some(key), Some(kind)) = (key, kind) {
                let scale = self.scale(get("scale"), &join_path(&field, "scale"), kind);
                questions.push(Question {
                    key,
                    kind,
                    text,
                    scale,
                });
            }
        }
        questions
    }

    /// Texts per group, worst first, keyed by the groups' names (`detractor`, `low`…):
    /// `names` lists the namings allowed (several when a survey's questions name their
    /// groups differently).
    pub(super) fn per_group_texts(
        &mut self,
        members: &[(String, Value)],
        field: &str,
        names: &[[&'static str; 3]],
    ) -> [Option<String>; 3] {
        let mut texts: [Option<String>; 3] = Default::default();
        let mut given: [Option<&str>; 3] = [None; 3];
        for groups in names {
            for (tier, name) in groups.iter().enumerate() {
                let Some((_, v)) = members.iter().find(|(k, _)| k == name) else {
                    continue;
                };
                let path = join_path(field, name);
                // `detractor` and `low` are the same group of two questions' kinds: one text.
                if let Some(other) = given[tier] {
                    let mut problem = String::from("the same group as ");
                    problem.push_str(&join_path(field, other));
                    problem.push_str("; give one of them");
                    self.errors.push(ConfigError {
                        field: path,
                        problem,
                    });
                    continue;
                }
                given[tier] = Some(name);
                texts[tier] = self.text(v, &path, 500);
            }
        }
        texts
    }

    /// `followUp.after`: the question (by key) whose answer the follow-up's wording follows.
    pub(super) fn follow_up_after(
        &mut self,
        value: Option<&Value>,
        questions: &[Question],
    ) -> Option<usize> {
        let after = value?.get("after")?;
        let found = after
            .as_str()
            .and_then(|key| questions.iter().position(|q| q.key == key))
            .filter(|_| questions.len() > 1);
        if found.is_none() {
            self.fail(
                "followUp.after",
                "expected the key of one of the survey's questions",
                after,
            );
        }
        found
    }
    pub(super) fn follow_up(
        &mut self,
        value: Option<&Value>,
        groups: Option<&[[&'static str; 3]]>,
        after: Option<usize>,
    ) -> FollowUp {
        let mut follow_up = FollowUp {
            enabled: true,
            texts: Default::default(),
            after,
            required: false,
            max_length: 1000,
            placeholder: None,
        };
        if let Some(Value::Bool(enabled)) = value {
            follow_up.enabled = *enabled;
            return follow_up;
        }
        let members = self.object(value, "followUp");
        let mut allowed = vec!["enabled", "required", "maxLength", "placeholder", "after"];
        for names in groups.unwrap_or_default() {
            allowed.extend_from_slice(names);
        }
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
        follow_up.texts = self.per_group_texts(members, "followUp", groups.unwrap_or_default());
        follow_up
    }

    pub(super) fn reasons(&mut self, value: Option<&Value>) -> Reasons {
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
                        // Options a visitor could not tell apart (one with a zero-width
                        // space) would be two chips that look the same.
                        if reasons.options.iter().any(|o| look_alike(o, &text)) {
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

    pub(super) fn thank_you(
        &mut self,
        value: Option<&Value>,
        groups: Option<&[[&'static str; 3]]>,
    ) -> ThankYou {
        let members = self.object(value, "thankYou");
        let mut allowed = vec!["link", "closeAfterMs"];
        for names in groups.unwrap_or_default() {
            allowed.extend_from_slice(names);
        }
        if groups.is_some() {
            self.unknown_keys(members, "thankYou", &allowed);
        }
        let close_after_ms = self.integer(
            members
                .iter()
                .find(|(k, _)| k == "closeAfterMs")
                .map(|(_, v)| v),
            "thankYou.closeAfterMs",
            0,
            600_000,
            4000,
        ) as u32;
        let texts = self.per_group_texts(members, "thankYou", groups.unwrap_or_default());
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
        ThankYou {
            texts,
            link,
            close_after_ms,
        }
    }

    /// A map of short strings. For metadata and user attributes (`header_names` false),
    /// numbers and booleans become strings (`ticketId: 123` is common and harmless) and
    /// invisible formatting characters are removed; for HTTP headers (`header_names`
    /// true), keys must be valid header names and values strings without line breaks.
    pub(super) fn string_map(
        &mut self,
        value: Option<&Value>,
        field: &str,
        max_entries: usize,
        max_value_chars: usize,
        header_names: bool,
    ) -> Vec<(String, String)> {
        let members = self.object(value, field);
        self.map_members(
            members,
            field,
            max_entries,
            max_value_chars,
            header_names,
            None,
        )
    }

    /// [`Checker::string_map`] of an object's members, but for the one named `skip`
    /// (read apart: `user.id`).
    fn map_members(
        &mut self,
        members: &[(String, Value)],
        field: &str,
        max_entries: usize,
        max_value_chars: usize,
        header_names: bool,
        skip: Option<&str>,
    ) -> Vec<(String, String)> {
        let entries = members
            .iter()
            .filter(|(k, _)| Some(k.as_str()) != skip)
            .count();
        if entries > max_entries {
            let mut expected = String::from("expected at most ");
            push_int(&mut expected, max_entries as i64);
            expected.push_str(" entries");
            self.fail(field, &expected, &Value::Number(entries as f64, None));
            return Vec::new();
        }
        if !header_names {
            return read_attributes(
                members,
                skip,
                field,
                max_value_chars,
                &mut |path: &str, expected: String, got: Option<&Value>| match got {
                    Some(value) => self.fail(path, &expected, value),
                    None => self.errors.push(ConfigError {
                        field: path.to_owned(),
                        problem: expected,
                    }),
                },
            );
        }
        let mut out = Vec::with_capacity(members.len());
        for (key, v) in members {
            let path = join_path(field, key);
            let key_ok = !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !key_ok {
                self.fail(
                    &path,
                    "expected a valid header name",
                    &Value::String(key.clone()),
                );
                continue;
            }
            match v {
                Value::String(s)
                    if char_count(s) <= max_value_chars && !s.contains(['\r', '\n']) =>
                {
                    out.push((key.clone(), s.clone()))
                }
                _ => {
                    let mut expected = String::from("expected a string of at most ");
                    push_int(&mut expected, max_value_chars as i64);
                    expected.push_str(" characters on one line");
                    self.fail(&path, &expected, v);
                }
            }
        }
        out
    }

    pub(super) fn display(&mut self, value: Option<&Value>) -> Display {
        let mut display = Display {
            mode: DisplayMode::Inline,
            position: Position::BottomRight,
        };
        let members = match value {
            Some(Value::String(_)) => {
                // `display: "modal"` is shorthand for `display: { mode: "modal" }`.
                display.mode = self.display_mode(value, "display");
                return display;
            }
            _ => self.object(value, "display"),
        };
        self.unknown_keys(members, "display", &["mode", "position"]);
        let get = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        display.mode = self.display_mode(get("mode"), "display.mode");
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

    /// `field`: where the mode was written (`display`, or `display.mode` in the object form).
    pub(super) fn display_mode(&mut self, value: Option<&Value>, field: &str) -> DisplayMode {
        match self.choice(value, field, &["inline", "modal", "slide-in"]) {
            Some(1) => DisplayMode::Modal,
            Some(2) => DisplayMode::SlideIn,
            _ => DisplayMode::Inline,
        }
    }

    pub(super) fn trigger(&mut self, value: Option<&Value>) -> Trigger {
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

    /// The top-level targeting fields (`sample`, `recontactDays`, `showOn`…).
    pub(super) fn targeting(&mut self, input: &Value) -> Targeting {
        let days = |c: &mut Self, key: &str| c.integer(input.get(key), key, 0, 3650, 0) as u32;
        let recontact_days = days(self, "recontactDays");
        let dismiss_days = days(self, "dismissDays");
        let global_cooldown_days = days(self, "globalCooldownDays");
        let count =
            |c: &mut Self, key: &str, max: i64| c.integer(input.get(key), key, 0, max, 0) as u32;
        Targeting {
            sample: self.number(input.get("sample"), "sample", 0.0, 1.0, 1.0),
            recontact_days,
            dismiss_days,
            global_cooldown_days,
            max_displays: count(self, "maxDisplays", 1000),
            after_page_views: count(self, "afterPageViews", 10_000),
            after_sessions: count(self, "afterSessions", 10_000),
            after_seconds: count(self, "afterSeconds", 86_400),
            show_on: self.page_patterns(input.get("showOn"), "showOn"),
            hide_on: self.page_patterns(input.get("hideOn"), "hideOn"),
            force: self.boolean(input.get("force"), "force", false),
        }
    }

    /// A page pattern or a list of up to 20 (see `targeting::page`).
    fn page_patterns(&mut self, value: Option<&Value>, field: &str) -> Vec<String> {
        const EXPECTED: &str =
            "expected a path pattern such as \"/checkout/*\" or \"#/billing\", or a list of up to 20";
        let items = match value {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) if items.len() <= 20 => items.as_slice(),
            Some(one @ Value::String(_)) => core::slice::from_ref(one),
            Some(other) => {
                self.fail(field, EXPECTED, other);
                return Vec::new();
            }
        };
        let mut patterns = Vec::new();
        for item in items {
            match item {
                Value::String(s)
                    if matches!(s.as_bytes().first(), Some(b'/' | b'*' | b'#'))
                        && s.len() <= 500 =>
                {
                    patterns.push(s.clone())
                }
                other => self.fail(field, EXPECTED, other),
            }
        }
        patterns
    }

    pub(super) fn locale(&mut self, value: Option<&Value>) -> String {
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

    pub(super) fn texts(&mut self, value: Option<&Value>) -> Vec<(TextKey, String)> {
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

    pub(super) fn theme(&mut self, value: Option<&Value>) -> Theme {
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
                // Nor can it load anything (`url(…)`, `image-set(…)`, or either written with
                // CSS escapes): a colour or a size has no business calling a third party.
                Value::String(s)
                    if !s.is_empty()
                        && s.len() <= 200
                        && !s.contains([';', '{', '}', '<', '>', '\\'])
                        && !["url(", "src(", "image(", "image-"]
                            .iter()
                            .any(|f| crate::text::contains_ignoring_case(s, f)) =>
                {
                    theme.vars.push((property, s.clone()))
                }
                other => self.fail(
                    &path,
                    "expected a CSS value such as \"#0b5fff\" or \"12px\" (no url())",
                    other,
                ),
            }
        }
        theme
    }

    pub(super) fn user(&mut self, value: Option<&Value>) -> User {
        let members = self.object(value, "user");
        let mut user = User::default();
        if let Some((_, v)) = members.iter().find(|(k, _)| k == "id") {
            user.id = match attribute_text(v, 200) {
                Ok(text) => text,
                Err(expected) => {
                    self.fail("user.id", &expected, v);
                    None
                }
            };
        }
        user.attributes = self.map_members(members, "user", 30, 500, false, Some("id"));
        user
    }

    pub(super) fn delivery(&mut self, value: Option<&Value>) -> Delivery {
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
                "timeoutMs",
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
            // Under the lease, so that no other tab sends the response while it is in flight.
            timeout_ms: self.integer(
                get("timeoutMs"),
                "delivery.timeoutMs",
                1000,
                (crate::delivery::LEASE_MS as i64) - 5000,
                d.timeout_ms as i64,
            ) as u32,
        }
    }
}
