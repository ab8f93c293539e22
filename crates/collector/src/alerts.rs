//! Alerts (`--alert-url`): each response in the worst group of its kind (an NPS detractor, a
//! CSAT or CES "low", a "no") is posted once to a webhook, when submitted or after a wait for
//! an email click's "why" (see [`Picker`]), so that the team can call the customer back while
//! it still matters. Slack's and Microsoft Teams' incoming
//! webhooks show the `text`; any other service (Zapier, a help desk's API, a script) reads
//! the `response` beside it. The URL stays on the server: a widget's `beforeSend` posting
//! to Slack would hand it to every visitor.
//!
//! An anonymous survey sends no alerts: one message per answer, as it comes, would say who
//! answered what; nor does an employee's eNPS (a pulse is not a customer to call back).
//! Each alert is claimed in the database before it is sent (`Store::claim_alert`): once,
//! whatever restarts, and whichever of the collectors sharing a database gets there first.
//! Retries follow the widget's own delivery rules (`sondeo_core::delivery`: which statuses
//! are retried, backoff, `Retry-After`).

use crate::store::{Store, StoredJson};
use serde_json::Value;
use sondeo_core::delivery::{backoff_ms, classify, retry_after_ms, Outcome};
use sondeo_core::metric::Kind;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};

/// Attempts per alert before it is given up (logged): about a minute of backoff.
const ATTEMPTS: u32 = 6;
/// Alerts waiting to be sent at most; beyond, new ones are dropped and counted in the log.
const WAITING: usize = 1_000;
/// Response ids remembered here as alerted, sparing the database a claim it would refuse;
/// past this the memory starts over (the claims in the database still hold).
const REMEMBERED: usize = 100_000;
/// Longest comment quoted in the text; the whole one is in `response`.
const QUOTED: usize = 500;

/// `--alert-url` as a URL, or why it cannot be used.
pub fn check_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("--alert-url: expected a URL ({e})"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        // Customers' comments cross the network only encrypted.
        "http" if on_this_machine(&parsed) => Ok(parsed),
        _ => Err(
            "--alert-url: expected an https:// URL (http:// only to this machine): it carries customers' comments"
                .into(),
        ),
    }
}

/// Whether `url` names this machine (`localhost`, a loopback address).
fn on_this_machine(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or("");
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Where alerts go, as the log may name it: a webhook's path is its secret.
fn shown(url: &reqwest::Url) -> String {
    format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""))
}

/// The two tasks of alerting: the one that picks what to alert on, and the one that sends.
pub struct Alerting {
    stop: tokio::sync::oneshot::Sender<()>,
    picking: tokio::task::JoinHandle<()>,
    sending: tokio::task::JoinHandle<()>,
    /// Alerts handed to the sender and not yet done with.
    queued: Arc<AtomicUsize>,
}

impl Alerting {
    /// Stops picking (what was stored before is still picked), gives the alerts waiting
    /// `grace` to be sent, and says what could not be.
    pub async fn finish(self, grace: Duration) {
        let _ = self.stop.send(());
        let _ = self.picking.await;
        let _ = tokio::time::timeout(grace, self.sending).await;
        let left = self.queued.load(Ordering::Relaxed);
        if left > 0 {
            eprintln!("sondeo-collector: alerts: {left} not sent (the collector stopped)");
        }
    }
}

/// Starts sending alerts for what `store` stores from now on; `None` (said on stderr) when
/// no HTTPS client can be made.
pub fn start(store: &Store, url: reqwest::Url, partial_wait: Option<Duration>) -> Option<Alerting> {
    let client = match client(&url) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("sondeo-collector: alerts off: {e}");
            return None;
        }
    };
    eprintln!("sondeo-collector: alerts to {}", shown(&url));
    let (waiting, mut next) = mpsc::channel::<Value>(WAITING);
    let (stop, stopping) = tokio::sync::oneshot::channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let picking = tokio::spawn(pick(
        store.subscribe(),
        waiting,
        partial_wait,
        stopping,
        queued.clone(),
    ));
    let done = queued.clone();
    let claims = store.clone();
    // One alert at a time, in order; each claimed first in the database, so that of the
    // collectors sharing it (each sees every change) one sends it, once, restarts included.
    let sending = tokio::spawn(async move {
        while let Some(body) = next.recv().await {
            let claim = match body["response"]["id"].as_str() {
                Some(id) => id.to_owned(),
                None => format!("summary {}", body["minute"]),
            };
            match claims.claim_alert(&claim).await {
                Ok(true) => send(&client, &url, &body).await,
                Ok(false) => {}
                // Better twice than never: the database is away, the webhook may not be.
                Err(e) => {
                    eprintln!("sondeo-collector: alerts: could not record an alert as sent ({e}); sending it anyway");
                    send(&client, &url, &body).await;
                }
            }
            done.fetch_sub(1, Ordering::Relaxed);
        }
    });
    Some(Alerting {
        stop,
        picking,
        sending,
        queued,
    })
}

