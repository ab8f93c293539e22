//! The rules of delivery, free of the browser: which outcomes are retried, how
//! long to wait (exponential backoff with jitter, `Retry-After`), when to give up
//! until a later page (parking), and the offline queue (bounded, ordered, one entry
//! per response id, leases so two tabs never send the same entry at once, expiry).
//! The delivery module (`crates/deliver`) only does the I/O: `fetch`, `localStorage`, timers.

use crate::survey::Delivery;
use crate::text::{parse_digits, push_int, push_json_string};
use crate::time::days_from_civil;
use crate::value::Value;

/// Prefix of an offline queue's storage key; the rest is its endpoint.
pub const QUEUE_KEY_PREFIX: &str = "sondeo:queue:";
/// Prefix of a handoff's storage key: a response the widget has handed to the delivery
/// module, kept until that module has queued it. The rest is `<id> <endpoint>`: a response
/// id holds no space, nor does an endpoint the config accepts.
pub const HANDOFF_KEY_PREFIX: &str = "sondeo:handoff:";

/// The storage key of `endpoint`'s offline queue.
pub fn queue_key(endpoint: &str) -> String {
    crate::text::concat(&[QUEUE_KEY_PREFIX, endpoint])
}

/// The storage key of the handoff of response `id` to `endpoint`.
pub fn handoff_key(id: &str, endpoint: &str) -> String {
    crate::text::concat(&[HANDOFF_KEY_PREFIX, id, " ", endpoint])
}

/// The endpoint a handoff's key names (none for any other key).
pub fn handoff_endpoint(key: &str) -> Option<&str> {
    Some(handoff_parts(key)?.1)
}

/// The response id a handoff's key names (none for any other key).
pub fn handoff_id(key: &str) -> Option<&str> {
    Some(handoff_parts(key)?.0)
}

/// A handoff key's id and endpoint ([`handoff_key`]): the id holds no space.
fn handoff_parts(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix(HANDOFF_KEY_PREFIX)?.split_once(' ')
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Acknowledged (2xx): drop it from the queue.
    Delivered,
    /// Network error, 3xx (a redirect is not followed; 300 and 304 are no answer either),
    /// 408, 425, 429 or 5xx: try again later.
    Retry,
    /// Any other status (a 4xx the endpoint means): report once and drop.
    Refused,
}

/// The outcome of an HTTP status; `None` is a network error (no response at all).
pub fn classify(status: Option<u16>) -> Outcome {
    match status {
        None => Outcome::Retry,
        Some(200..=299) => Outcome::Delivered,
        Some(300..=399 | 408 | 425 | 429 | 500..=599) => Outcome::Retry,
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

/// The longest wait a `Retry-After` header is followed for.
pub const RETRY_AFTER_MAX_MS: u32 = 3_600_000;

/// How long a tab owns an entry it is sending; another tab may take it after that
/// (the sending tab may have been closed mid-request).
pub const LEASE_MS: f64 = 30_000.0;

/// A clock set back by less than this is drift between tabs' readings, not a correction.
const CLOCK_SLACK_MS: f64 = 5_000.0;

/// After `maxAttempts` an entry is parked this long: in effect until a later page
/// mounts a survey for its endpoint, or the browser comes back online.
pub const PARKED_MS: f64 = 365.0 * 86_400_000.0;

/// The retry limits an entry was queued with; a later page applies these, not its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryLimits {
    /// Attempts before the entry is parked.
    pub max_attempts: u32,
    /// First retry delay.
    pub base_delay_ms: u32,
    /// Longest delay between attempts.
    pub max_delay_ms: u32,
    /// Days after which it expires unsent: its own survey's, not that of whichever survey
    /// a later page mounts for the endpoint.
    pub max_age_days: u32,
}

impl From<&Delivery> for RetryLimits {
    fn from(d: &Delivery) -> Self {
        RetryLimits {
            max_attempts: d.max_attempts,
            base_delay_ms: d.base_delay_ms,
            max_delay_ms: d.max_delay_ms,
            max_age_days: d.max_age_days,
        }
    }
}

/// What became of an entry after an attempt; see [`Queue::settle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Acknowledged and removed.
    Delivered,
    /// Refused for good (a 4xx the endpoint means) and removed.
    Refused,
    /// Tried again after `wait_ms`; `attempt` failures so far.
    Retrying {
        /// Failed attempts so far.
        attempt: u32,
        /// Wait before the next attempt.
        wait_ms: u32,
    },
    /// Out of attempts: it waits for a later page or `online`.
    Parked,
    /// A newer version replaced it while it was in flight: nothing to do.
    Superseded,
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
    /// The retry limits it was queued with.
    pub limits: RetryLimits,
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
    /// When `next_at` or the lease was last set (ms since the epoch; 0: never): a time after
    /// now tells that the clock has been set back since (see [`Queue::follow_clock`]).
    pub set_at: f64,
}

