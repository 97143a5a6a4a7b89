//! `cargo xtask bench [--quick] [--bench TARGET]... [--filter F] [--markdown FILE] [-- FLAGS]`:
//! runs the criterion benchmarks of `zxsim-syscalls`, `zxsim-async`, `zxsim-bindings` and
//! `zxsim-capi` (`cargo bench -p … --bench '*'`), reads criterion's estimates (the median, saved
//! as the criterion baseline `xtask`:
//! `target/criterion/<group>/<bench>/xtask/estimates.json`; each benchmark is found by the
//! `full_id` of its `new/benchmark.json`) and prints, for each benchmark, zxsim's time, its
//! baseline's time measured in the same run, the ratio and the target from
//! `docs/performance.md`; then the memory per pending async wait (the `memory_per_wait` test of
//! `zxsim-syscalls`), and the tables of the bench targets with their own harness
//! (`Scale/Processes`, `Memory/PerObject`: see `bench/harness.rs`).
//!
//! A missed target is reported, never an error: machines are noisy. The command fails only if the
//! benchmarks (or the memory test) fail to run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime};

mod harness;

#[derive(clap::Args)]
pub struct Args {
    /// A very short run for CI (0.2 s warm-up, 0.5 s measurement, fewer bootstrap resamples).
    #[arg(long)]
    quick: bool,
    /// Only run the benchmarks whose id matches this criterion filter (e.g. `Event/`); a row
    /// whose benchmark or baseline did not run shows it as not run, a row with neither is left
    /// out.
    #[arg(long)]
    filter: Option<String>,
    /// Only these bench targets of `zxsim-syscalls`, `zxsim-async`, `zxsim-bindings` or `zxsim-capi`
    /// (repeatable; e.g. `--bench ports`, `--bench dispatcher`, `--bench bindings`); all of them
    /// by default.
    #[arg(long = "bench", value_name = "TARGET")]
    benches: Vec<String>,
    /// Also write the table as Markdown to this file.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Further criterion flags, after `--` (e.g. `-- --sample-size 20`); one given here replaces
    /// the `--quick` value of the same flag.
    #[arg(last = true)]
    criterion: Vec<String>,
}

/// One line of the report: a zxsim benchmark against its baseline.
struct Comparison {
    /// Criterion id of the zxsim benchmark (`<group>/<function>[/<value>]`).
    bench: String,
    /// Criterion id of the baseline it is divided by.
    baseline: String,
    /// Short name of the baseline for the table.
    baseline_label: &'static str,
    /// Largest acceptable ratio bench/baseline, if the spec sets one.
    target: Option<f64>,
}

/// The criterion group suffixes of the round-trip placements: unpinned, own cores, same core
/// (see `Placement` in `syscalls/benches/common/mod.rs`).
const PLACEMENTS: [&str; 3] = ["", "@own-cores", "@same-core"];

const CROSSBEAM: &str = "baseline/crossbeam send+recv";

/// The criterion baseline this command saves its results as (see `run`).
const SAVED_BASELINE: &str = "xtask";

/// The criterion flags of `--quick` (criterion refuses a flag given twice).
const QUICK: [(&str, &str); 3] = [
    ("--warm-up-time", "0.2"),
    ("--measurement-time", "0.5"),
    ("--nresamples", "10000"),
];

