//! `Scale/Processes/<Op>`: do processes that share nothing slow each other down? T threads, each
//! bound to its own process of one kernel and using only its own objects, repeat one operation;
//! the figure is the throughput at 2 threads ÷ the throughput at 1 thread, beside the same ratio
//! for a control loop that touches no shared state at all (what the machine allows), measured in
//! the same interleaved rounds. The goal is op scaling ÷ control scaling ≥ 0.9. One more row,
//! `Scale/Processes/baseline/private locks`, is a reference without a goal: the locking of
//! `zx_object_signal` on locks private to the thread.
//!
//! Not a criterion benchmark (criterion times one thread's iterations): a custom harness
//! (`harness = false`). A round measures, for each operation in turn, the control and the
//! operation at 1 and at 2 threads, in an order that alternates from one round to the next so
//! that a drift of the machine during the round weighs on both sides alike; each figure printed is
//! the median over the rounds. Each thread counts its own iterations over its own elapsed time
//! (threads start together at a barrier and stop at a flag read between batches).
//!
//! Command line (as `cargo bench -p zxsim-syscalls --bench processes -- [ARGS]`): `--quick` (or
//! `ZXSIM_BENCH_QUICK=1`) for fewer, shorter rounds; a free argument is a filter, matched as a
//! substring of `Scale/Processes/<Op>`; criterion's options, which `cargo xtask bench` hands to
//! every bench target, are accepted and ignored. With `ZXSIM_BENCH_RESULTS=<dir>`, the figures
//! are also written to `<dir>/processes.tsv` for `cargo xtask bench` to report. `--own-kernels`
//! (diagnostic, never written to that file) gives each thread's process a kernel of its own: the
//! difference from the normal run is what the kernel-wide state costs.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use zxsim_kernel::{Config, Kernel, Process};
use zxsim_syscalls::sys::*;

use common::harness::{median, Options};

/// The most threads a measurement uses.
const MAX_THREADS: usize = 2;

/// Iterations between two reads of the stop flag.
const BATCH: u64 = 64;

/// What one iteration does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// No shared state: arithmetic on the thread's own registers and a small buffer of its own.
    Control,
    /// `zx_object_signal` on the thread's own event, alternately setting and clearing a signal.
    Signal,
    /// `zx_handle_duplicate` of the own event's handle, then `zx_handle_close` of the duplicate.
    DuplicateClose,
    /// `zx_port_queue` of a user packet on the own port, `zx_port_wait` takes it back.
    PortQueueWait,
    /// `zx_channel_write` of 64 bytes on one end of the own channel, `zx_channel_read` on the
    /// other.
    ChannelWriteRead,
    /// `zx_object_wait_async` on the own event and port, one `zx_object_signal` that fires it,
    /// `zx_port_wait` for the signal packet (as `ObjectWaitAsync/FireAndWait`).
    WaitAsyncFire,
    /// Reference, not zxsim: the locking `zx_object_signal` does, on locks of the thread's own
    /// (a reader lock held while a mutex is taken and released). If it scales no better than
    /// `Signal`, the machine, not the kernel, limits `Signal`.
    PrivateLocks,
}

/// The measured operations, in report order.
const OPS: [Op; 6] = [
    Op::Signal,
    Op::DuplicateClose,
    Op::PortQueueWait,
    Op::ChannelWriteRead,
    Op::WaitAsyncFire,
    Op::PrivateLocks,
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Control => "Control",
            Op::Signal => "Signal",
            Op::DuplicateClose => "DuplicateClose",
            Op::PortQueueWait => "PortQueueWait",
            Op::ChannelWriteRead => "ChannelWriteRead",
            Op::WaitAsyncFire => "WaitAsyncFire",
            Op::PrivateLocks => "baseline/private locks",
        }
    }

    fn id(self) -> String {
        format!("Scale/Processes/{}", self.name())
    }

    /// The least op ÷ control scaling accepted; none for a reference loop.
    fn goal(self) -> Option<f64> {
        match self {
            Op::Control | Op::PrivateLocks => None,
            _ => Some(GOAL),
        }
    }
}

