use super::*;
use crate::survey::Delivery;

fn entry(id: &str, complete: bool, body: &str) -> Entry {
    Entry {
        id: id.into(),
        complete,
        endpoint: "/api/responses".into(),
        method: "POST".into(),
        created_at: 1_700_000_000_000.0,
        limits: RetryLimits {
            max_attempts: 3,
            base_delay_ms: 1000,
            max_delay_ms: 60_000,
            max_age_days: 7,
        },
        body: body.into(),
        attempts: 0,
        next_at: 0.0,
        lease_until: 0.0,
        lease_owner: String::new(),
        set_at: 0.0,
    }
}

#[test]
fn network_errors_3xx_408_425_429_and_5xx_are_retried_other_4xx_are_final() {
    assert_eq!(classify(None), Outcome::Retry);
    for s in [200, 201, 204, 299] {
        assert_eq!(classify(Some(s)), Outcome::Delivered);
    }
    // A 304 or a 300 (a cache or proxy in the way) did not take the answer: kept, tried again.
    for s in [300, 301, 304, 408, 425, 429, 500, 502, 503, 504, 599] {
        assert_eq!(classify(Some(s)), Outcome::Retry, "{s}");
    }
    for s in [400, 401, 403, 404, 413, 422] {
        assert_eq!(classify(Some(s)), Outcome::Refused, "{s}");
    }
}

#[test]
fn backoff_doubles_from_the_base_up_to_the_cap_with_jitter_in_the_upper_half() {
    // With random = 1 the delay is the full exponential value: 1 s, 2 s, 4 s, 8 s, … capped at 60 s.
    let full: Vec<u32> = (1..=8).map(|a| backoff_ms(a, 1000, 60_000, 1.0)).collect();
    assert_eq!(
        full,
        [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]
    );
    // With random = 0 it is half of that; any random lands in between.
    assert_eq!(backoff_ms(3, 1000, 60_000, 0.0), 2000);
    let mid = backoff_ms(3, 1000, 60_000, 0.5);
    assert_eq!(mid, 3000);
    // Huge attempt numbers do not overflow.
    assert_eq!(backoff_ms(1000, 1000, 60_000, 1.0), 60_000);
}

#[test]
fn retry_after_takes_seconds_or_an_http_date() {
    assert_eq!(retry_after_ms("120", 0.0), Some(120_000));
    assert_eq!(retry_after_ms(" 0 ", 0.0), Some(0));
    // 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT (`date -u -d @1445412480`).
    let now = 1_445_412_480_000.0 - 5_000.0;
    assert_eq!(
        retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", now),
        Some(5_000)
    );
    assert_eq!(
        retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", now + 60_000.0),
        Some(0)
    );
    for bad in [
        "",
        "soon",
        "-5",
        "1.5",
        "Wed, 21 Oct 2015 07:28:00 PST",
        "Wed, 32 Oct 2015 07:28:00 GMT",
    ] {
        assert_eq!(retry_after_ms(bad, 0.0), None, "{bad}");
    }
}

#[test]
fn a_newer_version_replaces_the_older_in_place_but_never_downgrades_a_complete_one() {
    let mut q = Queue::default();
    q.push(entry("a", false, "a-partial"), 10);
    q.push(entry("b", false, "b-partial"), 10);
    assert_eq!(q.push(entry("a", true, "a-final"), 10), Pushed::Stored);
    assert_eq!(
        q.entries
            .iter()
            .map(|e| e.body.as_str())
            .collect::<Vec<_>>(),
        ["a-final", "b-partial"]
    );
    assert_eq!(
        q.push(entry("a", false, "a-late-partial"), 10),
        Pushed::Ignored
    );
    assert_eq!(q.entries[0].body, "a-final");
}

