//! Scoring: mergeable aggregates per kind and the statistics CX teams defend.
//!
//! An aggregate is a histogram over the kind's scale, so shards, periods and
//! segments combine exactly by adding counts, and every figure (NPS, CSAT %,
//! CES mean, their intervals) is computed from the histogram alone.
//!
//! - NPS = %promoters − %detractors; its 95% interval is the adjusted Wald one (Rocks,
//!   The American Statistician, 2016: the best of six in coverage): ¾ promoter and ¾
//!   detractor added, n + 3, then NPS′ ± 1.96·√((p′ + d′ − (p′ − d′)²)/(n + 3)), clipped
//!   to ±100. Unlike the plain Wald interval it does not shrink to nothing when every
//!   answer is a promoter (or a detractor).
//! - CSAT % = share of 4–5; 95% Wilson score interval (sound near 0% and 100%).
//! - CES (and rating) = mean on its scale; "agree" = share of 5–7. Its 95% interval is the
//!   mean's with one answer added at each end of the scale, clipped to the scale, so that a
//!   few equal answers do not make an interval of nothing (see [`Histogram::adjusted_mean`]).
//! - A change between two aggregates is significant when the 95% interval of
//!   the difference excludes 0 (NPS: adjusted variances add; CSAT and yes %: Newcombe's
//!   interval from the two Wilson intervals; CES and rating: the adjusted means' difference
//!   with their unpooled variances added, a normal interval).

mod latest;
mod questions;
mod row;
mod themes;

pub use latest::{Latest, ListFilter};
pub use questions::{QuestionStats, Questions};
pub use row::{Row, Times};
pub use themes::Themes;

use crate::metric::{Group, Kind, Statistic, KINDS};
use std::collections::BTreeMap;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Below this many answers a figure is flagged as too small to trust.
pub const SMALL_SAMPLE: u64 = 30;

/// The most points a scale has (NPS and eNPS: 0 to 10).
pub const MAX_POINTS: usize = 11;

/// Counts per scale point, held inline: a histogram is updated for every row, once per
/// segment, and one on the heap cost a pointer chase per update and an allocation per
/// kind for every new segment value or day. Reads as a slice; (de)serialises as a list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    len: u8,
    values: [u64; MAX_POINTS],
}

impl Counts {
    /// `points` zeros (at most [`MAX_POINTS`]).
    pub fn zeros(points: usize) -> Counts {
        Counts {
            len: points.min(MAX_POINTS) as u8,
            values: [0; MAX_POINTS],
        }
    }
}

impl std::ops::Deref for Counts {
    type Target = [u64];
    fn deref(&self) -> &[u64] {
        &self.values[..self.len as usize]
    }
}

impl std::ops::DerefMut for Counts {
    fn deref_mut(&mut self) -> &mut [u64] {
        &mut self.values[..self.len as usize]
    }
}

impl std::fmt::Debug for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Counts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let list = Vec::<u64>::deserialize(d)?;
        if list.len() > MAX_POINTS {
            return Err(serde::de::Error::invalid_length(
                list.len(),
                &"at most 11 counts, one per scale point",
            ));
        }
        let mut counts = Counts::zeros(list.len());
        counts.copy_from_slice(&list);
        Ok(counts)
    }
}

/// Counts per scale point of one kind (index 0 is the kind's lowest score).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Histogram {
    /// The kind.
    pub kind: Kind,
    /// Count per point, lowest score first.
    pub counts: Counts,
}

impl Histogram {
    /// An empty histogram for `kind`.
    pub fn new(kind: Kind) -> Histogram {
        Histogram {
            kind,
            counts: Counts::zeros(kind.points()),
        }
    }

    /// Adds one answer; off-scale scores are ignored (callers validate first).
    pub fn add(&mut self, score: u8) {
        if let Some(c) = (score as usize)
            .checked_sub(self.kind.min() as usize)
            .and_then(|i| self.counts.get_mut(i))
        {
            *c += 1;
        }
    }

    /// Takes one answer back out (a count never goes below zero).
    pub fn remove(&mut self, score: u8) {
        if let Some(c) = (score as usize)
            .checked_sub(self.kind.min() as usize)
            .and_then(|i| self.counts.get_mut(i))
        {
            *c = c.saturating_sub(1);
        }
    }

    /// The answers of `self` that are not in `part` (a segment, the answers citing a
    /// reason): the rest, to compare the part against.
    pub fn without(&self, part: &Histogram) -> Histogram {
        let mut rest = self.clone();
        for (r, p) in rest.counts.iter_mut().zip(part.counts.iter()) {
            *r = r.saturating_sub(*p);
        }
        rest
    }

