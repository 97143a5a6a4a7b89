//! `cargo xtask core-tests --fuchsia-src DIR [--profile zircon|rfc0240|both] [--filter GLOB]
//! [--list-needed] [--markdown F] [--json F] [--timeout SECS]`: compiles Zircon's own core-test
//! sources from a Fuchsia checkout (or a sparse copy holding just the files `--list-needed`
//! prints) against `libzxsim_capi.a`, with zxsim's zxtest-compatible harness and host shims
//! (`capi/core-tests/`), and runs every test under each profile — each test in its own process,
//! with a timeout, so one crash or hang cannot take the others down.
//!
//! It prints a per-file passed / failed / skipped table and every failure's assertion text, and
//! fails when a test outside `capi/core-tests/expectations.txt` fails, a listed one passes, or a
//! source does not compile. Nothing here runs in CI: the sources are not in this repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    /// The Fuchsia checkout (or sparse copy) holding the core-test sources.
    #[arg(long, value_name = "DIR", required_unless_present = "list_needed")]
    fuchsia_src: Option<PathBuf>,
    /// Which semantics profile(s) to run under.
    #[arg(long, default_value = "both", value_parser = ["zircon", "rfc0240", "both"])]
    profile: String,
    /// Only tests whose `Suite.Name` matches this glob (gtest filter syntax: `A*:B*-C*`).
    #[arg(long)]
    filter: Option<String>,
    /// Print the source files needed (relative to the checkout) and exit.
    #[arg(long)]
    list_needed: bool,
    /// Also write the report as markdown to this file.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Seconds one test may run before it counts as hung (failed).
    #[arg(long, default_value_t = 60)]
    timeout: u64,
}

/// The upstream sources this command knows how to build, relative to the checkout.
/// Headers those sources include from the checkout (printed by `--list-needed` too).
const HEADERS: &[&str] = &["zircon/system/utest/core/needs-next.h"];

const SOURCES: &[&str] = &[
    "zircon/system/utest/core/port/ports.cc",
    "zircon/system/utest/core/object-wait/wait-test.cc",
    "zircon/system/utest/core/handle-close/handle-close.cc",
    "zircon/system/utest/core/handle-dup/handle-dup.cc",
    "zircon/system/utest/core/handle-info/handle-info.cc",
    "zircon/system/utest/core/event-pair/event-pair.cc",
    "zircon/system/utest/core/channel/channel.cc",
    "zircon/system/utest/core/socket/socket.cc",
    "zircon/system/utest/core/fifo/fifo.cc",
    "zircon/system/utest/core/timer/timer.cc",
    "src/zircon/tests/events/events.c",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Passed,
    Failed,
    Skipped,
}

#[derive(Serialize)]
struct TestRun {
    file: String,
    test: String,
    profile: String,
    outcome: Outcome,
    /// Listed in expectations.txt (with this reason).
    expected_failure: Option<String>,
    /// Assertion text (failures) or the skip reason.
    detail: String,
}

#[derive(Serialize, Default)]
struct Report {
    runs: Vec<TestRun>,
    /// Sources absent from the checkout.
    missing: Vec<String>,
    /// Sources that did not compile, with the compiler's first errors.
    build_failures: BTreeMap<String, String>,
    /// Verdict problems: unexpected failures, listed tests that pass.
    problems: Vec<String>,
}

struct Expectation {
    test: String,
    profile: String,
    reason: String,
}

fn load_expectations(path: &Path) -> Result<Vec<Expectation>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(test), Some(profile)) = (words.next(), words.next()) else {
            return Err(format!(
                "{}:{}: want `Suite.Test profile reason`",
                path.display(),
                n + 1
            ));
        };
        let reason = words.collect::<Vec<_>>().join(" ");
        if reason.is_empty() {
            return Err(format!(
                "{}:{}: want `Suite.Test profile reason`",
                path.display(),
                n + 1
            ));
        };
        if !matches!(profile, "both" | "zircon" | "rfc0240") {
            return Err(format!(
                "{}:{}: unknown profile {profile}",
                path.display(),
                n + 1
            ));
        }
        out.push(Expectation {
            test: test.to_string(),
            profile: profile.to_string(),
            reason,
        });
    }
    Ok(out)
}

fn compiler(cxx: bool) -> String {
    let (var, default) = if cxx { ("CXX", "g++") } else { ("CC", "gcc") };
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

fn run_checked(cmd: &mut Command) -> Result<(), String> {
    let output = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("error"))
            .take(8)
            .collect();
        Err(if first.is_empty() {
            stderr.into_owned()
        } else {
            first.join("\n")
        })
    }
}