fn comparisons() -> Vec<Comparison> {
    let one_thread = |bench: &str, target: f64| {
        let group = bench.split('/').next().expect("group");
        Comparison {
            bench: bench.to_string(),
            baseline: format!("{group}/{CROSSBEAM}"),
            baseline_label: "crossbeam send+recv",
            target: Some(target),
        }
    };
    let mut rows = vec![
        one_thread("Event/Signal", 1.0),
        one_thread("Handle/DuplicateClose", 2.0),
        one_thread("WaitOne/AlreadySignaled", 2.0),
        one_thread("Port/QueueWait", 2.5),
        one_thread("ObjectWaitAsync/FireAndWait", 5.0),
    ];
    for suffix in PLACEMENTS {
        let group = format!("RoundTrip{suffix}");
        rows.push(Comparison {
            bench: format!("{group}/Port"),
            baseline: format!("{group}/baseline/condvar"),
            baseline_label: "parking_lot condvar round trip",
            target: Some(1.0),
        });
        rows.push(Comparison {
            bench: format!("{group}/Port"),
            baseline: format!("{group}/baseline/crossbeam"),
            baseline_label: "crossbeam round trip",
            target: Some(2.0),
        });
    }
    rows.push(Comparison {
        bench: "Scale/CancelKey/100000".into(),
        baseline: "Scale/CancelKey/10".into(),
        baseline_label: "itself, 10 other waits",
        target: Some(1.5),
    });
    rows.push(Comparison {
        bench: "Scale/HandleLookup/200000".into(),
        baseline: "Scale/HandleLookup/10".into(),
        baseline_label: "itself, 10 live handles",
        target: None,
    });
    // `syscalls/benches/objects.rs` and `echo.rs`: no target in the spec, shown for information.
    let payload = |bench: &str, bytes: usize| {
        let group = bench.split('/').next().expect("group");
        Comparison {
            bench: bench.to_string(),
            baseline: format!("{group}/baseline/crossbeam send+recv {bytes} bytes"),
            baseline_label: "crossbeam send+recv, same payload",
            target: None,
        }
    };
    // The goal: ≤ 3× crossbeam send+recv of the same 64-byte payload.
    let mut channel_64 = payload("Channel/WriteRead/64bytes/0handles", 64);
    channel_64.target = Some(3.0);
    rows.push(channel_64);
    rows.push(payload("Channel/WriteRead/64bytes/4handles", 64));
    rows.push(payload("Channel/WriteRead/65536bytes/0handles", 65_536));
    rows.push(payload("Socket/WriteRead/64bytes", 64));
    for bench in [
        "Fifo/WriteRead",
        "Timer/SetCancel",
        "Event/CreateClose",
        "Channel/CreateClose",
    ] {
        let mut row = one_thread(bench, 0.0);
        row.target = None;
        rows.push(row);
    }
    for bench in ["RoundTrip/Channel", "RoundTrip/ChannelCall"] {
        rows.push(Comparison {
            bench: bench.into(),
            baseline: "RoundTrip/baseline/condvar".into(),
            baseline_label: "parking_lot condvar round trip",
            target: None,
        });
    }
    for what in ["latency", "throughput"] {
        rows.push(Comparison {
            bench: format!("Socket/Echo/{what}"),
            baseline: format!("Socket/baseline/mio echo {what}"),
            baseline_label: "the same server on mio",
            // The goal: ≥ 0.8× the direct server's throughput, i.e. time per request at
            // most 1 / 0.8 = 1.25× the direct server's.
            target: (what == "throughput").then_some(1.25),
        });
    }
    rows.push(Comparison {
        bench: "Channel/ZxWriteRead/64bytes/4handles".into(),
        baseline: "Channel/WriteRead/64bytes/4handles".into(),
        baseline_label: "the sys write+read",
        target: None,
    });
    rows.push(Comparison {
        bench: "CAbi/EventSignal".into(),
        baseline: "CAbi/baseline/sys EventSignal".into(),
        baseline_label: "the Rust sys call",
        target: Some(1.1),
    });
    // `async/benches/dispatcher.rs` (zxsim-async), against same-run baselines.
    for (bench, baseline, label, target) in [
        (
            "Dispatch/WaitFire",
            "Dispatch/baseline/raw wait_async+port_wait",
            "raw wait_async + port_wait",
            1.5,
        ),
        (
            "Executor/PingPong",
            "Executor/baseline/tokio mpsc ping-pong",
            "tokio multi-thread + mpsc",
            3.0,
        ),
        (
            "Executor/Spawn",
            "Executor/baseline/tokio spawn",
            "tokio spawn",
            2.0,
        ),
    ] {
        rows.push(Comparison {
            bench: bench.into(),
            baseline: baseline.into(),
            baseline_label: label,
            target: Some(target),
        });
    }
    // `bindings/benches/bindings.rs` (zxsim-bindings): one two-way call through the bindings.
    rows.push(Comparison {
        bench: "Bindings/EchoCall".into(),
        baseline: "Bindings/baseline/raw channel call".into(),
        baseline_label: "raw channel_write + wait_one + channel_read",
        target: Some(3.0),
    });
    rows.push(Comparison {
        bench: "Bindings/EchoCall".into(),
        baseline: "Bindings/baseline/raw channel call via port".into(),
        baseline_label: "the same, waiting via wait_async + port_wait",
        target: None,
    });
    rows
}

