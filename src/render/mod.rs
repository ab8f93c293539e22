//! Draws the survey inside its shadow root, and only draws: the controller in
//! `survey.rs` decides what is shown when. Every node is built one by one and
//! every text is set as text.

mod scale;

use crate::dom::{append, button, element, set, text_element};
use crate::texts::Texts;
use sondeo_core::i18n::TextKey;
use sondeo_core::survey::{Config, DisplayMode};
use sondeo_core::text::push_int;
use web_sys::{HtmlElement, ShadowRoot};

/// The nodes the controller updates.
pub struct View {
    /// The card: the dialog or region that holds everything.
    pub card: HtmlElement,
    /// Question, scale and follow-up: hidden once the thank-you shows.
    pub ask: HtmlElement,
    /// The question being asked, with its scale (and, with several, progress and Back):
    /// drawn again by [`question`] for each question.
    pub step: HtmlElement,
    /// One radio per point of the scale being asked, lowest first.
    pub radios: Vec<HtmlElement>,
    /// Next, before the last question (shown once it has an answer): Tab reaches it after
    /// arrows chose a point.
    pub next: Option<HtmlElement>,
    /// The follow-up block, hidden until a score is chosen.
    pub follow_up: HtmlElement,
    /// The follow-up question (its text depends on the group).
    pub follow_up_question: HtmlElement,
    /// Reason chips, in config order.
    pub chips: Vec<HtmlElement>,
    /// The comment box.
    pub comment: HtmlElement,
    /// The validation message (role=alert).
    pub error: HtmlElement,
    /// The thank-you message (role=status, present from the start so it is announced).
    pub thanks: HtmlElement,
    /// The promoter link, shown with the thank-you for the best group only.
    pub link: Option<HtmlElement>,
    /// A status only screen readers hear: a slide-in that appears by itself says so here.
    pub announce: HtmlElement,
}

/// Draws question `index` into `step` (emptied first) and returns its radios and its
/// Next button: with several questions, "Question 2 of 3" (which names the scale with the
/// question, so a screen reader says both), Back after the first, Next before the last.
pub fn question(
    step: &HtmlElement,
    config: &Config,
    texts: &Texts,
    index: usize,
) -> (Vec<HtmlElement>, Option<HtmlElement>) {
    step.set_text_content(None);
    let Some(asked) = config.questions.get(index) else {
        return (Vec::new(), None);
    };
    let count = config.questions.len();
    let mut labelled_by = "q";
    if count > 1 {
        let mut n = String::new();
        push_int(&mut n, index as i64 + 1);
        let mut total = String::new();
        push_int(&mut total, count as i64);
        let progress = text_element("p", "pg", &fill(texts.get(TextKey::Progress), &n, &total));
        set(&progress, "id", "pg");
        append(step, &progress);
        labelled_by = "pg q";
    }
    let text = text_element("p", "q", texts.question(asked));
    set(&text, "id", "q");
    append(step, &text);
    let radios = scale::build(step, asked, texts, labelled_by);
    if index > 0 {
        button(step, "back", texts.get(TextKey::Back), "back");
    }
    // Shown once the question has an answer (see `Survey::mark`).
    let next = (index + 1 < count).then(|| button(step, "back", texts.get(TextKey::Next), "next"));
    if let Some(next) = &next {
        next.set_hidden(true);
    }
    (radios, next)
}