    /// Adds every count of `other` (same kind).
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
    }

    /// Number of answers.
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn scores(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .map(|(i, c)| ((i + self.kind.min() as usize) as f64, *c))
    }

    fn count_where(&self, keep: impl Fn(u8) -> bool) -> u64 {
        self.counts
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i as u8 + self.kind.min()))
            .map(|(_, c)| *c)
            .sum()
    }

    /// Answers in `group`.
    pub fn group_count(&self, group: Group) -> u64 {
        self.count_where(|s| self.kind.group(s as i64) == Some(group))
    }

    /// Answers in the kind's worst and best groups (detractors and promoters; the
    /// dissatisfied and the satisfied).
    fn worst_and_best(&self) -> (u64, u64) {
        let [worst, _, best] = self.kind.groups();
        (self.group_count(worst), self.group_count(best))
    }

    /// Mean score.
    pub fn mean(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            return f64::NAN;
        }
        self.scores().map(|(s, c)| s * c as f64).sum::<f64>() / n as f64
    }

    /// The mean with one answer added at each end of the scale, and that mean's variance
    /// (the adjusted sample's variance over its size). On a two-point scale, a difference
    /// of two such means is Agresti and Caffo's interval (one success and one failure
    /// added to each side); here it keeps an interval honest where every answer is the
    /// same, and its weight fades as answers come.
    pub fn adjusted_mean(&self) -> (f64, f64) {
        let (lowest, highest) = (self.kind.min() as f64, self.kind.max() as f64);
        let n = self.n() as f64 + 2.0;
        let (sum, squares) = self.scores().fold(
            (lowest + highest, lowest * lowest + highest * highest),
            |(sum, squares), (s, c)| (sum + s * c as f64, squares + s * s * c as f64),
        );
        let mean = sum / n;
        (mean, (squares / n - mean * mean).max(0.0) / n)
    }
}

/// A figure as the summary's JSON gives it: six decimals, and `null` where it is undefined
/// (JSON has no NaN: the spread of a single answer).
#[cfg(feature = "serde")]
fn figure<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        serializer.serialize_f64((x * 1e6).round() / 1e6)
    } else {
        serializer.serialize_none()
    }
}

/// NPS figures (shares and score on the 0–100 / −100…100 scale).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "camelCase")
)]
pub struct NpsSummary {
    /// Answers.
    pub n: u64,
    /// %promoters − %detractors.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub score: f64,
    /// % promoters (9–10).
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub promoters: f64,
    /// % passives (7–8).
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub passives: f64,
    /// % detractors (0–6).
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub detractors: f64,
    /// 95% interval (adjusted Wald), low end, in NPS points.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub low95: f64,
    /// 95% interval, high end.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub high95: f64,
    /// Half-width of that interval before clipping, in NPS points.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub margin95: f64,
    /// n < 30.
    pub small_sample: bool,
}

/// CSAT figures.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "camelCase")
)]
pub struct CsatSummary {
    /// Answers.
    pub n: u64,
    /// % of answers that are 4 or 5.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub score: f64,
    /// Mean on 1–5.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub mean: f64,
    /// Wilson 95% interval of `score`, low end (%).
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub low95: f64,
    /// Wilson 95% interval of `score`, high end (%).
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub high95: f64,
    /// n < 30.
    pub small_sample: bool,
}

/// CES figures.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "camelCase")
)]
pub struct CesSummary {
    /// Answers.
    pub n: u64,
    /// Mean on 1–7.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub score: f64,
    /// % of answers 5–7 ("agree").
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub agree: f64,
    /// 95% interval of the mean, low end.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub low95: f64,
    /// 95% interval of the mean, high end.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub high95: f64,
    /// Half-width of that interval before clipping, around the adjusted mean (see
    /// [`Histogram::adjusted_mean`]), so not always `score ± margin95`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "figure"))]
    pub margin95: f64,
    /// n < 30.
    pub small_sample: bool,
}

/// NPS of a histogram, or `None` when it has no answers.
pub fn nps(h: &Histogram) -> Option<NpsSummary> {
    let n = h.n();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let (detractors, promoters) = h.worst_and_best();
    let (p, d) = (promoters as f64 / nf, detractors as f64 / nf);
    let (center, variance) = adjusted_nps(h);
    let margin = Z95 * 100.0 * variance.sqrt();
    Some(NpsSummary {
        n,
        score: 100.0 * (p - d),
        promoters: 100.0 * p,
        passives: 100.0 * (1.0 - p - d),
        detractors: 100.0 * d,
        low95: (100.0 * center - margin).max(-100.0),
        high95: (100.0 * center + margin).min(100.0),
        margin95: margin,
        small_sample: n < SMALL_SAMPLE,
    })
}

