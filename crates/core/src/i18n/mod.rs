//! Built-in texts per locale and locale negotiation.
//!
//! Texts are `&'static str` tables indexed by [`TextKey`], so a locale costs its
//! bytes and nothing else. A survey can override any text by its key name
//! (the `texts` config field), and the common ones through `question`,
//! `followUp.<group>` and `thankYou.<group>`.

use crate::metric::{Group, Kind};

macro_rules! text_keys {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A text the widget shows. `name()` is the key used in the `texts` config field.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum TextKey { $($variant),* }

        /// Every key, in table order.
        pub static TEXT_KEYS: &[TextKey] = &[$(TextKey::$variant),*];
        /// Their names, in the same order: a lookup in a table is a fraction of the
        /// widget's bytes that a `match` on 50 strings compiles to.
        static TEXT_KEY_NAMES: &[&str] = &[$($name),*];

        impl TextKey {
            /// The key's name in the `texts` config field.
            pub fn name(self) -> &'static str {
                TEXT_KEY_NAMES[self as usize]
            }

            /// The key named `name`, if there is one.
            pub fn parse(name: &str) -> Option<TextKey> {
                let index = TEXT_KEY_NAMES.iter().position(|n| *n == name)?;
                Some(TEXT_KEYS[index])
            }
        }
    };
}

text_keys! {
    Close = "close",
    NpsQuestion = "npsQuestion",
    NpsLow = "npsLow",
    NpsHigh = "npsHigh",
    CsatQuestion = "csatQuestion",
    Csat1 = "csat1", Csat2 = "csat2", Csat3 = "csat3", Csat4 = "csat4", Csat5 = "csat5",
    CesQuestion = "cesQuestion",
    Ces1 = "ces1", Ces2 = "ces2", Ces3 = "ces3", Ces4 = "ces4", Ces5 = "ces5", Ces6 = "ces6", Ces7 = "ces7",
    FollowUpDetractor = "followUpDetractor",
    FollowUpPassive = "followUpPassive",
    FollowUpPromoter = "followUpPromoter",
    FollowUpLow = "followUpLow",
    FollowUpNeutral = "followUpNeutral",
    FollowUpHigh = "followUpHigh",
    CommentPlaceholder = "commentPlaceholder",
    ReasonsLabel = "reasonsLabel",
    Submit = "submit",
    Required = "required",
    ThankYouDetractor = "thankYouDetractor",
    ThankYouPassive = "thankYouPassive",
    ThankYouPromoter = "thankYouPromoter",
    ThankYouLow = "thankYouLow",
    ThankYouNeutral = "thankYouNeutral",
    ThankYouHigh = "thankYouHigh",
    EnpsQuestion = "enpsQuestion",
    SurveyLabel = "surveyLabel",
    RatingQuestion = "ratingQuestion",
    Rating1 = "rating1", Rating2 = "rating2", Rating3 = "rating3", Rating4 = "rating4", Rating5 = "rating5",
    YesnoQuestion = "yesnoQuestion",
    No = "no",
    Yes = "yes",
    Back = "back",
    Progress = "progress",
    Next = "next",
}

// `progress` says "Question {n} of {total}": the widget puts in the two numbers.
const KEY_COUNT: usize = TextKey::Next as usize + 1;

#[cfg(feature = "extra-locales")]
mod packs;
#[cfg(feature = "extra-locales")]
use packs::*;