impl Entry {
    /// Takes `newer`'s place and keeps the lease: the version it replaces may be in
    /// flight, so no other tab sends the new one meanwhile, and this page sends it when
    /// that attempt ends (see [`Queue::settle`]).
    fn replace(&mut self, newer: Entry) {
        let lease_owner = core::mem::take(&mut self.lease_owner);
        let (lease_until, set_at) = (self.lease_until, self.set_at);
        *self = newer;
        self.lease_owner = lease_owner;
        self.lease_until = lease_until;
        self.set_at = set_at;
    }
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
            existing.replace(entry);
            return Pushed::Stored;
        }
        self.entries.push(entry);
        if self.entries.len() > limit.max(1) {
            // A record that a prompt was shown goes before any answer.
            let oldest = self
                .entries
                .iter()
                .position(|e| e.body.starts_with(crate::impression::JSON_START))
                .unwrap_or(0);
            return Pushed::DroppedOldest(self.entries.remove(oldest));
        }
        Pushed::Stored
    }

    /// Puts back what `own` (the latest version this page queued of each response it has
    /// not yet seen settled; of any endpoint: only `endpoint`'s are looked at) says is
    /// missing. `localStorage` has no transactions: a tab that read the queue just before
    /// this page queued a response, and wrote it back just after, brings back the partial
    /// before a final version, or loses a response it never saw. A response missing
    /// altogether is put back too: the page cannot tell that from another tab's delivery,
    /// and one more post (the endpoint drops duplicates by id) is better than a lost
    /// answer. A newer version from elsewhere (the same id in another tab) is not undone,
    /// nor a final version replaced by a partial. Returns whether anything was put back.
    pub fn restore(&mut self, endpoint: &str, own: &[Entry]) -> bool {
        let mut changed = false;
        for mine in own.iter().filter(|e| e.endpoint == endpoint) {
            match self.entries.iter_mut().find(|e| e.id == mine.id) {
                None => self.entries.push(mine.clone()),
                Some(stored)
                    if stored.created_at < mine.created_at
                        && stored.body != mine.body
                        && (!stored.complete || mine.complete) =>
                {
                    stored.replace(mine.clone())
                }
                Some(_) => continue,
            }
            changed = true;
        }
        changed
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
            out.push_str(",\"maxAttempts\":");
            push_int(&mut out, e.limits.max_attempts as i64);
            out.push_str(",\"baseDelayMs\":");
            push_int(&mut out, e.limits.base_delay_ms as i64);
            out.push_str(",\"maxDelayMs\":");
            push_int(&mut out, e.limits.max_delay_ms as i64);
            out.push_str(",\"maxAgeDays\":");
            push_int(&mut out, e.limits.max_age_days as i64);
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
            out.push_str(",\"setAt\":");
            push_int(&mut out, e.set_at as i64);
            out.push('}');
        }
        out.push(']');
        out
    }

    /// Leases to `tab` every entry it may send now (due, not leased by another tab, not
    /// already in flight here) and returns copies of them to send.
    pub fn lease_due(&mut self, now_ms: f64, tab: &str, in_flight: &[String]) -> Vec<Entry> {
        let mut leased = Vec::new();
        for i in self.due(now_ms, tab) {
            let entry = &mut self.entries[i];
            if in_flight.contains(&entry.id) {
                continue;
            }
            entry.lease_owner = tab.to_owned();
            entry.lease_until = now_ms + LEASE_MS;
            entry.set_at = now_ms;
            leased.push(entry.clone());
        }
        leased
    }

    /// Whether `leased` is still this tab's to send, read back after saving: another tab
    /// may have written the queue between our read and our write.
    pub fn still_leased(&self, leased: &Entry, tab: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.id == leased.id && e.lease_owner == tab && e.body == leased.body)
    }

    /// Acts on the outcome of sending the version `body` of response `id`: removes it
    /// when delivered or refused; otherwise counts the failure and waits what
    /// `Retry-After` asks for (when given) or the entry's backoff, or parks it once it is
    /// out of attempts. `random` in `[0, 1)` is the backoff's jitter.
    pub fn settle(
        &mut self,
        id: &str,
        body: &str,
        status: Option<u16>,
        retry_after: Option<&str>,
        now_ms: f64,
        random: f64,
    ) -> Settled {
        // The attempt is over: a newer version queued while it was in flight is due now.
        for e in self.entries.iter_mut().filter(|e| e.id == id) {
            e.lease_until = 0.0;
        }
        match classify(status) {
            Outcome::Delivered => {
                self.acknowledge(id, body);
                Settled::Delivered
            }
            Outcome::Refused => {
                self.acknowledge(id, body);
                Settled::Refused
            }
            Outcome::Retry => {
                let Some(entry) = self
                    .entries
                    .iter_mut()
                    .find(|e| e.id == id && e.body == body)
                else {
                    return Settled::Superseded;
                };
                entry.attempts += 1;
                entry.lease_until = 0.0;
                entry.set_at = now_ms;
                let limits = entry.limits;
                let backoff = backoff_ms(
                    entry.attempts,
                    limits.base_delay_ms,
                    limits.max_delay_ms,
                    random,
                );
                // `Retry-After` may lengthen the wait, not shorten it (a date in the past or
                // `0` would have every attempt go at once), and holds an answer an hour at
                // most (a CDN's "come back in 11 days" would keep a long-lived tab's answer
                // that long; the next page or `online` wakes it anyway).
                let wait_ms = match retry_after.and_then(|h| retry_after_ms(h, now_ms)) {
                    Some(ms) => ms.min(RETRY_AFTER_MAX_MS).max(backoff),
                    None => backoff,
                };
                if entry.attempts >= limits.max_attempts {
                    entry.next_at = now_ms + PARKED_MS;
                    Settled::Parked
                } else {
                    entry.next_at = now_ms + wait_ms as f64;
                    Settled::Retrying {
                        attempt: entry.attempts,
                        wait_ms,
                    }
                }
            }
        }
    }

    /// A survey for the endpoint mounted, or the browser came back online: a parked entry
    /// gets fresh attempts, and one waiting out a backoff is due now, its attempts kept (so
    /// that `maxAttempts` still parks it: a single-page app mounting surveys, or a flapping
    /// connection, would otherwise post again at each). A wait longer than any backoff was
    /// the endpoint's own (`Retry-After`: "come back in ten minutes"), and stands.
    pub fn wake(&mut self, now_ms: f64) {
        for e in &mut self.entries {
            if e.attempts >= e.limits.max_attempts {
                e.attempts = 0;
                e.next_at = 0.0;
            } else if e.next_at - now_ms <= e.limits.max_delay_ms as f64 {
                e.next_at = 0.0;
            }
        }
    }

    /// Waits and leases set at a time after now were set by a clock that has since been set
    /// back (a fast clock corrected): each moves back as far, so that it ends as long after
    /// now as it was meant to after it was set, not hours later. Any tab may do it, any
    /// number of times: the time it was set moves with it, so it moves once.
    pub fn follow_clock(&mut self, now_ms: f64) {
        for e in &mut self.entries {
            let back = e.set_at - now_ms;
            if back > CLOCK_SLACK_MS {
                if e.next_at > 0.0 {
                    e.next_at -= back;
                }
                if e.lease_until > 0.0 {
                    e.lease_until -= back;
                }
                e.set_at = now_ms;
            }
        }
    }

    /// Removes the entries queued longer ago than their own `maxAgeDays`, and returns
    /// them; not those `keep` says to (the widget keeps what its page queued, however the
    /// clock has moved since, and gives every entry one attempt before it calls it old).
    pub fn expire(&mut self, now_ms: f64, keep: impl Fn(&Entry) -> bool) -> Vec<Entry> {
        let (old, kept) = core::mem::take(&mut self.entries)
            .into_iter()
            .partition(|e| {
                now_ms - e.created_at > e.limits.max_age_days as f64 * 86_400_000.0 && !keep(e)
            });
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
                // An entry from a version that stored no limits gets today's defaults.
                let defaults = RetryLimits::from(&Delivery::default());
                let limit = |k: &str, default: u32| match number(k) {
                    n if n >= 1.0 => n as u32,
                    _ => default,
                };
                let limits = RetryLimits {
                    max_attempts: limit("maxAttempts", defaults.max_attempts),
                    base_delay_ms: limit("baseDelayMs", defaults.base_delay_ms),
                    max_delay_ms: limit("maxDelayMs", defaults.max_delay_ms),
                    max_age_days: limit("maxAgeDays", defaults.max_age_days),
                };
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
                    limits,
                    body: text("body")?,
                    attempts: number("attempts") as u32,
                    next_at: number("nextAt"),
                    lease_until: number("leaseUntil"),
                    lease_owner: text("leaseOwner").unwrap_or_default(),
                    set_at: number("setAt"),
                })
            })
            .collect();
        Queue { entries }
    }
}

#[cfg(test)]
mod tests;