fn include_args(root: &Path) -> Vec<String> {
    vec![
        "-I".into(),
        root.join("capi/include").display().to_string(),
        "-I".into(),
        root.join("capi/core-tests/include").display().to_string(),
        "-include".into(),
        "zxsim_host.h".into(),
        "-g".into(),
        "-w".into(),
    ]
}

/// Runs one test in its own process; returns its outcome and the failure/skip lines.
fn run_test(binary: &Path, test: &str, profile: &str, timeout: Duration) -> (Outcome, String) {
    let child = Command::new(binary)
        .arg(format!("--gtest_filter={test}"))
        .env("ZXSIM_SEMANTICS", profile)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return (Outcome::Failed, format!("could not start: {e}")),
    };
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let output = child.wait_with_output().ok();
    let stdout = output
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let detail: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": Failure: ") || l.contains(": Skipped: "))
        .collect();
    let detail = detail.join("\n");
    let Some(status) = status else {
        return (
            Outcome::Failed,
            format!("timed out after {}s\n{detail}", timeout.as_secs()),
        );
    };
    if stdout.contains(&format!("[  SKIPPED ] {test}")) {
        (Outcome::Skipped, detail)
    } else if status.success() && stdout.contains(&format!("[       OK ] {test}")) {
        (Outcome::Passed, detail)
    } else if stdout.contains(&format!("[  FAILED  ] {test}")) {
        (Outcome::Failed, detail)
    } else {
        (
            Outcome::Failed,
            format!("the test process died ({status})\n{detail}"),
        )
    }
}

pub fn run(args: Args) -> Result<(), String> {
    if args.list_needed {
        for source in SOURCES.iter().chain(HEADERS) {
            println!("{source}");
        }
        return Ok(());
    }
    let fuchsia = args.fuchsia_src.clone().expect("required by clap");
    let root = crate::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_checked(
        Command::new(&cargo)
            .current_dir(&root)
            .args(["build", "-p", "zxsim-capi"]),
    )
    .map_err(|e| format!("building zxsim-capi: {e}"))?;
    let lib = root.join("target/debug/libzxsim_capi.a");
    let out_dir = root.join("target/core-tests");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let includes = include_args(&root);
    let harness = out_dir.join("harness.o");
    run_checked(
        Command::new(compiler(false))
            .args(["-std=gnu11", "-c"])
            .args(&includes)
            .arg(root.join("capi/core-tests/harness/main.c"))
            .arg("-o")
            .arg(&harness),
    )
    .map_err(|e| format!("building the harness: {e}"))?;
    let needs_next = out_dir.join("needs_next.o");
    run_checked(
        Command::new(compiler(true))
            .args(["-std=gnu++20", "-c"])
            .arg(root.join("capi/core-tests/harness/needs_next.cc"))
            .arg("-o")
            .arg(&needs_next),
    )
    .map_err(|e| format!("building the harness: {e}"))?;
    let expectations = load_expectations(&root.join("capi/core-tests/expectations.txt"))?;
    let profiles: Vec<&str> = match args.profile.as_str() {
        "both" => vec!["zircon", "rfc0240"],
        one => vec![one],
    };
    let timeout = Duration::from_secs(args.timeout);
    let mut report = Report::default();

    for source in SOURCES {
        let path = fuchsia.join(source);
        if !path.exists() {
            println!(
                "core-tests: {source}: not in {} (skipped)",
                fuchsia.display()
            );
            report.missing.push(source.to_string());
            continue;
        }
        let cxx = !source.ends_with(".c");
        let name = source.replace('/', "_");
        let binary = out_dir.join(&name);
        let built = run_checked(
            Command::new(compiler(cxx))
                .arg(if cxx { "-std=gnu++20" } else { "-std=gnu11" })
                .args(&includes)
                .arg(&path)
                .arg(&harness)
                .args(cxx.then_some(&needs_next))
                .arg(&lib)
                .args(["-lpthread", "-ldl", "-lm", "-o"])
                .arg(&binary),
        );
        if let Err(errors) = built {
            println!("core-tests: {source}: does not compile:\n{errors}");
            report.build_failures.insert(source.to_string(), errors);
            report.problems.push(format!("{source} does not compile"));
            continue;
        }
        let mut list = Command::new(&binary);
        list.arg("--list");
        if let Some(filter) = &args.filter {
            list.arg(format!("--gtest_filter={filter}"));
        }
        let listed = list
            .output()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let tests: Vec<String> = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        for profile in &profiles {
            for test in &tests {
                let (outcome, detail) = run_test(&binary, test, profile, timeout);
                let expected = expectations
                    .iter()
                    .find(|e| &e.test == test && (e.profile == "both" || e.profile == *profile))
                    .map(|e| e.reason.clone());
                match (outcome, &expected) {
                    (Outcome::Failed, None) => report
                        .problems
                        .push(format!("{test} [{profile}] fails:\n{detail}")),
                    (Outcome::Passed, Some(reason)) => report.problems.push(format!(
                        "{test} [{profile}] passes but expectations.txt lists it ({reason})"
                    )),
                    _ => {}
                }
                report.runs.push(TestRun {
                    file: source.to_string(),
                    test: test.clone(),
                    profile: profile.to_string(),
                    outcome,
                    expected_failure: expected,
                    detail,
                });
            }
        }
    }

    print!("{}", render_text(&report, &profiles));
    if let Some(path) = &args.markdown {
        std::fs::write(path, render_markdown(&report, &profiles)).map_err(|e| e.to_string())?;
        println!("core-tests: markdown report written to {}", path.display());
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| e.to_string())?;
        println!("core-tests: JSON report written to {}", path.display());
    }
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} problem(s): unexpected failures, listed tests that pass, or sources that do not \
             compile (see above)",
            report.problems.len()
        ))
    }
}

