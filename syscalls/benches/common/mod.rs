//! What every zxsim bench binary shares: the criterion configuration, a kernel bound to the
//! calling thread, and the baselines measured beside the zxsim benchmarks in the same run.
//!
//! Naming: a zxsim benchmark is `<Group>/<Name>` exactly as `docs/performance.md` lists it
//! (`Event/Signal`, `RoundTrip/Port`...); its baseline lives in the same criterion group as
//! `<Group>/baseline/<what>`, so `cargo bench -- Event/` measures both and `cargo xtask bench`
//! finds both under `target/criterion/<Group>/`.
#![allow(dead_code)] // each bench binary uses a different part of this module

pub mod harness;
pub mod memory;

use std::sync::Arc;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use zxsim_kernel::{BindGuard, Config, Kernel, Process};

/// Short by default (the machine is shared and the suite is large); every criterion CLI flag
/// (`--warm-up-time`, `--measurement-time`, `--sample-size`, `--nresamples`...) overrides it,
/// because the groups set nothing of their own.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// A fresh kernel on the real clock with one process bound to the calling thread.
pub struct Bound {
    pub kernel: Kernel,
    pub process: Arc<Process>,
    _guard: BindGuard,
}

impl Bound {
    pub fn new() -> Bound {
        Bound::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Bound {
        let kernel = Kernel::new(config);
        let process = kernel.create_process();
        let guard = process.bind();
        Bound {
            kernel,
            process,
            _guard: guard,
        }
    }
}

/// Baseline `<group>/baseline/crossbeam send+recv`: one thread sends a small value on an unbounded crossbeam channel and receives it.
pub fn crossbeam_send_recv(group: &mut BenchmarkGroup<'_, WallTime>) {
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    let mut value = 0u64;
    let id = BenchmarkId::new("baseline", "crossbeam send+recv");
    group.bench_function(id, |b| {
        b.iter(|| {
            value = value.wrapping_add(1);
            tx.send(std::hint::black_box(value)).unwrap();
            std::hint::black_box(rx.recv().unwrap())
        })
    });
}

/// Where the two threads of a round trip run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Wherever the OS puts them.
    Unpinned,
    /// Each thread pinned to its own CPU.
    OwnCores,
    /// Both threads pinned to one CPU.
    SameCore,
}

impl Placement {
    /// The criterion group of a round-trip benchmark with this placement. The unpinned one is
    /// plain `RoundTrip`, so `RoundTrip/Port` keeps its documented name.
    pub fn group(self, base: &str) -> String {
        match self {
            Placement::Unpinned => base.to_string(),
            Placement::OwnCores => format!("{base}@own-cores"),
            Placement::SameCore => format!("{base}@same-core"),
        }
    }

    /// The placements this machine can do: pinned ones need `sched_setaffinity` (and two
    /// allowed CPUs for `OwnCores`).
    pub fn available() -> Vec<Placement> {
        let mut placements = vec![Placement::Unpinned];
        if let Some(cpus) = affinity::allowed_cpus() {
            if cpus.len() >= 2 {
                placements.push(Placement::OwnCores);
            }
            if !cpus.is_empty() {
                placements.push(Placement::SameCore);
            }
        }
        placements
    }

    /// CPUs for (the measuring thread, the echoing thread), or `None` when unpinned.
    pub fn cpus(self) -> Option<(usize, usize)> {
        let cpus = affinity::allowed_cpus()?;
        match self {
            Placement::Unpinned => None,
            Placement::OwnCores => Some((*cpus.first()?, *cpus.get(1)?)),
            Placement::SameCore => Some((*cpus.first()?, *cpus.first()?)),
        }
    }
}

/// Pins the calling thread for as long as the guard lives, then restores its previous mask.
pub struct Pinned {
    previous: Option<affinity::CpuSet>,
}

impl Pinned {
    pub fn to(cpu: Option<usize>) -> Pinned {
        let previous = cpu.and_then(|cpu| {
            let previous = affinity::get()?;
            affinity::pin(cpu).then_some(previous)
        });
        Pinned { previous }
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if let Some(previous) = &self.previous {
            affinity::set(previous);
        }
    }
}

/// Thread affinity through the C library's `sched_{get,set}affinity` (std has no API for it and
/// this crate takes no `libc` dependency).
#[cfg(target_os = "linux")]
mod affinity {
    /// `cpu_set_t`: 1024 bits.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct CpuSet([u64; 16]);

    extern "C" {
        fn sched_setaffinity(pid: i32, cpusetsize: usize, mask: *const CpuSet) -> i32;
        fn sched_getaffinity(pid: i32, cpusetsize: usize, mask: *mut CpuSet) -> i32;
    }

    pub fn get() -> Option<CpuSet> {
        let mut set = CpuSet([0; 16]);
        // SAFETY: `set` is a writable buffer of exactly the size passed; pid 0 is this thread.
        let rc = unsafe { sched_getaffinity(0, std::mem::size_of::<CpuSet>(), &mut set) };
        (rc == 0).then_some(set)
    }

    pub fn set(set: &CpuSet) -> bool {
        // SAFETY: `set` is a readable buffer of exactly the size passed; pid 0 is this thread.
        unsafe { sched_setaffinity(0, std::mem::size_of::<CpuSet>(), set) == 0 }
    }

    pub fn allowed_cpus() -> Option<Vec<usize>> {
        let set = get()?;
        Some(
            (0..1024)
                .filter(|cpu| set.0[cpu / 64] & (1 << (cpu % 64)) != 0)
                .collect(),
        )
    }

    pub fn pin(cpu: usize) -> bool {
        let mut set = CpuSet([0; 16]);
        set.0[cpu / 64] |= 1 << (cpu % 64);
        self::set(&set)
    }
}

#[cfg(not(target_os = "linux"))]
mod affinity {
    #[derive(Clone, Copy)]
    pub struct CpuSet;

    pub fn get() -> Option<CpuSet> {
        None
    }

    pub fn set(_set: &CpuSet) -> bool {
        false
    }

    pub fn allowed_cpus() -> Option<Vec<usize>> {
        None
    }

    pub fn pin(_cpu: usize) -> bool {
        false
    }
}
