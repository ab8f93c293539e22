//! The export's shape, one place for the writer (the collector's CSV export) and the
//! reader (the importer behind the Scorer): the CSV columns, how metadata is spread
//! over them, and the formula guard on cells.

/// The fixed CSV columns, in order: the payload's fields (`user.id` for the user's id),
/// then `receivedAt`, which the collector adds.
pub const CSV_COLUMNS: [&str; 14] = [
    "id",
    "surveyId",
    "kind",
    "score",
    "group",
    "comment",
    "reasons",
    "complete",
    "locale",
    "page",
    "createdAt",
    "submittedAt",
    "receivedAt",
    "user.id",
];

/// Prefix of a metadata key's own column (`metadata.agent`).
pub const METADATA_PREFIX: &str = "metadata.";

/// The column holding, as one JSON object, the metadata keys past the column cap.
pub const METADATA_REST: &str = "metadata";

/// Separator of the reasons in one cell.
pub const REASONS_SEPARATOR: char = '|';

/// Whether a spreadsheet would run a cell with this text as a formula (OWASP's list).
#[inline]
pub fn looks_like_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell's text as stored, from the text the export wrote: the `'` that the formula
/// guard puts before a would-be formula is taken off again.
#[inline]
pub fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_comes_off_only_before_a_formula() {
        assert_eq!(unguarded("'=1+1"), "=1+1");
        assert_eq!(unguarded("'-5"), "-5");
        assert_eq!(unguarded("'quoted'"), "'quoted'");
        assert_eq!(unguarded("=1+1"), "=1+1");
        assert!(looks_like_formula("@SUM(A1)") && !looks_like_formula("a=b"));
    }
}
