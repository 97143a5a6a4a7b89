//! `cargo xtask conformance`: runs the conformance suite and reports it.
//!
//! The suite (`tests/`, package `zxsim-conformance`, test target `conformance`) runs every case
//! under every selected semantics profile and, with `ZXSIM_CONFORMANCE_REPORT=<file>`, appends one
//! JSON object per run to `<file>` (a `zxsim_conformance_report::Run`, the type both sides
//! share). This task runs it once — both profiles by default, one with `--profile` or
//! `ZXSIM_SEMANTICS` — streaming the runner's progress, then reads the records back and prints:
//! 1. a syscall × (passed / failed) table per profile, with totals ("passed" = the case's
//!    statement held in that run);
//! 2. the differences between profiles: every case whose statement holds under one profile and
//!    not the other, with its clause and the failure message under the other profile;
//! 3. the real failures (`ok == false`): a statement that does not hold where it should, or one
//!    that holds where it is tagged not to.
//!
//! `--markdown F` / `--json F` write the same report to files. The task fails (non-zero exit) if
//! any run has `ok == false` or the runner itself failed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use zxsim_conformance_report::{parse_runs, Run, REPORT_ENV};

const PROFILES: [&str; 2] = ["zircon", "rfc0240"];

#[derive(clap::Args)]
pub struct Args {
    /// Run one semantics profile only: `zircon` or `rfc0240` (default: both, or the profile
    /// named by ZXSIM_SEMANTICS).
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
    /// Also write the report as markdown to this file.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Show the test runner's full output (one line per run) instead of one character per run.
    #[arg(long, short)]
    verbose: bool,
    /// Arguments for the test runner (libtest), e.g. `-- zx_handle` to filter by name.
    #[arg(last = true, value_name = "TEST ARGS")]
    test_args: Vec<String>,
}

/// Statement outcomes of one syscall under one profile.
#[derive(Clone, Copy, Debug, Default, Serialize)]
struct Counts {
    passed: usize,
    failed: usize,
}

#[derive(Debug, Serialize)]
struct Row {
    syscall: String,
    /// Per profile name.
    profiles: BTreeMap<String, Counts>,
    /// Runs of this syscall with `ok == false`.
    unexpected: usize,
}

/// A case whose statement does not hold under every profile that ran.
#[derive(Debug, Serialize)]
struct Difference {
    syscall: String,
    name: String,
    clause: String,
    /// The profiles the case is tagged to hold for (`both`, `zircon`, `rfc0240`).
    tagged: String,
    holds_under: Vec<String>,
    fails_under: Vec<Failure>,
}

