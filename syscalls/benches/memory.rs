//! `Memory/PerObject/<What>`: the memory one more live object costs, read from the process's
//! resident set size (RSS) and from the live heap before and after creating `COUNT` of them:
//! - `Event`: an event with its one handle;
//! - `ChannelPair`: a channel (both endpoints, a handle to each);
//! - `AsyncWait`: a pending `zx_object_wait_async` (on one event, spread over two ports of
//!   `COUNT / 2`, below the per-port observer policy limit).
//!
//! Each kind is created in a kernel of its own, and everything stays alive until all three are
//! measured, so that memory freed by one measurement is not reused by the next. The figures
//! include the growth slack of the tables that hold the objects at that size. Where the OS gives
//! no RSS (only Linux's `/proc` is read) that column says `unsupported`.
//!
//! A custom harness (`harness = false`) with the command line of `common::harness`; the counting
//! global allocator makes it unfit for timing, hence a target of its own.

mod common;

use zxsim_kernel::{BindGuard, Config, Kernel, Process};
use zxsim_syscalls::sys::*;

use common::harness::Options;
use common::memory::{live_heap_bytes, rss_bytes, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const COUNT: usize = 100_000;

/// Under `--test`: enough to exercise every path.
const TEST_COUNT: usize = 1_000;

/// What is created, `count` at a time.
#[derive(Clone, Copy)]
enum What {
    Event,
    ChannelPair,
    AsyncWait,
}

impl What {
    const ALL: [What; 3] = [What::Event, What::ChannelPair, What::AsyncWait];

    fn id(self) -> &'static str {
        match self {
            What::Event => "Memory/PerObject/Event",
            What::ChannelPair => "Memory/PerObject/ChannelPair",
            What::AsyncWait => "Memory/PerObject/AsyncWait",
        }
    }

    /// The goal, if the spec sets one.
    fn goal(self) -> &'static str {
        match self {
            What::AsyncWait => "heap ≤ 256 bytes",
            What::Event | What::ChannelPair => "—",
        }
    }
}

/// One kind's kernel, its process bound to this thread while creating, and the handles to close.
struct Measured {
    kernel: Kernel,
    process: std::sync::Arc<Process>,
    handles: Vec<zx_handle_t>,
    rss: Option<u64>,
    heap: isize,
}

impl Measured {
    fn new(what: What, count: usize) -> Measured {
        let kernel = Kernel::new(Config::default());
        let process = kernel.create_process();
        let bound = process.bind();
        // Room for every handle up front, and the setup objects of the waits, before reading.
        let mut handles = Vec::with_capacity(2 * count + 3);
        let mut waited = (0, [0, 0]);
        if let What::AsyncWait = what {
            assert_eq!(zx_event_create(0, &mut waited.0), ZX_OK);
            for port in &mut waited.1 {
                assert_eq!(zx_port_create(0, port), ZX_OK);
            }
            handles.extend([waited.0, waited.1[0], waited.1[1]]);
        }
        let (rss_before, heap_before) = (rss_bytes(), live_heap_bytes());
        for index in 0..count {
            match what {
                What::Event => {
                    let mut event = 0;
                    assert_eq!(zx_event_create(0, &mut event), ZX_OK);
                    handles.push(event);
                }
                What::ChannelPair => {
                    let (mut a, mut b) = (0, 0);
                    assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
                    handles.extend([a, b]);
                }
                What::AsyncWait => {
                    let port = waited.1[index % 2];
                    let key = index as u64;
                    assert_eq!(
                        zx_object_wait_async(waited.0, port, key, ZX_EVENT_SIGNALED, 0),
                        ZX_OK
                    );
                }
            }
        }
        let (rss_after, heap_after) = (rss_bytes(), live_heap_bytes());
        assert!(
            process.policy_exceptions().is_empty(),
            "the objects stay under every policy limit"
        );
        drop::<BindGuard>(bound);
        Measured {
            rss: rss_before
                .zip(rss_after)
                .map(|(before, after)| after.saturating_sub(before)),
            heap: heap_after - heap_before,
            kernel,
            process,
            handles,
        }
    }

    /// Closes everything and checks nothing is left.
    fn close(self) {
        let _bound = self.process.bind();
        assert_eq!(zx_handle_close_many(&self.handles), ZX_OK);
        assert_eq!(
            (self.kernel.live_objects(), self.kernel.live_handles()),
            (0, 0)
        );
    }
}

fn main() {
    let options = Options::from_env();
    if options.list {
        for what in What::ALL {
            println!("{}: bench", what.id());
        }
        return;
    }
    let selected: Vec<What> = What::ALL
        .into_iter()
        .filter(|what| options.selects(what.id()))
        .collect();
    if selected.is_empty() {
        return;
    }
    let count = if options.test { TEST_COUNT } else { COUNT };
    let measured: Vec<(What, Measured)> = selected
        .into_iter()
        .map(|what| (what, Measured::new(what, count)))
        .collect();

    println!("Memory/PerObject: bytes per object, {count} objects of each kind");
    let mut lines = vec![common::harness::MEMORY_HEADER.join("\t")];
    for (what, figures) in &measured {
        let per = |total: f64| total / count as f64;
        let rss = figures.rss.map_or_else(
            || "unsupported".to_string(),
            |rss| format!("{:.1}", per(rss as f64)),
        );
        let heap = format!("{:.1}", per(figures.heap as f64));
        println!(
            "{:<30} RSS {rss:>11} B  heap {heap:>8} B  (goal: {})",
            what.id(),
            what.goal()
        );
        lines.push([what.id(), &count.to_string(), &rss, &heap, what.goal()].join("\t"));
    }
    options.write_results("memory.tsv", &lines);
    for (_, figures) in measured {
        figures.close();
    }
}
