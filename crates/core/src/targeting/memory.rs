//! What the widget remembers of a visitor between pages, as short texts for
//! `localStorage`: per survey a [`Seen`] marker, per visitor one [`Visits`] record.
//! Both read back whatever is stored: a missing or damaged text reads as a new visitor.

use crate::text::{parse_digits, push_int};

/// A gap without page views that ends a session (as web analytics count sessions).
pub const SESSION_GAP_MS: u64 = 30 * 60_000;

/// How a visitor last left a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Submitted an answer.
    Answered,
    /// Closed it without answering.
    Dismissed,
}

/// One survey's marker (`sondeo:seen:<survey id>`): `a` answered / `d` dismissed / `s`
/// only shown, the time of that (ms), and how many times it was shown: `a1700000000000,2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seen {
    /// The last outcome, if any.
    pub outcome: Option<Outcome>,
    /// When the outcome (or, without one, the last display) happened, in ms.
    pub at: u64,
    /// Times the prompt was shown to this visitor.
    pub displays: u32,
}

impl Seen {
    /// Reads a stored marker; markers written before display counts (`a<ms>`) count one display.
    pub fn read(text: &str) -> Seen {
        let (head, count) = text.split_once(',').unwrap_or((text, ""));
        let outcome = match head.as_bytes().first() {
            Some(b'a') => Some(Outcome::Answered),
            Some(b'd') => Some(Outcome::Dismissed),
            Some(b's') => None,
            _ => return Seen::default(),
        };
        let Some(at) = head.get(1..).and_then(parse_digits) else {
            return Seen::default();
        };
        let displays = parse_digits(count).map_or(1, |n| n.min(u32::MAX as u64) as u32);
        Seen {
            outcome,
            at,
            displays,
        }
    }

    /// The stored text.
    pub fn write(&self) -> String {
        let mut out = String::from(match self.outcome {
            Some(Outcome::Answered) => "a",
            Some(Outcome::Dismissed) => "d",
            None => "s",
        });
        push_int(&mut out, self.at as i64);
        out.push(',');
        push_int(&mut out, self.displays as i64);
        out
    }

    /// The prompt was shown at `now`.
    pub fn shown(&mut self, now: u64) {
        self.displays = self.displays.saturating_add(1);
        if self.outcome.is_none() {
            self.at = now;
        }
    }

    /// The visitor answered or dismissed at `now`, in a prompt shown since `begun`. A
    /// dismissal leaves an answer given since then standing: the same prompt, open in two
    /// tabs, answered in one and closed in the other, was answered (its `recontactDays`, not
    /// its `dismissDays`).
    pub fn left(&mut self, outcome: Outcome, now: u64, begun: u64) {
        if outcome == Outcome::Dismissed && self.answered_since(begun) {
            return;
        }
        self.outcome = Some(outcome);
        self.at = now;
    }

    /// Whether the visitor answered at or after `begun` (ms): in another tab, when a prompt
    /// that began then is still open in this one.
    pub fn answered_since(&self, begun: u64) -> bool {
        self.outcome == Some(Outcome::Answered) && self.at >= begun
    }

    /// Whether the visitor answered the prompt, or closed it unanswered, at or after
    /// `begun` (ms): a copy of it untouched since then (in another tab, elsewhere on the
    /// page) has had its answer, or its "no".
    pub fn ended_since(&self, begun: u64) -> bool {
        self.outcome.is_some() && self.at >= begun
    }
}

/// The visitor's visits (`sondeo:visits`): page views, sessions, when this session
/// started, the last page view and the last time any sondeo prompt was shown, as
/// `views,sessions,sessionStart,lastView,lastShown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Visits {
    /// Page views counted so far.
    pub views: u32,
    /// Sessions counted so far.
    pub sessions: u32,
    /// When the current session began (ms).
    pub session_start: u64,
    /// The last page view (ms).
    pub last_view: u64,
    /// The last time a sondeo prompt showed itself to this visitor (ms; 0 never).
    pub last_shown: u64,
}

impl Visits {
    /// Reads a stored record; anything damaged reads as a first visit.
    pub fn read(text: &str) -> Visits {
        let mut fields = text.split(',').map(parse_digits);
        let mut next = || fields.next().flatten();
        match (next(), next(), next(), next(), next()) {
            (
                Some(views),
                Some(sessions),
                Some(session_start),
                Some(last_view),
                Some(last_shown),
            ) => Visits {
                views: views.min(u32::MAX as u64) as u32,
                sessions: sessions.min(u32::MAX as u64) as u32,
                session_start,
                last_view,
                last_shown,
            },
            _ => Visits::default(),
        }
    }

