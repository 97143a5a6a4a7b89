//! The kernel's one blocking wait, and the completion most blocked threads wait for.
//!
//! Every syscall that blocks — `zx_object_wait_one`/`_many` and `zx_nanosleep`, the reply half of
//! `zx_channel_call`, `zx_port_wait` — goes through `wait_until`: spin briefly while the thing
//! waited for may be about to arrive, then register a wake-up with the kernel clock for the
//! deadline, block on a condition variable until the outcome is there or the clock has reached the
//! deadline, and withdraw the wake-up. The sequence is delicate (a wake-up must never be lost
//! between the last check and the block, and the clock entry must be withdrawn after the lock is
//! released — lock order `waited state -> clock` is never taken), so it is written once.
//!
//! What is waited for is found by a closure in the state under the lock the waker takes. A [`Completion`]
//! is the common case — a one-shot outcome set once by another thread (an observer firing, a
//! reply arriving); a port's packet queue is the other.

use crate::clock::Clock;
use crate::sync::{spin_until, Arc, AtomicBool, Condvar, LockClass, Mutex, Ordering};
use crate::types::{Time, TIME_INFINITE};

/// The state a blocked thread waits on, seen under the lock its waker takes: hooks that run
/// under that lock.
pub(crate) trait WaitState {
    /// Around each block (a port counts its blocked waiters and their wake-ups).
    fn blocking(&mut self) {}
    fn woken(&mut self) {}

    /// As the waiter leaves for good, still under the lock (a port passes on a wake-up it may
    /// have consumed without taking a packet).
    fn leaving(&mut self, _condvar: &Condvar) {}
}

/// Blocks until `outcome` finds one in `lock`'s state or `clock` reaches `deadline`; `None`
/// means the deadline passed first. `ready` is a lock-free hint that an outcome may be there:
/// while it holds, the short spin takes the lock to look. `wake` runs at the deadline (from the
/// clock) and must notify `condvar` under `lock`.
pub(crate) fn wait_until<S: WaitState, R>(
    clock: &Clock,
    deadline: Time,
    (lock, condvar): (&Mutex<S>, &Condvar),
    mut outcome: impl FnMut(&mut S) -> Option<R>,
    mut ready: impl FnMut() -> bool,
    wake: impl FnOnce() + Send + 'static,
) -> Option<R> {
    let finite = deadline != TIME_INFINITE;
    let mut spun = None;
    spin_until(
        || {
            if ready() {
                spun = outcome(&mut lock.lock());
            }
            spun.is_some()
        },
        || finite && clock.now() >= deadline,
    );
    if spun.is_some() {
        return spun;
    }
    let entry = clock.on_deadline(deadline, Box::new(wake));
    let mut state = lock.lock();
    let found = loop {
        if let Some(found) = outcome(&mut state) {
            break Some(found);
        }
        if clock.now() >= deadline {
            break None;
        }
        state.blocking();
        state = clock.block(condvar, state, deadline);
        state.woken();
    };
    state.leaving(condvar);
    drop(state);
    if let Some(entry) = entry {
        clock.cancel_deadline(entry);
    }
    found
}

/// A one-shot outcome another thread sets, and the thread that waits for it.
pub struct Completion<T> {
    outcome: Mutex<Option<T>>,
    /// Mirrors `outcome.is_some()` so a waiter can spin on it without the lock.
    settled: AtomicBool,
    condvar: Condvar,
}

impl<T> WaitState for Option<T> {}

impl<T: Send + 'static> Completion<T> {
    pub fn new() -> Arc<Completion<T>> {
        Arc::new(Completion {
            outcome: Mutex::ranked(LockClass::Waiter, None),
            settled: AtomicBool::new(false),
            condvar: Condvar::new(),
        })
    }

    /// Sets the outcome if none is set yet and wakes the waiter; a late outcome is handed back.
    pub fn settle(&self, outcome: T) -> Result<(), T> {
        let mut slot = self.outcome.lock();
        let refused = if slot.is_none() {
            *slot = Some(outcome);
            self.settled.store(true, Ordering::Release);
            Ok(())
        } else {
            Err(outcome)
        };
        self.condvar.notify_all();
        refused
    }

    pub fn is_settled(&self) -> bool {
        self.settled.load(Ordering::Acquire)
    }

    /// Blocks until settled or the clock reaches `deadline`. Returns whether it was settled; the
    /// outcome stays for [`Completion::take`].
    pub fn wait_until(self: &Arc<Self>, clock: &Clock, deadline: Time) -> bool {
        let waker = self.clone();
        // Waits until settled; the outcome is read afterwards, once the waiter has made sure
        // nothing else can settle it.
        wait_until(
            clock,
            deadline,
            (&self.outcome, &self.condvar),
            |outcome| outcome.as_ref().map(|_| ()),
            || self.is_settled(),
            move || waker.wake(),
        )
        .is_some()
    }

    /// Takes the outcome (once the waiter knows nothing else can settle it).
    pub fn take(&self) -> Option<T> {
        self.outcome.lock().take()
    }

    /// Reads the outcome without taking it.
    pub fn peek<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        f(self.outcome.lock().as_ref())
    }

    fn wake(&self) {
        let _guard = self.outcome.lock();
        self.condvar.notify_all();
    }
}