#[derive(Debug, Serialize)]
struct Failure {
    profile: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct Report {
    ok: bool,
    profiles: Vec<String>,
    cases: usize,
    runs: usize,
    table: Vec<Row>,
    totals: BTreeMap<String, Counts>,
    differences: Vec<Difference>,
    failures: Vec<Run>,
    all_runs: Vec<Run>,
}

pub fn run(args: Args) -> Result<(), String> {
    let profile = selected_profile(args.profile.as_deref())?;
    let profiles: Vec<String> = match &profile {
        Some(p) => vec![p.clone()],
        None => PROFILES.iter().map(|p| p.to_string()).collect(),
    };

    let report_file = std::env::temp_dir().join(format!(
        "zxsim-conformance-{}-{}.jsonl",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let _ = std::fs::remove_file(&report_file);

    eprintln!(
        "conformance: running the suite under {} (building it first if needed)",
        profiles.join(" and ")
    );
    let status = run_suite(&args, profile.as_deref(), &report_file);
    let records = read_records(&report_file);
    let _ = std::fs::remove_file(&report_file);
    let runner_ok = status?;
    let runs = records?;
    if runs.is_empty() {
        return if runner_ok {
            println!("conformance: no case ran (is the filter too narrow?)");
            Ok(())
        } else {
            Err("the conformance suite failed before running any case (see above)".into())
        };
    }

    let report = build_report(profiles, runs);
    println!();
    print!("{}", render_text(&report));
    if let Some(path) = &args.markdown {
        write_file(path, &render_markdown(&report))?;
        println!("conformance: markdown report written to {}", path.display());
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        write_file(path, &(json + "\n"))?;
        println!("conformance: JSON report written to {}", path.display());
    }

    match (report.ok, runner_ok) {
        (true, true) => Ok(()),
        (false, _) => Err(format!(
            "{} conformance run(s) did not behave as tagged",
            report.failures.len()
        )),
        (true, false) => Err("the test runner failed although every recorded run was ok \
             (a crash or a harness error; see its output above)"
            .into()),
    }
}

/// `--profile`, else a non-empty `ZXSIM_SEMANTICS`, else `None` (both).
fn selected_profile(flag: Option<&str>) -> Result<Option<String>, String> {
    let (name, source) = match flag {
        Some(name) => (name.to_string(), "--profile"),
        None => match std::env::var("ZXSIM_SEMANTICS") {
            Ok(name) if !name.trim().is_empty() => (name, "ZXSIM_SEMANTICS"),
            _ => return Ok(None),
        },
    };
    match name.trim().to_ascii_lowercase().as_str() {
        "zircon" => Ok(Some("zircon".into())),
        "rfc0240" | "rfc-0240" => Ok(Some("rfc0240".into())),
        _ => Err(format!("{source}={name}: expected `zircon` or `rfc0240`")),
    }
}

/// Runs `cargo test -p zxsim-conformance --test conformance -- <args>`, streaming its output.
/// `Ok(true)` if it exited successfully.
fn run_suite(args: &Args, profile: Option<&str>, report_file: &Path) -> Result<bool, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(crate::workspace_root())
        .args([
            "test",
            "-p",
            "zxsim-conformance",
            "--test",
            "conformance",
            "--",
        ])
        .env(REPORT_ENV, report_file);
    let chooses_format = args
        .test_args
        .iter()
        .any(|a| a == "-q" || a == "--quiet" || a == "--format" || a.starts_with("--format="));
    if !args.verbose && !chooses_format {
        command.args(["--format", "terse"]);
    }
    command.args(&args.test_args);
    match profile {
        Some(p) => command.env("ZXSIM_SEMANTICS", p),
        None => command.env_remove("ZXSIM_SEMANTICS"),
    };
    let status = command
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    Ok(status.success())
}

/// Reads the harness's records. They are JSON objects, one per line — but parallel test threads
/// append to the same file, so two records may share a line; parse them as a stream of values.
fn read_records(path: &Path) -> Result<Vec<Run>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("reading {}: {e}", path.display())),
    };
    parse_runs(&text).map_err(|(record, e)| format!("{}: record {record}: {e}", path.display()))
}

fn build_report(profiles: Vec<String>, mut runs: Vec<Run>) -> Report {
    let profile_rank = |p: &str| {
        PROFILES
            .iter()
            .position(|q| *q == p)
            .unwrap_or(PROFILES.len())
    };
    runs.sort_by(|a, b| {
        (&a.syscall, &a.name, profile_rank(&a.profile)).cmp(&(
            &b.syscall,
            &b.name,
            profile_rank(&b.profile),
        ))
    });

    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut totals: BTreeMap<String, Counts> = profiles
        .iter()
        .map(|p| (p.clone(), Counts::default()))
        .collect();
    for run in &runs {
        let row = rows.entry(run.syscall.clone()).or_insert_with(|| Row {
            syscall: run.syscall.clone(),
            profiles: profiles
                .iter()
                .map(|p| (p.clone(), Counts::default()))
                .collect(),
            unexpected: 0,
        });
        let counts = row.profiles.entry(run.profile.clone()).or_default();
        let total = totals.entry(run.profile.clone()).or_default();
        if run.statement_passed {
            counts.passed += 1;
            total.passed += 1;
        } else {
            counts.failed += 1;
            total.failed += 1;
        }
        if !run.ok {
            row.unexpected += 1;
        }
    }

    // Group the runs of each case (they are sorted by syscall, name, profile).
    let mut differences = Vec::new();
    let mut cases = 0;
    let mut start = 0;
    while start < runs.len() {
        let mut end = start + 1;
        while end < runs.len()
            && runs[end].syscall == runs[start].syscall
            && runs[end].name == runs[start].name
        {
            end += 1;
        }
        cases += 1;
        let group = &runs[start..end];
        let holds_under: Vec<String> = group
            .iter()
            .filter(|r| r.statement_passed)
            .map(|r| r.profile.clone())
            .collect();
        let fails_under: Vec<Failure> = group
            .iter()
            .filter(|r| !r.statement_passed)
            .map(|r| Failure {
                profile: r.profile.clone(),
                message: r.message.clone(),
            })
            .collect();
        // A difference: holds under one profile and not another, or (one profile ran) it fails
        // where it is tagged not to hold.
        let differs = (!holds_under.is_empty() && !fails_under.is_empty())
            || group
                .iter()
                .any(|r| !r.statement_passed && !r.expected_to_hold);
        if differs {
            let first = &group[0];
            differences.push(Difference {
                syscall: first.syscall.clone(),
                name: first.name.clone(),
                clause: first.clause.clone(),
                tagged: first.holds.clone(),
                holds_under,
                fails_under,
            });
        }
        start = end;
    }

    let failures: Vec<Run> = runs
        .iter()
        .filter(|r| !r.ok)
        .map(|r| {
            let mut r = r.clone();
            if r.statement_passed && r.message.is_empty() {
                r.message = format!(
                    "the statement holds under {} but the case is tagged to hold under {} only",
                    r.profile, r.holds
                );
            }
            r
        })
        .collect();

    Report {
        ok: failures.is_empty(),
        profiles,
        cases,
        runs: runs.len(),
        table: rows.into_values().collect(),
        totals,
        differences,
        failures,
        all_runs: runs,
    }
}