/// The adjusted Wald NPS (as a fraction) and its variance: ¾ of an answer added to the
/// promoters and to the detractors, 3 to n.
fn adjusted_nps(h: &Histogram) -> (f64, f64) {
    let (detractors, promoters) = h.worst_and_best();
    let n = h.n() as f64 + 3.0;
    let (p, d) = (
        (promoters as f64 + 0.75) / n,
        (detractors as f64 + 0.75) / n,
    );
    (p - d, (p + d - (p - d).powi(2)) / n)
}

/// The Wilson score interval of `x` successes in `n` trials, as fractions.
pub fn wilson(x: u64, n: u64) -> (f64, f64) {
    wilson_at(x, n, Z95)
}

/// [`wilson`] `z` standard errors wide (1.96 for 95%).
fn wilson_at(x: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let (nf, p, z2) = (n as f64, x as f64 / n as f64, z * z);
    let center = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / (1.0 + z2 / nf);
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// `x1/n1 − x2/n2` with Newcombe's interval (method 10: from the two Wilson intervals),
/// as fractions `(difference, low, high)`; `n1` and `n2` must not be 0.
pub fn newcombe(x1: u64, n1: u64, x2: u64, n2: u64) -> (f64, f64, f64) {
    newcombe_at(x1, n1, x2, n2, Z95)
}

fn newcombe_at(x1: u64, n1: u64, x2: u64, n2: u64, z: f64) -> (f64, f64, f64) {
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let ((l1, u1), (l2, u2)) = (wilson_at(x1, n1, z), wilson_at(x2, n2, z));
    let d = p1 - p2;
    (
        d,
        d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
    )
}

/// CSAT of a histogram, or `None` when it has no answers.
pub fn csat(h: &Histogram) -> Option<CsatSummary> {
    let n = h.n();
    if n == 0 {
        return None;
    }
    let (_, satisfied) = h.worst_and_best();
    let (low, high) = wilson(satisfied, n);
    Some(CsatSummary {
        n,
        score: 100.0 * satisfied as f64 / n as f64,
        mean: h.mean(),
        low95: 100.0 * low,
        high95: 100.0 * high,
        small_sample: n < SMALL_SAMPLE,
    })
}

/// CES of a histogram, or `None` when it has no answers.
pub fn ces(h: &Histogram) -> Option<CesSummary> {
    let n = h.n();
    if n == 0 {
        return None;
    }
    // One answer has no spread to measure: no interval at all (not the scale's ends).
    let (low95, high95, margin) = if n < 2 {
        (f64::NAN, f64::NAN, f64::NAN)
    } else {
        let (center, variance) = h.adjusted_mean();
        let margin = Z95 * variance.sqrt();
        (
            (center - margin).max(h.kind.min() as f64),
            (center + margin).min(h.kind.max() as f64),
            margin,
        )
    };
    Some(CesSummary {
        n,
        score: h.mean(),
        agree: 100.0 * h.worst_and_best().1 as f64 / n as f64,
        low95,
        high95,
        margin95: margin,
        small_sample: n < SMALL_SAMPLE,
    })
}

/// The change from `a` to `b` (b − a) with its 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The kind compared.
    pub kind: Kind,
    /// b − a, in the kind's score units (NPS points, CSAT % points, CES mean).
    pub difference: f64,
    /// Low end of the 95% interval of the difference.
    pub low95: f64,
    /// High end of the 95% interval of the difference.
    pub high95: f64,
    /// Whether the interval excludes 0.
    pub significant: bool,
    /// Either side has fewer than 30 answers.
    pub small_sample: bool,
}

/// Compares two histograms of the same kind; `None` when either is empty.
pub fn compare(a: &Histogram, b: &Histogram) -> Option<Change> {
    compare_at(a, b, Z95)
}

/// The two-sided p-value of [`compare`]'s difference, from its own interval: the `α` at
/// which the `1 − α` interval just reaches 0. `None` when either side is empty.
pub fn p_value(a: &Histogram, b: &Histogram) -> Option<f64> {
    match normal_difference(a, b) {
        // A normal interval leaves 0 out from z = |center| / se on: no search needed, which
        // counts with 2,000 segments weighed at every render of a dashboard.
        Some(Some((center, se))) if se > 0.0 && center != 0.0 => {
            Some(erfc(center.abs() / se / std::f64::consts::SQRT_2).min(1.0))
        }
        Some(Some((center, _))) => Some(if center == 0.0 { 1.0 } else { 0.0 }),
        Some(None) => {
            p_value_where(|z| compare_at(a, b, z).map(|c| c.low95 > 0.0 || c.high95 < 0.0))
        }
        None => None,
    }
}

