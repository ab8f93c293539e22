//! Scores tied to outcomes: whether promoters actually stay and buy more. Responses are
//! remembered by who answered (`user.id`: their latest score per kind), then an outcomes
//! file (CSV with a header, or NDJSON: a customer id, then any of `retained`, `churned`,
//! `repurchased`, `crossSell`, `revenue`, and a date) is streamed against them. Per kind
//! and group come each outcome's rate with its Wilson 95% interval and revenue per
//! respondent with its interval, and the difference between the best and the worst group
//! (promoters − detractors) with its significance. Ids found on one side only are counted.

use crate::import::{csv, Report};
use crate::metric::{Group, Kind, KINDS};
use crate::score::{wilson, Row, Z95};
use std::collections::HashMap;

/// The yes/no outcomes, in report order, with their column names.
pub const FLAGS: [&str; 4] = ["retained", "churned", "repurchased", "crossSell"];

/// One customer's outcomes as read from the file (absent fields are `None`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutcomeRecord {
    /// The customer id the responses carry as `user.id`.
    pub id: String,
    /// `retained`, `churned`, `repurchased`, `crossSell`.
    pub flags: [Option<bool>; 4],
    /// Revenue (any currency, as long as it is one).
    pub revenue: Option<f64>,
}

/// The time of an answer that has none: before any other, and exact as a JavaScript number
/// (a saved state passes through one), which `i64::MIN` is not.
const NO_TIME: i64 = -(1 << 53);

/// Who answered what: each user's latest score per kind (by time; a tie, the later arrival).
/// Part of a scorer's saved state, so that a file scored in several workers (or a state
/// stored and restored) still joins to outcomes.
#[derive(Debug, Default, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Respondents {
    latest: HashMap<String, [Option<(u8, i64)>; KINDS.len()]>,
}

impl Respondents {
    /// Remembers the row's answer for its user, if it has a user and is the latest.
    pub fn record(&mut self, row: &Row<'_>) {
        let (Some(user), Some(kind)) = (&row.user, row.kind) else {
            return;
        };
        let slot = &mut self.latest.entry(user.to_string()).or_default()[kind as usize];
        let time = row.time.unwrap_or(NO_TIME);
        if slot.is_none_or(|(_, t)| time >= t) {
            *slot = Some((row.score, time));
        }
    }

    /// Adds `other`'s, as if its rows came after these (a later part of the same file).
    pub fn merge(&mut self, other: &Respondents) {
        for (user, theirs) in &other.latest {
            let mine = self.latest.entry(user.clone()).or_default();
            for (slot, their) in mine.iter_mut().zip(theirs) {
                if let Some((_, time)) = their {
                    if slot.is_none_or(|(_, t)| *time >= t) {
                        *slot = *their;
                    }
                }
            }
        }
    }

    /// People remembered.
    pub fn len(&self) -> usize {
        self.latest.len()
    }

    /// Whether nobody is.
    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }
}

/// Sums for one group of one kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupTally {
    /// Customers of this group found in the outcomes.
    pub n: u64,
    /// Per flag: (customers with a value, of whom yes).
    pub flags: [(u64, u64); 4],
    /// Revenue: (customers with a value, sum, sum of squares).
    pub revenue: (u64, f64, f64),
}

/// The outcomes read so far, joined to the respondents.
#[derive(Debug, Clone, Default)]
pub struct OutcomeTally {
    /// Per kind, per group tier (worst first).
    pub groups: [[GroupTally; 3]; KINDS.len()],
    /// Outcome ids found among the respondents.
    pub matched: u64,
    /// Outcome ids nobody with that id answered.
    pub unmatched: u64,
    /// The matched customers' outcomes, by id, for checks per segment (an agent's
    /// promoters: do they stay?).
    matched_records: HashMap<String, OutcomeRecord>,
}

impl OutcomeTally {
    /// Joins one outcome record. A customer listed twice counts once (the first time).
    pub fn add(&mut self, respondents: &Respondents, record: &OutcomeRecord) {
        let Some(answers) = respondents.latest.get(&record.id) else {
            self.unmatched += 1;
            return;
        };
        if self.matched_records.contains_key(&record.id) {
            return;
        }
        self.matched_records
            .insert(record.id.clone(), record.clone());
        self.matched += 1;
        for kind in KINDS {
            let Some((score, _)) = answers[kind as usize] else {
                continue;
            };
            let Some(group) = kind.group(score as i64) else {
                continue;
            };
            let tally = &mut self.groups[kind as usize][group.tier()];
            tally.n += 1;
            for (i, flag) in record.flags.iter().enumerate() {
                if let Some(yes) = flag {
                    tally.flags[i].0 += 1;
                    tally.flags[i].1 += *yes as u64;
                }
            }
            if let Some(r) = record.revenue {
                tally.revenue.0 += 1;
                tally.revenue.1 += r;
                tally.revenue.2 += r * r;
            }
        }
    }

