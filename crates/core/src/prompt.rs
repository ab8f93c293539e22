//! One prompt's state and rules, free of the DOM: the score chosen, the reason chips,
//! whether it may be submitted, the keyboard moves between scale points, and the
//! response it posts. The widget's `survey` module renders this state and forwards
//! events to it; everything here is tested natively.

use crate::answer::{comment_satisfies_required, sanitize_comment, Answer, Response};
use crate::metric::{Group, Kind};
use crate::survey::Config;

/// A move between the scale's points (a radio group's keys, WAI-ARIA APG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// ArrowRight / ArrowDown: the next point, the first after the last.
    Next,
    /// ArrowLeft / ArrowUp: the previous point, the last before the first.
    Previous,
    /// Home.
    First,
    /// End.
    Last,
}

impl Move {
    /// The move a key makes, if any (`KeyboardEvent.key`). In a right-to-left page the
    /// scale runs from right to left, so ArrowLeft goes to the next point: arrows follow
    /// what the visitor sees (Up and Down do not turn).
    pub fn from_key(key: &str, right_to_left: bool) -> Option<Move> {
        match (key, right_to_left) {
            ("ArrowRight", false) | ("ArrowLeft", true) | ("ArrowDown", _) => Some(Move::Next),
            ("ArrowLeft", false) | ("ArrowRight", true) | ("ArrowUp", _) => Some(Move::Previous),
            ("Home", _) => Some(Move::First),
            ("End", _) => Some(Move::Last),
            _ => None,
        }
    }

    /// The point this move lands on from `from`, on `kind`'s scale.
    pub fn apply(self, kind: Kind, from: u8) -> u8 {
        let (min, max) = (kind.min(), kind.max());
        match self {
            Move::Next if from >= max => min,
            Move::Next => from + 1,
            Move::Previous if from <= min => max,
            Move::Previous => from - 1,
            Move::First => min,
            Move::Last => max,
        }
    }
}

/// Why a submit did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSubmitted {
    /// No score chosen yet.
    NoScore,
    /// Already submitted.
    AlreadySent,
    /// The follow-up is required and the comment is empty once cleaned.
    CommentRequired,
}

/// What is known of the response besides the visitor's answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Context {
    /// The response id (made when the prompt first shows).
    pub id: String,
    /// The language the prompt is shown in.
    pub locale: String,
    /// The page, without its query string.
    pub page: Option<String>,
    /// When the prompt first showed.
    pub created_at: Option<String>,
    /// When it was submitted (for the complete response).
    pub submitted_at: Option<String>,
    /// When this version was made.
    pub updated_at: Option<String>,
}

/// The state of one prompt: its questions' answers, the one being asked, the chips.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    kinds: Vec<Kind>,
    scores: Vec<Option<u8>>,
    step: usize,
    reasons: Vec<bool>,
    multiple: bool,
    submitted: bool,
}

impl Prompt {
    /// A fresh prompt for `config`: the first question, nothing chosen.
    pub fn new(config: &Config) -> Prompt {
        Prompt {
            kinds: config.questions.iter().map(|q| q.kind).collect(),
            scores: vec![None; config.questions.len()],
            step: 0,
            reasons: vec![false; config.reasons.options.len()],
            multiple: config.reasons.multiple,
            submitted: false,
        }
    }

    /// The question being asked (its index in the config's `questions`).
    pub fn step(&self) -> usize {
        self.step
    }

    /// Whether the question being asked is the last.
    pub fn at_last(&self) -> bool {
        self.step + 1 >= self.kinds.len()
    }

    /// The kind of the question being asked.
    pub fn kind(&self) -> Kind {
        self.kinds.get(self.step).copied().unwrap_or(Kind::Nps)
    }

    /// The score chosen for the question being asked, if any.
    pub fn score(&self) -> Option<u8> {
        self.scores.get(self.step).copied().flatten()
    }

    /// Whether the first question has an answer (the response exists for the endpoint).
    pub fn started(&self) -> bool {
        self.scores.first().is_some_and(Option::is_some)
    }

    /// Whether the final response has been sent.
    pub fn submitted(&self) -> bool {
        self.submitted
    }

    /// Whether reason chip `index` is pressed.
    pub fn reason(&self, index: usize) -> bool {
        self.reasons.get(index).copied().unwrap_or(false)
    }

    /// Chooses `score` for the question being asked (a click, a key, a URL prefill) and
    /// returns its group; `None` (nothing changes) off the scale or once submitted.
    pub fn select(&mut self, score: u8) -> Option<Group> {
        let group = self.kind().group(score as i64)?;
        if self.submitted {
            return None;
        }
        self.scores[self.step] = Some(score);
        Some(group)
    }