#[test]
fn past_the_bound_a_record_of_a_prompt_shown_goes_before_any_answer() {
    let shown = r#"{"schema":1,"type":"impression","id":"s1","surveyId":"x","kind":"nps"}"#;
    let mut q = Queue::default();
    q.push(entry("a0", true, r#"{"schema":1,"id":"a0"}"#), 3);
    q.push(entry("s1", true, shown), 3);
    q.push(entry("a1", true, r#"{"schema":1,"id":"a1"}"#), 3);
    match q.push(entry("a2", true, r#"{"schema":1,"id":"a2"}"#), 3) {
        Pushed::DroppedOldest(dropped) => assert_eq!(dropped.id, "s1"),
        other => panic!("expected a drop, got {other:?}"),
    }
    // A comment that quotes the record's text is an answer all the same.
    let quoting = r#"{"schema":1,"id":"a3","comment":"{\"schema\":1,\"type\":\"impression\""}"#;
    match q.push(entry("a3", true, quoting), 3) {
        Pushed::DroppedOldest(dropped) => assert_eq!(dropped.id, "a0"),
        other => panic!("expected a drop, got {other:?}"),
    }
}

#[test]
fn waking_leaves_the_endpoints_own_wait_and_keeps_the_attempts_of_a_backoff() {
    // max_attempts 3, backoff at most 60 s (see `entry`).
    let mut q = Queue::default();
    for id in ["backoff", "server", "parked"] {
        q.push(entry(id, true, id), 10);
    }
    let now = 1_000_000.0;
    q.entries[0].attempts = 1;
    q.entries[0].next_at = now + 2_000.0;
    // "Retry-After: 600": longer than any backoff.
    q.entries[1].attempts = 1;
    q.entries[1].next_at = now + 600_000.0;
    q.entries[2].attempts = 3;
    q.entries[2].next_at = now + PARKED_MS;
    q.wake(now);
    let state: Vec<_> = q.entries.iter().map(|e| (e.attempts, e.next_at)).collect();
    assert_eq!(state, [(1, 0.0), (1, now + 600_000.0), (0, 0.0)]);
}

#[test]
fn the_oldest_entry_is_dropped_only_past_the_bound() {
    let mut q = Queue::default();
    for i in 0..3 {
        assert_eq!(
            q.push(entry(&format!("r{i}"), true, "x"), 3),
            Pushed::Stored
        );
    }
    match q.push(entry("r3", true, "x"), 3) {
        Pushed::DroppedOldest(dropped) => assert_eq!(dropped.id, "r0"),
        other => panic!("expected a drop, got {other:?}"),
    }
    assert_eq!(
        q.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["r1", "r2", "r3"]
    );
}

#[test]
fn leases_keep_other_tabs_off_an_entry_until_they_expire() {
    let mut q = Queue::default();
    q.push(entry("a", true, "x"), 10);
    q.push(entry("b", true, "y"), 10);
    q.entries[0].lease_owner = "tab-1".into();
    q.entries[0].lease_until = 1_000.0;
    q.entries[1].next_at = 500.0;
    assert_eq!(q.due(100.0, "tab-1"), [0]);
    assert_eq!(q.due(100.0, "tab-2"), Vec::<usize>::new());
    assert_eq!(q.due(600.0, "tab-2"), [1]);
    assert_eq!(q.due(1_000.0, "tab-2"), [0, 1]);
}

#[test]
fn acknowledging_an_old_version_keeps_the_newer_one() {
    let mut q = Queue::default();
    q.push(entry("a", false, "partial"), 10);
    q.push(entry("a", true, "final"), 10);
    assert!(!q.acknowledge("a", "partial"));
    assert_eq!(q.entries.len(), 1);
    assert!(q.acknowledge("a", "final"));
    assert!(q.entries.is_empty());
}

#[test]
fn the_queue_round_trips_through_json_and_skips_malformed_entries() {
    let mut q = Queue::default();
    let mut e = entry("a", true, "{\"score\":9,\"comment\":\"línea\\n\"}");
    e.attempts = 3;
    e.next_at = 1_700_000_000_123.0;
    e.lease_owner = "tab".into();
    q.push(e, 10);
    q.push(entry("b", false, "y"), 10);
    let json = q.to_json();
    let value = Value::from(serde_json::from_str::<serde_json::Value>(&json).unwrap());
    assert_eq!(Queue::from_value(&value, "/api/responses", 0.0), q);
    let mixed = Value::from(serde_json::json!([{"id": "x"}, 5,
        {"id": "c", "endpoint": "/api/responses", "body": "{}"},
        {"id": "planted", "endpoint": "https://evil.example/collect", "body": "{}"},
        {"id": "odd", "endpoint": "/api/responses", "method": "DELETE", "body": "{}"}]));
    let read = Queue::from_value(&mixed, "/api/responses", 42.0);
    assert_eq!(
        read.entries.len(),
        1,
        "malformed, foreign and odd entries are skipped"
    );
    assert_eq!(
        (
            read.entries[0].id.as_str(),
            read.entries[0].method.as_str(),
            read.entries[0].created_at
        ),
        ("c", "POST", 42.0)
    );
    assert_eq!(
        Queue::from_value(&Value::String("garbage".into()), "/api/responses", 0.0),
        Queue::default()
    );
}

#[test]
fn stored_entries_hold_no_headers_and_expire() {
    let mut q = Queue::default();
    q.push(entry("old", true, "{}"), 10);
    let mut fresh = entry("fresh", true, "{}");
    fresh.created_at += 6.0 * 86_400_000.0;
    q.push(fresh, 10);
    let json = q.to_json();
    assert!(
        !json.contains("headers") && !json.contains("X-Key"),
        "{json}"
    );
    let week = 7.0 * 86_400_000.0;
    let now = 1_700_000_000_000.0 + week + 1.0;
    // The limits travel with the entry (as stored and read back).
    let mut q = Queue::from_value(
        &crate::Value::from_json(&json).unwrap(),
        "/api/responses",
        now,
    );
    let expired = q.expire(now, |_| false);
    assert_eq!(
        expired.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["old"]
    );
    assert_eq!(
        q.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["fresh"]
    );
}

#[test]
fn each_entry_expires_by_its_own_survey_s_age_and_never_while_its_page_is_open() {
    let day = 86_400_000.0;
    let mut q = Queue::default();
    // Queued by a survey that keeps answers 30 days; another whose survey keeps them 1 day.
    let mut month = entry("month", true, "{}");
    month.limits.max_age_days = 30;
    let mut one_day = entry("one-day", true, "{}");
    one_day.limits.max_age_days = 1;
    q.push(month, 10);
    q.push(one_day, 10);
    let two_days_later = 1_700_000_000_000.0 + 2.0 * day;
    let expired = q.expire(two_days_later, |_| false);
    assert_eq!(
        expired.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["one-day"]
    );
    // A month and more later by the clock, but queued by this page (its clock was wrong
    // while offline): kept.
    let expired = q.expire(1_700_000_000_000.0 + 40.0 * day, |e| e.id == "month");
    assert!(expired.is_empty());
    assert_eq!(q.entries.len(), 1);
    // An entry stored by a version that kept no age gets the default week.
    let json = q.to_json().replace(",\"maxAgeDays\":30", "");
    let read = Queue::from_value(
        &crate::Value::from_json(&json).unwrap(),
        "/api/responses",
        0.0,
    );
    assert_eq!(read.entries[0].limits.max_age_days, 7);
}

#[test]
fn a_tab_leases_what_is_due_and_not_in_flight_and_keeps_it_only_if_still_its_own() {
    let mut q = Queue::default();
    q.push(entry("a", true, "x"), 10);
    q.push(entry("b", true, "y"), 10);
    q.entries[1].next_at = 5_000.0;
    let leased = q.lease_due(1_000.0, "tab-1", &[]);
    assert_eq!(
        leased.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    assert_eq!(q.entries[0].lease_until, 1_000.0 + LEASE_MS);
    assert!(
        q.lease_due(1_000.0, "tab-2", &[]).is_empty(),
        "another tab keeps off"
    );
    assert!(
        q.lease_due(1_000.0, "tab-1", &["a".to_string()]).is_empty(),
        "already in flight here"
    );
    assert!(q.still_leased(&leased[0], "tab-1"));
    // Another tab took it after our lease ran out: it is no longer ours to send.
    let taken = q.lease_due(1_000.0 + LEASE_MS, "tab-2", &[]);
    assert!(taken.iter().any(|e| e.id == "a"));
    assert!(!q.still_leased(&leased[0], "tab-1"));
}

#[test]
fn settling_removes_delivered_and_refused_and_backs_off_then_parks_the_rest() {
    let mut q = Queue::default();
    q.push(entry("a", true, "x"), 10);
    // Retry-After wins over the backoff; without it, base · 2^(n−1) with full jitter at random = 1.
    assert_eq!(
        q.settle("a", "x", Some(503), Some("7"), 0.0, 1.0),
        Settled::Retrying {
            attempt: 1,
            wait_ms: 7_000
        }
    );
    assert_eq!(q.entries[0].next_at, 7_000.0);
    assert_eq!(
        q.settle("a", "x", None, None, 10_000.0, 1.0),
        Settled::Retrying {
            attempt: 2,
            wait_ms: 2_000
        }
    );
    // The entry carries max_attempts = 3: the third failure parks it.
    assert_eq!(
        q.settle("a", "x", Some(500), None, 20_000.0, 1.0),
        Settled::Parked
    );
    assert_eq!(q.entries[0].next_at, 20_000.0 + PARKED_MS);
    q.wake(20_000.0);
    assert_eq!((q.entries[0].attempts, q.entries[0].next_at), (0, 0.0));
    // A newer version arrived while the old one was in flight: the old outcome changes nothing.
    q.push(entry("a", true, "newer"), 10);
    assert_eq!(
        q.settle("a", "x", Some(503), None, 0.0, 0.5),
        Settled::Superseded
    );
    assert_eq!(
        q.settle("a", "newer", Some(422), None, 0.0, 0.5),
        Settled::Refused
    );
    assert!(q.entries.is_empty());
    q.push(entry("b", true, "y"), 10);
    assert_eq!(
        q.settle("b", "y", Some(201), None, 0.0, 0.5),
        Settled::Delivered
    );
    assert!(q.entries.is_empty());
}

#[test]
fn retry_after_lengthens_the_wait_never_shortens_it_and_holds_an_answer_an_hour_at_most() {
    let wait = |header: &str| {
        let mut q = Queue::default();
        q.push(entry("a", true, "x"), 10);
        // In 2027; at random = 1 the first backoff is the whole base delay of the entry, 1000 ms.
        match q.settle("a", "x", Some(503), Some(header), 1_800_000_000_000.0, 1.0) {
            Settled::Retrying { wait_ms, .. } => wait_ms,
            other => panic!("{other:?}"),
        }
    };
    // "Now" (0 or a date in the past) would send every attempt at once: the backoff stays.
    assert_eq!(wait("0"), 1000);
    assert_eq!(wait("Wed, 21 Oct 2015 07:28:00 GMT"), 1000);
    // A shorter wait than the backoff too; a longer one is followed.
    assert_eq!(wait("1"), 1000);
    assert_eq!(wait("30"), 30_000);
    // Eleven days ("999999" seconds) is an hour.
    assert_eq!(wait("999999"), 60 * 60 * 1000);
}

#[test]
fn an_entry_keeps_its_own_limits_across_pages() {
    let mut q = Queue::default();
    let mut e = entry("a", true, "x");
    e.limits = RetryLimits {
        max_attempts: 30,
        base_delay_ms: 100,
        max_delay_ms: 1500,
        max_age_days: 90,
    };
    q.push(e, 10);
    let value = Value::from(serde_json::from_str::<serde_json::Value>(&q.to_json()).unwrap());
    let read = Queue::from_value(&value, "/api/responses", 0.0);
    assert_eq!(read.entries[0].limits, q.entries[0].limits);
    // Stored by a version without limits: today's defaults.
    let old =
        Value::from(serde_json::json!([{"id": "o", "endpoint": "/api/responses", "body": "{}"}]));
    let read = Queue::from_value(&old, "/api/responses", 0.0);
    assert_eq!(
        read.entries[0].limits,
        RetryLimits::from(&Delivery::default())
    );
}

#[test]
fn a_final_version_that_another_tab_overwrote_with_the_partial_is_put_back() {
    // Tab B read the queue while it held the partial of r1; this page then queued r1's final
    // version; B wrote its copy back: the partial again.
    let partial = entry("r1", false, "p");
    let mut complete = entry("r1", true, "c");
    complete.created_at += 50.0;
    let mut stale = Queue {
        entries: vec![partial.clone(), entry("r2", false, "x")],
    };
    assert!(stale.restore("/api/responses", std::slice::from_ref(&complete)));
    assert_eq!(stale.entries[0], complete);
    assert_eq!(stale.entries[1].id, "r2", "others untouched");
    // Nothing to put back: the final version is there.
    assert!(!stale.restore("/api/responses", std::slice::from_ref(&complete)));
    // A newer version from elsewhere (the same responseId in another tab) is not undone,
    // nor is a final version replaced by a partial.
    let mut newer = complete.clone();
    newer.body = "c2".into();
    newer.created_at += 50.0;
    let mut queue = Queue {
        entries: vec![newer.clone()],
    };
    assert!(!queue.restore("/api/responses", std::slice::from_ref(&complete)));
    assert_eq!(queue.entries[0], newer);
    let mut late_partial = entry("r1", false, "p2");
    late_partial.created_at += 500.0;
    let mut queue = Queue {
        entries: vec![complete.clone()],
    };
    assert!(!queue.restore("/api/responses", &[late_partial]));
    assert_eq!(queue.entries[0], complete);
}

#[test]
fn a_response_that_another_tab_wrote_out_of_the_queue_is_put_back() {
    // Tab B read the queue before this page queued r1 and wrote its copy back after: r1 is
    // gone. The page cannot tell that from B delivering r1, so it queues r1 again (the
    // endpoint drops a second post by its id); only its own endpoint's responses.
    let mine = entry("r1", true, "c");
    let mut elsewhere = entry("r3", true, "e");
    elsewhere.endpoint = "/other".into();
    let mut stale = Queue {
        entries: vec![entry("r2", false, "x")],
    };
    assert!(stale.restore("/api/responses", &[mine.clone(), elsewhere]));
    assert_eq!(stale.entries, [entry("r2", false, "x"), mine.clone()]);
    let mut empty = Queue::default();
    assert!(empty.restore("/api/responses", std::slice::from_ref(&mine)));
    assert_eq!(empty.entries, [mine]);
}

#[test]
fn a_version_queued_while_the_last_is_in_flight_waits_for_that_attempt_then_is_due_at_once() {
    // The partial is in flight (leased by this tab); the final version replaces it: it keeps
    // the lease, so no other tab sends it and the queue is not due before the lease ends
    // (a page waking at once would find it still waiting, again and again).
    let mut q = Queue::default();
    q.push(entry("r1", false, "p"), 10);
    let leased = q.lease_due(1_000.0, "tab-a", &[]);
    assert_eq!(leased.len(), 1);
    q.push(entry("r1", true, "c"), 10);
    assert_eq!(q.entries[0].body, "c");
    assert_eq!(q.entries[0].lease_owner, "tab-a");
    assert_eq!(q.next_due(), Some(1_000.0 + LEASE_MS));
    assert!(q.lease_due(2_000.0, "tab-b", &[]).is_empty());
    // The partial's attempt ends (delivered): the final version is due now.
    assert_eq!(
        q.settle("r1", "p", Some(200), None, 3_000.0, 0.5),
        Settled::Delivered
    );
    assert_eq!(q.entries.len(), 1);
    assert_eq!(q.next_due(), Some(0.0));
}

#[test]
fn a_handoff_key_names_its_endpoint_whatever_the_endpoint_holds() {
    let endpoint = "https://example.com/hooks/nps?team=a b&x=1";
    let key = handoff_key("shown:6f1c-2", endpoint);
    assert_eq!(key, format!("sondeo:handoff:shown:6f1c-2 {endpoint}"));
    assert_eq!(handoff_endpoint(&key), Some(endpoint));
    assert_eq!(handoff_id(&key), Some("shown:6f1c-2"));
    assert_eq!(handoff_endpoint(&queue_key("/api/responses")), None);
    assert_eq!(handoff_id(&queue_key("/api/responses")), None);
    assert_eq!(queue_key("/api/responses"), "sondeo:queue:/api/responses");
    assert_eq!(handoff_endpoint("sondeo:handoff:no-endpoint"), None);
}

#[test]
fn a_clock_set_back_moves_waits_and_leases_back_once_whichever_tabs_see_it() {
    // A device five hours fast: at its 12:00 an attempt failed (retry due 1 s later) and
    // another tab took a lease (30 s); then the clock was corrected to 07:00.
    let hour = 3_600_000.0;
    let noon = 1_700_000_000_000.0 + 12.0 * hour;
    let mut q = Queue::default();
    q.push(entry("a", true, "{}"), 10);
    q.push(entry("b", true, "{}"), 10);
    q.push(entry("c", true, "{}"), 10);
    assert_eq!(q.lease_due(noon, "tab-a", &[]).len(), 3);
    q.settle("a", "{}", Some(503), None, noon, 1.0);
    q.entries[1].lease_owner = "tab-other".into();
    q.entries[2].lease_until = 0.0;
    q.entries[2].set_at = 0.0;
    let corrected = noon - 5.0 * hour;
    assert_eq!(
        q.due(corrected + 2_000.0, "tab-me"),
        [2],
        "before: only c, for 5 hours"
    );
    // Seen by this tab, then by another reading the same stored queue: moved back once.
    q.follow_clock(corrected);
    let stored = Queue::from_value(
        &crate::json::parse(&q.to_json()).unwrap(),
        "/api/responses",
        corrected,
    );
    let mut again = stored.clone();
    again.follow_clock(corrected + 1_000.0);
    assert_eq!(again, stored);
    // The retry is due a second after the correction, as it was a second after the
    // failure; the other tab's lease ends 30 s after it was taken; c is untouched.
    assert_eq!(again.due(corrected + 1_000.0, "tab-me"), [0, 2]);
    assert_eq!(again.entries[1].lease_until, corrected + 30_000.0);
    assert_eq!(again.due(corrected + 30_000.0, "tab-me"), [0, 1, 2]);
    // A clock that moves on, or back by a few seconds of drift, moves nothing.
    let mut steady = stored.clone();
    steady.follow_clock(noon + hour);
    steady.follow_clock(corrected - 4_000.0);
    assert_eq!(steady, stored);
}
