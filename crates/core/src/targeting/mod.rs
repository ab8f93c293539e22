//! Whom to ask, as pure rules; the widget's `trigger` module feeds them facts
//! (the visitor's key, the stored markers, the page, the clock) and does what
//! [`decide`] says.
//!
//! Sampling draws once per visitor and survey, from a hash: the same visitor is in or
//! out on every page (and, keyed by `user.id`, on every device), so `sample: 0.1` asks
//! a tenth of *people*, not a tenth of page views.

pub mod memory;
pub mod page;

pub use memory::{Outcome, Seen, Visits};

use crate::survey::Targeting;
use crate::text::push_int;

const DAY_MS: u64 = 86_400_000;

/// What the widget knows when a trigger fires.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Now, in ms since the epoch.
    pub now: u64,
    /// This visitor's [`draw`] for the survey (any value when `sample` is 1).
    pub draw: f64,
    /// The survey's marker for this visitor.
    pub seen: Seen,
    /// The visitor's visits, this page view counted.
    pub visits: Visits,
    /// The page's path.
    pub path: &'a str,
    /// The page's query, without `?`.
    pub query: &'a str,
    /// The address's fragment, without `#`, decoded as the path is (a hash route).
    pub fragment: &'a str,
}

/// Whether to prompt now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Show the prompt.
    Show,
    /// Not yet: ask again after this many ms (`afterSeconds`).
    Wait(u64),
    /// Not on this page view: the named config field holds it back.
    Skip(&'static str),
}

/// Applies the survey's targeting rules to the facts, in a fixed order (page rules,
/// sampling, the visitor's history with this survey, site-wide fatigue, moments), and
/// names the first rule that holds the prompt back.
pub fn decide(rules: &Targeting, facts: &Facts) -> Verdict {
    let Facts {
        now, seen, visits, ..
    } = *facts;
    // A time after now (a clock that was fast, or a stored value a page tampered with) is
    // no window at all: it would hold the prompt back until that time comes, months away.
    let within =
        |since: u64, days: u32| since > 0 && since <= now && now - since < days as u64 * DAY_MS;
    if rules.force {
        Verdict::Show
    } else if let Some(rule) = page_rule(rules, facts.path, facts.query, facts.fragment) {
        Verdict::Skip(rule)
    } else if !sampled(rules.sample, facts.draw) {
        Verdict::Skip("sample")
    } else if seen.outcome == Some(Outcome::Answered) && within(seen.at, rules.recontact_days) {
        Verdict::Skip("recontactDays")
    } else if seen.outcome == Some(Outcome::Dismissed) && within(seen.at, rules.dismiss_days) {
        Verdict::Skip("dismissDays")
    } else if rules.max_displays > 0 && seen.displays >= rules.max_displays {
        Verdict::Skip("maxDisplays")
    } else if within(visits.last_shown, rules.global_cooldown_days) {
        Verdict::Skip("globalCooldownDays")
    } else if visits.views < rules.after_page_views {
        Verdict::Skip("afterPageViews")
    } else if visits.sessions < rules.after_sessions {
        Verdict::Skip("afterSessions")
    } else {
        let due = visits.session_start + rules.after_seconds as u64 * 1000;
        if now < due {
            Verdict::Wait(due - now)
        } else {
            Verdict::Show
        }
    }
}

/// The page rule (`hideOn`, else `showOn`) that keeps the survey off this address, if any:
/// asked before a prompt shows, and of an open one when a single-page app moves on.
pub fn page_rule(
    rules: &Targeting,
    path: &str,
    query: &str,
    fragment: &str,
) -> Option<&'static str> {
    if page::any_matches(&rules.hide_on, path, query, fragment) {
        Some("hideOn")
    } else if !rules.show_on.is_empty() && !page::any_matches(&rules.show_on, path, query, fragment)
    {
        Some("showOn")
    } else {
        None
    }
}

