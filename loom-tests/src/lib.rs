//! Helpers shared by zxsim's loom models (`tests/*.rs`).
//!
//! Everything here exists only under `--cfg zxsim_loom`; a normal build compiles this crate to
//! nothing. Run the models with `cargo xtask loom` (see `docs/loom.md`), or by hand:
//!
//! ```text
//! RUSTFLAGS="--cfg zxsim_loom" LOOM_MAX_PREEMPTIONS=2 \
//!     cargo test -p zxsim-loom-tests --release --target-dir target/loom
//! ```
//!
//! Every model follows the same rules (loom 0.7.3):
//! - at most 4 threads in total (the model's main thread included);
//! - a fresh kernel per execution, on a **virtual clock**, and only infinite or past deadlines;
//! - every thread binds a process (the main thread with [`Process::bind`], the others through
//!   [`Process::spawn`], which uses the kernel's `sync::thread::spawn`, i.e. loom's);
//! - nothing leaks: models end by closing every handle and asserting `live_objects() == 0` and
//!   `live_handles() == 0`.
//!
//! [`Process::bind`]: zxsim_kernel::Process::bind
//! [`Process::spawn`]: zxsim_kernel::Process::spawn

#[cfg(zxsim_loom)]
pub use imp::*;

#[cfg(zxsim_loom)]
mod imp {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use zxsim_kernel::objects::port::Port;
    use zxsim_kernel::{
        AnyObject, Config, Dispatcher, DispatcherRef, Kernel, Process, Profile, Rights,
    };
    use zxsim_syscalls::sys::*;

    /// The preemption bound the models run with: `LOOM_MAX_PREEMPTIONS`, or 2.
    pub fn preemption_bound() -> usize {
        std::env::var("LOOM_MAX_PREEMPTIONS")
            .ok()
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(2)
    }

    /// Explores every interleaving of `model` up to the [`preemption_bound`]. Each execution
    /// returns a label naming the outcome it reached (and, through [`Race`], the order loom ran
    /// the racing operations in); at bound ≥ 2 the set of labels seen must be exactly
    /// `expected`, which proves every interleaving class was explored, not merely allowed.
    ///
    /// Prints one summary line (`loom: <name>: bound B, N iterations, T s | <label>: n | ...`)
    /// and, if `ZXSIM_LOOM_REPORT_DIR` is set, writes it to `<dir>/<test name>` for
    /// `cargo xtask loom`.
    pub fn check<F>(name: &str, expected: &[&str], model: F)
    where
        F: Fn() -> String + Sync + Send + 'static,
    {
        let bound = preemption_bound();
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(bound);
        let seen = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
        let record = seen.clone();
        let started = Instant::now();
        builder.check(move || {
            let label = model();
            *record.lock().unwrap().entry(label).or_default() += 1;
        });
        let seconds = started.elapsed().as_secs_f64();
        let seen = std::mem::take(&mut *seen.lock().unwrap());
        let iterations: usize = seen.values().sum();
        let outcomes: Vec<String> = seen.iter().map(|(l, n)| format!("{l}: {n}")).collect();
        let summary = format!(
            "bound {bound}, {iterations} iterations, {seconds:.2} s | {}",
            outcomes.join(" | ")
        );
        println!("loom: {name}: {summary}");
        if let Ok(dir) = std::env::var("ZXSIM_LOOM_REPORT_DIR") {
            // Named after the test (libtest names each test's thread after it), which is how
            // `cargo xtask loom` finds it; the model's own name otherwise.
            let test = std::thread::current()
                .name()
                .filter(|thread| *thread != "main")
                .map_or_else(|| name.to_string(), str::to_string);
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(std::path::Path::new(&dir).join(test), summary + "\n");
        }
        if bound >= 2 {
            let seen: BTreeSet<&str> = seen.keys().map(String::as_str).collect();
            let expected: BTreeSet<&str> = expected.iter().copied().collect();
            assert_eq!(seen, expected, "{name}: outcome classes explored");
        }
    }

    /// Which of two racing operations loom ran first.
    ///
    /// Each side's operation starts with one `fetch_add` on a shared **loom** atomic: a branch
    /// point both sides contend on, so loom explores either side starting first (without it,
    /// a freshly spawned thread could only get ahead of the main thread by a preemption inside
    /// the main thread's operation). That is the only synchronisation `Race` adds; the only
    /// happens-before edge it creates that `spawn` did not already is from what a spawned side
    /// did before its start (binding its process) to the other side. The order itself is
    /// recorded in plain `std` atomics, **outside** loom's view: loom runs every model thread
    /// on one OS thread and switches only at its own operations, so they observe the real
    /// order of an execution's steps. `a` and `b` name the sides.
    pub struct Race {
        names: [&'static str; 2],
        start: loom::sync::atomic::AtomicUsize,
        done: [AtomicBool; 2],
        other_done_at_start: [AtomicBool; 2],
    }

