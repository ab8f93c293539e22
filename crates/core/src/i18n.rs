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
        pub const TEXT_KEYS: &[TextKey] = &[$(TextKey::$variant),*];

        impl TextKey {
            /// The key's name in the `texts` config field.
            pub fn name(self) -> &'static str {
                match self { $(TextKey::$variant => $name),* }
            }

            /// The key named `name`, if there is one.
            pub fn parse(name: &str) -> Option<TextKey> {
                match name { $($name => Some(TextKey::$variant),)* _ => None }
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
}

const KEY_COUNT: usize = TextKey::ThankYouHigh as usize + 1;

/// A locale with built-in texts. English and Spanish are always built in; French,
/// German and Portuguese come with the `extra-locales` feature (on by default; the
/// widget leaves it off to stay within its size budget, and pages pass those texts
/// through the `texts` config field instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// English.
    En,
    /// Spanish.
    Es,
    /// French.
    #[cfg(feature = "extra-locales")]
    Fr,
    /// German.
    #[cfg(feature = "extra-locales")]
    De,
    /// Portuguese.
    #[cfg(feature = "extra-locales")]
    Pt,
}

/// Every built-in locale.
#[cfg(feature = "extra-locales")]
pub const LOCALES: &[Locale] = &[Locale::En, Locale::Es, Locale::Fr, Locale::De, Locale::Pt];
/// Every built-in locale.
#[cfg(not(feature = "extra-locales"))]
pub const LOCALES: &[Locale] = &[Locale::En, Locale::Es];

impl Locale {
    /// The BCP 47 primary language subtag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            #[cfg(feature = "extra-locales")]
            Locale::Fr => "fr",
            #[cfg(feature = "extra-locales")]
            Locale::De => "de",
            #[cfg(feature = "extra-locales")]
            Locale::Pt => "pt",
        }
    }

    /// The locale for a language tag such as `es-MX` or `pt_BR`, matched on its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        LOCALES
            .iter()
            .copied()
            .find(|l| primary.eq_ignore_ascii_case(l.tag()))
    }

    /// The built-in text for `key`.
    pub fn text(self, key: TextKey) -> &'static str {
        let table = match self {
            Locale::En => &EN,
            Locale::Es => &ES,
            #[cfg(feature = "extra-locales")]
            Locale::Fr => &FR,
            #[cfg(feature = "extra-locales")]
            Locale::De => &DE,
            #[cfg(feature = "extra-locales")]
            Locale::Pt => &PT,
        };
        table[key as usize]
    }
}

/// The first of `preferred` (most wanted first: the page's `lang`, then the
/// browser's languages) that has built-in texts; English when none has.
pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
    preferred
        .into_iter()
        .find_map(Locale::from_tag)
        .unwrap_or(Locale::En)
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

const EN: [&str; KEY_COUNT] = [
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
];

const ES: [&str; KEY_COUNT] = [
    "Cerrar",
    "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
    "Nada probable",
    "Muy probable",
    "¿Qué tan satisfecho está con su experiencia?",
    "Muy insatisfecho",
    "Insatisfecho",
    "Ni satisfecho ni insatisfecho",
    "Satisfecho",
    "Muy satisfecho",
    "La empresa me facilitó resolver mi problema.",
    "Totalmente en desacuerdo",
    "En desacuerdo",
    "Algo en desacuerdo",
    "Ni de acuerdo ni en desacuerdo",
    "Algo de acuerdo",
    "De acuerdo",
    "Totalmente de acuerdo",
    "Lamentamos oír eso. ¿Qué salió mal?",
    "Gracias. ¿Qué lo habría hecho mejor?",
    "¡Qué bien! ¿Qué hicimos bien?",
    "Lamentamos oír eso. ¿Qué salió mal?",
    "¿Qué podríamos haber hecho mejor?",
    "¡Nos alegra! ¿Qué hicimos bien?",
    "Cuéntenos con sus propias palabras",
    "¿De qué se trata?",
    "Enviar",
    "Escriba unas palabras antes de enviar.",
    "Gracias. Sentimos haberle fallado y lo usaremos para mejorar.",
    "Gracias por su opinión.",
    "¡Gracias! Nos alegra que esté contento con nosotros.",
    "Gracias. Lo sentimos y lo usaremos para mejorar.",
    "Gracias por su opinión.",
    "¡Gracias! Nos alegra que todo haya ido bien.",
];

