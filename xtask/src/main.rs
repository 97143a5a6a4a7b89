//! `cargo xtask`: the project's runner for long jobs.
//!
//! - `cargo xtask conformance [--profile P] [--markdown F] [--json F]`: the conformance suite
//!   under both semantics profiles, a syscall × passed/failed table and a per-profile diff.
//! - `cargo xtask loom [--quick]`: the loom models, built with `--cfg zxsim_loom` in release mode.
//! - `cargo xtask bench [--quick]`: the criterion benchmarks and their zxsim/baseline ratios.
//! - `cargo xtask mutants [--file F] [--in-diff BASE]`: mutation testing of the kernel's rules
//!   (cargo-mutants, not in CI).

use clap::{Parser, Subcommand};

mod bench;
mod conformance;
mod loom;
mod mutants;

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
    /// Run the benchmarks and print zxsim/baseline ratios.
    Bench(bench::Args),
    /// Mutation-test the kernel's rules (needs cargo-mutants).
    Mutants(mutants::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Conformance(args) => conformance::run(args),
        Command::Loom(args) => loom::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Mutants(args) => mutants::run(args),
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
