//! Counting each response once, by id: a later version replaces the one before it.

use super::{counted, enps_week, Row, ScoreState, Scores};
use crate::metric::Group;
use crate::Kind;
use std::collections::HashMap;

impl ScoreState {
    /// Takes a row added before back out, the exact inverse of [`ScoreState::add`], so that a
    /// response can be replaced by its later version. Exact for every count below the caps;
    /// past them (a field with more than `MAX_SEGMENT_VALUES` values, comment terms pruned past
    /// their limit) a removed row may take back a count another row added in its place.
    pub fn remove(&mut self, row: &Row<'_>) {
        let Some(kind) = row.kind else { return };
        let score = row.score;
        let week = (kind == Kind::Enps).then(|| enps_week(row.time));
        counted(&mut self.overall, kind, score, week, false);
        let segment = |field: &str, value: &str| {
            let Some(entry) = self.segments.get_mut(field) else {
                return;
            };
            if let Some(scores) = entry.values.get_mut(value) {
                counted(scores, kind, score, week, false);
                if scores.is_empty() {
                    entry.values.swap_remove(value);
                }
            } else if let Some(beyond) = &mut entry.beyond {
                counted(beyond, kind, score, week, false);
            }
            if entry.values.is_empty() && !entry.overflow {
                self.segments.swap_remove(field);
            }
        };
        row.for_each_segment(kind, segment);
        if let Some(t) = row.time {
            let day = t.div_euclid(86_400);
            if let Some(scores) = self.days.get_mut(&day) {
                counted(scores, kind, score, week, false);
                if scores.is_empty() {
                    self.days.remove(&day);
                }
            }
        }
        for reason in &row.reasons {
            if let Some(stats) = self.reasons.get_mut(reason.as_ref()) {
                stats.citing.remove(kind, score);
                if stats.citing.is_empty() {
                    self.reasons.remove(reason.as_ref());
                }
            }
        }
        if let (Some(comment), Some(group)) = (&row.comment, kind.group(score as i64)) {
            self.themes.remove(group.tier(), comment);
        }
        self.questions.count(row, false);
    }
}

/// A row's answers as `(key, score)` pairs.
fn pairs<'r>(row: &'r Row<'_>) -> Vec<(&'r str, u8)> {
    row.answers
        .iter()
        .map(|(k, _, s)| (k.as_ref(), *s))
        .collect()
}

/// Whether `row` is a version made before `counted`, equally complete, that does not know
/// more answers: an older export read after a newer one must not undo the later version,
/// as the collector keeps the later one whichever arrives last. Ordered as the collector
/// orders them, by `updatedAt` (the NDJSON export keeps it), one more than
/// [`crate::answer::UPDATED_AT_ALLOWANCE_MS`] past its receipt ignored; else, where either
/// lacks it (the CSV export has none), by `receivedAt`. Versions that tell neither apart (an
/// anonymous answer's receipt is kept to the day) are taken in the order they come.
fn made_earlier(row: &Row<'_>, counted: &Row<'_>) -> bool {
    let made = |r: &Row<'_>| {
        let (updated, received) = (r.times.updated, r.times.received);
        updated
            .filter(|u| received.is_none_or(|r| *u <= r + crate::answer::UPDATED_AT_ALLOWANCE_MS))
    };
    let (incoming, current) = match (made(row), made(counted)) {
        (Some(incoming), Some(current)) => (incoming, current),
        _ => match (row.times.received, counted.times.received) {
            (Some(incoming), Some(current)) => (incoming, current),
            _ => return false,
        },
    };
    row.complete == counted.complete
        && incoming < current
        && (row.complete || !crate::answer::knows_less(&pairs(counted), counted.score, &pairs(row)))
}

/// The version of each response that the figures count, by id: a later version replaces
/// the one before it (its contribution taken out exactly, then the new one added), a
/// partial never replaces a complete version nor a partial that knows more answers (see
/// [`crate::answer::knows_less`]), an equally complete version made earlier never replaces
/// a later one (see `made_earlier`), and a repeat changes nothing: in whatever order the
/// versions arrive (an export, then the live stream; a retry that comes late; an older
/// export read after a newer one), where their times tell them apart.
#[derive(Debug, Default)]
pub struct Latest {
    rows: HashMap<String, Row<'static>>,
}