    impl Race {
        pub fn new(a: &'static str, b: &'static str) -> Arc<Race> {
            Arc::new(Race {
                names: [a, b],
                start: loom::sync::atomic::AtomicUsize::new(0),
                done: Default::default(),
                other_done_at_start: Default::default(),
            })
        }

        fn run<R>(&self, side: usize, op: impl FnOnce() -> R) -> R {
            self.start.fetch_add(1, SeqCst);
            let other_done = self.done[1 - side].load(SeqCst);
            self.other_done_at_start[side].store(other_done, SeqCst);
            let result = op();
            self.done[side].store(true, SeqCst);
            result
        }

        /// Runs side `a`'s operation.
        pub fn a<R>(&self, op: impl FnOnce() -> R) -> R {
            self.run(0, op)
        }

        /// Runs side `b`'s operation.
        pub fn b<R>(&self, op: impl FnOnce() -> R) -> R {
            self.run(1, op)
        }

        /// Once both sides ran: `Some(0)` if `a` finished before `b` started, `Some(1)` for
        /// the reverse, `None` if they overlapped.
        pub fn first(&self) -> Option<usize> {
            if self.other_done_at_start[1].load(SeqCst) {
                Some(0)
            } else if self.other_done_at_start[0].load(SeqCst) {
                Some(1)
            } else {
                None
            }
        }

        /// `"<a> then <b>"`, `"<b> then <a>"` or `"<a> overlapped <b>"`.
        pub fn order(&self) -> String {
            let [a, b] = self.names;
            match self.first() {
                Some(0) => format!("{a} then {b}"),
                Some(_) => format!("{b} then {a}"),
                None => format!("{a} overlapped {b}"),
            }
        }
    }

    /// A fresh kernel on a virtual clock with one process, which the calling thread binds while
    /// the returned guard lives.
    pub fn kernel(profile: Profile) -> (Kernel, Arc<Process>) {
        let kernel = Kernel::new(Config::default().with_profile(profile).with_virtual_clock());
        let process = kernel.create_process();
        (kernel, process)
    }

    pub fn event() -> zx_handle_t {
        let mut event = ZX_HANDLE_INVALID;
        assert_eq!(zx_event_create(0, &mut event), ZX_OK);
        event
    }

    pub fn port() -> zx_handle_t {
        let mut port = ZX_HANDLE_INVALID;
        assert_eq!(zx_port_create(0, &mut port), ZX_OK);
        port
    }

    /// The signal word of the object behind `handle` (`wait_one` for nothing, past deadline).
    pub fn signals(handle: zx_handle_t) -> zx_signals_t {
        let mut observed = 0;
        zx_object_wait_one(handle, 0, 0, Some(&mut observed));
        observed
    }

    /// The object behind `handle` in the calling thread's process.
    pub fn object(handle: zx_handle_t) -> DispatcherRef {
        Process::current()
            .get_object::<AnyObject>(handle, Rights::NONE)
            .expect("a live handle")
    }

    /// Observers pending on an object (sync and async waits).
    pub fn observers_on(object: &Dispatcher) -> usize {
        object.with_signals(|state| state.observer_count())
    }

    /// (pending observers, queued packets) of a port object.
    pub fn port_state(port: &Dispatcher) -> (usize, usize) {
        let port = port.downcast::<Port>().expect("a port");
        (port.observer_count(), port.queued_packets())
    }

    /// `zx_port_wait` with a past deadline: the oldest packet, if any.
    pub fn poll(port: zx_handle_t) -> Option<zx_port_packet_t> {
        let mut packet = zx_port_packet_t::default();
        match zx_port_wait(port, 0, &mut packet) {
            ZX_OK => Some(packet),
            ZX_ERR_TIMED_OUT => None,
            status => panic!("zx_port_wait poll answered {status}"),
        }
    }

    /// Asserts that nothing is left in `kernel`.
    #[track_caller]
    pub fn assert_nothing_leaked(kernel: &Kernel) {
        assert_eq!(
            (kernel.live_objects(), kernel.live_handles()),
            (0, 0),
            "live (objects, handles) after closing everything"
        );
    }
}
