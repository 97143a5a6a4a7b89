//! `cargo xtask mutants [--file F]... [--in-diff BASE] [--no-loom] [--jobs N] [--timeout SECS]`:
//! mutation testing of the kernel's rules with [cargo-mutants](https://mutants.rs) (install it once with
//! `cargo install cargo-mutants --locked`; it is not a dependency of the workspace and CI does not
//! run this: a full pass takes hours on two cores).
//!
//! Two passes, because the two test commands need different builds:
//! 1. every mutant of the selected files against the conformance suite, the kernel's own unit
//!    tests and the syscall layer's tests (`cargo test -p zxsim-conformance -p zxsim-kernel -p
//!    zxsim-syscalls`: the cases, the port/channel property tests, the signal engine checked in
//!    isolation, OS readiness, port wake-ups, handle values);
//! 2. the mutants that survived pass 1, against the loom models at the CI bound
//!    (`--cfg zxsim_loom`, `LOOM_MAX_PREEMPTIONS=2`; a debug build, which costs less per mutant
//!    than the faster-running release build saves).
//!
//! Then one table: per file, viable mutants, caught by the conformance suite, caught only by loom,
//! missed, timeouts and the kill rate. Missed mutants are listed by name; each must get a test or
//! a line in `docs/conformance.md` saying why it is equivalent. The cargo-mutants output of each
//! pass stays in `target/mutants/{conformance,loom}/mutants.out`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files holding the kernel's rules, and the syscall layer.
const RULE_FILES: &[&str] = &[
    "kernel/src/signal.rs",
    "kernel/src/handle.rs",
    "kernel/src/objects/port.rs",
    "kernel/src/objects/channel.rs",
    "kernel/src/objects/peer.rs",
    "kernel/src/objects/timer.rs",
    "kernel/src/objects/socket.rs",
    "syscalls/src/sys/*.rs",
];

#[derive(clap::Args)]
pub struct Args {
    /// Mutate only these files (repeatable; globs as cargo-mutants takes them). Default: the rule
    /// files (signal engine, handle table, port, channel, peer, timer, socket, `syscalls/src/sys`).
    #[arg(long = "file", value_name = "FILE")]
    files: Vec<String>,
    /// Only mutants in code changed since this git revision (e.g. `main`).
    #[arg(long, value_name = "BASE")]
    in_diff: Option<String>,
    /// Skip the loom pass.
    #[arg(long)]
    no_loom: bool,
    /// Reuse the conformance pass of the previous run (`target/mutants/conformance`) and run
    /// only the loom pass on its survivors.
    #[arg(long)]
    reuse_first_pass: bool,
    /// Mutants built and tested at once (cargo-mutants `--jobs`); 1 by default on two cores.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Seconds a mutant's test run may take before it counts as a timeout (cargo-mutants
    /// `--timeout`). By default cargo-mutants scales its baseline run, with a 20 s floor; give
    /// more on a machine that is busy with other work, or slow test runs are counted as hangs.
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
}

/// How one mutant ended in one pass.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Caught,
    Missed,
    Timeout,
    Unviable,
}

struct Mutant {
    name: String,
    file: String,
    verdict: Verdict,
}

pub fn run(args: Args) -> Result<(), String> {
    let root = crate::workspace_root();
    let available = Command::new("cargo")
        .args(["mutants", "--version"])
        .output()
        .map(|output| output.status.success())
        .unwrap_or(false);
    if !available {
        return Err(
            "cargo-mutants is not installed: `cargo install cargo-mutants --locked`".into(),
        );
    }
    let out_dir = root.join("target").join("mutants");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let files: Vec<String> = if args.files.is_empty() {
        RULE_FILES.iter().map(|f| f.to_string()).collect()
    } else {
        args.files.clone()
    };
    let diff = match &args.in_diff {
        Some(base) => Some(write_diff(&root, base, &out_dir)?),
        None => None,
    };

    let conformance_out = out_dir.join("conformance");
    if !args.reuse_first_pass {
        let mut pass = cargo_mutants(&root, &files, &conformance_out, &args, diff.as_deref());
        pass.args([
            "--test-package",
            "zxsim-conformance",
            "--test-package",
            "zxsim-kernel",
            "--test-package",
            "zxsim-syscalls",
        ]);
        run_pass(pass, "conformance")?;
    }
    let first = read_outcomes(&conformance_out)?;

    let survivors: Vec<&Mutant> = first
        .iter()
        .filter(|m| m.verdict == Verdict::Missed)
        .collect();
    let mut caught_by_loom: Vec<String> = Vec::new();
    if !args.no_loom && !survivors.is_empty() {
        let loom_out = out_dir.join("loom");
        let mut pass = cargo_mutants(&root, &files, &loom_out, &args, None);
        // No baseline run: cargo-mutants would test the mutated packages themselves under the
        // loom cfg, where only the models are meant to build (they pass unmutated in CI).
        pass.args(["--test-package", "zxsim-loom-tests", "--baseline", "skip"])
            .env("RUSTFLAGS", loom_rustflags())
            .env("LOOM_MAX_PREEMPTIONS", "2");
        for mutant in &survivors {
            pass.arg("--re")
                .arg(format!("^{}$", regex_escape(&mutant.name)));
        }
        run_pass(pass, "loom")?;
        caught_by_loom = read_outcomes(&loom_out)?
            .into_iter()
            .filter(|m| m.verdict == Verdict::Caught)
            .map(|m| m.name)
            .collect();
    }

    report(&first, &caught_by_loom);
    Ok(())
}