/// A thread's own objects, in the process bound to that thread.
struct Objects {
    event: zx_handle_t,
    port: zx_handle_t,
    channel: (zx_handle_t, zx_handle_t),
    /// The event `WaitAsyncFire` waits on (kept apart so `Signal` never has an observer).
    watched: zx_handle_t,
    flip: bool,
    key: u64,
    payload: [u8; 64],
    received: [u8; 64],
    /// The control loop's state: a xorshift generator and a buffer of its own.
    control: u64,
    scratch: [u64; 64],
    /// `PrivateLocks`' locks, allocated by the thread itself (like its objects).
    private: Box<(RwLock<u64>, Mutex<u32>)>,
}

impl Objects {
    /// Creates the objects in the process bound to the calling thread.
    fn create() -> Objects {
        let (mut event, mut port, mut a, mut b, mut watched) = (0, 0, 0, 0, 0);
        assert_eq!(zx_event_create(0, &mut event), ZX_OK);
        assert_eq!(zx_port_create(0, &mut port), ZX_OK);
        assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
        assert_eq!(zx_event_create(0, &mut watched), ZX_OK);
        assert_eq!(zx_object_signal(watched, 0, ZX_USER_SIGNAL_1), ZX_OK);
        Objects {
            event,
            port,
            channel: (a, b),
            watched,
            flip: false,
            key: 0,
            payload: [0x5a; 64],
            received: [0; 64],
            control: 0x9e37_79b9_7f4a_7c15,
            scratch: [0; 64],
            private: Box::new((RwLock::new(0), Mutex::new(0))),
        }
    }

    fn close(self) {
        let (a, b) = self.channel;
        assert_eq!(
            zx_handle_close_many(&[self.event, self.port, a, b, self.watched]),
            ZX_OK
        );
    }

    /// `BATCH` iterations of `op`.
    fn run(&mut self, op: Op) {
        for _ in 0..BATCH {
            match op {
                Op::Control => self.control(),
                Op::Signal => self.signal(),
                Op::DuplicateClose => self.duplicate_close(),
                Op::PortQueueWait => self.port_queue_wait(),
                Op::ChannelWriteRead => self.channel_write_read(),
                Op::WaitAsyncFire => self.wait_async_fire(),
                Op::PrivateLocks => self.private_locks(),
            }
        }
    }

    fn control(&mut self) {
        let mut x = self.control;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let slot = &mut self.scratch[(x & 63) as usize];
        *slot = slot.wrapping_add(x);
        self.control = std::hint::black_box(x);
    }

    fn private_locks(&mut self) {
        let (table, object) = &*self.private;
        let _reader = std::hint::black_box(table).read();
        let mut signals = std::hint::black_box(object).lock();
        *signals ^= ZX_EVENT_SIGNALED;
    }

    fn signal(&mut self) {
        self.flip = !self.flip;
        let (clear, set) = if self.flip {
            (0, ZX_EVENT_SIGNALED)
        } else {
            (ZX_EVENT_SIGNALED, 0)
        };
        let status = zx_object_signal(std::hint::black_box(self.event), clear, set);
        debug_assert_eq!(status, ZX_OK);
    }

    fn duplicate_close(&mut self) {
        let mut duplicate = 0;
        let status = zx_handle_duplicate(
            std::hint::black_box(self.event),
            ZX_RIGHT_SAME_RIGHTS,
            &mut duplicate,
        );
        debug_assert_eq!(status, ZX_OK);
        let status = zx_handle_close(std::hint::black_box(duplicate));
        debug_assert_eq!(status, ZX_OK);
    }

    fn port_queue_wait(&mut self) {
        self.key = self.key.wrapping_add(1);
        let packet = zx_port_packet_t {
            key: self.key,
            packet_type: ZX_PKT_TYPE_USER,
            status: ZX_OK,
            union: [0; 32],
        };
        let status = zx_port_queue(std::hint::black_box(self.port), &packet);
        debug_assert_eq!(status, ZX_OK);
        let mut packet = zx_port_packet_t::default();
        let status = zx_port_wait(self.port, ZX_TIME_INFINITE, &mut packet);
        debug_assert_eq!((status, packet.key), (ZX_OK, self.key));
    }

    fn channel_write_read(&mut self) {
        let (a, b) = self.channel;
        let status = zx_channel_write(std::hint::black_box(a), 0, &self.payload, &[]);
        debug_assert_eq!(status, ZX_OK);
        let status = zx_channel_read(b, 0, &mut self.received, &mut [], None, None);
        debug_assert_eq!(status, ZX_OK);
    }