impl Verdict {
    /// What `?sondeo-debug` prints: `sondeo: survey "nps": not shown (afterPageViews)`.
    pub fn explain(&self, survey_id: &str) -> String {
        let mut out = String::from("sondeo: survey \"");
        out.push_str(survey_id);
        out.push_str("\": ");
        match self {
            Verdict::Show => out.push_str("shown"),
            Verdict::Wait(ms) => {
                out.push_str("waits ");
                push_int(&mut out, *ms as i64);
                out.push_str(" ms (afterSeconds)");
            }
            Verdict::Skip(rule) => {
                out.push_str("not shown (");
                out.push_str(rule);
                out.push(')');
            }
        }
        out
    }
}

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

    fn facts(now: u64) -> Facts<'static> {
        Facts {
            now,
            draw: 0.5,
            seen: Seen::default(),
            visits: Visits {
                views: 1,
                sessions: 1,
                session_start: now,
                last_view: now,
                last_shown: 0,
            },
            path: "/",
            query: "",
            fragment: "",
        }
    }

    #[test]
    fn each_rule_holds_the_prompt_back_until_it_is_met() {
        let day = DAY_MS;
        let now = 100 * day;
        let rules = |edit: fn(&mut Targeting)| {
            let mut t = Targeting::default();
            edit(&mut t);
            t
        };
        assert_eq!(decide(&Targeting::default(), &facts(now)), Verdict::Show);

        let t = rules(|t| t.sample = 0.4);
        assert_eq!(
            decide(&t, &facts(now)),
            Verdict::Skip("sample"),
            "draw 0.5 is out of 0.4"
        );
        assert_eq!(
            decide(
                &t,
                &Facts {
                    draw: 0.39,
                    ..facts(now)
                }
            ),
            Verdict::Show
        );

        let t = rules(|t| t.recontact_days = 30);
        let answered = |days_ago: u64| Facts {
            seen: Seen {
                outcome: Some(Outcome::Answered),
                at: now - days_ago * day,
                displays: 1,
            },
            ..facts(now)
        };
        assert_eq!(decide(&t, &answered(29)), Verdict::Skip("recontactDays"));
        assert_eq!(decide(&t, &answered(30)), Verdict::Show);

        let t = rules(|t| t.dismiss_days = 2);
        let dismissed = Facts {
            seen: Seen {
                outcome: Some(Outcome::Dismissed),
                at: now - day,
                displays: 1,
            },
            ..facts(now)
        };
        assert_eq!(decide(&t, &dismissed), Verdict::Skip("dismissDays"));
        assert_eq!(
            decide(
                &t,
                &Facts {
                    now: now + day,
                    ..dismissed
                }
            ),
            Verdict::Show
        );

        let t = rules(|t| t.max_displays = 2);
        let shown = |displays| Facts {
            seen: Seen {
                outcome: None,
                at: now,
                displays,
            },
            ..facts(now)
        };
        assert_eq!(decide(&t, &shown(1)), Verdict::Show);
        assert_eq!(decide(&t, &shown(2)), Verdict::Skip("maxDisplays"));

        let t = rules(|t| t.global_cooldown_days = 7);
        let mut other = facts(now);
        other.visits.last_shown = now - 6 * day;
        assert_eq!(decide(&t, &other), Verdict::Skip("globalCooldownDays"));
        other.visits.last_shown = now - 7 * day;
        assert_eq!(decide(&t, &other), Verdict::Show);

        let t = rules(|t| t.after_page_views = 3);
        let mut visits = facts(now);
        visits.visits.views = 2;
        assert_eq!(decide(&t, &visits), Verdict::Skip("afterPageViews"));
        visits.visits.views = 3;
        assert_eq!(decide(&t, &visits), Verdict::Show);

        let t = rules(|t| t.after_sessions = 2);
        assert_eq!(decide(&t, &facts(now)), Verdict::Skip("afterSessions"));
        visits.visits.sessions = 2;
        assert_eq!(decide(&t, &visits), Verdict::Show);

        let t = rules(|t| t.after_seconds = 30);
        let mut early = facts(now);
        early.visits.session_start = now - 10_000;
        assert_eq!(decide(&t, &early), Verdict::Wait(20_000));
        early.visits.session_start = now - 30_000;
        assert_eq!(decide(&t, &early), Verdict::Show);
    }

    #[test]
    fn a_time_after_now_holds_nothing_back() {
        // Answered, dismissed and shown "a year from now" (a clock that was fast, a tampered
        // value): no window, instead of none until next year.
        let (day, now) = (DAY_MS, 400 * DAY_MS);
        let later = now + 365 * day;
        let t = Targeting {
            recontact_days: 90,
            dismiss_days: 30,
            global_cooldown_days: 7,
            ..Targeting::default()
        };
        for outcome in [Outcome::Answered, Outcome::Dismissed] {
            let seen = Seen {
                outcome: Some(outcome),
                at: later,
                displays: 1,
            };
            assert_eq!(decide(&t, &Facts { seen, ..facts(now) }), Verdict::Show);
        }
        let mut f = facts(now);
        f.visits.last_shown = later;
        assert_eq!(decide(&t, &f), Verdict::Show);
        // A clock that went back an hour: the next page view starts a session, whose
        // afterSeconds count from now.
        let mut visits = facts(now).visits;
        visits.page_view(now - 3_600_000);
        assert_eq!(
            (visits.sessions, visits.session_start),
            (2, now - 3_600_000)
        );
    }

    #[test]
    fn page_rules_come_first_and_force_overrides_everything() {
        let mut t = Targeting {
            show_on: vec!["/checkout/*".into()],
            hide_on: vec!["/checkout/done".into()],
            sample: 0.0,
            ..Targeting::default()
        };
        let on = |path| Facts {
            path,
            ..facts(DAY_MS)
        };
        assert_eq!(decide(&t, &on("/pricing")), Verdict::Skip("showOn"));
        assert_eq!(decide(&t, &on("/checkout/done")), Verdict::Skip("hideOn"));
        assert_eq!(decide(&t, &on("/checkout/pay")), Verdict::Skip("sample"));
        t.force = true;
        assert_eq!(decide(&t, &on("/checkout/done")), Verdict::Show);
    }

    #[test]
    fn the_debug_line_names_the_rule() {
        assert_eq!(
            Verdict::Skip("afterPageViews").explain("nps"),
            "sondeo: survey \"nps\": not shown (afterPageViews)"
        );
        assert_eq!(
            Verdict::Wait(1500).explain("x"),
            "sondeo: survey \"x\": waits 1500 ms (afterSeconds)"
        );
        assert_eq!(Verdict::Show.explain("x"), "sondeo: survey \"x\": shown");
    }
}
