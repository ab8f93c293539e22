use super::*;
use std::borrow::Cow;

fn answer(user: &str, kind: Kind, score: u8, time: i64) -> Row<'static> {
    Row {
        kind: Some(kind),
        score,
        time: Some(time),
        user: Some(Cow::Owned(user.to_owned())),
        ..Row::default()
    }
}

/// The outcome records joined to `people`.
fn joined(people: &Respondents, records: &[OutcomeRecord]) -> OutcomeTally {
    let mut tally = OutcomeTally::default();
    for r in records {
        tally.add(people, r);
    }
    tally
}

/// Reads `text` in chunks of `size` bytes.
fn read(text: &str, ndjson: bool, size: usize) -> (Vec<OutcomeRecord>, Report) {
    let mut out = Vec::new();
    let mut reader = OutcomeReader::new(ndjson);
    for chunk in text.as_bytes().chunks(size) {
        reader.feed(chunk, &mut |r| out.push(r.clone()));
    }
    let report = reader.finish(&mut |r| out.push(r.clone()));
    (out, report)
}

#[test]
fn a_small_program_gives_the_rates_and_difference_computed_by_hand() {
    let mut people = Respondents::default();
    // Four promoters and two detractors; p3 first said 2, then 10 (the later answer counts).
    for (user, score) in [
        ("p1", 10),
        ("p2", 9),
        ("p3", 2),
        ("p4", 10),
        ("d1", 0),
        ("d2", 5),
    ] {
        people.record(&answer(user, Kind::Nps, score, 100));
    }
    people.record(&answer("p3", Kind::Nps, 10, 200));
    let csv = "userId,retained,revenue,date\r\np1,true,100,2026-12-01\np2,yes,300,\np3,1,,\np4,false,200,\nd1,true,50,\nd2,no,0,\nghost,true,1,\n";
    let (records, report) = read(csv, false, 5);
    assert_eq!((report.accepted, report.rejected), (7, 0));
    let tally = joined(&people, &records);
    assert_eq!(
        (
            tally.matched,
            tally.unmatched,
            tally.without_outcome(&people)
        ),
        (6, 1, 0)
    );
    let promoters = &tally.groups[Kind::Nps as usize][2];
    let detractors = &tally.groups[Kind::Nps as usize][0];
    // Retained: promoters 3 of 4, detractors 1 of 2.
    let (lo, hi) = wilson(3, 4);
    assert_eq!(
        promoters.rate(0),
        Some(Estimate {
            value: 75.0,
            low95: 100.0 * lo,
            high95: 100.0 * hi,
            n: 4
        })
    );
    assert_eq!(detractors.rate(0).unwrap().value, 50.0);
    let d = flag_difference(promoters, detractors, 0).unwrap();
    // Newcombe's interval from the two Wilson intervals, written out here.
    let ((lp, up), (ld, ud)) = (wilson(3, 4), wilson(1, 2));
    let high = 0.25 + ((up - 0.75).powi(2) + (0.5 - ld).powi(2)).sqrt();
    let low = 0.25 - ((0.75 - lp).powi(2) + (ud - 0.5).powi(2)).sqrt();
    assert!((d.difference - 25.0).abs() < 1e-9);
    assert!((d.high95 - 100.0 * high).abs() < 1e-9 && (d.low95 - 100.0 * low).abs() < 1e-9);
    assert!(!d.significant, "six customers prove nothing");
    // One retained promoter against one churned detractor is not a significant +100.
    let one = |yes| GroupTally {
        n: 1,
        flags: [(1, yes), (0, 0), (0, 0), (0, 0)],
        revenue: (0, 0.0, 0.0),
    };
    let extreme = flag_difference(&one(1), &one(0), 0).unwrap();
    assert_eq!(extreme.difference, 100.0);
    assert!(!extreme.significant, "{extreme:?}");
    // Revenue per promoter: 100, 300, 200 (p3 gave none): mean 200, s = 100.
    let revenue = promoters.revenue().unwrap();
    assert_eq!((revenue.value, revenue.n), (200.0, 3));
    assert!((revenue.high95 - (200.0 + Z95 * 100.0 / 3f64.sqrt())).abs() < 1e-9);
    // Nobody answered CSAT: nothing there.
    assert_eq!(tally.groups[Kind::Csat as usize][2].n, 0);
}

#[test]
fn bad_rows_are_rejected_with_their_line_and_column_and_ndjson_reads_too() {
    let csv = "accountId,churned,revenue\na1,maybe,10\n,true,1\na3,false,ten\n";
    let (records, report) = read(csv, false, 64);
    assert!(records.is_empty());
    let errors: Vec<(u64, &str)> = report
        .first
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(errors, [(2, "churned"), (3, "userId"), (4, "revenue")]);
    let ndjson = "{\"user\":{\"id\":\"u1\"},\"retained\":true,\"revenue\":12.5}\n{\"userId\":\"u2\",\"crossSell\":\"no\"}\nnot json\n{\"user\":{\"id\":42},\"churned\":1}\n";
    let (records, report) = read(ndjson, true, 3);
    assert_eq!(report.rejected, 1, "{:?}", report.first);
    assert_eq!(
        records[0],
        OutcomeRecord {
            id: "u1".into(),
            flags: [Some(true), None, None, None],
            revenue: Some(12.5)
        }
    );
    assert_eq!(records[1].flags[3], Some(false));
    assert_eq!(
        (records[2].id.as_str(), records[2].flags[1]),
        ("42", Some(true)),
        "a number id reads as the responses' importer reads it"
    );
}

