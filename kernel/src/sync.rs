//! The one door to synchronisation in the kernel.
//!
//! Every `Mutex`, `RwLock`, `Condvar`, atomic, `Arc`, thread and thread-local used by kernel code
//! comes from here. Under the project-private cfg `zxsim_loom` they are loom's model-checked types
//! (except `Arc`, see `imp` under loom); under `zxsim_shuttle` they are shuttle's, whose random and
//! PCT schedulers run programs far larger than loom can explore, replayable from a seed
//! (`docs/observability.md`); otherwise they are `parking_lot`'s locks and `std`'s atomics. Code that bypasses this module is invisible to loom, so `kernel/clippy.toml` forbids
//! the underlying types everywhere else.
//!
//! The API is the intersection of both worlds: `lock()` returns a guard (no poisoning), a
//! `Condvar` takes and returns the guard, and there is no `Weak`. Timed condvar waits exist only
//! outside loom (loom has no clock); the kernel's [`crate::clock`] never asks for one under loom.
//!
//! Locks carry a [`LockClass`]; in debug, loom and shuttle builds each thread records the classes it holds
//! and taking a lock out of the documented order panics at once, naming both locks (Zircon's
//! lockdep, reduced to a total order of classes). Release builds keep no record.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

#[cfg(not(any(zxsim_loom, zxsim_shuttle)))]
pub use imp::OnceLock;
pub use imp::{
    may_spin, thread, thread_local, Arc, AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize,
    Ordering,
};
#[cfg(any(debug_assertions, zxsim_loom))]
pub use ordered::{lock_acquisitions, take_lock_nesting};
pub use ordered::{
    Condvar, LockClass, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};

/// A small number for the calling thread, the same for its whole life, below `shards`: which
/// shard of a sharded counter it uses. Threads get consecutive numbers in the order they first
/// ask, so the first `shards` threads never share one.
#[cfg(not(any(zxsim_loom, zxsim_shuttle)))]
pub fn thread_shard(shards: usize) -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    thread_local! {
        static NUMBER: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
    }
    let number = NUMBER
        .try_with(|number| {
            if number.get() == usize::MAX {
                number.set(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            }
            number.get()
        })
        // A thread that is exiting uses shard 0.
        .unwrap_or(0);
    number % shards
}

/// Under loom and shuttle every thread uses shard 0: a model or a replayed schedule must make the
/// same choices in every execution, and a process-wide counter would not (the budget's sharding
/// is tested with real threads).
#[cfg(any(zxsim_loom, zxsim_shuttle))]
pub fn thread_shard(_shards: usize) -> usize {
    0
}

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

#[cfg(not(any(zxsim_loom, zxsim_shuttle)))]
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

#[cfg(all(zxsim_loom, zxsim_shuttle))]
compile_error!("zxsim_loom and zxsim_shuttle are two mappings of the sync shim: pick one");

/// shuttle's types, with the same shapes as loom's. Like loom, shuttle runs every thread of an
/// execution as a coroutine on one OS thread and owns the schedule, so everything a scenario
/// thread touches must come from here: its thread-locals, spawned threads and yields included.
#[cfg(all(zxsim_shuttle, not(zxsim_loom)))]
mod imp {
    pub use shuttle::sync::atomic::{
        AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering,
    };
    pub use shuttle::thread_local;
    // `std`'s `Arc`, for the reason given under loom (shuttle's `Arc` is `std`'s anyway).
    pub type Arc<T> = std::sync::Arc<T>;