    /// The stored text.
    pub fn write(&self) -> String {
        let mut out = String::new();
        for (i, n) in [
            self.views as u64,
            self.sessions as u64,
            self.session_start,
            self.last_view,
            self.last_shown,
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                out.push(',');
            }
            push_int(&mut out, n as i64);
        }
        out
    }

    /// Counts a page view at `now`: the first one, one after a gap of [`SESSION_GAP_MS`],
    /// or one before the last (the clock went back) starts a session.
    pub fn page_view(&mut self, now: u64) {
        if self.views == 0 || now < self.last_view || now - self.last_view >= SESSION_GAP_MS {
            self.sessions = self.sessions.saturating_add(1);
            self.session_start = now;
        }
        self.views = self.views.saturating_add(1);
        self.last_view = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_read_back_what_was_written_and_old_markers_still_read() {
        let mut seen = Seen::default();
        seen.shown(1_000);
        assert_eq!(seen.write(), "s1000,1");
        seen.shown(5_000);
        seen.left(Outcome::Dismissed, 6_000, 5_000);
        assert_eq!(Seen::read(&seen.write()), seen);
        assert_eq!(seen.write(), "d6000,2");
        // Written by the widget before display counts existed.
        let old = Seen::read("a1700000000000");
        assert_eq!(old.outcome, Some(Outcome::Answered));
        assert_eq!((old.at, old.displays), (1_700_000_000_000, 1));
        for damaged in ["", "x12", "a", "a12x", "d-5,1"] {
            assert_eq!(Seen::read(damaged), Seen::default(), "{damaged:?}");
        }
    }

    #[test]
    fn a_dismissal_leaves_an_answer_given_since_its_prompt_began_standing() {
        // Two tabs show the prompt at 1,000 and 1,500; the first is answered at 2,000, the
        // second closed at 3,000: still answered, at 2,000.
        let mut seen = Seen::default();
        seen.shown(1_000);
        seen.shown(1_500);
        seen.left(Outcome::Answered, 2_000, 1_000);
        seen.left(Outcome::Dismissed, 3_000, 1_500);
        assert_eq!((seen.outcome, seen.at), (Some(Outcome::Answered), 2_000));
        // Asked again after recontactDays and closed: that prompt began after the answer.
        seen.shown(90_000);
        seen.left(Outcome::Dismissed, 91_000, 90_000);
        assert_eq!((seen.outcome, seen.at), (Some(Outcome::Dismissed), 91_000));
        // An answer always counts.
        seen.left(Outcome::Answered, 92_000, 0);
        assert_eq!(seen.outcome, Some(Outcome::Answered));
    }

    #[test]
    fn an_answer_counts_for_prompts_that_began_before_it_only() {
        let mut seen = Seen::default();
        seen.shown(1_000);
        assert!(!seen.answered_since(1_000), "shown, not answered");
        seen.left(Outcome::Answered, 2_000, 1_000);
        // A prompt open since 1,500 in another tab: answered since it began.
        assert!(seen.answered_since(1_500));
        assert!(seen.answered_since(2_000));
        // One that began after the answer (the site's own show()) was not answered yet.
        assert!(!seen.answered_since(2_001));
        seen.left(Outcome::Dismissed, 3_000, 2_500);
        assert!(
            !seen.answered_since(0),
            "a dismissal since: no answer stands"
        );
        // The "no" ends the copies open since before it, not one opened after it.
        assert!(seen.ended_since(2_500) && seen.ended_since(3_000));
        assert!(!seen.ended_since(3_001));
        let mut shown_only = Seen::default();
        shown_only.shown(4_000);
        assert!(!shown_only.ended_since(0), "shown is no end");
    }

    #[test]
    fn a_gap_of_thirty_minutes_starts_a_new_session() {
        let minute = 60_000;
        let mut visits = Visits::default();
        visits.page_view(1_000);
        visits.page_view(1_000 + 29 * minute);
        assert_eq!(
            (visits.views, visits.sessions, visits.session_start),
            (2, 1, 1_000)
        );
        // 30 minutes after the last page view, not after the first.
        visits.page_view(1_000 + 58 * minute);
        assert_eq!(visits.sessions, 1);
        visits.page_view(1_000 + 88 * minute);
        assert_eq!((visits.views, visits.sessions), (4, 2));
        assert_eq!(visits.session_start, 1_000 + 88 * minute);
        assert_eq!(Visits::read(&visits.write()), visits);
        assert_eq!(Visits::read("3,1,5"), Visits::default());
        assert_eq!(Visits::read("garbage"), Visits::default());
    }
}
