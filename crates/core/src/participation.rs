//! Participation in an employee pulse: how many answered of how many were invited, per
//! team. An eNPS read from 5% of a team is not the team's: the rate matters as much as
//! the score. The invitations come as a small CSV file (`team,invited`).

use crate::import::Report;
use crate::metric::Kind;
use crate::score::ScoreState;

/// One team's participation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    /// The team.
    pub team: String,
    /// People invited.
    pub invited: u64,
    /// eNPS answers from the team.
    pub answered: u64,
}

/// Reads `team,invited` rows (a header names the columns, in any order; other columns are
/// ignored). A row without a team or with a count that is not a whole number is rejected
/// with its line.
pub fn read_invited(text: &str) -> (Vec<(String, u64)>, Report) {
    let mut report = Report::default();
    let mut rows = Vec::new();
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return (rows, report);
    };
    let names: Vec<String> = header
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |name: &str| names.iter().position(|n| n == name);
    let (Some(team_at), Some(invited_at)) = (column("team"), column("invited")) else {
        report.reject(1, "header", "expected the columns team and invited".into());
        return (rows, report);
    };
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let team = cells.get(team_at).copied().unwrap_or("");
        let invited = cells.get(invited_at).copied().unwrap_or("");
        match (team.is_empty(), invited.parse::<u64>()) {
            (false, Ok(n)) => {
                report.accepted += 1;
                rows.push((team.to_owned(), n));
            }
            (true, _) => report.reject(i as u64 + 1, "team", "expected a team name".into()),
            (false, Err(_)) => report.reject(
                i as u64 + 1,
                "invited",
                format!("expected a whole number of people, got {invited:?}"),
            ),
        }
    }
    (rows, report)
}

/// Each invited team's eNPS answers (from the `metadata.team` segment) against its invitations.
pub fn participation(state: &ScoreState, invited: &[(String, u64)]) -> Vec<Participation> {
    let teams = state.segments.get("metadata.team");
    invited
        .iter()
        .map(|(team, n)| Participation {
            team: team.clone(),
            invited: *n,
            answered: teams
                .and_then(|t| t.values.get(team))
                .map_or(0, |scores| scores.get(Kind::Enps).n()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Format, Importer};

    #[test]
    fn participation_is_answers_of_invitations_per_team() {
        let mut state = ScoreState::default();
        let mut importer = Importer::new(Format::Csv);
        let answers = "kind,score,team\nenps,9,ops\nenps,3,ops\nenps,10,eng\nnps,10,ops\n";
        importer.feed(answers.as_bytes(), &mut |row| state.add(row));
        importer.finish(&mut |row| state.add(row));
        let (invited, report) =
            read_invited("invited,team,site\n8,ops,Lisbon\n4,eng,\n3,design,\n5,,\nfive,sales,\n");
        assert_eq!(report.accepted, 3);
        let errors: Vec<(u64, &str)> = report
            .first
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(errors, [(5, "team"), (6, "invited")]);
        let rows = participation(&state, &invited);
        let found: Vec<(&str, u64, u64)> = rows
            .iter()
            .map(|p| (p.team.as_str(), p.invited, p.answered))
            .collect();
        // ops: two eNPS answers (the NPS answer is a customer's, not counted).
        assert_eq!(found, [("ops", 8, 2), ("eng", 4, 1), ("design", 3, 0)]);
        assert_eq!(
            read_invited("name,count\nops,3\n").1.first[0].field,
            "header"
        );
    }
}
