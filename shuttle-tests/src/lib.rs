//! The harness of zxsim's shuttle scenarios (`tests/*.rs`): random or PCT schedules of programs
//! far larger than loom can explore, each failure replayable from the seed it prints.
//!
//! Everything here exists only under `--cfg zxsim_shuttle`; a normal build compiles this crate to
//! nothing. Run the scenarios with `cargo xtask shuttle` (see `docs/observability.md`), or by hand:
//!
//! ```text
//! RUSTFLAGS="--cfg zxsim_shuttle" ZXSIM_SHUTTLE_ITERATIONS=200 ZXSIM_SHUTTLE_SEED=7 \
//!     cargo test -p zxsim-shuttle-tests --release --target-dir target/shuttle
//! ```
//!
//! **Seeds.** With the random scheduler, iteration 0 runs the run's seed itself and iteration
//! `i > 0` runs `mix(seed, i)`, each with a fresh scheduler: a failure names the seed of its own
//! iteration, and `--seed <that seed> --iterations 1` replays exactly that schedule. PCT learns
//! the length of an execution from the iterations before it, so a PCT failure at iteration `k`
//! replays with the run's seed and `--iterations k` (the `k − 1` passing iterations run again
//! first). Replays are exact because a scenario's only nondeterminism is the schedule: a fresh
//! kernel per execution, on a virtual clock, every thread a shuttle thread bound to a process.
//!
//! Every scenario ends by closing everything it made and asserting `live_objects() == 0` and
//! `live_handles() == 0`; the lock-order checker of the sync shim runs in every execution.

#[cfg(zxsim_shuttle)]
pub use imp::*;

#[cfg(zxsim_shuttle)]
mod imp {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::time::Instant;

    use shuttle::scheduler::{PctScheduler, RandomScheduler};
    use shuttle::{Config as ShuttleConfig, FailurePersistence, Runner};
    use zxsim_kernel::objects::port::Port;
    use zxsim_kernel::{AnyObject, Config, Dispatcher, Kernel, Process, Profile, Rights};
    use zxsim_syscalls::sys::*;

    /// The iterations a scenario runs when `ZXSIM_SHUTTLE_ITERATIONS` is not set.
    pub const DEFAULT_ITERATIONS: usize = 100;
    /// The PCT depth (priority change points + 1) when `ZXSIM_SHUTTLE_PCT_DEPTH` is not set.
    pub const DEFAULT_PCT_DEPTH: usize = 3;