    /// Alternates between two user signals so that the one signal call clears the previous bit
    /// and raises the awaited one.
    fn wait_async_fire(&mut self) {
        self.flip = !self.flip;
        let (awaited, previous) = if self.flip {
            (ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_1)
        } else {
            (ZX_USER_SIGNAL_1, ZX_USER_SIGNAL_0)
        };
        let status =
            zx_object_wait_async(std::hint::black_box(self.watched), self.port, 7, awaited, 0);
        debug_assert_eq!(status, ZX_OK);
        let status = zx_object_signal(self.watched, previous, awaited);
        debug_assert_eq!(status, ZX_OK);
        let mut packet = zx_port_packet_t::default();
        let status = zx_port_wait(self.port, ZX_TIME_INFINITE, &mut packet);
        debug_assert_eq!(
            (status, packet.packet_type, packet.signal().observed),
            (ZX_OK, ZX_PKT_TYPE_SIGNAL_ONE, awaited)
        );
    }
}

/// One measurement handed to a worker.
struct Job {
    op: Op,
    start: Arc<Barrier>,
    stop: Arc<AtomicBool>,
    /// Iterations done and the time they took.
    done: crossbeam_channel::Sender<(u64, Duration)>,
}

/// A thread bound to its own process for its whole life, with its own objects.
struct Worker {
    jobs: crossbeam_channel::Sender<Job>,
    thread: thread::JoinHandle<()>,
}

impl Worker {
    fn start(process: Arc<Process>) -> Worker {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        let thread = process.spawn(move || {
            let mut objects = Objects::create();
            for job in queue {
                job.start.wait();
                let started = Instant::now();
                let mut iterations = 0;
                while !job.stop.load(Ordering::Relaxed) {
                    objects.run(job.op);
                    iterations += BATCH;
                }
                job.done
                    .send((iterations, started.elapsed()))
                    .expect("the harness waits for every worker");
            }
            objects.close();
        });
        Worker { jobs, thread }
    }
}

/// The workers, one process each: of one kernel, or (`--own-kernels`) each of a kernel of its
/// own, which tells what the kernel-wide state costs apart from what the machine does.
struct Pool {
    kernels: Vec<Kernel>,
    workers: Vec<Worker>,
}

impl Pool {
    fn new(own_kernels: bool) -> Pool {
        let kernels: Vec<Kernel> = (0..if own_kernels { MAX_THREADS } else { 1 })
            .map(|_| Kernel::new(Config::default()))
            .collect();
        let workers = (0..MAX_THREADS)
            .map(|index| Worker::start(kernels[index % kernels.len()].create_process()))
            .collect();
        Pool { kernels, workers }
    }

    /// Iterations per second of `op` on the first `threads` workers together, over `period`.
    fn throughput(&self, op: Op, threads: usize, period: Duration) -> f64 {
        let start = Arc::new(Barrier::new(threads + 1));
        let stop = Arc::new(AtomicBool::new(false));
        let (done, results) = crossbeam_channel::bounded(threads);
        for worker in &self.workers[..threads] {
            let job = Job {
                op,
                start: start.clone(),
                stop: stop.clone(),
                done: done.clone(),
            };
            worker.jobs.send(job).expect("worker alive");
        }
        // Only the workers hold senders now: one that panics ends `recv` below instead of
        // leaving it waiting.
        drop(done);
        start.wait();
        thread::sleep(period);
        stop.store(true, Ordering::Relaxed);
        (0..threads)
            .map(|_| {
                let (iterations, elapsed) = results.recv().expect("worker result");
                iterations as f64 / elapsed.as_secs_f64()
            })
            .sum()
    }

    /// Ends the workers (each closes its objects) and checks nothing was left behind.
    fn finish(self) {
        for worker in self.workers {
            drop(worker.jobs);
            worker.thread.join().expect("worker thread");
        }
        for kernel in &self.kernels {
            assert_eq!(kernel.live_handles(), 0, "the workers closed every handle");
        }
    }
}

/// The per-round figures of one operation.
#[derive(Default)]
struct Rounds {
    /// Nanoseconds per iteration on one thread.
    one_thread_ns: Vec<f64>,
    /// Throughput at 2 threads ÷ at 1 thread.
    scaling: Vec<f64>,
    /// The same for the control, measured beside it.
    control: Vec<f64>,
}

impl Rounds {
    fn relative(&self) -> Vec<f64> {
        self.scaling
            .iter()
            .zip(&self.control)
            .map(|(op, control)| op / control)
            .collect()
    }
}