/// The center and standard error of `b − a` on the adjusted figures, for the kinds whose
/// interval is normal (NPS in points of 1, not 100; the means); `Some(None)` for a share,
/// whose interval (Newcombe's) is not; `None` when a side is empty or the kinds differ.
fn normal_difference(a: &Histogram, b: &Histogram) -> Option<Option<(f64, f64)>> {
    if a.n() == 0 || b.n() == 0 || a.kind != b.kind {
        return None;
    }
    let ((ca, va), (cb, vb)) = match a.kind.spec().statistic {
        Statistic::Net => (adjusted_nps(a), adjusted_nps(b)),
        // Welch on the adjusted means (an answer added at each end of the scale): three
        // answers of 7 have no spread of their own to measure.
        Statistic::Mean => (a.adjusted_mean(), b.adjusted_mean()),
        Statistic::Share => return Some(None),
    };
    Some(Some((cb - ca, (va + vb).sqrt())))
}

/// The two-sided p-value of `x1/n1 − x2/n2` from Newcombe's interval, as [`p_value`] reads
/// it; `None` when either side is empty.
pub fn proportion_p_value(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    p_value_where(|z| {
        let (_, low, high) = newcombe_at(x1, n1, x2, n2, z);
        Some(low > 0.0 || high < 0.0)
    })
}

/// The `α` at which a `1 − α` interval just reaches 0, given whether the interval `z`
/// standard errors wide leaves 0 out (`None`: no interval).
fn p_value_where(excludes_zero: impl Fn(f64) -> Option<bool>) -> Option<f64> {
    // Wider as `z` grows: the `z` where the interval first reaches 0, by bisection.
    let (mut inside, mut outside) = (0.0_f64, 40.0_f64);
    if !excludes_zero(inside)? {
        return Some(1.0);
    }
    if excludes_zero(outside)? {
        return Some(0.0);
    }
    for _ in 0..60 {
        let z = (inside + outside) / 2.0;
        if excludes_zero(z)? {
            inside = z;
        } else {
            outside = z;
        }
    }
    Some(erfc(inside / std::f64::consts::SQRT_2))
}

/// The complementary error function, to a relative error under 1.2e-7 (Numerical
/// Recipes' Chebyshev fit): what turns a normal deviate into a two-sided p-value.
fn erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let tail = t * poly.exp();
    if x >= 0.0 {
        tail
    } else {
        2.0 - tail
    }
}

/// Benjamini–Hochberg: which of `p_values` are discoveries with the false discovery rate
/// held to `rate`. When a field has hundreds of segments, a 95% test of each calls about
/// one in twenty different by chance alone; this keeps the share of false calls to `rate`.
pub fn discoveries(p_values: &[f64], rate: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    // The largest rank k whose p-value is at most k/m × rate: it and all before it are in.
    let cut = order
        .iter()
        .enumerate()
        .rev()
        .find(|&(rank, &i)| p_values[i] <= (rank + 1) as f64 / m as f64 * rate)
        .map_or(0, |(rank, _)| rank + 1);
    let mut found = vec![false; m];
    for &i in &order[..cut] {
        found[i] = true;
    }
    found
}

/// Calls `set(i, found)` for each `p_values[i]` there is, `found` saying whether it is a
/// discovery among them all ([`discoveries`], 5%).
pub fn weigh(p_values: &[Option<f64>], mut set: impl FnMut(usize, bool)) {
    let tested: Vec<(usize, f64)> = p_values
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, (*p)?)))
        .collect();
    let p: Vec<f64> = tested.iter().map(|&(_, p)| p).collect();
    for (&(i, _), found) in tested.iter().zip(discoveries(&p, 0.05)) {
        set(i, found);
    }
}

/// [`compare`] with an interval `z` standard errors wide (1.96 for 95%).
fn compare_at(a: &Histogram, b: &Histogram, z: f64) -> Option<Change> {
    let (na, nb) = (a.n(), b.n());
    // A normal interval: center ± z standard errors.
    let normal =
        |(center, se): (f64, f64), unit: f64| (unit * (center - z * se), unit * (center + z * se));
    // The difference, and its interval.
    let (difference, (low95, high95)) = match (a.kind.spec().statistic, normal_difference(a, b)?) {
        (Statistic::Net, Some(parts)) => {
            let net = |h: &Histogram| {
                let (detractors, promoters) = h.worst_and_best();
                100.0 * (promoters as f64 - detractors as f64) / h.n() as f64
            };
            (net(b) - net(a), normal(parts, 100.0))
        }
        (Statistic::Mean, Some(parts)) => (b.mean() - a.mean(), normal(parts, 1.0)),
        _ => {
            // Newcombe's interval, from the two Wilson intervals: the plain normal one
            // collapses where a side is at 0% or 100%, and would call 3 satisfied answers
            // of 3 against 97% of a thousand a significant drop.
            let satisfied = |h: &Histogram| h.worst_and_best().1;
            let (d, low, high) = newcombe_at(satisfied(b), nb, satisfied(a), na, z);
            (100.0 * d, (100.0 * low, 100.0 * high))
        }
    };
    // A difference cannot pass what the scale allows (±200 NPS points, ±100 % points, ±6
    // on a 1–7 scale), however wide a few answers make its interval.
    let span = match a.kind.spec().statistic {
        Statistic::Net => 200.0,
        Statistic::Share => 100.0,
        Statistic::Mean => (a.kind.max() - a.kind.min()) as f64,
    };
    let (low95, high95) = (low95.max(-span), high95.min(span));
    Some(Change {
        kind: a.kind,
        difference,
        low95,
        high95,
        significant: low95 > 0.0 || high95 < 0.0,
        small_sample: na < SMALL_SAMPLE || nb < SMALL_SAMPLE,
    })
}

