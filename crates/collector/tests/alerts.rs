//! Alerts to a webhook (`--alert-url`): the real collector posting to a real HTTP server
//! on loopback that fails its first request, as a webhook service does under load.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;

fn answer(id: &str, kind: &str, score: u8, complete: bool) -> Value {
    json!({ "schema": 1, "id": id, "surveyId": "post-ticket", "kind": kind, "score": score, "complete": complete })
}

#[test]
fn each_submitted_detractor_is_posted_to_the_webhook_once_after_its_failures() {
    let hook = Webhook::start(1);
    let c = Collector::start(&["--alert-url", &hook.url]);
    // The email click (a partial), then the submitted answer with its comment.
    assert_eq!(c.post(&answer("d1", "nps", 3, false)).0, 200);
    let mut submitted = answer("d1", "nps", 3, true);
    submitted["comment"] = json!("<!channel> refund & <b>late</b>");
    submitted["metadata"] = json!({ "agent": "ana", "ticketId": "T-123" });
    assert_eq!(c.post(&submitted).0, 200);
    // The same answer again (a retry), a promoter, a passive, a neutral CSAT: no alert.
    assert_eq!(c.post(&submitted).0, 200);
    assert_eq!(c.post(&answer("p1", "nps", 10, true)).0, 200);
    assert_eq!(c.post(&answer("p2", "nps", 8, true)).0, 200);
    assert_eq!(c.post(&answer("c1", "csat", 3, true)).0, 200);
    // A low CSAT: the second alert.
    assert_eq!(c.post(&answer("c2", "csat", 1, true)).0, 200);
    let alerts = hook.wait_for(2);
    // The webhook's first request failed (503) and was retried: 3 requests for 2 alerts.
    assert_eq!(*hook.requests.lock().unwrap(), 3);
    assert_eq!(alerts[0]["response"]["id"], "d1");
    assert_eq!(alerts[0]["response"]["complete"], true);
    let text = alerts[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("NPS 3 (detractor) · post-ticket"),
        "{text}"
    );
    assert!(
        text.contains("agent: ana") && text.contains("ticketId: T-123"),
        "{text}"
    );
    // The comment cannot ping the channel nor bring its own markup.
    assert!(
        text.contains("> &lt;!channel&gt; refund &amp; &lt;b&gt;late&lt;/b&gt;"),
        "{text}"
    );
    assert!(!text.contains("<!channel>"), "{text}");
    assert_eq!(alerts[1]["response"]["id"], "c2");
    assert!(alerts[1]["text"]
        .as_str()
        .unwrap()
        .starts_with("CSAT 1 (low)"));
    // Nothing more comes.
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(hook.received().len(), 2);
}

#[test]
fn a_webhook_that_refuses_is_logged_by_its_host_never_its_secret_path() {
    let hook = Webhook::answering(|_| "400 Bad Request");
    let c = Collector::start(&["--alert-url", &hook.url]);
    assert_eq!(c.post(&answer("r1", "nps", 0, true)).0, 200);
    let start = Instant::now();
    while !c.stderr().contains("refused by") {
        assert!(start.elapsed() < Duration::from_secs(15), "{}", c.stderr());
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = c.stderr();
    assert!(
        log.contains("alert for response r1 refused by http://127.0.0.1 (status 400); not retried"),
        "{log}"
    );
    assert!(!log.contains("secret-path"), "{log}");
    // Refused: not retried.
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(*hook.requests.lock().unwrap(), 1);
}

#[test]
fn an_anonymous_survey_sends_no_alert() {
    let hook = Webhook::start(0);
    let c = Collector::start(&["--alert-url", &hook.url]);
    // Anonymous, whatever its kind: an NPS asked without names.
    let mut pulse = answer("e1", "nps", 0, true);
    pulse["anonymous"] = json!(true);
    pulse["metadata"] = json!({ "team": "support" });
    assert_eq!(c.post(&pulse).0, 200);
    // A named one after it arrives: the anonymous one was passed over, not held up.
    assert_eq!(c.post(&answer("n1", "nps", 0, true)).0, 200);
    let alerts = hook.wait_for(1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(hook.received().len(), 1);
    assert_eq!(alerts[0]["response"]["id"], "n1");
}

#[test]
fn an_alert_url_that_is_not_https_or_this_machine_is_refused_at_start() {
    for url in ["http://hooks.example.com/x", "ftp://example.com/x", "hooks"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sondeo-collector"))
            .args(["--listen", "127.0.0.1:0", "--alert-url", url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--alert-url"), "{url}: {stderr}");
    }
}

#[test]
fn an_email_click_never_submitted_alerts_after_its_wait_and_a_submitted_one_does_not_twice() {
    let hook = Webhook::start(0);
    let c = Collector::start(&["--alert-url", &hook.url, "--alert-partial-after", "1"]);
    // Clicked in the email, never submitted.
    let mut clicked = answer("click-only", "nps", 1, false);
    clicked["metadata"] = json!({ "ticketId": "T-9" });
    assert_eq!(c.post(&clicked).0, 200);
    // Clicked, then submitted within the wait: one alert, the submitted one.
    assert_eq!(c.post(&answer("then-sent", "csat", 2, false)).0, 200);
    assert_eq!(c.post(&answer("then-sent", "csat", 2, true)).0, 200);
    let alerts = hook.wait_for(2);
    std::thread::sleep(Duration::from_millis(2_000));
    assert_eq!(hook.received().len(), 2, "{:?}", hook.received());
    assert_eq!(alerts[0]["response"]["id"], "then-sent");
    assert_eq!(alerts[0]["response"]["complete"], true);
    assert_eq!(alerts[1]["response"]["id"], "click-only");
    let text = alerts[1]["text"].as_str().unwrap();
    assert!(
        text.starts_with("NPS 1 (detractor, not submitted"),
        "{text}"
    );
    assert!(text.contains("ticketId: T-9"), "{text}");
    // Submitted after its alert: not again.
    assert_eq!(c.post(&answer("click-only", "nps", 1, true)).0, 200);
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(hook.received().len(), 2);
}

#[test]
fn a_response_alerted_before_a_restart_does_not_alert_again_when_it_changes() {
    let hook = Webhook::start(0);
    let mut first = Collector::start(&["--alert-url", &hook.url]);
    let mut sent = answer("r1", "nps", 1, true);
    sent["comment"] = json!("Nobody called");
    assert_eq!(first.post(&sent).0, 200);
    hook.wait_for(1);
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    // The same database, a new process: the claim is in the database, not in memory.
    let again = Collector::start_on(
        tempfile::tempdir().unwrap(),
        first.db.clone(),
        &["--alert-url", &hook.url],
    );
    sent["comment"] = json!("Nobody called, still");
    sent["updatedAt"] = json!("2026-11-22T10:05:00Z");
    assert_eq!(again.post(&sent).0, 200);
    assert_eq!(again.ndjson()[0]["comment"], "Nobody called, still");
    // Another one does alert: the new process sends.
    assert_eq!(again.post(&answer("r2", "nps", 0, true)).0, 200);
    let alerts = hook.wait_for(2);
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(hook.received().len(), 2);
    assert_eq!(alerts[1]["response"]["id"], "r2");
}
