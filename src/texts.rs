//! The texts a survey shows: the config's own wording first, then `texts`
//! overrides, then the negotiated locale's built-in table.

use sondeo_core::i18n::{self, Locale, TextKey};
use sondeo_core::survey::Config;
use sondeo_core::Group;

/// Resolved texts for one survey.
pub struct Texts {
    /// The locale whose built-in texts fill what `texts` does not override.
    pub locale: Locale,
    /// The language tag reported in the payload and set as `lang`: the built-in
    /// locale's, or an explicit tag without built-in texts (whose texts the page
    /// passes in `texts`, e.g. `locale: "fr"` with French overrides).
    pub tag: String,
    overrides: Vec<(TextKey, String)>,
}

impl Texts {
    /// Texts for `config`, negotiating `auto` from the page's `lang` and the browser's languages.
    pub fn new(config: &Config) -> Texts {
        let explicit = Some(config.locale.as_str()).filter(|l| *l != "auto");
        let locale = if explicit.is_none() {
            let mut preferred: Vec<String> = Vec::new();
            if let Some(lang) = crate::dom::document()
                .document_element()
                .map(|e| e.get_attribute("lang").unwrap_or_default())
            {
                preferred.push(lang);
            }
            if let Some(window) = web_sys::window() {
                for lang in window.navigator().languages().iter() {
                    if let Some(l) = lang.as_string() {
                        preferred.push(l);
                    }
                }
            }
            i18n::negotiate(preferred.iter().map(String::as_str))
        } else {
            i18n::negotiate([config.locale.as_str()])
        };
        let tag = match explicit {
            Some(tag) if Locale::from_tag(tag).is_none() => tag.to_owned(),
            _ => locale.tag().to_owned(),
        };
        Texts {
            locale,
            tag,
            overrides: config.texts.clone(),
        }
    }

    /// The text for `key`.
    pub fn get(&self, key: TextKey) -> &str {
        match self.overrides.iter().find(|(k, _)| *k == key) {
            Some((_, text)) => text,
            None => self.locale.text(key),
        }
    }

    /// The question, from the config or the kind's standard wording.
    pub fn question<'a>(&'a self, config: &'a Config) -> &'a str {
        config
            .question
            .as_deref()
            .unwrap_or_else(|| self.get(i18n::question_key(config.kind)))
    }

    /// The follow-up question for `group`.
    pub fn follow_up<'a>(&'a self, config: &'a Config, group: Group) -> &'a str {
        config.follow_up.texts[group.tier()]
            .as_deref()
            .unwrap_or_else(|| self.get(i18n::follow_up_key(group)))
    }

    /// The thank-you message for `group`.
    pub fn thank_you<'a>(&'a self, config: &'a Config, group: Group) -> &'a str {
        config.thank_you.texts[group.tier()]
            .as_deref()
            .unwrap_or_else(|| self.get(i18n::thank_you_key(group)))
    }
}