fn loom_rustflags() -> String {
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    if !flags.is_empty() {
        flags.push(' ');
    }
    flags.push_str("--cfg zxsim_loom");
    flags
}

fn write_diff(root: &Path, base: &str, out_dir: &Path) -> Result<PathBuf, String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["diff", base, "--", "*.rs"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git diff {base} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let path = out_dir.join("in-diff.patch");
    std::fs::write(&path, &output.stdout)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn cargo_mutants(
    root: &Path,
    files: &[String],
    out: &Path,
    args: &Args,
    diff: Option<&Path>,
) -> Command {
    let mut command = Command::new("cargo");
    command
        .current_dir(root)
        .args(["mutants", "--no-shuffle", "--jobs", &args.jobs.to_string()])
        .arg("--output")
        .arg(out);
    if let Some(timeout) = args.timeout {
        command.args(["--timeout", &timeout.to_string()]);
    }
    for file in files {
        command.args(["--file", file]);
    }
    if let Some(diff) = diff {
        command.arg("--in-diff").arg(diff);
    }
    command
}

/// Runs one cargo-mutants pass. Its exit status says "some mutant was missed" as well as "it
/// could not run"; only the latter (no outcomes written) is an error here.
fn run_pass(mut command: Command, name: &str) -> Result<(), String> {
    println!("mutants: {name} pass");
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo mutants: {e}"))?;
    // cargo-mutants: 0 all caught, 2 some missed, 3 some timed out; others are real failures.
    match status.code() {
        Some(0 | 2 | 3) => Ok(()),
        _ => Err(format!(
            "the {name} pass of cargo mutants failed ({status})"
        )),
    }
}

fn read_outcomes(out: &Path) -> Result<Vec<Mutant>, String> {
    let path = out.join("mutants.out").join("outcomes.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let outcomes = json["outcomes"]
        .as_array()
        .ok_or_else(|| format!("{}: no outcomes", path.display()))?;
    let mut mutants = Vec::new();
    for outcome in outcomes {
        let Some(mutant) = outcome["scenario"].get("Mutant") else {
            continue; // the unmutated baseline
        };
        let verdict = match outcome["summary"].as_str().unwrap_or_default() {
            "CaughtMutant" => Verdict::Caught,
            "MissedMutant" => Verdict::Missed,
            "Timeout" => Verdict::Timeout,
            "Unviable" => Verdict::Unviable,
            other => return Err(format!("{}: unknown outcome {other:?}", path.display())),
        };
        mutants.push(Mutant {
            name: mutant["name"].as_str().unwrap_or_default().to_string(),
            file: mutant["file"].as_str().unwrap_or_default().to_string(),
            verdict,
        });
    }
    Ok(mutants)
}

#[derive(Default)]
struct Row {
    viable: usize,
    caught: usize,
    caught_by_loom: usize,
    missed: usize,
    timeouts: usize,
}

fn report(first: &[Mutant], caught_by_loom: &[String]) {
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    let mut missed = Vec::new();
    for mutant in first {
        let row = rows.entry(&mutant.file).or_default();
        match mutant.verdict {
            Verdict::Unviable => continue,
            Verdict::Caught => row.caught += 1,
            Verdict::Timeout => row.timeouts += 1,
            Verdict::Missed if caught_by_loom.contains(&mutant.name) => row.caught_by_loom += 1,
            Verdict::Missed => {
                row.missed += 1;
                missed.push(mutant.name.as_str());
            }
        }
        row.viable += 1;
    }
    println!();
    println!("| file | viable | caught (conformance) | caught only by loom | missed | timeouts | kill rate |");
    println!("|---|---|---|---|---|---|---|");
    let mut total = Row::default();
    for (file, row) in &rows {
        print_row(file, row);
        total.viable += row.viable;
        total.caught += row.caught;
        total.caught_by_loom += row.caught_by_loom;
        total.missed += row.missed;
        total.timeouts += row.timeouts;
    }
    print_row("**all**", &total);
    if !missed.is_empty() {
        println!("\nmissed:");
        for name in missed {
            println!("  {name}");
        }
    }
}

fn print_row(file: &str, row: &Row) {
    // A timeout is a detection too (the mutant hung a test), as cargo-mutants counts it.
    let killed = row.caught + row.caught_by_loom + row.timeouts;
    let rate = if row.viable == 0 {
        "—".to_string()
    } else {
        format!("{:.0} %", 100.0 * killed as f64 / row.viable as f64)
    };
    println!(
        "| {file} | {} | {} | {} | {} | {} | {rate} |",
        row.viable, row.caught, row.caught_by_loom, row.missed, row.timeouts
    );
}

/// Escapes regex metacharacters (cargo-mutants' `--re` takes a regex; mutant names contain `(`,
/// `[`, `*`, `|`, `+`, `.`, `?`).
fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::regex_escape;

    #[test]
    fn escapes_every_metacharacter_in_a_mutant_name() {
        assert_eq!(
            regex_escape("a.rs:1:2: replace f -> Result<(), E> with Ok(()) | x*[y]+z?"),
            r"a\.rs:1:2: replace f -> Result<\(\), E> with Ok\(\(\)\) \| x\*\[y\]\+z\?"
        );
    }
}
