//! The survey config's types and their defaults.

use crate::i18n::TextKey;
use crate::metric::Kind;

impl Config {
    /// A time as it is sent: an anonymous survey sends the day only (a minute could be
    /// matched to who was at their desk).
    pub fn sent_time(&self, time: &str) -> String {
        if self.anonymous {
            crate::text::concat(&[time.get(..10).unwrap_or(""), "T00:00:00.000Z"])
        } else {
            time.to_owned()
        }
    }
}

/// The metadata an anonymous survey may send: groups large enough not to name anyone.
pub static ANONYMOUS_METADATA: [&str; 2] = ["team", "location"];

/// Longest comment a survey may allow (`followUp.maxLength`), and what the collector accepts.
pub const MAX_COMMENT_LENGTH: u32 = 5000;

/// A validated survey config. Every field but `kind` and `endpoint` has a default.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Survey id, sent as `surveyId`; defaults to the kind's name.
    pub id: String,
    /// `consent: "required"`: store nothing in the browser until the site consents.
    pub consent_required: bool,
    /// `impressions: true`: post a display record when the prompt first shows, so that
    /// response rates can be known.
    pub impressions: bool,
    /// `anonymous: true` (an employee pulse): no user, no page, metadata only from
    /// [`ANONYMOUS_METADATA`], times rounded to the day.
    pub anonymous: bool,
    /// The response's id, when the page decides it (one response per ticket, kept across
    /// reloads and clicks); else a random UUID is made when the prompt first shows.
    pub response_id: Option<String>,
    /// The first question's kind: the response's top-level `kind` (a display record's too).
    pub kind: Kind,
    /// The questions, asked one after the other: one for a single-question survey (from
    /// the top-level `kind`, `question` and `scale`), 2–5 from `questions` (a
    /// transactional survey: satisfaction, resolution, the agent).
    pub questions: Vec<Question>,
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
    /// Whom to ask, where, when and how often (sampling, page rules, fatigue).
    pub targeting: Targeting,
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

impl Config {
    /// Whether the survey asks several questions (and posts payload schema 2).
    pub fn multiple_questions(&self) -> bool {
        self.questions.len() > 1
    }
}

/// Most questions one survey may ask: a transactional survey stays short.
pub const MAX_QUESTIONS: usize = 5;

/// One question of a survey.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The answer's `key` in payload schema 2 (`resolved`, `agent`); a single question's
    /// is its kind's name.
    pub key: String,
    /// Its kind, which gives the scale.
    pub kind: Kind,
    /// Its wording; `None` uses the locale's standard wording for the kind.
    pub text: Option<String>,
    /// How its scale's points are drawn.
    pub scale: ScaleStyle,
}

/// How the points of the scale are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStyle {
    /// Numbered buttons.
    Numbers,
    /// Five stars (CSAT, rating).
    Stars,
    /// Five faces (CSAT).
    Emoji,
    /// Each point's label as its button (yes/no).
    Words,
}

impl ScaleStyle {
    /// The style named `name` in the config.
    pub fn parse(name: &str) -> Option<ScaleStyle> {
        match name {
            "numbers" => Some(ScaleStyle::Numbers),
            "stars" => Some(ScaleStyle::Stars),
            "emoji" => Some(ScaleStyle::Emoji),
            "words" => Some(ScaleStyle::Words),
            _ => None,
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
    /// With several questions, the one whose answer the wording follows (its index, from
    /// `followUp.after: "<key>"`); `None`: the one answered worst.
    pub after: Option<usize>,
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
    /// A modal or slide-in closes this long after the thank-you shows (0: stays open).
    /// Inline cards stay.
    pub close_after_ms: u32,
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

/// Whom to ask, where and how often; applied by [`crate::targeting::decide`] whenever a
/// trigger fires. Only `show()` and `force` bypass it.
#[derive(Debug, Clone, PartialEq)]
pub struct Targeting {
    /// Share of visitors who are asked, 0–1, drawn once per visitor.
    pub sample: f64,
    /// After answering, days before the same browser is asked again.
    pub recontact_days: u32,
    /// After closing without answering, days before the prompt shows again.
    pub dismiss_days: u32,
    /// Times the prompt may show itself to one visitor (0: no limit).
    pub max_displays: u32,
    /// Days after any sondeo prompt showed itself during which this one does not.
    pub global_cooldown_days: u32,
    /// Page views (across pages and sessions) before the prompt may show.
    pub after_page_views: u32,
    /// Sessions (30 minutes without a page view ends one) before the prompt may show.
    pub after_sessions: u32,
    /// Seconds into the visitor's session before the prompt may show.
    pub after_seconds: u32,
    /// Page patterns the prompt may show on (empty: every page).
    pub show_on: Vec<String>,
    /// Page patterns it never shows on.
    pub hide_on: Vec<String>,
    /// Ignore every rule (a preview for the site's own testing).
    pub force: bool,
}

impl Default for Targeting {
    fn default() -> Targeting {
        Targeting {
            sample: 1.0,
            recontact_days: 0,
            dismiss_days: 0,
            max_displays: 0,
            global_cooldown_days: 0,
            after_page_views: 0,
            after_sessions: 0,
            after_seconds: 0,
            show_on: Vec::new(),
            hide_on: Vec::new(),
            force: false,
        }
    }
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
    /// How long one attempt may wait for the endpoint's answer before it counts as failed
    /// (and is retried): an endpoint, or a proxy before it, that takes the request and never
    /// answers would otherwise hold the response in flight until the page closes.
    pub timeout_ms: u32,
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
            timeout_ms: 20_000,
        }
    }
}