    /// Moves to the next question once this one is answered; whether it moved.
    pub fn go_next(&mut self) -> bool {
        let moves = self.score().is_some() && !self.at_last() && !self.submitted;
        self.step += moves as usize;
        moves
    }

    /// Moves back to the question before (its answer kept); whether it moved.
    pub fn back(&mut self) -> bool {
        let moves = self.step > 0 && !self.submitted;
        self.step -= moves as usize;
        moves
    }

    /// The group the follow-up and the thank-you speak to: that of the question named by
    /// `followUp.after`, else of the one answered worst (the first of equals).
    pub fn group(&self, config: &Config) -> Option<Group> {
        let mut found: Option<Group> = None;
        for (i, (kind, score)) in self.kinds.iter().zip(&self.scores).enumerate() {
            let Some(group) = score.and_then(|s| kind.group(s as i64)) else {
                continue;
            };
            let worse = found.is_none_or(|f| group.tier() < f.tier());
            match config.follow_up.after {
                Some(after) if after == i => return Some(group),
                None if worse => found = Some(group),
                _ => {}
            }
        }
        found
    }

    /// Schema 2's answers: those given so far, in order; none for a single question.
    fn answers(&self, config: &Config) -> Vec<Answer> {
        let mut answers = Vec::new();
        if config.multiple_questions() {
            for (q, score) in config.questions.iter().zip(&self.scores) {
                if let Some(score) = *score {
                    answers.push(Answer {
                        key: q.key.clone(),
                        kind: q.kind,
                        score,
                    });
                }
            }
        }
        answers
    }

    /// Presses or releases reason chip `index`; with single choice, pressing one releases the others.
    pub fn toggle_reason(&mut self, index: usize) {
        let Some(&was) = self.reasons.get(index) else {
            return;
        };
        if !was && !self.multiple {
            self.reasons.iter_mut().for_each(|r| *r = false);
        }
        self.reasons[index] = !was;
    }

    /// Marks the prompt submitted and returns the group it speaks to, unless something
    /// stops it: a question unanswered, a required comment missing.
    pub fn submit(&mut self, config: &Config, comment: &str) -> Result<Group, NotSubmitted> {
        if self.scores.iter().any(Option::is_none) {
            return Err(NotSubmitted::NoScore);
        }
        if self.submitted {
            return Err(NotSubmitted::AlreadySent);
        }
        if config.follow_up.enabled
            && config.follow_up.required
            && !comment_satisfies_required(comment)
        {
            return Err(NotSubmitted::CommentRequired);
        }
        self.submitted = true;
        Ok(self.group(config).unwrap_or(Group::Passive))
    }

    /// The response as posted: the partial (`complete` false) as soon as a score is
    /// chosen, the final one on submit. The comment is cleaned and cut to the
    /// config's `maxLength`; the group is derived from the score, never chosen.
    pub fn response(
        &self,
        config: &Config,
        context: &Context,
        comment: &str,
        complete: bool,
    ) -> Response {
        let score = self
            .scores
            .first()
            .copied()
            .flatten()
            .unwrap_or(config.kind.min());
        let comment = sanitize_comment(comment, config.follow_up.max_length as usize);
        let user = &config.user;
        let when = |t: &Option<String>| t.as_deref().map(|t| config.sent_time(t));
        Response {
            id: context.id.clone(),
            survey_id: config.id.clone(),
            kind: config.kind,
            score,
            group: config.kind.group(score as i64).unwrap_or(Group::Passive),
            // Schema 2 for several questions: those answered so far, in order.
            answers: self.answers(config),
            comment: Some(comment).filter(|c| !c.is_empty()),
            reasons: config
                .reasons
                .options
                .iter()
                .zip(&self.reasons)
                .filter(|(_, on)| **on)
                .map(|(option, _)| option.clone())
                .collect(),
            complete,
            locale: Some(context.locale.clone()),
            metadata: config.metadata.clone(),
            user: (user.id.is_some() || !user.attributes.is_empty()).then(|| user.clone()),
            page: context.page.clone().filter(|_| !config.anonymous),
            created_at: when(&context.created_at),
            submitted_at: if complete {
                when(&context.submitted_at)
            } else {
                None
            },
            updated_at: when(&context.updated_at),
            anonymous: config.anonymous,
        }
    }
}

#[cfg(test)]
mod tests;
