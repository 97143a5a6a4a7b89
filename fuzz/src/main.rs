//! `zxsim-fuzz`: the fuzzer's command line (`cargo xtask fuzz` runs it in release mode).

use std::time::Duration;

use clap::Parser;
use zxsim_fuzz::{run, Options};
use zxsim_kernel::Profile;

#[derive(Parser)]
#[command(
    name = "zxsim-fuzz",
    about = "random syscalls through zxsim's `sys` layer"
)]
struct Cli {
    /// The run's seed (each thread's random sequence derives from it and the thread's index).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Total calls, split over the threads.
    #[arg(long, default_value_t = 1_000_000)]
    calls: u64,
    #[arg(long, default_value_t = 4)]
    threads: usize,
    #[arg(long, default_value_t = 2)]
    processes: usize,
    /// Semantics profile: zircon or rfc0240.
    #[arg(long, default_value = "rfc0240", value_parser = parse_profile)]
    profile: Profile,
    /// The CI pass: 100 000 calls, 4 threads, 2 processes, each profile in turn (overrides
    /// --calls, --threads, --processes and --profile).
    #[arg(long)]
    quick: bool,
    /// Seconds a call may stay in flight before the watchdog reports a hang.
    #[arg(long, default_value_t = 30)]
    hang_after: u64,
    /// Extra percentage of handle arguments drawn from values other threads of the same process
    /// published: more races on shared handles (0 = the default mix).
    #[arg(long, default_value_t = 0)]
    share: u32,
}

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| format!("unknown profile {name:?} (zircon|rfc0240)"))
}

fn main() {
    let cli = Cli::parse();
    let base = Options {
        seed: cli.seed,
        calls: cli.calls,
        threads: cli.threads.max(1),
        processes: cli.processes.max(1),
        profile: cli.profile,
        hang_after: Duration::from_secs(cli.hang_after.max(1)),
        share: cli.share,
    };
    let runs: Vec<Options> = if cli.quick {
        Profile::ALL
            .iter()
            .map(|&profile| Options {
                calls: 100_000,
                threads: 4,
                processes: 2,
                profile,
                ..base.clone()
            })
            .collect()
    } else {
        vec![base]
    };
    let mut failed = false;
    for options in runs {
        let outcome = run(options);
        print!("{outcome}");
        failed |= !outcome.passed();
    }
    if failed {
        eprintln!("zxsim fuzz: violations found (replay with the seed above)");
        std::process::exit(1);
    }
}