fn counts(row: &BTreeMap<String, Counts>, profile: &str) -> Counts {
    row.get(profile).copied().unwrap_or_default()
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or("")
}

fn indent(text: &str, by: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let _ = writeln!(out, "{by}{line}");
    }
    out
}

fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let width = report
        .table
        .iter()
        .map(|r| r.syscall.len())
        .chain(["syscall".len(), "total".len()])
        .max()
        .unwrap_or(7);
    let show_unexpected = !report.ok;

    let _ = writeln!(
        out,
        "Conformance report: {} cases, {} runs ({}). passed = the statement held in that run.",
        report.cases,
        report.runs,
        report.profiles.join(", ")
    );
    let _ = writeln!(out);
    // Header: two lines, profile names over their passed/failed columns.
    let _ = write!(out, "{:width$}", "");
    for p in &report.profiles {
        let _ = write!(out, "  {p:^15}");
    }
    if show_unexpected {
        let _ = write!(out, "  {:>10}", "");
    }
    let _ = writeln!(out);
    let _ = write!(out, "{:width$}", "syscall");
    for _ in &report.profiles {
        let _ = write!(out, "  {:>7} {:>7}", "passed", "failed");
    }
    if show_unexpected {
        let _ = write!(out, "  {:>10}", "unexpected");
    }
    let _ = writeln!(out);
    let rule = width + report.profiles.len() * 17 + if show_unexpected { 12 } else { 0 };
    let _ = writeln!(out, "{}", "-".repeat(rule));
    for row in &report.table {
        let _ = write!(out, "{:width$}", row.syscall);
        for p in &report.profiles {
            let c = counts(&row.profiles, p);
            let _ = write!(out, "  {:>7} {:>7}", c.passed, c.failed);
        }
        if show_unexpected {
            let _ = write!(out, "  {:>10}", row.unexpected);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{}", "-".repeat(rule));
    let _ = write!(out, "{:width$}", "total");
    for p in &report.profiles {
        let c = counts(&report.totals, p);
        let _ = write!(out, "  {:>7} {:>7}", c.passed, c.failed);
    }
    if show_unexpected {
        let _ = write!(out, "  {:>10}", report.failures.len());
    }
    let _ = writeln!(out);

    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Differences between profiles ({}): statements that hold under one profile only",
        report.differences.len()
    );
    if report.profiles.len() < 2 {
        let _ = writeln!(
            out,
            "  (only {} ran: listing the statements tagged not to hold under it)",
            report.profiles.join("")
        );
    }
    if report.differences.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for d in &report.differences {
        let holds = if d.holds_under.is_empty() {
            "no profile that ran".to_string()
        } else {
            d.holds_under.join(", ")
        };
        let _ = writeln!(out, "  {}::{}  [holds under {}]", d.syscall, d.name, holds);
        let _ = writeln!(out, "    clause: {}", d.clause);
        for f in &d.fails_under {
            let _ = writeln!(out, "    under {}: {}", f.profile, first_line(&f.message));
            let rest: Vec<&str> = f.message.lines().skip(1).collect();
            if !rest.is_empty() {
                out.push_str(&indent(&rest.join("\n"), "      "));
            }
        }
    }

    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Unexpected results ({}): runs that did not behave as their case is tagged",
        report.failures.len()
    );
    if report.failures.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for f in &report.failures {
        let _ = writeln!(
            out,
            "  [{}] {}::{}  (tagged: holds under {})",
            f.profile, f.syscall, f.name, f.holds
        );
        let _ = writeln!(out, "    clause: {}", f.clause);
        out.push_str(&indent(&f.message, "    "));
    }

    let _ = writeln!(out);
    let differing_runs = report
        .all_runs
        .iter()
        .filter(|r| !r.statement_passed && !r.expected_to_hold)
        .count();
    let differing = if report.profiles.len() < 2 {
        format!(
            "{differing_runs} tagged not to hold under {}",
            report.profiles.join("")
        )
    } else {
        format!("{differing_runs} differ between profiles (as tagged)")
    };
    let _ = writeln!(
        out,
        "conformance: {} cases, {} runs: {} held, {differing}, {} unexpected — {}",
        report.cases,
        report.runs,
        report.totals.values().map(|c| c.passed).sum::<usize>(),
        report.failures.len(),
        if report.ok { "OK" } else { "FAILED" }
    );
    out
}

