//! zxsim's random-syscall fuzzer.
//!
//! [`run`] makes a kernel with the chosen profile, `processes` processes and `threads` OS threads
//! bound to them round-robin (`Process::spawn`), and has each thread make its share of `calls`
//! random syscalls through the `sys` layer with random handle values (its own, other threads' and
//! processes', stale, 0, random), options, rights, sizes and short deadlines. Each answer is
//! checked against the syscall's row of the status table ([`spec`]) and the consumed-handle rules
//! (see [`worker`]). A watchdog thread reports a hang — a thread whose call has not returned for
//! `hang_after` — with the call every thread has in flight, and exits the process.
//!
//! At the end every process's handle table is emptied (what process death does) and the kernel's
//! live object and handle counts are checked against [`zxsim_kernel::Kernel::leak_report`]: what is
//! still alive must be exactly the channel cycles the report names (an endpoint whose handle sits
//! in its own queue, …), and no object may be alive without a handle.
//!
//! **Replay.** Each thread's random sequence derives from the seed and the thread's index alone,
//! so a seed replays the same calls with the same arguments per thread; the interleaving of the
//! threads (and therefore which of them wins a race, and the statuses) is up to the OS scheduler
//! and is not reproducible. With `threads = 1` a run is deterministic up to timing (deadlines).

pub mod rng;
pub mod spec;
pub mod worker;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zxsim_kernel::{Config, Kernel, LeakReport, Profile};

use spec::{bucket_name, Op, STATUS_BUCKETS};
use worker::{InFlight, Shared, Violation, Worker, IDLE};

/// Leak-report entries printed in full by an outcome's `Display`.
const SHOWN_LEAKS: usize = 8;

/// One fuzzing run.
#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    /// Total calls, split evenly over the threads.
    pub calls: u64,
    pub threads: usize,
    pub processes: usize,
    pub profile: Profile,
    /// A call in flight for this long is a hang.
    pub hang_after: Duration,
    /// Extra percentage of handle arguments drawn from the values other threads of the same
    /// process published (0: the default mix; higher: more races on shared handles).
    pub share: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            calls: 1_000_000,
            threads: 4,
            processes: 2,
            profile: Profile::default(),
            hang_after: Duration::from_secs(30),
            share: 0,
        }
    }
}

/// What a run found.
pub struct Outcome {
    pub options: Options,
    pub calls: u64,
    pub elapsed: Duration,
    /// Per syscall (indexed like [`Op::ALL`]), per status bucket.
    pub histogram: Vec<[u64; STATUS_BUCKETS]>,
    /// Violations found by the threads (the first few of each) and by the final check.
    pub violations: Vec<Violation>,
    pub violation_count: u64,
    /// The leak report after every handle table was emptied.
    pub leaks: LeakReport,
    pub live_objects: usize,
    pub live_handles: usize,
    /// Leak reports taken while the threads ran (each checked for well-formed chains).
    pub reports_during_run: u64,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.violation_count == 0
    }

    pub fn calls_per_second(&self) -> f64 {
        self.calls as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Calls per status over all syscalls, most frequent first.
    pub fn status_totals(&self) -> Vec<(String, u64)> {
        let mut totals: Vec<(String, u64)> = (0..STATUS_BUCKETS)
            .map(|bucket| {
                let count = self.histogram.iter().map(|row| row[bucket]).sum();
                (bucket_name(bucket), count)
            })
            .filter(|(_, count)| *count > 0)
            .collect();
        totals.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        totals
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = &self.options;
        writeln!(
            f,
            "zxsim fuzz: seed {} profile {}{} — {} calls on {} thread(s) in {} process(es) in \
             {:.2} s ({:.0} calls/s)",
            o.seed,
            o.profile,
            if o.share > 0 {
                format!(" share {}", o.share)
            } else {
                String::new()
            },
            self.calls,
            o.threads,
            o.processes,
            self.elapsed.as_secs_f64(),
            self.calls_per_second()
        )?;
        let totals: Vec<String> = self
            .status_totals()
            .iter()
            .map(|(name, count)| format!("{name} {count}"))
            .collect();
        writeln!(f, "statuses: {}", totals.join(", "))?;
        writeln!(f, "per syscall (calls: statuses seen):")?;
        for &op in Op::ALL {
            let row = &self.histogram[op.index()];
            let calls: u64 = row.iter().sum();
            let seen: Vec<String> = (0..STATUS_BUCKETS)
                .filter(|&bucket| row[bucket] > 0)
                .map(|bucket| format!("{} {}", bucket_name(bucket), row[bucket]))
                .collect();
            writeln!(f, "  {:<28} {:>9}: {}", op.name(), calls, seen.join(", "))?;
        }
        // The report's summary line, then a few of its entries (a long run leaves thousands).
        let report = self.leaks.to_string();
        let mut lines = report.lines();
        writeln!(
            f,
            "after closing every handle: {}",
            lines.next().unwrap_or_default()
        )?;
        for line in lines.by_ref().take(SHOWN_LEAKS) {
            writeln!(f, "{line}")?;
        }
        if self.leaks.entries.len() > SHOWN_LEAKS {
            writeln!(f, "  … and {} more", self.leaks.entries.len() - SHOWN_LEAKS)?;
        }
        writeln!(
            f,
            "live objects {}, live handles {} (all explained by the cycles above: {})",
            self.live_objects,
            self.live_handles,
            if self.leaks.entries.len() == self.live_objects
                && self.leaks.leaked_handles == self.live_handles
            {
                "yes"
            } else {
                "NO"
            }
        )?;
        writeln!(
            f,
            "leak reports taken during the run: {}",
            self.reports_during_run
        )?;
        writeln!(f, "violations: {}", self.violation_count)?;
        for violation in &self.violations {
            writeln!(f, "  {violation}")?;
        }
        Ok(())
    }
}

