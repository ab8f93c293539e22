//! The current time as RFC 3339 (UTC, milliseconds), without a date crate:
//! `sondeo-core` already has the calendar arithmetic.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `ms` as `2026-11-22T10:00:41.123Z`.
pub fn rfc3339(ms: i64) -> String {
    sondeo_core::time::format_rfc3339(ms)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000Z");
        // Checked with `date -u -d @1763805641`.
        assert_eq!(
            super::rfc3339(1_763_805_641_500),
            "2025-11-22T10:00:41.500Z"
        );
    }
}
