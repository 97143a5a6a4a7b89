//! The one door to synchronisation in the kernel.
//!
//! Every `Mutex`, `RwLock`, `Condvar`, atomic, `Arc`, thread and thread-local used by kernel code
//! comes from here. Under the project-private cfg `zxsim_loom` they are loom's model-checked types
//! (except `Arc`, see `imp` under loom); otherwise they are `parking_lot`'s locks and `std`'s
//! atomics. Code that bypasses this module is invisible to loom, so `kernel/clippy.toml` forbids
//! the underlying types everywhere else.
//!
//! The API is the intersection of both worlds: `lock()` returns a guard (no poisoning), a
//! `Condvar` takes and returns the guard, and there is no `Weak`. Timed condvar waits exist only
//! outside loom (loom has no clock); the kernel's [`crate::clock`] never asks for one under loom.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

pub use imp::*;

/// Spin rounds before a waiter blocks when another core may be about to wake it: about 17 µs of
/// `spin_loop` hints on the 2-vCPU CI machine, plus the yields below. Crossbeam spins for a
/// similar few microseconds.
const SPIN_ROUNDS: u32 = 2_000;
/// While spinning, yield the CPU after the first check and then every this many rounds. Without
/// yields a waiter whose wake-up must come from a thread on the *same* CPU only delays that
/// thread for the whole spin (a same-core `RoundTrip/Port` took ~50 µs against ~1.5 µs for a
/// condvar); yielding at once lets that thread run. With its own CPU, a yield finds nothing else
/// to run and costs one short syscall, and the stretches of plain spinning between keep an
/// own-cores round trip near 1 µs.
const YIELD_EVERY: u32 = 128;

/// Spins briefly (when spinning can help at all) until `ready()` holds; `give_up()` is checked at
/// each yield (a deadline, say). Returns whether `ready()` held. Callers then block as usual.
pub fn spin_until(mut ready: impl FnMut() -> bool, mut give_up: impl FnMut() -> bool) -> bool {
    if !may_spin() {
        return false;
    }
    for round in 1..=SPIN_ROUNDS {
        if ready() {
            return true;
        }
        if round == 1 || round % YIELD_EVERY == 0 {
            if give_up() {
                return false;
            }
            thread::yield_now();
        } else {
            thread::spin_hint();
        }
    }
    false
}

#[cfg(not(zxsim_loom))]
mod imp {
    // Aliases rather than re-exports: clippy's `disallowed-types` (kernel/clippy.toml) resolves
    // re-exports to the forbidden std types, but stops at an alias defined here.
    pub use std::sync::atomic::Ordering;
    pub type OnceLock<T> = std::sync::OnceLock<T>;

    pub use std::thread_local;
    pub type Arc<T> = std::sync::Arc<T>;
    pub type AtomicBool = std::sync::atomic::AtomicBool;
    pub type AtomicI64 = std::sync::atomic::AtomicI64;
    pub type AtomicU32 = std::sync::atomic::AtomicU32;
    pub type AtomicU64 = std::sync::atomic::AtomicU64;
    pub type AtomicUsize = std::sync::atomic::AtomicUsize;

    pub type Mutex<T> = parking_lot::Mutex<T>;
    pub type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;
    pub type RwLock<T> = parking_lot::RwLock<T>;
    pub type RwLockReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
    pub type RwLockWriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;

    /// A condition variable whose `wait` takes and returns the guard (loom's shape).
    #[derive(Default)]
    pub struct Condvar(parking_lot::Condvar);

    impl Condvar {
        pub fn new() -> Self {
            Self(parking_lot::Condvar::new())
        }
        pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(&mut guard);
            guard
        }
        /// Waits until notified or `deadline`; the caller re-checks its predicate either way.
        pub fn wait_until<'a, T>(
            &self,
            mut guard: MutexGuard<'a, T>,
            deadline: std::time::Instant,
        ) -> MutexGuard<'a, T> {
            self.0.wait_until(&mut guard, deadline);
            guard
        }
        pub fn notify_one(&self) {
            self.0.notify_one();
        }
        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }

    pub mod thread {
        pub use std::thread::{current, yield_now, JoinHandle};

        pub fn spawn<F, T>(f: F) -> JoinHandle<T>
        where
            F: FnOnce() -> T + Send + 'static,
            T: Send + 'static,
        {
            std::thread::spawn(f)
        }

        /// Busy-wait hint used by spin-then-block loops.
        pub fn spin_hint() {
            std::hint::spin_loop();
        }
    }

    /// Whether spin-then-block loops may spin at all: with one CPU a spinner only delays the
    /// thread it waits for. Counts the machine's online CPUs, not the calling thread's affinity:
    /// the answer is cached, and a first caller pinned to one CPU must not turn spinning off
    /// for every thread of the process.
    pub fn may_spin() -> bool {
        use std::sync::OnceLock;
        static MULTI: OnceLock<bool> = OnceLock::new();
        *MULTI.get_or_init(|| online_cpus() > 1)
    }

    #[cfg(unix)]
    fn online_cpus() -> usize {
        // SAFETY: sysconf takes no pointers.
        let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
        usize::try_from(online).unwrap_or(1)
    }

    #[cfg(not(unix))]
    fn online_cpus() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

#[cfg(zxsim_loom)]
mod imp {
    pub use loom::sync::atomic::{
        AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering,
    };
    pub use loom::thread_local;
    // `std`'s `Arc`, not loom's: the kernel uses `self: &Arc<Self>` receivers, which stable Rust
    // allows only for `std::sync::Arc` (loom's would need `arbitrary_self_types`). Reference
    // counts are therefore not model-checked (std's are correct, and fewer branch points keep
    // models small); leaks are caught by the kernel's own `live_objects`/`live_handles`
    // accounting, which every model asserts. No `Weak` either way.
    pub type Arc<T> = std::sync::Arc<T>;

    /// loom's mutex with the guard-returning `lock()` of parking_lot.
    #[derive(Debug)]
    pub struct Mutex<T>(loom::sync::Mutex<T>);
    pub type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }
        pub fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().expect("loom mutex poisoned")
        }
        pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock().ok()
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }

    #[derive(Debug)]
    pub struct RwLock<T>(loom::sync::RwLock<T>);
    pub type RwLockReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;
    pub type RwLockWriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

    impl<T> RwLock<T> {
        pub fn new(value: T) -> Self {
            Self(loom::sync::RwLock::new(value))
        }
        pub fn read(&self) -> RwLockReadGuard<'_, T> {
            self.0.read().expect("loom rwlock poisoned")
        }
        pub fn write(&self) -> RwLockWriteGuard<'_, T> {
            self.0.write().expect("loom rwlock poisoned")
        }
    }

    #[derive(Debug, Default)]
    pub struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub fn new() -> Self {
            Self(loom::sync::Condvar::new())
        }
        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(guard).expect("loom condvar poisoned")
        }
        /// loom has no clock: a timed wait is an untimed one. The kernel only uses the virtual
        /// clock under loom, which wakes sleepers explicitly when it advances.
        pub fn wait_until<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            _deadline: std::time::Instant,
        ) -> MutexGuard<'a, T> {
            self.wait(guard)
        }
        pub fn notify_one(&self) {
            self.0.notify_one();
        }
        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }

    pub mod thread {
        pub use loom::thread::{current, spawn, yield_now, JoinHandle};

        /// In a model a spin must yield, or loom runs out of branches.
        pub fn spin_hint() {
            loom::thread::yield_now();
        }
    }

    /// Spinning only multiplies the states loom must explore; models always block at once.
    pub fn may_spin() -> bool {
        false
    }
}