#[cfg(feature = "extra-locales")]
const FR: [&str; KEY_COUNT] = [
    "Fermer",
    "Quelle est la probabilité que vous nous recommandiez à un ami ou un collègue ?",
    "Pas du tout probable",
    "Très probable",
    "Êtes-vous satisfait de votre expérience ?",
    "Très insatisfait",
    "Insatisfait",
    "Ni satisfait ni insatisfait",
    "Satisfait",
    "Très satisfait",
    "L'entreprise m'a facilité la résolution de mon problème.",
    "Pas du tout d'accord",
    "Pas d'accord",
    "Plutôt pas d'accord",
    "Ni d'accord ni pas d'accord",
    "Plutôt d'accord",
    "D'accord",
    "Tout à fait d'accord",
    "Nous en sommes désolés. Qu'est-ce qui n'a pas fonctionné ?",
    "Merci. Qu'est-ce qui aurait pu être mieux ?",
    "Super ! Qu'avons-nous bien fait ?",
    "Nous en sommes désolés. Qu'est-ce qui n'a pas fonctionné ?",
    "Qu'aurions-nous pu mieux faire ?",
    "Ravis de l'entendre ! Qu'avons-nous bien fait ?",
    "Dites-le avec vos mots",
    "De quoi s'agit-il ?",
    "Envoyer",
    "Écrivez quelques mots avant d'envoyer.",
    "Merci. Nous sommes désolés de vous avoir déçu et nous allons nous améliorer.",
    "Merci pour votre avis.",
    "Merci ! Nous sommes ravis que vous soyez satisfait.",
    "Merci. Nous en sommes désolés et nous allons nous améliorer.",
    "Merci pour votre avis.",
    "Merci ! Ravis que tout se soit bien passé.",
];

#[cfg(feature = "extra-locales")]
const DE: [&str; KEY_COUNT] = [
    "Schließen",
    "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?",
    "Sehr unwahrscheinlich",
    "Sehr wahrscheinlich",
    "Wie zufrieden sind Sie mit Ihrer Erfahrung?",
    "Sehr unzufrieden",
    "Unzufrieden",
    "Weder zufrieden noch unzufrieden",
    "Zufrieden",
    "Sehr zufrieden",
    "Das Unternehmen hat es mir leicht gemacht, mein Anliegen zu lösen.",
    "Stimme überhaupt nicht zu",
    "Stimme nicht zu",
    "Stimme eher nicht zu",
    "Weder noch",
    "Stimme eher zu",
    "Stimme zu",
    "Stimme voll und ganz zu",
    "Das tut uns leid. Was ist schiefgelaufen?",
    "Danke. Was hätten wir besser machen können?",
    "Super! Was hat Ihnen gefallen?",
    "Das tut uns leid. Was ist schiefgelaufen?",
    "Was hätten wir besser machen können?",
    "Das freut uns! Was hat Ihnen gefallen?",
    "Mit Ihren eigenen Worten",
    "Worum ging es?",
    "Senden",
    "Bitte schreiben Sie ein paar Worte, bevor Sie senden.",
    "Danke. Es tut uns leid, dass wir Sie enttäuscht haben; wir werden uns verbessern.",
    "Danke für Ihr Feedback.",
    "Danke! Schön, dass Sie zufrieden sind.",
    "Danke. Es tut uns leid; wir werden uns verbessern.",
    "Danke für Ihr Feedback.",
    "Danke! Schön, dass alles gut lief.",
];

#[cfg(feature = "extra-locales")]
const PT: [&str; KEY_COUNT] = [
    "Fechar",
    "Qual a probabilidade de você nos recomendar a um amigo ou colega?",
    "Nada provável",
    "Muito provável",
    "Quão satisfeito você está com a sua experiência?",
    "Muito insatisfeito",
    "Insatisfeito",
    "Nem satisfeito nem insatisfeito",
    "Satisfeito",
    "Muito satisfeito",
    "A empresa facilitou a resolução do meu problema.",
    "Discordo totalmente",
    "Discordo",
    "Discordo em parte",
    "Nem concordo nem discordo",
    "Concordo em parte",
    "Concordo",
    "Concordo totalmente",
    "Lamentamos. O que deu errado?",
    "Obrigado. O que teria tornado tudo melhor?",
    "Que bom! O que fizemos bem?",
    "Lamentamos. O que deu errado?",
    "O que poderíamos ter feito melhor?",
    "Que bom! O que fizemos bem?",
    "Conte com suas palavras",
    "Sobre o que foi?",
    "Enviar",
    "Escreva algumas palavras antes de enviar.",
    "Obrigado. Lamentamos ter decepcionado você e vamos usar isso para melhorar.",
    "Obrigado pela sua opinião.",
    "Obrigado! Ficamos felizes por você estar satisfeito.",
    "Obrigado. Lamentamos e vamos usar isso para melhorar.",
    "Obrigado pela sua opinião.",
    "Obrigado! Que bom que tudo correu bem.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_takes_the_first_supported_language_by_primary_subtag() {
        assert_eq!(negotiate(["es-MX", "en"]), Locale::Es);
        assert_eq!(negotiate(["ja", "zh"]), Locale::En);
        assert_eq!(negotiate([]), Locale::En);
        assert_eq!(negotiate(["", "ES"]), Locale::Es);
    }

    #[cfg(feature = "extra-locales")]
    #[test]
    fn extra_locales_are_negotiated_when_built_in() {
        assert_eq!(negotiate(["ja", "pt_BR"]), Locale::Pt);
        assert_eq!(negotiate(["", "DE-at"]), Locale::De);
    }

    #[cfg(not(feature = "extra-locales"))]
    #[test]
    fn without_extra_locales_french_falls_back_to_english() {
        assert_eq!(negotiate(["fr-FR", "de"]), Locale::En);
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
