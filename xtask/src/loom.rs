//! `cargo xtask loom`: zxsim's loom models (`loom-tests/tests/*.rs`, see `docs/loom.md`).
//!
//! Runs `cargo test -p zxsim-loom-tests --release` with `--cfg zxsim_loom` appended to
//! `RUSTFLAGS`, in its own target directory (`target/loom`) so the loom build never invalidates
//! the normal build cache. The preemption bound goes to the models through
//! `LOOM_MAX_PREEMPTIONS`: 3 by default, 2 with `--quick` (the CI pass), `--bound N` overrides
//! both. At the end it prints every model with PASS/FAIL and, for the models that finished, the
//! iterations loom explored and the time they took.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const PACKAGE: &str = "zxsim-loom-tests";
const CFG: &str = "--cfg zxsim_loom";

#[derive(clap::Args)]
pub struct Args {
    /// The CI pass: preemption bound 2 (the default is 3).
    #[arg(long)]
    quick: bool,
    /// Preemption bound (`LOOM_MAX_PREEMPTIONS`); overrides the default and `--quick`.
    #[arg(long, value_name = "N")]
    bound: Option<usize>,
    /// Run only the models whose name contains this string.
    filter: Option<String>,
}

pub fn run(args: Args) -> Result<(), String> {
    let started = Instant::now();
    let bound = args.bound.unwrap_or(if args.quick { 2 } else { 3 });
    let root = crate::workspace_root();
    let target_dir = root.join("target").join("loom");
    let report_dir = target_dir.join("model-reports");
    println!(
        "loom: preemption bound {bound} (LOOM_MAX_PREEMPTIONS), target dir {}",
        target_dir.display()
    );

    // Build first, so a compile error is reported as such and the model time is measured apart.
    let build_started = Instant::now();
    let status = cargo_test(&root, &target_dir, bound, &report_dir)
        .arg("--no-run")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the loom models failed ({status})"));
    }
    let build_seconds = build_started.elapsed().as_secs_f64();

    let models = list_models(
        &root,
        &target_dir,
        bound,
        &report_dir,
        args.filter.as_deref(),
    )?;
    if models.is_empty() {
        return Err("no loom model matched".into());
    }
    if report_dir.exists() {
        std::fs::remove_dir_all(&report_dir)
            .map_err(|e| format!("cannot clear {}: {e}", report_dir.display()))?;
    }

    let models_started = Instant::now();
    let mut command = cargo_test(&root, &target_dir, bound, &report_dir);
    command.arg("--no-fail-fast").arg("--");
    if let Some(filter) = &args.filter {
        command.arg(filter);
    }
    let (results, status) = crate::test_run::run_collecting(command, parse_result)?;
    let models_seconds = models_started.elapsed().as_secs_f64();

    println!();
    println!("loom models (preemption bound {bound}):");
    let mut failed = 0;
    let width = models.iter().map(String::len).max().unwrap_or(0);
    for model in &models {
        let outcome = results.get(model).copied().unwrap_or(Outcome::NoResult);
        let verdict = match outcome {
            Outcome::Ok => "PASS",
            Outcome::Ignored => "SKIP",
            Outcome::Failed | Outcome::NoResult => {
                failed += 1;
                "FAIL"
            }
        };
        let detail = match outcome {
            Outcome::NoResult => "no result: the test binary aborted (see above)".to_string(),
            _ => report(&report_dir, model).unwrap_or_default(),
        };
        println!("  {verdict}  {model:<width$}  {detail}");
    }
    println!(
        "loom: {} models, {failed} failed; build {build_seconds:.1} s, models {models_seconds:.1} s, \
         total {:.1} s",
        models.len(),
        started.elapsed().as_secs_f64()
    );
    if failed > 0 || !status.success() {
        return Err(format!(
            "{failed} loom model(s) failed at bound {bound} (cargo test: {status})"
        ));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Outcome {
    Ok,
    Failed,
    Ignored,
    NoResult,
}

/// `cargo test -p zxsim-loom-tests --release --target-dir <dir>` with the loom cfg and bound.
fn cargo_test(root: &Path, target_dir: &Path, bound: usize, report_dir: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["test", "-p", PACKAGE, "--release", "--target-dir"])
        .arg(target_dir)
        .env("LOOM_MAX_PREEMPTIONS", bound.to_string())
        .env("ZXSIM_LOOM_REPORT_DIR", report_dir);
    // Cargo prefers CARGO_ENCODED_RUSTFLAGS when it is set; append the cfg to whichever applies.
    match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(encoded) if !encoded.is_empty() => {
            let flags = format!("{encoded}\x1f{}", CFG.replace(' ', "\x1f"));
            command.env("CARGO_ENCODED_RUSTFLAGS", flags);
        }
        _ => {
            let flags = match std::env::var("RUSTFLAGS") {
                Ok(existing) if !existing.trim().is_empty() => format!("{existing} {CFG}"),
                _ => CFG.to_string(),
            };
            command.env_remove("CARGO_ENCODED_RUSTFLAGS");
            command.env("RUSTFLAGS", flags);
        }
    }
    command
}

/// The models' names, from libtest's `--list` (`<name>: test` lines).
fn list_models(
    root: &Path,
    target_dir: &Path,
    bound: usize,
    report_dir: &Path,
    filter: Option<&str>,
) -> Result<Vec<String>, String> {
    let mut command = cargo_test(root, target_dir, bound, report_dir);
    command.args(["--", "--list"]);
    if let Some(filter) = filter {
        command.arg(filter);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "listing the loom models failed ({})",
            output.status
        ));
    }
    let mut models: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_string)
        .collect();
    models.sort();
    Ok(models)
}

/// `test <name> ... ok|FAILED|ignored` (libtest's pretty format).
fn parse_result(line: &str) -> Option<(String, Outcome)> {
    let rest = line.strip_prefix("test ")?;
    let (name, verdict) = rest.split_once(" ... ")?;
    let outcome = match verdict.trim() {
        "ok" => Outcome::Ok,
        "FAILED" => Outcome::Failed,
        verdict if verdict.starts_with("ignored") => Outcome::Ignored,
        _ => return None,
    };
    Some((name.trim().to_string(), outcome))
}

/// The model's own summary (`bound B, N iterations, T s | <outcome class>: n | ...`), without
/// the outcome classes, which stay in `target/loom/model-reports/<name>`.
fn report(report_dir: &Path, model: &str) -> Option<String> {
    let path: PathBuf = report_dir.join(model);
    let text = std::fs::read_to_string(path).ok()?;
    let summary = text.lines().next()?;
    let mut parts = summary.split(" | ");
    let head = parts.next().unwrap_or(summary).trim();
    let classes = parts.count();
    Some(format!("({head}, {classes} outcome classes)"))
}