    /// shuttle's mutex with the guard-returning `lock()` of parking_lot.
    #[derive(Debug)]
    pub struct Mutex<T>(shuttle::sync::Mutex<T>);
    pub type MutexGuard<'a, T> = shuttle::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub fn new(value: T) -> Self {
            Self(shuttle::sync::Mutex::new(value))
        }
        pub fn lock(&self) -> MutexGuard<'_, T> {
            // A poisoned lock means a scenario thread already panicked: that panic is the
            // failure shuttle reports, so carry on with the data.
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
        pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            match self.0.try_lock() {
                Ok(guard) => Some(guard),
                Err(shuttle::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(shuttle::sync::TryLockError::WouldBlock) => None,
            }
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }

    #[derive(Debug)]
    pub struct RwLock<T>(shuttle::sync::RwLock<T>);
    pub type RwLockReadGuard<'a, T> = shuttle::sync::RwLockReadGuard<'a, T>;
    pub type RwLockWriteGuard<'a, T> = shuttle::sync::RwLockWriteGuard<'a, T>;

    impl<T> RwLock<T> {
        pub fn new(value: T) -> Self {
            Self(shuttle::sync::RwLock::new(value))
        }
        pub fn read(&self) -> RwLockReadGuard<'_, T> {
            self.0
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
        pub fn write(&self) -> RwLockWriteGuard<'_, T> {
            self.0
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    #[derive(Debug, Default)]
    pub struct Condvar(shuttle::sync::Condvar);

    impl Condvar {
        pub fn new() -> Self {
            Self(shuttle::sync::Condvar::new())
        }
        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
        /// An untimed wait, as under loom: scenarios run on the virtual clock, which wakes
        /// sleepers explicitly when it advances (shuttle's timed wait may time out at any
        /// moment, which would only add spurious wake-ups).
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
        pub use shuttle::thread::{current, spawn, yield_now, JoinHandle};

        /// A spin must yield, or the spinner would hold the only running slot.
        pub fn spin_hint() {
            shuttle::thread::yield_now();
        }
    }

    /// Spinning only lengthens schedules; scenario threads always block at once.
    pub fn may_spin() -> bool {
        false
    }
}

/// The kernel's locks with their classes, over `imp`'s raw ones.
mod ordered {
    use std::ops::{Deref, DerefMut};

    use super::imp;

