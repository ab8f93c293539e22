//! The rules of delivery, free of the browser: which outcomes are retried, how
//! long to wait (exponential backoff with jitter, `Retry-After`), and the
//! offline queue (bounded, ordered, one entry per response id, leases so two
//! tabs never send the same entry at once). The widget's `deliver` module runs
//! them against `fetch` and `localStorage`.

use crate::text::{parse_digits, push_int, push_json_string};
use crate::time::days_from_civil;
use crate::value::Value;

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Acknowledged (2xx): drop it from the queue.
    Delivered,
    /// Network error, 408, 429 or 5xx: try again later.
    Retry,
    /// Any other status (a 4xx the endpoint means): report once and drop.
    Refused,
}

/// The outcome of an HTTP status; `None` is a network error (no response at all).
pub fn classify(status: Option<u16>) -> Outcome {
    match status {
        None => Outcome::Retry,
        Some(200..=299) => Outcome::Delivered,
        Some(408 | 429) | Some(500..=599) => Outcome::Retry,
        Some(_) => Outcome::Refused,
    }
}

/// Delay before retry number `attempt` (1 for the first retry): `base · 2^(attempt−1)`,
/// capped at `max`, then "equal jitter" — a random point in its upper half — so that
/// many visitors cut off by one outage do not all come back in the same second.
/// `random` is in `[0, 1)`.
pub fn backoff_ms(attempt: u32, base_ms: u32, max_ms: u32, random: f64) -> u32 {
    let exponential = (base_ms as u64).saturating_mul(1u64 << attempt.saturating_sub(1).min(31));
    let capped = exponential.min(max_ms as u64) as f64;
    let jittered = capped / 2.0 + capped / 2.0 * random.clamp(0.0, 1.0);
    jittered as u32
}

/// The wait a `Retry-After` header asks for, in milliseconds: either delay-seconds
/// (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`) relative to `now_ms`.
pub fn retry_after_ms(header: &str, now_ms: f64) -> Option<u32> {
    let header = header.trim();
    if let Some(secs) = parse_digits(header) {
        return Some(secs.saturating_mul(1000).min(u32::MAX as u64) as u32);
    }
    let at = parse_http_date(header)?;
    let wait = (at as f64) * 1000.0 - now_ms;
    Some(if wait <= 0.0 {
        0
    } else {
        wait.min(u32::MAX as f64) as u32
    })
}

/// Seconds since the epoch of an IMF-fixdate (RFC 9110 §5.6.7), the form servers send.
fn parse_http_date(s: &str) -> Option<i64> {
    // "Wed, 21 Oct 2015 07:28:00 GMT"
    let mut parts = s.split(' ').filter(|p| !p.is_empty());
    let _weekday = parts.next()?;
    let day = parse_digits(parts.next()?)? as i64;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as i64 + 1;
    let year = parse_digits(parts.next()?)? as i64;
    let mut clock = parts
        .next()?
        .split(':')
        .map(|p| parse_digits(p).map(|n| n as i64));
    let (h, m, sec) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

/// One response waiting to be acknowledged, with what is needed to send it from a
/// later page (the body is final: `beforeSend` has already run). It holds no headers:
/// they may carry an API key, and stored text outlives the page. A later page sends
/// it with the headers of a survey mounted there for the same endpoint, or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The response id (one entry per id).
    pub id: String,
    /// Whether this is the final (complete) version.
    pub complete: bool,
    /// Where to send it.
    pub endpoint: String,
    /// HTTP method.
    pub method: String,
    /// When it was queued (ms since the epoch); it expires after `delivery.maxAgeDays`.
    pub created_at: f64,
    /// The request body.
    pub body: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not before this time (ms since the epoch).
    pub next_at: f64,
    /// A tab is sending it until this time (ms since the epoch).
    pub lease_until: f64,
    /// Which tab holds the lease.
    pub lease_owner: String,
}

/// The offline queue, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Queue {
    /// The entries, oldest first.
    pub entries: Vec<Entry>,
}

/// What [`Queue::push`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    /// Added or replaced the older version of the same response.
    Stored,
    /// Ignored: a partial never replaces a complete version still waiting.
    Ignored,
    /// Stored, and the oldest entry was dropped to stay within the bound.
    DroppedOldest(Entry),
}