    /// The outcomes of the respondent `user`, when the file had them.
    pub fn of(&self, user: &str) -> Option<&OutcomeRecord> {
        self.matched_records.get(user)
    }

    /// Respondents with no outcome record.
    pub fn without_outcome(&self, respondents: &Respondents) -> u64 {
        respondents.len() as u64 - self.matched
    }
}

/// A rate (0–100 %) or a mean, with its 95% interval and the customers behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The rate in % (flags) or the mean (revenue).
    pub value: f64,
    /// Low end of the 95% interval.
    pub low95: f64,
    /// High end of the 95% interval.
    pub high95: f64,
    /// Customers it rests on.
    pub n: u64,
}

/// A difference between two groups with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Best group minus worst (percentage points for flags).
    pub difference: f64,
    /// Low end of the 95% interval.
    pub low95: f64,
    /// High end of the 95% interval.
    pub high95: f64,
    /// Whether the interval excludes 0.
    pub significant: bool,
}

/// `yes` of `n` in %, with a Wilson interval; `None` when `n` is 0.
pub fn share(yes: u64, n: u64) -> Option<Estimate> {
    (n > 0).then(|| {
        let (lo, hi) = wilson(yes, n);
        Estimate {
            value: 100.0 * yes as f64 / n as f64,
            low95: 100.0 * lo,
            high95: 100.0 * hi,
            n,
        }
    })
}

impl GroupTally {
    /// The share of yes for flag `i`, in %, with a Wilson interval.
    pub fn rate(&self, i: usize) -> Option<Estimate> {
        let (n, yes) = self.flags[i];
        share(yes, n)
    }

    fn revenue_moments(&self) -> Option<(f64, f64, f64)> {
        let (n, sum, squares) = self.revenue;
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let mean = sum / nf;
        let variance = if n > 1 {
            ((squares - nf * mean * mean) / (nf - 1.0)).max(0.0)
        } else {
            f64::NAN
        };
        Some((mean, variance, nf))
    }

    /// Revenue per respondent (mean) with a normal 95% interval.
    pub fn revenue(&self) -> Option<Estimate> {
        let (mean, variance, nf) = self.revenue_moments()?;
        let half = Z95 * (variance / nf).sqrt();
        Some(Estimate {
            value: mean,
            low95: mean - half,
            high95: mean + half,
            n: self.revenue.0,
        })
    }
}

fn difference(diff: f64, se: f64) -> Difference {
    let half = Z95 * se;
    Difference {
        difference: diff,
        low95: diff - half,
        high95: diff + half,
        significant: diff.abs() > half,
    }
}

/// Best group minus worst for flag `i`, in percentage points, with Newcombe's interval
/// (built from each side's Wilson interval): the plain normal interval collapses to a
/// point when both rates are 0% or 100%, and would call one customer against one a
/// significant difference.
pub fn flag_difference(best: &GroupTally, worst: &GroupTally, i: usize) -> Option<Difference> {
    let ((nb, yb), (nw, yw)) = (best.flags[i], worst.flags[i]);
    proportion_difference(yb, nb, yw, nw)
}

/// `x1/n1 − x2/n2` in percentage points with Newcombe's interval (method 10: from the
/// two Wilson intervals); `None` when either side is empty.
pub fn proportion_difference(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<Difference> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (d, low, high) = crate::score::newcombe(x1, n1, x2, n2);
    Some(Difference {
        difference: 100.0 * d,
        low95: 100.0 * low,
        high95: 100.0 * high,
        significant: low > 0.0 || high < 0.0,
    })
}

/// Best group minus worst in revenue per respondent (Welch).
pub fn revenue_difference(best: &GroupTally, worst: &GroupTally) -> Option<Difference> {
    let ((mb, vb, nb), (mw, vw, nw)) = (best.revenue_moments()?, worst.revenue_moments()?);
    Some(difference(mb - mw, (vb / nb + vw / nw).sqrt()))
}

/// The groups of a kind, worst first, by tier (for reports).
pub fn groups(kind: Kind) -> [Group; 3] {
    kind.groups()
}

/// Reads an outcomes file in chunks (CSV with a header row, or NDJSON), calling `sink`
/// with each record; a row without an id, or with a value that does not read, is
/// rejected with its line and column.
#[derive(Debug)]
pub struct OutcomeReader {
    ndjson: bool,
    csv: csv::Reader,
    header: Option<Vec<String>>,
    pending: Vec<u8>,
    line: u64,
    report: Report,
}

/// Column names that hold the customer id, in order of preference.
const ID_COLUMNS: [&str; 7] = [
    "userid",
    "user.id",
    "user_id",
    "accountid",
    "account_id",
    "customerid",
    "id",
];

