//! `cargo xtask timer-scale [--quick] [--timers N]`: the real-clock scale check of timers
//! (`syscalls/tests/timer_scale.rs`: 10 000 armed timers each fire inside their slack window, all
//! served by one timer-service thread).
//!
//! It asserts on real-clock lateness, so plain `cargo test` skips it (`#[ignore]`); this task
//! runs it alone (`--ignored`, one test thread) so nothing else competes for the CPU. The full
//! run uses a release build; `--quick` (CI) reuses the dev build `cargo test --workspace` has
//! already made, so it costs no extra compilation.

use std::process::Command;

const TEST: &str = "timer_scale";

#[derive(clap::Args)]
pub struct Args {
    /// The CI pass: the dev build instead of a release build.
    #[arg(long)]
    quick: bool,
    /// How many timers to arm (default: the test's own, 10 000).
    #[arg(long, value_name = "N")]
    timers: Option<usize>,
}

pub fn run(args: Args) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(crate::workspace_root()).args([
        "test",
        "--locked",
        "-p",
        "zxsim-syscalls",
        "--test",
        TEST,
    ]);
    if !args.quick {
        command.arg("--release");
    }
    command.args(["--", "--ignored", "--nocapture", "--test-threads", "1"]);
    match args.timers {
        Some(0) => return Err("--timers: expected a count > 0".into()),
        Some(n) => command.env("ZXSIM_TIMER_SCALE_TIMERS", n.to_string()),
        None => command.env_remove("ZXSIM_TIMER_SCALE_TIMERS"),
    };
    println!(
        "timer-scale: {} build{}",
        if args.quick {
            "dev (--quick)"
        } else {
            "release"
        },
        args.timers
            .map(|n| format!(", {n} timers"))
            .unwrap_or_default()
    );
    let status = command
        .status()
        .map_err(|error| format!("cannot run cargo: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the timer scale check failed ({status})"))
    }
}
