//! What the bench targets with their own harness (`harness = false` without criterion:
//! `processes`, `memory`) share: their command line, and the results file `cargo xtask bench`
//! reads.
//!
//! `cargo bench --bench '*' -- FLAGS` hands the same flags to every bench target, so these
//! accept criterion's options and ignore them (except `--bench`, `--test` and `--list`, read as
//! criterion reads them); a free argument is criterion's filter, matched here
//! as a substring of the benchmark id. `--quick` selects the short mode when a target is run
//! directly; `cargo xtask bench --quick` says it with `ZXSIM_BENCH_QUICK=1` (criterion would
//! refuse the flag). `ZXSIM_BENCH_RESULTS=<dir>` asks for the figures as a tab-separated file in
//! that directory, its first line naming the columns (`PROCESSES_HEADER`, `MEMORY_HEADER`).

use std::path::PathBuf;

/// Columns of `processes.tsv`: one line per `Scale/Processes/<Op>`.
pub const PROCESSES_HEADER: [&str; 11] = [
    "benchmark",
    "one_thread_ns",
    "scaling",
    "scaling_min",
    "scaling_max",
    "control_scaling",
    "op_over_control",
    "goal",
    "control_floor",
    "rounds",
    "period_ms",
];

/// Columns of `memory.tsv`: one line per `Memory/PerObject/<What>`; a figure the platform
/// cannot give is `unsupported`.
pub const MEMORY_HEADER: [&str; 5] = ["benchmark", "count", "rss_bytes", "heap_bytes", "goal"];

/// Criterion's options that take a value (skipped with it).
const CRITERION_VALUED: [&str; 15] = [
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--sample-size",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--save-baseline",
    "--baseline",
    "--baseline-lenient",
    "--load-baseline",
    "--plotting-backend",
    "--output-format",
    "--color",
    "--profile-time",
];

pub struct Options {
    pub quick: bool,
    /// Run once, briefly, to show the target works: `--test`, or no `--bench` (which `cargo
    /// bench` always passes) — criterion's rule, so `cargo test --benches` stays short.
    pub test: bool,
    /// `--list`: name the benchmarks and run nothing.
    pub list: bool,
    filter: Option<String>,
    results: Option<PathBuf>,
}

impl Options {
    pub fn from_env() -> Options {
        let mut options = Options {
            quick: std::env::var_os("ZXSIM_BENCH_QUICK").is_some_and(|value| value == "1"),
            test: false,
            list: false,
            filter: None,
            results: std::env::var_os("ZXSIM_BENCH_RESULTS").map(PathBuf::from),
        };
        let mut bench = false;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--bench" => bench = true,
                "--test" => options.test = true,
                "--list" => options.list = true,
                flag if CRITERION_VALUED.contains(&flag) => {
                    args.next();
                }
                flag if flag.starts_with('-') => {}
                filter => options.filter = Some(filter.to_string()),
            }
        }
        options.test |= !bench;
        options
    }

    /// Whether the filter (if any) selects benchmark `id`.
    pub fn selects(&self, id: &str) -> bool {
        self.filter
            .as_deref()
            .is_none_or(|filter| id.contains(filter))
    }

    /// Writes `lines` to `<ZXSIM_BENCH_RESULTS>/<name>`, if the variable is set.
    pub fn write_results(&self, name: &str, lines: &[String]) {
        let Some(dir) = &self.results else {
            return;
        };
        let path = dir.join(name);
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, lines.join("\n") + "\n"));
        if let Err(error) = written {
            panic!("cannot write {}: {error}", path.display());
        }
    }
}

/// The median of `values` (the mean of the two middle ones for an even count); NaN if empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