/// The webhook's client: its own time limits (a service that hangs does not hold the others
/// back for long), no redirects, the public roots.
fn client(url: &reqwest::Url) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder();
    if on_this_machine(url) {
        // The environment's proxy (HTTPS_PROXY) cannot reach this machine's loopback.
        builder = builder.no_proxy();
    }
    builder
        .use_preconfigured_tls(crate::tls::client_config(None)?)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}

/// Which stored responses to alert on, each once: a submitted one at once; a partial (the
/// score an email click recorded) once it has stayed partial for `partial_wait` without
/// being submitted: most customers who click a score in an email write nothing more, and
/// they are the ones to call.
struct Picker {
    alerted: HashSet<String>,
    /// Partials waiting to be submitted: the newest version, and when it alerts.
    pending: HashMap<String, (Value, Instant)>,
    /// The same deadlines in the order they end (each is its arrival plus one wait, so the
    /// order of arrival): the next is the first, found without a scan.
    deadlines: VecDeque<(Instant, String)>,
    partial_wait: Option<Duration>,
}

/// Partials held at most; past it, a new one alerts only once submitted.
const PENDING: usize = 100_000;

impl Picker {
    fn new(partial_wait: Option<Duration>) -> Picker {
        Picker {
            alerted: HashSet::new(),
            pending: HashMap::new(),
            deadlines: VecDeque::new(),
            partial_wait,
        }
    }

    /// A stored response (new or changed): its alert now, if it is one to send now.
    fn take(&mut self, response: Value, now: Instant) -> Option<Value> {
        let id = response["id"].as_str()?.to_owned();
        if self.alerted.contains(&id) {
            return None;
        }
        if !worst_and_named(&response) {
            // Another score now (a second click on a better one): nothing to call about.
            self.pending.remove(&id);
            return None;
        }
        if response["complete"] == true {
            self.pending.remove(&id);
            return self.alert(id, &response);
        }
        let wait = self.partial_wait?;
        let room = self.pending.len() < PENDING;
        match self.pending.get_mut(&id) {
            // The first click's deadline holds: a second click does not put the call off.
            Some(held) => held.0 = response,
            None if room => {
                self.deadlines.push_back((now + wait, id.clone()));
                self.pending.insert(id, (response, now + wait));
            }
            None => {}
        }
        None
    }

    /// The alerts of the partials whose wait is over at `now`.
    fn due(&mut self, now: Instant) -> Vec<Value> {
        let mut alerts = Vec::new();
        while let Some((at, _)) = self.deadlines.front().filter(|(at, _)| *at <= now) {
            let at = *at;
            let Some((_, id)) = self.deadlines.pop_front() else {
                break;
            };
            // Still waiting with this deadline (not submitted, changed or alerted meanwhile).
            if self.pending.get(&id).is_some_and(|(_, held)| *held == at) {
                if let Some((response, _)) = self.pending.remove(&id) {
                    alerts.extend(self.alert(id, &response));
                }
            }
        }
        alerts
    }

    /// When the next partial's wait ends (a deadline of one no longer waiting ends nothing).
    fn next_due(&self) -> Option<Instant> {
        self.deadlines.front().map(|(at, _)| *at)
    }

    fn alert(&mut self, id: String, response: &Value) -> Option<Value> {
        // Up to this many ids, then the memory starts over (the database's claims hold).
        if self.alerted.len() >= REMEMBERED {
            self.alerted.clear();
        }
        self.alerted.insert(id).then(|| message(response))
    }
}