    /// Lock classes in the one order a thread may take them: a lock may be taken only while
    /// every lock the thread holds has a lower class. `docs/design.md` ("Lock order") gives the
    /// reason for each edge.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub enum LockClass {
        /// A process's `zx_process_self` slot: held while that handle is made and installed.
        ProcessSelf,
        /// A process's handle table (reader or writer): syscalls register observers and write
        /// channel messages under it.
        HandleTable,
        /// An object's state — its signal word and observers; for peered objects the pair's one
        /// lock; a timer's arming.
        Object,
        /// A port's queue and observer index: a firing observer queues its packet under the
        /// object lock.
        Port,
        /// A blocked thread's completion: settled under the object or pair lock.
        Waiter,
        /// The clock's deadline entries: a timer arms under its own lock.
        Clock,
        /// The OS reactor's table of adopted descriptors: its sinks are taken under it.
        Reactor,
        /// Everything else: nothing is taken while one is held.
        Leaf,
    }

    #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
    // loom's `thread_local!` takes no `const` initialiser.
    #[allow(clippy::missing_const_for_thread_local)]
    mod record {
        use std::cell::RefCell;

        use super::LockClass;

        super::super::thread_local! {
            /// The classes of the locks this thread holds, in the order taken.
            static HELD: RefCell<Vec<LockClass>> = RefCell::new(Vec::new());
            /// Ranked locks this thread has taken so far, by class.
            static TAKEN: RefCell<Vec<(LockClass, u64)>> = RefCell::new(Vec::new());
            /// Each (held, taken) pair of classes this thread has nested, since last taken.
            static NESTED: RefCell<Vec<(LockClass, LockClass)>> = RefCell::new(Vec::new());
        }

        /// The (outer, inner) class pairs the calling thread has nested since the last call, in
        /// first-seen order (debug and loom builds): lets a test pin that one lock is held
        /// around another — an observer registered under the handle table's lock, say.
        pub fn take_lock_nesting() -> Vec<(LockClass, LockClass)> {
            NESTED.with(|nested| std::mem::take(&mut *nested.borrow_mut()))
        }

        fn note_nesting(held: &[LockClass], class: LockClass) {
            let _ = NESTED.try_with(|nested| {
                let mut nested = nested.borrow_mut();
                for &outer in held {
                    if !nested.contains(&(outer, class)) {
                        nested.push((outer, class));
                    }
                }
            });
        }

        /// How many ranked locks the calling thread has taken so far, by class (debug and loom
        /// builds): what a syscall costs in lock round trips, measured rather than read off the
        /// code.
        pub fn lock_acquisitions() -> Vec<(LockClass, u64)> {
            TAKEN.with(|taken| taken.borrow().clone())
        }

        fn count(class: LockClass) {
            let _ = TAKEN.try_with(|taken| {
                let mut taken = taken.borrow_mut();
                match taken.iter_mut().find(|(counted, _)| *counted == class) {
                    Some((_, n)) => *n += 1,
                    None => {
                        taken.push((class, 1));
                        taken.sort();
                    }
                }
            });
        }

        /// One lock of `class` held by this thread, until dropped (nothing for an unranked lock).
        pub struct Held(Option<LockClass>);

        impl Held {
            /// Checks the order before blocking on the lock, so an inversion panics even in a
            /// run where it would not have deadlocked.
            pub fn acquire(class: Option<LockClass>) -> Held {
                let Some(class) = class else {
                    return Held(None);
                };
                count(class);
                // `try_with`: other thread-locals (a thread's own objects) take locks while the
                // thread exits, possibly after this record is gone; those go unchecked.
                let inverted = HELD
                    .try_with(|held| {
                        let mut held = held.borrow_mut();
                        let inverted = held.iter().any(|&holding| holding >= class);
                        let report = inverted.then(|| held.clone());
                        if !inverted {
                            note_nesting(&held, class);
                            held.push(class);
                        }
                        report
                    })
                    .ok()
                    .flatten();
                // Panics with the record released, so unwinding guards can update it.
                if let Some(held) = inverted {
                    panic!(
                        "lock order: taking a {class:?} lock while holding {held:?} (the order is \
                         ProcessSelf < HandleTable < Object < Port < Waiter < Clock < Reactor < Leaf)"
                    );
                }
                Held(Some(class))
            }

            /// A lock taken without blocking (`try_lock`): it cannot deadlock, but it is held.
            pub fn record(class: Option<LockClass>) -> Held {
                if let Some(class) = class {
                    count(class);
                    let _ = HELD.try_with(|held| held.borrow_mut().push(class));
                }
                Held(class)
            }
        }

        impl Drop for Held {
            fn drop(&mut self) {
                let Some(class) = self.0 else {
                    return;
                };
                // `try_with`: a guard may outlive the thread-local during thread exit.
                let _ = HELD.try_with(|held| {
                    let mut held = held.borrow_mut();
                    if let Some(at) = held.iter().rposition(|held| *held == class) {
                        held.remove(at);
                    }
                });
            }
        }
    }

    #[cfg(not(any(debug_assertions, zxsim_loom, zxsim_shuttle)))]
    mod record {
        use super::LockClass;

        pub struct Held;

        impl Held {
            #[inline(always)]
            pub fn acquire(_class: Option<LockClass>) -> Held {
                Held
            }
            #[inline(always)]
            pub fn record(_class: Option<LockClass>) -> Held {
                Held
            }
        }
    }

    use record::Held;
    #[cfg(any(debug_assertions, zxsim_loom))]
    pub use record::{lock_acquisitions, take_lock_nesting};

    /// A mutex of a [`LockClass`], or unranked (code above the kernel, whose locks are all
    /// taken before any kernel lock: the checker ignores them).
    pub struct Mutex<T> {
        /// Kept only where it is checked: a release build's lock is the bare lock.
        #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
        class: Option<LockClass>,
        inner: imp::Mutex<T>,
    }

    pub struct MutexGuard<'a, T> {
        inner: imp::MutexGuard<'a, T>,
        _held: Held,
    }

    impl<T> Mutex<T> {
        /// An unranked lock, for code above the kernel (dispatchers, bindings); every kernel
        /// lock is [`Mutex::ranked`].
        pub fn new(value: T) -> Self {
            Mutex {
                #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
                class: None,
                inner: imp::Mutex::new(value),
            }
        }

        pub fn ranked(_class: LockClass, value: T) -> Self {
            Mutex {
                #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
                class: Some(_class),
                inner: imp::Mutex::new(value),
            }
        }

        fn class(&self) -> Option<LockClass> {
            #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
            return self.class;
            #[cfg(not(any(debug_assertions, zxsim_loom, zxsim_shuttle)))]
            return None;
        }

        pub fn lock(&self) -> MutexGuard<'_, T> {
            let held = Held::acquire(self.class());
            MutexGuard {
                inner: self.inner.lock(),
                _held: held,
            }
        }

        pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            let inner = self.inner.try_lock()?;
            Some(MutexGuard {
                inner,
                _held: Held::record(self.class()),
            })
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }

    impl<T: std::fmt::Debug> std::fmt::Debug for Mutex<T> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Mutex")
                .field("class", &self.class())
                .finish()
        }
    }

    impl<T> Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.inner
        }
    }

    impl<T> DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            &mut self.inner
        }
    }

    /// A reader-writer lock of a [`LockClass`].
    pub struct RwLock<T> {
        #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
        class: Option<LockClass>,
        inner: imp::RwLock<T>,
    }

    pub struct RwLockReadGuard<'a, T> {
        inner: imp::RwLockReadGuard<'a, T>,
        _held: Held,
    }

    pub struct RwLockWriteGuard<'a, T> {
        inner: imp::RwLockWriteGuard<'a, T>,
        _held: Held,
    }

    impl<T> RwLock<T> {
        pub fn ranked(_class: LockClass, value: T) -> Self {
            RwLock {
                #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
                class: Some(_class),
                inner: imp::RwLock::new(value),
            }
        }

        fn class(&self) -> Option<LockClass> {
            #[cfg(any(debug_assertions, zxsim_loom, zxsim_shuttle))]
            return self.class;
            #[cfg(not(any(debug_assertions, zxsim_loom, zxsim_shuttle)))]
            return None;
        }

        pub fn read(&self) -> RwLockReadGuard<'_, T> {
            let held = Held::acquire(self.class());
            RwLockReadGuard {
                inner: self.inner.read(),
                _held: held,
            }
        }

        pub fn write(&self) -> RwLockWriteGuard<'_, T> {
            let held = Held::acquire(self.class());
            RwLockWriteGuard {
                inner: self.inner.write(),
                _held: held,
            }
        }
    }

    impl<T> Deref for RwLockReadGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.inner
        }
    }

    impl<T> Deref for RwLockWriteGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.inner
        }
    }

    impl<T> DerefMut for RwLockWriteGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            &mut self.inner
        }
    }

    /// A condition variable whose `wait` takes and returns the guard. The lock stays recorded as
    /// held while the thread waits: it takes nothing else meanwhile.
    #[derive(Default)]
    pub struct Condvar(imp::Condvar);

    impl Condvar {
        pub fn new() -> Self {
            Self(imp::Condvar::new())
        }

        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            let MutexGuard { inner, _held } = guard;
            MutexGuard {
                inner: self.0.wait(inner),
                _held,
            }
        }

        /// Waits until notified or `deadline`; the caller re-checks its predicate either way.
        pub fn wait_until<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            deadline: std::time::Instant,
        ) -> MutexGuard<'a, T> {
            let MutexGuard { inner, _held } = guard;
            MutexGuard {
                inner: self.0.wait_until(inner, deadline),
                _held,
            }
        }

        pub fn notify_one(&self) {
            self.0.notify_one();
        }

        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}