/// `template` with `{n}` and `{total}` put in (split on `{`: `str::replace` would bring a
/// substring searcher into the widget).
fn fill(template: &str, n: &str, total: &str) -> String {
    let mut out = String::new();
    for (i, part) in template.split('{').enumerate() {
        if i > 0 {
            let (value, rest) = match (part.strip_prefix("n}"), part.strip_prefix("total}")) {
                (Some(rest), _) => (n, rest),
                (_, Some(rest)) => (total, rest),
                _ => ("{", part),
            };
            out.push_str(value);
            out.push_str(rest);
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Builds the whole survey into `root`, hidden parts included (showing is then a toggle,
/// which keeps `show()` well under a frame).
pub fn build(root: &ShadowRoot, config: &Config, texts: &Texts) -> View {
    let wrap = element("div", "wrap");
    if config.display.mode == DisplayMode::Modal {
        let backdrop = element("div", "backdrop");
        set(&backdrop, "data-action", "backdrop");
        append(&backdrop, &wrap);
        let _ = root.append_child(&backdrop);
    } else {
        let _ = root.append_child(&wrap);
    }

    let card = element("section", "card");
    // The card's language and direction are its text's, whatever the page's.
    set(&card, "lang", &texts.tag);
    set(
        &card,
        "dir",
        if texts.right_to_left() { "rtl" } else { "ltr" },
    );
    set(&card, "aria-labelledby", "q");
    match config.display.mode {
        DisplayMode::Modal => {
            set(&card, "role", "dialog");
            set(&card, "aria-modal", "true");
        }
        DisplayMode::SlideIn => set(&card, "role", "dialog"),
        DisplayMode::Inline => set(&card, "role", "region"),
    }
    append(&wrap, &card);

    let close = button(&card, "close", "×", "close");
    set(&close, "aria-label", texts.get(TextKey::Close));

    let ask = element("div", "ask");
    append(&card, &ask);
    let step = element("div", "");
    append(&ask, &step);
    let (radios, next) = question(&step, config, texts, 0);

    let follow_up = element("div", "fu");
    follow_up.set_hidden(true);
    append(&ask, &follow_up);
    let follow_up_question = element("label", "fq");
    set(&follow_up_question, "id", "fq");
    set(&follow_up_question, "for", "comment");
    // Its own text, said when it appears or changes with the answer's group: a copy in
    // `announce` would put the question in the card twice.
    set(&follow_up_question, "aria-live", "polite");
    append(&follow_up, &follow_up_question);

    let mut chips = Vec::with_capacity(config.reasons.options.len());
    if !config.reasons.options.is_empty() {
        let label_text = config
            .reasons
            .label
            .as_deref()
            .unwrap_or_else(|| texts.get(TextKey::ReasonsLabel));
        let label = text_element("p", "chips-label", label_text);
        set(&label, "id", "rl");
        append(&follow_up, &label);
        let group = element("div", "chips");
        set(&group, "role", "group");
        set(&group, "aria-labelledby", "rl");
        append(&follow_up, &group);
        for option in &config.reasons.options {
            let chip = button(&group, "chip", option, "reason");
            set(&chip, "aria-pressed", "false");
            chips.push(chip);
        }
    }

    // Attributes, not the element's setters: each setter is an import of its own.
    let comment = element("textarea", "");
    set(&comment, "id", "comment");
    let mut max_length = String::new();
    push_int(&mut max_length, config.follow_up.max_length.into());
    set(&comment, "maxlength", &max_length);
    set(&comment, "rows", "3");
    let placeholder = config
        .follow_up
        .placeholder
        .as_deref()
        .unwrap_or_else(|| texts.get(TextKey::CommentPlaceholder));
    set(&comment, "placeholder", placeholder);
    set(&comment, "aria-describedby", "err");
    if config.follow_up.required {
        set(&comment, "aria-required", "true");
    }
    append(&follow_up, &comment);
    let error = element("p", "err");
    set(&error, "id", "err");
    set(&error, "role", "alert");
    append(&follow_up, &error);
    let row = element("div", "row");
    append(&follow_up, &row);
    button(&row, "send", texts.get(TextKey::Submit), "submit");

    let thanks = element("p", "thanks");
    set(&thanks, "role", "status");
    set(&thanks, "tabindex", "-1");
    append(&card, &thanks);
    let link = config.thank_you.link.as_ref().map(|link| {
        let a = text_element("a", "link", &link.text);
        set(&a, "href", &link.url);
        set(&a, "target", "_blank");
        set(&a, "rel", "noopener noreferrer");
        a.set_hidden(true);
        append(&card, &a);
        a
    });

    // A live region without the status role: the thank-you is the survey's one status.
    let announce = element("p", "vh");
    set(&announce, "aria-live", "polite");
    append(&wrap, &announce);

    View {
        announce,
        card,
        ask,
        step,
        radios,
        next,
        follow_up,
        follow_up_question,
        chips,
        comment,
        error,
        thanks,
        link,
    }
}