#[test]
fn an_outcome_row_or_line_over_a_mebibyte_is_refused_and_the_rest_is_read() {
    let long = "x".repeat(crate::import::csv::MAX_RECORD_BYTES);
    let csv = format!("userId,retained,note\nu1,true,\"{long}\"\nu2,false,ok\n");
    let ndjson = format!(
        "{{\"userId\":\"u1\",\"note\":\"{long}\"}}\n{{\"userId\":\"u2\",\"retained\":false}}\n"
    );
    for (text, ndjson) in [(csv, false), (ndjson, true)] {
        let (records, report) = read(&text, ndjson, 1 << 16);
        assert_eq!(report.rejected, 1, "{:?}", report.first);
        assert_eq!(report.first[0].line, if ndjson { 1 } else { 2 });
        assert!(report.first[0].error.contains("longer than 1 MiB"));
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].id, "u2");
    }
}

/// xorshift64*: a fixed sequence, so the synthetic program is the same on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn a_synthetic_program_with_known_truth_is_recovered_within_the_stated_intervals() {
    // The truth: detractors retain at 60%, passives at 75%, promoters at 90%; revenue per
    // customer averages 100, 150 and 200 (uniform noise of ±50 around it).
    let truth_retained = [60.0, 75.0, 90.0];
    let truth_revenue = [100.0, 150.0, 200.0];
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut people = Respondents::default();
    let mut csv = String::from("userId,retained,revenue\n");
    for i in 0..20_000 {
        let user = format!("c{i}");
        let u = random.next();
        let tier = if u < 0.3 {
            0
        } else if u < 0.6 {
            1
        } else {
            2
        };
        let score = match tier {
            0 => (random.next() * 7.0) as u8,
            1 => 7 + (random.next() * 2.0) as u8,
            _ => 9 + (random.next() * 2.0) as u8,
        };
        // 1,000 respondents never appear in the outcomes.
        people.record(&answer(&user, Kind::Nps, score, i));
        if i < 19_000 {
            let retained = random.next() * 100.0 < truth_retained[tier];
            let revenue = truth_revenue[tier] + (random.next() - 0.5) * 100.0;
            csv.push_str(&format!("{user},{retained},{revenue:.2}\n"));
        }
    }
    // 500 outcome rows for customers who never answered.
    for i in 0..500 {
        csv.push_str(&format!("x{i},true,1\n"));
    }
    let (records, report) = read(&csv, false, 4096);
    assert_eq!(report.rejected, 0);
    let tally = joined(&people, &records);
    assert_eq!(
        (
            tally.matched,
            tally.unmatched,
            tally.without_outcome(&people)
        ),
        (19_000, 500, 1_000)
    );
    let groups = &tally.groups[Kind::Nps as usize];
    for tier in 0..3 {
        let rate = groups[tier].rate(0).unwrap();
        assert!(
            rate.low95 <= truth_retained[tier] && truth_retained[tier] <= rate.high95,
            "tier {tier}: {rate:?}"
        );
        let revenue = groups[tier].revenue().unwrap();
        assert!(
            revenue.low95 <= truth_revenue[tier] && truth_revenue[tier] <= revenue.high95,
            "tier {tier}: {revenue:?}"
        );
    }
    let d = flag_difference(&groups[2], &groups[0], 0).unwrap();
    assert!(
        d.significant && d.low95 <= 30.0 && 30.0 <= d.high95,
        "{d:?}"
    );
    let r = revenue_difference(&groups[2], &groups[0]).unwrap();
    assert!(
        r.significant && r.low95 <= 100.0 && 100.0 <= r.high95,
        "{r:?}"
    );
}

#[test]
fn respondents_of_two_parts_merged_equal_those_of_one_pass() {
    // Parts of one file in order: a user's later answer (by time; a tie, the later part) wins.
    let rows = [
        answer("ana", Kind::Nps, 3, 100),
        answer("bo", Kind::Nps, 9, 100),
        answer("ana", Kind::Nps, 10, 200),
        answer("bo", Kind::Nps, 2, 100),
        answer("cy", Kind::Csat, 5, 50),
    ];
    let mut whole = Respondents::default();
    rows.iter().for_each(|r| whole.record(r));
    for cut in 0..=rows.len() {
        let (mut first, mut second) = (Respondents::default(), Respondents::default());
        rows[..cut].iter().for_each(|r| first.record(r));
        rows[cut..].iter().for_each(|r| second.record(r));
        first.merge(&second);
        assert_eq!(first, whole, "cut at {cut}");
    }
}