    /// Which shuttle scheduler picks the next thread at each step.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Scheduler {
        /// A uniformly random runnable thread at every step.
        Random,
        /// Probabilistic concurrency testing: random thread priorities with `depth − 1` random
        /// priority change points.
        Pct { depth: usize },
    }

    impl Scheduler {
        fn flags(self) -> String {
            match self {
                Scheduler::Random => "--scheduler random".into(),
                Scheduler::Pct { depth } => format!("--scheduler pct --depth {depth}"),
            }
        }
    }

    /// How a scenario is explored: from the `ZXSIM_SHUTTLE_*` variables `cargo xtask shuttle`
    /// sets.
    #[derive(Clone, Copy, Debug)]
    pub struct Settings {
        pub iterations: usize,
        pub seed: u64,
        pub scheduler: Scheduler,
    }

    impl Settings {
        /// `ZXSIM_SHUTTLE_ITERATIONS` (default 100), `ZXSIM_SHUTTLE_SEED` (default: drawn from
        /// the time, and printed), `ZXSIM_SHUTTLE_SCHEDULER` (`random`, the default, or `pct`),
        /// `ZXSIM_SHUTTLE_PCT_DEPTH` (default 3).
        pub fn from_env() -> Settings {
            let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
            let iterations = var("ZXSIM_SHUTTLE_ITERATIONS")
                .map(|v| {
                    v.trim()
                        .parse()
                        .expect("ZXSIM_SHUTTLE_ITERATIONS: a number")
                })
                .unwrap_or(DEFAULT_ITERATIONS);
            let seed = var("ZXSIM_SHUTTLE_SEED")
                .map(|v| v.trim().parse().expect("ZXSIM_SHUTTLE_SEED: a u64"))
                .unwrap_or_else(time_seed);
            let depth = var("ZXSIM_SHUTTLE_PCT_DEPTH")
                .map(|v| v.trim().parse().expect("ZXSIM_SHUTTLE_PCT_DEPTH: a number"))
                .unwrap_or(DEFAULT_PCT_DEPTH);
            let scheduler = match var("ZXSIM_SHUTTLE_SCHEDULER").as_deref().map(str::trim) {
                None | Some("random") => Scheduler::Random,
                Some("pct") => Scheduler::Pct { depth },
                Some(other) => panic!("ZXSIM_SHUTTLE_SCHEDULER: random or pct, not {other}"),
            };
            Settings {
                iterations,
                seed,
                scheduler,
            }
        }
    }

    fn time_seed() -> u64 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        mix(nanos, u64::from(std::process::id()))
    }

    /// SplitMix64 of `seed + index`: the seed of iteration `index` (iteration 0 runs `seed`).
    pub fn mix(seed: u64, index: u64) -> u64 {
        let mut z = seed.wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn iteration_seed(seed: u64, index: usize) -> u64 {
        if index == 0 {
            seed
        } else {
            mix(seed, index as u64)
        }
    }

    /// A scenario's passing exploration.
    #[derive(Clone, Debug)]
    pub struct Explored {
        pub iterations: usize,
        pub seconds: f64,
    }

    /// A failing execution: where it was found and how to run it again.
    #[derive(Clone, Debug)]
    pub struct Failure {
        /// The failing iteration (0-based) of the exploration.
        pub iteration: usize,
        /// Settings that replay exactly the failing execution (as their last iteration).
        pub replay: Settings,
        /// The panic message.
        pub message: String,
    }

    impl Failure {
        /// The command that replays the failing execution of `scenario`.
        pub fn command(&self, scenario: &str) -> String {
            format!(
                "cargo xtask shuttle {scenario} --seed {} --iterations {} {}",
                self.replay.seed,
                self.replay.iterations,
                self.replay.scheduler.flags()
            )
        }
    }

    fn shuttle_config() -> ShuttleConfig {
        let mut config = ShuttleConfig::new();
        // The harness prints its own replay line (a seed); shuttle's encoded schedule is not
        // needed to replay.
        config.failure_persistence = FailurePersistence::None;
        // Kernel calls nest a few frames deep (cascading closes are iterative, not recursive),
        // but a debug build's frames are large.
        config.stack_size = 0x8_0000;
        config.silence_warnings = true;
        config
    }

    fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
        if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_string()
        } else {
            "a panic without a message".to_string()
        }
    }

    /// Runs `scenario` under `settings`; the first failing execution ends the exploration.
    pub fn explore<F>(settings: &Settings, scenario: F) -> Result<Explored, Failure>
    where
        F: Fn() + Send + Sync + 'static,
    {
        let started = Instant::now();
        let scenario = Arc::new(scenario);
        match settings.scheduler {
            Scheduler::Random => {
                for iteration in 0..settings.iterations {
                    let seed = iteration_seed(settings.seed, iteration);
                    let runner =
                        Runner::new(RandomScheduler::new_from_seed(seed, 1), shuttle_config());
                    let run = scenario.clone();
                    if let Err(payload) =
                        catch_unwind(AssertUnwindSafe(|| runner.run(move || run())))
                    {
                        return Err(Failure {
                            iteration,
                            replay: Settings {
                                iterations: 1,
                                seed,
                                scheduler: Scheduler::Random,
                            },
                            message: panic_message(&*payload),
                        });
                    }
                }
            }
            Scheduler::Pct { depth } => {
                let started_iterations = Arc::new(AtomicUsize::new(0));
                let count = started_iterations.clone();
                let run = scenario.clone();
                let scheduler =
                    PctScheduler::new_from_seed(settings.seed, depth, settings.iterations);
                let runner = Runner::new(scheduler, shuttle_config());
                let result = catch_unwind(AssertUnwindSafe(|| {
                    runner.run(move || {
                        count.fetch_add(1, SeqCst);
                        run()
                    })
                }));
                if let Err(payload) = result {
                    let iterations = started_iterations.load(SeqCst);
                    return Err(Failure {
                        iteration: iterations - 1,
                        replay: Settings {
                            iterations,
                            ..*settings
                        },
                        message: panic_message(&*payload),
                    });
                }
            }
        }
        Ok(Explored {
            iterations: settings.iterations,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Explores `scenario` with the environment's settings; on a failure, panics naming the
    /// failing iteration, its seed and the command that replays it. Prints one summary line
    /// (and writes it to `$ZXSIM_SHUTTLE_REPORT_DIR/<test name>` for `cargo xtask shuttle`).
    pub fn check<F>(name: &str, scenario: F)
    where
        F: Fn() + Send + Sync + 'static,
    {
        let settings = Settings::from_env();
        let summary = match explore(&settings, scenario) {
            Ok(explored) => format!(
                "{} iterations, {:.2} s ({}, seed {})",
                explored.iterations,
                explored.seconds,
                settings.scheduler.flags(),
                settings.seed
            ),
            Err(failure) => {
                let line = format!(
                    "FAILED at iteration {} of {} ({}, seed {}): {}\n  replay: {}",
                    failure.iteration + 1,
                    settings.iterations,
                    settings.scheduler.flags(),
                    settings.seed,
                    failure.message,
                    failure.command(name)
                );
                // Printed by the panic (libtest shows it with the test's output).
                write_report(name, &line);
                panic!("shuttle: {name}: {line}");
            }
        };
        report(name, &summary);
    }

    fn report(name: &str, line: &str) {
        println!("shuttle: {name}: {line}");
        write_report(name, line);
    }

    /// Writes `line` to `$ZXSIM_SHUTTLE_REPORT_DIR/<test name>`, if set.
    pub fn write_report(name: &str, line: &str) {
        if let Ok(dir) = std::env::var("ZXSIM_SHUTTLE_REPORT_DIR") {
            // Named after the test (libtest names each test's thread after it), which is how
            // `cargo xtask shuttle` finds it.
            let test = std::thread::current()
                .name()
                .filter(|thread| *thread != "main")
                .map(|thread| thread.rsplit("::").next().unwrap_or(thread).to_string())
                .unwrap_or_else(|| name.to_string());
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(std::path::Path::new(&dir).join(test), format!("{line}\n"));
        }
    }

    /// A fresh kernel on a virtual clock.
    pub fn kernel(profile: Profile) -> Kernel {
        Kernel::new(Config::default().with_profile(profile).with_virtual_clock())
    }

    /// A fresh kernel on a virtual clock built from `config`.
    pub fn kernel_with(config: Config) -> Kernel {
        Kernel::new(config.with_virtual_clock())
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

    pub fn channel() -> (zx_handle_t, zx_handle_t) {
        let (mut a, mut b) = (ZX_HANDLE_INVALID, ZX_HANDLE_INVALID);
        assert_eq!(zx_channel_create(0, &mut a, &mut b), ZX_OK);
        (a, b)
    }

    /// Moves the handle `value` of `from` into `to`'s table; returns its value there.
    pub fn move_handle(from: &Process, to: &Process, value: zx_handle_t) -> zx_handle_t {
        to.add_handle(from.handles().remove(value).expect("a live handle"))
    }

    /// The koid of the object behind `handle` in the calling thread's process.
    pub fn koid(handle: zx_handle_t) -> u64 {
        Process::current()
            .get_object::<AnyObject>(handle, Rights::NONE)
            .expect("a live handle")
            .koid()
    }

    /// (pending observers, queued packets) of the port behind `handle`.
    pub fn port_state(handle: zx_handle_t) -> (usize, usize) {
        let port: Arc<Dispatcher<Port>> = Process::current()
            .get_object::<Port>(handle, Rights::NONE)
            .expect("a live port");
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
