//! The figures of the bench targets with their own harness (`syscalls/benches/processes.rs`:
//! `Scale/Processes/*`; `syscalls/benches/memory.rs`: `Memory/PerObject/*`). `run` hands them
//! `ZXSIM_BENCH_RESULTS=<target>/zxsim-bench` (and `ZXSIM_BENCH_QUICK=1` in quick mode); each
//! writes a tab-separated file there whose first line names the columns
//! (`syscalls/benches/common/harness.rs`). A file older than the run is not this run's and is
//! ignored; a target that did not run (another `--bench`, a filter) leaves its table out.

use std::collections::HashMap;
use std::path::Path;
use std::time::SystemTime;

/// The directory under the target directory the harnesses write their files to.
pub const RESULTS_DIR: &str = "zxsim-bench";

/// One results file: its lines, each a map from column name to cell.
struct Results(Vec<HashMap<String, String>>);

impl Results {
    fn read(dir: &Path, name: &str, since: SystemTime) -> Option<Results> {
        let path = dir.join(name);
        if std::fs::metadata(&path).ok()?.modified().ok()? < since {
            return None;
        }
        let text = std::fs::read_to_string(path).ok()?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next()?.split('\t').collect();
        let rows: Vec<_> = lines
            .filter(|line| !line.is_empty())
            .map(|line| {
                header
                    .iter()
                    .zip(line.split('\t'))
                    .map(|(column, cell)| (column.to_string(), cell.to_string()))
                    .collect()
            })
            .collect();
        (!rows.is_empty()).then_some(Results(rows))
    }
}

fn cell<'a>(row: &'a HashMap<String, String>, column: &str) -> &'a str {
    row.get(column).map_or("—", String::as_str)
}

fn number(row: &HashMap<String, String>, column: &str) -> Option<f64> {
    cell(row, column).parse().ok()
}

/// A table to print: headers, cells, the right-aligned columns, and a note under it.
pub struct Table {
    headers: &'static [&'static str],
    cells: Vec<Vec<String>>,
    numeric: &'static [usize],
    note: String,
}

impl Table {
    pub fn text(&self) -> String {
        format!(
            "{}\n{}",
            super::render_columns(self.headers, &self.cells, self.numeric),
            self.note
        )
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("| {} |\n|", self.headers.join(" | "));
        for column in 0..self.headers.len() {
            out.push_str(if self.numeric.contains(&column) {
                "--:|"
            } else {
                "---|"
            });
        }
        out.push('\n');
        for row in &self.cells {
            let mut row = row.clone();
            row[0] = format!("`{}`", row[0]);
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        format!("{out}\n{}\n", self.note)
    }
}

/// The tables of this run's harness results in `dir` (written since `since`).
pub fn tables(dir: &Path, since: SystemTime) -> Vec<Table> {
    let mut tables = Vec::new();
    if let Some(results) = Results::read(dir, "processes.tsv", since) {
        tables.push(processes(&results));
    }
    if let Some(results) = Results::read(dir, "memory.tsv", since) {
        tables.push(memory(&results));
    }
    tables
}

fn processes(results: &Results) -> Table {
    let ratio = |value: Option<f64>| value.map_or_else(|| "—".into(), |v| format!("{v:.2}×"));
    let cells = results
        .0
        .iter()
        .map(|row| {
            let relative = number(row, "op_over_control");
            let goal = number(row, "goal");
            let met = match (relative, goal) {
                (Some(relative), Some(goal)) if relative >= goal => "yes",
                (Some(_), Some(_)) => "MISSED",
                _ => "—",
            };
            let rounds = match (number(row, "scaling_min"), number(row, "scaling_max")) {
                (Some(low), Some(high)) => format!("{low:.2}–{high:.2}"),
                _ => "—".into(),
            };
            vec![
                cell(row, "benchmark").to_string(),
                number(row, "one_thread_ns").map_or_else(|| "—".into(), super::format_ns),
                ratio(number(row, "scaling")),
                rounds,
                ratio(number(row, "control_scaling")),
                relative.map_or_else(|| "—".into(), |v| format!("{v:.2}")),
                goal.map_or_else(|| "—".into(), |goal| format!("≥ {goal:.1}")),
                met.to_string(),
            ]
        })
        .collect();
    let first = &results.0[0];
    let mut note = format!(
        "Scale/Processes: one kernel, each thread bound to its own process and using only its own \
         objects; throughput at 2 threads ÷ 1 thread, median of {} interleaved rounds of {} ms \
         per measurement, beside a control loop with no shared state measured in the same rounds; \
         the goal is op ÷ control ≥ the figure shown.",
        cell(first, "rounds"),
        cell(first, "period_ms")
    );
    let control = results
        .0
        .iter()
        .filter_map(|row| number(row, "control_scaling"))
        .fold(f64::INFINITY, f64::min);
    if let Some(floor) = number(first, "control_floor").filter(|floor| control < *floor) {
        note.push_str(&format!(
            "\nWARNING: the control scaled only {control:.2}× (< {floor:.1}×): other work shared \
             the CPUs, so these scaling figures say little about the kernel; rerun on a quiet \
             machine."
        ));
    }
    Table {
        headers: &[
            "benchmark",
            "1 thread ns/op",
            "2÷1 threads",
            "rounds (2÷1)",
            "control 2÷1",
            "op ÷ control",
            "goal",
            "met",
        ],
        cells,
        numeric: &[1, 2, 3, 4, 5],
        note,
    }
}

fn memory(results: &Results) -> Table {
    let cells = results
        .0
        .iter()
        .map(|row| {
            ["benchmark", "count", "rss_bytes", "heap_bytes", "goal"]
                .iter()
                .map(|column| cell(row, column).to_string())
                .collect()
        })
        .collect();
    Table {
        headers: &[
            "benchmark",
            "objects",
            "RSS bytes / object",
            "heap bytes / object",
            "goal",
        ],
        cells,
        numeric: &[1, 2, 3],
        note: "Memory/PerObject: resident set size (Linux /proc/self/status) and live heap \
               (counting allocator) added by creating that many objects, each kind in a kernel \
               of its own, divided by their number; growth slack of the tables included."
            .into(),
    }
}