impl Latest {
    /// Counts `row` in `state` as the current version of its id (a row without an id is
    /// simply added). Returns whether the figures changed.
    pub fn upsert(&mut self, state: &mut ScoreState, row: Row<'static>) -> bool {
        let Some(id) = row.id.clone() else {
            state.add(&row);
            return true;
        };
        match self.rows.get(id.as_ref()) {
            Some(counted) if counted.complete && !row.complete => return false,
            Some(counted)
                if !counted.complete
                    && !row.complete
                    && crate::answer::knows_less(&pairs(&row), row.score, &pairs(counted)) =>
            {
                return false
            }
            Some(counted) if *counted == row => return false,
            Some(counted) if made_earlier(&row, counted) => return false,
            Some(counted) => state.remove(counted),
            None => {}
        }
        state.add(&row);
        self.rows.insert(id.into_owned(), row);
        true
    }

    /// Why `row` cannot be a version of the response counted under its id: that one
    /// answered another survey or kind (two exports joined, an id reused). As the collector
    /// refuses such a post, the row is refused rather than take the other's place.
    pub fn conflict(&self, row: &Row<'_>) -> Option<String> {
        let counted = self.rows.get(row.id.as_deref()?)?;
        if counted.survey_id == row.survey_id && counted.kind == row.kind {
            return None;
        }
        let mut problem = String::from("already counted for ");
        match &counted.survey_id {
            Some(survey) => {
                problem.push_str("survey ");
                crate::text::push_shortened(&mut problem, survey, 40);
                problem.push(' ');
            }
            None => problem.push_str("no survey "),
        }
        problem.push('(');
        problem.push_str(counted.kind.map_or("no kind", |k| k.as_str()));
        problem.push_str("): expected one survey and kind per id");
        Some(problem)
    }

    /// The counted versions of a saved state (whose figures already hold them), each
    /// under its id; rows without one are left out.
    pub fn restore(rows: Vec<Row<'static>>) -> Latest {
        let rows = rows
            .into_iter()
            .filter_map(|row| Some((row.id.clone()?.into_owned(), row)))
            .collect();
        Latest { rows }
    }

    /// Every counted response, in no order.
    pub fn iter(&self) -> impl Iterator<Item = &Row<'static>> {
        self.rows.values()
    }

    /// The counted version of response `id`.
    pub fn get(&self, id: &str) -> Option<&Row<'static>> {
        self.rows.get(id)
    }

    /// Responses counted (each id once).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no response with an id is counted.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Counted responses whose current version is partial (a score, not yet submitted).
    pub fn partial(&self) -> usize {
        self.rows.values().filter(|r| !r.complete).count()
    }

    /// The counted responses that pass `filter`, and of those the partial ones.
    pub fn count_where(&self, filter: &ListFilter<'_>) -> (usize, usize) {
        self.iter_where(filter).fold((0, 0), |(all, partial), r| {
            (all + 1, partial + usize::from(!r.complete))
        })
    }

    /// The counted responses that pass `filter`, newest first (then by id), at most `limit`.
    /// An employee's (eNPS) answer is listed without its time, so its place must not tell
    /// it either: it sorts with the undated ones, by id.
    pub fn list(&self, filter: &ListFilter<'_>, limit: usize) -> Vec<&Row<'static>> {
        let mut rows: Vec<&Row<'static>> = self.iter_where(filter).collect();
        let shown_time = |r: &Row<'_>| r.time.filter(|_| r.kind != Some(Kind::Enps));
        rows.sort_by(|a, b| {
            shown_time(b)
                .cmp(&shown_time(a))
                .then_with(|| a.id.cmp(&b.id))
        });
        rows.truncate(limit);
        rows
    }

    /// The figures of the counted responses that pass `filter` alone (a date range, one
    /// survey, one kind…), scored afresh: the same as a scorer fed only those responses.
    pub fn state_where(&self, filter: &ListFilter<'_>) -> ScoreState {
        let mut state = ScoreState::default();
        for row in self.iter_where(filter) {
            state.add(row);
        }
        state
    }

    /// How many employees at least gave the eNPS answers in `filter`'s scope
    /// ([`Scores::employees`]): its segment, survey, kind and dates, whatever its group,
    /// reason or text; 0 when the list it makes holds no employee's answer (another kind, a
    /// group eNPS does not have). A list under the anonymity floor leaves employees' answers
    /// out ([`ListFilter::without_employees`]), as the summary hides their figure: without
    /// their team, the scores of a team or a day asked for are still theirs.
    pub fn scope_employees(&self, filter: &ListFilter<'_>) -> u64 {
        let lists_employees = filter.kind.is_none_or(|k| k == Kind::Enps)
            && filter
                .group
                .is_none_or(|g| Kind::Enps.groups().contains(&g));
        if !lists_employees {
            return 0;
        }
        let scope = ListFilter {
            group: None,
            reason: None,
            text: None,
            with_comment: false,
            kind: Some(Kind::Enps),
            ..filter.clone()
        };
        let mut scores = Scores::default();
        for row in self.iter_where(&scope) {
            scores.add(Kind::Enps, row.score);
            scores.tally_week(enps_week(row.time), true);
        }
        scores.employees()
    }

    /// The counted responses that pass `filter`, in no order.
    pub fn iter_where<'s, 'f>(
        &'s self,
        filter: &'f ListFilter<'f>,
    ) -> impl Iterator<Item = &'s Row<'static>> + use<'s, 'f> {
        let text = filter
            .text
            .map(super::themes::folded)
            .filter(|t| !t.is_empty());
        self.rows
            .values()
            .filter(move |r| filter.passes(r, text.as_deref()))
    }
}