/// (file, profile) → (passed, failed, of which expected, skipped).
fn tally(report: &Report) -> BTreeMap<(String, String), [usize; 4]> {
    let mut table: BTreeMap<(String, String), [usize; 4]> = BTreeMap::new();
    for run in &report.runs {
        let row = table
            .entry((run.file.clone(), run.profile.clone()))
            .or_default();
        match run.outcome {
            Outcome::Passed => row[0] += 1,
            Outcome::Failed => {
                row[1] += 1;
                if run.expected_failure.is_some() {
                    row[2] += 1;
                }
            }
            Outcome::Skipped => row[3] += 1,
        }
    }
    table
}

fn short(file: &str) -> &str {
    file.strip_prefix("zircon/system/utest/core/")
        .unwrap_or(file)
}

fn render_text(report: &Report, profiles: &[&str]) -> String {
    let mut out = String::from("\n");
    for run in report.runs.iter().filter(|r| r.outcome == Outcome::Failed) {
        let mark = match &run.expected_failure {
            Some(reason) => format!("expected: {reason}"),
            None => "UNEXPECTED".into(),
        };
        out += &format!("FAILED {} [{}] ({mark})\n", run.test, run.profile);
        for line in run.detail.lines() {
            out += &format!("    {line}\n");
        }
    }
    out += &format!(
        "\n{:<34} {:<8} {:>6} {:>6} {:>9} {:>7}\n",
        "file", "profile", "passed", "failed", "(listed)", "skipped"
    );
    let table = tally(report);
    let mut totals: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for ((file, profile), row) in &table {
        out += &format!(
            "{:<34} {:<8} {:>6} {:>6} {:>9} {:>7}\n",
            short(file),
            profile,
            row[0],
            row[1],
            row[2],
            row[3]
        );
        let total = totals
            .entry(profiles.iter().find(|p| *p == profile).unwrap())
            .or_default();
        for i in 0..4 {
            total[i] += row[i];
        }
    }
    for (profile, row) in totals {
        out += &format!(
            "{:<34} {:<8} {:>6} {:>6} {:>9} {:>7}\n",
            "TOTAL", profile, row[0], row[1], row[2], row[3]
        );
    }
    for file in &report.missing {
        out += &format!("not in the checkout: {file}\n");
    }
    for file in report.build_failures.keys() {
        out += &format!("did not compile: {file}\n");
    }
    if !report.problems.is_empty() {
        out += &format!("\n{} problem(s):\n", report.problems.len());
        for problem in &report.problems {
            out += &format!("  - {}\n", problem.lines().next().unwrap_or(""));
        }
    }
    out
}

fn render_markdown(report: &Report, profiles: &[&str]) -> String {
    let mut out = String::from(
        "| file | profile | passed | failed (listed in expectations) | skipped |\n|---|---|---:|---:|---:|\n",
    );
    for ((file, profile), row) in tally(report) {
        out += &format!(
            "| `{}` | {} | {} | {} ({}) | {} |\n",
            short(&file),
            profile,
            row[0],
            row[1],
            row[2],
            row[3]
        );
    }
    let _ = profiles;
    out += "\nFailures:\n\n";
    for run in report.runs.iter().filter(|r| r.outcome == Outcome::Failed) {
        out += &format!(
            "- `{}` [{}]: {}\n",
            run.test,
            run.profile,
            run.expected_failure.as_deref().unwrap_or("**unexpected**")
        );
    }
    out
}
