//! `cargo xtask shuttle`: zxsim's shuttle scenarios (`shuttle-tests/tests/*.rs`, see
//! `docs/observability.md`).
//!
//! Runs `cargo test -p zxsim-shuttle-tests --release` with `--cfg zxsim_shuttle` appended to
//! `RUSTFLAGS`, in its own target directory (`target/shuttle`) so the shuttle build never
//! invalidates the normal build cache. The exploration settings reach the scenarios through
//! `ZXSIM_SHUTTLE_ITERATIONS`, `ZXSIM_SHUTTLE_SEED`, `ZXSIM_SHUTTLE_SCHEDULER` and
//! `ZXSIM_SHUTTLE_PCT_DEPTH`. Without `--seed` a seed is drawn and printed, so every run explores
//! new schedules and any failure still replays: a failing scenario prints its seed and the exact
//! command that replays it. At the end it prints every scenario with PASS/FAIL and its summary.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const PACKAGE: &str = "zxsim-shuttle-tests";
const CFG: &str = "--cfg zxsim_shuttle";
/// Iterations per scenario of the CI pass: the planted race is caught within ~200 iterations on
/// every seed measured (median ~20), and the whole pass runs in a few seconds once built.
const QUICK_ITERATIONS: usize = 1_000;
const DEFAULT_ITERATIONS: usize = 10_000;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SchedulerArg {
    Random,
    Pct,
}

#[derive(clap::Args)]
pub struct Args {
    /// The CI pass: 1 000 iterations per scenario (the default is 10 000).
    #[arg(long)]
    quick: bool,
    /// Iterations (executions) per scenario; overrides the default and `--quick`.
    #[arg(long, value_name = "N")]
    iterations: Option<usize>,
    /// The run's seed (default: drawn from the time, and printed).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Which shuttle scheduler picks the next thread.
    #[arg(long, value_enum, default_value = "random")]
    scheduler: SchedulerArg,
    /// PCT depth (priority change points + 1).
    #[arg(long, value_name = "D", default_value_t = 3)]
    depth: usize,
    /// Run only the scenarios whose name contains this string.
    filter: Option<String>,
}

pub fn run(args: Args) -> Result<(), String> {
    let started = Instant::now();
    let iterations = args.iterations.unwrap_or(if args.quick {
        QUICK_ITERATIONS
    } else {
        DEFAULT_ITERATIONS
    });
    let seed = args.seed.unwrap_or_else(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        nanos ^ (u64::from(std::process::id()) << 32)
    });
    let scheduler = match args.scheduler {
        SchedulerArg::Random => "random".to_string(),
        SchedulerArg::Pct => format!("pct --depth {}", args.depth),
    };
    let root = crate::workspace_root();
    let target_dir = root.join("target").join("shuttle");
    let report_dir = target_dir.join("scenario-reports");
    println!(
        "shuttle: {iterations} iterations per scenario, seed {seed}, scheduler {scheduler}, \
         target dir {}",
        target_dir.display()
    );
    let env = Env {
        iterations,
        seed,
        scheduler: args.scheduler,
        depth: args.depth,
    };

    let build_started = Instant::now();
    let status = cargo_test(&root, &target_dir, &env, &report_dir)
        .arg("--no-run")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the shuttle scenarios failed ({status})"));
    }
    let build_seconds = build_started.elapsed().as_secs_f64();
    if report_dir.exists() {
        std::fs::remove_dir_all(&report_dir)
            .map_err(|e| format!("cannot clear {}: {e}", report_dir.display()))?;
    }

    let run_started = Instant::now();
    let mut command = cargo_test(&root, &target_dir, &env, &report_dir);
    command.arg("--no-fail-fast").arg("--");
    if let Some(filter) = &args.filter {
        command.arg(filter);
    }
    let (results, status) = crate::test_run::run_collecting(command, parse_result)?;
    let run_seconds = run_started.elapsed().as_secs_f64();

    println!();
    println!("shuttle scenarios ({iterations} iterations each, seed {seed}, {scheduler}):");
    let width = results.keys().map(String::len).max().unwrap_or(0);
    let mut failed = 0;
    for (name, passed) in &results {
        if !passed {
            failed += 1;
        }
        let verdict = if *passed { "PASS" } else { "FAIL" };
        let detail = std::fs::read_to_string(report_dir.join(name))
            .map(|text| text.trim().replace('\n', "\n        "))
            .unwrap_or_else(|_| {
                if *passed {
                    "(a check of the harness itself: no exploration summary)".into()
                } else {
                    "no report: the test panicked outside an exploration (see above)".into()
                }
            });
        println!("  {verdict}  {name:<width$}  {detail}");
    }
    println!(
        "shuttle: {} scenarios, {failed} failed; build {build_seconds:.1} s, scenarios \
         {run_seconds:.1} s, total {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    if results.is_empty() {
        return Err("no shuttle scenario matched".into());
    }
    if failed > 0 || !status.success() {
        return Err(format!(
            "{failed} shuttle scenario(s) failed (seed {seed}); each FAIL line above gives the \
             command that replays it"
        ));
    }
    Ok(())
}

struct Env {
    iterations: usize,
    seed: u64,
    scheduler: SchedulerArg,
    depth: usize,
}

/// `cargo test -p zxsim-shuttle-tests --release --target-dir <dir>` with the shuttle cfg and the
/// exploration settings.
fn cargo_test(root: &Path, target_dir: &Path, env: &Env, report_dir: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["test", "-p", PACKAGE, "--release", "--target-dir"])
        .arg(target_dir)
        .env("ZXSIM_SHUTTLE_ITERATIONS", env.iterations.to_string())
        .env("ZXSIM_SHUTTLE_SEED", env.seed.to_string())
        .env(
            "ZXSIM_SHUTTLE_SCHEDULER",
            match env.scheduler {
                SchedulerArg::Random => "random",
                SchedulerArg::Pct => "pct",
            },
        )
        .env("ZXSIM_SHUTTLE_PCT_DEPTH", env.depth.to_string())
        .env("ZXSIM_SHUTTLE_REPORT_DIR", report_dir)
        // shuttle's own override would replace every iteration's seed with one value.
        .env_remove("SHUTTLE_RANDOM_SEED");
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

/// `test <name> ... ok|FAILED` (libtest's pretty format; a scenario prints its summary line
/// between the two, so the verdict is the line's last word).
fn parse_result(line: &str) -> Option<(String, bool)> {
    let rest = line.strip_prefix("test ")?;
    let (name, verdict) = rest.split_once(" ... ")?;
    let passed = match verdict.trim().rsplit(' ').next()? {
        "ok" => true,
        "FAILED" => false,
        _ => return None,
    };
    Some((name.trim().to_string(), passed))
}