/// Alerts posted one by one per minute at most; the rest of the minute's are one summary.
/// A webhook is for people (Slack takes about one message a second), and a flood of posted
/// detractors, real or forged, must not bury the channel or push the others out.
const PER_MINUTE: u32 = 20;

/// The minute's count, and the alerts held for its summary.
struct Budget {
    since: Instant,
    sent: u32,
    held: u32,
}

impl Budget {
    /// Whether `alert` may go now; if not, it is counted for the summary.
    fn allows(&mut self, now: Instant) -> bool {
        if now >= self.since + Duration::from_secs(60) && self.held == 0 {
            *self = Budget {
                since: now,
                sent: 0,
                held: 0,
            };
        }
        if self.sent < PER_MINUTE && self.held == 0 {
            self.sent += 1;
            return true;
        }
        self.held += 1;
        false
    }

    /// When the held alerts' summary is due.
    fn summary_due(&self) -> Option<Instant> {
        (self.held > 0).then(|| self.since + Duration::from_secs(60))
    }

    /// The summary of the held alerts, and a new minute.
    fn summary(&mut self, now: Instant) -> Value {
        let held = self.held;
        // Names the summary among collectors that each make one of the same alerts.
        let minute = crate::clock::now_ms().div_euclid(60_000);
        *self = Budget {
            since: now,
            sent: 0,
            held: 0,
        };
        serde_json::json!({
            "text": format!("{held} more unhappy customers in the last minute, not posted one by one: see the dashboard's Call back list"),
            "held": held,
            "minute": minute,
        })
    }
}

