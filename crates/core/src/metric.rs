//! The survey kinds, their scales and their groups: one table ([`SPECS`]).
//!
//! NPS: 0–10; detractors 0–6, passives 7–8, promoters 9–10 (Reichheld, 2003).
//! CSAT: 1–5; "satisfied" is 4–5 (the usual top-two-box CSAT %).
//! eNPS: NPS asked of employees about the company as a place to work; scored apart.
//! CES 2.0: 1–7 agreement with "The company made it easy for me to handle my issue";
//! 5–7 agree. CES on 1–5 is deliberately not offered: its answers cannot be merged
//! with 1–7 answers into one mean, and CES 2.0 is the 1–7 form.

use crate::i18n::TextKey;

/// A survey kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Kind {
    /// Net Promoter Score, 0–10.
    Nps,
    /// Customer satisfaction, 1–5.
    Csat,
    /// Customer effort score (CES 2.0), 1–7.
    Ces,
    /// Employee Net Promoter Score, 0–10: "recommend us as a place to work".
    Enps,
    /// A rating, 1–5 ("How would you rate the agent?"), scored by its mean.
    Rating,
    /// Yes (1) or no (0) ("Was your issue resolved?"), scored by the share of yes.
    Yesno,
}

/// Every kind, in display order (the order of [`SPECS`]).
pub static KINDS: [Kind; 6] = [
    Kind::Nps,
    Kind::Csat,
    Kind::Ces,
    Kind::Enps,
    Kind::Rating,
    Kind::Yesno,
];

/// How a kind's answers become its headline figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// % of the best group minus % of the worst (NPS, −100…100).
    Net,
    /// % of answers in the best group (CSAT's "satisfied").
    Share,
    /// The mean score (CES).
    Mean,
}

/// Everything that makes a kind, in one entry: validation, grouping, scoring, the
/// summary and the widget's scale all read it. Adding a kind is one entry here (plus
/// its texts in `i18n`); `every_consumer_covers_every_kind` checks the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    /// The payload name.
    pub name: &'static str,
    /// Lowest score.
    pub min: u8,
    /// Highest score.
    pub max: u8,
    /// First score of the middle group.
    pub middle_from: u8,
    /// First score of the best group: the passing mark (NPS promoters, CSAT
    /// "satisfied", CES "agree").
    pub best_from: u8,
    /// The groups, worst to best.
    pub groups: [Group; 3],
    /// Scale styles the widget may draw it with; the first is the default.
    pub styles: &'static [&'static str],
    /// The headline figure.
    pub statistic: Statistic,
    /// The default question.
    pub question: TextKey,
    /// The labels under the scale's lowest and highest points.
    pub ends: (TextKey, TextKey),
    /// A label per point, lowest first, when the kind names each point (empty: numbers only).
    pub point_labels: &'static [TextKey],
}

/// A Net Promoter kind: 0–10, detractors 0–6, passives 7–8, promoters 9–10.
const fn net_promoter(name: &'static str, question: TextKey) -> KindSpec {
    KindSpec {
        name,
        min: 0,
        max: 10,
        middle_from: 7,
        best_from: 9,
        groups: [Group::Detractor, Group::Passive, Group::Promoter],
        styles: &["numbers"],
        statistic: Statistic::Net,
        question,
        ends: (TextKey::NpsLow, TextKey::NpsHigh),
        point_labels: &[],
    }
}