/// The bench targets of the packages above the syscall layer; every other target belongs to
/// `zxsim-syscalls`.
const PACKAGE_BENCHES: [(&str, &[&str]); 3] = [
    ("zxsim-async", &["dispatcher"]),
    ("zxsim-bindings", &["bindings"]),
    ("zxsim-capi", &["cabi"]),
];

/// The packages `cargo bench` must select for `targets` (all of them when none is named).
fn bench_packages(targets: &[String]) -> Vec<&'static str> {
    let owner = |target: &str| {
        PACKAGE_BENCHES
            .iter()
            .find(|(_, benches)| benches.contains(&target))
            .map_or("zxsim-syscalls", |(package, _)| *package)
    };
    let mut packages: Vec<&'static str> = std::iter::once("zxsim-syscalls")
        .chain(PACKAGE_BENCHES.iter().map(|(package, _)| *package))
        .filter(|package| targets.is_empty() || targets.iter().any(|t| owner(t) == *package))
        .collect();
    packages.dedup();
    packages
}

pub fn run(args: Args) -> Result<(), String> {
    let root = crate::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = SystemTime::now();
    let clock = Instant::now();

    let mut bench = Command::new(&cargo);
    bench.current_dir(&root).arg("bench");
    for package in bench_packages(&args.benches) {
        bench.args(["-p", package]);
    }
    if args.benches.is_empty() {
        bench.args(["--bench", "*"]);
    }
    for target in &args.benches {
        bench.args(["--bench", target]);
    }
    let harness_results = target_dir(&root).join(harness::RESULTS_DIR);
    bench.env("ZXSIM_BENCH_RESULTS", &harness_results);
    if args.quick {
        bench.env("ZXSIM_BENCH_QUICK", "1");
    }
    bench.arg("--");
    if args.quick {
        for (flag, value) in QUICK {
            let given = args.criterion.iter().any(|arg| {
                arg == flag
                    || arg
                        .strip_prefix(flag)
                        .is_some_and(|rest| rest.starts_with('='))
            });
            if !given {
                bench.args([flag, value]);
            }
        }
    }
    // Results are also saved as criterion baseline `xtask`, so a plain `cargo bench` someone
    // runs meanwhile in the same target directory (which writes only `new` and `base`) is not
    // read as this run's. Unless the caller manages baselines himself.
    let baselines = [
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
    ];
    let results = if args
        .criterion
        .iter()
        .any(|arg| baselines.iter().any(|flag| arg.starts_with(flag)))
    {
        "new"
    } else {
        bench.args(["--save-baseline", SAVED_BASELINE]);
        SAVED_BASELINE
    };
    bench.args(&args.criterion);
    if let Some(filter) = &args.filter {
        bench.arg(filter);
    }
    println!("xtask bench: {}", describe(&bench));
    let status = bench
        .status()
        .map_err(|error| format!("cannot run cargo bench: {error}"))?;
    if !status.success() {
        return Err(format!("cargo bench failed ({status})"));
    }

    let memory = memory_per_wait(&cargo, &root)?;

    let estimates = Estimates::collect(&target_dir(&root).join("criterion"), results, started);
    // Rows of which neither side ran (another bench target, or filtered out) are left out.
    let rows: Vec<Row> = comparisons()
        .into_iter()
        .map(|comparison| Row::measure(comparison, &estimates))
        .filter(|row| row.bench_ns.is_some() || row.baseline_ns.is_some())
        .collect();
    if !rows.is_empty() {
        println!();
        println!("{}", render_text(&rows));
    }
    if rows
        .iter()
        .any(|row| row.comparison.bench.starts_with("RoundTrip"))
    {
        println!(
            "RoundTrip placements: unpinned = both threads where the OS puts them; own cores = \
             one CPU each; same core = both on one CPU."
        );
    }
    println!(
        "Ratios are zxsim / baseline, medians measured in this run; a missed target is \
         reported, not an error."
    );
    println!("memory per pending async wait: {memory} (goal ≤ 256 bytes)");
    let harness_tables = harness::tables(&harness_results, started);
    for table in &harness_tables {
        println!();
        println!("{}", table.text());
    }
    println!(
        "xtask bench: {} mode, {:.0} s including the build",
        if args.quick { "quick" } else { "full" },
        clock.elapsed().as_secs_f64()
    );

    if let Some(path) = &args.markdown {
        let mut markdown = if rows.is_empty() {
            String::new()
        } else {
            render_markdown(&rows) + "\n"
        };
        markdown.push_str(&format!(
            "Memory per pending async wait: {memory} (goal ≤ 256 bytes).\n"
        ));
        for table in &harness_tables {
            markdown.push('\n');
            markdown.push_str(&table.markdown());
        }
        std::fs::write(path, markdown)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        println!("xtask bench: wrote {}", path.display());
    }
    Ok(())
}

