//! The texts a survey shows: the config's own wording first, then `texts` overrides,
//! then the language's pack (fetched, for the twelve languages not built in), then the
//! built-in English table.

use sondeo_core::i18n::{self, Language, Locale, TextKey};
use sondeo_core::survey::{Config, Question};
use sondeo_core::Group;

static LOCALES_URL: crate::page::PageLocal<std::cell::RefCell<String>> =
    crate::page::PageLocal::new(std::cell::RefCell::new(String::new()));

/// Remembers the folder the language packs are fetched from (`locales/` beside
/// `sondeo.js`, resolved by the browser in `element.js`).
pub fn set_locales_url(url: String) {
    LOCALES_URL.with(|u| *u.borrow_mut() = url);
}

/// The address of the pack `tag`.
pub fn pack_url(tag: &str) -> String {
    let mut url = LOCALES_URL.with(|u| u.borrow().clone());
    url.push_str(tag);
    url.push_str(".json");
    url
}

/// Resolved texts for one survey.
pub struct Texts {
    /// The built-in texts under the pack and the overrides (English for a pack language).
    pub locale: Locale,
    /// The language tag reported in the payload and set as `lang`: the negotiated
    /// language's (a pack's once it is in), or an explicit tag with neither texts nor a pack (whose texts the page
    /// passes in `texts`, e.g. `locale: "sv"` with Swedish overrides).
    pub tag: String,
    /// The pack to fetch, by tag, until it has arrived.
    pub pack: Option<&'static str>,
    overrides: Vec<(TextKey, String)>,
    packed: Vec<(TextKey, String)>,
}

impl Texts {
    /// Texts for `config`, negotiating `auto` from the page's `lang` and the browser's
    /// languages; `overrides` are the config's `texts` (moved here, not copied).
    pub fn new(config: &Config, overrides: Vec<(TextKey, String)>) -> Texts {
        let explicit = Some(config.locale.as_str()).filter(|l| *l != "auto");
        let mut preferred: Vec<String> = Vec::new();
        match explicit {
            Some(tag) => preferred.push(tag.to_owned()),
            None => {
                if let Some(root) = crate::dom::object_property::<web_sys::Element>(
                    &crate::dom::document(),
                    "documentElement",
                ) {
                    preferred.push(root.get_attribute("lang").unwrap_or_default());
                }
                let navigator = crate::dom::property(&crate::page::window(), "navigator");
                let languages = navigator
                    .and_then(|n| crate::dom::object_property::<js_sys::Array>(&n, "languages"));
                for lang in languages.iter().flat_map(js_sys::Array::iter) {
                    if let Some(l) = lang.as_string() {
                        preferred.push(l);
                    }
                }
            }
        }
        let language = i18n::negotiate_language(preferred.iter().map(String::as_str));
        let (locale, pack) = match language {
            Language::BuiltIn(locale) => (locale, None),
            Language::Pack(tag) => (Locale::En, Some(tag)),
        };
        // Words of the site's own (in `texts` or a question), shown whatever the packs do.
        let own_words = !overrides.is_empty() || config.questions.iter().any(|q| q.text.is_some());
        let tag = match explicit {
            Some(tag)
                if language == Language::BuiltIn(Locale::En) && Locale::from_tag(tag).is_none() =>
            {
                // The site's own language (`locale: "sv"`), whose words it gives in `texts` or
                // the question. Without any (or a `zh-TW` the Simplified pack does not serve),
                // the card is English, and its `lang` says so.
                if !own_words {
                    let mut message = String::from("sondeo: locale \"");
                    message.push_str(tag);
                    message.push_str(
                        "\" has no texts here; English is shown (give its words in texts)",
                    );
                    crate::page::warn(&message);
                    String::from("en")
                } else {
                    tag.to_owned()
                }
            }
            // A pack's language once its pack is in (`add_pack`): until then, and for good if
            // it never comes, the card shows English and says so (`lang`, `dir`, the payload),
            // unless it shows the site's own words in that language.
            _ if pack.is_some() && !own_words => String::from("en"),
            _ => language.tag().to_owned(),
        };
        Texts {
            locale,
            tag,
            pack,
            overrides,
            packed: Vec::new(),
        }
    }

    /// Takes in the pack's texts; says in the console which keys it lacks (English shows for them).
    pub fn add_pack(&mut self, texts: Vec<(TextKey, String)>) {
        let tag = self.pack.unwrap_or_default();
        for key in i18n::TEXT_KEYS {
            if !texts.iter().any(|(k, _)| k == key) {
                let mut message = String::from("sondeo: the ");
                message.push_str(tag);
                message.push_str(" pack has no text for ");
                message.push_str(key.name());
                message.push_str("; English is shown");
                crate::page::warn(&message);
            }
        }
        self.packed = texts;
        if let Some(tag) = self.pack.take() {
            self.tag = tag.to_owned();
        }
    }

    /// Whether the language is written right to left.
    pub fn right_to_left(&self) -> bool {
        i18n::right_to_left(&self.tag)
    }

    /// The text for `key`.
    pub fn get(&self, key: TextKey) -> &str {
        match self
            .overrides
            .iter()
            .chain(&self.packed)
            .find(|(k, _)| *k == key)
        {
            Some((_, text)) => text,
            None => self.locale.text(key),
        }
    }

    /// A question's wording, from the config or its kind's standard wording.
    pub fn question<'a>(&'a self, question: &'a Question) -> &'a str {
        question
            .text
            .as_deref()
            .unwrap_or_else(|| self.get(i18n::question_key(question.kind)))
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
