//! `cargo xtask fuzz [--seed S] [--calls N] [--threads T] [--processes P] [--profile zircon|rfc0240]
//! [--quick]`: builds the `zxsim-fuzz` binary in release mode and runs it (see
//! `docs/reliability.md`). Fails if the fuzzer reports a violation or a hang.

use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// Flags for the fuzzer (`--seed`, `--calls`, `--threads`, `--processes`, `--profile`,
    /// `--quick`, `--hang-after`, `--share`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    fuzzer: Vec<String>,
}

pub fn run(args: Args) -> Result<(), String> {
    let status = Command::new(env!("CARGO"))
        .current_dir(crate::workspace_root())
        .args([
            "run",
            "--release",
            "--locked",
            "-q",
            "-p",
            "zxsim-fuzz",
            "--",
        ])
        .args(&args.fuzzer)
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the fuzzer failed ({status})"))
    }
}