/// Runs the `memory_per_wait` test and returns the figure it prints.
fn memory_per_wait(cargo: &str, root: &Path) -> Result<String, String> {
    let mut test = Command::new(cargo);
    test.current_dir(root).args([
        "test",
        "-p",
        "zxsim-syscalls",
        "--test",
        "memory_per_wait",
        "--",
        "--nocapture",
    ]);
    println!("xtask bench: {}", describe(&test));
    let output = test
        .output()
        .map_err(|error| format!("cannot run cargo test: {error}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        eprint!("{stdout}");
        return Err(format!(
            "the memory_per_wait test failed ({})",
            output.status
        ));
    }
    const PREFIX: &str = "memory per pending async wait: ";
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(PREFIX))
        .and_then(|rest| rest.split(" (").next())
        .map(str::to_string)
        .ok_or_else(|| "the memory_per_wait test printed no figure".to_string())
}

fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let program = program.file_name().unwrap_or(program.as_os_str());
    let mut words = vec![program.to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|arg| {
        let arg = arg.to_string_lossy();
        if arg.contains([' ', '*']) {
            format!("'{arg}'")
        } else {
            arg.into_owned()
        }
    }));
    words.join(" ")
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set, else `<workspace>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// The medians (ns) of every benchmark criterion measured in this run, by criterion id.
struct Estimates(HashMap<String, f64>);

impl Estimates {
    /// Walks `target/criterion` for `new/benchmark.json` (which names the benchmark: criterion
    /// turns a `/` inside a function name into `_` in the directory) and reads the median of the
    /// `<results>/estimates.json` beside it, if that file was written by this run — older
    /// results are not reported as this run's.
    fn collect(criterion: &Path, results: &str, since: SystemTime) -> Estimates {
        let mut found = HashMap::new();
        let mut pending = vec![criterion.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if !path.is_dir() {
                    continue;
                }
                if path.file_name().is_some_and(|name| name == "new") {
                    if let Some((id, median)) = Self::read(&path, results, since) {
                        found.insert(id, median);
                    }
                } else {
                    pending.push(path);
                }
            }
        }
        Estimates(found)
    }

    fn read(new: &Path, results: &str, since: SystemTime) -> Option<(String, f64)> {
        let estimates = new.parent()?.join(results).join("estimates.json");
        if std::fs::metadata(&estimates).ok()?.modified().ok()? < since {
            return None;
        }
        let json = |path: PathBuf| -> Option<serde_json::Value> {
            serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
        };
        let id = json(new.join("benchmark.json"))?
            .get("full_id")?
            .as_str()?
            .to_string();
        let median = json(estimates)?
            .get("median")?
            .get("point_estimate")?
            .as_f64()?;
        Some((id, median))
    }

    fn get(&self, id: &str) -> Option<f64> {
        self.0.get(id).copied()
    }
}

struct Row {
    comparison: Comparison,
    bench_ns: Option<f64>,
    baseline_ns: Option<f64>,
}

impl Row {
    fn measure(comparison: Comparison, estimates: &Estimates) -> Row {
        Row {
            bench_ns: estimates.get(&comparison.bench),
            baseline_ns: estimates.get(&comparison.baseline),
            comparison,
        }
    }

    fn ratio(&self) -> Option<f64> {
        Some(self.bench_ns? / self.baseline_ns?)
    }

    fn cells(&self) -> [String; 7] {
        let ns = |value: Option<f64>| value.map_or_else(|| "not run".into(), format_ns);
        let ratio = self.ratio();
        let target = self.comparison.target;
        let verdict = match (ratio, target) {
            (Some(ratio), Some(target)) if ratio <= target => "yes",
            (Some(_), Some(_)) => "MISSED",
            (None, _) => "—",
            (Some(_), None) => "n/a",
        };
        [
            self.comparison.bench.clone(),
            ns(self.bench_ns),
            self.comparison.baseline_label.to_string(),
            ns(self.baseline_ns),
            ratio.map_or_else(|| "—".into(), |ratio| format!("{ratio:.2}×")),
            target.map_or_else(|| "—".into(), |target| format!("≤ {target:.1}×")),
            verdict.to_string(),
        ]
    }
}

const HEADERS: [&str; 7] = [
    "benchmark",
    "zxsim ns",
    "baseline",
    "baseline ns",
    "ratio",
    "target",
    "met",
];

fn format_ns(ns: f64) -> String {
    if ns >= 100.0 {
        format!("{ns:.0}")
    } else {
        format!("{ns:.1}")
    }
}

fn render_text(rows: &[Row]) -> String {
    let cells: Vec<Vec<String>> = rows.iter().map(|row| row.cells().to_vec()).collect();
    render_columns(&HEADERS, &cells, &[1, 3, 4])
}

/// A plain-text table: columns padded to their widest cell, those in `numeric` right-aligned.
fn render_columns(headers: &[&str], cells: &[Vec<String>], numeric: &[usize]) -> String {
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|header| header.chars().count())
        .collect();
    for row in cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |row: &[String]| {
        let mut out = String::new();
        for (column, (cell, width)) in row.iter().zip(&widths).enumerate() {
            let pad = width - cell.chars().count();
            if column > 0 {
                out.push_str("  ");
            }
            if numeric.contains(&column) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            }
        }
        out.trim_end().to_string()
    };
    let headers: Vec<String> = headers.iter().map(|header| header.to_string()).collect();
    let mut out = line(&headers);
    out.push('\n');
    out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
    for row in cells {
        out.push('\n');
        out.push_str(&line(row));
    }
    out
}

fn render_markdown(rows: &[Row]) -> String {
    let mut out = format!("| {} |\n", HEADERS.join(" | "));
    out.push_str("|---|--:|---|--:|--:|---|---|\n");
    for row in rows {
        let mut cells = row.cells();
        cells[0] = format!("`{}`", cells[0]);
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}