/// One histogram per kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Scores {
    /// NPS, CSAT, CES in that order.
    pub kinds: [Histogram; KINDS.len()],
    /// Employees' (eNPS) answers per week (Monday-based, weeks since 1970; undated ones
    /// under [`UNDATED_WEEK`]): see [`Scores::employees`].
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")
    )]
    pub enps_weeks: BTreeMap<i64, u64>,
}

/// Where [`Scores::enps_weeks`] counts answers without a time.
pub const UNDATED_WEEK: i64 = i64::MIN;

/// The week [`Scores::enps_weeks`] counts an answer of `time` (Unix seconds) under.
pub fn enps_week(time: Option<i64>) -> i64 {
    // 1970-01-01 was a Thursday: three days on, weeks start on Mondays.
    time.map_or(UNDATED_WEEK, |t| (t.div_euclid(86_400) + 3).div_euclid(7))
}

impl Default for Scores {
    fn default() -> Self {
        Scores {
            kinds: KINDS.map(Histogram::new),
            enps_weeks: BTreeMap::new(),
        }
    }
}

impl Scores {
    /// The histogram of `kind`.
    pub fn get(&self, kind: Kind) -> &Histogram {
        &self.kinds[kind as usize]
    }

    /// Adds one answer.
    pub fn add(&mut self, kind: Kind, score: u8) {
        self.kinds[kind as usize].add(score);
    }

    /// Takes one answer back out.
    pub fn remove(&mut self, kind: Kind, score: u8) {
        self.kinds[kind as usize].remove(score);
    }

    /// Adds (or, `added` false, takes back) an employee's answer to its week's tally.
    pub fn tally_week(&mut self, week: i64, added: bool) {
        let count = self.enps_weeks.entry(week).or_default();
        if added {
            *count += 1;
        } else {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.enps_weeks.remove(&week);
            }
        }
    }

    /// How many employees at least gave the eNPS answers counted: the most answers of any
    /// one week (a pulse asks each person once, and no oftener than weekly); answers without
    /// a date, when none has one, each one person. The anonymity floor counts these, not the answers:
    /// two people answering three monthly pulses are six answers, and two people. States
    /// saved before the weekly tally know only the answers.
    pub fn employees(&self) -> u64 {
        let n = self.get(Kind::Enps).n();
        if self.enps_weeks.is_empty() {
            return n;
        }
        let undated = self.enps_weeks.get(&UNDATED_WEEK).copied().unwrap_or(0);
        let dated = self
            .enps_weeks
            .iter()
            .filter(|(week, _)| **week != UNDATED_WEEK)
            .map(|(_, count)| *count)
            .max()
            .unwrap_or(0);
        // Undated answers may be anyone's: alone they are each a person; beside dated ones
        // they may repeat them, and the busiest week is all that is certain.
        if dated == 0 {
            undated.min(n)
        } else {
            dated.min(n)
        }
    }

    /// Whether it holds no answer.
    pub fn is_empty(&self) -> bool {
        self.kinds.iter().all(|h| h.n() == 0)
    }

    /// Adds `other`.
    pub fn merge(&mut self, other: &Scores) {
        for (a, b) in self.kinds.iter_mut().zip(&other.kinds) {
            a.merge(b);
        }
        for (week, count) in &other.enps_weeks {
            *self.enps_weeks.entry(*week).or_default() += count;
        }
    }
}

/// Most distinct values kept per segment field: an id-like field (ticketId) would
/// otherwise grow without bound; past it the field is reported as not segmentable.
pub const MAX_SEGMENT_VALUES: usize = 2000;

/// Most segment fields kept: a file whose rows each name new metadata keys would
/// otherwise grow the state by a field per key (millions of keys, gigabytes); past it,
/// new fields are not segmented and the summary says so.
pub const MAX_SEGMENT_FIELDS: usize = 256;

/// Per reason: answers citing it, per kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReasonStats {
    /// Scores of the answers that cite the reason.
    pub citing: Scores,
}