/// One round of `op`: the control and the op at 1 and at 2 threads, in the given order.
fn round(pool: &Pool, op: Op, period: Duration, reversed: bool, rounds: &mut Rounds) {
    let mut plan = [
        (Op::Control, 1),
        (op, 1),
        (Op::Control, MAX_THREADS),
        (op, MAX_THREADS),
    ];
    if reversed {
        plan.reverse();
    }
    let mut figures = [0.0; 4];
    for (slot, (what, threads)) in figures.iter_mut().zip(plan) {
        *slot = pool.throughput(what, threads, period);
    }
    if reversed {
        figures.reverse();
    }
    let [control_1, op_1, control_2, op_2] = figures;
    rounds.one_thread_ns.push(1e9 / op_1);
    rounds.scaling.push(op_2 / op_1);
    rounds.control.push(control_2 / control_1);
}

/// The goal: op scaling ÷ control scaling.
const GOAL: f64 = 0.9;

/// Below this control scaling the machine did not give the two threads two CPUs of their own
/// (other work ran on them), and op ÷ control says little about the kernel.
const CONTROL_FLOOR: f64 = 1.8;

fn main() {
    let options = Options::from_env();
    if options.list {
        for op in OPS {
            println!("{}: bench", op.id());
        }
        return;
    }
    let ops: Vec<Op> = OPS
        .into_iter()
        .filter(|op| options.selects(&op.id()))
        .collect();
    if ops.is_empty() {
        return;
    }
    // A test run (`--test`, or no `--bench`): one short round, to show the harness works.
    let (rounds, period) = match (options.test, options.quick) {
        (true, _) => (1, Duration::from_millis(5)),
        (false, true) => (3, Duration::from_millis(40)),
        (false, false) => (7, Duration::from_millis(200)),
    };
    let own_kernels = std::env::args().any(|arg| arg == "--own-kernels");
    let pool = Pool::new(own_kernels);
    for op in ops.iter().copied().chain([Op::Control]) {
        pool.throughput(op, MAX_THREADS, period / 2);
    }
    let mut results: Vec<(Op, Rounds)> = ops.iter().map(|&op| (op, Rounds::default())).collect();
    for index in 0..rounds {
        for (op, figures) in &mut results {
            round(&pool, *op, period, index % 2 == 1, figures);
        }
    }
    pool.finish();

    println!(
        "Scale/Processes{}: {rounds} round(s) of {} ms per measurement, medians; {}, each \
         thread in its own process",
        if options.test {
            " (test run: shows the harness works, the figures mean nothing)"
        } else {
            ""
        },
        period.as_millis(),
        if own_kernels {
            "one kernel per thread (diagnostic: not written to the results file)"
        } else {
            "one kernel"
        }
    );
    let mut lines = vec![common::harness::PROCESSES_HEADER.join("\t")];
    for (op, figures) in &results {
        let scaling = median(&figures.scaling);
        let control = median(&figures.control);
        let relative = median(&figures.relative());
        let low = figures
            .scaling
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let high = figures.scaling.iter().copied().fold(0.0, f64::max);
        println!(
            "{:<40} 1 thread {:>7.1} ns/op  2÷1 threads {scaling:.2}× (rounds {low:.2}–{high:.2})  \
             control {control:.2}×  op÷control {relative:.2}{}",
            op.id(),
            median(&figures.one_thread_ns),
            op.goal()
                .map_or_else(String::new, |goal| format!(" (goal ≥ {goal})")),
        );
        lines.push(
            [
                op.id(),
                format!("{:.2}", median(&figures.one_thread_ns)),
                format!("{scaling:.4}"),
                format!("{low:.4}"),
                format!("{high:.4}"),
                format!("{control:.4}"),
                format!("{relative:.4}"),
                op.goal().map_or_else(String::new, |goal| goal.to_string()),
                format!("{CONTROL_FLOOR}"),
                rounds.to_string(),
                period.as_millis().to_string(),
            ]
            .join("\t"),
        );
    }
    let control = results
        .iter()
        .map(|(_, figures)| median(&figures.control))
        .fold(f64::INFINITY, f64::min);
    if control < CONTROL_FLOOR {
        println!(
            "warning: the control scaled only {control:.2}× (< {CONTROL_FLOOR}×): other work \
             shared the CPUs, the figures say little about the kernel"
        );
    }
    if !own_kernels {
        options.write_results("processes.tsv", &lines);
    }
}
