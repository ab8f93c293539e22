//! The three survey kinds, their scales and their groups.
//!
//! NPS: 0–10; detractors 0–6, passives 7–8, promoters 9–10 (Reichheld, 2003).
//! CSAT: 1–5; "satisfied" is 4–5 (the usual top-two-box CSAT %).
//! CES 2.0: 1–7 agreement with "The company made it easy for me to handle my issue";
//! 5–7 agree. CES on 1–5 is deliberately not offered: its answers cannot be merged
//! with 1–7 answers into one mean, and CES 2.0 is the 1–7 form.

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
}

/// Every kind, in display order.
pub const KINDS: [Kind; 3] = [Kind::Nps, Kind::Csat, Kind::Ces];

impl Kind {
    /// Parses `nps`, `csat` or `ces` (lowercase, as in the payload).
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "nps" => Some(Kind::Nps),
            "csat" => Some(Kind::Csat),
            "ces" => Some(Kind::Ces),
            _ => None,
        }
    }

    /// The payload name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nps => "nps",
            Kind::Csat => "csat",
            Kind::Ces => "ces",
        }
    }

    /// Lowest score on the scale.
    pub fn min(self) -> u8 {
        match self {
            Kind::Nps => 0,
            Kind::Csat | Kind::Ces => 1,
        }
    }

    /// Highest score on the scale.
    pub fn max(self) -> u8 {
        match self {
            Kind::Nps => 10,
            Kind::Csat => 5,
            Kind::Ces => 7,
        }
    }

    /// Number of points on the scale.
    pub fn points(self) -> usize {
        (self.max() - self.min() + 1) as usize
    }

    /// Whether `score` is on this kind's scale.
    pub fn contains(self, score: i64) -> bool {
        score >= self.min() as i64 && score <= self.max() as i64
    }

    /// The group of a score, or `None` when it is off the scale.
    pub fn group(self, score: i64) -> Option<Group> {
        if !self.contains(score) {
            return None;
        }
        Some(match self {
            Kind::Nps => match score {
                0..=6 => Group::Detractor,
                7 | 8 => Group::Passive,
                _ => Group::Promoter,
            },
            Kind::Csat => match score {
                1 | 2 => Group::Low,
                3 => Group::Neutral,
                _ => Group::High,
            },
            Kind::Ces => match score {
                1..=3 => Group::Low,
                4 => Group::Neutral,
                _ => Group::High,
            },
        })
    }

    /// The three groups of this kind, from worst to best.
    pub fn groups(self) -> [Group; 3] {
        match self {
            Kind::Nps => [Group::Detractor, Group::Passive, Group::Promoter],
            Kind::Csat | Kind::Ces => [Group::Low, Group::Neutral, Group::High],
        }
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
    /// CSAT 1–2, CES 1–3.
    Low,
    /// CSAT 3, CES 4.
    Neutral,
    /// CSAT 4–5, CES 5–7.
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