/// Escapes text for a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

fn fenced(text: &str, indent_by: &str) -> String {
    let mut out = format!("{indent_by}```text\n");
    out.push_str(&indent(text, indent_by));
    let _ = writeln!(out, "{indent_by}```");
    out
}

fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# zxsim conformance report\n");
    let _ = writeln!(
        out,
        "**{}** — {} cases, {} runs under {}. *passed* = the case's statement held in that run; \
         a statement failing under a profile it is not tagged for is expected and listed under \
         [Differences](#differences-between-profiles).\n",
        if report.ok { "OK" } else { "FAILED" },
        report.cases,
        report.runs,
        report.profiles.join(" and ")
    );
    let _ = write!(out, "| syscall |");
    for p in &report.profiles {
        let _ = write!(out, " {p} passed | {p} failed |");
    }
    let _ = writeln!(out, " unexpected |");
    let _ = write!(out, "|---|");
    for _ in &report.profiles {
        let _ = write!(out, "---:|---:|");
    }
    let _ = writeln!(out, "---:|");
    for row in &report.table {
        let _ = write!(out, "| `{}` |", row.syscall);
        for p in &report.profiles {
            let c = counts(&row.profiles, p);
            let _ = write!(out, " {} | {} |", c.passed, c.failed);
        }
        let _ = writeln!(out, " {} |", row.unexpected);
    }
    let _ = write!(out, "| **total** |");
    for p in &report.profiles {
        let c = counts(&report.totals, p);
        let _ = write!(out, " **{}** | **{}** |", c.passed, c.failed);
    }
    let _ = writeln!(out, " **{}** |\n", report.failures.len());

    let _ = writeln!(out, "## Differences between profiles\n");
    let _ = writeln!(
        out,
        "Cases whose statement holds under one profile and not the other ({}).\n",
        report.differences.len()
    );
    if report.differences.is_empty() {
        let _ = writeln!(out, "None.\n");
    }
    for d in &report.differences {
        let holds = if d.holds_under.is_empty() {
            "no profile that ran".to_string()
        } else {
            d.holds_under.join(", ")
        };
        let _ = writeln!(
            out,
            "- `{}::{}` — holds under **{}**  \n  clause: {}",
            d.syscall,
            d.name,
            holds,
            cell(&d.clause)
        );
        for f in &d.fails_under {
            let _ = writeln!(out, "  - under **{}**:\n", f.profile);
            out.push_str(&fenced(&f.message, "    "));
        }
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Unexpected results\n");
    if report.failures.is_empty() {
        let _ = writeln!(out, "None: every run behaved as its case is tagged.");
    }
    for f in &report.failures {
        let _ = writeln!(
            out,
            "- **{}** `{}::{}` (tagged: holds under {})  \n  clause: {}\n",
            f.profile,
            f.syscall,
            f.name,
            f.holds,
            cell(&f.clause)
        );
        out.push_str(&fenced(&f.message, "  "));
    }
    out
}