/// Picks from the stored versions (of every collector sharing the database) those to alert
/// on, and hands them to the sender, until `stopping` (then what was stored before is
/// picked, and what waits is said). The sender's claim makes each alert one collector's.
async fn pick(
    mut stored: broadcast::Receiver<StoredJson>,
    waiting: mpsc::Sender<Value>,
    partial_wait: Option<Duration>,
    mut stopping: tokio::sync::oneshot::Receiver<()>,
    queued: Arc<AtomicUsize>,
) {
    let mut picker = Picker::new(partial_wait);
    let mut budget = Budget {
        since: Instant::now(),
        sent: 0,
        held: 0,
    };
    let mut dropped = 0u64;
    // False once the sender is gone (it cannot be, short of a bug): nothing more to pick.
    let mut send = |alert: Value, budget: &mut Budget| -> bool {
        if alert.get("held").is_none() && !budget.allows(Instant::now()) {
            return true;
        }
        match waiting.try_send(alert) {
            Ok(()) => {
                queued.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                dropped += 1;
                // The first, then every hundredth: a stuck webhook must not fill the log too.
                if dropped % 100 == 1 {
                    eprintln!("sondeo-collector: alerts: {dropped} not sent in all: {WAITING} were already waiting for the webhook");
                }
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    };
    loop {
        // Far enough to mean "nothing due", near enough for any timer.
        let later = Instant::now() + Duration::from_secs(86_400);
        let next = picker.next_due().unwrap_or(later);
        let summary = budget.summary_due().unwrap_or(later);
        let json = tokio::select! {
            _ = &mut stopping => break,
            received = stored.recv() => match received {
                Ok(json) => json,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    eprintln!("sondeo-collector: alerts: {missed} stored responses went by unread (the collector was too busy); alerts for them may be missing");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            () = tokio::time::sleep_until(next.into()) => {
                for alert in picker.due(Instant::now()) {
                    if !send(alert, &mut budget) {
                        return;
                    }
                }
                continue;
            }
            () = tokio::time::sleep_until(summary.into()) => {
                let summary = budget.summary(Instant::now());
                if !send(summary, &mut budget) {
                    return;
                }
                continue;
            }
        };
        let Ok(response) = serde_json::from_str::<Value>(&json) else {
            continue;
        };
        if let Some(alert) = picker.take(response, Instant::now()) {
            if !send(alert, &mut budget) {
                return;
            }
        }
    }
    // Stopping: what was stored before the stop is still picked.
    while let Ok(json) = stored.try_recv() {
        if let Some(alert) = serde_json::from_str::<Value>(&json)
            .ok()
            .and_then(|response| picker.take(response, Instant::now()))
        {
            send(alert, &mut budget);
        }
    }
    if budget.held > 0 {
        let summary = budget.summary(Instant::now());
        send(summary, &mut budget);
    }
    if !picker.pending.is_empty() {
        eprintln!(
            "sondeo-collector: alerts: {} email clicks waiting for their why were not alerted (the collector stopped)",
            picker.pending.len()
        );
    }
}

/// In the worst group of its kind, from a customer survey that names people: not an
/// anonymous survey, nor an employee's eNPS (the dashboard's Call back list leaves those
/// out too).
fn worst_and_named(response: &Value) -> bool {
    let kind = Kind::parse(response["kind"].as_str().unwrap_or(""));
    let worst = kind
        .zip(response["score"].as_i64())
        .and_then(|(kind, score)| kind.group(score))
        .is_some_and(|group| group.tier() == 0);
    worst && kind != Some(Kind::Enps) && response["anonymous"] != true
}

/// What a customer or a page wrote, made safe to show in a chat: Slack's "mrkdwn" treats
/// `&`, `<` and `>` as markup (a comment could ping the whole channel, `<!channel>`, or show a
/// link under words of its own, `<https://…|Refund here>`), and Teams reads Markdown, where
/// `[Refund here](https://…)` is such a link: a zero-width space keeps `](` from joining. A
/// URL the customer wrote still shows, as itself.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut before = ' ';
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '(' if before == ']' => out.push_str("\u{200b}("),
            // A value's line break would start a line of its own (a fake quote, a fake part).
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
        before = c;
    }
    out
}

/// `text` cut to `most` characters (an ellipsis says so), then escaped: never cut inside
/// an escape.
fn escaped_cut(text: &str, most: usize) -> String {
    let mut cut: String = text.chars().take(most).collect();
    if text.chars().nth(most).is_some() {
        cut.push('…');
    }
    escaped(&cut)
}

/// The webhook's body: a line a person reads (`text`), and the response as stored. What
/// the customer or the page wrote is escaped; the quote's `>` is markup.
fn message(response: &Value) -> Value {
    let text_of = |v: &Value, most: usize| match v {
        Value::String(s) => escaped_cut(s, most),
        other => escaped_cut(&other.to_string(), most),
    };
    let kind = response["kind"].as_str().unwrap_or("").to_ascii_uppercase();
    let submitted = if response["complete"] == true {
        ""
    } else {
        ", not submitted: the score from the email, no why"
    };
    let mut text = format!(
        "{kind} {} ({}{submitted})",
        response["score"],
        response["group"].as_str().unwrap_or("")
    );
    if let Some(survey) = response["surveyId"].as_str() {
        text.push_str(&format!(" · {}", escaped_cut(survey, 100)));
    }
    if let Some(metadata) = response["metadata"].as_object() {
        for (key, value) in metadata.iter().take(8) {
            text.push_str(&format!(
                " · {}: {}",
                escaped_cut(key, 64),
                text_of(value, 100)
            ));
        }
    }
    if let Some(reasons) = response["reasons"].as_array().filter(|r| !r.is_empty()) {
        let reasons: Vec<String> = reasons.iter().take(12).map(|r| text_of(r, 100)).collect();
        text.push_str(&format!("\nReasons: {}", reasons.join(", ")));
    }
    if let Some(comment) = response["comment"]
        .as_str()
        .filter(|c| !c.trim().is_empty())
    {
        let mut quoted: String = comment.chars().take(QUOTED).collect();
        if comment.chars().nth(QUOTED).is_some() {
            quoted.push('…');
        }
        for line in quoted.lines() {
            text.push_str("\n> ");
            text.push_str(&escaped(line));
        }
    }
    serde_json::json!({ "text": text, "response": response })
}

/// Posts one alert, retried as the widget retries an answer; what the webhook refuses (a
/// 4xx other than 408, 425, 429) or what is still failing after [`ATTEMPTS`] is logged.
async fn send(client: &reqwest::Client, url: &reqwest::Url, body: &Value) {
    let what = match body["response"]["id"].as_str() {
        Some(id) => format!("alert for response {id}"),
        None => "alerts' summary".to_owned(),
    };
    for attempt in 1..=ATTEMPTS {
        let result = client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let (status, retry_after, problem): (Option<u16>, Option<String>, String) = match &result {
            Ok(answer) => (
                Some(answer.status().as_u16()),
                answer
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                format!("status {}", answer.status().as_u16()),
            ),
            Err(e) if e.is_timeout() => (None, None, "no answer in time".to_owned()),
            Err(_) => (None, None, "could not connect".to_owned()),
        };
        // A redirect is not followed (it would turn the post into a GET), and retrying it
        // changes nothing: the URL must be fixed.
        let outcome = match status {
            Some(300..=399) => Outcome::Refused,
            other => classify(other),
        };
        match outcome {
            Outcome::Delivered => return,
            Outcome::Refused => {
                eprintln!(
                    "sondeo-collector: {what} refused by {} ({problem}); not retried",
                    shown(url)
                );
                return;
            }
            Outcome::Retry if attempt == ATTEMPTS => {
                eprintln!(
                    "sondeo-collector: {what} not delivered to {} after {ATTEMPTS} attempts ({problem})",
                    shown(url)
                );
                return;
            }
            Outcome::Retry => {
                let now_ms = crate::clock::now_ms() as f64;
                let wait = retry_after
                    .and_then(|h| retry_after_ms(&h, now_ms))
                    .unwrap_or_else(|| backoff_ms(attempt, 1_000, 30_000, rand_unit()))
                    // A webhook asking for an hour's pause holds every other alert: a minute at most.
                    .min(60_000);
                tokio::time::sleep(Duration::from_millis(wait as u64)).await;
            }
        }
    }
}

/// A number in `[0, 1)` for the backoff's jitter; no randomness crate for this.
fn rand_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    f64::from(nanos % 1_000_000) / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_worst_group_of_surveys_that_name_people_alerts_once() {
        let r = |id: &str, kind: &str, score: i64, complete: bool, anonymous: bool| json!({ "id": id, "kind": kind, "score": score, "complete": complete, "anonymous": anonymous });
        let mut picker = Picker::new(None);
        let now = Instant::now();
        let alerts = |picker: &mut Picker, list: Vec<Value>| {
            list.into_iter()
                .filter_map(|v| picker.take(v, now))
                .map(|a| a["response"]["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let sent = alerts(
            &mut picker,
            vec![
                r("n6", "nps", 6, true, false),
                r("n7", "nps", 7, true, false),
                r("e0", "enps", 0, true, true),
                r("named-enps", "enps", 0, true, false),
                r("anonymous-nps", "nps", 0, true, true),
                r("c2", "csat", 2, true, false),
                r("c3", "csat", 3, true, false),
                r("s3", "ces", 3, true, false),
                r("s4", "ces", 4, true, false),
                r("off", "nps", 11, true, false),
                // Without a wait for partials, a partial never alerts.
                r("p0", "nps", 0, false, false),
                // The same response again (a later version): once.
                r("n6", "nps", 5, true, false),
            ],
        );
        assert_eq!(sent, ["n6", "c2", "s3"]);
        assert!(picker.due(now + Duration::from_secs(3_600)).is_empty());
    }

    #[test]
    fn a_partial_alerts_once_it_has_waited_unless_submitted_or_changed_meanwhile() {
        let wait = Duration::from_secs(600);
        let mut picker = Picker::new(Some(wait));
        let t0 = Instant::now();
        let partial = |id: &str, score: i64| json!({ "id": id, "kind": "nps", "score": score, "complete": false });
        for id in ["kept", "submitted", "changed"] {
            assert!(picker.take(partial(id, 2), t0).is_none());
        }
        // A second click on a worse score keeps the first click's deadline.
        assert!(picker
            .take(partial("kept", 0), t0 + Duration::from_secs(300))
            .is_none());
        // Submitted meanwhile: its alert is now, with the comment.
        let mut submitted = partial("submitted", 2);
        submitted["complete"] = json!(true);
        assert_eq!(
            picker
                .take(submitted.clone(), t0 + Duration::from_secs(60))
                .unwrap()["response"]["id"],
            "submitted"
        );
        // Clicked again as a 9: nothing to call about.
        assert!(picker
            .take(partial("changed", 9), t0 + Duration::from_secs(60))
            .is_none());
        assert_eq!(picker.next_due(), Some(t0 + wait));
        assert!(picker.due(t0 + wait - Duration::from_secs(1)).is_empty());
        let due = picker.due(t0 + wait);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0]["response"]["score"], 0);
        assert!(due[0]["text"].as_str().unwrap().contains("not submitted"));
        // Submitted after its alert: not again.
        let mut late = partial("kept", 0);
        late["complete"] = json!(true);
        assert!(picker
            .take(late, t0 + wait + Duration::from_secs(1))
            .is_none());
        assert!(picker.take(submitted, t0 + wait).is_none());
        assert_eq!(picker.next_due(), None);
    }

    #[test]
    fn the_text_quotes_the_comment_and_cannot_ping_the_channel() {
        let body = message(&json!({
            "id": "r1", "kind": "nps", "score": 3, "group": "detractor", "complete": true, "surveyId": "post-ticket",
            "metadata": { "agent": "ana", "ticketId": 123 }, "reasons": ["price"],
            "comment": "<!channel> refund & <b>late</b>\nsecond line",
        }));
        assert_eq!(
            body["text"],
            "NPS 3 (detractor) · post-ticket · agent: ana · ticketId: 123\nReasons: price\n\
             > &lt;!channel&gt; refund &amp; &lt;b&gt;late&lt;/b&gt;\n> second line"
        );
        assert_eq!(body["response"]["id"], "r1");
    }

    #[test]
    fn a_chat_shows_no_link_under_words_of_the_customers_own() {
        let body = message(&json!({
            "id": "r2", "kind": "csat", "score": 1, "group": "low", "complete": true,
            "metadata": { "ticketId": "a\u{2028}> fake quote" },
            "comment": "[Refund approved: confirm here](https://evil.example/login) <https://evil.example|click>",
        }));
        let text = body["text"].as_str().unwrap();
        assert!(!text.contains("]("), "{text}");
        assert!(
            text.contains("]\u{200b}(https://evil.example/login)"),
            "{text}"
        );
        assert!(
            text.contains("&lt;https://evil.example|click&gt;"),
            "{text}"
        );
        // A line separator in a value does not start a line of its own.
        assert!(text.contains("ticketId: a &gt; fake quote"), "{text}");
        // Cut, then escaped: an escape is never cut in two.
        let long = message(
            &json!({ "id": "r3", "kind": "nps", "score": 0, "group": "detractor", "complete": true,
            "metadata": { "agent": format!("{}&", "x".repeat(99)) } }),
        );
        assert!(long["text"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{}&amp;", "x".repeat(99))));
    }

    #[test]
    fn past_twenty_a_minute_the_rest_of_the_minute_is_one_summary() {
        let t0 = Instant::now();
        let mut budget = Budget {
            since: t0,
            sent: 0,
            held: 0,
        };
        let allowed = (0..25).filter(|_| budget.allows(t0)).count();
        assert_eq!(allowed, PER_MINUTE as usize);
        assert_eq!(budget.summary_due(), Some(t0 + Duration::from_secs(60)));
        let summary = budget.summary(t0 + Duration::from_secs(60));
        assert_eq!(summary["held"], 25 - PER_MINUTE as u64);
        assert!(summary["text"]
            .as_str()
            .unwrap()
            .starts_with("5 more unhappy customers"));
        assert_eq!(budget.summary_due(), None);
        assert!(budget.allows(t0 + Duration::from_secs(61)));
    }

    #[test]
    fn only_https_or_this_machine_is_accepted() {
        assert!(check_url("https://hooks.slack.com/services/T/B/X").is_ok());
        assert!(check_url("http://127.0.0.1:9/hook").is_ok());
        assert!(check_url("http://localhost:9/hook").is_ok());
        assert!(check_url("http://example.com/hook").is_err());
        assert!(check_url("ftp://example.com/hook").is_err());
        assert!(check_url("not a url").is_err());
    }
}
