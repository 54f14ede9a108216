//! Durations as the reports show them: milliseconds with one decimal, in
//! text ("12.3 ms") and in JSON documents (12.3). One place, so that every
//! command rounds and labels round-trip times alike.

#![forbid(unsafe_code)]

use std::time::Duration;

/// "12.3 ms": the human form of a round-trip or answer time.
pub fn text(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Milliseconds rounded to 0.1 ms, the precision the JSON documents promise
/// (finer digits would only be timer noise).
pub fn json(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decimal_in_text_and_json() {
        let d = Duration::from_micros(12_345);
        assert_eq!(text(d), "12.3 ms");
        assert_eq!(json(d), 12.3);
        assert_eq!(json(Duration::from_micros(200)), 0.2);
        assert_eq!(text(Duration::ZERO), "0.0 ms");
    }
}