macro_rules! locales {
    ($($(#[$cfg:meta])* $variant:ident = $tag:literal, $table:ident;)*) => {
        /// A language with texts in this build. English is always built in; the other
        /// thirteen come with the `extra-locales` feature (on by default; the widget leaves
        /// it off and fetches them as packs, see [`PACKS`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Locale { $($(#[$cfg])* $variant),* }

        /// Every locale built in.
        pub static LOCALES: &[Locale] = &[$($(#[$cfg])* Locale::$variant),*];

        impl Locale {
            /// Its BCP 47 tag (`es`, `pt-BR`, `zh-CN`), as reported in the payload.
            pub fn tag(self) -> &'static str {
                match self { $($(#[$cfg])* Locale::$variant => $tag),* }
            }

            /// The built-in text for `key`.
            pub fn text(self, key: TextKey) -> &'static str {
                let table: &[&str; KEY_COUNT] = match self { $($(#[$cfg])* Locale::$variant => &$table),* };
                table[key as usize]
            }
        }
    };
}

locales! {
    En = "en", EN;
    #[cfg(feature = "extra-locales")] Es = "es", ES;
    #[cfg(feature = "extra-locales")] Pt = "pt-BR", PT;
    #[cfg(feature = "extra-locales")] Fr = "fr", FR;
    #[cfg(feature = "extra-locales")] De = "de", DE;
    #[cfg(feature = "extra-locales")] It = "it", IT;
    #[cfg(feature = "extra-locales")] Nl = "nl", NL;
    #[cfg(feature = "extra-locales")] Pl = "pl", PL;
    #[cfg(feature = "extra-locales")] Tr = "tr", TR;
    #[cfg(feature = "extra-locales")] Ja = "ja", JA;
    #[cfg(feature = "extra-locales")] Zh = "zh-CN", ZH;
    #[cfg(feature = "extra-locales")] Ko = "ko", KO;
    #[cfg(feature = "extra-locales")] Ar = "ar", AR;
    #[cfg(feature = "extra-locales")] He = "he", HE;
}

/// The languages the widget fetches as packs (`<tag>.json` next to `sondeo.js`): the
/// primary subtag a visitor's language is matched on, and the pack's tag. Portuguese is
/// Brazil's, Chinese is Simplified.
pub static PACKS: &[(&str, &str)] = &[
    ("es", "es"),
    ("pt", "pt-BR"),
    ("fr", "fr"),
    ("de", "de"),
    ("it", "it"),
    ("nl", "nl"),
    ("pl", "pl"),
    ("tr", "tr"),
    ("ja", "ja"),
    ("zh", "zh-CN"),
    ("ko", "ko"),
    ("ar", "ar"),
    ("he", "he"),
];

fn primary(tag: &str) -> &str {
    tag.trim().split(['-', '_']).next().unwrap_or("")
}

/// Whether `tag` asks for Chinese in Traditional characters (`zh-Hant`, `zh-TW`, `zh-HK`,
/// `zh-MO`): the Chinese texts are Simplified, which a reader in Taiwan or Hong Kong does not
/// expect, so negotiation passes over such a tag to the visitor's next language.
fn traditional_chinese(tag: &str) -> bool {
    let mut subtags = tag.trim().split(['-', '_']);
    if !subtags.next().is_some_and(|p| p.eq_ignore_ascii_case("zh")) {
        return false;
    }
    let mut traditional = false;
    // Up to the first singleton: `zh-CN-u-nu-hant` asks for Traditional numerals, not script.
    for subtag in subtags.take_while(|s| s.len() > 1) {
        if subtag.eq_ignore_ascii_case("hans") {
            return false;
        }
        traditional |= ["hant", "tw", "hk", "mo"]
            .iter()
            .any(|t| subtag.eq_ignore_ascii_case(t));
    }
    traditional
}

impl Locale {
    /// The locale for a language tag such as `es-MX` or `pt_BR`, matched on its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let wanted = primary(tag);
        LOCALES
            .iter()
            .copied()
            .find(|l| wanted.eq_ignore_ascii_case(primary(l.tag())))
    }
}

/// What negotiation chose: texts built in, or a pack to fetch (by its tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Texts in this build.
    BuiltIn(Locale),
    /// A pack, by tag (`fr`, `pt-BR`): English fills in until it arrives, and for any key it lacks.
    Pack(&'static str),
}

impl Language {
    /// The language's tag.
    pub fn tag(self) -> &'static str {
        match self {
            Language::BuiltIn(locale) => locale.tag(),
            Language::Pack(tag) => tag,
        }
    }
}

/// The first of `preferred` (most wanted first: the page's `lang`, then the browser's
/// languages) with built-in texts or a pack; English when none has.
pub fn negotiate_language<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Language {
    let mut traditional = false;
    preferred
        .into_iter()
        .find_map(|tag| {
            // A bare `zh` after a Traditional tag means the same (browsers in Taiwan list
            // `zh-TW, zh, en-US, en`).
            if traditional_chinese(tag) || traditional && tag.trim().eq_ignore_ascii_case("zh") {
                traditional = true;
                return None;
            }
            Locale::from_tag(tag).map(Language::BuiltIn).or_else(|| {
                // Hebrew's withdrawn code, still written by Java and older Android systems.
                let wanted = match primary(tag) {
                    old if old.eq_ignore_ascii_case("iw") => "he",
                    wanted => wanted,
                };
                PACKS
                    .iter()
                    .find(|(p, _)| wanted.eq_ignore_ascii_case(p))
                    .map(|(_, pack)| Language::Pack(pack))
            })
        })
        .unwrap_or(Language::BuiltIn(Locale::En))
}

/// The first of `preferred` that has built-in texts; English when none has.
pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
    preferred
        .into_iter()
        .find_map(Locale::from_tag)
        .unwrap_or(Locale::En)
}

/// Whether a language is written right to left (Arabic, Hebrew, Persian, Urdu…), so that
/// the survey's `dir` matches its text whatever the page's.
pub fn right_to_left(tag: &str) -> bool {
    let p = primary(tag);
    [
        "ar", "he", "iw", "fa", "ur", "yi", "ps", "ckb", "dv", "sd", "ug",
    ]
    .iter()
    .any(|r| p.eq_ignore_ascii_case(r))
}

/// The question asked by default for a kind.
pub fn question_key(kind: Kind) -> TextKey {
    kind.spec().question
}

/// The labels of the scale's two ends (lowest, highest).
pub fn end_label_keys(kind: Kind) -> (TextKey, TextKey) {
    kind.spec().ends
}

/// The label of one point of the scale, when the kind names each point
/// (CSAT and CES do; NPS points are plain numbers between its end labels).
pub fn point_label_key(kind: Kind, score: u8) -> Option<TextKey> {
    let spec = kind.spec();
    spec.point_labels
        .get(score.checked_sub(spec.min)? as usize)
        .copied()
}

/// The follow-up ("why") question for a group.
pub fn follow_up_key(group: Group) -> TextKey {
    match group {
        Group::Detractor => TextKey::FollowUpDetractor,
        Group::Passive => TextKey::FollowUpPassive,
        Group::Promoter => TextKey::FollowUpPromoter,
        Group::Low => TextKey::FollowUpLow,
        Group::Neutral => TextKey::FollowUpNeutral,
        Group::High => TextKey::FollowUpHigh,
    }
}

/// The thank-you message for a group.
pub fn thank_you_key(group: Group) -> TextKey {
    match group {
        Group::Detractor => TextKey::ThankYouDetractor,
        Group::Passive => TextKey::ThankYouPassive,
        Group::Promoter => TextKey::ThankYouPromoter,
        Group::Low => TextKey::ThankYouLow,
        Group::Neutral => TextKey::ThankYouNeutral,
        Group::High => TextKey::ThankYouHigh,
    }
}

static EN: [&str; KEY_COUNT] = [
    "Close",
    "How likely are you to recommend us to a friend or colleague?",
    "Not at all likely",
    "Extremely likely",
    "How satisfied are you with your experience?",
    "Very dissatisfied",
    "Dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Satisfied",
    "Very satisfied",
    "The company made it easy for me to handle my issue.",
    "Strongly disagree",
    "Disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Agree",
    "Strongly agree",
    "We're sorry to hear that. What went wrong?",
    "Thanks. What would have made it better?",
    "Great to hear! What did we do well?",
    "We're sorry to hear that. What went wrong?",
    "What could we have done better?",
    "Glad to hear it! What did we do well?",
    "Tell us in your own words",
    "What was it about?",
    "Send",
    "Please write a few words before sending.",
    "Thank you. We're sorry we let you down, and we'll use this to do better.",
    "Thank you for your feedback.",
    "Thank you! We're glad you're happy with us.",
    "Thank you. We're sorry, and we'll use this to do better.",
    "Thank you for your feedback.",
    "Thank you! We're glad it went well.",
    "How likely are you to recommend us as a place to work?",
    "Survey",
    "How would you rate your experience?",
    "Very poor",
    "Poor",
    "Fair",
    "Good",
    "Excellent",
    "Was your issue resolved?",
    "No",
    "Yes",
    "Back",
    "Question {n} of {total}",
    "Next",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_chinese_is_not_given_the_simplified_texts() {
        let tag = |preferred: &[&str]| negotiate_language(preferred.iter().copied()).tag();
        assert_eq!(tag(&["zh-TW"]), "en");
        assert_eq!(tag(&["zh-Hant", "ja"]), "ja");
        assert_eq!(tag(&["ZH_hk", "zh-mo", "fr"]), "fr");
        // Browsers in Taiwan list a bare `zh` after `zh-TW`: it is Traditional there.
        assert_eq!(tag(&["zh-TW", "zh", "en-US"]), "en");
        // Simplified asked for by name, or a bare `zh` on its own, gets the Chinese texts.
        assert_eq!(tag(&["zh-HK", "zh-CN"]), "zh-CN");
        assert_eq!(tag(&["zh-Hans-HK"]), "zh-CN");
        assert_eq!(tag(&["zh"]), "zh-CN");
        assert_eq!(tag(&["zh-SG"]), "zh-CN");
        assert_eq!(tag(&["zh-CN-u-nu-hant"]), "zh-CN");
    }

    #[cfg(feature = "extra-locales")]
    #[test]
    fn negotiation_takes_the_first_supported_language_by_primary_subtag() {
        assert_eq!(negotiate(["es-MX", "en"]), Locale::Es);
        assert_eq!(negotiate(["xx", "yy"]), Locale::En);
        assert_eq!(negotiate([]), Locale::En);
        assert_eq!(negotiate(["", "ES"]), Locale::Es);
    }

    #[cfg(feature = "extra-locales")]
    #[test]
    fn extra_locales_are_negotiated_when_built_in() {
        assert_eq!(negotiate(["xx", "pt_PT"]), Locale::Pt);
        assert_eq!(negotiate(["", "DE-at"]), Locale::De);
        assert_eq!(Locale::Pt.tag(), "pt-BR");
        assert_eq!(
            negotiate_language(["zh-Hans-CN"]),
            Language::BuiltIn(Locale::Zh)
        );
    }

    #[cfg(not(feature = "extra-locales"))]
    #[test]
    fn without_extra_locales_french_is_a_pack() {
        assert_eq!(negotiate(["fr-FR", "de"]), Locale::En);
        assert_eq!(
            negotiate_language(["xx", "fr-FR", "es"]),
            Language::Pack("fr")
        );
        assert_eq!(negotiate_language(["pt-PT"]), Language::Pack("pt-BR"));
        assert_eq!(negotiate_language(["es-MX", "fr"]), Language::Pack("es"));
        assert_eq!(negotiate_language(["xx"]), Language::BuiltIn(Locale::En));
        // Hebrew under its withdrawn code (Java's `Locale`, older Android).
        assert_eq!(negotiate_language(["iw-IL"]), Language::Pack("he"));
        assert!(right_to_left("iw"));
    }

    #[test]
    fn every_pack_language_has_a_table_when_built_in_and_rtl_ones_are_known() {
        for (primary_tag, tag) in PACKS {
            assert!(tag.starts_with(primary_tag));
            #[cfg(feature = "extra-locales")]
            assert_eq!(Locale::from_tag(tag).map(Locale::tag), Some(*tag));
        }
        assert!(right_to_left("ar") && right_to_left("he-IL") && right_to_left("FA"));
        assert!(!right_to_left("en") && !right_to_left("hr") && !right_to_left(""));
    }

    #[test]
    fn every_key_round_trips_through_its_name_and_has_text_in_every_locale() {
        assert_eq!(TEXT_KEYS.len(), KEY_COUNT);
        for (index, key) in TEXT_KEYS.iter().enumerate() {
            assert_eq!(*key as usize, index);
            assert_eq!(TextKey::parse(key.name()), Some(*key));
            for locale in LOCALES {
                assert!(
                    !locale.text(*key).trim().is_empty(),
                    "{:?} {}",
                    locale,
                    key.name()
                );
            }
        }
        assert_eq!(TextKey::parse("nope"), None);
    }

    #[cfg(feature = "extra-locales")]
    #[test]
    fn spanish_asks_a_detractor_what_went_wrong() {
        assert_eq!(
            Locale::Es.text(follow_up_key(Group::Detractor)),
            "Lamentamos oír eso. ¿Qué salió mal?"
        );
        assert_eq!(
            Locale::En.text(follow_up_key(Group::Promoter)),
            "Great to hear! What did we do well?"
        );
    }

    #[test]
    fn scale_points_have_labels_where_the_kind_names_them() {
        assert_eq!(point_label_key(Kind::Nps, 5), None);
        assert_eq!(point_label_key(Kind::Csat, 1), Some(TextKey::Csat1));
        assert_eq!(point_label_key(Kind::Csat, 6), None);
        assert_eq!(point_label_key(Kind::Ces, 7), Some(TextKey::Ces7));
        assert_eq!(point_label_key(Kind::Ces, 0), None);
    }
}