impl OutcomeReader {
    /// A reader for NDJSON (`true`) or CSV.
    pub fn new(ndjson: bool) -> OutcomeReader {
        OutcomeReader {
            ndjson,
            csv: csv::Reader::default(),
            header: None,
            pending: Vec::new(),
            line: 0,
            report: Report::default(),
        }
    }

    /// Reads `chunk`.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut impl FnMut(&OutcomeRecord)) {
        if self.ndjson {
            let mut start = 0;
            while let Some(n) = crate::bytes::find_byte(&chunk[start..], b'\n') {
                crate::import::hold_line(&mut self.pending, &chunk[start..start + n]);
                self.line += 1;
                let line = std::mem::take(&mut self.pending);
                self.json_line(&line, sink);
                start += n + 1;
            }
            crate::import::hold_line(&mut self.pending, &chunk[start..]);
        } else {
            let (header, report) = (&mut self.header, &mut self.report);
            self.csv.feed(chunk, &mut |line, record| {
                csv_record(header, report, line, record, sink)
            });
        }
    }

    /// Reads the rest and returns the report (`accepted`, the rejected lines).
    pub fn finish(mut self, sink: &mut impl FnMut(&OutcomeRecord)) -> Report {
        if self.ndjson {
            if !self.pending.is_empty() {
                self.line += 1;
                let line = std::mem::take(&mut self.pending);
                self.json_line(&line, sink);
            }
        } else {
            let (header, report) = (&mut self.header, &mut self.report);
            self.csv
                .finish(&mut |line, record| csv_record(header, report, line, record, sink));
        }
        self.report
    }

    fn json_line(&mut self, raw: &[u8], sink: &mut impl FnMut(&OutcomeRecord)) {
        if raw.len() > csv::MAX_RECORD_BYTES {
            let error = crate::import::TOO_LONG_LINE.to_owned();
            return self.report.reject(self.line, "line", error);
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(raw) else {
            self.report
                .reject(self.line, "line", "expected a JSON object".into());
            return;
        };
        let cell = |name: &str| -> Option<String> {
            let (_, v) = object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
            match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                // `user: { id }`, the id a string or a number (as the responses' importer takes it).
                serde_json::Value::Object(o) => match o.get("id")? {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                },
                _ => None,
            }
        };
        let id = cell("user").or_else(|| ID_COLUMNS.iter().find_map(|c| cell(c)));
        let line = self.line;
        match record(id, |name| cell(name)) {
            Ok(r) => {
                self.report.accepted += 1;
                sink(&r);
            }
            Err((field, error)) => self.report.reject(line, field, error),
        }
    }
}

fn csv_record(
    header: &mut Option<Vec<String>>,
    report: &mut Report,
    line: u64,
    fields: csv::Record,
    sink: &mut impl FnMut(&OutcomeRecord),
) {
    let fields = match fields {
        Ok((fields, _)) => fields,
        Err(refused) => return report.reject(line, "csv", refused.to_owned()),
    };
    if csv::is_blank(fields) {
        return;
    }
    let Some(names) = header else {
        *header = Some(
            fields
                .iter()
                .map(|f| f.trim().to_ascii_lowercase())
                .collect(),
        );
        return;
    };
    if fields.iter().all(|f| f.trim().is_empty()) {
        return;
    }
    let cell = |name: &str| -> Option<String> {
        let i = names.iter().position(|n| n == &name.to_ascii_lowercase())?;
        Some(crate::schema::unguarded(fields.get(i)?.trim()).to_owned()).filter(|s| !s.is_empty())
    };
    let id = ID_COLUMNS.iter().find_map(|c| cell(c));
    match record(id, cell) {
        Ok(r) => {
            report.accepted += 1;
            sink(&r);
        }
        Err((field, error)) => report.reject(line, field, error),
    }
}

fn record(
    id: Option<String>,
    cell: impl Fn(&str) -> Option<String>,
) -> Result<OutcomeRecord, (&'static str, String)> {
    let id = id.filter(|i| !i.trim().is_empty()).ok_or((
        "userId",
        "expected a customer id (a userId, accountId or id column)".to_owned(),
    ))?;
    let mut out = OutcomeRecord {
        id,
        ..OutcomeRecord::default()
    };
    for (i, name) in FLAGS.iter().enumerate() {
        let Some(text) =
            cell(name).or_else(|| (*name == "crossSell").then(|| cell("cross_sell")).flatten())
        else {
            continue;
        };
        out.flags[i] = Some(match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => true,
            "false" | "0" | "no" | "n" => false,
            _ => {
                return Err((
                    name,
                    format!("expected true or false (or 1/0, yes/no), got {text:?}"),
                ))
            }
        });
    }
    if let Some(text) = cell("revenue") {
        match text.parse::<f64>() {
            Ok(r) if r.is_finite() => out.revenue = Some(r),
            _ => {
                return Err((
                    "revenue",
                    format!("expected a number such as 1250.50, got {text:?}"),
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