/// The scorer's hash map: foldhash, randomly seeded. Segment lookups by field and value
/// run for every row; ordered maps spent a fifth of a million-row import comparing
/// strings. Readers sort where order shows (the summary lists values by name).
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A field's segments, or a note that it had too many values to segment by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Segments {
    /// Scores per value.
    pub values: indexmap::IndexMap<String, Scores, foldhash::fast::RandomState>,
    /// More than [`MAX_SEGMENT_VALUES`] distinct values were seen.
    pub overflow: bool,
    /// The answers whose value came past the cap: counted here, not listed, so that the
    /// answers without a value are still known exactly. `None` past the cap in a state
    /// saved before it was counted: those are then not known.
    #[cfg_attr(feature = "serde", serde(default))]
    pub beyond: Option<Scores>,
}

/// The label of the answers that have no value for a segment field.
pub const NO_VALUE: &str = "(none)";

impl Segments {
    /// The answers of `overall` that have no value for this field, so that a field's
    /// segments add up to the whole; `None` when every answer has one, or when they are
    /// not known (a state saved before the answers past the cap were counted).
    pub fn unsegmented(&self, overall: &Scores) -> Option<Scores> {
        if self.overflow && self.beyond.is_none() {
            return None;
        }
        let mut rest = overall.clone();
        for scores in self.values.values().chain(&self.beyond) {
            for (mine, theirs) in rest.kinds.iter_mut().zip(&scores.kinds) {
                for (a, b) in mine.counts.iter_mut().zip(theirs.counts.iter()) {
                    *a = a.saturating_sub(*b);
                }
            }
            for (week, count) in &scores.enps_weeks {
                if let Some(mine) = rest.enps_weeks.get_mut(week) {
                    *mine = mine.saturating_sub(*count);
                }
            }
        }
        rest.enps_weeks.retain(|_, count| *count > 0);
        (!rest.is_empty()).then_some(rest)
    }
}

/// Everything the scorer knows: exact, mergeable and serialisable.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreState {
    /// All answers.
    pub overall: Scores,
    /// Per field name (`surveyId`, `locale`, `metadata.<key>`), per value.
    pub segments: SegmentFields,
    /// Per day (days since 1970-01-01, UTC); weeks and months are merged from days. A hash
    /// map: looked up for every dated row, where an ordered map's search cost 9% of a
    /// million-row import natively (5% in wasm); readers that show days in order sort them.
    pub days: FastMap<i64, Scores>,
    /// Per reason chip.
    pub reasons: BTreeMap<String, ReasonStats>,
    /// Words and phrases of comments, per group tier.
    pub themes: Themes,
    /// The questions of surveys that ask several.
    pub questions: Questions,
    /// More than [`MAX_SEGMENT_FIELDS`] fields were seen: the later ones are not segmented.
    #[cfg_attr(feature = "serde", serde(default))]
    pub fields_overflow: bool,
    /// Where each of a row's segment fields was found for the rows before (rows of one
    /// file name the same fields in the same order), and where its recent values were:
    /// found again by a text comparison instead of a hash lookup. Not part of the state.
    #[cfg_attr(feature = "serde", serde(skip))]
    field_slots: FieldSlots,
}

/// The segments of every field, in the order the fields were first seen (so that a
/// field's place can be remembered between rows).
pub type SegmentFields = indexmap::IndexMap<String, Segments, foldhash::fast::RandomState>;

/// Per position in a row's segment fields: the index in [`SegmentFields`] where that field
/// was last found, and a small table of where its recent values were found, placed by a
/// cheap mark of the value (its length and two bytes). A segment field has few values
/// (agents, touchpoints, a survey, a locale), so most rows find theirs without hashing.
/// Every entry is checked by comparing the text before use: a stale one costs a lookup.
#[derive(Debug, Clone, Default)]
struct FieldSlots(Vec<FieldSlot>);

#[derive(Debug, Clone)]
struct FieldSlot {
    field: usize,
    /// Value index + 1 per place; 0 for none.
    recent: [u32; 16],
}

/// A key looked up in a segment map: hashed as the `String` it stands for, compared a
/// word at a time (see [`crate::bytes::same`]).
#[derive(Hash)]
struct Text<'a>(&'a str);

impl indexmap::Equivalent<String> for Text<'_> {
    fn equivalent(&self, key: &String) -> bool {
        crate::bytes::same(self.0.as_bytes(), key.as_bytes())
    }
}

/// Whether `field` is `prefix` followed by `name`.
fn is_joined(field: &[u8], prefix: &str, name: &str) -> bool {
    let (prefix, name) = (prefix.as_bytes(), name.as_bytes());
    field.len() == prefix.len() + name.len()
        && crate::bytes::same(&field[..prefix.len()], prefix)
        && crate::bytes::same(&field[prefix.len()..], name)
}

/// Where a value's index is kept in [`FieldSlot::recent`].
fn recent_place(value: &str) -> usize {
    let bytes = value.as_bytes();
    let (first, last) = (
        bytes.first().copied().unwrap_or(0),
        bytes.last().copied().unwrap_or(0),
    );
    (bytes.len() ^ first as usize ^ (last as usize).rotate_left(2)) & 15
}