/// One entry per kind, in the order of [`KINDS`].
pub static SPECS: [KindSpec; 6] = [
    net_promoter("nps", TextKey::NpsQuestion),
    KindSpec {
        name: "csat",
        min: 1,
        max: 5,
        middle_from: 3,
        best_from: 4,
        groups: [Group::Low, Group::Neutral, Group::High],
        styles: &["numbers", "stars", "emoji"],
        statistic: Statistic::Share,
        question: TextKey::CsatQuestion,
        ends: (TextKey::Csat1, TextKey::Csat5),
        point_labels: &[
            TextKey::Csat1,
            TextKey::Csat2,
            TextKey::Csat3,
            TextKey::Csat4,
            TextKey::Csat5,
        ],
    },
    KindSpec {
        name: "ces",
        min: 1,
        max: 7,
        middle_from: 4,
        best_from: 5,
        groups: [Group::Low, Group::Neutral, Group::High],
        styles: &["numbers"],
        statistic: Statistic::Mean,
        question: TextKey::CesQuestion,
        ends: (TextKey::Ces1, TextKey::Ces7),
        point_labels: &[
            TextKey::Ces1,
            TextKey::Ces2,
            TextKey::Ces3,
            TextKey::Ces4,
            TextKey::Ces5,
            TextKey::Ces6,
            TextKey::Ces7,
        ],
    },
    // eNPS is NPS's scale, groups and statistic, asked of employees and scored apart.
    net_promoter("enps", TextKey::EnpsQuestion),
    KindSpec {
        name: "rating",
        min: 1,
        max: 5,
        middle_from: 3,
        best_from: 4,
        groups: [Group::Low, Group::Neutral, Group::High],
        styles: &["stars", "numbers"],
        statistic: Statistic::Mean,
        question: TextKey::RatingQuestion,
        ends: (TextKey::Rating1, TextKey::Rating5),
        point_labels: &[
            TextKey::Rating1,
            TextKey::Rating2,
            TextKey::Rating3,
            TextKey::Rating4,
            TextKey::Rating5,
        ],
    },
    // Two points, no middle: "no" is the worst group, "yes" the best.
    KindSpec {
        name: "yesno",
        min: 0,
        max: 1,
        middle_from: 1,
        best_from: 1,
        groups: [Group::Low, Group::Neutral, Group::High],
        styles: &["words"],
        statistic: Statistic::Share,
        question: TextKey::YesnoQuestion,
        ends: (TextKey::No, TextKey::Yes),
        point_labels: &[TextKey::No, TextKey::Yes],
    },
];

/// The kinds' names as error messages list them. Written out (the widget would
/// otherwise carry the code that joins them); a test checks it against [`SPECS`].
pub const KIND_CHOICES: &str = r#""nps", "csat", "ces", "enps", "rating" or "yesno""#;

impl Kind {
    /// This kind's entry in [`SPECS`].
    #[inline]
    pub fn spec(self) -> &'static KindSpec {
        &SPECS[self as usize]
    }

    /// Parses a kind's payload name (`nps`, `csat`, `ces`, `enps`, `rating`, `yesno`).
    #[inline]
    pub fn parse(s: &str) -> Option<Kind> {
        KINDS.into_iter().find(|k| k.spec().name == s)
    }

    /// The payload name.
    #[inline]
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// Lowest score on the scale.
    #[inline]
    pub fn min(self) -> u8 {
        self.spec().min
    }

    /// Highest score on the scale.
    #[inline]
    pub fn max(self) -> u8 {
        self.spec().max
    }

    /// Number of points on the scale.
    pub fn points(self) -> usize {
        (self.max() - self.min() + 1) as usize
    }

    /// Whether `score` is on this kind's scale.
    #[inline]
    pub fn contains(self, score: i64) -> bool {
        score >= self.min() as i64 && score <= self.max() as i64
    }

    /// The group of a score, or `None` when it is off the scale.
    #[inline]
    pub fn group(self, score: i64) -> Option<Group> {
        if !self.contains(score) {
            return None;
        }
        let spec = self.spec();
        let tier = if score >= spec.best_from as i64 {
            2
        } else if score >= spec.middle_from as i64 {
            1
        } else {
            0
        };
        Some(spec.groups[tier])
    }

    /// The three groups of this kind, from worst to best.
    #[inline]
    pub fn groups(self) -> [Group; 3] {
        self.spec().groups
    }
}

/// The group a score falls in. NPS has detractors, passives and promoters;
/// CSAT and CES have low, neutral and high.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// NPS 0–6.
    Detractor,
    /// NPS 7–8.
    Passive,
    /// NPS 9–10.
    Promoter,
    /// CSAT and rating 1–2, CES 1–3, no.
    Low,
    /// CSAT and rating 3, CES 4.
    Neutral,
    /// CSAT and rating 4–5, CES 5–7, yes.
    High,
}