/// Runs the fuzzer (see the crate doc).
pub fn run(options: Options) -> Outcome {
    assert!(options.threads > 0 && options.processes > 0);
    let kernel = Kernel::new(Config::default().with_profile(options.profile));
    let processes: Vec<_> = (0..options.processes)
        .map(|_| kernel.create_process())
        .collect();
    let shared = Arc::new(Shared {
        recent: processes.iter().map(|_| Mutex::new(Vec::new())).collect(),
        drained: Mutex::new(Default::default()),
        ticket: Default::default(),
        processes,
        // One slot per worker, and the last for the leak reporter.
        in_flight: (0..=options.threads)
            .map(|_| {
                let slot = InFlight::default();
                slot.op.store(IDLE, Ordering::Relaxed);
                slot
            })
            .collect(),
    });

    let started = Instant::now();
    let watchdog = start_watchdog(shared.clone(), options.clone());
    let reporter = start_reporter(kernel.clone(), shared.clone(), options.threads);
    let per_thread = options.calls / options.threads as u64;
    let extra = options.calls % options.threads as u64;
    let handles: Vec<_> = (0..options.threads)
        .map(|index| {
            let process_index = index % options.processes;
            let worker = Worker::new(index, process_index, options.seed, shared.clone())
                .with_share(options.share);
            let calls = per_thread + u64::from((index as u64) < extra);
            shared.processes[process_index].spawn(move || worker.run(calls))
        })
        .collect();

    let mut outcome = Outcome {
        options: options.clone(),
        calls: 0,
        elapsed: Duration::ZERO,
        histogram: vec![[0; STATUS_BUCKETS]; Op::ALL.len()],
        violations: Vec::new(),
        violation_count: 0,
        leaks: LeakReport::default(),
        live_objects: 0,
        live_handles: 0,
        reports_during_run: 0,
    };
    for handle in handles {
        let result = handle.join().expect("a fuzzing thread panicked");
        outcome.calls += result.calls;
        for (row, theirs) in outcome.histogram.iter_mut().zip(&result.histogram) {
            for (count, add) in row.iter_mut().zip(theirs) {
                *count += add;
            }
        }
        outcome.violations.extend(result.violations);
        outcome.violation_count += result.violation_count;
    }
    outcome.elapsed = started.elapsed();
    let (reports, malformed) = reporter.stop();
    watchdog.stop();
    outcome.reports_during_run = reports;
    for message in malformed {
        outcome.violation_count += 1;
        if outcome.violations.len() < 40 {
            outcome.violations.push(Violation {
                thread: options.threads,
                call: reports,
                op: "Kernel::leak_report",
                message,
            });
        }
    }

    for process in &shared.processes {
        process.close_all_handles();
    }
    final_check(&kernel, &mut outcome);
    outcome
}