/// Which responses to list: every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct ListFilter<'a> {
    /// Only this group (`detractor`, `low`, …).
    pub group: Option<Group>,
    /// Only responses citing this reason.
    pub reason: Option<&'a str>,
    /// Only comments containing this text (case and accents folded: "nandu" finds "Ñandú").
    pub text: Option<&'a str>,
    /// Only this value of a segment field (`metadata.agent`, `surveyId`, `locale`, `kind`).
    pub segment: Option<(&'a str, &'a str)>,
    /// Only responses with a comment.
    pub with_comment: bool,
    /// Only responses of this kind.
    pub kind: Option<crate::metric::Kind>,
    /// Only responses of this survey.
    pub survey: Option<&'a str>,
    /// Only responses at or after this time (seconds since the epoch); undated ones are left out.
    pub from: Option<i64>,
    /// Only responses before this time (seconds since the epoch); undated ones are left out.
    pub until: Option<i64>,
    /// Employees' (eNPS) answers left out: a scope of fewer people than the anonymity floor.
    pub without_employees: bool,
}

impl ListFilter<'_> {
    fn passes(&self, row: &Row<'_>, text: Option<&str>) -> bool {
        let (Some(kind), comment) = (row.kind, row.comment.as_deref()) else {
            return false;
        };
        if self.with_comment && comment.is_none()
            || self.without_employees && kind == Kind::Enps
            || self.kind.is_some_and(|k| k != kind)
            || self
                .survey
                .is_some_and(|s| row.survey_id.as_deref() != Some(s))
            || self
                .from
                .is_some_and(|from| row.time.is_none_or(|t| t < from))
            || self
                .until
                .is_some_and(|until| row.time.is_none_or(|t| t >= until))
        {
            return false;
        }
        if self.group.is_some() && kind.group(row.score as i64) != self.group {
            return false;
        }
        if self
            .reason
            .is_some_and(|r| !row.reasons.iter().any(|x| x == r))
        {
            return false;
        }
        if let Some(text) = text {
            if !comment.is_some_and(|c| super::themes::folded(c).contains(text)) {
                return false;
            }
        }
        match self.segment {
            None => true,
            Some((field, value)) => {
                // "(none)": the answers without a value, as the summary's segments say.
                let mut actual = None;
                row.for_each_segment(kind, |f, v| {
                    if f == field && actual.is_none() {
                        actual = Some(v == value);
                    }
                });
                actual.unwrap_or(value == super::NO_VALUE)
            }
        }
    }
}