fn write_file(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("writing {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(syscall: &str, name: &str, holds: &str, profile: &str, passed: bool) -> Run {
        let expected = holds == "both" || holds == profile;
        Run {
            syscall: syscall.into(),
            name: name.into(),
            clause: "§0: a clause".into(),
            holds: holds.into(),
            profile: profile.into(),
            expected_to_hold: expected,
            statement_passed: passed,
            ok: passed == expected,
            message: if passed {
                String::new()
            } else {
                "assertion failed\nleft: 1".into()
            },
        }
    }

    fn both() -> Vec<String> {
        PROFILES.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn table_diff_and_failures() {
        let runs = vec![
            run("zx_a", "x", "both", "rfc0240", true),
            run("zx_a", "x", "both", "zircon", true),
            run("zx_a", "y", "zircon", "zircon", true),
            run("zx_a", "y", "zircon", "rfc0240", false),
            run("zx_b", "z", "both", "zircon", false),
            run("zx_b", "z", "both", "rfc0240", true),
        ];
        let report = build_report(both(), runs);
        assert_eq!(report.cases, 3);
        assert_eq!(report.runs, 6);
        assert!(!report.ok);
        let a = &report.table[0];
        assert_eq!(a.syscall, "zx_a");
        assert_eq!(counts(&a.profiles, "zircon").passed, 2);
        assert_eq!(counts(&a.profiles, "rfc0240").failed, 1);
        assert_eq!(a.unexpected, 0);
        assert_eq!(report.table[1].unexpected, 1);
        assert_eq!(counts(&report.totals, "zircon").failed, 1);
        let names: Vec<_> = report.differences.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["y", "z"]);
        assert_eq!(report.differences[0].holds_under, ["zircon"]);
        assert_eq!(report.differences[0].fails_under[0].profile, "rfc0240");
        assert_eq!(report.failures.len(), 1);
        assert_eq!(report.failures[0].profile, "zircon");
        let text = render_text(&report);
        assert!(text.contains("zx_a::y  [holds under zircon]"), "{text}");
        assert!(text.contains("FAILED"));
        let md = render_markdown(&report);
        assert!(md.contains("| `zx_a` | 2 | 0 | 1 | 1 | 0 |"), "{md}");
    }

    #[test]
    fn single_profile_lists_expected_non_holding_cases() {
        let runs = vec![
            run("zx_a", "y", "zircon", "rfc0240", false),
            run("zx_a", "x", "both", "rfc0240", true),
        ];
        let report = build_report(vec!["rfc0240".into()], runs);
        assert!(report.ok);
        assert_eq!(report.differences.len(), 1);
        assert!(render_text(&report).contains("— OK"));
    }

    #[test]
    fn passing_where_tagged_not_to_hold_is_explained() {
        let runs = vec![
            run("zx_a", "y", "zircon", "zircon", true),
            run("zx_a", "y", "zircon", "rfc0240", true),
        ];
        let report = build_report(both(), runs);
        assert_eq!(report.failures.len(), 1);
        assert!(report.failures[0].message.contains("tagged"));
    }

    #[test]
    fn records_sharing_a_line_are_all_read() {
        let path = std::env::temp_dir().join(format!("xtask-records-{}.jsonl", std::process::id()));
        let one = serde_json::to_string(&run("zx_a", "x", "both", "zircon", true)).unwrap();
        let two = serde_json::to_string(&run("zx_a", "y", "both", "zircon", true)).unwrap();
        std::fs::write(&path, format!("{one}{two}\n\n{one}\n")).unwrap();
        let records = read_records(&path);
        let _ = std::fs::remove_file(&path);
        let names: Vec<_> = records.unwrap().into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["x", "y", "x"]);
    }

    #[test]
    fn profile_selection() {
        assert_eq!(
            selected_profile(Some("Zircon")).unwrap().as_deref(),
            Some("zircon")
        );
        assert_eq!(
            selected_profile(Some("rfc-0240")).unwrap().as_deref(),
            Some("rfc0240")
        );
        assert!(selected_profile(Some("linux")).is_err());
    }
}