/// After every table is empty: what is alive must be exactly the cycles the leak report names.
fn final_check(kernel: &Kernel, outcome: &mut Outcome) {
    // Give a racing timer callback or reactor a moment to drop its last reference.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        outcome.leaks = kernel.leak_report();
        outcome.live_objects = kernel.live_objects();
        outcome.live_handles = kernel.live_handles();
        let explained = outcome.leaks.handleless == 0
            && outcome.leaks.entries.len() == outcome.live_objects
            && outcome.leaks.leaked_handles == outcome.live_handles;
        if explained || Instant::now() >= deadline {
            if !explained {
                outcome.violation_count += 1;
                outcome.violations.push(Violation {
                    thread: usize::MAX,
                    call: outcome.calls,
                    op: "final check",
                    message: format!(
                        "after every handle table was emptied: {} live object(s), {} live \
                         handle(s), of which the leak report explains {} object(s) and {} \
                         handle(s) as cycles; {} object(s) alive without a handle",
                        outcome.live_objects,
                        outcome.live_handles,
                        outcome.leaks.entries.len(),
                        outcome.leaks.leaked_handles,
                        outcome.leaks.handleless
                    ),
                });
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

struct Watchdog {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Watchdog {
    fn stop(self) {
        self.stop.store(true, Ordering::Release);
        self.thread.thread().unpark();
        let _ = self.thread.join();
    }
}

/// Every 100 ms: a thread whose call count has not moved for `hang_after` while a call is in
/// flight is hung. The watchdog prints every thread's call in flight and exits with status 3 (a
/// hung thread cannot be stopped from outside).
fn start_watchdog(shared: Arc<Shared>, options: Options) -> Watchdog {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::spawn(move || {
        let mut last: Vec<(u64, Instant)> = shared
            .in_flight
            .iter()
            .map(|_| (0, Instant::now()))
            .collect();
        while !stopping.load(Ordering::Acquire) {
            std::thread::park_timeout(Duration::from_millis(100));
            for (index, slot) in shared.in_flight.iter().enumerate() {
                let calls = slot.calls.load(Ordering::Relaxed);
                if calls != last[index].0 || slot.done.load(Ordering::Acquire) {
                    last[index] = (calls, Instant::now());
                } else if last[index].1.elapsed() >= options.hang_after {
                    eprintln!(
                        "zxsim fuzz: HANG — thread {index} made no progress for {:?} (seed {}, \
                         profile {}); calls in flight:",
                        options.hang_after, options.seed, options.profile
                    );
                    for (index, slot) in shared.in_flight.iter().enumerate() {
                        eprintln!("  thread {index}: {}", describe(slot));
                    }
                    std::process::exit(3);
                }
            }
        }
    });
    Watchdog { stop, thread }
}

/// The thread that takes leak reports while the workers run: the report must neither deadlock
/// with syscalls (the watchdog watches its slot like a worker's) nor produce a malformed chain.
struct Reporter {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(u64, Vec<String>)>,
}

impl Reporter {
    /// Stops the reporter; returns the reports taken and the malformed entries found.
    fn stop(self) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::Release);
        self.thread.thread().unpark();
        self.thread.join().expect("the leak reporter panicked")
    }
}

fn start_reporter(kernel: Kernel, shared: Arc<Shared>, slot: usize) -> Reporter {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::spawn(move || {
        let in_flight = &shared.in_flight[slot];
        let mut malformed = Vec::new();
        let mut reports = 0;
        while !stopping.load(Ordering::Acquire) {
            in_flight.op.store(LEAK_REPORT, Ordering::Relaxed);
            let started = Instant::now();
            let report = kernel.leak_report();
            let took = started.elapsed();
            in_flight.op.store(IDLE, Ordering::Relaxed);
            reports += 1;
            in_flight.calls.store(reports, Ordering::Relaxed);
            for entry in &report.entries {
                if !chain_closes(entry) && malformed.len() < 20 {
                    malformed.push(format!("a chain that does not close: {entry}"));
                }
            }
            // Every 20 ms, or less often once a report grows long (the leaked cycles pile up in
            // a long run): the reporter takes at most about a fifth of one core.
            std::thread::park_timeout(Duration::from_millis(20).max(took * 4));
        }
        in_flight.done.store(true, Ordering::Release);
        (reports, malformed)
    });
    Reporter { stop, thread }
}

/// A cycle entry's chain is non-empty and its last link is the object or an earlier link.
fn chain_closes(entry: &zxsim_kernel::LeakEntry) -> bool {
    let Some((last, before)) = entry.chain.split_last() else {
        return false;
    };
    last.koid == entry.object.koid || before.iter().any(|link| link.koid == last.koid)
}

/// `InFlight::op` of the reporter's slot while it takes a report.
const LEAK_REPORT: u8 = IDLE - 1;

fn describe(slot: &InFlight) -> String {
    if slot.done.load(Ordering::Acquire) {
        return "finished".to_string();
    }
    let calls = slot.calls.load(Ordering::Relaxed);
    match slot.op.load(Ordering::Relaxed) {
        IDLE => format!("between calls (after call #{calls})"),
        LEAK_REPORT => format!("Kernel::leak_report() (report #{})", calls + 1),
        op => format!(
            "call #{calls}: {}(handle {:#x}, …)",
            Op::ALL.get(op as usize).map_or("?", |op| op.name()),
            slot.handle.load(Ordering::Relaxed)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_outcome() -> Outcome {
        Outcome {
            options: Options::default(),
            calls: 0,
            elapsed: Duration::ZERO,
            histogram: vec![[0; STATUS_BUCKETS]; Op::ALL.len()],
            violations: Vec::new(),
            violation_count: 0,
            leaks: LeakReport::default(),
            live_objects: 0,
            live_handles: 0,
            reports_during_run: 0,
        }
    }

    /// The final check can fail: an object alive without any handle is a violation...
    #[test]
    fn final_check_flags_an_object_alive_without_a_handle() {
        let kernel = Kernel::new(Config::default());
        let orphan = kernel.new_object(zxsim_kernel::objects::event::Event::new());
        let mut outcome = empty_outcome();
        final_check(&kernel, &mut outcome);
        assert_eq!(outcome.violation_count, 1, "{outcome}");
        assert_eq!(outcome.leaks.handleless, 1);
        drop(orphan);
    }

    /// ... while a channel cycle the leak report names is not.
    #[test]
    fn final_check_accepts_a_reported_cycle() {
        use zxsim_syscalls::sys::*;
        let kernel = Kernel::new(Config::default());
        let process = kernel.create_process();
        let _bound = process.bind();
        let (mut a, mut b) = (0, 0);
        assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
        assert_eq!(zx_channel_write(b, 0, b"", &[a]), ZX_OK);
        process.close_all_handles();
        let mut outcome = empty_outcome();
        final_check(&kernel, &mut outcome);
        assert_eq!(outcome.violation_count, 0, "{outcome}");
        assert_eq!((outcome.live_objects, outcome.leaks.entries.len()), (1, 1));
    }

    #[test]
    fn a_chain_must_close() {
        use zxsim_kernel::leak::ObjectName;
        use zxsim_kernel::{LeakEntry, LeakKind, ObjType};
        let name = |koid| ObjectName {
            koid,
            obj_type: ObjType::CHANNEL,
        };
        let entry = |chain: &[u64]| LeakEntry {
            object: name(1),
            handles: 1,
            kind: LeakKind::Cycle,
            chain: chain.iter().map(|&koid| name(koid)).collect(),
        };
        assert!(chain_closes(&entry(&[1])));
        assert!(chain_closes(&entry(&[2, 3, 2])));
        assert!(!chain_closes(&entry(&[])));
        assert!(!chain_closes(&entry(&[2, 3])));
    }

    #[test]
    fn watchdog_names_the_call_in_flight() {
        let slot = InFlight::default();
        slot.op.store(Op::PortWait as u8, Ordering::Relaxed);
        slot.handle.store(0x1234_5677, Ordering::Relaxed);
        slot.calls.store(41, Ordering::Relaxed);
        assert_eq!(
            describe(&slot),
            "call #41: zx_port_wait(handle 0x12345677, …)"
        );
        slot.op.store(LEAK_REPORT, Ordering::Relaxed);
        assert!(describe(&slot).starts_with("Kernel::leak_report()"));
        slot.op.store(IDLE, Ordering::Relaxed);
        assert!(describe(&slot).starts_with("between calls"));
        slot.done.store(true, Ordering::Release);
        assert_eq!(describe(&slot), "finished");
    }

    /// A short run under both profiles: no violation, and everything left is a named cycle.
    #[test]
    fn short_run_is_clean_under_both_profiles() {
        for profile in Profile::ALL {
            let outcome = run(Options {
                seed: 42,
                calls: 20_000,
                threads: 3,
                processes: 2,
                profile,
                hang_after: Duration::from_secs(60),
                share: 0,
            });
            assert_eq!(outcome.calls, 20_000);
            assert!(outcome.reports_during_run >= 1);
            assert!(outcome.passed(), "{outcome}");
            assert!(outcome.status_totals().len() > 5, "{outcome}");
        }
    }
}
