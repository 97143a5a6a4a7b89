//! `cargo xtask`: the project's runner for long jobs.
//!
//! - `cargo xtask conformance [--profile P] [--markdown F] [--json F]`: the conformance suite
//!   under both semantics profiles, a syscall × passed/failed table and a per-profile diff.
//! - `cargo xtask loom [--quick]`: the loom models, built with `--cfg zxsim_loom` in release mode.
//! - `cargo xtask shuttle [--quick] [--iterations N] [--seed S] [--scheduler random|pct]`: the
//!   shuttle scenarios (random schedules, replayable from a seed), built with `--cfg zxsim_shuttle`.
//! - `cargo xtask bench [--quick]`: the criterion benchmarks and their zxsim/baseline ratios.
//! - `cargo xtask mutants [--file F] [--in-diff BASE]`: mutation testing of the kernel's rules
//!   (cargo-mutants, not in CI).
//! - `cargo xtask fuzz [--seed S] [--calls N] [--threads T] [--processes P] [--profile P]
//!   [--quick]`: random syscalls checked against the spec (release build of `zxsim-fuzz`).
//! - `cargo xtask timer-scale [--quick] [--timers N]`: the real-clock timer scale check (kept out
//!   of plain `cargo test`, which never asserts on real-clock timing).
//! - `cargo xtask trace <example> [-- ARGS]` / `cargo xtask snapshot <example> [-- ARGS]`: run an
//!   example with a Perfetto-readable trace / a kernel snapshot (JSON and Graphviz) written.
//! - `cargo xtask core-tests --fuchsia-src DIR`: Zircon's own core-tests against zxsim-capi
//!   (needs a Fuchsia checkout, not in CI).

use clap::{Parser, Subcommand};

mod bench;
mod conformance;
mod core_tests;
mod fuzz;
mod loom;
mod mutants;
mod observe;
mod shuttle;
mod test_run;
mod timer_scale;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "zxsim's project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the conformance suite and print the report.
    Conformance(conformance::Args),
    /// Run the loom models.
    Loom(loom::Args),
    /// Run the shuttle scenarios (random schedules, replayable from a seed).
    Shuttle(shuttle::Args),
    /// Run the benchmarks and print zxsim/baseline ratios.
    Bench(bench::Args),
    /// Mutation-test the kernel's rules (needs cargo-mutants).
    Mutants(mutants::Args),
    /// Run the random-syscall fuzzer (release build).
    Fuzz(fuzz::Args),
    /// Run the real-clock timer scale check (10 000 timers within their slack).
    TimerScale(timer_scale::Args),
    /// Build and run Zircon's core-tests from a Fuchsia checkout against zxsim-capi.
    CoreTests(core_tests::Args),
    /// Run an example with a trace (Chrome JSON, for Perfetto) and say how to open it.
    Trace(observe::Args),
    /// Run an example and write a snapshot of its kernel at the end (JSON and Graphviz DOT).
    Snapshot(observe::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Conformance(args) => conformance::run(args),
        Command::Loom(args) => loom::run(args),
        Command::Shuttle(args) => shuttle::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Mutants(args) => mutants::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::CoreTests(args) => core_tests::run(args),
        Command::TimerScale(args) => timer_scale::run(args),
        Command::Trace(args) => observe::trace(args),
        Command::Snapshot(args) => observe::snapshot(args),
    };
    if let Err(message) = result {
        eprintln!("xtask: {message}");
        std::process::exit(1);
    }
}

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent")
        .to_path_buf()
}
