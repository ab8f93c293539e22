//! Whom to ask, as pure rules; the widget's `trigger` module feeds them facts
//! (the visitor's key, the stored markers, the clock).
//!
//! Sampling draws once per visitor and survey, from a hash: the same visitor is in or
//! out on every page (and, keyed by `user.id`, on every device), so `sample: 0.1` asks
//! a tenth of *people*, not a tenth of page views.

/// 64-bit FNV-1a of `parts` joined by NUL, then MurmurHash3's 64-bit finaliser, so that
/// ids that differ in one character still land far apart. Fixed forever: a visitor's
/// draw must not change when sondeo is updated.
pub fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            feed(0);
        }
        part.bytes().for_each(&mut feed);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// This visitor's draw for a survey, in `[0, 1)`.
pub fn draw(survey_id: &str, visitor: &str) -> f64 {
    (hash(&[survey_id, visitor]) >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether a visitor with `draw` is in a `sample`. Raising `sample` keeps everyone who
/// was in and adds others; lowering it keeps only those still under it: nobody is
/// re-drawn.
pub fn sampled(sample: f64, draw: f64) -> bool {
    sample >= 1.0 || draw < sample
}

/// Whether a stored seen-marker (`a<ms>` answered, `d<ms>` dismissed) still lets the
/// prompt show at `now_ms`, given `recontactDays` and `dismissDays`. A marker that does
/// not read is ignored.
pub fn seen_allows(marker: &str, now_ms: f64, recontact_days: u32, dismiss_days: u32) -> bool {
    let (outcome, at) = (marker.get(..1).unwrap_or(""), marker.get(1..).unwrap_or(""));
    // Integer parsing: float parsing would add ~6 KB to the widget.
    let Some(at) = crate::text::parse_digits(at) else {
        return true;
    };
    let days = match outcome {
        "a" => recontact_days,
        "d" => dismiss_days,
        _ => 0,
    };
    now_ms - at as f64 >= days as f64 * 86_400_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_of_visitors_lands_on_its_share_and_each_keeps_their_draw() {
        for (survey, sample) in [("nps", 0.3), ("post-ticket", 0.1), ("checkout", 0.5)] {
            let visitors = 10_000;
            let asked = (0..visitors)
                .filter(|i| sampled(sample, draw(survey, &format!("v{i}"))))
                .count();
            let share = asked as f64 / visitors as f64;
            assert!(
                (share - sample).abs() <= 0.015,
                "{survey}: {share} for {sample}"
            );
        }
        // The same visitor gets the same answer on every page (every call).
        let d = draw("nps", "visitor-42");
        assert!((0..20).all(|_| draw("nps", "visitor-42") == d));
        // Surveys draw independently: being in one sample says nothing of another.
        let both = (0..10_000)
            .filter(|i| {
                let v = format!("v{i}");
                sampled(0.5, draw("a", &v)) && sampled(0.5, draw("b", &v))
            })
            .count();
        assert!((both as f64 / 10_000.0 - 0.25).abs() <= 0.015, "{both}");
    }

    #[test]
    fn raising_the_sample_keeps_everyone_who_was_in() {
        for i in 0..2_000 {
            let d = draw("nps", &format!("u{i}"));
            if sampled(0.2, d) {
                assert!(sampled(0.3, d));
            }
            if !sampled(0.3, d) {
                assert!(!sampled(0.2, d));
            }
        }
        assert!(sampled(1.0, 0.999_999) && !sampled(0.0, 0.0));
    }

    #[test]
    fn the_hash_is_fixed() {
        // FNV-1a 64 of "" is its offset basis; the finaliser is MurmurHash3's fmix64,
        // computed by hand here from the published constants.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        assert_eq!(hash(&[""]), h);
        assert_ne!(
            hash(&["ab", "c"]),
            hash(&["a", "bc"]),
            "the separator counts"
        );
    }

    #[test]
    fn seen_markers_hold_the_prompt_back_for_their_days() {
        let day = 86_400_000.0;
        assert!(!seen_allows("a1000", 1000.0 + 2.0 * day, 3, 0));
        assert!(seen_allows("a1000", 1000.0 + 3.0 * day, 3, 0));
        assert!(!seen_allows("d1000", 1000.0 + day / 2.0, 30, 1));
        assert!(seen_allows("d1000", 1000.0 + day, 30, 1));
        assert!(seen_allows("garbage", 0.0, 30, 30));
    }
}
