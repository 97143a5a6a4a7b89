//! Runs a `cargo test` command, echoing its output as it comes, and collects one result per test
//! from it (the loom and shuttle passes read their summaries this way).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, ExitStatus, Stdio};

/// Runs `command` with its stdout piped through, and keeps what `parse` reads from each line
/// (test name and result). Returns the results and the command's exit status.
pub fn run_collecting<T>(
    mut command: Command,
    parse: impl Fn(&str) -> Option<(String, T)>,
) -> Result<(BTreeMap<String, T>, ExitStatus), String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let mut results = BTreeMap::new();
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading cargo test output: {e}"))?;
        println!("{line}");
        if let Some((name, result)) = parse(&line) {
            results.insert(name, result);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo test: {e}"))?;
    Ok((results, status))
}