impl Queue {
    /// Adds `entry`. A newer version of a response replaces the older one in place
    /// (keeping its turn) unless it would turn a complete answer back into a partial.
    pub fn push(&mut self, entry: Entry, limit: usize) -> Pushed {
        if let Some(existing) = self.entries.iter_mut().find(|e| e.id == entry.id) {
            if existing.complete && !entry.complete {
                return Pushed::Ignored;
            }
            *existing = entry;
            return Pushed::Stored;
        }
        self.entries.push(entry);
        if self.entries.len() > limit.max(1) {
            return Pushed::DroppedOldest(self.entries.remove(0));
        }
        Pushed::Stored
    }

    /// Entries that `owner` may send now: due, and not leased by another tab.
    pub fn due(&self, now_ms: f64, owner: &str) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| {
                let e = &self.entries[i];
                e.next_at <= now_ms && (e.lease_until <= now_ms || e.lease_owner == owner)
            })
            .collect()
    }

    /// Removes the entry for `id` if it still holds `body` (a newer version that
    /// arrived while this one was in flight stays queued).
    pub fn acknowledge(&mut self, id: &str, body: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| !(e.id == id && e.body == body));
        self.entries.len() != before
    }

    /// Removes the entry for `id`, whatever its version.
    pub fn remove(&mut self, id: &str) {
        self.entries.retain(|e| e.id != id);
    }

    /// The earliest time anything becomes due (its retry time, or its lease's end), if anything is queued.
    pub fn next_due(&self) -> Option<f64> {
        self.entries
            .iter()
            .map(|e| e.next_at.max(e.lease_until))
            .reduce(f64::min)
    }

    /// The queue as JSON text for `localStorage`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            push_json_string(&mut out, &e.id);
            out.push_str(",\"complete\":");
            out.push_str(if e.complete { "true" } else { "false" });
            out.push_str(",\"endpoint\":");
            push_json_string(&mut out, &e.endpoint);
            out.push_str(",\"method\":");
            push_json_string(&mut out, &e.method);
            out.push_str(",\"createdAt\":");
            push_int(&mut out, e.created_at as i64);
            out.push_str(",\"body\":");
            push_json_string(&mut out, &e.body);
            out.push_str(",\"attempts\":");
            push_int(&mut out, e.attempts as i64);
            out.push_str(",\"nextAt\":");
            push_int(&mut out, e.next_at as i64);
            out.push_str(",\"leaseUntil\":");
            push_int(&mut out, e.lease_until as i64);
            out.push_str(",\"leaseOwner\":");
            push_json_string(&mut out, &e.lease_owner);
            out.push('}');
        }
        out.push(']');
        out
    }

    /// Removes the entries queued before `now_ms - max_age_ms`, and returns them.
    pub fn expire(&mut self, now_ms: f64, max_age_ms: f64) -> Vec<Entry> {
        let (old, kept) = core::mem::take(&mut self.entries)
            .into_iter()
            .partition(|e| now_ms - e.created_at > max_age_ms);
        self.entries = kept;
        old
    }

    /// Reads the queue of `endpoint` stored by [`Queue::to_json`] (parsed by the browser's
    /// JSON). Malformed entries, from an older version or a hand edit, are skipped rather
    /// than blocking everything behind them; so is any entry naming another endpoint (a
    /// script on the page could plant one to have answers sent elsewhere). An entry from a
    /// version that did not record its age counts from `now_ms`.
    pub fn from_value(value: &Value, endpoint: &str, now_ms: f64) -> Queue {
        let Value::Array(items) = value else {
            return Queue::default();
        };
        let entries = items
            .iter()
            .filter_map(|item| {
                let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
                let number = |k: &str| match item.get(k) {
                    Some(Value::Number(n, _)) => *n,
                    _ => 0.0,
                };
                let stored_endpoint = text("endpoint")?;
                if stored_endpoint != endpoint {
                    return None;
                }
                let method = text("method").unwrap_or_else(|| String::from("POST"));
                if method != "POST" && method != "PUT" {
                    return None;
                }
                Some(Entry {
                    id: text("id")?,
                    complete: item.get("complete") == Some(&Value::Bool(true)),
                    endpoint: stored_endpoint,
                    method,
                    created_at: match item.get("createdAt") {
                        Some(Value::Number(n, _)) if *n > 0.0 => *n,
                        _ => now_ms,
                    },
                    body: text("body")?,
                    attempts: number("attempts") as u32,
                    next_at: number("nextAt"),
                    lease_until: number("leaseUntil"),
                    lease_owner: text("leaseOwner").unwrap_or_default(),
                })
            })
            .collect();
        Queue { entries }
    }
}

#[cfg(test)]
mod tests;