impl PartialEq for FieldSlots {
    fn eq(&self, _: &Self) -> bool {
        true // a cache: two states that count the same are equal whatever it holds
    }
}

/// Adds an answer to `scores` (or, `added` false, takes it back), with an employee's to its
/// `week` (see [`Scores::employees`]).
pub(crate) fn counted(scores: &mut Scores, kind: Kind, score: u8, week: Option<i64>, added: bool) {
    if added {
        scores.add(kind, score);
    } else {
        scores.remove(kind, score);
    }
    if let Some(week) = week {
        scores.tally_week(week, added);
    }
}

impl ScoreState {
    /// Adds one validated row.
    pub fn add(&mut self, row: &Row<'_>) {
        let Some(kind) = row.kind else { return };
        let score = row.score;
        let week = (kind == Kind::Enps).then(|| enps_week(row.time));
        counted(&mut self.overall, kind, score, week, true);
        let (segments, slots, fields_overflow) = (
            &mut self.segments,
            &mut self.field_slots.0,
            &mut self.fields_overflow,
        );
        let mut position = 0;
        // A field joined only where it differs from the one seen last (allocated once per
        // row at most, and not at all on most rows).
        let mut joined = String::new();
        let segment = |prefix: &str, name: &str, value: &str| {
            if slots.len() == position {
                slots.push(FieldSlot {
                    field: usize::MAX,
                    recent: [0; 16],
                });
            }
            let slot = &mut slots[position];
            position += 1;
            let field_index = match segments.get_index(slot.field) {
                Some((seen, _)) if is_joined(seen.as_bytes(), prefix, name) => slot.field,
                _ => {
                    // Look up before inserting: allocating the key for every row would
                    // dominate large imports. A field is new only on its first row.
                    joined.clear();
                    joined.push_str(prefix);
                    joined.push_str(name);
                    let field = joined.as_str();
                    let index = match segments.get_index_of(&Text(field)) {
                        Some(index) => index,
                        None if segments.len() < MAX_SEGMENT_FIELDS => {
                            segments
                                .insert_full(field.to_owned(), Segments::default())
                                .0
                        }
                        None => {
                            *fields_overflow = true;
                            return;
                        }
                    };
                    *slot = FieldSlot {
                        field: index,
                        recent: [0; 16],
                    };
                    index
                }
            };
            let entry = &mut segments[field_index];
            let place = recent_place(value);
            let recent = (slot.recent[place] as usize).wrapping_sub(1);
            let value_index = match entry.values.get_index(recent) {
                Some((v, _)) if crate::bytes::same(v.as_bytes(), value.as_bytes()) => Some(recent),
                _ => entry.values.get_index_of(&Text(value)),
            };
            let value_index = match value_index {
                Some(i) => i,
                None if entry.values.len() < MAX_SEGMENT_VALUES => {
                    entry
                        .values
                        .insert_full(value.to_owned(), Scores::default())
                        .0
                }
                None => {
                    entry.overflow = true;
                    let beyond = entry.beyond.get_or_insert_with(Scores::default);
                    counted(beyond, kind, score, week, true);
                    return;
                }
            };
            counted(&mut entry.values[value_index], kind, score, week, true);
            slot.recent[place] = (value_index + 1) as u32;
        };
        row.for_each_segment_in_parts(kind, segment);
        if let Some(t) = row.time {
            let day = self.days.entry(t.div_euclid(86_400)).or_default();
            counted(day, kind, score, week, true);
        }
        for reason in &row.reasons {
            if let Some(stats) = self.reasons.get_mut(reason.as_ref()) {
                stats.citing.add(kind, score);
            } else {
                self.reasons
                    .entry(reason.to_string())
                    .or_default()
                    .citing
                    .add(kind, score);
            }
        }
        if let (Some(comment), Some(group)) = (&row.comment, kind.group(score as i64)) {
            self.themes.add(group.tier(), comment);
        }
        self.questions.count(row, true);
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &ScoreState) {
        self.overall.merge(&other.overall);
        self.fields_overflow |= other.fields_overflow;
        for (field, theirs) in &other.segments {
            let mine = match self.segments.get_index_of(&Text(field)) {
                Some(index) => &mut self.segments[index],
                None if self.segments.len() < MAX_SEGMENT_FIELDS => {
                    self.segments.entry(field.clone()).or_default()
                }
                None => {
                    self.fields_overflow = true;
                    continue;
                }
            };
            // What is past the cap is known when it is on both sides (or a side never passed it).
            let known = |s: &Segments| !s.overflow || s.beyond.is_some();
            let both_known = known(mine) && known(theirs);
            mine.overflow |= theirs.overflow;
            let mut beyond = mine.beyond.take().unwrap_or_default();
            if let Some(theirs) = &theirs.beyond {
                beyond.merge(theirs);
            }
            for (value, scores) in &theirs.values {
                if let Some(s) = mine.values.get_mut(value) {
                    s.merge(scores);
                } else if mine.values.len() < MAX_SEGMENT_VALUES {
                    mine.values.insert(value.clone(), scores.clone());
                } else {
                    mine.overflow = true;
                    beyond.merge(scores);
                }
            }
            mine.beyond = (both_known && mine.overflow).then_some(beyond);
        }
        for (day, scores) in &other.days {
            self.days.entry(*day).or_default().merge(scores);
        }
        for (reason, stats) in &other.reasons {
            self.reasons
                .entry(reason.clone())
                .or_default()
                .citing
                .merge(&stats.citing);
        }
        self.themes.merge(&other.themes);
        self.questions.merge(&other.questions);
    }

