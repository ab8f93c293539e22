//! Native twin of `Scorer.import` + `summary`: prints the summary JSON of an export,
//! so tests can check that the browser gives the same figures as native core.
//! Usage: summarize <file> [--by <field>] [--period day|week|month]

use sondeo_analytics::summary::summary;
use sondeo_core::import::{Format, Importer};
use sondeo_core::score::ScoreState;
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: summarize <file> [--by <field>] [--period day|week|month]");
        std::process::exit(2);
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let mut file = std::fs::File::open(path).unwrap_or_else(|e| {
        eprintln!("summarize: {path}: {e}");
        std::process::exit(1);
    });
    let mut state = ScoreState::default();
    let mut importer: Option<Importer> = None;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        let importer = importer.get_or_insert_with(|| Importer::new(Format::detect(&buf[..n])));
        importer.feed(&buf[..n], &mut |row| state.add(row));
    }
    let report = importer
        .map(|i| i.finish(&mut |row| state.add(row)))
        .unwrap_or_default();
    match summary(&state, &report, flag("--by"), flag("--period"), None, 5) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("summarize: {e}");
            std::process::exit(2);
        }
    }
}