impl Group {
    /// The payload name.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Detractor => "detractor",
            Group::Passive => "passive",
            Group::Promoter => "promoter",
            Group::Low => "low",
            Group::Neutral => "neutral",
            Group::High => "high",
        }
    }

    /// Parses a payload name.
    pub fn parse(s: &str) -> Option<Group> {
        match s {
            "detractor" => Some(Group::Detractor),
            "passive" => Some(Group::Passive),
            "promoter" => Some(Group::Promoter),
            "low" => Some(Group::Low),
            "neutral" => Some(Group::Neutral),
            "high" => Some(Group::High),
            _ => None,
        }
    }

    /// 0 for the worst group of a kind, 1 for the middle one, 2 for the best,
    /// so per-group tables can be indexed the same way for every kind.
    pub fn tier(self) -> usize {
        match self {
            Group::Detractor | Group::Low => 0,
            Group::Passive | Group::Neutral => 1,
            Group::Promoter | Group::High => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_s_entry_is_consistent() {
        for (i, kind) in KINDS.into_iter().enumerate() {
            let spec = kind.spec();
            assert_eq!(SPECS[i], *spec);
            // Yes/no has no middle group: its middle and best start at the same point.
            assert!(
                spec.min < spec.middle_from
                    && spec.middle_from <= spec.best_from
                    && spec.best_from <= spec.max
            );
            assert!(spec.point_labels.is_empty() || spec.point_labels.len() == kind.points());
            assert!(!spec.styles.is_empty());
            assert_eq!(kind.group(spec.min as i64), Some(spec.groups[0]));
            assert_eq!(kind.group(spec.max as i64), Some(spec.groups[2]));
        }
        let names: Vec<String> = SPECS.iter().map(|s| format!("{:?}", s.name)).collect();
        let (last, rest) = names.split_last().unwrap();
        assert_eq!(KIND_CHOICES, format!("{} or {last}", rest.join(", ")));
    }

    #[test]
    fn every_nps_score_falls_in_its_textbook_group() {
        let expected = [
            "detractor",
            "detractor",
            "detractor",
            "detractor",
            "detractor",
            "detractor",
            "detractor",
            "passive",
            "passive",
            "promoter",
            "promoter",
        ];
        for (score, name) in expected.iter().enumerate() {
            assert_eq!(
                Kind::Nps.group(score as i64).unwrap().as_str(),
                *name,
                "score {score}"
            );
        }
        assert_eq!(Kind::Nps.group(-1), None);
        assert_eq!(Kind::Nps.group(11), None);
    }

    #[test]
    fn every_csat_score_falls_in_its_group() {
        let expected = [
            (1, "low"),
            (2, "low"),
            (3, "neutral"),
            (4, "high"),
            (5, "high"),
        ];
        for (score, name) in expected {
            assert_eq!(Kind::Csat.group(score).unwrap().as_str(), name);
        }
        assert_eq!(Kind::Csat.group(0), None);
        assert_eq!(Kind::Csat.group(6), None);
    }

    #[test]
    fn every_ces_score_falls_in_its_group() {
        let expected = [
            (1, "low"),
            (2, "low"),
            (3, "low"),
            (4, "neutral"),
            (5, "high"),
            (6, "high"),
            (7, "high"),
        ];
        for (score, name) in expected {
            assert_eq!(Kind::Ces.group(score).unwrap().as_str(), name);
        }
        assert_eq!(Kind::Ces.group(0), None);
        assert_eq!(Kind::Ces.group(8), None);
    }

    #[test]
    fn kinds_and_groups_round_trip_through_their_names() {
        for kind in KINDS {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.points(), (kind.max() - kind.min() + 1) as usize);
            for (tier, group) in kind.groups().into_iter().enumerate() {
                assert_eq!(Group::parse(group.as_str()), Some(group));
                assert_eq!(group.tier(), tier);
            }
        }
        assert_eq!(Kind::parse("NPS"), None);
    }
}
