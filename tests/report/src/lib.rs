//! The conformance suite's machine-readable report: one [`Run`] per run of a case under a
//! profile. The harness (`tests/src/harness.rs`) appends each record as one JSON object to the
//! file named by [`REPORT_ENV`]; `cargo xtask conformance` reads them back with [`parse_runs`].
//! Both sides use these types, so the format is defined here and nowhere else.

use serde::{Deserialize, Serialize};

/// The environment variable naming the file the harness appends its records to.
pub const REPORT_ENV: &str = "ZXSIM_CONFORMANCE_REPORT";

/// One run of one case under one profile.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Run {
    /// The syscall (or family) the case is about: its row in the report.
    pub syscall: String,
    /// The case's name, unique within `syscall`.
    pub name: String,
    /// The spec clause the case states.
    pub clause: String,
    /// The profiles the case is tagged to hold for: `both`, `zircon` or `rfc0240`.
    pub holds: String,
    /// The profile of this run.
    pub profile: String,
    /// Whether the case's statement is tagged to hold under `profile`.
    pub expected_to_hold: bool,
    /// Whether the statement held in this run.
    pub statement_passed: bool,
    /// Whether the run behaved as tagged (held where expected, failed its tagged rule where not).
    pub ok: bool,
    /// The failure message (empty when the statement held).
    pub message: String,
}

impl Run {
    /// The record as one line of JSON, newline included: what the harness appends.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("a Run always serialises");
        line.push('\n');
        line
    }
}

/// Parses a report file's text. Records are JSON objects, one per line, but parallel writers
/// may put two on one line, so the text is read as a stream of values. The error names the
/// 1-based record that does not parse.
pub fn parse_runs(text: &str) -> Result<Vec<Run>, (usize, serde_json::Error)> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Run>()
        .enumerate()
        .map(|(i, record)| record.map_err(|e| (i + 1, e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, message: &str) -> Run {
        Run {
            syscall: "zx_channel_write".into(),
            name: name.into(),
            clause: "§7: \"quoted\" \\ and a tab\t".into(),
            holds: "zircon".into(),
            profile: "rfc0240".into(),
            expected_to_hold: false,
            statement_passed: false,
            ok: true,
            message: message.into(),
        }
    }

    #[test]
    fn lines_round_trip_even_when_two_share_a_line() {
        let (a, b) = (run("a", "line one\nline two"), run("b", "\u{1}control"));
        let text = format!("{}{}", a.to_line().trim_end(), b.to_line());
        assert_eq!(parse_runs(&text).unwrap(), vec![a, b]);
    }

    #[test]
    fn the_line_keeps_the_field_names_the_report_has_always_had() {
        let value: serde_json::Value = serde_json::from_str(&run("a", "").to_line()).unwrap();
        let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "clause",
                "expected_to_hold",
                "holds",
                "message",
                "name",
                "ok",
                "profile",
                "statement_passed",
                "syscall"
            ]
        );
    }

    #[test]
    fn a_broken_record_is_named() {
        let text = format!("{}{{\"syscall\":1}}\n", run("a", "").to_line());
        let (index, _) = parse_runs(&text).unwrap_err();
        assert_eq!(index, 2);
    }
}