#[cfg(all(test, debug_assertions, not(any(zxsim_loom, zxsim_shuttle))))]
mod tests {
    use super::*;

    #[test]
    fn locks_taken_in_order_pass_and_are_released() {
        let table = RwLock::ranked(LockClass::HandleTable, ());
        let object = Mutex::ranked(LockClass::Object, ());
        let port = Mutex::ranked(LockClass::Port, ());
        for _ in 0..2 {
            let _table = table.read();
            let _object = object.lock();
            let _port = port.lock();
        }
        // Out of order after release is fine: nothing is held any more.
        let _port = port.lock();
        drop(_port);
        let _object = object.lock();
    }

    #[test]
    #[should_panic(expected = "lock order: taking a Object lock while holding [Port]")]
    fn an_inversion_panics_naming_both_classes() {
        let object = Mutex::ranked(LockClass::Object, ());
        let port = Mutex::ranked(LockClass::Port, ());
        let _port = port.lock();
        let _object = object.lock();
    }

    #[test]
    #[should_panic(expected = "lock order: taking a Object lock while holding [Object]")]
    fn two_locks_of_one_class_panic() {
        let a = Mutex::ranked(LockClass::Object, ());
        let b = Mutex::ranked(LockClass::Object, ());
        let _a = a.lock();
        let _b = b.lock();
    }

    #[test]
    fn unranked_locks_are_not_checked() {
        let outer = Mutex::new(());
        let port = Mutex::ranked(LockClass::Port, ());
        let _port = port.lock();
        let _outer = outer.lock();
        let object = Mutex::ranked(LockClass::Object, ());
        drop(_port);
        let _object = object.lock();
    }

    #[test]
    fn a_condvar_wait_keeps_the_lock_recorded() {
        let waiter = Mutex::ranked(LockClass::Waiter, false);
        let condvar = Condvar::new();
        let guard = waiter.lock();
        let guard = condvar.wait_until(guard, std::time::Instant::now());
        drop(guard);
        let object = Mutex::ranked(LockClass::Object, ());
        let _object = object.lock();
    }
}