    /// Scores per period label (day, ISO week or month), merged from the days.
    pub fn periods(&self, period: crate::time::Period) -> BTreeMap<String, Scores> {
        let mut out: BTreeMap<String, Scores> = BTreeMap::new();
        for (day, scores) in &self.days {
            out.entry(period.label(day * 86_400))
                .or_default()
                .merge(scores);
        }
        out
    }
}

/// How one reason relates to the score of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The reason.
    pub reason: String,
    /// The kind.
    pub kind: Kind,
    /// Answers citing it.
    pub count: u64,
    /// Score among those who cite it (NPS, CSAT % or CES mean).
    pub score_citing: f64,
    /// Score among those who do not (NaN when everyone does).
    pub score_not_citing: f64,
    /// Share of the worst group (detractors, low) that cites it, in %.
    pub share_of_worst_group: f64,
    /// Whether the score of those citing it differs from the others', weighed with the
    /// kind's other reasons (Benjamini–Hochberg, 5%; false when nobody else answered).
    pub significant: bool,
}

/// The kind's headline score of a histogram (NPS, CSAT % or CES mean).
pub fn headline(h: &Histogram) -> f64 {
    match h.kind.spec().statistic {
        Statistic::Net => nps(h).map_or(f64::NAN, |s| s.score),
        Statistic::Share => csat(h).map_or(f64::NAN, |s| s.score),
        Statistic::Mean => ces(h).map_or(f64::NAN, |s| s.score),
    }
}

/// How one segment (an agent, a touchpoint) stands against the rest of its kind's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct AgainstRest {
    /// The segment's score minus the rest's, with its 95% interval and significance.
    pub change: Change,
    /// How far the segment moves the total: the total's score minus the score the total
    /// would have without the segment (negative: it drags the total down).
    pub effect: f64,
    /// The difference's two-sided p-value ([`p_value`]): for weighing many segments at
    /// once ([`discoveries`]).
    pub p_value: f64,
}

/// `segment` against the other answers in `overall` (same kind); `None` when the segment
/// or the rest is empty.
pub fn against_rest(segment: &Histogram, overall: &Histogram) -> Option<AgainstRest> {
    let rest = overall.without(segment);
    let change = compare(&rest, segment)?;
    Some(AgainstRest {
        change,
        effect: headline(overall) - headline(&rest),
        p_value: p_value(&rest, segment)?,
    })
}

/// Drivers of every reason for every kind that has answers citing it, most cited first.
pub fn drivers(state: &ScoreState) -> Vec<Driver> {
    let mut out = Vec::new();
    // Each driver's p-value, for weighing a kind's reasons together (none: nobody else answered).
    let mut p_values = Vec::new();
    for (reason, stats) in &state.reasons {
        for kind in KINDS {
            let citing = stats.citing.get(kind);
            if citing.n() == 0 {
                continue;
            }
            let rest = state.overall.get(kind).without(citing);
            let worst = kind.groups()[0];
            let worst_total = state.overall.get(kind).group_count(worst);
            p_values.push(p_value(&rest, citing));
            out.push(Driver {
                reason: reason.clone(),
                kind,
                count: citing.n(),
                score_citing: headline(citing),
                score_not_citing: headline(&rest),
                significant: false,
                share_of_worst_group: if worst_total == 0 {
                    0.0
                } else {
                    100.0 * citing.group_count(worst) as f64 / worst_total as f64
                },
            });
        }
    }
    // A kind's reasons weighed together, as a field's segments are: of twenty reasons that
    // pull nothing, one would otherwise be called a driver by chance.
    for kind in KINDS {
        let of_kind: Vec<Option<f64>> = (0..out.len())
            .map(|i| p_values[i].filter(|_| out[i].kind == kind))
            .collect();
        weigh(&of_kind, |i, found| out[i].significant = found);
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    out
}

#[cfg(test)]
mod tests;
